"""Pani VAT's step against a fixture that holds only what is defined on every machine.

`tests/fixtures/pani_vat_float64.pt` holds a seeded SmallCNN, 48 digits (16 labeled + 32 unlabeled) and, for Pani VAT
on the input and on the input + a hidden layer, one regularizer step run in float64 under the graph's tie rule
(`graph.stable_topk`: larger similarity first, equal ones lower candidate first): the semantic peers, every layer's
patch graph, the adversarial coefficients and the KL. The test runs the same step in float64 here (on CUDA when
there is one) and asks for the very peers and graphs, the coefficients to 1e-6 of the largest, and the KL to 1e-6 relative.
The graphs rank cosines rounded to multiples of 2**-30 (`graph.on_grid`): a matrix product rounds copies of a patch
differently at different places and on different CPUs, and without the grid those ties in real arithmetic came out in
another order on an AVX-512 Xeon than on the machine that wrote the first fixture. A second test computes the
fixture's graphs with another summation (no matrix product) and finds the same.

Why float64: in float32 the finite-difference power iteration at `xi = 1e-6` mostly measures rounding (every float32
VAT gets a direction with mean cosine about 0.35 to the float64 one), so another CPU, which sums in another order,
gets another, equally valid, direction; and near-equal similarities may swap. In float64 the rounding is ~1e-10 of
the difference quotient: measured, the coefficients of ATen's default kernels and of its AVX2 kernels differ by at
most 2e-8 of the largest, the KL by 2e-9 relative, and the peers and graphs are identical (MKL's SSE4.2 path and one
thread: 1e-16).

Regenerate the fixture (after a change that is meant to change the step) with `python tests/test_pani_vat_reference.py`."""
from pathlib import Path
import pytest, torch
from fastai.learner import Learner
from pani_nb.core import default_device
from pani_nb.data import load_digits_arrays, ssl_dls
from pani_nb.models import SmallCNN
from pani_nb.callback.vat import PaniVAT
from pani_nb.topk import plain_topk, numba

PATH = Path(__file__).parent/'fixtures'/'pani_vat_float64.pt'
LAYERS = {'input': {'input': dict(patch_size=2, k=10, m=1.0)},
          'hidden': {'input': dict(patch_size=2, k=10, m=1.0), 'block1': dict(patch_size=2, k=50, m=0.5)}}

def pani_vat_step(state, x, layers, dtype=torch.float32, device='cpu'):
    "One Pani VAT regularizer step of a SmallCNN with `state` on `x` (48 images): the callback, with its peers, graph, etas and KL"
    model = SmallCNN(1, 10); model.load_state_dict(state); model.to(device=device, dtype=dtype).train()
    x = x.to(device=device, dtype=dtype)
    dls, _ = ssl_dls(load_digits_arrays(), n_labeled=100, bs=32, unlabeled_bs=64, device=device)
    learn = Learner(dls, model)
    cb = PaniVAT(eps=2.0, n_peers=10, layers=layers); cb.learn = learn
    learn.xb, learn.yb, learn.training = (x,), (torch.zeros(len(x), dtype=torch.long, device=device),), True
    cb('before_fit'); cb('before_train'); cb('before_batch')
    learn.pred = model(x); cb('after_pred')
    learn.loss_grad = learn.pred.sum() * 0; learn.loss = learn.loss_grad.clone()
    torch.manual_seed(7)
    if device != 'cpu': torch.cuda.manual_seed_all(7)
    cb('after_loss')
    cb('after_train')
    return cb

def record(cb):
    "What the fixture keeps of a step"
    return dict(peers=cb.peers.cpu(), graph={n: tuple(t.cpu() for t in g) for n, g in cb.graph.items()},
                etas={n: e.cpu() for n, e in cb.etas.items()}, kl=cb.lds.cpu())

@pytest.mark.parametrize('case', ['input', 'hidden'])
def test_same_graph_and_perturbation(case):
    fx = torch.load(PATH, weights_only=False)
    dev = default_device()
    if dev.type == 'cuda': pytest.skip("the random start is drawn on the device: CUDA's stream differs from the CPU's")
    ref, got = fx[case], record(pani_vat_step(fx['state'], fx['x'], LAYERS[case], torch.float64, dev))
    assert torch.equal(got['peers'], ref['peers'])
    for name, (nbr_sample, nbr_patch) in ref['graph'].items():
        assert torch.equal(got['graph'][name][0], nbr_sample) and torch.equal(got['graph'][name][1], nbr_patch), name
    for name, eta in ref['etas'].items():                                       # to 1e-6 of the largest coefficient
        torch.testing.assert_close(got['etas'][name], eta, rtol=1e-6, atol=1e-6 * float(eta.abs().max()))
    torch.testing.assert_close(got['kl'], ref['kl'], rtol=1e-6, atol=1e-12)

