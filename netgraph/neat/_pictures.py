"""Evolution you can see: a run's fitness, species and champions, in a page and in files.

- ``render_evolution(pop, path)`` writes one self-contained HTML page (netgraph's own
  page code, ``netgraph._page``; no network access): best, mean and standard deviation
  of fitness per generation; the species as stacked sizes over generations, with
  births and extinctions marked; the champion of each generation drawn with every
  neuron at one place for the whole run (so growth reads as growth); a slider and a
  play button over the generations; hovering a species draws its best genome; and the
  difference between the champion shown and another generation's, with added,
  removed and disabled genes marked.
- ``plot_fitness(pop, path)`` and ``plot_species(pop, path)`` write the two charts as
  SVG, PNG or PDF (the extension decides). They are drawn by Graphviz (``neato -n2``,
  every point pinned), which netgraph already uses for its diagrams, so pictures for
  papers need no plotting library.
- ``population_html(pop)`` is the compact summary a notebook shows for a ``Population``.

Everything is read from ``pop.history`` (one ``GenerationRecord`` per generation) and
``pop.config``; genome keys and species ids reach the page as JSON data and are shown
with ``textContent`` only.
"""

from __future__ import annotations

import html
import itertools
import math
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from .._exceptions import GraphvizNotFoundError, InputError
from .._files import write_atomically

__all__ = ["evolution_data", "plot_fitness", "plot_species", "population_html",
           "render_evolution"]

_FORMATS = ("svg", "png", "pdf")


# ------------------------------------------------------------------ reading a run
def _history(pop: Any) -> list[Any]:
    history = list(getattr(pop, "history", None) or [])
    if not history:
        raise InputError("the population has no history yet: run it for a generation first")
    return history


def _inputs_outputs(pop: Any) -> tuple[int, int]:
    values = pop.config.values
    return int(values["num_inputs"]), int(values["num_outputs"])


def _genome(g: Any) -> dict[str, Any]:
    """A genome as the page reads it: node keys, biases, and connection genes
    ``[in, out, weight, enabled, innovation]``; weights to 4 significant digits."""
    nodes = [int(k) for k in g.node_key]
    conns = [[int(i), int(o), float(f"{float(w):.4g}"), int(bool(e)), int(n)]
             for i, o, w, e, n in zip(g.conn_in, g.conn_out, g.conn_weight, g.conn_enabled,
                                      g.conn_innovation, strict=True)]
    fitness = None if g.fitness is None or not math.isfinite(g.fitness) else float(g.fitness)
    return {"key": str(g.key), "nodes": nodes, "bias": [float(f"{b:.4g}") for b in g.node_bias],
            "conns": conns, "fitness": fitness,
            "species": None if g.species is None else str(g.species)}


def _stable_layout(champions: Sequence[Any], n_in: int, n_out: int) -> dict[int, list[float]]:
    """One place per node key for the whole run: inputs in the first column, outputs in
    the last, hidden nodes in between by their longest path from the inputs over every
    champion's connections (those that would close a cycle are left out, first come
    first kept), ordered by key within a column. **Returns** ``{key: [column, row]}``
    (rows of shorter columns centred on the tallest)."""
    inputs = list(range(-1, -n_in - 1, -1))
    outputs = list(range(n_out))
    D: nx.DiGraph[int] = nx.DiGraph()
    D.add_nodes_from(inputs + outputs)
    for g in champions:
        D.add_nodes_from(int(k) for k in g.node_key)
        for i, o in zip(g.conn_in, g.conn_out, strict=True):
            i, o = int(i), int(o)
            if i == o or D.has_edge(i, o) or o in inputs:
                continue
            if D.has_node(o) and D.has_node(i) and nx.has_path(D, o, i):
                continue
            D.add_edge(i, o)
    rank: dict[int, int] = {}
    for n in nx.topological_sort(D):
        rank[n] = 0 if n in inputs else max((rank[p] + 1 for p in D.pred[n]), default=1)
    hidden = [n for n in D if n not in inputs and n not in outputs]
    last = max((rank[n] for n in hidden), default=0) + 1
    column: dict[int, list[int]] = {0: sorted(inputs, reverse=True), last: outputs}
    for n in sorted(hidden):
        column.setdefault(max(rank[n], 1), []).append(n)
    tallest = max(len(keys) for keys in column.values())
    place: dict[int, list[float]] = {}
    for c, keys in column.items():
        for k, n in enumerate(keys):  # columns centred on the tallest
            place[n] = [c, k + (tallest - len(keys)) / 2]
    return place


