"""Build the docs site offline: `python tools/build_docs.py [--out _site]`, then open `_site/index.html`.

nbdev's own site is built by `nbdev-docs` with Quarto, which the GitHub workflow `.github/workflows/deploy.yaml`
publishes; Quarto cannot be installed on machines without access to GitHub. This builds a site from the *same*
processed notebooks with tools from PyPI:

1. nbdev's own processing (what `nbdev-proc-nbs` runs, `nbdev.serve.proc_nbs`: `show_doc` rendered, `#| hide`
   cells dropped, directives applied) writes `_proc/`;
2. each processed notebook of `nbs/sidebar.yml` is copied under its Quarto page name (`callback.mixup.ipynb` for
   `23_callback.mixup.ipynb`, from its `output-file`), with its front matter turned into the page's title and
   summary, `#| echo: false` inputs tagged `remove-input` and the remaining directive lines dropped;
3. Sphinx builds the site: `myst-nb` reads the notebooks (their saved outputs: nothing is executed), MyST's
   `dollarmath` turns `$...$` into maths that MathJax 3 renders, bundled into the site by
   `sphinx-mathjax-offline` (no network access needed to read it), and the Furo theme gives every page the
   sidebar (the sections of `sidebar.yml`), previous/next links and a search box.

Why these tools: Sphinx is the most used static site generator for Python docs and reads notebooks through
myst-nb (the engine of Jupyter Book); both are on PyPI and work offline, unlike Quarto; MathJax is the renderer
Quarto itself uses, so the maths looks the same on both sites.
"""
import argparse, json, re, shutil, subprocess, sys
from pathlib import Path
import yaml

ROOT = Path(__file__).resolve().parents[1]

def expand(entry, nbs=ROOT/'nbs'):
    """A sidebar entry as notebook paths relative to `nbs`: a path is itself; a glob (`/2*.ipynb`) is the notebooks it
    matches, `index` pages left out and sorted by file name, as Quarto's auto navigation sorts pages without an
    `order` (a leading `/`: this folder only; without it, subfolders too)"""
    if '*' not in entry: return [entry]
    pat = entry.lstrip('/')
    found = nbs.glob(pat) if entry.startswith('/') else nbs.rglob(pat)
    return sorted((p.relative_to(nbs).as_posix() for p in found if p.stem != 'index' and '.ipynb_checkpoints' not in p.parts),
                  key=lambda r: Path(r).stem)

def sidebar(path=ROOT/'nbs'/'sidebar.yml'):
    "[(section title or None, [notebook paths relative to nbs/])] in the sidebar's order, globs expanded"
    out, nbs = [], Path(path).parent
    for it in yaml.safe_load(Path(path).read_text())['website']['sidebar']['contents']:
        if isinstance(it, str): out.append((None, expand(it, nbs)))
        else:
            items = it.get('contents', [])
            items = [items] if isinstance(items, str) else items
            out.append((it.get('section'), [r for c in items for r in expand(c if isinstance(c, str) else c['href'], nbs)]))
    return out

def front_matter(nb):
    "The raw `---` cell nbdev-proc-nbs puts first, as a dict (title, description, output-file, ...)"
    for c in nb['cells']:
        if c['cell_type'] == 'raw' and ''.join(c['source']).lstrip().startswith('---'):
            return yaml.safe_load(''.join(c['source']).strip().strip('-')) or {}
    return {}

def page_name(rel, fm):
    "The Quarto page name: the front matter's output-file, else the notebook name without its number"
    of = fm.get('output-file')
    stem = Path(of).stem if of else re.sub(r'^\d+_', '', Path(rel).stem)
    return (Path(rel).parent/stem).as_posix()

def prepare(nb):
    "A processed notebook as a Sphinx page: the front matter as title and summary, directives out, echo:false inputs hidden"
    fm = front_matter(nb)
    cells = [c for c in nb['cells'] if c['cell_type'] != 'raw']
    head = f"# {fm.get('title', 'Untitled')}\n" + (f"\n{fm['description']}\n" if fm.get('description') else '')
    out = [{'cell_type': 'markdown', 'metadata': {}, 'source': head}]
    for c in cells:
        c = dict(c, metadata=dict(c.get('metadata', {})))
        c['metadata'].pop('execution', None)
        if c['cell_type'] == 'code':
            src = ''.join(c['source'])
            dirs = re.findall(r'^#\|\s*(.*)$', src, re.M)
            if any(re.match(r'echo:\s*false', d) for d in dirs): c['metadata']['tags'] = list(c['metadata'].get('tags', [])) + ['remove-input']
            if any(re.match(r'(output|include):\s*false', d) for d in dirs): continue
            c['source'] = re.sub(r'^#\|.*\n?', '', src, flags=re.M)
            if not c['source'].strip() and not c.get('outputs'): continue
        out.append(c)
    return dict(nb, cells=out), fm

