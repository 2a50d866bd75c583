"""The supervised comparison (the paper's Table 2 at CPU scale): ERM, MixUp, CutMix and PaniMixUp.

SmallCNN on Fashion-MNIST (official 60k/10k split), without and with augmentation (random crop with
padding 4 + horizontal flip), the same epochs, one-cycle schedule, learning rate and batch size for
every method, several seeds. Writes one JSON record per run (test error, seconds per epoch, per-epoch
validation error) to --out as it goes (a temporary file renamed over the old one, never half-written).
Run order interleaves the methods inside each seed, so a slower or busier machine hits them alike.
Run: python bench/compare_supervised.py --epochs 4 --seeds 0,1,2 --out bench/results/supervised_fashion_mnist.json
"""
import argparse, json, os, tempfile, time
from pathlib import Path
import torch
from fastai.callback.mixup import MixUp, CutMix
from fastai.learner import Learner
from fastai.metrics import error_rate
import fastai.callback.progress, fastai.callback.schedule
from pani_nb.core import set_seed
from pani_nb.data import fashion_mnist_dls, digits_dls
from pani_nb.models import SmallCNN
from pani_nb.callback.mixup import PaniMixUp

def methods(augment, image_size):
    # paper: patch 8 of 32 (a quarter of the side) without augmentation, 16 (half) with; a = 2.5 / 2.0; mask 0.4 / 0.6
    s = image_size // 2 if augment else image_size // 4
    return {
        'ERM': lambda: [],
        'MixUp': lambda: [MixUp(1.0)],
        'CutMix': lambda: [CutMix(1.0)],
        'PaniMixUp': lambda: [PaniMixUp(alpha=2.0 if augment else 2.5, patch_size=s, n_peers=1, k=4,
                                        mask_ratio=0.6 if augment else 0.4)],
    }

def save(records, out):
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix='.' + out.name)
    with os.fdopen(fd, 'w') as f: json.dump(records, f, indent=1)
    os.replace(tmp, out)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dataset', default='fashion_mnist', choices=['fashion_mnist', 'digits'])
    ap.add_argument('--epochs', type=int, default=4)
    ap.add_argument('--seeds', default='0,1,2')
    ap.add_argument('--lr', type=float, default=1e-2)
    ap.add_argument('--bs', type=int, default=128)
    ap.add_argument('--augment', default='0,1', help='0: without augmentation, 1: with; comma-separated')
    ap.add_argument('--out', default='bench/results/supervised_fashion_mnist.json')
    a = ap.parse_args()
    out, records = Path(a.out), []
    if out.exists(): records = json.loads(out.read_text())
    done = {(r['augment'], r['method'], r['seed']) for r in records if r['epochs'] == a.epochs}
    for seed in map(int, a.seeds.split(',')):
        for augment in map(bool, map(int, a.augment.split(','))):
            if a.dataset == 'fashion_mnist': dls = fashion_mnist_dls(bs=a.bs, augment=augment)
            else: dls = digits_dls(bs=a.bs)
            size = dls.one_batch()[0].shape[-1]
            for name, make in methods(augment, size).items():
                if (augment, name, seed) in done: continue
                set_seed(seed)
                learn = Learner(dls, SmallCNN(1, 10), metrics=error_rate)
                start = time.perf_counter()
                with learn.no_bar(): learn.fit_one_cycle(a.epochs, a.lr, cbs=make())
                secs = (time.perf_counter() - start) / a.epochs
                errs = [float(v[-1]) for v in learn.recorder.values]
                records.append(dict(dataset=a.dataset, augment=augment, method=name, seed=seed, epochs=a.epochs, lr=a.lr,
                                    bs=a.bs, test_error=errs[-1], valid_error_per_epoch=errs, secs_per_epoch=secs,
                                    threads=torch.get_num_threads(), torch=torch.__version__))
                save(records, out)
                print(f"seed {seed} augment {augment} {name:10s} test error {100*errs[-1]:.2f}%  {secs:.1f} s/epoch", flush=True)

if __name__ == '__main__': main()
