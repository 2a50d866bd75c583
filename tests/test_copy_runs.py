"`tools/copy_runs.py`: runs of other results files that a preset's plan contains are copied by key and relabeled; nothing else is"
import json, subprocess, sys
from pathlib import Path
from pani_nb.bench import PRESETS, Results, load_runs

ROOT = Path(__file__).resolve().parents[1]

def _rec(cfg, group, method, seed, err):
    return dict(key=cfg.key(), config=dict(vars(cfg)), params=dict(cfg.params), split='test', error=err, error_median_last=err,
                curve=[(40, err)], train_loss=[(40, 0.1)], secs_per_epoch=1.0, group=group, stage='final', method=method, seed=seed, tuned={})

def test_copy_runs(tmp_path):
    g = PRESETS['regime-mixup'].groups[2]                                    # '6000 labels, SmallCNN': erm and mixup (alpha 1.0)
    src = Results(tmp_path/'src', plot=False)
    src.add(_rec(g.config('erm', 0), 'old name', 'erm', 0, 0.11))
    src.add(_rec(g.config('mixup', 1), 'old name', 'mixup', 1, 0.10))
    other = g.config('mixup', 1); other.params = dict(alpha=0.2)             # not in the plan: another alpha
    src.add(_rec(other, 'old name', 'mixup', 1, 0.12))
    out = tmp_path/'out'
    r = subprocess.run([sys.executable, str(ROOT/'tools/copy_runs.py'), 'regime-mixup', str(out), str(tmp_path/'src')],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith('2 record(s)'), r.stdout
    runs = load_runs(out)
    assert sorted((x['method'], x['seed'], x['group'], x['error']) for x in runs) == [('erm', 0, '6000 labels, SmallCNN', 0.11),
                                                                                     ('mixup', 1, '6000 labels, SmallCNN', 0.10)]
    assert {x['key'] for x in runs} == {g.config('erm', 0).key(), g.config('mixup', 1).key()}
    r = subprocess.run([sys.executable, str(ROOT/'tools/copy_runs.py'), 'regime-mixup', str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.stdout.startswith('0 record(s)'), r.stdout                      # nothing left to do: the file is unchanged
