"""No result typed by hand: every table a notebook shows from a results file (or other source file) is re-rendered
here from that file and compared with what the notebook shows (and README, generated from `nbs/index.ipynb`).

A rendered cell is a code cell with a line `# rendered: <sources>`; it must produce its table as a markdown
output. The check runs the notebook's import-only cells (safe: `test_docs_cells.py` keeps imports in cells of
their own) and the rendered cells, in order, in the notebook's folder; nothing trains."""
import ast, contextlib, os, re
from pathlib import Path
import nbformat, pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_'))
MARK = re.compile(r'^# rendered: ', re.M)

def code(cell): return '\n'.join(l for l in cell.source.splitlines() if not l.startswith('#|'))

def is_import_cell(src):
    try: tree = ast.parse(src)
    except SyntaxError: return False
    return bool(tree.body) and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in tree.body)

def run_cell(src, ns):
    "Execute `src` in `ns`; return the value of its last expression (None if it ends with a statement)"
    tree = ast.parse(src)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, '<cell>', 'exec'), ns)
    return eval(compile(ast.Expression(last.value), '<cell>', 'eval'), ns) if last is not None else None

def shown(cell):
    "The markdown the notebook shows for a cell"
    return '\n'.join(''.join(o['data']['text/markdown']) for o in cell.get('outputs', []) if 'text/markdown' in o.get('data', {}))

@contextlib.contextmanager
def cwd(path):
    old = os.getcwd(); os.chdir(path)
    try: yield
    finally: os.chdir(old)

RENDERED = [(nb, i) for nb in NOTEBOOKS for i, c in enumerate(nbformat.read(nb, as_version=4).cells)
            if c.cell_type == 'code' and MARK.search(c.source)]

def test_some_tables_are_checked():
    assert len(RENDERED) >= 1

@pytest.mark.parametrize('nb', sorted({nb for nb, _ in RENDERED}), ids=lambda p: str(p.relative_to(ROOT/'nbs')))
def test_rendered_tables_match_their_files(nb):
    cells = nbformat.read(nb, as_version=4).cells
    ns, mismatches = {}, []
    with cwd(nb.parent):
        for i, c in enumerate(cells):
            if c.cell_type != 'code': continue
            src = code(c)
            if is_import_cell(src): run_cell(src, ns)
            elif MARK.search(c.source):
                out = run_cell(src, ns)
                fresh = out._repr_markdown_() if hasattr(out, '_repr_markdown_') else None
                if fresh is None: mismatches.append(f'cell {i}: renders no markdown')
                elif fresh.strip() != shown(c).strip(): mismatches.append(f'cell {i}:\n--- shown\n{shown(c)}\n--- from the files now\n{fresh}')
    assert not mismatches, f'{nb.name}: tables that differ from their files (re-run the notebook):\n' + '\n'.join(mismatches)

def test_checker_catches_a_stale_table(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('import json'),
                                         nbformat.v4.new_code_cell("# rendered: t.json\nclass T(str):\n    def _repr_markdown_(self): return str(self)\nT(json.load(open('t.json')))")])
    nb.cells[1].outputs = [nbformat.v4.new_output('execute_result', data={'text/markdown': '| 1 |'}, execution_count=1)]
    p = tmp_path/'n.ipynb'; nbformat.write(nb, p)
    (tmp_path/'t.json').write_text('"| 1 |"')
    test_rendered_tables_match_their_files(p)                     # in sync
    (tmp_path/'t.json').write_text('"| 2 |"')
    with pytest.raises(AssertionError, match='differ from their files'): test_rendered_tables_match_their_files(p)
