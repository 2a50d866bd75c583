"""The offline docs site (`tools/build_docs.py`), built from the processed notebooks and opened in headless
Chromium as a reader would: every page has the sidebar with every entry of `nbs/sidebar.yml` and previous/next
links; no raw LaTeX, front matter or warning is visible; every equation is rendered with a non-zero size; every
image loads; every public name has its API section. A screenshot of the Pani MixUp page is kept in the test's
temporary folder (printed with `-s`). The GitHub workflows (nbdev's test and Quarto deploy) are valid YAML.

Chromium is Debian's `chromium` package (`.ci/run` installs it). Without it the browser tests are skipped, unless
`PANI_NB_REQUIRE_CHROMIUM=1` (set by CI), where a missing browser is a failure."""
import importlib, json, os, re, shutil, subprocess, sys
from pathlib import Path
import pytest, yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
import build_docs

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--allow-file-access-from-files']

# Loads every page in turn in an iframe, waits for MathJax, and writes what the browser rendered into <pre id="result">
PROBE = """<!doctype html><html><body><iframe id="f" width="1300" height="1000"></iframe><pre id="result">pending</pre>
<script>
const pages = %s, results = {}, f = document.getElementById('f');
const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
async function run() {
  for (const p of pages) {
    await new Promise(res => { f.onload = res; f.src = p; });
    const w = f.contentWindow, d = f.contentDocument;
    if (w.MathJax && w.MathJax.startup) { try { await w.MathJax.startup.promise; } catch (e) {} }
    await new Promise(r => setTimeout(r, 300));
    results[p] = {
      text: d.body.innerText,
      sidebar: [...d.querySelectorAll('.sidebar-tree a.reference')].map(a => a.textContent.trim()),
      brand: [...d.querySelectorAll('a.sidebar-brand')].map(a => a.getAttribute('href')),
      next: [...d.querySelectorAll('a.next-page')].map(a => a.getAttribute('href')),
      prev: [...d.querySelectorAll('a.prev-page')].map(a => a.getAttribute('href')),
      search: d.querySelectorAll('form.sidebar-search-container input').length,
      math: [...d.querySelectorAll('mjx-container')].map(box),
      raw_math: d.querySelectorAll('.math:not(:has(mjx-container))').length,
      imgs: [...d.images].map(i => [i.getAttribute('src').slice(0, 60), i.naturalWidth, i.naturalHeight, i.complete]),
      ids: [...d.querySelectorAll('[id]')].map(e => e.id),
      heads: [...d.querySelectorAll('h1')].map(h => h.textContent.replace('¶', '').trim()),
    };
  }
  document.getElementById('result').textContent = JSON.stringify(results);
}
run();
</script></body></html>"""

def chromium(*args, timeout=300):
    return subprocess.run([CHROMIUM, *FLAGS, *args], capture_output=True, text=True, timeout=timeout)

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    if CHROMIUM is None:
        if os.environ.get('PANI_NB_REQUIRE_CHROMIUM') == '1': pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    out = tmp_path_factory.mktemp('docs')/'_site'
    pages = build_docs.build(out)
    probe = out/'_probe.html'
    probe.write_text(PROBE % json.dumps([p for p, _ in pages]))
    res = chromium('--virtual-time-budget=180000', '--dump-dom', probe.as_uri(), timeout=600)
    m = re.search(r'<pre id="result">(.*?)</pre>', res.stdout, re.S)
    assert m and m.group(1) != 'pending', f"Chromium did not render the site:\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}"
    dom = json.loads(m.group(1).replace('&amp;', '&').replace('&lt;', '<').replace('&gt;', '>').replace('&quot;', '"'))
    return out, pages, dom

