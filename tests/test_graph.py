"""Property tests: patch_knn equals a float64 brute force; peers never include the sample itself."""
import torch
from hypothesis import given, settings, strategies as st, HealthCheck
from pani_nb.core import default_device
from pani_nb.graph import random_peers, semantic_peers, patch_knn, patch_knn_reference

DEV = default_device()

@st.composite
def knn_case(draw):
    N = draw(st.integers(2, 6)); P = draw(st.integers(1, 6)); d = draw(st.integers(1, 5))
    K1 = draw(st.integers(1, N - 1)); k = draw(st.integers(1, K1 * P))
    return N, P, d, K1, k, draw(st.integers(0, 2**31 - 1)), draw(st.sampled_from([None, 'row', 'small']))

@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(knn_case())
def test_patch_knn_matches_brute_force(case):
    N, P, d, K1, k, seed, budget = case
    g = torch.Generator().manual_seed(seed)
    patches = torch.randn(N, P, d, generator=g).to(DEV)
    peers = random_peers(N, K1, generator=g).to(DEV)
    kw = {} if budget is None else {'max_bytes': 4 * K1 * P * (1 if budget == 'row' else 3)}
    nbr_sample, nbr_patch, sim = patch_knn(patches, peers, k, **kw)
    aimg, aidx, asim = patch_knn_reference(patches.cpu(), peers.cpu(), K1 * P)   # all candidates, sorted
    ref_sample, ref_patch, rsim = aimg[..., :k], aidx[..., :k], asim[..., :k]
    torch.testing.assert_close(sim.cpu().double(), rsim, rtol=1e-5, atol=1e-5)
    assert (sim[..., 1:] <= sim[..., :-1]).all()
    assert not (nbr_sample == torch.arange(N, device=nbr_sample.device)[:, None, None]).any()
    assert (nbr_sample.cpu()[..., None] == peers.cpu()[:, None, None]).any(-1).all()
    # each returned neighbor has the returned similarity (robust to ties)...
    z = patches.double().cpu()
    cos = torch.nn.functional.cosine_similarity(z[:, :, None].expand(-1, -1, k, -1), z[nbr_sample.cpu(), nbr_patch.cpu()], dim=-1)
    torch.testing.assert_close(cos, sim.cpu().double(), rtol=1e-5, atol=1e-5)
    # ...and where the brute force has no near-tie, the very same neighbor
    diffs = asim[..., :-1] - asim[..., 1:]                           # gap between consecutive candidates
    inf = torch.full_like(asim[..., :1], float('inf'))
    gap = torch.minimum(torch.cat([inf, diffs], -1), torch.cat([diffs, inf], -1))[..., :k]
    clear = gap > 1e-4
    assert torch.equal(nbr_sample.cpu()[clear], ref_sample[clear]) and torch.equal(nbr_patch.cpu()[clear], ref_patch[clear])

@settings(max_examples=40, deadline=None)
@given(st.integers(2, 40), st.data())
def test_random_peers(n, data):
    k = data.draw(st.integers(1, n - 1))
    peers = random_peers(n, k, generator=torch.Generator().manual_seed(data.draw(st.integers(0, 2**31 - 1))))
    assert peers.shape == (n, k)
    assert not (peers == torch.arange(n)[:, None]).any()
    assert (peers.sort(1).values.diff(dim=1) > 0).all() and ((peers >= 0) & (peers < n)).all()

