"""Run every notebook's tests with `nbdev-test` (cells flagged `slow` are skipped, see `tst_flags`).
The slowest cells are listed at the end of the run (see `conftest.py`)."""
import subprocess, sys
from pathlib import Path
import pytest
from conftest import SLOW_CELL_SECS, record_cell_times

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_'))

def test_notebooks_found():
    assert len(NOTEBOOKS) >= 5, NOTEBOOKS

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT/'nbs')))
def test_notebook(nb, request):
    nbdev_test = Path(sys.executable).parent/'nbdev-test'
    cmd = [str(nbdev_test) if nbdev_test.exists() else 'nbdev-test', str(nb), '--n-workers', '0', '--cell-timing-min', str(SLOW_CELL_SECS)]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    record_cell_times(request.config, res.stdout, nb)
    assert res.returncode == 0, f"nbdev-test failed on {nb.name}:\n{res.stdout[-6000:]}\n{res.stderr[-6000:]}"
