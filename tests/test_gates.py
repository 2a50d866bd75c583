"""`p` and `off_epoch` on the semi-supervised regularizers (issue 33): a plain batch trains exactly as without the callback,
the fraction of regularized batches follows `p`, and `off_epoch` switches the regularizer off from that epoch on.
The mixing callbacks' gates are tested in `nbs/23_callback.mixup.ipynb`, the gate itself in `nbs/20_callback.core.ipynb`."""
import random
import pytest, torch
from fastai.callback.core import Callback
from fastai.learner import Learner
import fastai.callback.progress  # noqa: F401  (Learner.no_bar)
from pani_nb.core import set_seed, default_device
from pani_nb.data import load_digits_arrays, ssl_dls
from pani_nb.models import SmallCNN
from pani_nb.callback.vat import VAT, PaniVAT
from pani_nb.callback.mixmatch import MixMatch, PaniMixMatch, CropFlip

DATA = load_digits_arrays()
MAKERS = {
    'vat': lambda udl, **g: VAT(eps=1.0, udl=udl, **g),
    'pani_vat': lambda udl, **g: PaniVAT(eps=1.0, n_peers=3, patch_size=2, k=4, udl=udl, **g),
    'mixmatch': lambda udl, **g: MixMatch(udl=udl, ema=None, augment=CropFlip(flip=False), **g),
    'pani_mixmatch': lambda udl, **g: PaniMixMatch(patch_size=2, k=2, udl=udl, ema=None, augment=CropFlip(flip=False), **g),
}

class Trace(Callback):
    "After the regularizer's events: per training batch, (epoch, regularized, input shape, loss, the Learner's own loss on its batch)"
    order = 60
    def __init__(self, reg): self.reg, self.log = reg, []
    def after_loss(self):
        if not self.training: return
        plain = self.reg._swapped.get('loss_func', self.learn.loss_func)
        own = plain(self.learn.pred, *self.learn.yb) if not self.reg.regularizing else None
        self.log.append((self.epoch, bool(self.reg.regularizing), tuple(self.learn.xb[0].shape), self.learn.loss.item(),
                         None if own is None else own.item()))

def fit(cbs, epochs=1, seed=0, n_labeled=200):
    set_seed(seed)
    dls, udl = ssl_dls(DATA, n_labeled, bs=32, device=default_device())
    learn = Learner(dls, SmallCNN(1, 10, width=8), cbs=cbs)
    set_seed(seed + 1)
    with learn.no_bar(), learn.no_logging(): learn.fit(epochs, 1e-3)
    return learn, udl

def weights(learn): return torch.cat([p.detach().flatten() for p in learn.model.parameters()])


@pytest.mark.parametrize('name', list(MAKERS))
def test_p0_trains_as_without(name):
    "p = 0: every batch is the labeled batch, its loss the Learner's, no unlabeled batch is drawn, and the weights end equal"
    set_seed(0)
    _, udl = ssl_dls(DATA, 200, bs=32, device=default_device())
    reg = MAKERS[name](udl, p=0.0)
    trace = Trace(reg)
    learn, _ = fit([reg, trace])
    assert trace.log and all(not r for _, r, *_ in trace.log)
    assert all(shape[0] <= 32 for _, _, shape, *_ in trace.log)                 # the labeled batch only
    for *_, loss, own in trace.log: assert loss == pytest.approx(own, abs=0)    # the plain loss, exactly
    plain, _ = fit([])
    assert torch.equal(weights(learn), weights(plain))                        # trained exactly as without the callback

@pytest.mark.parametrize('name', list(MAKERS))
def test_p_fraction_and_off_epoch(name):
    set_seed(0)
    _, udl = ssl_dls(DATA, 200, bs=32, device=default_device())
    reg = MAKERS[name](udl, p=0.5, off_epoch=1)
    trace = Trace(reg)
    fit([reg, trace], epochs=2)
    first = [r for e, r, *_ in trace.log if e == 0]
    assert not any(r for e, r, *_ in trace.log if e == 1)                    # off from epoch 1
    # 6 batches in epoch 0: the number regularized is Binomial(6, 0.5); the seeded draw gives some of each
    assert 0 < sum(first) < len(first), first
    big = [s for e, r, s, *_ in trace.log if r]
    if name in ('vat', 'pani_vat'): assert all(s[0] == 64 for s in big)       # labeled + unlabeled
    else: assert all(s[0] == 32 * 3 for s in big)                             # labeled + K = 2 augmentations of the unlabeled

def test_fraction_matches_p():
    "The regularized fraction over many batches: within 4 standard deviations of p (a cheap VAT on a linear model)"
    from fastai.data.core import DataLoaders
    from fastai.data.load import DataLoader
    set_seed(0)
    x, y = torch.randn(2000, 1, 4, 4), torch.randint(0, 3, (2000,))
    dl = DataLoader(list(zip(x, y)), bs=4, shuffle=True)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 3))
    reg = VAT(eps=0.1, p=0.3)
    trace = Trace(reg)
    learn = Learner(DataLoaders(dl, dl), model, loss_func=torch.nn.CrossEntropyLoss(), cbs=[reg, trace])
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
    n, k = len(trace.log), sum(r for _, r, *_ in trace.log)
    assert n == 500 and abs(k - 0.3 * n) < 4 * (n * 0.3 * 0.7) ** 0.5, (k, n)

def test_gather_peers_needs_p1():
    for make in (lambda: PaniVAT(p=0.5, gather_peers=True), lambda: MixMatch(p=0.5, gather_peers=True)):
        with pytest.raises(ValueError, match='every process must regularize the same batches'): make()
    with pytest.raises(ValueError, match='`p` must be'): VAT(p=2.0)
    with pytest.raises(ValueError, match='`off_epoch` must be'): MixMatch(off_epoch=-1)
