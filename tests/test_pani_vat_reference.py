"""Pani VAT computes what it computed before its speed work: on fixed inputs (a seeded SmallCNN, 16 labeled + 32
unlabeled digits), the semantic peers, every layer's patch graph, the adversarial coefficients and the KL equal those
of the implementation of commit a1c7f52, saved in `tests/fixtures/pani_vat_a1c7f52.pt` (input only, and input +
a hidden layer). Peers and graphs must be identical; coefficients and KL equal to float32 rounding.

The digits' input graph (16 patches per image, 160 candidates) is below the size where `fast_topk` replays torch's
top-k (64 k <= K1 P), so a second test runs the same step on the digits enlarged to 32x32 (256 patches, 2,560
candidates, ties everywhere) and checks that the compiled top-k gives the very graph, coefficients and KL that
`torch.topk` gives (inside `torch_topk()`)."""
from pathlib import Path
import pytest, torch
from fastai.learner import Learner
from pani_nb.data import load_digits_arrays, ssl_dls
from pani_nb.models import SmallCNN
from pani_nb.callback.vat import PaniVAT
from pani_nb import topk
from pani_nb.topk import torch_topk

FIXTURE = torch.load(Path(__file__).parent/'fixtures'/'pani_vat_a1c7f52.pt', weights_only=False)

@pytest.mark.parametrize('case', ['input', 'hidden'])
def test_same_graph_and_perturbation(case):
    ref = FIXTURE[case]
    cb = pani_vat_step(FIXTURE['x'], ref['layers'])
    assert torch.equal(cb.peers, ref['peers'].long())
    for name, (img, idx) in ref['graph'].items():
        assert torch.equal(cb.graph[name][0], img.long()) and torch.equal(cb.graph[name][1], idx.long()), name
    for name, eta in ref['etas'].items(): torch.testing.assert_close(cb.etas[name], eta, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(cb.lds, ref['kl'], rtol=1e-4, atol=1e-7)

@pytest.mark.parametrize('case', ['input', 'hidden'])
def test_compiled_topk_same_step(case, monkeypatch):
    x = FIXTURE['x'].repeat_interleave(4, -1).repeat_interleave(4, -2)          # (48, 1, 32, 32): flat blocks, copies, ties
    calls, kernel = [], topk._kernel()
    assert kernel is not None, "the compiled top-k is off on this platform"
    monkeypatch.setattr(topk, '_kernel', lambda: lambda *a: (calls.append(a[0].shape), kernel(*a)))
    a = pani_vat_step(x, FIXTURE[case]['layers'])
    assert calls and all(n == 2560 for _, n in calls)                          # the input graph's rows: 10 peers x 256 patches
    with torch_topk(): b = pani_vat_step(x, FIXTURE[case]['layers'])
    assert torch.equal(a.peers, b.peers)
    for name in a.graph: assert all(torch.equal(u, v) for u, v in zip(a.graph[name], b.graph[name])), name
    for name in a.etas: assert torch.equal(a.etas[name], b.etas[name]), name
    assert torch.equal(a.lds, b.lds)

def pani_vat_step(x, layers):
    "One Pani VAT regularizer step of the fixture's SmallCNN on `x` (48 images): the callback, with its peers, graph, etas and KL"
    model = SmallCNN(1, 10); model.load_state_dict(FIXTURE['state']); model.train()
    dls, _ = ssl_dls(load_digits_arrays(), n_labeled=100, bs=32, unlabeled_bs=64, device='cpu')
    learn = Learner(dls, model)
    cb = PaniVAT(eps=2.0, n_peers=10, layers=layers); cb.learn = learn
    learn.xb, learn.yb, learn.training = (x,), (torch.zeros(48, dtype=torch.long),), True
    cb('before_fit'); cb('before_train'); cb('before_batch')
    learn.pred = model(x); cb('after_pred')
    learn.loss_grad = learn.pred.sum() * 0; learn.loss = learn.loss_grad.clone()
    torch.manual_seed(7)
    cb('after_loss')
    cb('after_train')
    return cb
