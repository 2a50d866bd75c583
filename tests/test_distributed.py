"""Distributed training on 2 CPU processes (gloo): every registered method (and, where it has `gather_peers`, its
gathering variant) trains 1 epoch of SmallCNN on digits under `learn.distrib_ctx(cpu=True, sync_bn=False)`,
launched with `torchrun --nproc_per_node 2 tests/ddp_worker.py`. The worker patches fastai's
`DistributedDL._broadcast` (it calls `.cuda()`) for this CPU test only.

Checked here, from what each rank saved: identical weights on both ranks; half the batches per rank; unlabeled
batches sharded (no image drawn by both ranks); `gather_batch` returns every rank's rows in rank order with this
rank's at `offset`; with `gather_peers=True` peers come from the other rank's shard, Pani MixUp's loss is Eq. 10
with the gathered labels, MixMatch's targets mix the gathered targets; the bytes received match `gather_bytes`.
A new method is checked here without an edit: the configs come from the registry.
"""
import os, subprocess, sys
from pathlib import Path
import pytest, torch
from pani_nb.distributed import gather_bytes

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tests'))
from ddp_worker import configs
CONFIGS = configs()

@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp('ddp')
    torchrun = Path(sys.executable).parent/'torchrun'
    cmd = [str(torchrun) if torchrun.exists() else 'torchrun', '--standalone', '--nproc_per_node', '2',
           str(ROOT/'tests'/'ddp_worker.py'), str(out), *CONFIGS]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200,
                         env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert res.returncode == 0, f"torchrun failed ({res.returncode}):\n{res.stdout[-4000:]}\n{res.stderr[-8000:]}"
    return {c: [torch.load(out/f'{c}_rank{r}.pt', weights_only=False) for r in (0, 1)] for c in CONFIGS}

def test_every_method_is_checked():
    "Every method registered by name in the library's source (read here, not from the registry `CONFIGS` is built from) is a config"
    import re
    named = {m for f in (ROOT/'pani_nb').rglob('*.py') for m in re.findall(r"register_method\(\s*'(\w+)'", f.read_text())}
    assert len(named) >= 5 and named <= set(CONFIGS), named - set(CONFIGS)
    assert any(c.endswith('_gather') for c in CONFIGS)

@pytest.mark.parametrize('name', CONFIGS)
def test_each_trained_with_its_method(runs, name):
    "Each rank trained with the method's own callback on its Learner (plain training with none), on every batch"
    r0, r1 = runs[name]
    assert r0['name'] == r1['name'] == name and r0['cb'] == r1['cb']
    if name == 'erm': assert r0['cb'] is None
    else: assert r0['cb'] is not None and r0['n_batches'] > 0, (name, r0['cb'])

@pytest.mark.parametrize('name', CONFIGS)
def test_identical_weights_and_sharding(runs, name):
    r0, r1 = runs[name]
    assert (r0['rank'], r1['rank'], r0['world_size']) == (0, 1, 2)
    assert torch.equal(r0['weights'], r1['weights'])                      # DDP kept the replicas identical
    assert r0['n_batches'] == r1['n_batches'] == r0['single_batches'] // 2   # each rank: half the batches
    assert r0['udl_restored'] and r1['udl_restored']                     # the unlabeled loader is unsharded after fit
    if 'xu' in r0['rows'][0]:                                             # unlabeled batches: disjoint across ranks
        seen = [{tuple(x.flatten().tolist()) for row in r['rows'] for x in row['xu']} for r in (r0, r1)]
        assert len(seen[0]) == len(seen[1]) == sum(len(row['xu']) for row in r0['rows'])
        assert not seen[0] & seen[1]

@pytest.mark.parametrize('name', [c for c in CONFIGS if c.endswith('_gather')])
def test_gathered_pools(runs, name):
    r0, r1 = runs[name]
    assert r0['gathers'], 'gather_peers=True made no gather_batch call'
    for (in0, (out0, off0)), (in1, (out1, off1)) in zip(r0['gathers'], r1['gathers']):
        assert (off0, off1) == (0, len(in0[0]))                          # rank order, each rank's rows at its offset
        for a0, a1, p0, p1 in zip(in0, in1, out0, out1):
            assert torch.equal(p0, torch.cat([a0, a1])) and torch.equal(p1, p0)   # every rank's rows, the same pool everywhere
            assert not p0.requires_grad
    for r in (r0, r1):                                                     # peers span both shards
        rows = r['rows']
        key = 'partners' if 'partners' in rows[0] else 'peers'
        peers = torch.cat([row[key].flatten() for row in rows])
        n, off = len(rows[0][key]), rows[0]['offset']                      # the local batch's rows in the pool
        own = (peers >= off) & (peers < off + n)
        assert (~own).any() and own.any(), (name, r['rank'])

@pytest.mark.parametrize('name', ['pani_mixup', 'pani_mixup_gather', 'pani_mixup_hidden_gather'])
def test_pani_mixup_loss(runs, name):
    for r in runs[name]:
        for row in r['rows']:
            torch.testing.assert_close(row['loss'], row['loss_ref'])       # Eq. 10 with the (gathered) labels
            if not name.endswith('gather'): assert row['peers'].max() < row['n']

@pytest.mark.parametrize('name', ['mixmatch_gather', 'pani_mixmatch_gather'])
def test_mixmatch_targets(runs, name):
    for r in runs[name]:
        zs, ts = r['gathers'][0][0]
        (zp, tp), off = r['gathers'][0][1]
        row = r['rows'][0]
        lam, pa = row['lam'], row['partners']
        ref = lam[:, None] * ts + (1 - lam[:, None]) * tp[pa]
        torch.testing.assert_close(row['target'], ref)                     # targets mix the gathered targets

def test_gather_bytes(runs):
    "Bytes each rank received per step (all_gather counted in the worker) against `gather_bytes`"
    r0 = runs['pani_mixup_gather'][0]
    x_row, y_row = 1 * 8 * 8 * 4, 8                                        # a float32 1x8x8 digit, an int64 label
    n = r0['rows'][0]['n']
    assert r0['received'][0] == gather_bytes(n, x_row + y_row, 2, calls=2)   # labels in before_batch, images in the mix
    assert runs['pani_mixup'][0]['received'][0] == 0                       # gather_peers=False: nothing moved
