"""Training-step time of PaniMixUp against fastai's MixUp (and ERM, CutMix), measured side by side.

SmallCNN on Fashion-MNIST (digits if it is not installed), batch size 128, CPU (or CUDA when present).
Each repeat runs every method in turn (interleaved, so drifts of the machine hit all alike) for
`--steps` timed steps after `--warmup` steps; a step is timed from `before_batch` to `after_step`
(mixing, forward, loss, backward, optimizer step; data loading excluded, it is the same for all).
Prints per method the median step time, and the ratio PaniMixUp / MixUp per repeat: mean ± std.
Run: python bench/bench_mixup_step.py [--repeats 5] [--steps 30]
"""
import argparse, statistics, time
import torch
from fastai.callback.core import Callback, CancelFitException
from fastai.callback.mixup import MixUp, CutMix
from fastai.learner import Learner
import fastai.callback.progress  # Learner.no_bar
from pani_nb.core import set_seed
from pani_nb.data import fashion_mnist_dls, digits_dls, DEBIAN_FASHION_MNIST
from pani_nb.models import SmallCNN
from pani_nb.callback.mixup import PaniMixUp

class StepTimer(Callback):
    "Time `n` steps after `warmup` steps, then stop the fit"
    order = -10
    def __init__(self, n, warmup): self.n, self.warmup, self.times = n, warmup, []
    def before_fit(self): self.i = 0
    def before_batch(self):
        if torch.cuda.is_available(): torch.cuda.synchronize()
        self.t = time.perf_counter()
    def after_step(self):
        if torch.cuda.is_available(): torch.cuda.synchronize()
        if self.i >= self.warmup: self.times.append(time.perf_counter() - self.t)
        self.i += 1
        if len(self.times) >= self.n: raise CancelFitException()

def time_steps(dls, methods, make_model, repeats, steps, warmup):
    "{method: [median step time (s) of each repeat]}: each repeat runs every method in turn, `steps` timed steps after `warmup`"
    times = {m: [] for m in methods}
    for r in range(repeats):
        for name, make in methods.items():
            set_seed(r)
            learn = Learner(dls, make_model())
            timer = StepTimer(steps, warmup)
            with learn.no_bar(), learn.no_logging(): learn.fit(1000, 1e-3, cbs=[timer] + make())   # StepTimer ends the fit
            times[name].append(statistics.median(timer.times))
    return times

def print_times(times, base, setting, a):
    "Per method: ms/step mean ± std over repeats, and the per-repeat ratio to `base`: mean ± std"
    dev = 'cuda' if torch.cuda.is_available() else f'cpu ({torch.get_num_threads()} threads)'
    print(f"{setting}, {dev}, torch {torch.__version__}; {a.repeats} repeats x {a.steps} steps (median step per repeat)\n")
    print(f"{'method':18s} {'ms/step (mean ± std over repeats)':>34s} {'/ ' + base:>8s}")
    for name, ts in times.items():
        ratios = [t / b for t, b in zip(ts, times[base])]
        print(f"{name:18s} {statistics.mean(ts)*1e3:25.1f} ± {statistics.stdev(ts)*1e3:5.1f} "
              f"{statistics.mean(ratios):8.3f} ± {statistics.stdev(ratios):.3f}")

def methods(patch_size, alpha=2.5, mask_ratio=0.4):
    return {
        'erm': lambda: [],
        'mixup': lambda: [MixUp(0.4)],
        'cutmix': lambda: [CutMix(1.0)],
        'pani_mixup': lambda: [PaniMixUp(alpha=alpha, patch_size=patch_size, n_peers=1, k=4, mask_ratio=mask_ratio)],
        'pani_mixup K1=2': lambda: [PaniMixUp(alpha=alpha, patch_size=patch_size, n_peers=2, k=4, mask_ratio=mask_ratio)],
    }

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--steps', type=int, default=30)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--bs', type=int, default=128)
    ap.add_argument('--augment', action='store_true', help="crop + flip, and the paper's setting for it: patch = half the side, alpha 2, mask 0.6")
    a = ap.parse_args()
    fm = (DEBIAN_FASHION_MNIST/'train-images-idx3-ubyte.gz').exists()
    dls = fashion_mnist_dls(bs=a.bs, augment=a.augment) if fm else digits_dls(bs=a.bs)
    side = 28 if fm else 8
    ms = methods(side // 2, 2.0, 0.6) if a.augment else methods(side // 4)
    times = time_steps(dls, ms, lambda: SmallCNN(1, 10), a.repeats, a.steps, a.warmup)
    print_times(times, 'mixup', f"SmallCNN, {'Fashion-MNIST' if fm else 'digits'}{' with augmentation' if a.augment else ''}, bs {a.bs}", a)

if __name__ == '__main__': main()
