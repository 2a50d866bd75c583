"""Patch-level Neighborhood Interpolation (Pani): Pani VAT, Pani MixUp and Pani MixMatch as fastai callbacks

Modules:

- `pani_nb.all`: Everything a user needs in one import, as fastai does it: `from pani_nb.all import *`."""

__version__ = "0.0.1"

import warnings
# fastai decorates a few helpers with `torch.jit.script`, which recent torch deprecates with a FutureWarning at import
warnings.filterwarnings('ignore', message='`torch.jit.script` is deprecated', category=FutureWarning)
