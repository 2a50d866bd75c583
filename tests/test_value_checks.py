"""When the tensor functions' value checks run under the callbacks (`core.value_checks`): on the first training batch
of each fit, on every batch with `debug=True`, never in validation; and a training step without them gives the same
result as with them (the checks only read)."""
import pytest, torch
from fastai.learner import Learner
import fastai.callback.progress   # Learner.no_bar
from fastai.callback.core import Callback, CancelFitException
from fastcore.test import test_fail as fails   # (not `test_*`: pytest would collect it)
from pani_nb.core import set_seed
from pani_nb.data import load_digits_arrays, ssl_dls
from pani_nb.callback.vat import PaniVAT
from pani_nb import core
from pani_nb.data import digits_dls
from pani_nb.models import SmallCNN
import pani_nb.callback.mixup as mixup_mod
from pani_nb.callback.mixup import PaniMixUp

def fit_and_record(monkeypatch, debug, epochs=1):
    "Fit a Pani MixUp learner on the digits; the value-check setting seen at each `pani_mix` call"
    seen, real = [], mixup_mod.pani_mix
    monkeypatch.setattr(mixup_mod, 'pani_mix', lambda *a, **k: (seen.append(core.value_checks_on()), real(*a, **k))[1])
    dls = digits_dls(bs=32)
    cb = PaniMixUp(patch_size=4, k=2); cb.debug = debug
    learn = Learner(dls, SmallCNN(1, 10), cbs=cb)
    with learn.no_bar(), learn.no_logging(): learn.fit(epochs)
    return seen

def test_first_batch_only(monkeypatch):
    seen = fit_and_record(monkeypatch, debug=False, epochs=2)
    assert len(seen) > 40 and seen == [True] + [False] * (len(seen) - 1)   # the first batch of the fit, not of each epoch

def test_debug_every_batch(monkeypatch):
    seen = fit_and_record(monkeypatch, debug=True)
    assert len(seen) > 20 and all(seen)

def test_off_stays_off(monkeypatch):
    "A user who turned the checks off keeps them off, even on the first batch"
    with core.value_checks(False): seen = fit_and_record(monkeypatch, debug=True)
    assert len(seen) > 20 and not any(seen)
    assert core.value_checks_on()

class NoHostReads(Callback):
    """From the second training batch on, every conversion of a tensor to a Python value (what synchronizes with the
    host on a GPU) raises, from `before_batch` to `after_step`; stops the fit after `n` batches"""
    order = -20
    READS = ('__bool__', '__int__', '__float__', '__index__', 'item', 'tolist', 'nonzero')
    def __init__(self, n=4): self.n, self.saved = n, {}
    def before_fit(self): self.i = 0
    def before_batch(self):
        if not self.training or self.i == 0: return
        for name in self.READS:
            self.saved[name] = getattr(torch.Tensor, name)
            def read(*a, _name=name, **k): raise AssertionError(f"a host read (`Tensor.{_name}`) in training batch {self.i}")
            setattr(torch.Tensor, name, read)
    def _put_back(self):
        for name, f in self.saved.items(): setattr(torch.Tensor, name, f)
        self.saved = {}
    def after_step(self): self._put_back()
    def after_batch(self):
        self._put_back()
        if self.training:
            self.i += 1
            if self.i >= self.n: raise CancelFitException()
    def after_fit(self): self._put_back()

@pytest.mark.parametrize('method', ['pani_mixup', 'pani_mixup_hidden', 'pani_vat', 'pani_vat_hidden'])
def test_no_host_read_after_the_first_batch(method):
    """The Pani part of a training step reads no tensor value on the host once the first batch's value checks are done
    (on a GPU each read would stall the pipeline; `tools/gpu_check.sh` checks the same with CUDA's sync debug mode).
    fastai's own loop reads none either with its progress bar and logging off."""
    set_seed(0)
    if method.startswith('pani_mixup'):
        cb = PaniMixUp(patch_size=4, k=2, layers='block1' if method.endswith('hidden') else None)
        learn = Learner(digits_dls(bs=32), SmallCNN(1, 10), cbs=[cb, NoHostReads()])
    else:
        dls, udl = ssl_dls(load_digits_arrays(), n_labeled=100, bs=32, unlabeled_bs=64)
        layers = {'input': dict(patch_size=2, k=5)} | ({'pool1': dict(patch_size=2, k=5, m=0.5)} if method.endswith('hidden') else {})
        learn = Learner(dls, SmallCNN(1, 10), cbs=[PaniVAT(n_peers=5, udl=udl, layers=layers), NoHostReads()])
    guard = learn.cbs[-1]
    try:
        with learn.no_bar(), learn.no_logging(): learn.fit(2)                  # (100 labels: 3 batches an epoch)
    finally: guard._put_back()                                                  # a failed fit runs no `after_*`: never leak the guard
    assert guard.i == guard.n                                                   # the guarded batches did run

def test_the_guard_catches_a_read():
    "The guard itself: a callback that reads a value in a step fails the fit"
    class Reads(Callback):
        def after_pred(self):
            if self.training: bool(self.pred.sum() > 0)
    guard = NoHostReads()
    learn = Learner(digits_dls(bs=32), SmallCNN(1, 10), cbs=[Reads(), guard])
    try:
        with learn.no_bar(), learn.no_logging(): fails(lambda: learn.fit(1), contains='a host read (`Tensor.__bool__`) in training batch 1')
    finally: guard._put_back()
    assert torch.Tensor.__bool__ is not None and bool(torch.tensor(True))       # the reads work again afterwards
