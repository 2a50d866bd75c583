"""Write README.md from nbs/index.ipynb (what `nbdev-readme` does, without Quarto, which needs a download).

Usage: python tools/make_readme.py [--check]   (--check: exit 1 if README.md is not up to date)"""
import re, sys
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

root = Path(__file__).resolve().parents[1]

def render():
    nb = nbformat.read(root/'nbs'/'index.ipynb', as_version=4)
    nb.metadata['language_info'] = {'name': 'python'}   # fenced code blocks as ```python
    nb.cells = [c for c in nb.cells if not c.source.lstrip().startswith('#| hide')]
    for i, c in enumerate(nb.cells):   # `#| echo: false` cells: only their markdown output, as a markdown cell
        if c.cell_type == 'code' and re.search(r'^#\|\s*echo:\s*false', c.source, re.M):
            md = '\n\n'.join(o.data['text/markdown'] for o in c.outputs if 'text/markdown' in o.get('data', {}))
            nb.cells[i] = nbformat.v4.new_markdown_cell(md)
    nb.cells = [c for c in nb.cells if c.source.strip()]
    for c in nb.cells:   # drop nbdev directives; keep printed text, markdown and plain results (no HTML/images)
        if c.cell_type != 'code': continue
        c.source = '\n'.join(l for l in c.source.split('\n') if not l.startswith('#|'))
        outs = []
        for o in c.outputs:
            if o.output_type == 'stream':
                o.text = '\n'.join(l.rsplit('\r', 1)[-1] for l in o.text.split('\n'))   # progress bars: their final state
                if o.text.strip(): outs.append(o)
            elif o.output_type in ('display_data', 'execute_result'):
                data = {k: v for k, v in o.data.items() if k == 'text/markdown'} or \
                       ({'text/plain': o.data['text/plain']} if o.output_type == 'execute_result' and 'text/html' not in o.data else {})
                if data: o.data = data; outs.append(o)
        c.outputs = outs
    body, _ = MarkdownExporter().from_notebook_node(nb)
    body = re.sub(r'^# (.+)\n\n> (.+)', r'# \1\n\n\2', body.lstrip(), count=1, flags=re.M)   # nbdev's title/summary
    body = re.sub(r'\n{3,}', '\n\n', body)
    note = '<!-- WARNING: generated from nbs/index.ipynb by tools/make_readme.py; edit the notebook, not this file -->\n\n'
    return note + body.strip() + '\n'

if __name__ == '__main__':
    text, readme = render(), root/'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit('README.md is out of date with nbs/index.ipynb: run `python tools/make_readme.py`')
    else: readme.write_text(text)