CONF = '''
project = 'pani_nb'
html_title = 'pani_nb'
extensions = ['myst_nb', 'sphinx-mathjax-offline']
myst_enable_extensions = ['dollarmath', 'amsmath']
myst_heading_anchors = 4
nb_execution_mode = 'off'
nb_render_markdown_format = 'myst'
nb_output_stderr = 'remove'
html_theme = 'furo'
html_static_path = ['_static']
html_css_files = ['pani.css']
copyright = %r
exclude_patterns = ['_build']
suppress_warnings = ['myst.header', 'myst.xref_missing', 'misc.highlighting_failure', 'mystnb.unknown_mime_type']
'''

# The page's own rules over Furo's: long lines wrap (code comments, `show_doc` signatures whose argument comments run
# past the column); tables size their columns to their content (Furo's table wrapper scrolls what is still too wide);
# every figure spans the column (its size and fonts are chosen for it: `core.PAGE_WIDTH_IN`) and opens full size on a click.
CSS = '''
article pre { white-space: pre-wrap; overflow-wrap: anywhere; }
article table.docutils { width: auto; max-width: 100%; }
article table.docutils th, article table.docutils td { white-space: normal; }
article .cell_output img { width: 100%; height: auto; cursor: zoom-in; }
'''

def copyright_line():
    "The footer's line: the year and the authors of `pyproject.toml`, with its license"
    import datetime
    try: import tomllib
    except ImportError: import tomli as tomllib   # Python 3.10
    proj = tomllib.loads((ROOT/'pyproject.toml').read_text())['project']
    return f"{datetime.date.today().year}, {', '.join(a['name'] for a in proj['authors'])} ({proj['license']} license)"

IMG = re.compile(r'(<div class="cell_output docutils container">\s*)(<img [^>]*src="([^"]+)"[^>]*/>)')

def link_figures(out):
    "Every figure of a notebook's output becomes a link to its image file, so that a click opens it full size"
    for page in Path(out).rglob('*.html'):
        html = page.read_text()
        new = IMG.sub(lambda m: f'{m[1]}<a class="figure-link" href="{m[3]}" target="_blank">{m[2]}</a>', html)
        if new != html: page.write_text(new)

def build(out=ROOT/'_site', proc=True):
    "Process the notebooks and build the site into `out`; returns [(page, title)] in sidebar order"
    if proc:   # nbdev-proc-nbs's processing (`nbdev.serve.proc_nbs`), without its attempt to install Quarto
        subprocess.run([sys.executable, '-c', "from nbdev.serve import proc_nbs; proc_nbs('nbs', n_workers=0)"], cwd=ROOT, check=True)
    src, out = ROOT/'_docs_src', Path(out)
    if src.exists(): shutil.rmtree(src)
    src.mkdir()
    (src/'conf.py').write_text(CONF % copyright_line())
    (src/'_static').mkdir()
    (src/'_static'/'pani.css').write_text(CSS)
    pages, toc = [], []
    for section, rels in sidebar():
        names = []
        for rel in rels:
            p = ROOT/'_proc'/rel
            if not p.exists(): raise FileNotFoundError(f"{rel} is in nbs/sidebar.yml but nbdev-proc-nbs did not produce {p}")
            nb, fm = prepare(json.loads(p.read_text()))
            name = page_name(rel, fm)
            if name == 'index': continue                    # the root page, written below with the table of contents
            (src/name).parent.mkdir(parents=True, exist_ok=True)
            (src/f'{name}.ipynb').write_text(json.dumps(nb))
            names.append(name); pages.append((f'{name}.html', fm.get('title', name)))
        if names: toc.append((section, names))
    nb, fm = prepare(json.loads((ROOT/'_proc'/'index.ipynb').read_text()))
    trees = '\n'.join(f"```{{toctree}}\n:hidden:\n{':caption: ' + s if s else ''}\n:maxdepth: 1\n\n" + '\n'.join(ns) + '\n```\n' for s, ns in toc)
    nb['cells'].append({'cell_type': 'markdown', 'metadata': {}, 'source': trees})
    (src/'index.ipynb').write_text(json.dumps(nb))
    pages.insert(0, ('index.html', fm.get('title', 'pani_nb')))
    if out.exists(): shutil.rmtree(out)
    res = subprocess.run([sys.executable, '-m', 'sphinx', '-b', 'html', '-q', str(src), str(out)], cwd=src, capture_output=True, text=True)
    if res.returncode: raise RuntimeError(f"sphinx-build failed:\n{res.stdout[-3000:]}\n{res.stderr[-5000:]}")
    link_figures(out)
    return pages

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=str(ROOT/'_site'))
    a = ap.parse_args()
    pages = build(a.out)
    print(f"{len(pages)} pages in {a.out}: open {a.out}/index.html")
