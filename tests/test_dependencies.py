"""Runtime dependencies and a quiet import.

Every package that `pani_nb` imports at run time (at module level or inside a function), directly or through a
fastai module that needs a package fastai itself does not require, must be in `[project].dependencies`, not in
an extra: `pip install -e .` alone must give a working library. CI proves it end to end by running README's main
job in a new venv without extras; this test names the missing package without building a venv.
Importing the package prints nothing (no warning): checked in fresh interpreters."""
import ast, re, subprocess, sys
from importlib.metadata import packages_distributions
from pathlib import Path
import pytest

try: import tomllib
except ModuleNotFoundError: import tomli as tomllib   # Python 3.10

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT/'pyproject.toml').read_text())
# fastai modules that import a package fastai does not list as a requirement (they fail without it)
FASTAI_OPTIONAL = {'fastai.distributed': 'accelerate', 'fastai.callback.tensorboard': 'tensorboard',
                   'fastai.callback.wandb': 'wandb', 'fastai.callback.comet': 'comet_ml', 'fastai.callback.neptune': 'neptune',
                   'fastai.callback.azureml': 'azureml-core', 'fastai.callback.captum': 'captum'}
DEV_ONLY = {'nbdev', 'IPython', 'nbformat', 'nbconvert', 'yaml', 'hypothesis', 'pytest', 'execnb'}

def norm(name): return re.sub(r'[-_.]+', '-', name).lower()
def req_name(req): return norm(re.split(r'[\s<>=!~;\[(]', req.strip(), maxsplit=1)[0])

def _guarded(tree):
    "Import nodes inside a `try` whose handler catches ImportError: optional imports, the code runs without them"
    out = set()
    for t in ast.walk(tree):
        if isinstance(t, ast.Try) and any(isinstance(h.type, ast.Name) and h.type.id in ('ImportError', 'ModuleNotFoundError') for h in t.handlers):
            out |= {id(n) for stmt in t.body for n in ast.walk(stmt) if isinstance(n, (ast.Import, ast.ImportFrom))}
    return out

def imports(root=ROOT/'pani_nb', optional=False):
    "{absolute module name: [file:line, ...]} of every import statement in the package (`optional`: only the guarded ones, else the others)"
    out = {}
    for f in sorted(root.rglob('*.py')):
        tree = ast.parse(f.read_text())
        guarded = _guarded(tree)
        for node in ast.walk(tree):
            if (id(node) in guarded) != optional: continue
            if isinstance(node, ast.Import): names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module: names = [node.module] + [f'{node.module}.{a.name}' for a in node.names]
            else: continue
            for n in names: out.setdefault(n, []).append(f'{f.relative_to(root.parent)}:{node.lineno}')
    return out

def missing_dependencies(found:dict, requirements:list):
    "{distribution: [file:line]} of the imports in `found` whose distribution is not in `requirements`"
    reqs = {req_name(r) for r in requirements}
    dists, missing = packages_distributions(), {}
    for mod, where in found.items():
        top = mod.split('.')[0]
        if top in sys.stdlib_module_names or top in ('pani_nb', '__future__'): continue
        needed = {norm(d) for d in dists.get(top, [top])}
        needed |= {norm(dist) for prefix, dist in FASTAI_OPTIONAL.items() if mod == prefix or mod.startswith(prefix + '.')}
        for d in needed - reqs: missing.setdefault(d, []).extend(where)
    return missing

def test_runtime_imports_are_runtime_dependencies():
    missing = missing_dependencies(imports(), PYPROJECT['project']['dependencies'])
    assert not missing, ("imported at run time but not in [project].dependencies (an extra is not enough: "
                         f"`pip install -e .` must give a working library): {missing}")

def test_optional_imports_are_an_extra():
    "An import the code guards (`try: import numba except ImportError`) is optional: it must be in an extra other than dev"
    extras = {e: {req_name(r) for r in reqs} for e, reqs in PYPROJECT['project']['optional-dependencies'].items() if e != 'dev'}
    found = imports(optional=True)
    assert found, "the library has no optional import (the check would pass vacuously)"
    def dists(m):   # the distributions an optional import needs: its package's, or the one a fastai module needs
        fastai_needs = [d for prefix, d in FASTAI_OPTIONAL.items() if m == prefix or m.startswith(prefix + '.')]
        return {norm(d) for d in fastai_needs} if fastai_needs else {norm(m.split('.')[0])}
    have = set().union(*extras.values())
    missing = {m: w for m, w in found.items() if m.split('.')[0] not in sys.stdlib_module_names and not dists(m) <= have}
    assert not missing, f"optional imports in no extra: {missing}"

def test_checker_sees_a_guarded_import(tmp_path):
    (tmp_path/'m.py').write_text('try: import numba\nexcept ImportError: numba = None\nimport matplotlib\n')
    assert set(imports(tmp_path)) == {'matplotlib'} and set(imports(tmp_path, optional=True)) == {'numba'}

def test_no_dev_tool_at_run_time():
    used = {m.split('.')[0]: w for m, w in imports().items() if m.split('.')[0] in DEV_ONLY}
    assert not used, f"the library imports development tools that `pip install -e .` does not install: {used}"

def test_checker_sees_a_missing_dependency(tmp_path):
    "The check itself: a lazy import of fastai.distributed needs accelerate; a matplotlib import needs matplotlib"
    (tmp_path/'m.py').write_text('import os\ndef f():\n    from fastai.distributed import DistributedDL\n    import matplotlib.pyplot\n')
    found = imports(tmp_path)
    assert set(missing_dependencies(found, ['fastai', 'matplotlib'])) == {'accelerate'}
    assert set(missing_dependencies(found, ['fastai', 'accelerate'])) == {'matplotlib'}
    assert not missing_dependencies(found, ['fastai', 'accelerate', 'matplotlib'])

MODULES = sorted({'.'.join(p.relative_to(ROOT).with_suffix('').parts) for p in (ROOT/'pani_nb').rglob('*.py')
                  if p.name != '__init__.py'})

@pytest.mark.parametrize('stmt', ['import pani_nb', 'from pani_nb.all import *', '; '.join(f'import {m}' for m in MODULES)],
                         ids=['pani_nb', 'pani_nb.all', 'every module'])
def test_import_prints_nothing(stmt):
    "A fresh interpreter, default warning filters: importing prints no warning (and nothing else)"
    res = subprocess.run([sys.executable, '-c', stmt], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0 and not res.stdout and not res.stderr, f"`{stmt}`:\n{res.stdout}{res.stderr}"