def evolution_data(pop: Any, *, title: str | None = None) -> dict[str, Any]:
    """What the evolution page embeds, as plain JSON-ready data (see the module)."""
    history = _history(pop)
    n_in, n_out = _inputs_outputs(pop)
    genomes: dict[str, dict[str, Any]] = {}
    champion = []
    for r in history:
        key = str(r.best_key)
        data = _genome(r.best)
        if key in genomes and genomes[key] != data:  # a key reused with other genes
            key = f"{key}@{r.generation}"
        genomes.setdefault(key, data)
        champion.append(key)
    # each species' best genome: the fittest champion it produced
    best_of: dict[str, str] = {}
    for key in champion:
        s = genomes[key]["species"]
        if s is None:
            continue
        held = best_of.get(s)
        if held is None or (genomes[key]["fitness"] or -math.inf) > (
                genomes[held]["fitness"] or -math.inf):
            best_of[s] = key
    species: dict[str, dict[str, Any]] = {}
    for r in history:
        for sid, size in r.species:
            s = species.setdefault(str(sid), {"id": str(sid), "born": r.generation,
                                              "sizes": {}, "best": None})
            s["sizes"][r.generation] = int(size)
    ids = list(species)
    gens = [int(r.generation) for r in history]
    sizes = [[species[s]["sizes"].get(g, 0) for g in gens] for s in ids]
    last_gen = gens[-1]
    for s in ids:
        alive = [g for g in gens if species[s]["sizes"].get(g, 0)]
        species[s]["last"] = alive[-1]
        species[s]["extinct"] = alive[-1] != last_gen
        species[s]["best"] = best_of.get(s)
        del species[s]["sizes"]
    return {
        "format": "netgraph-evolution", "version": 1,
        "title": title if title is not None else f"Evolution: {len(history)} generations",
        "inputs": n_in, "outputs": n_out,
        "generations": gens,
        "evaluations": [int(r.evaluations) for r in history],
        "best": [_finite(r.best_fitness) for r in history],
        "mean": [_finite(r.mean_fitness) for r in history],
        "stdev": [_finite(r.stdev_fitness) for r in history],
        "champion": champion,
        "genomes": genomes,
        "species": [species[s] for s in ids],
        "sizes": sizes,
        "place": {str(k): v for k, v in _stable_layout([r.best for r in history],
                                                       n_in, n_out).items()},
    }


def _finite(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


# ------------------------------------------------------------------ the page
def render_evolution(pop: Any, path: str | os.PathLike[str], *,
                     title: str | None = None) -> Path:
    """Write the evolution page of ``pop`` (see the module) to ``path``, atomically.

    **Arguments** ``pop``: a ``Population`` that has run at least one generation (or
    one loaded from a checkpoint); ``path``: the ``.html`` file; ``title``: the page's
    heading (default: the number of generations). **Returns** the path written.
    """
    from .._page import _asset, page_data, render_html

    data = evolution_data(pop, title=title)
    # the page's frame (pan, zoom, tooltip, colours) is the network page's, drawn
    # around the last champion; evolution.js then draws every generation's
    page = page_data(_champion_network(pop), title=data["title"])
    page["evolution"] = data
    style = "<style>\n" + _asset("evolution.css") + "</style>\n"
    text = render_html(page, _asset("evolution.js"), extra=style)
    return write_atomically(Path(path), text.encode("utf-8"))


def _champion_network(pop: Any) -> Any:
    """The last generation's champion as a netgraph ``Network`` (the page's frame)."""
    from ._genome import Genome

    best = _history(pop)[-1].best
    return Genome(best, pop.config, check=False).network


# ------------------------------------------------------------------ static charts
_W, _H, _LEFT, _BOTTOM, _TOP, _RIGHT = 640.0, 360.0, 70.0, 50.0, 40.0, 150.0
_PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
            "#ff9da7", "#9c755f", "#bab0ac")


def _nice(lo: float, hi: float) -> list[float]:
    """About five round tick values covering [lo, hi]."""
    if not hi > lo:
        hi = lo + 1.0
    step = 10 ** math.floor(math.log10((hi - lo) / 5))
    for m in (1, 2, 5, 10):
        if (hi - lo) / (step * m) <= 6:
            step *= m
            break
    start = math.floor(lo / step) * step
    return [start + k * step for k in range(math.ceil((hi - start) / step) + 1)]


