"""`torch.compile(fullgraph=True)` traces Pani's steps with no graph break, and the compiled steps match eager ones:
`pani_mix` (Pani MixUp's batch) and Pani VAT's perturbation step at the input and a hidden layer (peers, patch graphs,
the power iteration's `torch.autograd.grad`, the coefficients and the adversarial KL).

What it takes: the value checks off (`core.value_checks(False)`: they read values on the host), and, for the power
iteration, `torch._dynamo.config.trace_autograd_ops = True`. `patch_knn` ranks every patch under compile (its
copies' shortcut has data-dependent shapes), which gives the same graph. The eager and compiled random draws are made
equal with `torch._inductor.config.fallback_random`.

Pani VAT's step is compared in float64: compiled kernels sum in another order than eager ones, and in float32 near-equal
features would rank apart. Compiling takes about 15 s (`pani_mix`) and 60 s (Pani VAT) on a 2-core CPU: flagged `slow`;
`.ci/run` runs them."""
from types import SimpleNamespace
import pytest, torch, torch.nn as nn
import torch._dynamo.config as dynamo_config, torch._inductor.config as inductor_config
from pani_nb.core import default_device, value_checks
from pani_nb.mix import pani_mix
from pani_nb.interpolate import interpolate_map
from pani_nb.adversarial import pani_vat_step

pytestmark = pytest.mark.slow

@pytest.fixture(autouse=True)
def compile_settings():
    torch._dynamo.reset()
    with inductor_config.patch(fallback_random=True), dynamo_config.patch(trace_autograd_ops=True), value_checks(False): yield

def test_pani_mix_compiles():
    dev = default_device()
    g = torch.Generator().manual_seed(0)
    z = torch.randn(16, 1, 28, 28, generator=g).to(dev)
    z[:, :, :8] = -0.5                                                   # a flat band: copies and tied similarities
    lam = torch.rand(16, generator=g).to(dev)
    step = lambda z, lam: pani_mix(z, lam, 2, 4, 7, mask_ratio=0.4)
    torch.manual_seed(1); ref = step(z, lam)
    torch.manual_seed(1); got = torch.compile(step, fullgraph=True)(z, lam)
    assert torch.equal(got[1], ref[1])                                   # the same peers
    torch.testing.assert_close(got[0], ref[0], rtol=1e-5, atol=1e-5)     # the same mixed images
    torch.testing.assert_close(got[2], ref[2], rtol=1e-5, atol=1e-5)     # and peer weights

def test_pani_vat_step_compiles():
    dev = default_device()
    torch.manual_seed(0)
    stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.Tanh()).to(dev, torch.float64)   # float64: compiled kernels sum in
    # another order than eager ones, and float32 features or directions would differ by rounding, not by the step
    head = nn.Sequential(nn.AvgPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.Tanh(), nn.AdaptiveAvgPool2d(1), nn.Flatten()).to(dev, torch.float64)
    fc = nn.Linear(16, 10).to(dev, torch.float64)
    x = torch.randn(24, 1, 16, 16, dtype=torch.float64).to(dev)
    x[:, :, :4] = 0.                                                     # zero patches: ties everywhere
    specs = {'input': SimpleNamespace(patch_size=2, k=6, stride=None, pad=False, m=1.0),
             'block1': SimpleNamespace(patch_size=2, k=8, stride=None, pad=False, m=0.5)}

    def forward(x, etas=None, graph=None):
        "The model with each layer's map interpolated (Eq. 6) with `etas[layer]`; also its maps and features"
        z = x if etas is None else interpolate_map(x, *graph['input'], etas['input'], 2)
        h = stem(z)
        h2 = h if etas is None else interpolate_map(h, *graph['block1'], etas['block1'], 2)
        f = head(h2)
        return fc(f), {'input': x, 'block1': h}, f

    def step(x):
        clean, maps, feats = forward(x)
        clean = clean.detach()
        loss, s = pani_vat_step(lambda etas, graph, pools: forward(x, etas, graph)[0], clean, feats.detach(),
                                {n: m.detach() for n, m in maps.items()}, specs, n_peers=5, eps=2.0, dtype=x.dtype)
        return s['peers'], s['graph'], s['etas'], loss.detach()   # (a loss returned with its graph: dynamo refuses outputs that depend on
        # the power iteration's `requires_grad_()`; a compiled training step calls `backward` inside, or runs the last forward eagerly)

    torch.manual_seed(3); ref = step(x)
    torch.manual_seed(3); got = torch.compile(step, fullgraph=True)(x)
    assert torch.equal(got[0], ref[0])                                   # the same semantic peers...
    for n in specs: assert torch.equal(got[1][n][0], ref[1][n][0]) and torch.equal(got[1][n][1], ref[1][n][1]), n   # ...and graphs
    for n in specs: torch.testing.assert_close(got[2][n], ref[2][n], rtol=1e-5, atol=1e-5 * float(ref[2][n].abs().max()))   # the coefficients
    torch.testing.assert_close(got[3], ref[3], rtol=1e-5, atol=0)                                                             # and the KL
