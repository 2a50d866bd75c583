"""No result typed by hand: every table a notebook shows from a results file (or other source file) is re-rendered
here from that file and compared with what the notebook shows (and README, generated from `nbs/index.ipynb`).

A rendered cell is a code cell with a line `# rendered: <sources>`; it must produce its table as a markdown
output. The check runs the notebook's import-only cells (safe: `test_docs_cells.py` keeps imports in cells of
their own) and the rendered cells, in order, in the notebook's folder; nothing trains. `python tools/render_tables.py`
writes the fresh tables into the notebooks (the same functions)."""
import sys
from pathlib import Path
import nbformat, pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from render_tables import notebooks, is_rendered, is_figure, draw_missing, render, shown, write

RENDERED = [(nb, i) for nb in notebooks() for i, c in enumerate(nbformat.read(nb, as_version=4).cells) if is_rendered(c)]

def test_some_tables_are_checked():
    assert len(RENDERED) >= 1

@pytest.mark.parametrize('nb', sorted({nb for nb, _ in RENDERED}), ids=lambda p: str(p.relative_to(ROOT/'nbs')))
def test_rendered_tables_match_their_files(nb):
    cells = nbformat.read(nb, as_version=4).cells
    mismatches = []
    for i, fresh in render(nb).items():
        if fresh is None: mismatches.append(f'cell {i}: renders no markdown')
        elif fresh.strip() != shown(cells[i]).strip(): mismatches.append(f'cell {i}:\n--- shown\n{shown(cells[i])}\n--- from the files now\n{fresh}')
    assert not mismatches, f'{nb.name}: tables that differ from their files (run `python tools/render_tables.py`):\n' + '\n'.join(mismatches)

def test_checker_catches_a_stale_table(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('import json'),
                                         nbformat.v4.new_code_cell("# rendered: t.json\nclass T(str):\n    def _repr_markdown_(self): return str(self)\nT(json.load(open('t.json')))")])
    nb.cells[1].outputs = [nbformat.v4.new_output('execute_result', data={'text/markdown': '| 1 |'}, execution_count=1)]
    p = tmp_path/'n.ipynb'; nbformat.write(nb, p)
    (tmp_path/'t.json').write_text('"| 1 |"')
    test_rendered_tables_match_their_files(p)                     # in sync
    (tmp_path/'t.json').write_text('"| 2 |"')
    with pytest.raises(AssertionError, match='differ from their files'): test_rendered_tables_match_their_files(p)
    n = write(p)                                                  # the tool re-renders it...
    assert n == 1
    test_rendered_tables_match_their_files(p)                     # ...and then it matches

FIGURES = [(nb, i) for nb in notebooks() for i, c in enumerate(nbformat.read(nb, as_version=4).cells) if is_figure(c)]

@pytest.mark.parametrize('nb,i', FIGURES, ids=lambda x: x.name if isinstance(x, Path) else str(x))
def test_every_results_figure_is_drawn(nb, i):
    "A figure cell drawn from results files shows its figure (`python tools/render_tables.py` draws the missing ones)"
    outs = nbformat.read(nb, as_version=4).cells[i].get('outputs', [])
    assert any('image/png' in o.get('data', {}) for o in outs), f'{nb.name} cell {i}: no figure (run `python tools/render_tables.py`)'

def test_the_tool_draws_a_missing_figure_once(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('import matplotlib.pyplot as plt'),
                                         nbformat.v4.new_code_cell("def load_runs(f): return [3, 1, 2]\ndef plot_runs(xs): fig, ax = plt.subplots(); ax.plot(xs); return fig\nplot_runs(load_runs('r'));")])
    p = tmp_path/'n.ipynb'; nbformat.write(nb, p)
    assert draw_missing(p) == 1
    out = nbformat.read(p, as_version=4).cells[1].outputs
    assert len(out) == 1 and out[0]['data']['image/png'].startswith('iVBORw0KGgo')   # a PNG
    assert draw_missing(p) == 0                                   # a figure already shown is left as it is
