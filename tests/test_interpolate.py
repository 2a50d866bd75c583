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
    nbr_sample, nbr_patch, _ = patch_knn(patches, random_peers(N, K1, generator=g).to(DEV), k)
    eta = torch.rand(N, P, k, generator=g, dtype=torch.float64).to(DEV)
    torch.testing.assert_close(interpolate(patches, nbr_sample, nbr_patch, eta), interpolate_reference(patches, nbr_sample, nbr_patch, eta))
    assert torch.equal(interpolate(patches, nbr_sample, nbr_patch, torch.zeros_like(eta)), patches)
    pt, et = patches.clone().requires_grad_(), eta.clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda p, e: interpolate(p, nbr_sample, nbr_patch, e), (pt, et))

@settings(max_examples=25, deadline=None)
@given(st.sampled_from([(2, None), (2, 1), (4, 2), (3, 3)]), st.integers(0, 2**31 - 1))
def test_interpolate_map_eta_zero_exact(geom, seed):
    size, stride = geom
    stride_ = stride or size
    H = size + 2 * stride_
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(3, 2, H, H, generator=g).to(DEV)
    nbr_sample, nbr_patch, _ = patch_knn(extract_patches(z, size, stride), random_peers(3, 2, generator=g).to(DEV), 2)
    assert torch.equal(interpolate_map(z, nbr_sample, nbr_patch, torch.zeros(nbr_sample.shape, device=DEV), size, stride), z)

@settings(max_examples=30, deadline=None)
@given(st.integers(2, 7), st.integers(1, 5), st.integers(1, 4), st.data())
def test_interpolate_from_pool_is_the_pools_rows(M, P, d, data):
    "With a pool, Eq. 6 of the batch's rows equals the loop over the whole pool; gradients reach only the batch"
    n = data.draw(st.integers(1, M)); off = data.draw(st.integers(0, M - n)); k = data.draw(st.integers(1, 4))
    g = torch.Generator().manual_seed(data.draw(st.integers(0, 2**31 - 1)))
    pool = torch.randn(M, P, d, generator=g, dtype=torch.float64)
    nbr_sample, nbr_patch = torch.randint(0, M, (M, P, k), generator=g), torch.randint(0, P, (M, P, k), generator=g)
    eta = torch.rand(M, P, k, generator=g, dtype=torch.float64)
    rows = slice(off, off + n)
    batch = pool[rows].clone().requires_grad_()
    out = interpolate(batch, nbr_sample[rows], nbr_patch[rows], eta[rows], pool=pool, offset=off)
    torch.testing.assert_close(out, interpolate_reference(pool, nbr_sample, nbr_patch, eta)[rows], rtol=1e-12, atol=1e-12)
    w = torch.randn(out.shape, generator=g, dtype=torch.float64)
    (out * w).sum().backward()
    ref = torch.zeros_like(batch)                                  # d/d batch by hand: the own term and the pulled ones
    for i in range(n):
        for p in range(P):
            ref[i, p] += w[i, p] * (1 - eta[off + i, p].sum())
            for r in range(k):
                j = int(nbr_sample[off + i, p, r])
                if off <= j < off + n: ref[j - off, nbr_patch[off + i, p, r]] += eta[off + i, p, r] * w[i, p]
    torch.testing.assert_close(batch.grad, ref, rtol=1e-10, atol=1e-10)
