"""The package's import graph and module sizes, read from the source with ``ast`` (nothing is imported).

    python scripts/import_graph.py                 # this tree's minimlp/
    python scripts/import_graph.py --before REV    # and the same for git revision REV, side by side

Every ``import`` and ``from ... import`` statement counts, at module level or inside a function
(a function-level import of a module that imports this one is still a cycle). Relative imports
are resolved; ``from . import x`` names the submodule ``x`` when there is one, else the package.
Only edges between minimlp's own modules are kept. Not counted: the implicit import of a module's
parent packages, and ``importlib.import_module`` calls (the packages' PEP 562 lazy names).
tests/test_imports.py uses ``import_graph`` and ``find_cycles`` from here.
"""
import argparse
import ast
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "minimlp"


def module_files(root):
    """Dotted module name -> file, for every .py file under ``root`` (the package folder)."""
    root = Path(root)
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(node, module, is_package, known):
    """The package's modules one import statement names."""
    if isinstance(node, ast.Import):
        return {_longest_known(alias.name, known) for alias in node.names} - {None}
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    names = set()
    for alias in node.names:
        sub = f"{source}.{alias.name}"
        if sub in known:
            names.add(sub)
        elif source in known:
            names.add(source)
    return names


def _longest_known(name, known):
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in known:
            return ".".join(parts[:end])
    return None


def import_graph(root):
    """module -> set of the package's modules it imports (anywhere in its body), for the package at ``root``."""
    files = module_files(root)
    graph = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        edges = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges |= _imported(node, module, is_package, files)
        edges.discard(module)
        graph[module] = edges
    return graph


def find_cycles(graph):
    """One cycle (a list of modules, first == last) per strongly connected component that has one."""
    return [_cycle_in(component, graph) for component in strong_components(graph)]


def strong_components(graph):
    """The strongly connected components of more than one module: each holds at least one cycle."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def connect(node):  # Tarjan's algorithm; the graph is small, recursion is fine
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return components


def _cycle_in(component, graph):
    """A shortest cycle through the component's first module (breadth-first, inside the component)."""
    start = min(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for other in sorted(graph[node] & component):
                if other == start:
                    return paths[node] + [start]
                if other not in paths:
                    paths[other] = paths[node] + [other]
                    following.append(other)
        frontier = following
    raise AssertionError("a strongly connected component without a cycle")


def sizes(root):
    """module -> number of lines."""
    return {module: len(path.read_text(encoding="utf-8").splitlines()) for module, path in module_files(root).items()}


def summary(root):
    graph, lines = import_graph(root), sizes(root)
    components = strong_components(graph)
    return {"graph": graph, "lines": lines, "edges": sum(len(v) for v in graph.values()),
            "cycles": [(_cycle_in(c, graph), sorted(c)) for c in components]}


def _short(module):
    return module[len(PACKAGE) + 1:] if module.startswith(PACKAGE + ".") else module


def _print_summary(title, info):
    lines = info["lines"]
    print(f"{title}: {len(info['graph'])} modules, {info['edges']} import edges, {len(info['cycles'])} cycles, "
          f"{sum(lines.values())} lines; {sum(n > 200 for n in lines.values())} modules over 200 lines, "
          f"largest {max(lines.values())}")
    for cycle, members in info["cycles"]:
        also = sorted(set(members) - set(cycle))
        print("  cycle: " + " -> ".join(_short(m) for m in cycle)
              + (f" (and through {', '.join(_short(m) for m in also)})" if also else ""))


def _revision_tree(revision, folder):
    """minimlp/ as it was at git ``revision``, extracted into ``folder``; the package folder."""
    archive = subprocess.run(["git", "archive", revision, PACKAGE], capture_output=True, check=True,
                             cwd=Path(__file__).resolve().parent.parent).stdout
    path = Path(folder) / "archive.tar"
    path.write_bytes(archive)
    with tarfile.open(path) as tar:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.10.12 / 3.11.4
        tar.extractall(folder, **safe)
    return Path(folder) / PACKAGE


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent / PACKAGE),
                        help="the package folder (default: this checkout's minimlp/)")
    parser.add_argument("--before", metavar="REV", help="also show git revision REV, and the modules whose size changed")
    args = parser.parse_args(argv)
    after = summary(args.root)
    if not args.before:
        _print_summary("now", after)
        for module, n in sorted(after["lines"].items(), key=lambda item: -item[1]):
            print(f"  {n:5d}  {_short(module)}")
        return
    with tempfile.TemporaryDirectory() as folder:
        before = summary(_revision_tree(args.before, folder))
    _print_summary(f"before ({args.before})", before)
    _print_summary("after", after)
    print("module sizes (lines), before -> after, where they differ:")
    for module in sorted(set(before["lines"]) | set(after["lines"])):
        old, new = before["lines"].get(module), after["lines"].get(module)
        if old != new:
            print(f"  {_short(module):32s} {'-' if old is None else old:>5} -> {'-' if new is None else new}")


if __name__ == "__main__":
    sys.exit(main())
