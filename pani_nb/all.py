"""Everything a user needs in one import, as fastai does it: `from pani_nb.all import *`.

Hand-written (not exported from a notebook): it re-exports the public names (`__all__`) of every module."""
from .core import *
from .core import default_device, set_seed   # fastai's, which the core notebook re-exports
from .data import *
from .models import *
from .patches import *
from .graph import *
from .interpolate import *
from .callback.ssl import *
from .callback.vat import *
from .callback.mixup import *
from .callback.mixmatch import *
from .distributed import *
