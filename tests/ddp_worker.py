"""One process of the 2-process CPU (gloo) check of distributed training; launched by `tests/test_distributed.py`
(and the distributed notebook) as `torchrun --nproc_per_node 2 tests/ddp_worker.py OUT_DIR [CONFIG ...]`.

A config is a registered method's name (every method of `pani_nb.callback.core.METHODS`), or a method that has a
`gather_peers` hyperparameter followed by `_gather` (trained with `gather_peers=True`). Each trains SmallCNN on
sklearn's digits for 1 epoch, built by the experiment runner (`pani_nb.bench.build`), under
`learn.distrib_ctx(cpu=True, sync_bn=False)`, and saves per rank what the test compares across ranks: the final
weights, the batch counts, every `gather_batch` call (inputs and outputs), the first batches' peers or partners and
unlabeled images, and, for Pani MixUp, a recomputation of Eq. 10's loss.

Test-only patches (CPU machines only, said here and in the notebook):
- fastai's `DistributedDL._broadcast` moves its index tensor to CUDA (`.cuda()`, for NCCL); on a CPU machine with
  gloo it must stay on the CPU.
- `torch.distributed.all_gather` is wrapped to count the bytes each process receives.
"""
import os, sys, warnings
from pathlib import Path
import torch, torch.nn.functional as F, torch.distributed as dist
from fastai.callback.core import Callback
from fastai.callback.mixup import MixHandler
from fastai.distributed import DistributedDL
import pani_nb.distributed as pdist
import pani_nb.callback.core
from pani_nb.core import set_seed
from pani_nb.bench import RunConfig, build
from pani_nb.callback.registry import load_methods
METHODS = load_methods()
from pani_nb.callback.mixup import PaniMixUp
from pani_nb.callback.mixmatch import MixMatch

warnings.filterwarnings('ignore')

def _broadcast(self, t, rank):   # fastai's calls `.cuda()` (NCCL): a CPU/gloo version, for this test only
    t = torch.LongTensor(t); dist.broadcast(t, rank); return t.tolist()
DistributedDL._broadcast = _broadcast

RECEIVED = [0]                   # bytes this process received through all_gather
_all_gather = dist.all_gather
def counting_all_gather(tensor_list, tensor, *args, **kwargs):
    RECEIVED[0] += sum(t.numel() * t.element_size() for i, t in enumerate(tensor_list) if i != dist.get_rank())
    return _all_gather(tensor_list, tensor, *args, **kwargs)
dist.all_gather = counting_all_gather

GATHERS = []                     # (inputs, (outputs, offset)) of every gather_batch call of the current fit
def recording_gather(*ts):
    res = pdist.gather_batch(*ts)
    GATHERS.append(([t.detach().clone() for t in ts], res))
    return res
pani_nb.callback.core.gather_batch = recording_gather   # every callback gathers through its base class

# settings that fit 8x8 digits (the registry's defaults are for the paper's images)
DIGITS = dict(pani_mixup=dict(patch_size=4, k=2, n_peers=2), pani_mixup_hidden=dict(patch_size=2, k=2, n_peers=2),
              pani_vat=dict(n_peers=5, layers={'input': dict(patch_size=2, k=4)}),
              pani_vat_entmin=dict(n_peers=5, layers={'input': dict(patch_size=2, k=4)}),
              pani_vat_hidden=dict(n_peers=5, layers={'input': dict(patch_size=2, k=4), 'block1': dict(patch_size=2, k=4, m=0.5)}),
              pani_vat_hidden_entmin=dict(n_peers=5, layers={'input': dict(patch_size=2, k=4), 'block1': dict(patch_size=2, k=4, m=0.5)}),
              mixmatch=dict(lambda_u=10), pani_mixmatch=dict(patch_size=2, k=4, lambda_u=10))

def configs():
    "Every registered method, and its `_gather` variant where it has `gather_peers`"
    return [c for m, meth in METHODS.items() for c in ([m] + ([m + '_gather'] if 'gather_peers' in meth.defaults else []))]

def run_config(name):
    gather = name.endswith('_gather')
    method = name.removesuffix('_gather')
    meth = METHODS[method]
    return RunConfig(dataset='digits', method=method, labels=320 if meth.semi_supervised else 0, bs=32 if meth.semi_supervised else 64,
                     ubs=64, epochs=1, device='cpu', params=DIGITS.get(method, {}) | (dict(gather_peers=True) if gather else {}))

class Record(Callback):
    "Per training batch, after the method's `before_batch` and loss: what the test checks"
    order, run_valid = 20, False
    def __init__(self, cb): self.cb, self.rows = cb, []
    def before_train(self): self.received0 = RECEIVED[0]
    def after_loss(self):
        cb = self.cb
        row = {'n': int(self.x.shape[0]), 'offset': getattr(cb, 'offset', 0) or 0}
        if getattr(cb, 'xu', None) is not None: row['xu'] = cb.xu.detach().clone()
        for key in ('peers', 'partners', 'lam'):
            if getattr(cb, key, None) is not None: row[key] = getattr(cb, key).clone()
        if isinstance(cb, PaniMixUp) and cb.mixing:
            row.update(weights=cb.weights.clone(), loss=self.learn.loss.detach().clone())
            ys = cb.y_pool[0] if cb.y_pool is not None else self.y
            ref = cb.lam * F.cross_entropy(self.pred, self.y, reduction='none')         # Eq. 10's loss, recomputed
            for r in range(cb.peers.shape[1]): ref = ref + cb.weights[:, r] * F.cross_entropy(self.pred, ys[cb.peers[:, r]], reduction='none')
            row['loss_ref'] = ref.mean().detach()
        if isinstance(cb, MixMatch): row['target'] = self.y.detach().clone()
        self.rows.append(row)
    def after_batch(self):
        if self.training and self.rows: self.rows[-1]['received'], self.received0 = RECEIVED[0] - self.received0, RECEIVED[0]

def main(out, names):
    out = Path(out); out.mkdir(parents=True, exist_ok=True)
    for name in names:
        set_seed(0)
        learn, _, _ = build(run_config(name))
        cb = next((c for c in learn.cbs if isinstance(c, (pani_nb.callback.core.RegularizerCallback, MixHandler))), None)   # the method's
        single = len(learn.dls.train)                     # batches per epoch with one process
        rec = Record(cb)
        learn.add_cb(rec)
        GATHERS.clear()
        with learn.distrib_ctx(cpu=True, sync_bn=False):
            rank, W = dist.get_rank(), dist.get_world_size()
            with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-2)
        w = torch.cat([p.detach().flatten() for p in learn.model.parameters()])
        torch.save(dict(name=name, rank=rank, world_size=W, weights=w, single_batches=single, n_batches=len(rec.rows), cb=type(cb).__name__ if cb else None,
                        udl_restored=not isinstance(getattr(cb, 'udl', None), DistributedDL),
                        rows=rec.rows[:3], received=[r.get('received') for r in rec.rows], gathers=GATHERS[:4]),
                   out/f'{name}_rank{rank}.pt')
        print(f'rank {rank}: {name} done ({len(rec.rows)} batches)', flush=True)
    dist.barrier()
    dist.destroy_process_group()

if __name__ == '__main__':
    torch.set_num_threads(1)
    main(sys.argv[1], sys.argv[2:] or configs())
