"""Property tests of Eq. 6: loop reference, eta = 0, gradients."""
import torch
from hypothesis import given, settings, strategies as st, HealthCheck
from pani_nb.core import default_device
from pani_nb.graph import random_peers, patch_knn
from pani_nb.interpolate import interpolate, interpolate_reference, interpolate_map
from pani_nb.patches import extract_patches

DEV = default_device()

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 5), st.integers(1, 5), st.integers(1, 4), st.data())
def test_interpolate_matches_loop(N, P, d, data):
    K1 = data.draw(st.integers(1, N - 1)); k = data.draw(st.integers(1, K1 * P))
    g = torch.Generator().manual_seed(data.draw(st.integers(0, 2**31 - 1)))
    patches = torch.randn(N, P, d, generator=g, dtype=torch.float64).to(DEV)
    img, idx, _ = patch_knn(patches, random_peers(N, K1, generator=g).to(DEV), k)
    eta = torch.rand(N, P, k, generator=g, dtype=torch.float64).to(DEV)
    torch.testing.assert_close(interpolate(patches, img, idx, eta), interpolate_reference(patches, img, idx, eta))
    assert torch.equal(interpolate(patches, img, idx, torch.zeros_like(eta)), patches)
    pt, et = patches.clone().requires_grad_(), eta.clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda p, e: interpolate(p, img, idx, e), (pt, et))

@settings(max_examples=25, deadline=None)
@given(st.sampled_from([(2, None), (2, 1), (4, 2), (3, 3)]), st.integers(0, 2**31 - 1))
def test_interpolate_map_eta_zero_exact(geom, seed):
    size, stride = geom
    stride_ = stride or size
    H = size + 2 * stride_
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(3, 2, H, H, generator=g).to(DEV)
    img, idx, _ = patch_knn(extract_patches(z, size, stride), random_peers(3, 2, generator=g).to(DEV), 2)
    assert torch.equal(interpolate_map(z, img, idx, torch.zeros(img.shape, device=DEV), size, stride), z)