@settings(max_examples=30, deadline=None)
@given(st.integers(2, 20), st.integers(1, 8), st.data())
def test_semantic_peers(n, D, data):
    k = data.draw(st.integers(1, n - 1))
    f = torch.randn(n, D, generator=torch.Generator().manual_seed(data.draw(st.integers(0, 2**31 - 1))), dtype=torch.float64)
    peers = semantic_peers(f, k)
    cos = torch.nn.functional.cosine_similarity(f[:, None], f[None], dim=-1)
    cos.fill_diagonal_(-2)
    assert not (peers == torch.arange(n)[:, None]).any()
    torch.testing.assert_close(cos.gather(1, peers), cos.topk(k, dim=1).values, rtol=1e-6, atol=1e-6)

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(3, 9), st.integers(1, 5), st.integers(1, 4), st.data())
def test_pool_graph_is_the_pools_rows(M, P, d, data):
    """A batch that is rows offset..offset+n of a pool: random peers are pool rows (never its own), and its patch graph
    and semantic peers are the rows of the whole pool's (the distributed `gather_peers` path)"""
    n = data.draw(st.integers(1, M - 1)); off = data.draw(st.integers(0, M - n))
    K1 = data.draw(st.integers(1, M - 1)); k = data.draw(st.integers(1, K1 * P))
    g = torch.Generator().manual_seed(data.draw(st.integers(0, 2**31 - 1)))
    pool = torch.randn(M, P, d, generator=g).to(DEV)
    peers = random_peers(n, K1, generator=g, pool_size=M, offset=off).to(DEV)
    assert ((peers >= 0) & (peers < M)).all() and not (peers == off + torch.arange(n, device=DEV)[:, None]).any()
    assert (peers.sort(1).values.diff(dim=1) > 0).all()
    full = random_peers(M, K1, generator=g).to(DEV); full[off:off + n] = peers
    got, ref = patch_knn(pool[off:off + n], peers, k, pool=pool, offset=off), patch_knn(pool, full, k)
    for a, b in zip(got, ref): assert torch.equal(a, b[off:off + n])
    feats = pool.flatten(1)
    K = data.draw(st.integers(1, M - 1))
    assert torch.equal(semantic_peers(feats[off:off + n], K, pool=feats, offset=off), semantic_peers(feats, K)[off:off + n])

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(knn_case(), st.integers(2, 4))
def test_patch_knn_copies_share_neighbors(case, levels):
    """Inputs with few values per feature (copies of patches, zero patches, ties): ranking only the distinct patches of
    each sample (`dedup=True`) gives the neighbors of ranking every patch, and the same similarities"""
    N, P, d, K1, k, seed, budget = case
    g = torch.Generator().manual_seed(seed)
    patches = torch.randint(0, levels, (N, P, d), generator=g).float().sub(levels // 2).to(DEV)
    peers = random_peers(N, K1, generator=g).to(DEV)
    kw = {} if budget is None else {'max_bytes': 4 * K1 * P * (1 if budget == 'row' else 3)}
    a, b = patch_knn(patches, peers, k, dedup=True, **kw), patch_knn(patches, peers, k, dedup=False, **kw)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    torch.testing.assert_close(a[2], b[2], rtol=0, atol=1e-6)

def test_float64_graph_survives_rounding_noise(monkeypatch):
    """Another machine rounds a product's dot products differently (AVX2 or AVX-512, another BLAS, CUDA): simulated
    here by moving the patches by a few units in the last place. Digits have copies everywhere (ties in real
    arithmetic); on the grid of `on_grid` the float64 graph and peers stay the same; ranked as computed, they do not"""
    import pani_nb.graph as G
    from pani_nb.data import load_digits_arrays
    from pani_nb.patches import extract_patches
    x = load_digits_arrays().x_train[:48].double().to(DEV)                        # (48, 1, 8, 8), 17 grey levels
    g = torch.Generator().manual_seed(0)
    noisy = x * (1 + 4e-16 * torch.randn(x.shape, generator=g, dtype=torch.float64).to(DEV))
    feats = lambda t: t.flatten(1)
    def graphs():
        peers = semantic_peers(feats(x), 10)
        return [peers, semantic_peers(feats(noisy), 10)], [patch_knn(extract_patches(t, 2), peers, 10)[:2] for t in (x, noisy)]
    (pa, pb), (ga, gb) = graphs()
    assert torch.equal(pa, pb) and torch.equal(ga[0], gb[0]) and torch.equal(ga[1], gb[1])
    monkeypatch.setattr(G, 'on_grid', lambda s: s)                                 # ranked as computed: the noise reorders ties
    _, (ga, gb) = graphs()
    assert not (torch.equal(ga[0], gb[0]) and torch.equal(ga[1], gb[1]))
