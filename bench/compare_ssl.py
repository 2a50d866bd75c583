"""The semi-supervised comparison (the paper's Tables 1 and 3 at CPU scale): supervised only, VAT, Pani VAT (input),
Pani VAT (+hidden), MixMatch, Pani MixMatch.

Fashion-MNIST with 1000 labels (100 per class), SmallCNN; every method gets the same budget: `--epochs` passes
over the labeled set in batches of 128 labeled + 128 unlabeled images, one-cycle schedule, the same learning rate.
1. Tuning: one hyperparameter per method (eps for the VAT family, lambda_u for the MixMatch family) is chosen on a
   validation split carved from the labeled data (`--n-valid` of the labels held out, labeled draw of seed 0):
   train on the rest with every value of the method's grid, keep the value with the lowest validation error
   (ties: the smaller value). The test split is never looked at.
2. Final runs: each method with its chosen value, trained on all the labels, for every seed (each seed draws its
   own labeled set); test error on the official 10k test split.
Validation runs once, after the last epoch (`ValidateAtEnd`), so seconds per epoch are training time only.
Writes {'tuning': [...], 'runs': [...]} to --out as it goes (a temporary file renamed over the old one) and skips
runs already in the file, so an interrupted run resumes.
Records written by an older version (with `eps` instead of `param`/`value`) are read as eps.
Run: python bench/compare_ssl.py --epochs 40 --seeds 0,1,2 --out bench/results/ssl_fashion_mnist.json
"""
import argparse, json, sys, time
from pathlib import Path
import torch
from fastai.learner import Learner
from fastai.callback.core import Callback, CancelValidException
from fastai.metrics import error_rate
import fastai.callback.progress, fastai.callback.schedule
sys.path.insert(0, str(Path(__file__).parent))
from compare_supervised import save
from pani_nb.core import set_seed
from pani_nb.data import load_fashion_mnist, load_digits_arrays, ssl_dls
from pani_nb.models import SmallCNN
from pani_nb.callback.vat import VAT, PaniVAT
from pani_nb.callback.mixmatch import MixMatch, PaniMixMatch

# the hidden layer of "+hidden": SmallCNN's first pooled feature map (14x14x32 on 28x28 inputs), K2 = 50, m = 0.5 (paper)
HIDDEN = {'input': dict(patch_size=2, k=10, m=1.0), 'pool1': dict(patch_size=2, k=50, m=0.5)}
# Pani MixMatch: the paper gives no setting; Pani MixUp's without-augmentation one mapped to 28x28 (patch 7, k 4, mask 0.4)
METHODS = {  # name: (callbacks from (value, udl), the tuned hyperparameter, its grid; None: nothing to tune)
    'supervised': (lambda v, udl: [], None, None),
    'VAT': (lambda v, udl: [VAT(eps=v, udl=udl)], 'eps', (1.0, 3.0, 9.0)),
    'PaniVAT (input)': (lambda v, udl: [PaniVAT(eps=v, n_peers=10, udl=udl)], 'eps', (0.5, 2.0, 8.0)),
    'PaniVAT (+hidden)': (lambda v, udl: [PaniVAT(eps=v, n_peers=10, layers=HIDDEN, udl=udl)], 'eps', (0.5, 2.0, 8.0)),
    'MixMatch': (lambda v, udl: [MixMatch(lambda_u=v, udl=udl)], 'lambda_u', (10.0, 75.0)),
    'PaniMixMatch': (lambda v, udl: [PaniMixMatch(patch_size=7, k=4, mask_ratio=0.4, lambda_u=v, udl=udl)], 'lambda_u', (10.0, 75.0)),
}

class ValidateAtEnd(Callback):
    "Skip validation except after the last epoch; sum the training time of the epochs in `train_secs`"
    order = -10
    def before_fit(self): self.train_secs = 0.
    def before_train(self): self._start = time.perf_counter()
    def after_train(self): self.train_secs += time.perf_counter() - self._start
    def before_validate(self):
        if self.epoch < self.n_epoch - 1: raise CancelValidException()

