"""Property tests of Pani MixUp's coefficients and targets (Eq. 9-10)."""
import torch, torch.nn.functional as F
from hypothesis import given, settings, strategies as st, HealthCheck
from pani_nb.core import default_device
from pani_nb.graph import random_peers, patch_knn
from pani_nb.mix import sample_eta, mix_targets, peer_weights, pani_mix

DEV = default_device()
lam_values = st.one_of(st.floats(0, 1), st.sampled_from([0.0, 1e-7, 1e-3, 0.5, 1 - 1e-3, 1 - 1e-7, 1.0]))

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lam_values, min_size=1, max_size=12), st.integers(1, 64), st.integers(1, 8),
       st.one_of(st.floats(0, 0.99), st.sampled_from([0.0, 0.4, 0.6, 0.9, 0.999])), st.integers(0, 2**31 - 1))
def test_sample_eta_invariants(lams, P, k, mask_ratio, seed):
    lam = torch.tensor(lams, device=DEV)
    eta = sample_eta(lam, P, k, mask_ratio, generator=torch.Generator(DEV).manual_seed(seed))
    assert eta.shape == (len(lams), P, k) and eta.dtype == torch.float32
    assert ((eta >= 0) & (eta <= 1)).all()
    assert (eta.sum(-1) <= 1 + 1e-5).all()
    torch.testing.assert_close(eta.sum(-1).mean(-1), 1 - lam, rtol=0, atol=1e-5)

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 10), st.integers(1, 9), st.integers(1, 4), st.integers(2, 7), st.floats(0, 0.9), st.integers(0, 2**31 - 1))
def test_mixed_targets_sum_to_one(N, P, k, n_classes, mask_ratio, seed):
    g = torch.Generator(DEV).manual_seed(seed)
    K1 = 1 + seed % (N - 1)
    k = min(k, K1 * P)
    lam = torch.rand(N, generator=g, device=DEV)
    peers = random_peers(N, K1, generator=g, device=DEV)
    nbr_sample, nbr_patch, _ = patch_knn(torch.randn(N, P, 3, generator=g, device=DEV), peers, k)
    eta = sample_eta(lam, P, k, mask_ratio, generator=g)
    y = torch.randint(0, n_classes, (N,), generator=g, device=DEV)
    yt = mix_targets(y, lam, nbr_sample, eta, n_classes)
    torch.testing.assert_close(yt.sum(1), torch.ones(N, device=DEV), rtol=0, atol=1e-5)
    assert (yt >= 0).all()
    w = peer_weights(nbr_sample, eta, peers)
    torch.testing.assert_close(lam + w.sum(1), torch.ones(N, device=DEV), rtol=0, atol=1e-5)
    # the target is the image's composition: its own weight is lam, each peer's the share of its patches taken
    onehot = F.one_hot(y, n_classes).float()
    torch.testing.assert_close(yt, lam[:, None] * onehot + (w[..., None] * onehot[peers]).sum(1), rtol=0, atol=1e-5)

@settings(max_examples=30, deadline=None)
@given(st.integers(2, 16), st.integers(1, 3), st.floats(0, 1), st.integers(0, 2**31 - 1))
def test_degenerate_is_mixup(N, C, lam0, seed):
    g = torch.Generator(DEV).manual_seed(seed)
    x = torch.randn(N, C, 6, 6, generator=g, device=DEV)
    lam = torch.full((N,), lam0, device=DEV)
    mixed, peers, w = pani_mix(x, lam, n_peers=1, k=1, patch_size=6, mask_ratio=0.0, generator=g)
    torch.testing.assert_close(mixed, torch.lerp(x[peers[:, 0]], x, lam[:, None, None, None]), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(w[:, 0], 1 - lam, rtol=0, atol=1e-6)
