"""The offline docs site (`tools/build_docs.py`), built from the processed notebooks and opened in headless
Chromium as a reader would: every page has the sidebar with every entry of `nbs/sidebar.yml` and previous/next
links; no raw LaTeX, front matter or warning is visible; every equation is rendered with a non-zero size and fits the column; every
image loads, fills the column, opens full size and was drawn for that width; nothing is wider than its column
without a scrollbar; no signature says `NoneType`; the footer names the authors; every callback shows a usage
example with its output; every public name has its API section. A screenshot of the Pani MixUp page (Furo's grey sidebar and the article's text visible in it) is kept in the test's
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
// What a reader of the page sees of wide content, figures, display equations and the footer
function layout(d, w) {
  const art = d.querySelector('article'), a = art.getBoundingClientRect();
  const scrolls = e => { const o = w.getComputedStyle(e).overflowX; return o === 'auto' || o === 'scroll'; };
  const name = e => e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? '.' + e.className.split(' ')[0] : '');
  const wide = [];                 // elements past the column's right edge with no scrolling box around them, or clipped
  for (const e of art.querySelectorAll('*')) {
    if (e.closest('mjx-container') && e.tagName !== 'MJX-CONTAINER') continue;
    const r = e.getBoundingClientRect(), st = w.getComputedStyle(e);
    if (!r.width || st.visibility === 'hidden') continue;
    let s = e.parentElement, boxed = false;
    while (s && s !== art) { if (scrolls(s)) { boxed = true; break; } s = s.parentElement; }
    if (!boxed && r.right > a.right + 2) wide.push([name(e), Math.round(r.right - a.right), (e.textContent || '').trim().slice(0, 60)]);
    if (/hidden|clip/.test(st.overflowX) && e.scrollWidth > e.clientWidth + 2 && !e.closest('.sig'))
      wide.push([name(e) + ' (clipped)', e.scrollWidth - e.clientWidth, (e.textContent || '').trim().slice(0, 60)]);
  }
  const eqs = [...art.querySelectorAll('mjx-container[display="true"]')].map(c => {
    const r = c.getBoundingClientRect(), m = c.querySelector('mjx-math').getBoundingClientRect();
    const glyphs = [...c.querySelectorAll('mjx-c')], last = glyphs.length ? glyphs[glyphs.length - 1].getBoundingClientRect() : m;
    return [Math.round(m.left - a.left), Math.round(m.right - a.right), Math.round(last.right - r.right), Math.round(m.right - r.right), c.textContent.slice(-40)];
  });
  const figs = [...art.querySelectorAll('.cell_output img')].map(i => [i.getAttribute('src'), Math.round(i.getBoundingClientRect().width),
                                                                    !!i.closest('a[href]')]);
  const foot = d.querySelector('footer .copyright');
  const tables = [...art.querySelectorAll('table')].map(t => [...t.querySelectorAll('thead th')].map(th => [th.textContent.trim(), Math.round(th.getBoundingClientRect().width)]));
  return {col: Math.round(a.width), wide, eqs, figs, tables, footer: foot ? foot.textContent.trim() : ''};
}
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
      ...layout(d, w),
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

def test_a_new_notebook_joins_its_section_with_no_edit(tmp_path):
    "A new `2*` notebook is in the Callbacks section, in file-name order, from the globs of the real sidebar.yml"
    import shutil
    shutil.copy(ROOT/'nbs'/'sidebar.yml', tmp_path/'sidebar.yml')
    for rel in ['index.ipynb', '00_core.ipynb', '20_callback.core.ipynb', '20a_callback.registry.ipynb', '24_callback.mixmatch.ipynb',
                '25_callback.cutmix.ipynb', '30_bench.ipynb', 'tutorials/index.ipynb', 'tutorials/2x_not_numbered.ipynb']:
        (tmp_path/rel).parent.mkdir(exist_ok=True); (tmp_path/rel).write_text('{}')
    got = dict(build_docs.sidebar(tmp_path/'sidebar.yml'))
    assert got['Callbacks'] == ['20_callback.core.ipynb', '20a_callback.registry.ipynb', '24_callback.mixmatch.ipynb', '25_callback.cutmix.ipynb']
    assert got['Foundations'] == ['00_core.ipynb'] and got['Experiments'] == ['30_bench.ipynb'] and got[None] == ['index.ipynb']

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

TOL = 10   # px: Furo's own heading anchors and table frames reach a few pixels past the column

def test_nothing_wider_than_its_column(site):
    "Every element ends inside the article's column, or sits in a box that scrolls; nothing is clipped"
    _, pages, dom = site
    bad = {page: [w for w in dom[page]['wide'] if w[1] > TOL] for page, _ in pages}
    assert not any(bad.values()), {p: w for p, w in bad.items() if w}

def test_display_equations_fit_the_page(site):
    "Each display equation's rendered box lies inside the column and holds its last symbol (none is cut or needs a scrollbar)"
    _, pages, dom = site
    n = 0
    for page, _ in pages:
        for left, right, last, inner, tail in dom[page]['eqs']:
            n += 1
            assert left >= -2 and right <= 2 and last <= 2 and inner <= 2, (page, tail, dict(left=left, right=right, last=last, inner=inner))
    assert n > 10

def test_figures_fill_the_column_readably_and_open_full_size(site):
    "Each figure spans the column, links to its file, and was drawn at most `core.PAGE_WIDTH_IN` (+ a margin) wide, so its 10 pt text shows at >= 9 px"
    from PIL import Image
    from pani_nb.core import PAGE_WIDTH_IN
    out, pages, dom = site
    n = 0
    for page, _ in pages:
        d = dom[page]
        for src, width, linked in d['figs']:
            n += 1
            assert width >= d['col'] - 40 and linked, (page, src, width, d['col'], linked)
        for src, _, _ in d['figs']:
            im = Image.open(out/Path(page).parent/src)
            dpi = im.info.get('dpi', (None,))[0]
            assert dpi, (page, src, 'no dpi recorded: draw figures with matplotlib')
            inches = im.size[0] / dpi
            assert inches <= PAGE_WIDTH_IN + 0.5, (page, src, f'{inches:.1f} in wide: at {d["col"]} px its 10 pt text shows at {10 / 72 * d["col"] / inches:.1f} px')
            assert 10 / 72 * d['col'] / inches >= 9
    assert n > 10

def test_signatures_name_real_types(site):
    _, pages, dom = site
    for page, _ in pages:
        t = dom[page]['text']
        assert 'NoneType' not in t, (page, t[max(0, t.find('NoneType') - 200): t.find('NoneType') + 50])

def test_footer_says_whose(site):
    _, pages, dom = site
    for page, _ in pages: assert re.fullmatch(r'Copyright © \d{4}, \S.*', dom[page]['footer']), (page, dom[page]['footer'])

def test_layout_table_gives_room_to_what(site):
    "The index's Layout table sizes its columns to their content: the descriptions get most of the width"
    _, _, dom = site
    (cols,) = [t for t in dom['index.html']['tables'] if [c for c, _ in t] == ['notebook', 'what']]
    widths = dict(cols)
    assert widths['what'] >= 0.5 * sum(widths.values()), widths

@pytest.mark.parametrize('page,cls', [('callback.vat.html', 'VAT'), ('callback.vat.html', 'PaniVAT'), ('callback.mixup.html', 'PaniMixUp'),
                                      ('callback.mixmatch.html', 'MixMatch'), ('callback.mixmatch.html', 'PaniMixMatch')])
def test_callback_pages_show_usage(site, page, cls):
    "A usage example with its training output right under each callback's class"
    _, _, dom = site
    t = dom[page]['text']
    i = t.find(f'cbs={cls}(')
    assert i > 0 and 'Usage.' in t[max(0, i - 2000):i], (page, cls)
    assert 'train_loss' in t[i:i + 3000], (page, cls, t[i:i + 600])    # fastai's table of the epochs

def test_five_minute_tutorial_shows_its_training(site):
    _, _, dom = site
    t = dom['tutorials/pani_mixup_in_5_minutes.html']['text']
    i = t.find('learn.fit_one_cycle(4, 1e-2)')
    assert i > 0 and 'train_loss' in t[i:i + 1500] and 'accuracy' in t[i:i + 1500], t[i:i + 600]

def test_screenshot_of_the_pani_mixup_page(site, tmp_path_factory):
    out, _, _ = site
    shot = tmp_path_factory.mktemp('artifacts')/'callback.mixup.png'
    chromium('--window-size=1300,1600', '--virtual-time-budget=20000', f'--screenshot={shot}', (out/'callback.mixup.html').as_uri())
    assert shot.exists(), shot
    from PIL import Image
    im = Image.open(shot).convert('L')
    w, h = im.size
    side, body = im.crop((0, 0, int(0.2 * w), h)), im.crop((int(0.3 * w), 0, int(0.7 * w), h))
    mean = lambda img: sum(i * c for i, c in enumerate(img.histogram())) / (img.size[0] * img.size[1])
    dark = lambda img: sum(img.histogram()[:128]) / (img.size[0] * img.size[1])
    assert 235 <= mean(side) < 252, mean(side)      # Furo's grey sidebar is there (an unstyled page is white)
    assert dark(body) > 0.02, dark(body)            # the article shows text (a blank or failed page does not)
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