def test_sidebar_yml_lists_every_notebook():
    listed = {rel for _, rels in build_docs.sidebar() for rel in rels}
    on_disk = {p.relative_to(ROOT/'nbs').as_posix() for p in (ROOT/'nbs').rglob('*.ipynb')
               if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_')}
    assert listed == on_disk, f"in sidebar.yml but not on disk: {listed - on_disk}; on disk but not in sidebar.yml: {on_disk - listed}"

def test_every_page_has_the_sidebar_and_navigation(site):
    out, pages, dom = site
    titles = [t for p, t in pages if p != 'index.html']
    assert len(pages) == sum(len(rels) for _, rels in build_docs.sidebar())
    for i, (page, _) in enumerate(pages):
        d = dom[page]
        assert d['sidebar'] == titles, (page, d['sidebar'])            # every sidebar entry, in order, on every page
        assert d['search'] >= 1, page                                  # the search box
        assert d['next'] or i == len(pages) - 1, page                  # previous / next links
        assert d['prev'] or i == 0, page

def test_no_raw_latex_front_matter_or_warning(site):
    _, pages, dom = site
    for page, _ in pages:
        text = dom[page]['text']
        for bad in ('$$', '\\tilde', '\\sum', '---\ndescription', 'output-file:'):
            assert bad not in text, (page, bad, text[max(0, text.find(bad) - 200): text.find(bad) + 200])
        assert not re.search(r'Warning', text), (page, text[max(0, text.find('Warning') - 300): text.find('Warning') + 100])
        assert 'In [' not in text, page                                 # no notebook prompts

def test_equations_are_rendered(site):
    _, pages, dom = site
    n = 0
    for page, _ in pages:
        d = dom[page]
        assert d['raw_math'] == 0, (page, 'unrendered maths')
        assert all(w > 0 and h > 0 for w, h in d['math']), (page, d['math'])
        n += len(d['math'])
    assert n > 50 and len(dom['callback.mixup.html']['math']) > 3 and len(dom['index.html']['math']) >= 1

def test_every_image_loads(site):
    _, pages, dom = site
    imgs = [(page, i) for page, _ in pages for i in dom[page]['imgs']]
    assert len(imgs) > 5
    for page, (src, w, h, done) in imgs: assert done and w > 0 and h > 0, (page, src)

def test_titles_from_front_matter(site):
    _, pages, dom = site
    for page, title in pages: assert dom[page]['heads'][:1] == [title], (page, dom[page]['heads'])

def test_every_public_name_has_an_api_section(site):
    "Each name in a module's `__all__` has its `show_doc` section, with the anchor nbdev links to, on its page"
    from pani_nb._modidx import d as modidx
    _, _, dom = site
    missing = []
    for mod, syms in modidx['syms'].items():
        public = set(getattr(importlib.import_module(mod), '__all__', []))
        for sym, (url, _) in syms.items():
            name = sym[len(mod) + 1:]
            if name not in public: continue
            page, anchor = url.split('#')
            if anchor not in {i.lower() for i in dom.get(page, {}).get('ids', [])}: missing.append(f'{mod}.{name} ({url})')
    assert not missing, f"public names without an API section on the site: {missing}"

def test_screenshot_of_the_pani_mixup_page(site, tmp_path_factory):
    out, _, _ = site
    shot = tmp_path_factory.mktemp('artifacts')/'callback.mixup.png'
    chromium('--window-size=1300,1600', '--virtual-time-budget=20000', f'--screenshot={shot}', (out/'callback.mixup.html').as_uri())
    assert shot.exists() and shot.stat().st_size > 50_000, shot
    print(f'screenshot of the Pani MixUp page: {shot}')

@pytest.mark.parametrize('wf', ['test.yaml', 'deploy.yaml'])
def test_github_workflows(wf):
    "nbdev 3's workflows: valid YAML, triggered on pushes, one job that uses nbdev's reusable action"
    y = yaml.safe_load((ROOT/'.github'/'workflows'/wf).read_text())
    on = y.get('on', y.get(True))                                       # YAML 1.1 reads a bare `on` as True
    assert on and 'workflow_dispatch' in on and 'push' in on
    (job,) = y['jobs'].values()
    uses = [s['uses'] for s in job['steps']]
    assert job['runs-on'] == 'ubuntu-latest'
    assert uses == [{'test.yaml': 'AnswerDotAI/workflows/nbdev3-ci@main', 'deploy.yaml': 'AnswerDotAI/workflows/quarto-ghp3@main'}[wf]]
    if wf == 'deploy.yaml': assert y['permissions'] == {'contents': 'write', 'pages': 'write'}
