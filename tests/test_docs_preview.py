"""The docs preview, opened in headless Chromium: the index lists every notebook of the sidebar, the API section
of `PaniMixUp` is rendered, and a figure is displayed (an `<img>` with a non-zero natural size).

Chromium is Debian's `chromium` package (`.ci/run` installs it). Without it the test is skipped, unless
`PANI_NB_REQUIRE_CHROMIUM=1` (set by CI), where a missing browser is a failure."""
import json, os, re, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
import docs_preview

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')

# A page that loads another page of the preview in an iframe and writes what the browser rendered into
# <pre id="result">: link texts and targets, element ids, and the natural sizes of the images.
PROBE = """<!doctype html><html><body><iframe id="f" src="%s" width="1200" height="900"></iframe><pre id="result">pending</pre>
<script>
document.getElementById('f').addEventListener('load', () => {
  const d = document.getElementById('f').contentDocument;
  const imgs = [...d.images].map(i => [i.naturalWidth, i.naturalHeight, i.complete]);
  const links = [...d.querySelectorAll('a')].map(a => [a.textContent.trim(), a.getAttribute('href')]);
  const ids = [...d.querySelectorAll('[id]')].map(e => e.id);
  const heads = [...d.querySelectorAll('h1,h2,h3,h4')].map(h => h.textContent.trim());
  document.getElementById('result').textContent = JSON.stringify({imgs, links, ids, heads});
});
</script></body></html>"""

def render(folder, page):
    "What Chromium rendered of `page` (a file in `folder`), as a dict"
    probe = Path(folder)/f'_probe_{Path(page).stem}.html'
    probe.write_text(PROBE % page)
    res = subprocess.run([CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                          '--disable-component-update', '--disable-sync', '--no-first-run', '--allow-file-access-from-files',
                          '--virtual-time-budget=15000', '--dump-dom', probe.as_uri()],
                         capture_output=True, text=True, timeout=180)
    m = re.search(r'<pre id="result">(.*?)</pre>', res.stdout, re.S)
    assert m and m.group(1) != 'pending', f"Chromium did not render {page}:\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}"
    return json.loads(m.group(1).replace('&amp;', '&').replace('&lt;', '<').replace('&gt;', '>').replace('&quot;', '"'))

@pytest.fixture(scope='module')
def preview(tmp_path_factory):
    if CHROMIUM is None:
        if os.environ.get('PANI_NB_REQUIRE_CHROMIUM') == '1': pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    out = tmp_path_factory.mktemp('docs')/'_docs_preview'
    return out, docs_preview.build(out)

def test_sidebar_order_lists_every_notebook():
    listed = set(docs_preview.sidebar_order())
    on_disk = {p.relative_to(ROOT/'nbs').as_posix() for p in (ROOT/'nbs').rglob('*.ipynb')
               if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_')}
    assert listed == on_disk, f"in sidebar.yml but not on disk: {listed - on_disk}; on disk but not in sidebar.yml: {on_disk - listed}"

def test_index_lists_every_notebook(preview):
    out, pages = preview
    dom = render(out, 'index.html')
    hrefs = [h for _, h in dom['links']]
    assert hrefs == [p for p, _ in pages] and len(hrefs) == len(docs_preview.sidebar_order())
    assert all(text for text, _ in dom['links'])

def test_api_section_of_panimixup(preview):
    out, _ = preview
    dom = render(out, 'callback.mixup.html')
    assert any(h.startswith('PaniMixUp') for h in dom['heads']), dom['heads']
    assert any(i.lower() == 'panimixup' for i in dom['ids']), [i for i in dom['ids'] if 'mix' in i.lower()]

def test_figure_displayed(preview):
    out, _ = preview
    tut = sorted(out.glob('tutorials/*.html'))
    page = tut[0].relative_to(out).as_posix() if tut else 'callback.mixup.html'   # a tutorial's figure once they exist
    dom = render(out, page)
    assert any(w > 0 and h > 0 for w, h, done in dom['imgs']), (page, dom['imgs'])

def test_every_public_name_has_an_api_section(preview):
    "Each name in a module's `__all__` has its `show_doc` section, with the anchor nbdev links to, in the rendered page"
    import importlib
    from pani_nb._modidx import d
    out, _ = preview
    ids, missing = {}, []
    for mod, syms in d['syms'].items():
        public = set(getattr(importlib.import_module(mod), '__all__', []))
        for sym, (url, _) in syms.items():
            name = sym[len(mod) + 1:]
            if name not in public: continue
            page, anchor = url.split('#')
            if page not in ids: ids[page] = {i.lower() for i in render(out, page)['ids']}   # Quarto's anchors are lowercase
            if anchor not in ids[page]: missing.append(f'{mod}.{name} ({url})')
    assert not missing, f"public names without an API section in the preview: {missing}"