def train(data, method, value, seed, a, n_valid=0):
    "Train one method: (error on the validation split or the test split, seconds per epoch, ms per step)"
    set_seed(seed)
    dls, udl = ssl_dls(data, n_labeled=a.labels, seed=seed, bs=a.bs, unlabeled_bs=a.bs, n_valid=n_valid)
    timer = ValidateAtEnd()
    learn = Learner(dls, SmallCNN(data.x_train.shape[1], data.n_classes), metrics=error_rate)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(a.epochs, a.lr, cbs=[timer] + METHODS[method][0](value, udl))
    err = float(learn.recorder.values[-1][-1])
    return err, timer.train_secs / a.epochs, 1e3 * timer.train_secs / (a.epochs * len(dls.train))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dataset', default='fashion_mnist', choices=['fashion_mnist', 'digits'])
    ap.add_argument('--labels', type=int, default=1000)
    ap.add_argument('--n-valid', type=int, default=200, help='labels held out for tuning (eps or lambda_u)')
    ap.add_argument('--epochs', type=int, default=40, help='passes over the labeled set')
    ap.add_argument('--seeds', default='0,1,2')
    ap.add_argument('--lr', type=float, default=1e-2)
    ap.add_argument('--bs', type=int, default=128, help='labeled and unlabeled images per step, each')
    ap.add_argument('--methods', default=','.join(METHODS))
    ap.add_argument('--out', default='bench/results/ssl_fashion_mnist.json')
    a = ap.parse_args()
    unknown = set(a.methods.split(',')) - set(METHODS)
    if unknown: ap.error(f"unknown methods {sorted(unknown)}; choose from {list(METHODS)}")
    data = load_fashion_mnist() if a.dataset == 'fashion_mnist' else load_digits_arrays()
    out = Path(a.out)
    res = json.loads(out.read_text()) if out.exists() else {'tuning': [], 'runs': []}
    for r in res['tuning'] + res['runs']:   # older records: `eps`
        if 'value' not in r: r['param'], r['value'] = (None if r.get('eps') is None else 'eps'), r.pop('eps', None)
    common = dict(dataset=a.dataset, labels=a.labels, epochs=a.epochs, lr=a.lr, bs=a.bs,
                  threads=torch.get_num_threads(), torch=torch.__version__)
    same = lambda r: all(r[k] == common[k] for k in ('dataset', 'labels', 'epochs', 'lr', 'bs'))
    chosen = {}
    for method in a.methods.split(','):
        _, param, grid = METHODS[method]
        if grid is None: chosen[method] = None; continue
        for v in grid:
            if any(same(r) and r['method'] == method and r['value'] == v for r in res['tuning']): continue
            err, secs, ms = train(data, method, v, 0, a, n_valid=a.n_valid)
            res['tuning'].append(dict(common, method=method, param=param, value=v, n_valid=a.n_valid, valid_error=err,
                                      secs_per_epoch=secs, ms_per_step=ms))
            save(res, out)
            print(f"tuning {method:18s} {param} {v:5.1f}: validation error {100*err:.2f}%  {secs:.1f} s/epoch", flush=True)
        tuned = [r for r in res['tuning'] if same(r) and r['method'] == method]
        chosen[method] = min(tuned, key=lambda r: (r['valid_error'], r['value']))['value']
        print(f"chosen {param} for {method}: {chosen[method]}", flush=True)
    for seed in map(int, a.seeds.split(',')):
        for method, v in chosen.items():
            if any(same(r) and r['method'] == method and r['seed'] == seed and r['value'] == v for r in res['runs']): continue
            err, secs, ms = train(data, method, v, seed, a)
            res['runs'].append(dict(common, method=method, param=METHODS[method][1], value=v, seed=seed, test_error=err,
                                    secs_per_epoch=secs, ms_per_step=ms))
            save(res, out)
            print(f"seed {seed} {method:18s} {METHODS[method][1]} {v}: test error {100*err:.2f}%  {secs:.1f} s/epoch  {ms:.0f} ms/step", flush=True)

if __name__ == '__main__': main()
