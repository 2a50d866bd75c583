"""`from pani_nb.all import *`: every public name of every module, each bound to its own module's object, and no
command-line entry point (`main`, `speed_main` of `pani_nb.bench.cli`), which would shadow a user's own `main`."""
import importlib, inspect, pkgutil
import pani_nb

def test_star_import():
    ns = {}
    exec('from pani_nb.all import *', ns)
    assert 'main' not in ns and 'speed_main' not in ns
    seen = {}
    for m in pkgutil.walk_packages(pani_nb.__path__, 'pani_nb.'):
        if m.name in ('pani_nb.all', 'pani_nb._modidx'): continue
        mod = importlib.import_module(m.name)
        for name in getattr(mod, '__all__', []):
            if name in ('main', 'speed_main'): continue
            assert name in ns, (m.name, name)
            obj = getattr(mod, name)
            if name in seen: assert seen[name] is obj, f"{name} is exported by {seen[name + ' from']} and {m.name} as different objects"
            seen[name], seen[name + ' from'] = obj, m.name
            assert ns[name] is obj, (m.name, name)

def _public_callables():
    for m in pkgutil.walk_packages(pani_nb.__path__, 'pani_nb.'):
        if m.name in ('pani_nb.all', 'pani_nb._modidx'): continue
        mod = importlib.import_module(m.name)
        for name in getattr(mod, '__all__', []):
            obj = getattr(mod, name)
            if inspect.isclass(obj): yield from ((f'{m.name}.{name}.{k}', v) for k, v in vars(obj).items() if inspect.isfunction(v))
            elif inspect.isfunction(obj): yield f'{m.name}.{name}', obj

def test_signatures_have_real_types():
    "Every public signature's annotations evaluate in its module (the docs' `show_doc` evaluates them), and no argument that takes None lacks one (the docs would call its type `NoneType`)"
    for name, f in _public_callables():
        sig = inspect.signature(f, eval_str=True)
        bare = [p.name for p in sig.parameters.values() if p.default is None and p.annotation is inspect.Parameter.empty]
        assert not bare, f"{name}: give {bare} their types (e.g. `x:int|None=None`)"
