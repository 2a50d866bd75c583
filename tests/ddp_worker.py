"""One process of the 2-process CPU (gloo) check of distributed training; launched by `tests/test_distributed.py`
(and the distributed notebook) as `torchrun --nproc_per_node 2 tests/ddp_worker.py OUT_DIR [CONFIG ...]`.

Each config trains SmallCNN on sklearn's digits for 1 epoch under `learn.distrib_ctx(cpu=True, sync_bn=False)` and
saves, per rank, what the test compares across ranks: the final weights, the batch counts, every `gather_batch`
call (inputs and outputs), the first batches' peers and unlabeled images, and a recomputation of the loss.

Test-only patches (CPU machines only, said here and in the notebook):
- fastai's `DistributedDL._broadcast` moves its index tensor to CUDA (`.cuda()`, for NCCL); on a CPU machine with
  gloo it must stay on the CPU.
- `torch.distributed.all_gather` is wrapped to count the bytes each process receives.
"""
import os, sys, warnings
from pathlib import Path
import torch, torch.nn.functional as F, torch.distributed as dist
from fastai.learner import Learner
from fastai.callback.core import Callback
from fastai.distributed import DistributedDL
from fastai.losses import CrossEntropyLossFlat
import pani_nb.distributed as pdist
from pani_nb.core import set_seed
from pani_nb.data import digits_dls, load_digits_arrays, ssl_dls
from pani_nb.models import SmallCNN
from pani_nb.callback.mixup import PaniMixUp
from pani_nb.callback.vat import VAT, PaniVAT
from pani_nb.callback.mixmatch import MixMatch, PaniMixMatch, CropFlip
import pani_nb.callback.mixup, pani_nb.callback.vat, pani_nb.callback.mixmatch

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
for mod in (pani_nb.callback.mixup, pani_nb.callback.vat, pani_nb.callback.mixmatch): mod.gather_batch = recording_gather

class Record(Callback):
    "Per training batch, after the method's `before_batch` and loss: what the test checks"
    order, run_valid = 20, False
    def __init__(self, cb): self.cb, self.rows = cb, []
    def before_train(self): self.received0 = RECEIVED[0]
    def after_loss(self):
        cb = self.cb
        row = {'n': int(self.x.shape[0]), 'offset': getattr(cb, 'offset', 0)}
        if getattr(cb, 'xu', None) is not None: row['xu'] = cb.xu.detach().clone()
        if isinstance(cb, PaniMixUp) and cb.mixing:
            row.update(peers=cb.peers.clone(), lam=cb.lam.clone(), weights=cb.weights.clone(), loss=self.learn.loss.detach().clone())
            ys = cb.y_pool[0] if cb.y_pool is not None else self.y
            ref = cb.lam * F.cross_entropy(self.pred, self.y, reduction='none')         # Eq. 10's loss, recomputed
            for r in range(cb.peers.shape[1]): ref = ref + cb.weights[:, r] * F.cross_entropy(self.pred, ys[cb.peers[:, r]], reduction='none')
            row['loss_ref'] = ref.mean().detach()
        if isinstance(cb, PaniVAT): row['peers'] = cb.peers.clone()
        if isinstance(cb, MixMatch): row.update(partners=cb.partners.clone(), lam=cb.lam.clone(), target=self.y.detach().clone())
        self.rows.append(row)
    def after_batch(self):
        if self.training and self.rows: self.rows[-1]['received'], self.received0 = RECEIVED[0] - self.received0, RECEIVED[0]

def learner(name):
    "(Learner, method callback) of config `name`"
    gather = name.endswith('_gather')
    base = name.removesuffix('_gather')
    if base.startswith('pani_mixup'):
        cb = PaniMixUp(patch_size=4, k=2, n_peers=2, layer='block1' if base.endswith('hidden') else None, gather_peers=gather)
        return Learner(digits_dls(bs=64, device='cpu'), SmallCNN(1, 10), loss_func=CrossEntropyLossFlat(), cbs=cb), cb
    dls, udl = ssl_dls(load_digits_arrays(), n_labeled=320, bs=32, unlabeled_bs=64, device='cpu')
    cb = dict(vat=lambda: VAT(eps=1.0, udl=udl),
              pani_vat=lambda: PaniVAT(n_peers=5, udl=udl, gather_peers=gather,
                                       layers={'input': dict(patch_size=2, k=4), 'block1': dict(patch_size=2, k=4, m=0.5)}),
              mixmatch=lambda: MixMatch(lambda_u=10, augment=CropFlip(flip=False), udl=udl, gather_peers=gather),
              pani_mixmatch=lambda: PaniMixMatch(patch_size=2, k=4, lambda_u=10, augment=CropFlip(flip=False), udl=udl,
                                                 gather_peers=gather))[base]()
    return Learner(dls, SmallCNN(1, 10), loss_func=CrossEntropyLossFlat(), cbs=cb), cb

CONFIGS = ['pani_mixup', 'pani_mixup_gather', 'pani_mixup_hidden_gather', 'vat', 'pani_vat', 'pani_vat_gather',
           'mixmatch', 'mixmatch_gather', 'pani_mixmatch', 'pani_mixmatch_gather']

def main(out, names):
    out = Path(out); out.mkdir(parents=True, exist_ok=True)
    for name in names:
        set_seed(0)
        learn, cb = learner(name)
        single = len(learn.dls.train)                     # batches per epoch with one process
        rec = Record(cb); learn.add_cb(rec)
        GATHERS.clear()
        with learn.distrib_ctx(cpu=True, sync_bn=False):
            rank, W = dist.get_rank(), dist.get_world_size()
            with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-2)
        w = torch.cat([p.detach().flatten() for p in learn.model.parameters()])
        torch.save(dict(name=name, rank=rank, world_size=W, weights=w, single_batches=single, n_batches=len(rec.rows),
                        udl_restored=not isinstance(getattr(cb, 'udl', None), DistributedDL),
                        rows=rec.rows[:3], received=[r.get('received') for r in rec.rows], gathers=GATHERS[:4]),
                   out/f'{name}_rank{rank}.pt')
        print(f'rank {rank}: {name} done ({len(rec.rows)} batches)', flush=True)
    dist.barrier()
    dist.destroy_process_group()

if __name__ == '__main__':
    torch.set_num_threads(1)
    main(sys.argv[1], sys.argv[2:] or CONFIGS)
