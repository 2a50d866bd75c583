"""`pani-bench --checkpoint-every` across processes (issue 33): a run killed with SIGKILL resumes from its last checkpoint
and ends with the same record (error, curves) as the uninterrupted run of the same seed; `--log` writes the logs and
changes no result. The callback itself is tested in `nbs/33_checkpoint.ipynb`."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest, torch

ARGS = ['--dataset', 'digits', '--methods', 'pani_mixup,mixmatch', '--set', 'pani_mixup.p=0.5', '--set', 'pani_mixup.patch_size=2',
        '--seeds', '0', '--epochs', '6', '--threads', '1', '--no-bar']
SAME = ('error', 'error_median_last', 'curve', 'train_loss', 'eval_loss')

def bench(out, *extra, wait=True):
    cmd = [sys.executable, '-c', 'import sys; from pani_nb.bench.cli import main; sys.exit(main())', *ARGS, '--out', str(out), *extra]
    env = dict(os.environ, PYTHONWARNINGS='ignore', WANDB_MODE='offline', WANDB_SILENT='true')
    if wait: return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)

def records(out): return {r['method']: r for r in json.loads((Path(out)/'results.json').read_text())['runs']}

@pytest.fixture(scope='module')
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp('whole')
    res = bench(out)
    assert res.returncode == 0, res.stderr[-2000:]
    return records(out)

def test_killed_run_resumes_to_the_same_record(uninterrupted, tmp_path):
    out = tmp_path/'killed'
    p = bench(out, '--checkpoint-every', '1', wait=False)
    deadline, killed_at = time.time() + 600, None
    while time.time() < deadline and p.poll() is None:
        for ck in (out/'checkpoints').glob('*.pt'):
            try: epoch = torch.load(ck, weights_only=False)['epoch']
            except Exception: continue                        # replaced while read: look again
            if epoch >= 2: killed_at = epoch; break
        if killed_at: break
        time.sleep(0.05)
    assert killed_at and p.poll() is None, "the run ended before a checkpoint of epoch 2 was seen"
    os.kill(p.pid, signal.SIGKILL); p.wait()
    before = records(out) if (out/'results.json').exists() else {}
    assert len(before) < 2 and list((out/'checkpoints').glob('*.pt'))   # killed mid-run, its checkpoint left
    res = bench(out, '--checkpoint-every', '1')                     # the same command again
    assert res.returncode == 0, res.stderr[-2000:]
    got = records(out)
    for m, rec in uninterrupted.items():
        for k in SAME: assert got[m][k] == rec[k], (m, k, got[m][k], rec[k])
    resumed = [r['resumed_from_epoch'] for r in got.values() if r.get('resumed_from_epoch')]
    assert len(resumed) == 1 and resumed[0] >= killed_at, resumed          # resumed (a later checkpoint may have come before the kill), not redone
    assert not list((out/'checkpoints').glob('*.pt'))                   # removed once the records are written

def test_logs_change_nothing(uninterrupted, tmp_path):
    kinds = ['csv']
    for k in ('tensorboard', 'wandb'):
        try: __import__(k); kinds.append(k)
        except ImportError: pass
    out = tmp_path/'logged'
    res = bench(out, '--log', ','.join(kinds))
    assert res.returncode == 0, res.stderr[-2000:]
    got = records(out)
    for m, rec in uninterrupted.items():
        for k in SAME: assert got[m][k] == rec[k], (m, k)
    csvs = sorted((out/'logs'/'csv').glob('*.csv'))
    assert len(csvs) == 2 and all(len(f.read_text().splitlines()) == 1 + 6 for f in csvs)   # a header and a line per epoch
    if 'tensorboard' in kinds: assert len(list((out/'logs'/'tensorboard').glob('*/events.out.tfevents.*'))) == 2
    if 'wandb' in kinds: assert len(list((out/'logs'/'wandb'/'wandb').glob('offline-run-*'))) == 2

def test_bad_flags(tmp_path):
    res = bench(tmp_path, '--log', 'mlflow')
    assert res.returncode == 2 and "unknown logger(s) ['mlflow']" in res.stderr
    res = bench(tmp_path, '--checkpoint-every', '-1')
    assert res.returncode == 2 and '`checkpoint_every` must be' in res.stderr