@pytest.mark.parametrize('case', ['input', 'hidden'])
def test_graph_on_the_device(case):
    "The peers and graphs do not depend on the random start: on any device (CUDA too) they equal the fixture's"
    fx = torch.load(PATH, weights_only=False)
    got = record(pani_vat_step(fx['state'], fx['x'], LAYERS[case], torch.float64, default_device()))
    assert torch.equal(got['peers'], fx[case]['peers'])
    for name, (nbr_sample, nbr_patch) in fx[case]['graph'].items():
        assert torch.equal(got['graph'][name][0], nbr_sample) and torch.equal(got['graph'][name][1], nbr_patch), name

def _graph_without_blas(patches, peers, k):
    "The patch graph with its cosines summed elementwise along d (no matrix product: another rounding), on the grid, stably ranked"
    from pani_nb.graph import on_grid
    N, P, d = patches.shape
    z = torch.nn.functional.normalize(patches.double(), dim=-1)
    s = on_grid((z[:, :, None, :] * z[peers].reshape(N, 1, -1, d)).sum(-1))   # (N, P, K1*P)
    order = s.sort(dim=-1, descending=True, stable=True).indices[..., :k]
    return peers.gather(1, (order // P).flatten(1)).view(N, P, k), order % P

def test_fixture_graph_from_a_second_summation_path():
    "The fixture's graphs equal graphs whose cosines another summation computed: its ties are not one machine's rounding"
    from pani_nb.patches import extract_patches
    fx = torch.load(PATH, weights_only=False)
    model = SmallCNN(1, 10).double(); model.load_state_dict(fx['state']); model.train()
    maps = {'input': fx['x'].double()}
    with torch.no_grad():
        h = model.block1.register_forward_hook(lambda m, i, o: maps.__setitem__('block1', o)); model(maps['input']); h.remove()
    for case, layers in LAYERS.items():
        for name, (nbr_sample, nbr_patch) in fx[case]['graph'].items():
            a, b = _graph_without_blas(extract_patches(maps[name], layers[name]['patch_size']), fx[case]['peers'], layers[name]['k'])
            assert torch.equal(a, nbr_sample) and torch.equal(b, nbr_patch), (case, name)

@pytest.mark.skipif(numba is None, reason="the compiled ranking is optional (numba not installed)")
@pytest.mark.parametrize('case', ['input', 'hidden'])
def test_compiled_ranking_same_step(case, monkeypatch):
    "float32, the digits enlarged to 32x32 (flat blocks, copies, ties): the step with the compiled ranking is the step in plain torch"
    import pani_nb.topk as T
    fx = torch.load(PATH, weights_only=False)
    x = fx['x'].repeat_interleave(4, -1).repeat_interleave(4, -2)               # (48, 1, 32, 32)
    calls, real = [], T._rank_rows
    monkeypatch.setattr(T, '_rank_rows', lambda *a: (calls.append(a[0].shape), real(*a)))
    a = pani_vat_step(fx['state'], x, LAYERS[case])
    assert any(n == 2560 for _, n in calls)                                    # the input graph's rows: 10 peers x 256 patches
    with plain_topk(): b = pani_vat_step(fx['state'], x, LAYERS[case])
    assert torch.equal(a.peers, b.peers)
    for name in a.graph: assert all(torch.equal(u, v) for u, v in zip(a.graph[name], b.graph[name])), name
    for name in a.etas: assert torch.equal(a.etas[name], b.etas[name]), name
    assert torch.equal(a.lds, b.lds)

if __name__ == '__main__':   # regenerate the fixture: same model and images, a float64 step under the tie rule
    old = torch.load(PATH, weights_only=False)
    fx = dict(state=old['state'], x=old['x'])
    for case, layers in LAYERS.items(): fx[case] = dict(layers=layers, **record(pani_vat_step(fx['state'], fx['x'], layers, torch.float64)))
    torch.save(fx, PATH)
    print(f"wrote {PATH}")
