"""nbdev's docs processing (`nbdev-proc-nbs`, `nbdev-docs`) executes every cell that exports, shows docs or
contains an import statement anywhere. A cell mixing imports with other code would run out of context there
(and fail, or train a model while the docs build): imports live in cells of their own."""
import ast
from pathlib import Path
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_'))

def mixed_import_cells(nb_path):
    "Sources of code cells (not exported, not show_doc) that contain an import and other statements"
    bad = []
    for cell in nbformat.read(nb_path, as_version=4).cells:
        if cell.cell_type != 'code' or not cell.source.strip(): continue
        lines = [l for l in cell.source.splitlines() if not l.strip().startswith(('#|', '%', '!'))]
        if any(l.strip().startswith('#| export') for l in cell.source.splitlines()): continue
        if 'nbdev_export()' in cell.source: continue
        try: tree = ast.parse('\n'.join(lines))
        except SyntaxError: continue
        has_import = any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree))
        others = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        if has_import and others: bad.append(cell.source)
    return bad

def test_checker_finds_mixed_cells(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('import os\nx = 1'),
                                         nbformat.v4.new_code_cell('with open("f") as f:\n    from os import path'),
                                         nbformat.v4.new_code_cell('import os, sys\nfrom pathlib import Path'),
                                         nbformat.v4.new_code_cell('#| export\nimport os\nx = 1')])
    nbformat.write(nb, tmp_path/'t.ipynb')
    assert mixed_import_cells(tmp_path/'t.ipynb') == ['import os\nx = 1', 'with open("f") as f:\n    from os import path']

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT/'nbs')))
def test_imports_in_their_own_cells(nb):
    bad = mixed_import_cells(nb)
    assert not bad, f"{nb.name}: cells mixing imports with other code (nbdev's docs build executes them):\n" + '\n---\n'.join(bad)
