"""Property tests: fold_patches inverts extract_patches for random shapes, channels, sizes and strides."""
import pytest, torch
from hypothesis import given, settings, strategies as st, HealthCheck
from pani_nb.core import default_device
from pani_nb.patches import extract_patches, fold_patches, patch_grid

DEV = default_device()

@st.composite
def tiling(draw):
    size = draw(st.integers(1, 5))
    stride = draw(st.integers(1, size + 2))
    rows, cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    H, W = size + (rows - 1) * stride, size + (cols - 1) * stride
    return draw(st.integers(1, 3)), draw(st.integers(1, 4)), H, W, size, stride

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiling(), st.integers(0, 2**31 - 1))
def test_roundtrip(shape, seed):
    N, C, H, W, size, stride = shape
    z = torch.randn(N, C, H, W, generator=torch.Generator().manual_seed(seed)).to(DEV)
    p = extract_patches(z, size, stride)
    rows, cols = (H - size) // stride + 1, (W - size) // stride + 1
    assert p.shape == (N, rows * cols, C * size * size)
    assert torch.equal(p, torch.nn.functional.unfold(z, size, stride=stride).transpose(1, 2))
    back = fold_patches(p, (H, W), size, stride)
    covered = torch.zeros(H, W, dtype=torch.bool, device=DEV)
    for r in range(rows):
        for c in range(cols): covered[r*stride:r*stride+size, c*stride:c*stride+size] = True
    torch.testing.assert_close(back[..., covered], z[..., covered], rtol=1e-6, atol=1e-6)
    assert (back[..., ~covered] == 0).all()
    if stride == size: assert torch.equal(back, z)      # non-overlapping: exact

@settings(max_examples=40, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**31 - 1))
def test_pad_roundtrip_or_clear_error(H, W, size, stride, seed):
    z = torch.randn(2, 2, H, W, generator=torch.Generator().manual_seed(seed)).to(DEV)
    tiles = H >= size and W >= size and (H - size) % stride == 0 and (W - size) % stride == 0
    if not tiles:
        with pytest.raises(ValueError, match='size'): extract_patches(z, size, stride)
    p = extract_patches(z, size, stride, pad=True)
    rows, cols, ph, pw = patch_grid(H, W, size, stride, pad=True)
    assert p.shape[1] == rows * cols and (H + ph - size) % stride == 0 and (W + pw - size) % stride == 0
    back = fold_patches(p, (H, W), size, stride, pad=True)
    if stride <= size: torch.testing.assert_close(back, z, rtol=1e-6, atol=1e-6)   # every pixel covered