class _Chart:
    """A chart as a Graphviz graph with every node pinned (``neato -n2``): points joined
    by straight edges, text as plain nodes. Coordinates in points, y up."""

    def __init__(self, title: str, xlabel: str, ylabel: str,
                 xs: tuple[float, float], ys: tuple[float, float]) -> None:
        self.lines: list[str] = []
        self.count = 0
        self.x0, self.x1 = xs
        self.y0, self.y1 = ys
        self.text(_LEFT + (_W - _LEFT - _RIGHT) / 2, _H - 16, title, size=14)
        self.text(_LEFT + (_W - _LEFT - _RIGHT) / 2, 12, xlabel)
        self.text(16, _BOTTOM + (_H - _BOTTOM - _TOP) / 2, ylabel, angle=True)
        self.segment((_LEFT, _BOTTOM), (_W - _RIGHT, _BOTTOM), "#333333", 1.0)
        self.segment((_LEFT, _BOTTOM), (_LEFT, _H - _TOP), "#333333", 1.0)
        for t in _nice(self.x0, self.x1):
            if self.x0 <= t <= self.x1:
                x = self.px(t)
                self.segment((x, _BOTTOM), (x, _BOTTOM - 4), "#333333", 1.0)
                self.text(x, _BOTTOM - 14, f"{t:g}", size=10)
        for t in _nice(self.y0, self.y1):
            if self.y0 <= t <= self.y1:
                y = self.py(t)
                self.segment((_LEFT, y), (_LEFT - 4, y), "#333333", 1.0)
                self.segment((_LEFT, y), (_W - _RIGHT, y), "#e6e6e6", 0.5)
                self.text(_LEFT - 8, y, f"{t:.4g}", size=10, anchor="r")

    def px(self, x: float) -> float:
        span = self.x1 - self.x0 or 1.0
        return _LEFT + (x - self.x0) / span * (_W - _LEFT - _RIGHT)

    def py(self, y: float) -> float:
        span = self.y1 - self.y0 or 1.0
        return _BOTTOM + (y - self.y0) / span * (_H - _BOTTOM - _TOP)

    def _point(self, x: float, y: float) -> str:
        self.count += 1
        name = f"p{self.count}"
        self.lines.append(f'{name} [pos="{x:.2f},{y:.2f}!", shape=point, width=0.01, '
                          'style=invis];')
        return name

    def segment(self, a: tuple[float, float], b: tuple[float, float], color: str,
                width: float, dashed: bool = False) -> None:
        pa, pb = self._point(*a), self._point(*b)
        style = ', style="dashed"' if dashed else ""
        self.lines.append(f'{pa} -> {pb} [color="{color}", penwidth={width:.2f}, '
                          f'arrowhead=none{style}];')

    def polyline(self, points: Sequence[tuple[float, float]], color: str, width: float,
                 dashed: bool = False) -> None:
        names = [self._point(self.px(x), self.py(y)) for x, y in points]
        style = ', style="dashed"' if dashed else ""
        for a, b in itertools.pairwise(names):
            self.lines.append(f'{a} -> {b} [color="{color}", penwidth={width:.2f}, '
                              f'arrowhead=none{style}];')

    def text(self, x: float, y: float, text: str, *, size: float = 11, anchor: str = "c",
             angle: bool = False) -> None:
        self.count += 1
        # an escString: backslashes and quotes escaped, nothing else is special
        label = text.replace("\\", "\\\\").replace('"', '\\"')
        if angle:  # Graphviz cannot turn text: a vertical label one letter a line
            label = "\\n".join(label)
        just = {"c": "", "r": "\\r", "l": "\\l"}[anchor]
        width = 0.55 * size * len(text) / 72 if anchor != "c" else 0.01
        shift = {"c": 0.0, "r": -width * 36, "l": width * 36}[anchor]
        self.lines.append(f't{self.count} [pos="{x + shift:.2f},{y:.2f}!", shape=plaintext, '
                          f'label="{label}{just}", fontsize={size}, fontname="Helvetica", '
                          f'width={width:.2f}, height=0.1, margin=0];')

    def swatch(self, row: int, color: str, label: str, dashed: bool = False) -> None:
        x = _W - _RIGHT + 14
        y = _H - _TOP - 10 - 18 * row
        self.segment((x, y), (x + 22, y), color, 2.5, dashed)
        self.text(x + 28, y, label, size=10, anchor="l")

    def source(self) -> str:
        return ('digraph chart {\ngraph [bgcolor="white", pad="0.1", '
                f'bb="0,0,{_W:.0f},{_H:.0f}"];\n' + "\n".join(self.lines) + "\n}\n")


