"""Training-step time of PaniVAT against VAT (and supervised-only), measured side by side.

SmallCNN, 128 labeled + 128 unlabeled Fashion-MNIST images per step (digits if it is not installed),
the paper's input-only Pani VAT setting (patch size 2, K1 = 10, K2 = 10, eps = 2), CPU (or CUDA; with
`--model convlarge` the VAT paper's ConvLarge). Each repeat runs every method in turn for `--steps`
timed steps after `--warmup`; a step is timed from `before_batch` to `after_step`.
Prints the median step time per method and the ratio PaniVAT / VAT per repeat: mean ± std.
Run: python bench/bench_vat_step.py [--repeats 5] [--steps 20] [--model smallcnn|convlarge]
"""
import argparse, statistics, sys
from pathlib import Path
import torch
from fastai.learner import Learner
import fastai.callback.progress
sys.path.insert(0, str(Path(__file__).parent))
from bench_mixup_step import StepTimer
from pani_nb.core import set_seed
from pani_nb.data import load_fashion_mnist, load_digits_arrays, ssl_dls, DEBIAN_FASHION_MNIST
from pani_nb.models import SmallCNN, ConvLarge
from pani_nb.callback.vat import VAT, PaniVAT

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--bs', type=int, default=128)
    ap.add_argument('--model', default='smallcnn', choices=['smallcnn', 'convlarge'])
    a = ap.parse_args()
    fm = (DEBIAN_FASHION_MNIST/'train-images-idx3-ubyte.gz').exists()
    data = load_fashion_mnist() if fm else load_digits_arrays()
    dls, udl = ssl_dls(data, n_labeled=1000, bs=a.bs, unlabeled_bs=a.bs)
    make_model = {'smallcnn': SmallCNN, 'convlarge': ConvLarge}[a.model]
    methods = {'supervised': lambda: [], 'VAT': lambda: [VAT(eps=2.0, udl=udl)],
               'PaniVAT (input)': lambda: [PaniVAT(eps=2.0, n_peers=10, udl=udl)]}
    times = {m: [] for m in methods}
    for r in range(a.repeats):
        for name, make in methods.items():
            set_seed(r)
            learn = Learner(dls, make_model(1, 10))
            timer = StepTimer(a.steps, a.warmup)
            with learn.no_bar(), learn.no_logging(): learn.fit(100, 1e-3, cbs=[timer] + make())
            times[name].append(statistics.median(timer.times))
    dev = 'cuda' if torch.cuda.is_available() else f'cpu ({torch.get_num_threads()} threads)'
    print(f"{a.model}, {'Fashion-MNIST' if fm else 'digits'}, {a.bs} labeled + {a.bs} unlabeled per step, {dev}, "
          f"torch {torch.__version__}; {a.repeats} repeats x {a.steps} steps (median step per repeat)\n")
    print(f"{'method':18s} {'ms/step (mean ± std over repeats)':>34s} {'/ VAT':>8s}")
    for name, ts in times.items():
        ratios = [t / b for t, b in zip(ts, times['VAT'])]
        print(f"{name:18s} {statistics.mean(ts)*1e3:25.1f} ± {statistics.stdev(ts)*1e3:5.1f} "
              f"{statistics.mean(ratios):8.3f} ± {statistics.stdev(ratios):.3f}")

if __name__ == '__main__': main()
