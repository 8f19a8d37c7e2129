"""No import cycles among agentdesk's modules.

The layer contracts in pyproject.toml (``lint-imports``) keep packages in order; this test
looks one level finer, at modules: two modules that import each other, even inside a
function, cannot be understood or moved one without the other. Imports under
``TYPE_CHECKING`` do not count here (they never run, and a type may name its user), but the
layer contracts do count them.
The graph is grimp's, the library import-linter is built on, so both see the same imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import grimp


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm without recursion: every group of two or more modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return sorted(groups)


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": set()}
    assert strongly_connected(graph) == [["a", "b", "c"], ["d", "e"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_agentdesk_has_no_import_cycle() -> None:
    imports = grimp.build_graph("agentdesk", cache_dir=None, exclude_type_checking_imports=True)
    graph = {m: imports.find_modules_directly_imported_by(m) for m in imports.modules}
    cycles = strongly_connected(graph)
    assert cycles == [], "modules that import each other (break the cycle, e.g. pass a callable in):\n" + "\n".join(
        " <-> ".join(group) for group in cycles)
