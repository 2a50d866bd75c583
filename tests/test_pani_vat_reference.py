"""Pani VAT computes what it computed before its speed work: on fixed inputs (a seeded SmallCNN, 16 labeled + 32
unlabeled digits), the semantic peers, every layer's patch graph, the adversarial coefficients and the KL equal those
of the implementation of commit a1c7f52, saved in `tests/fixtures/pani_vat_a1c7f52.pt` (input only, and input +
a hidden layer). Peers and graphs must be identical; coefficients and KL equal to float32 rounding."""
from pathlib import Path
import pytest, torch
from fastai.learner import Learner
from pani_nb.data import load_digits_arrays, ssl_dls
from pani_nb.models import SmallCNN
from pani_nb.callback.vat import PaniVAT

FIXTURE = torch.load(Path(__file__).parent/'fixtures'/'pani_vat_a1c7f52.pt', weights_only=False)

@pytest.mark.parametrize('case', ['input', 'hidden'])
def test_same_graph_and_perturbation(case):
    ref = FIXTURE[case]
    x = FIXTURE['x']
    model = SmallCNN(1, 10); model.load_state_dict(FIXTURE['state']); model.train()
    dls, _ = ssl_dls(load_digits_arrays(), n_labeled=100, bs=32, unlabeled_bs=64, device='cpu')
    learn = Learner(dls, model)
    cb = PaniVAT(eps=2.0, n_peers=10, layers=ref['layers']); cb.learn = learn
    learn.xb, learn.yb, learn.training = (x,), (torch.zeros(48, dtype=torch.long),), True
    cb('before_fit'); cb('before_train'); cb('before_batch')
    learn.pred = model(x); cb('after_pred')
    learn.loss_grad = learn.pred.sum() * 0; learn.loss = learn.loss_grad.clone()
    torch.manual_seed(7)
    cb('after_loss')
    cb('after_train')
    assert torch.equal(cb.peers, ref['peers'].long())
    for name, (img, idx) in ref['graph'].items():
        assert torch.equal(cb.graph[name][0], img.long()) and torch.equal(cb.graph[name][1], idx.long()), name
    for name, eta in ref['etas'].items(): torch.testing.assert_close(cb.etas[name], eta, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(cb.lds, ref['kl'], rtol=1e-4, atol=1e-7)