def _write_chart(chart: _Chart, path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    fmt = target.suffix.lstrip(".").lower()
    if fmt not in _FORMATS:
        raise ValueError(f"cannot tell the format of {str(target)!r}: use .svg, .png or .pdf")
    try:
        run = subprocess.run(["neato", "-n2", f"-T{fmt}"], input=chart.source().encode(),
                             capture_output=True, timeout=120, check=False)
    except OSError as e:
        from .._diagram import INSTALL_HINT

        raise GraphvizNotFoundError(INSTALL_HINT) from e
    if run.returncode != 0:
        raise RuntimeError(f"Graphviz could not draw the chart: "
                           f"{run.stderr.decode(errors='replace').strip()}")
    return write_atomically(target, run.stdout)


def plot_fitness(pop: Any, path: str | os.PathLike[str]) -> Path:
    """Best and mean fitness per generation, with the mean +- one standard deviation,
    as SVG, PNG or PDF (by ``path``'s extension). **Returns** the path written."""
    history = _history(pop)
    gens = [r.generation for r in history]
    best = [r.best_fitness for r in history]
    mean = [r.mean_fitness for r in history]
    sd = [r.stdev_fitness for r in history]
    values = [v for v in best + [m + s for m, s in zip(mean, sd, strict=True)]
              + [m - s for m, s in zip(mean, sd, strict=True)] if math.isfinite(v)]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    chart = _Chart("Fitness per generation", "generation", "fitness",
                   (gens[0], max(gens[-1], gens[0] + 1)), (lo, hi if hi > lo else lo + 1))
    for sign in (1, -1):
        chart.polyline([(g, m + sign * s) for g, m, s in zip(gens, mean, sd, strict=True)
                        if math.isfinite(m + s)], "#9ecae1", 1.0, dashed=True)
    chart.polyline([(g, m) for g, m in zip(gens, mean, strict=True) if math.isfinite(m)],
                   "#3182bd", 1.5)
    chart.polyline([(g, b) for g, b in zip(gens, best, strict=True) if math.isfinite(b)],
                   "#d62728", 2.0)
    chart.swatch(0, "#d62728", "best")
    chart.swatch(1, "#3182bd", "mean")
    chart.swatch(2, "#9ecae1", "mean \u00b1 1 sd", dashed=True)
    return _write_chart(chart, path)


def plot_species(pop: Any, path: str | os.PathLike[str]) -> Path:
    """Species sizes stacked over generations (a species' band starts at its birth and
    ends at its extinction), as SVG, PNG or PDF. **Returns** the path written."""
    history = _history(pop)
    gens = [r.generation for r in history]
    order: list[Any] = []
    for r in history:
        for sid, _size in r.species:
            if sid not in order:
                order.append(sid)
    total = max(sum(size for _s, size in r.species) for r in history)
    chart = _Chart("Species sizes", "generation", "genomes",
                   (gens[0] - 0.5, gens[-1] + 0.5), (0, max(total, 1)))
    bar = max((_W - _LEFT - _RIGHT) / max(len(gens), 1), 0.5)
    for r in history:
        bottom = 0
        sizes = dict(r.species)
        for k, sid in enumerate(order):
            size = sizes.get(sid, 0)
            if size:
                x = chart.px(r.generation)
                chart.segment((x, chart.py(bottom)), (x, chart.py(bottom + size)),
                              _PALETTE[k % len(_PALETTE)], bar / 1.0)
                bottom += size
    for row, sid in enumerate(order[:12]):
        alive = [r.generation for r in history if dict(r.species).get(sid)]
        end = "" if alive[-1] == gens[-1] else f"\u2013{alive[-1]}"
        chart.swatch(row, _PALETTE[order.index(sid) % len(_PALETTE)],
                     f"species {sid} ({alive[0]}{end})")
    if len(order) > 12:
        chart.text(_W - _RIGHT + 14, _H - _TOP - 10 - 18 * 12, f"+{len(order) - 12} more",
                   size=10, anchor="l")
    return _write_chart(chart, path)


# ------------------------------------------------------------------ notebooks
def _sparkline(values: Sequence[float | None], width: int = 240, height: int = 48) -> str:
    points = [(k, v) for k, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return ""
    lo = min(v for _k, v in points)
    hi = max(v for _k, v in points)
    span = hi - lo or 1.0
    last = max(len(values) - 1, 1)
    d = " ".join(f"{2 + (width - 4) * k / last:.1f},"
                 f"{height - 2 - (height - 4) * (v - lo) / span:.1f}" for k, v in points)
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="best fitness per generation">'
            f'<polyline points="{d}" fill="none" stroke="#d62728" stroke-width="1.5"/></svg>')


def population_html(pop: Any) -> str:
    """A compact HTML summary of a population for notebooks: generation, evaluations,
    best fitness, species, the champion's size and the best fitness per generation."""
    history = list(getattr(pop, "history", None) or [])
    rows = [("generation", str(getattr(pop, "generation", len(history))))]
    if history:
        r = history[-1]
        rows += [("evaluations", f"{r.evaluations:,}"),
                 ("best fitness", f"{r.best_fitness:.6g}"),
                 ("mean fitness", f"{r.mean_fitness:.6g} \u00b1 {r.stdev_fitness:.3g}"),
                 ("species", str(len(r.species))),
                 ("champion", f"genome {r.best_key}: {r.best_size[0]} nodes, "
                              f"{r.best_size[1]} enabled connections")]
    table = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th>"
                    f"<td>{html.escape(v)}</td></tr>" for k, v in rows)
    chart = _sparkline([_finite(r.best_fitness) for r in history]) if history else ""
    return (f"<div class='netgraph-population'><strong>netgraph.neat.Population</strong>"
            f"<table>{table}</table>{chart}</div>")
