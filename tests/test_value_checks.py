"""When the tensor functions' value checks run under the callbacks (`core.value_checks`): on the first training batch
of each fit, on every batch with `debug=True`, never in validation; and a training step without them gives the same
result as with them (the checks only read)."""
import pytest, torch
from fastai.learner import Learner
import fastai.callback.progress   # Learner.no_bar
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
