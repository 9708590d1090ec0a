"""The layered drawing of a directed acyclic graph (Sugiyama; Graphviz dot's method), in pure Python.

Gansner, Koutsofios, North and Vo, "A Technique for Drawing Directed
Graphs" (1993), in three steps, each deterministic (ties broken by the order
the graph is given in, so the same graph gives the same picture):

1. Ranks: every box goes one rank below its deepest predecessor (the longest
   path from the inputs); a box with no predecessor (a model input) is then
   pulled down to just above its first consumer, so that edges stay short.
   Between two box ranks lies a label rank: an edge's label is a vertex of
   its own there (as dot does), so that ordering and spacing keep labels
   apart from boxes and from each other. An edge longer than one step gets a
   dummy vertex on every rank it passes.
2. Order within ranks, on the box ranks (label ranks are filled in after,
   sorted by each edge's two ends, which adds no crossing): from three starts
   (as given; depth-first from the inputs, as dot starts; its mirror),
   barycenter sweeps down and up, each followed by swapping neighbours and
   by sifting (moving one vertex to its best place in its rank), keeping the
   order with the fewest crossings seen. If crossings remain and the graph
   is small, every order is tried (branch and bound).
3. Coordinates: each vertex moves toward the mean position of its
   neighbours, rank by rank, by an isotonic fit (pool adjacent violators)
   that keeps the order and the minimum gaps. Then each long edge gets one
   column (its dummies pinned to one x, placed left to right with the room
   the boxes between need), so it runs straight, and the boxes settle
   around them. Rows are stacked top to bottom.

No Graphviz and no third-party library: the graphs are small (tens of boxes).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

SEP = 18.0  # horizontal gap between vertices of a rank
GAP = 26.0  # vertical gap between rows, where edges bend
MARGIN = 16.0
DUMMY_W = 8.0
SWEEPS = 12
EXACT = 20_000  # a graph with at most this many orders of its ranks is ordered exactly
SWEEPS_X = 64  # coordinate sweeps: 16 free, then with the long edges pinned to their columns
STRAIGHT = 4.0  # how much more an edge's bend counts than a box's offset
PINNED = 1e6  # the weight that keeps a long edge's column where `_columns` put it


@dataclass
class _V:
    key: str
    rank: int
    w: float
    h: float
    anchor: float  # where edges pass, from the left side
    kind: str  # box | label | dummy
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class Layout:
    boxes: dict  # id -> (x, y, w, h)
    edges: tuple  # per edge: its points, from the source's bottom to the target's top
    labels: tuple  # per edge: (x, y) of the label's top left, or None
    width: float
    height: float


def _ranks(ids: list[str], edges: list[tuple]) -> dict[str, int]:
    preds = {i: [] for i in ids}
    succs = {i: [] for i in ids}
    for s, d, *_ in edges:
        preds[d].append(s)
        succs[s].append(d)
    order, seen = [], set()

    def visit(v):  # a depth-first topological order, in the given order
        if v in seen:
            return
        seen.add(v)
        for p in preds[v]:
            visit(p)
        order.append(v)

    for i in ids:
        visit(i)
    rank = {}
    for v in order:
        rank[v] = max((rank[p] + 1 for p in preds[v]), default=0)
    for v in order:
        if not preds[v] and succs[v]:
            rank[v] = min(rank[s] for s in succs[v]) - 1
    return rank


def _crossings(layers: list[list[_V]], links: dict) -> int:
    """Crossings between consecutive ranks: pairs of links whose ends are in opposite orders."""
    total = 0
    for r in range(len(layers) - 1):
        pos = {id(v): i for i, v in enumerate(layers[r + 1])}
        segs = [(i, pos[id(t)]) for i, v in enumerate(layers[r]) for t in links.get(id(v), ())]
        total += sum(1 for a in range(len(segs)) for b in range(a + 1, len(segs))
                     if (segs[a][0] - segs[b][0]) * (segs[a][1] - segs[b][1]) < 0)
    return total


def _exact(layers: list[list[_V]], down: dict, bound: int) -> list[list[_V]]:
    """The order with the fewest crossings, by trying every order of every rank (a small graph only),
    rank by rank, dropping a partial order as soon as it has as many crossings as the best known."""
    best = [[list(rank) for rank in layers], bound]

    def extend(done: list[list[_V]], c: int) -> None:
        r = len(done)
        if r == len(layers):
            best[:] = [[list(rank) for rank in done], c]
            return
        for perm in itertools.permutations(layers[r]):
            more = c + (_crossings([done[-1], list(perm)], down) if done else 0)
            if more < best[1]:
                extend(done + [list(perm)], more)

    extend([], 0)
    return best[0]


def _depth_first(layers: list[list[_V]], down: dict, mirror: bool, step: int = 1) -> list[list[_V]]:
    """An initial order (dot's): each rank filled in the order a depth-first walk from the sources meets its
    vertices, so that a path is drawn in one column; `mirror` walks the children right to left."""
    has_pred = {id(t) for ts in down.values() for t in ts}
    out: list[list[_V]] = [[] for _ in layers]
    seen: set = set()

    def visit(v):
        if id(v) in seen:
            return
        seen.add(id(v))
        out[v.rank // step].append(v)
        children = down.get(id(v), ())
        for t in (reversed(children) if mirror else children):
            visit(t)

    for rank in layers:
        for v in rank:
            if id(v) not in has_pred:
                visit(v)
    return out


def _order(layers: list[list[_V]], down: dict, up: dict) -> list[list[_V]]:
    """Order the box ranks (and the dummies of long edges on them), then each label rank between two.

    A label rank only subdivides edges one box rank long, so it is left out of the search (its vertices
    would block every move of a box) and filled in afterwards, sorted by where each edge starts and ends:
    that adds no crossing the box ranks did not already imply."""
    even = layers[::2]
    boxes = {id(v) for rank in even for v in rank}
    down2 = {k: [down[id(t)][0] for t in ts] for k, ts in down.items() if k in boxes}
    up2: dict = {}
    for rank in even:
        for v in rank:
            for t in down2.get(id(v), ()):
                up2.setdefault(id(t), []).append(v)
    best, best_c = None, None
    starts = (even, _depth_first(even, down2, False, 2), _depth_first(even, down2, True, 2))
    for start in starts:
        found, c = _sweeps([list(rank) for rank in start], down2, up2)
        if best_c is None or c < best_c:
            best, best_c = found, c
        if best_c == 0:
            break
    if best_c and math.prod(math.factorial(len(rank)) for rank in best) <= EXACT:
        best = _exact(best, down2, best_c)
    out = []
    for r, rank in enumerate(best):
        out.append(rank)
        if r + 1 < len(best):
            above = {id(v): i for i, v in enumerate(rank)}
            below = {id(v): i for i, v in enumerate(best[r + 1])}
            mid = layers[2 * r + 1]
            out.append(sorted(mid, key=lambda v: (above[id(up[id(v)][0])], below[id(down[id(v)][0])],
                                                  mid.index(v))))
    return out


def _sweeps(layers: list[list[_V]], down: dict, up: dict) -> tuple[list[list[_V]], int]:
    """Barycenter sweeps down and up, each followed by transposition and sifting; the best order seen."""
    _sift(layers, down)
    best, best_c = [list(rank) for rank in layers], _crossings(layers, down)
    for sweep in range(SWEEPS):
        if best_c == 0:
            break
        ranks = range(1, len(layers)) if sweep % 2 == 0 else range(len(layers) - 2, -1, -1)
        nbrs = up if sweep % 2 == 0 else down
        for r in ranks:
            other = layers[r - 1] if sweep % 2 == 0 else layers[r + 1]
            pos = {id(v): i for i, v in enumerate(other)}

            def bary(item, pos=pos, nbrs=nbrs, sweep=sweep):
                i, v = item
                ps = [pos[id(n)] for n in nbrs.get(id(v), ())]
                # ties keep their order on even sweep pairs and flip on odd ones (dot's way out of a tie)
                return (sum(ps) / len(ps) if ps else i, i if sweep % 4 < 2 else -i)

            layers[r] = [v for _, v in sorted(enumerate(layers[r]), key=bary)]
        _transpose(layers, down)
        _sift(layers, down)
        c = _crossings(layers, down)
        if c < best_c:
            best, best_c = [list(rank) for rank in layers], c
    return best, best_c


def _transpose(layers: list[list[_V]], down: dict) -> None:
    improved = True
    while improved:
        improved = False
        for r, rank in enumerate(layers):
            for i in range(len(rank) - 1):
                window = layers[max(0, r - 1): r + 2]
                before = _crossings(window, down)
                rank[i], rank[i + 1] = rank[i + 1], rank[i]
                if _crossings(window, down) < before:
                    improved = True
                else:
                    rank[i], rank[i + 1] = rank[i + 1], rank[i]


def _sift(layers: list[list[_V]], down: dict) -> None:
    """Move each vertex to the place in its rank with the fewest crossings (sifting), until nothing improves;
    it escapes orders that no swap of two neighbours improves."""
    improved = True
    while improved:
        improved = False
        for r, rank in enumerate(layers):
            lo = max(0, r - 1)
            for v in list(rank):
                here = rank.index(v)
                counts = []
                for i in range(len(rank)):
                    rank.remove(v)
                    rank.insert(i, v)
                    counts.append(_crossings(layers[lo: r + 2], down))
                best = min(range(len(counts)), key=lambda i: (counts[i], i != here))
                rank.remove(v)
                rank.insert(best, v)
                improved |= counts[best] < counts[here]


def _fit(rank: list[_V], target: list[float], column: dict | None = None) -> None:
    """Place the rank's vertices as near their targets (anchor x) as order and gaps allow: an isotonic
    fit (pool adjacent violators) of the positions, weighted; a vertex of a `column` hardly moves."""
    offsets, o = [], 0.0
    for v in rank:
        offsets.append(o)
        o += v.w + SEP
    blocks: list[list[float]] = []  # [weighted sum, weight, vertices]
    for v, t, off in zip(rank, target, offsets):
        weight = PINNED if column and id(v) in column else 1.0 if v.kind == "box" else STRAIGHT
        blocks.append([weight * (t - v.anchor - off), weight, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, n, k = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += n
            blocks[-1][2] += k
    i = 0
    for s, n, k in blocks:
        for _ in range(k):
            rank[i].x = s / n + offsets[i]
            i += 1


def _columns(layers: list[list[_V]], long_edges: list[list[_V]]) -> dict:
    """One x for every vertex of each long edge, so that it runs straight down (id(vertex) -> anchor x).

    Each edge wants the mean of where its vertices are; edges are placed left to right (a topological
    order of "left of in some rank"), each pushed right just as far as the boxes and edges left of it
    in any of its ranks need. Two long edges that cross each other would need both orders: those stay
    out (they bend, as before)."""
    of = {id(v): k for k, chain in enumerate(long_edges) for v in chain}
    need: dict = {}  # (left edge, right edge) -> least distance between their lines
    for rank in layers:
        last, gap = None, 0.0
        for v in rank:
            k = of.get(id(v))
            if k is None:
                gap += v.w + SEP
                continue
            if last is not None:
                lk, lv = last
                d = lv.w - lv.anchor + SEP + gap + v.anchor
                need[(lk, k)] = max(need.get((lk, k), d), d)
            last, gap = (k, v), 0.0
    preds: dict = {k: set() for k in range(len(long_edges))}
    succs: dict = {k: set() for k in range(len(long_edges))}
    for (a, b) in need:
        preds[b].add(a)
        succs[a].add(b)
    indeg = {k: len(ps) for k, ps in preds.items()}
    ready = [k for k in preds if indeg[k] == 0]
    col: dict = {}
    while ready:
        k = ready.pop(0)
        chain = long_edges[k]
        want = sum(v.x + v.anchor for v in chain) / len(chain)
        col[k] = max([want] + [col[p] + need[(p, k)] for p in preds[k]])
        for b in sorted(succs[k]):
            indeg[b] -= 1
            if indeg[b] == 0:
                ready.append(b)
    return {id(v): col[k] for k, chain in enumerate(long_edges) if k in col for v in chain}


def _coordinates(layers: list[list[_V]], down: dict, up: dict, long_edges: list[list[_V]]) -> None:
    for rank in layers:
        x = 0.0
        for v in rank:
            v.x, x = x, x + v.w + SEP

    def mean_anchor(v, nbrs):
        ns = nbrs.get(id(v), ())
        return sum(n.x + n.anchor for n in ns) / len(ns) if ns else v.x + v.anchor

    column: dict = {}
    for sweep in range(SWEEPS_X):
        if sweep == 16:
            column = _columns(layers, long_edges)
        both = sweep >= 12
        ranks = range(1, len(layers)) if sweep % 2 == 0 else range(len(layers) - 2, -1, -1)
        for r in ranks:
            targets = []
            for v in layers[r]:
                if id(v) in column:
                    targets.append(column[id(v)])
                elif both:
                    targets.append((mean_anchor(v, up) + mean_anchor(v, down)) / 2)
                else:
                    targets.append(mean_anchor(v, up if sweep % 2 == 0 else down))
            _fit(layers[r], targets, column)
    left = min(v.x for rank in layers for v in rank)
    for rank in layers:
        for v in rank:
            v.x = round(v.x - left + MARGIN, 1)


def layout(boxes: list[tuple[str, float, float]], edges: list[tuple[str, str, float, float]]) -> Layout:
    """Boxes (id, width, height) and edges (source, target, label width, label height) placed in pixels."""
    ids = [b[0] for b in boxes]
    rank = _ranks(ids, edges)
    n_ranks = 2 * max(rank.values(), default=0) + 1
    layers: list[list[_V]] = [[] for _ in range(n_ranks)]
    verts = {}
    for key, w, h in sorted(boxes, key=lambda b: rank[b[0]]):
        v = verts[key] = _V(key, 2 * rank[key], w, h, w / 2, "box")
        layers[v.rank].append(v)
    down: dict = {}
    up: dict = {}
    chains = []
    for k, (s, d, lw, lh) in enumerate(edges):
        chain = [verts[s]]
        for r in range(verts[s].rank + 1, verts[d].rank):
            last_label = r == verts[d].rank - 1 and lw > 0
            v = _V(f"e{k}/{r}", r, lw + 10 if last_label else DUMMY_W, lh if last_label else 0,
                   0.0 if last_label else DUMMY_W / 2, "label" if last_label else "dummy")
            layers[r].append(v)
            chain.append(v)
        chain.append(verts[d])
        for a, b in zip(chain, chain[1:]):
            down.setdefault(id(a), []).append(b)
            up.setdefault(id(b), []).append(a)
        chains.append(chain)
    layers = _order(layers, down, up)
    _coordinates(layers, down, up, [c[1:-1] for c in chains if len(c) > 3])
    y = MARGIN
    for rank in layers:
        h = max((v.h for v in rank), default=0.0)
        for v in rank:
            v.y = y + (h - v.h) / 2 if v.kind == "box" else y
            v.h = v.h if v.kind == "box" else h
        y += h + GAP
    width = max(v.x + v.w for rank in layers for v in rank) + MARGIN
    ports = _ports(chains)
    points, labels = [], []
    for k, chain in enumerate(chains):
        pts = [ports[(k, "out")]]
        label = None
        for v in chain[1:-1]:
            ax = v.x + v.anchor
            pts += [(ax, v.y), (ax, v.y + v.h)]
            if v.kind == "label":
                label = (v.x + 6, v.y)
        pts.append(ports[(k, "in")])
        points.append(tuple((round(px, 1), round(py, 1)) for px, py in pts))
        labels.append(label)
    return Layout({k: (v.x, v.y, v.w, v.h) for k, v in verts.items()}, tuple(points), tuple(labels),
                  round(width, 1), round(y - GAP + MARGIN, 1))


def _ports(chains: list[list[_V]]) -> dict:
    """Where each edge leaves its source (bottom) and enters its target (top), spread across the box."""
    ports = {}
    for end, here, there, side in (("out", 0, 1, "bottom"), ("in", -1, -2, "top")):
        by_box: dict = {}
        for k, chain in enumerate(chains):
            by_box.setdefault(id(chain[here]), []).append((chain[there].x + chain[there].anchor, k, chain[here]))
        for group in by_box.values():
            group.sort(key=lambda g: (g[0], g[1]))
            for i, (_, k, v) in enumerate(group):
                x = v.x + v.w * (i + 1) / (len(group) + 1)
                ports[(k, end)] = (x, v.y + v.h if side == "bottom" else v.y)
    return ports
