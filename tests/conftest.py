"""Shared pytest hooks: the slowest notebook cells of the run, reported at the end (`nbdev-test --cell-timing-min`)."""
import json, re
from pathlib import Path

SLOW_CELL_SECS = 2.0   # cells slower than this are reported; the default run keeps every cell to seconds

def pytest_configure(config): config.pani_cell_times = []

def first_line(nb_path:Path, cell_id:str):
    "The first line of code (not a `#|` directive) of the cell `cell_id`"
    for c in json.loads(Path(nb_path).read_text())['cells']:
        if c.get('id') == cell_id:
            lines = [l for l in ''.join(c['source']).splitlines() if l.strip() and not l.startswith('#|')]
            return (lines[0][:70] + ('...' if len(lines[0]) > 70 else '')) if lines else ''
    return cell_id

def record_cell_times(config, stdout:str, nb_path:Path):
    "Collect nbdev-test's `name.ipynb:cell_id: 12.345s` lines"
    for nb, cell, secs in re.findall(r'^(\S+\.ipynb):(\S+): ([\d.]+)s$', stdout, re.M):
        config.pani_cell_times.append((float(secs), nb, first_line(nb_path, cell)))

def pytest_terminal_summary(terminalreporter, exitstatus, config):
    times = sorted(getattr(config, 'pani_cell_times', []), reverse=True)
    if not times: return
    terminalreporter.section(f'slowest notebook cells (> {SLOW_CELL_SECS:g} s; total {sum(t for t, *_ in times):.0f} s)')
    for secs, nb, cell in times[:15]: terminalreporter.write_line(f'{secs:7.1f} s  {nb}: {cell}')
