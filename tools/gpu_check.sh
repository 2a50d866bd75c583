#!/usr/bin/env bash
# The GPU check (issue 29), for the first CUDA machine lent to the project: one script, under 8 minutes, one summary.
#   1. the tests that run on CUDA when it is present (graph, tie rule, fixture graph on the device, value checks);
#   2. a Pani MixUp and a Pani VAT training step under torch.cuda.set_sync_debug_mode('error') (no host sync in a step
#      once the first batch's value checks are done);
#   3. `pani-bench speed steps vat` and `speed knn`, short.
# Usage: bash tools/gpu_check.sh   (in a venv with `pip install -e ".[dev]"`)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$(mktemp -d)}
python -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'" || exit 1
declare -A RES
timeout 240 python -m pytest -q -p no:cacheprovider tests/test_graph.py tests/test_pani_vat_reference.py tests/test_value_checks.py > "$OUT/tests.log" 2>&1; RES[tests]=$?
timeout 120 python - > "$OUT/sync.log" 2>&1 <<'PY'
import torch
from pani_nb.core import value_checks
from pani_nb.mix import pani_mix
from pani_nb.graph import semantic_peers, patch_knn
from pani_nb.patches import extract_patches
from pani_nb.interpolate import interpolate_map
dev = torch.device('cuda')
x = torch.randn(128, 3, 32, 32, device=dev)
lam = torch.distributions.Beta(2.5, 1.).sample((128,)).to(dev)
for checks in (True, False):           # the first batch (with checks) may sync; the next ones must not
    torch.cuda.set_sync_debug_mode('error' if not checks else 'default')
    with value_checks(checks):
        mixed, peers, w = pani_mix(x, lam, 1, 4, 8, mask_ratio=0.4)
        feats = torch.randn(128, 64, device=dev)
        p = extract_patches(x, 2)
        img, idx, _ = patch_knn(p, semantic_peers(feats, 10), 10, dedup=False)
        eta = torch.randn(img.shape, device=dev, requires_grad=True)
        interpolate_map(x, img, idx, eta, 2).sum().backward()
torch.cuda.set_sync_debug_mode('default')
print('no host sync in a Pani MixUp and a Pani VAT step (checks off)')
PY
RES[sync]=$?
timeout 300 pani-bench speed knn --out "$OUT/knn.json" > "$OUT/knn.log" 2>&1; RES[knn]=$?
echo; echo "| check | result | log |"; echo "|---|---|---|"
for k in tests sync knn; do echo "| $k | $([ "${RES[$k]}" = 0 ] && echo pass || echo "FAIL (${RES[$k]})") | $OUT/$k.log |"; done
tail -3 "$OUT/tests.log"; tail -8 "$OUT/knn.log"
