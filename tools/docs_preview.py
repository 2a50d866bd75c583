"""Offline preview of the docs site.

`nbdev-docs` renders the site with Quarto, which cannot be installed on machines without access to GitHub.
This script builds what can be built offline from the same sources: `nbdev-proc-nbs` (nbdev's own processing:
`show_doc` rendered, hidden cells dropped, directives applied) writes `_proc/`, then every processed notebook
in the sidebar's order (`nbs/sidebar.yml`) becomes an HTML page (nbconvert, images embedded) in `--out`
(default `_docs_preview/`), with an `index.html` that links them in that order.
Run: python tools/docs_preview.py [--out _docs_preview]
"""
import argparse, html, re, shutil, subprocess, sys
from pathlib import Path
import nbformat, yaml
from nbconvert import HTMLExporter
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]

def sidebar_order(sidebar=ROOT/'nbs'/'sidebar.yml'):
    "Notebook paths (relative to nbs/) in the sidebar's order, sections flattened"
    def walk(items):
        for it in items:
            if isinstance(it, str): yield it
            elif isinstance(it, dict):
                if 'contents' in it: yield from walk(it['contents'])
                elif 'href' in it: yield it['href']
    return list(walk(yaml.safe_load(sidebar.read_text())['website']['sidebar']['contents']))

def title_of(nb):
    "The notebook's title: its front matter's (nbdev-proc-nbs turns the `# Title` cell into it), else its first heading"
    for c in nb.cells:
        if c.cell_type == 'raw':
            m = re.search(r'^title:\s*(.+)$', c.source, re.M)
            if m: return m.group(1).strip().strip('"\'')
        if c.cell_type == 'markdown':
            m = re.search(r'^#\s+(.+)$', c.source, re.M)
            if m: return m.group(1).strip()
    return None

def page(nb):
    "HTML of a processed notebook: `#| echo: false` inputs and directive lines hidden, images embedded"
    for c in nb.cells:
        c.metadata.pop('execution', None)     # execnb's timings (floats), which nbformat's schema rejects
        if c.cell_type != 'code': continue
        dirs = re.findall(r'^#\|\s*(.*)$', c.source, re.M)
        if any(re.match(r'echo:\s*false', d) for d in dirs): c.metadata.setdefault('tags', []).append('remove_input')
        c.source = re.sub(r'^#\|.*\n?', '', c.source, flags=re.M)
    cfg = Config()
    cfg.TagRemovePreprocessor.enabled = True
    cfg.TagRemovePreprocessor.remove_input_tags = ('remove_input',)
    return HTMLExporter(config=cfg).from_notebook_node(nb)[0]

def build(out=ROOT/'_docs_preview'):
    "Process the notebooks and write the preview; returns the list of (page, title)"
    subprocess.run(['nbdev-proc-nbs', '--n-workers', '0'], cwd=ROOT, check=True)
    proc, out = ROOT/'_proc', Path(out)
    if out.exists(): shutil.rmtree(out)
    pages = []
    for rel in sidebar_order():
        src = proc/rel
        if not src.exists(): raise FileNotFoundError(f"{rel} is in nbs/sidebar.yml but nbdev-proc-nbs did not produce {src}")
        nb = nbformat.read(src, as_version=4)
        fm = next((c.source for c in nb.cells if c.cell_type == 'raw' and c.source.startswith('---')), '')
        m = re.search(r'^output-file:\s*(\S+)', fm, re.M)                 # the page name Quarto would use
        dest = out/Path(rel).parent/(m.group(1) if m else Path(rel).with_suffix('.html').name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(page(nb))
        pages.append((dest.relative_to(out).as_posix(), title_of(nb) or Path(rel).stem))
    links = '\n'.join(f'<li><a href="{html.escape(p)}">{html.escape(t)}</a> <code>{html.escape(p)}</code></li>' for p, t in pages)
    (out/'index.html').write_text(f"""<!doctype html><html><head><meta charset="utf-8"><title>pani_nb docs (offline preview)</title></head>
<body><h1>pani_nb: docs (offline preview)</h1>
<p>The Quarto site (<code>nbdev-docs</code>) rendered offline from the same processed notebooks, in the sidebar's order.</p>
<nav id="sidebar"><ol>
{links}
</ol></nav></body></html>""")
    return pages

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=str(ROOT/'_docs_preview'))
    pages = build(ap.parse_args().out)
    print(f"{len(pages)} pages in {ap.parse_args().out}")
