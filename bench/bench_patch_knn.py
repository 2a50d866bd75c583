"""Benchmark of `patch_knn` against its floor, the bare batched matmul of the same size.

For each setting: median time of `patch_knn` (similarities + top-k + bookkeeping, chunked), median
time of `torch.bmm` over the same (N, P, d) x (N, d, K1*P) sizes (which writes the whole similarity
tensor), their ratio, and the peak extra memory of each (measured in a fresh subprocess: the growth
of the process's peak RSS on the CPU, `max_memory_allocated` on CUDA). Then how `patch_knn`'s time
grows with N at fixed K1. Run: python bench/bench_patch_knn.py [--repeats R] [--quick]
"""
import argparse, json, resource, subprocess, sys, time
import torch, torch.nn.functional as F

SETTINGS = [  # name, N, C, H, patch size, K1, k
    ('VAT 28x28x1', 128, 1, 28, 2, 10, 10),
    ('VAT 32x32x3', 128, 3, 32, 2, 10, 10),
    ('MixUp 28x28x1 s7', 128, 1, 28, 7, 1, 1),
    ('MixUp 28x28x1 s7', 128, 1, 28, 7, 2, 4),
    ('MixUp 32x32x3 s8', 128, 3, 32, 8, 1, 1),
    ('MixUp 32x32x3 s8', 128, 3, 32, 8, 2, 4),
]

def inputs(N, C, H, s, K1, device, seed=0):
    from pani_nb.patches import extract_patches
    from pani_nb.graph import random_peers
    g = torch.Generator().manual_seed(seed)
    z = torch.rand(N, C, H, H, generator=g).to(device)
    return extract_patches(z, s), random_peers(N, K1, generator=g).to(device)

def make_fns(patches, peers, k):
    from pani_nb.graph import patch_knn
    N, P, d = patches.shape
    pn = F.normalize(patches, dim=-1)
    candT = pn[peers].reshape(N, -1, d).transpose(1, 2).contiguous()
    return {'patch_knn': lambda: patch_knn(patches, peers, k), 'floor': lambda: torch.bmm(pn, candT)}

def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()

def median_time(fn, device, repeats):
    fn(); fn(); sync(device)
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); fn(); sync(device); ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2], (ts[(3 * len(ts)) // 4] - ts[len(ts) // 4])

def peak_child(args):
    "Run in a subprocess: peak extra memory (bytes) of one call of `which`"
    name, N, C, H, s, K1, k, which, device = args
    device = torch.device(device)
    patches, peers = inputs(N, C, H, s, K1, device)
    fn = make_fns(patches, peers, k)[which]
    if device.type == 'cuda':
        torch.cuda.synchronize(); base = torch.cuda.memory_allocated(); torch.cuda.reset_peak_memory_stats()
        out = fn(); torch.cuda.synchronize(); return torch.cuda.max_memory_allocated() - base
    return cpu_peak(fn)

def _rss():
    with open('/proc/self/statm') as f: return int(f.read().split()[1]) * resource.getpagesize()

def cpu_peak(fn):
    "Peak growth of the resident set while `fn` runs, sampled every 0.2 ms by a thread (torch ops release the GIL)"
    import threading
    base, peak, done = _rss(), [0], threading.Event()
    def poll():
        while not done.is_set(): peak[0] = max(peak[0], _rss()); time.sleep(0.0002)
    t = threading.Thread(target=poll); t.start()
    try: out = fn()
    finally: done.set(); t.join()
    return max(peak[0], _rss()) - base

def peak(setting, which, device):
    code = f"import sys, json; sys.path.insert(0, 'bench'); from bench_patch_knn import peak_child; print(json.dumps(peak_child({json.dumps(list(setting) + [which, str(device)])})))"
    res = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--repeats', type=int, default=15)
    ap.add_argument('--quick', action='store_true', help='fewer repeats and no N sweep beyond 256')
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    a = ap.parse_args()
    device, R = torch.device(a.device), (5 if a.quick else a.repeats)
    print(f"device: {device}, torch {torch.__version__}, threads {torch.get_num_threads()}, repeats {R}\n")
    print(f"{'setting':18s} {'K1':>3s} {'k':>3s} {'sims MB':>8s} {'patch_knn ms':>13s} {'floor ms':>9s} {'ratio':>6s} {'peak MB':>8s} {'floor peak MB':>14s}")
    for st in SETTINGS:
        name, N, C, H, s, K1, k = st
        patches, peers = inputs(N, C, H, s, K1, device)
        fns = make_fns(patches, peers, k)
        t_knn, iqr_knn = median_time(fns['patch_knn'], device, R)
        t_fl, iqr_fl = median_time(fns['floor'], device, R)
        P = patches.shape[1]
        sims_mb = N * P * K1 * P * 4 / 2**20
        pk, pf = peak(st, 'patch_knn', device) / 2**20, peak(st, 'floor', device) / 2**20
        print(f"{name:18s} {K1:3d} {k:3d} {sims_mb:8.1f} {t_knn*1e3:9.2f}±{iqr_knn*1e3/2:<4.2f}"
              f"{t_fl*1e3:8.2f} {t_knn/t_fl:6.2f} {pk:8.1f} {pf:14.1f}")
    print("\n(± is half the interquartile range of the repeats; peak = growth of the resident set during the call, sampled every 0.2 ms)")
    print("\nscaling with N (VAT 32x32x3, s=2, K1=10, k=10): time should grow linearly")
    print(f"{'N':>5s} {'patch_knn ms':>13s} {'ms per sample':>14s} {'floor ms':>9s} {'ratio':>6s}")
    for N in ((64, 128, 256) if a.quick else (64, 128, 256, 512)):
        patches, peers = inputs(N, 3, 32, 2, 10, device)
        fns = make_fns(patches, peers, 10)
        t_knn, _ = median_time(fns['patch_knn'], device, max(3, R // 3))
        t_fl, _ = median_time(fns['floor'], device, max(3, R // 3))
        print(f"{N:5d} {t_knn*1e3:13.1f} {t_knn*1e3/N:14.3f} {t_fl*1e3:9.1f} {t_knn/t_fl:6.2f}")

if __name__ == '__main__': main()
