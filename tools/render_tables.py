"""Re-render the tables that notebooks show from results files (cells with a line `# rendered: <sources>`), without
running anything else: the notebook's import-only cells, then its rendered cells, in order, in the notebook's folder.

Figure cells (a line that starts `plot_runs(load_runs(`) that have no output yet are drawn too (the Agg backend, a PNG output);
a figure already shown is left as it is, so re-running the tool changes nothing.

Usage: python tools/render_tables.py [NOTEBOOK ...]   (default: every notebook; writes the fresh tables into them)
`tests/test_rendered.py` uses the same functions to check that every shown table is the one its files give now."""
import ast, contextlib, os, re, sys
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parents[1]
MARK = re.compile(r'^# rendered: ', re.M)

def notebooks():
    return sorted(p for p in (ROOT/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_'))

def code(cell): return '\n'.join(l for l in cell.source.splitlines() if not l.startswith('#|'))

def is_import_cell(src):
    try: tree = ast.parse(src)
    except SyntaxError: return False
    return bool(tree.body) and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in tree.body)

def is_rendered(cell): return cell.cell_type == 'code' and bool(MARK.search(cell.source))

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

FIGURE = re.compile(r'^plot_runs\(load_runs\(', re.M)
def is_figure(cell): return cell.cell_type == 'code' and bool(FIGURE.search(cell.source)) and '#| export' not in cell.source

def png(fig):
    import base64, io
    buf = io.BytesIO(); fig.savefig(buf, format='png', dpi=100, bbox_inches='tight')
    return base64.b64encode(buf.getvalue()).decode()

def draw_missing(nb_path):
    "Draw the figure cells that have no output yet; returns how many were drawn"
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    nb = nbformat.read(nb_path, as_version=4)
    todo = {i for i, c in enumerate(nb.cells) if is_figure(c) and not c.get('outputs')}
    if not todo: return 0
    for i, _ in run_cells(nb_path, nb.cells, lambda i, c: i in todo):
        fig = plt.gcf()
        nb.cells[i].outputs = [nbformat.v4.new_output('display_data', data={'image/png': png(fig), 'text/plain': [repr(fig)]})]
        plt.close('all')
    nbformat.write(nb, nb_path)
    return len(todo)

def run_cells(nb_path, cells, pick):
    "Run the notebook's import-only cells and the cells `pick(i, cell)` selects, in order, in its folder; yield (i, last value) of each picked one"
    ns = {}
    with cwd(Path(nb_path).parent):
        for i, c in enumerate(cells):
            if c.cell_type != 'code': continue
            src = code(c)
            if is_import_cell(src): run_cell(src, ns)
            elif pick(i, c): yield i, run_cell(src, ns)

def render(nb_path):
    "{cell index: the markdown its rendered cell gives from the files now (None if it gives no markdown)}"
    cells = nbformat.read(nb_path, as_version=4).cells
    return {i: res._repr_markdown_() if hasattr(res, '_repr_markdown_') else None
            for i, res in run_cells(nb_path, cells, lambda i, c: is_rendered(c))}

def write(nb_path):
    "Put the fresh tables into the notebook's rendered cells; returns how many changed"
    nb = nbformat.read(nb_path, as_version=4)
    changed = 0
    for i, md in render(nb_path).items():
        if md is None: raise ValueError(f'{nb_path}: cell {i} renders no markdown')
        if md.strip() == shown(nb.cells[i]).strip(): continue
        nb.cells[i].outputs = [nbformat.v4.new_output('execute_result', data={'text/markdown': md, 'text/plain': repr(md)}, execution_count=None)]
        changed += 1
    if changed: nbformat.write(nb, nb_path)
    return changed

if __name__ == '__main__':
    for p in [Path(a).resolve() for a in sys.argv[1:]] or notebooks():
        n = write(p)
        if n: print(f'{p.relative_to(ROOT)}: {n} table(s) re-rendered')
        n = draw_missing(p)
        if n: print(f'{p.relative_to(ROOT)}: {n} figure(s) drawn')
