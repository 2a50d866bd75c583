__version__ = "0.0.1"

import warnings
# fastai decorates a few helpers with `torch.jit.script`, which recent torch deprecates with a FutureWarning at import
warnings.filterwarnings('ignore', message='`torch.jit.script` is deprecated', category=FutureWarning)
