"""Execute notebooks in place, so that the docs show fresh outputs: `python tools/run_notebook.py NB [NB ...] [--slow]`.

The docs site is built from the notebooks' saved outputs (nothing is executed there), so a change to what a cell
shows (a figure's size, a usage example) needs the notebook run again. Each notebook runs top to bottom in its own
folder with `nbclient`, as `nbdev-test` runs it: cells marked `#| eval: false` are not run, nor `#| slow` ones unless
`--slow` is given; a cell that is not run keeps the outputs it had. Then run `nbdev-clean`."""
import argparse, re, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient

def skipped(cell, slow):
    dirs = re.findall(r'^#\|\s*(.*)$', cell.source, re.M) if cell.cell_type == 'code' else []
    return any(re.match(r'eval:\s*false', d) for d in dirs) or (not slow and any(d.strip() == 'slow' for d in dirs))

def run(path, slow=False, timeout=900):
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    keep = {i: (c.source, c.get('outputs', [])) for i, c in enumerate(nb.cells) if skipped(c, slow)}
    for i in keep: nb.cells[i].source = ''                       # run as an empty cell: nothing happens, nothing shown
    NotebookClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(path.parent)}}).execute()
    for i, (src, outs) in keep.items(): nb.cells[i].source, nb.cells[i].outputs = src, outs
    nbformat.write(nb, path)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='+')
    ap.add_argument('--slow', action='store_true', help="also run the cells marked `#| slow`")
    a = ap.parse_args()
    for p in a.notebooks:
        print(f"running {p}", file=sys.stderr, flush=True)
        run(p, a.slow)
