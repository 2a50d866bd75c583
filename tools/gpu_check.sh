#!/usr/bin/env bash
# The GPU check, for the first CUDA machine lent to the project: one script, under 8 minutes, one summary table.
#   tests    the tests that run on CUDA when it is present (tie rule, graph, interpolation, mixing, the Pani VAT fixture's
#            graph on the device, the value checks) and the tensor-function notebooks (`default_device()` is CUDA)
#   compile  torch.compile(fullgraph=True) of pani_mix and Pani VAT's perturbation step, against eager (on CUDA)
#   sync     a fastai fit of Pani MixUp and one of Pani VAT, with torch.cuda.set_sync_debug_mode('error') from the
#            second training batch on (the first runs the value checks, which read values on the host)
#   speed    `pani-bench speed steps vat` (2 repeats of 10 steps) and `pani-bench speed knn`, on the GPU
# Usage: bash tools/gpu_check.sh   (in a venv with `pip install -e ".[dev]"`); OUT=folder keeps the logs and JSON files.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
python -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'" || { echo "gpu_check: no CUDA device"; exit 1; }
declare -A RES SECS
run() { local name=$1 limit=$2; shift 2; local t0=$SECONDS
        timeout "$limit" "$@" > "$OUT/$name.log" 2>&1; RES[$name]=$?; SECS[$name]=$((SECONDS - t0)); }
run tests 150 bash -c 'python -m pytest -q -p no:cacheprovider tests/test_graph.py tests/test_interpolate.py tests/test_mixup.py \
    tests/test_pani_vat_reference.py tests/test_value_checks.py && for nb in 11_graph 12_interpolate 13_mix 14_adversarial; do nbdev-test nbs/$nb.ipynb || exit 1; done'
run compile 120 python -m pytest -q -p no:cacheprovider -m slow tests/test_compile.py
run sync 90 python - <<'PY'
import torch
from fastai.callback.core import Callback
from fastai.learner import Learner
import fastai.callback.progress
from pani_nb.data import digits_dls, load_digits_arrays, ssl_dls
from pani_nb.models import SmallCNN
from pani_nb.callback.mixup import PaniMixUp
from pani_nb.callback.vat import PaniVAT

class SyncGuard(Callback):
    "Sync debug mode 'error' from the second training batch on; stop after `n` batches"
    order = -20
    def __init__(self, n=6): self.n = n
    def before_fit(self): self.i = 0
    def before_batch(self):
        if self.training and self.i == 1: torch.cuda.set_sync_debug_mode('error')
    def after_batch(self):
        if self.training:
            self.i += 1
            if self.i >= self.n: torch.cuda.set_sync_debug_mode('default'); raise fastai.callback.core.CancelFitException()
    def after_fit(self): torch.cuda.set_sync_debug_mode('default')

dev = torch.device('cuda')
learn = Learner(digits_dls(bs=64, device=dev), SmallCNN(1, 10), cbs=[PaniMixUp(patch_size=4, k=2), SyncGuard()])
with learn.no_bar(), learn.no_logging(): learn.fit(1)
print('Pani MixUp: 5 training batches without a host sync')
dls, udl = ssl_dls(load_digits_arrays(), n_labeled=100, bs=32, unlabeled_bs=64, device=dev)
learn = Learner(dls, SmallCNN(1, 10), cbs=[PaniVAT(n_peers=5, udl=udl, layers={'input': dict(patch_size=2, k=5)}), SyncGuard()])
with learn.no_bar(), learn.no_logging(): learn.fit(1)
print('Pani VAT: 5 training batches without a host sync')
PY
run speed 200 bash -c "pani-bench speed steps vat --repeats 2 --steps 10 --out '$OUT/steps_vat.json' && pani-bench speed knn --repeats 3 --out '$OUT/knn.json'"
python -c "import torch; print(torch.cuda.get_device_name(), 'torch', torch.__version__)"
echo; echo "| check | result | seconds | log |"; echo "|---|---|---|---|"
for k in tests compile sync speed; do
  echo "| $k | $([ "${RES[$k]}" = 0 ] && echo pass || echo "FAIL (exit ${RES[$k]})") | ${SECS[$k]} | $OUT/$k.log |"
done
echo; for k in tests compile sync; do [ "${RES[$k]}" = 0 ] || { echo "--- $k (last lines)"; tail -25 "$OUT/$k.log"; }; done
echo "--- speed"; tail -22 "$OUT/speed.log"
