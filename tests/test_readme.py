"""README.md is generated from nbs/index.ipynb and gives the two commands that CI runs."""
import subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_readme_in_sync():
    res = subprocess.run([sys.executable, str(ROOT/'tools'/'make_readme.py'), '--check'], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr

def test_readme_commands():
    readme = (ROOT/'README.md').read_text()
    ci = (ROOT/'.ci'/'run').read_text()
    run_cmd, test_cmd = 'pip install -e . && pani-bench', 'pip install -e ".[dev]" && python -m pytest -q'
    for cmd in (run_cmd, test_cmd): assert f'\n{cmd}\n' in readme, cmd
    assert f"TEST_CMD='{test_cmd}'" in ci     # CI runs exactly README's test command
    assert 'settings.ini' in readme and 'pyproject.toml' in readme
