"""Everything a user needs in one import, as fastai does it: `from pani_nb.all import *`.

Hand-written (not exported from a notebook): it imports every module of the package (so a new notebook's module
is included without an edit here, and its `register_method` calls run) and re-exports each module's public
names (`__all__`), except the command line's entry points `main` and `speed_main` (`pani-bench`, `pani-bench speed`), which a
star import should not bind over a user's own `main`."""
import importlib as _importlib, pkgutil as _pkgutil
import pani_nb as _pkg
from .core import default_device, set_seed   # fastai's, which the core notebook re-exports

_SKIP = {'pani_nb.all', 'pani_nb._modidx'}
_NOT_REEXPORTED = {'main', 'speed_main'}
__all__ = ['default_device', 'set_seed']
for _m in sorted(m.name for m in _pkgutil.walk_packages(_pkg.__path__, 'pani_nb.') if m.name not in _SKIP):
    _mod = _importlib.import_module(_m)
    for _name in getattr(_mod, '__all__', []):
        if _name in _NOT_REEXPORTED: continue
        globals()[_name] = getattr(_mod, _name)
        if _name not in __all__: __all__.append(_name)
del _m, _mod, _name
