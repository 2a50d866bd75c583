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
from bench_mixup_step import time_steps, print_times
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
    times = time_steps(dls, methods, lambda: make_model(1, 10), a.repeats, a.steps, a.warmup)
    print_times(times, 'VAT', f"{a.model}, {'Fashion-MNIST' if fm else 'digits'}, {a.bs} labeled + {a.bs} unlabeled per step", a)

if __name__ == '__main__': main()
