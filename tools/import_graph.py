"""The import graph of `pani_nb`'s modules (every `import`, at module level or inside a function) and its cycles.

`python tools/import_graph.py` prints each cycle and exits 1 if there is one; `tests/test_layers.py` runs it."""
import ast, sys
from pathlib import Path

def module_name(path:Path, root:Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix('').parts)
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)

def imports(path:Path, name:str, is_pkg:bool) -> set:
    "The `pani_nb` modules `path` imports"
    out, pkg = set(), name if is_pkg else name.rpartition('.')[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import): out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                up = pkg.split('.')[:len(pkg.split('.')) - node.level + 1]
                base = '.'.join(up + ([base] if base else []))
            out.add(base)
            out |= {f'{base}.{a.name}' for a in node.names}   # `from pkg import module`
    return out

def graph(root:Path) -> dict:
    mods = {module_name(p, root): p for p in sorted(root.rglob('*.py'))}
    return {m: sorted(i for i in imports(p, m, p.name == '__init__.py') if i in mods and i != m) for m, p in mods.items()}

def cycles(g:dict) -> list:
    "Every elementary cycle found by depth-first search from each module (each reported once, from its smallest module)"
    found = set()
    def dfs(start, node, path):
        for n in g.get(node, []):
            if n == start: found.add(tuple(path))
            elif n > start and n not in path: dfs(start, n, path + [n])
    for m in g: dfs(m, m, [m])
    return sorted(found)

def library_graph(root:Path) -> dict:
    "`graph` without the package's `all` module and without edges to its top `__init__`: both gather every module by design"
    top = root.name
    return {m: [i for i in v if i != top] for m, v in graph(root).items() if m != f'{top}.all'}

if __name__ == '__main__':
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[1]/'pani_nb')
    cs = cycles(library_graph(root))
    for c in cs: print(' -> '.join(c + (c[0],)))
    sys.exit(1 if cs else 0)
