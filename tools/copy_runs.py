"""Copy finished runs into a preset's results file: records of other results files whose configurations (keys) the
preset's plan contains, relabeled with the plan's group, stage, row, seed and tuned values; the file's own records
are relabeled the same way (after a group is renamed). A run is its configuration, so a copied run is the run the
preset would train; the runner then skips it.

Usage: python tools/copy_runs.py PRESET OUT [SOURCE_RESULTS ...]
e.g.   python tools/copy_runs.py regime-mixup bench/results/regime-mixup bench/results/evidence-sup-6000"""
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pani_nb.core import check_choice
from pani_nb.bench import PRESETS, Results, load_runs
from pani_nb.bench import tuning_todo, final_todo, label_record

def copy_runs(preset:str, out, sources=()):
    "Copy and relabel; returns the number of records written"
    groups = PRESETS[check_choice('preset', preset, PRESETS)].groups
    res = Results(out)
    pool = {r['key']: r for src in sources for r in load_runs(src, stage=None)} | {r['key']: r for r in res.runs}
    n = 0
    def take(todo):
        nonlocal n
        recs = []
        for cfg, group, stage, tuned, row in todo:
            r = pool.get(cfg.key())
            if r is None: continue
            new = label_record(r, group, stage, tuned, row, cfg.seed)
            if res.get(cfg.key()) != new: res.add(new); n += 1
            recs.append(new)
        return recs
    for g in groups:
        todo = tuning_todo(g)
        tuning = take(todo)
        done = {m for m in g.methods if sum(t[4] == m for t in todo) == sum(r['method'] == m for r in tuning)}
        take([t for t in final_todo(g, tuning) if t[4] in done])    # a row's final settings need all of its tuning runs
    return n

if __name__ == '__main__':
    if len(sys.argv) < 3: sys.exit(__doc__)
    print(f"{copy_runs(sys.argv[1], sys.argv[2], sys.argv[3:])} record(s) copied or relabeled into {sys.argv[2]}/results.json")
