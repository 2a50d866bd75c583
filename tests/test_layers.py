"""The package's layers: no import cycle between `pani_nb`'s modules, a maths layer (patches, graph, interpolate, mix,
adversarial) that imports no fastai, and no module over about 350 lines (`_modidx.py` aside)."""
import subprocess, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
import import_graph

def test_no_import_cycle():
    g = import_graph.library_graph(ROOT/'pani_nb')
    assert 'pani_nb.bench.speed' in g['pani_nb.bench.cli']   # the graph sees the imports
    assert import_graph.cycles(g) == []

def test_a_cycle_is_found(tmp_path):
    pkg = tmp_path/'pkg'; (pkg/'sub').mkdir(parents=True)
    (pkg/'__init__.py').write_text(''); (pkg/'sub'/'__init__.py').write_text('from .b import f\n')
    (pkg/'a.py').write_text('def g():\n    from pkg.sub import b   # a lazy import is an edge too\n')
    (pkg/'sub'/'b.py').write_text('from ..a import g\n')
    assert import_graph.cycles(import_graph.graph(pkg)) == [('pkg.a', 'pkg.sub', 'pkg.sub.b'), ('pkg.a', 'pkg.sub.b')]   # through the package's __init__, and directly

def test_maths_layer_imports_no_fastai():
    code = ("import sys, pani_nb.patches, pani_nb.graph, pani_nb.interpolate, pani_nb.mix, pani_nb.adversarial; "
            "bad = [m for m in sys.modules if m.startswith('fastai')]; assert not bad, bad")
    subprocess.run([sys.executable, '-c', code], check=True, cwd=ROOT)

def test_modules_are_short():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT/'pani_nb').rglob('*.py') if p.name != '_modidx.py'
            and (n := len(p.read_text().splitlines())) > 355}   # about 350
    assert not long, f"modules over 350 lines (split them, one idea per module): {long}"
