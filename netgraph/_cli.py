"""The ``netgraph`` command: inspect, check, draw, convert, train and run networks.

    netgraph info NET.json [--from FORMAT] [--json]
    netgraph validate NET.json [NET.json ...] [--json]
    netgraph render NET.json -o net.svg [drawing options]
    netgraph convert IN [--from FORMAT] [--to FORMAT] -o OUT.json
    netgraph train (NET.json | --layers 2,3,1) --data data.csv -o out.json [options]
    netgraph predict NET.json (--input 0,1 | --data inputs.csv) [-o out.csv] [--json]

Exit status: 0 on success, 1 when a check fails or an input (a file, its data, a
value) is unusable, 2 for a malformed command line (as argparse). Results go to
stdout; errors go to stderr as one line, ``netgraph: error: <what went wrong>``;
progress bars and training logs go to stderr too, so ``--json`` output on stdout
is always clean JSON.

Every subcommand takes ``--help``. ``python -m netgraph`` runs the same command.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import math
import os
import re
import subprocess
import sys
import textwrap
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from . import (
    ACTIVATIONS,
    COSTS,
    ActivationError,
    ConversionWarning,
    GraphvizNotFoundError,
    NetgraphError,
    Network,
    __version__,
    get_activation,
)
from ._diagram import COLOR_SCHEMES, FORMATS
from ._files import write_atomically

__all__ = ["CLIError", "build_parser", "columns", "main", "read_csv", "summary"]

PROG = "netgraph"
READ_FORMATS = ("auto", "netgraph", "synaptic", "neataptic", "brain", "neat", "onnx")
WRITE_FORMATS = ("netgraph", "synaptic", "neataptic", "brain", "neat", "onnx", "python",
                 "javascript", "c")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CLIError(Exception):
    """A problem with the user's input that ends the command with exit status 1."""


# ====================================================================== helpers
def _show_path(path: str | os.PathLike[str]) -> str:
    return "<stdin>" if os.fspath(path) == "-" else os.fspath(path)


def _os_message(e: OSError) -> str:
    """``OSError`` as ``path: reason`` (no ``[Errno 2]``)."""
    reason = e.strerror or str(e) or type(e).__name__
    if e.filename is not None:
        return f"{os.fsdecode(e.filename)}: {reason}"
    return reason


def _load(path: str) -> Network:
    """``Network.load(path)`` with the path in every error message."""
    try:
        return Network.load(path)
    except NetgraphError as e:
        from .interop import FORMATS, detect

        message = str(e)
        found = None
        if getattr(e, "path", None) in (None, "", "format"):
            # Only when the fault is the document as a whole or its format marker: detect
            # parses the whole file again, which a document that says it is netgraph JSON
            # but breaks a rule further in (a hostile 3 MB one: 0.3 s, 540 MB) need not pay.
            with contextlib.suppress(NetgraphError):
                found = detect(path)
        if found not in (None, "netgraph"):
            message = (f"this is {FORMATS[found][0]}, not netgraph JSON; convert it first: "
                       f"netgraph convert {path} -o OUT.json")
        if not message.startswith(path):
            message = f"{path}: {message}"
        raise CLIError(message) from None


def _numbers(text: str, what: str) -> list[float]:
    """``"0, 1 0.5"`` -> ``[0.0, 1.0, 0.5]``: numbers split by commas and/or spaces."""
    cells = [c for c in re.split(r"[,\s]+", text.strip()) if c]
    if not cells:
        raise CLIError(f"{what}: no numbers in {text!r}")
    values = []
    for cell in cells:
        try:
            x = float(cell)
        except ValueError:
            raise CLIError(f"{what}: {cell!r} is not a number") from None
        if not math.isfinite(x):
            raise CLIError(f"{what}: {cell!r} is not a finite number")
        values.append(x)
    return values


def _check_folder(out: str | None) -> None:
    """Fail early (before any work) if ``out`` cannot be written for want of a folder."""
    if out is None or out == "-":
        return
    folder = Path(out).parent
    if not folder.is_dir():
        raise CLIError(f"{out}: no folder {str(folder)!r} to write it in")


def _emit(text: str, out: str | None) -> None:
    """Print ``text`` (stdout when ``out`` is None or ``-``) or write it to ``out``."""
    if out is None or out == "-":
        sys.stdout.write(text)
    else:
        write_atomically(out, text.encode("utf-8"))


def _json_text(value: Any, indent: str = "") -> str:
    """JSON indented by two spaces, with lists of plain values kept on one line."""
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k)}: {_json_text(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        items = [inner + _json_text(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + f"\n{indent}]"
    return json.dumps(value, allow_nan=False)


def _print_json(value: Any) -> None:
    sys.stdout.write(_json_text(value) + "\n")


def _number_text(x: float) -> str:
    """The shortest text that reads back as the same float64."""
    return repr(float(x))


@contextlib.contextmanager
def _open_text(path: str) -> Iterator[TextIO]:
    if path == "-":
        stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
        try:
            yield stdin
        finally:
            stdin.detach()  # leave sys.stdin open
    else:
        with open(path, encoding="utf-8-sig", newline="") as f:
            yield f


def read_csv(path: str) -> tuple[list[str] | None, np.ndarray]:
    """Read a CSV file of numbers, with or without a header row.

    The first non-blank row is a header if any of its cells is not a number. Blank
    lines are skipped; every other row must have as many cells as the first one, and
    every cell must be a finite number (surrounding spaces are allowed).

    **Arguments**
    - ``path``: the file, or ``"-"`` for standard input.

    **Returns** ``(header, data)``: the header's cells (``None`` without a header)
    and a float64 array of shape (rows, columns).

    Raises ``CLIError`` naming the line and column of the first bad cell, and
    ``OSError`` if the file cannot be read.
    """
    name = _show_path(path)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        with _open_text(path) as f:
            reader = csv.reader(f)
            for row in reader:
                if not row or all(not c.strip() for c in row):
                    continue
                rows.append([c.strip() for c in row])
                lines.append(reader.line_num)
    except UnicodeDecodeError as e:
        raise CLIError(f"{name}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    except csv.Error as e:
        raise CLIError(f"{name}: not a readable CSV file: {e}") from None
    if not rows:
        raise CLIError(f"{name}: no rows (the file is empty)")
    header: list[str] | None = None
    if not all(_is_number(c) for c in rows[0]):
        header, rows, lines = rows[0], rows[1:], lines[1:]
        if not rows:
            raise CLIError(f"{name}: a header row but no data rows")
    width = len(header) if header is not None else len(rows[0])
    for row, line in zip(rows, lines, strict=True):
        if len(row) != width:
            raise CLIError(f"{name}: line {line} has {len(row)} columns; expected {width} "
                           f"(as the {'header' if header is not None else 'first row'})")
    try:
        data = np.array(rows, dtype=np.float64)
        ok = bool(np.isfinite(data).all())
    except ValueError:
        ok = False
    if not ok:
        for row, line in zip(rows, lines, strict=True):
            for k, cell in enumerate(row):
                if not _is_number(cell) or not math.isfinite(float(cell)):
                    column = f"column {k + 1}"
                    if header is not None:
                        column += f" ({header[k]!r})"
                    kind = "a finite number" if _is_number(cell) else "a number"
                    shown = repr(cell) if cell else "an empty cell"
                    raise CLIError(f"{name}: line {line}, {column}: {shown} is not {kind}")
    return header, data


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _format_csv(header: Sequence[str], rows: np.ndarray) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_number_text(x) for x in row])
    return buffer.getvalue()


# ===================================================================== summary
def summary(net: Network, document: dict[str, Any] | None = None) -> dict[str, Any]:
    """What ``netgraph info`` reports about a network, as plain JSON data.

    **Arguments**
    - ``net``: the network.
    - ``document``: the parsed JSON document it was loaded from, for the format,
      version and metadata (``None``: report the format this netgraph writes).

    **Returns** a dict: ``format``, ``version``, ``name``, ``description``,
    ``netgraph_version``, ``created``; ``neurons`` (total and per role, ``fixed``);
    ``layers`` (one entry per layer label and role, in graph order: ``layer``,
    ``role``, ``neurons``, ``activations``); ``synapses`` (``total``, ``delayed``,
    ``gated``, ``self_connections``); ``activations`` (neurons per activation);
    ``parameters`` (``total`` learnable = ``weights`` + ``biases``, and ``frozen``:
    the biases and incoming weights of fixed neurons and the weights of
    self-connections, which training never changes); ``training`` (the recorded
    training state, or ``None``); ``columns`` (the CSV column names ``netgraph train``
    recorded: ``inputs`` and ``outputs``, or ``None``).
    """
    from ._document import FORMAT, VERSION

    G = net.graph
    doc = document or {}
    meta: dict[str, Any] = doc["metadata"] if isinstance(doc.get("metadata"), dict) else {}
    roles: Counter[str] = Counter()
    activations: Counter[str] = Counter()
    layers: dict[tuple[Any, str], dict[str, Any]] = {}
    fixed_neurons = 0
    biases = frozen = 0
    for _, a in G.nodes(data=True):
        role, activation = a["role"], a["activation"]
        roles[role] += 1
        activations[activation] += 1
        fixed = bool(a.get("fixed", False))
        fixed_neurons += fixed
        if role != "input":
            if fixed:
                frozen += 1
            else:
                biases += 1
        layer_label = a.get("layer", role)
        entry = layers.setdefault((layer_label, role), {
            "layer": layer_label, "role": role, "neurons": 0, "activations": []})
        entry["neurons"] += 1
        if activation not in entry["activations"]:
            entry["activations"].append(activation)
    delayed = gated = loops = weights = 0
    nodes = G.nodes
    for u, v, a in G.edges(data=True):
        delayed += bool(a.get("delay"))
        gated += a.get("gater") is not None
        if u == v:
            loops += 1
            frozen += 1
        elif nodes[v].get("fixed"):
            frozen += 1
        else:
            weights += 1
    training = G.graph.get("training")
    return {
        "format": doc.get("format", FORMAT),
        "version": doc.get("version", VERSION),
        "name": G.graph.get("name"),
        "description": G.graph.get("description"),
        "netgraph_version": meta.get("netgraph_version"),
        "created": meta.get("created"),
        "neurons": {"total": G.number_of_nodes(), "input": roles["input"],
                    "hidden": roles["hidden"], "output": roles["output"],
                    "fixed": fixed_neurons},
        "layers": list(layers.values()),
        "synapses": {"total": G.number_of_edges(), "delayed": delayed, "gated": gated,
                     "self_connections": loops},
        "activations": dict(activations),
        "parameters": {"total": weights + biases, "weights": weights, "biases": biases,
                       "frozen": frozen},
        "training": dict(training) if isinstance(training, dict) else None,
        "columns": _recorded_columns(net),
    }


def _recorded_columns(net: Network) -> dict[str, list[str]] | None:
    inputs, outputs = columns(net)
    if inputs is None and outputs is None:
        return None
    return {"inputs": inputs or [], "outputs": outputs or []}


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def _info_text(path: str, s: dict[str, Any]) -> str:
    from .interop import FORMATS

    lines = [f"file         {path}"]
    fmt = f"{s['format']}, version {s['version']}" if s["version"] is not None else \
        FORMATS.get(s["format"], (s["format"], ""))[0]
    if s["netgraph_version"]:
        fmt += f" (written by netgraph {s['netgraph_version']})"
    lines.append(f"format       {fmt}")
    for key in ("name", "description", "created"):
        if s[key] is not None:
            lines.append(f"{key:<12} {s[key]}")
    lines.append("")
    table = [("layer", "role", "neurons", "activation")]
    for entry in s["layers"]:
        label = "-" if entry["layer"] is None else str(entry["layer"])
        table.append((label, entry["role"], f"{entry['neurons']:,}",
                      ", ".join(entry["activations"])))
    table.append(("total", "", f"{s['neurons']['total']:,}", ""))
    widths = [max(len(row[k]) for row in table) for k in range(4)]
    for k, row in enumerate(table):
        lines.append(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  "
                     f"{row[2]:>{widths[2]}}  {row[3]}".rstrip())
        if k == 0 or k == len(table) - 2:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    n = s["neurons"]
    neurons = f"{n['total']:,} ({n['input']:,} input, {n['hidden']:,} hidden, " \
              f"{n['output']:,} output"
    neurons += f"; {n['fixed']:,} fixed)" if n["fixed"] else ")"
    lines.append(f"neurons      {neurons}")
    y = s["synapses"]
    lines.append(f"synapses     {y['total']:,} ({y['delayed']:,} delayed, {y['gated']:,} gated, "
                 f"{_count(y['self_connections'], 'self-connection')})")
    lines.append("activations  " + ", ".join(f"{name} ({k:,})"
                                             for name, k in s["activations"].items()))
    p = s["parameters"]
    lines.append(f"parameters   {p['total']:,} ({_count(p['weights'], 'weight')} + "
                 f"{_count(p['biases'], 'bias', 'biases')}; "
                 f"{p['frozen']:,} frozen)")
    if s["training"]:
        t = s["training"]
        parts = [f"{k.replace('_', ' ')} {t[k]}" for k in
                 ("optimizer", "cost", "rate", "momentum", "batch_size", "iterations", "error")
                 if t.get(k) is not None]
        lines.append("training     " + ", ".join(parts))
    if s.get("columns"):
        c = s["columns"]
        lines.append(f"columns      inputs {', '.join(c['inputs']) or '-'}; "
                     f"outputs {', '.join(c['outputs']) or '-'}")
    return "\n".join(lines) + "\n"


def _load_any(path: str, source_format: str) -> tuple[Network, str]:
    """A network in any format ``netgraph.interop.load`` reads (``-``: stdin), and the
    format found. Conversion warnings go to stderr as ``netgraph: warning: ...``."""
    from .interop import FORMATS, detect, load
    from .interop._source import MAX_BYTES

    source: Any = sys.stdin.buffer.read(MAX_BYTES + 1) if path == "-" else path
    shown = _show_path(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConversionWarning)
        try:
            net, found = load(source, format=source_format)
        except NetgraphError as e:
            message = str(e)
            if source_format != "auto":  # say what the file really looks like
                with contextlib.suppress(NetgraphError):
                    really = detect(source)
                    if really is not None and really != source_format:
                        message = (f"this is {FORMATS[really][0]}, not "
                                   f"{FORMATS[source_format][0]}; --from {really} (or "
                                   "--from auto) reads it")
            raise CLIError(message if message.startswith(shown) else f"{shown}: {message}"
                           ) from None
    for w in caught:
        if issubclass(w.category, ConversionWarning):
            print(f"{PROG}: warning: {shown}: {w.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return net, found


# ==================================================================== commands
def _cmd_info(args: argparse.Namespace) -> int:
    net, found = _load_any(args.network, args.source_format)
    document = None
    if found == "netgraph" and args.network != "-":
        try:  # the file parsed as JSON already; read its own format version and metadata
            with open(args.network, "rb") as f:
                document = json.loads(f.read())
        except (OSError, ValueError):
            document = None
    s = summary(net, document if isinstance(document, dict) else None)
    if found != "netgraph":
        s.update(format=found, version=None)
    if args.json:
        _print_json({"file": args.network, **s})
    else:
        sys.stdout.write(_printable(_info_text(args.network, s)))
    return EXIT_OK


def _printable(text: str) -> str:
    """``text`` with what stdout cannot encode (a lone surrogate in a name, say) escaped."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    return text.encode(encoding, "backslashreplace").decode(encoding)


def _cmd_validate(args: argparse.Namespace) -> int:
    results = []
    for path in args.networks:
        try:
            net = _load(path)
        except CLIError as e:
            results.append({"file": path, "valid": False, "error": str(e)})
        except OSError as e:
            results.append({"file": path, "valid": False, "error": _os_message(e)})
        else:
            results.append({"file": path, "valid": True,
                            "neurons": net.graph.number_of_nodes(),
                            "synapses": net.graph.number_of_edges()})
    valid = all(r["valid"] for r in results)
    if args.json:
        _print_json({"valid": valid, "files": results})
    else:
        for r in results:
            if r["valid"]:
                print(f"{r['file']}: ok ({_count(r['neurons'], 'neuron')}, "
                      f"{_count(r['synapses'], 'synapse')})")
            else:
                print(f"{PROG}: error: {r['error']}", file=sys.stderr)
    return EXIT_OK if valid else EXIT_FAILED


def _is_neat_checkpoint(path: str) -> bool:
    """Whether ``path`` says, in its first bytes, that it is a NEAT run's checkpoint
    (``Population.save`` writes its format marker first)."""
    if path == "-":
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False  # _load reports it
    return re.search(rb'"format"\s*:\s*"netgraph-neat-checkpoint"', head) is not None


def _load_run(path: str) -> Any:
    """``Population.load(path)`` with the path in every error message."""
    from .neat import Population

    try:
        return Population.load(path)
    except NetgraphError as e:
        message = str(e)
        raise CLIError(message if message.startswith(path) else f"{path}: {message}") from None


def _render_run(args: argparse.Namespace, out: Path, fmt: str) -> int:
    """``netgraph render checkpoint.json``: the run's page (.html), or its last
    champion's diagram (any other format)."""
    pop = _load_run(args.network)
    if fmt == "html":
        from .neat._pictures import render_evolution

        written = render_evolution(pop, out, title=args.title)
    else:
        options: dict[str, Any] = {"rankdir": args.rankdir, "precision": args.precision}
        if args.title is not None:
            options["title"] = args.title
        champion = pop.best if pop.best is not None else None
        if champion is None:
            raise CLIError(f"{args.network}: the run has no champion yet")
        try:
            written = champion.network.render(out, format=fmt, **options)
        except GraphvizNotFoundError as e:
            raise CLIError(str(e)) from None
    print(f"wrote {written}")
    return EXIT_OK


def _cmd_render(args: argparse.Namespace) -> int:
    _check_folder(args.output)
    out = Path(args.output)
    fmt = (args.format or out.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise CLIError(f"{args.output}: cannot tell the picture format from the extension; "
                       f"use one of {', '.join('.' + f for f in FORMATS)} (or --format)")
    if _is_neat_checkpoint(args.network):
        return _render_run(args, out, fmt)
    net = _load(args.network)
    options: dict[str, Any] = {
        "rankdir": args.rankdir, "precision": args.precision, "weights": args.weights,
        "biases": args.biases, "activations": args.activations, "colors": args.colors,
        "collapse": {"auto": None, "yes": True, "no": False}[args.collapse],
        "legend": args.legend,
    }
    if args.dpi is not None:
        options["dpi"] = args.dpi
    if args.title is not None:
        options["title"] = args.title
    if args.input is not None:
        options["input"] = args.input
    if args.target is not None:
        options["target"] = args.target
        options["rate"] = args.rate
    if fmt == "html":  # a page draws what it is asked about on hover: no label options
        options = {k: v for k, v in options.items()
                   if k not in ("weights", "biases", "activations", "legend", "dpi")}
    try:
        written = net.render(out, format=fmt, **options)
    except GraphvizNotFoundError as e:
        raise CLIError(f"{e} (here: netgraph render {args.network} -o "
                       f"{out.with_suffix('.dot')})") from None
    except ValueError as e:  # an option the diagram refuses (e.g. a bad title character)
        raise CLIError(str(e)) from None
    except subprocess.CalledProcessError as e:  # Graphviz ran and failed
        detail = (e.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise CLIError(f"Graphviz could not draw {args.network}"
                       + (f": {detail[-1]}" if detail else "")) from None
    print(f"wrote {written}")
    return EXIT_OK


def _cmd_convert(args: argparse.Namespace) -> int:
    from .interop import FORMATS, to_brain, to_neat_json, to_neataptic, to_synaptic

    _check_folder(args.output)
    net, found = _load_any(args.input, args.source_format)
    target = args.target_format
    if found == target:
        raise CLIError(f"{_show_path(args.input)} is {FORMATS[found][0]} already (--to "
                       "FORMAT converts it to another format)")
    if target == "netgraph":
        if args.output == "-":
            sys.stdout.write(net.to_json(layout=args.layout))
        else:
            net.save(args.output, layout=args.layout)
    elif target in _EXPORTS:
        _export(net, args)
    else:
        writer = {"synaptic": to_synaptic, "neataptic": to_neataptic, "brain": to_brain,
                  "neat": to_neat_json}[target]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConversionWarning)
            try:
                document = writer(net)
            except NetgraphError as e:
                raise CLIError(f"{_show_path(args.input)}: cannot write it as "
                               f"{FORMATS[target][0]}: {e}") from None
        for w in caught:
            print(f"{PROG}: warning: {w.message}", file=sys.stderr)
        _emit(json.dumps(document, indent=args.indent, allow_nan=False) + "\n", args.output)
    if args.output != "-":
        print(f"wrote {args.output}")
    return EXIT_OK


# --to FORMAT for the exports of netgraph.interop: (function name, what it is)
_EXPORTS = {"onnx": ("to_onnx", "an ONNX model"), "python": ("to_python", "Python source"),
            "javascript": ("to_javascript", "JavaScript source"), "c": ("to_c", "C source")}


def _export(net: Network, args: argparse.Namespace) -> None:
    """Write ``net`` as ONNX or standalone code (``--to onnx|python|javascript|c``)."""
    from . import interop

    name, what = _EXPORTS[args.target_format]
    try:
        if args.target_format == "onnx":
            data = interop.to_onnx(net, dtype=args.dtype).SerializeToString()
        else:
            data = getattr(interop, name)(net).encode("utf-8")
    except NetgraphError as e:
        raise CLIError(f"{args.input}: cannot write it as {what}: {e}") from None
    if args.output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
    else:
        write_atomically(args.output, data)


def _layers(text: str) -> list[int]:
    sizes = []
    for cell in text.replace(" ", "").split(","):
        if not cell.isdecimal() or int(cell) < 1:
            raise argparse.ArgumentTypeError(
                f"expected layer sizes such as 2,3,1 (whole numbers >= 1), got {text!r}")
        sizes.append(int(cell))
    if len(sizes) < 2:
        raise argparse.ArgumentTypeError(f"need at least an input and an output size, got "
                                         f"{text!r}")
    return sizes


def _rate(text: str) -> float | list[float]:
    try:
        values = _numbers(text, "--rate")
    except CLIError as e:
        raise argparse.ArgumentTypeError(str(e).removeprefix("--rate: ")) from None
    return values[0] if len(values) == 1 else values


def _activation(text: str) -> str:
    try:
        return get_activation(text).name
    except ActivationError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _positive_int(text: str) -> int:
    if not text.isdecimal() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def _nonnegative_int(text: str) -> int:
    if not text.isdecimal():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(text)


def _input_values(text: str) -> list[float]:
    """``--input``: comma-separated finite numbers, ``1,0`` or ``0.5, -2``."""
    return [_finite(part.strip()) for part in text.split(",")]


def _finite(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return x


def _cmd_train(args: argparse.Namespace) -> int:
    parser: argparse.ArgumentParser = args.parser
    if (args.network is None) == (args.layers is None):
        parser.error("give a network file to train further or --layers to make a new one "
                     "(one of them, not both)")
    if args.network is not None and (args.activation or args.output_activation) is not None:
        parser.error("--activation and --output-activation are for a new network (--layers)")
    _check_folder(args.output)
    net = _load(args.network) if args.network is not None else None
    header, data = read_csv(args.data)
    data_name = _show_path(args.data)
    n_out = args.targets if args.targets is not None else (
        len(net.outputs) if net is not None else args.layers[-1])
    columns = data.shape[1]
    if n_out >= columns:
        raise CLIError(f"{data_name}: {_count(columns, 'column')} leave no inputs beside "
                       f"{_count(n_out, 'target')}")
    n_in = columns - n_out
    if net is not None:
        want_in, want_out, what = len(net.inputs), len(net.outputs), args.network
    else:
        want_in, want_out = args.layers[0], args.layers[-1]
        what = f"--layers {','.join(map(str, args.layers))}"
    if (n_in, n_out) != (want_in, want_out):
        raise CLIError(f"{data_name} has {columns} columns, read as {_count(n_in, 'input')} "
                       f"and {_count(n_out, 'target')}; {what} takes {_count(want_in, 'input')} "
                       f"and {_count(want_out, 'output')} (columns: inputs first, then targets;"
                       f" --targets N says how many targets)")
    if net is None:
        from .architect import Perceptron

        net = Perceptron(*args.layers, activation=args.activation or "logistic",
                         output_activation=args.output_activation, seed=args.seed)
    X, T = data[:, :n_in], data[:, n_in:]
    if header is not None:  # kept in the saved network, for predict's outputs
        net.graph.graph["columns"] = {"inputs": header[:n_in], "outputs": header[n_in:]}
    options: dict[str, Any] = {}
    for key in ("rate", "iterations", "error", "cost", "batch_size", "optimizer", "momentum",
                "seed"):
        value = getattr(args, key)
        if value is not None:
            options[key] = value
    options.update(shuffle=args.shuffle, progress=args.progress, log=args.log or 0)
    result = net.train(X, T, **options)  # its log lines and progress bar go to stderr
    previous = net.graph.graph.get("training")
    done_before = previous.get("iterations", 0) if isinstance(previous, dict) else 0
    optimizer = options.get("optimizer", "sgd")
    rate = options.get("rate", 0.001 if optimizer == "adam" else 0.2)
    training = {
        "optimizer": optimizer, "cost": options.get("cost", "mse"),
        "rate": rate[-1] if isinstance(rate, list) else rate,
        "momentum": options.get("momentum", 0.0), "batch_size": options.get("batch_size", 1),
        "iterations": (done_before if isinstance(done_before, int) else 0) + result.iterations,
        "error": result.error if math.isfinite(result.error) else None,
    }
    net.save(args.output, training={k: v for k, v in training.items() if v is not None})
    error_goal = options.get("error", 0.005)
    why = {"goal": f"reached the target error {error_goal}",
           "iterations": "ran every iteration asked for",
           "schedule": "a schedule stopped it",
           "cross_validation": "reached the validation error"}.get(result.stopped,
                                                                   result.stopped)
    if args.json:
        out = {"error": result.error, "iterations": result.iterations, "time": result.time,
               "stopped": result.stopped, "samples": len(X), "output": args.output}
        if args.history:
            out["history"] = [float(x) for x in result.history]
        _print_json(out)
    else:
        print(f"error {result.error:.6g} after {_count(result.iterations, 'iteration')} "
              f"in {result.time:.2f} s ({why}); {_count(len(X), 'sample')}")
        print(f"wrote {args.output}")
    return EXIT_OK


_TASKS = ("xor", "multiplexer", "cartpole", "doublepole")


def _task(name: str) -> Any:
    from .neat import tasks

    return {"xor": tasks.XOR, "multiplexer": tasks.Multiplexer, "cartpole": tasks.CartPole,
            "doublepole": tasks.DoublePole}[name]()


def _cmd_evolve(args: argparse.Namespace) -> int:
    """Run NEAT on a task and write the run: checkpoint, champion (JSON and SVG) and
    the evolution page, into the folder ``-o``."""
    from . import neat
    from .neat._pictures import render_evolution

    folder = Path(args.output)
    if not folder.parent.is_dir():
        raise CLIError(f"{args.output}: no folder {str(folder.parent)!r} to make it in")
    if folder.exists() and not folder.is_dir():
        raise CLIError(f"{args.output}: exists and is not a folder")
    task = _task(args.task)
    if args.config is None and isinstance(task, neat.tasks.DoublePole):
        config = neat.tasks.DoublePole.config(task.velocities)  # the paper's, per task
    elif args.config is None:
        config = neat.Config.paper(task.num_inputs, task.num_outputs)
    else:
        try:
            config = neat.Config.from_file(args.config)
        except OSError as e:
            raise CLIError(f"{args.config}: {_os_message(e)}") from None
        except NetgraphError as e:
            raise CLIError(str(e)) from None
    values = config.values
    if (values["num_inputs"], values["num_outputs"]) != (task.num_inputs, task.num_outputs):
        raise CLIError(f"{args.config}: num_inputs = {values['num_inputs']} and num_outputs = "
                       f"{values['num_outputs']}, but the task {args.task} has "
                       f"{task.num_inputs} inputs and {task.num_outputs} outputs")
    pop = neat.Population(config, seed=args.seed)
    champion = pop.run(task, args.generations)
    folder.mkdir(exist_ok=True)
    written = [folder / "checkpoint.json", folder / "champion.json", folder / "evolution.html"]
    pop.save(written[0])
    champion.network.save(written[1])
    render_evolution(pop, written[2])
    try:
        written.append(champion.network.render(folder / "champion.svg"))
    except GraphvizNotFoundError:
        written.append(champion.network.render(folder / "champion.dot"))
        print("Graphviz's dot was not found: wrote champion.dot instead of champion.svg",
              file=sys.stderr)
    last = pop.history[-1]
    solved = " (solved)" if last.solved is not None else ""
    print(f"generation {last.generation}: best fitness {champion.fitness:.6g}{solved}, "
          f"{len(last.species)} species, {last.evaluations:,} evaluations")
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def columns(net: Network) -> tuple[list[str] | None, list[str] | None]:
    """The column names a network was trained on with ``netgraph train`` (the CSV's header,
    kept as the graph attribute ``columns``): ``(inputs, outputs)``, each ``None`` when
    not recorded (or not one name per input or output)."""
    recorded = net.graph.graph.get("columns")
    if not isinstance(recorded, dict):
        return None, None

    def names(key: str, n: int) -> list[str] | None:
        value = recorded.get(key)
        if isinstance(value, list) and len(value) == n and all(isinstance(v, str) for v in value):
            return [str(v) for v in value]
        return None
    return names("inputs", len(net.inputs)), names("outputs", len(net.outputs))


def _cmd_predict(args: argparse.Namespace) -> int:
    _check_folder(args.output)
    net = _load(args.network)
    n_in, n_out = len(net.inputs), len(net.outputs)
    input_names, output_names = columns(net)
    if args.input is not None:
        rows = []
        for text in args.input:
            values = _numbers(text, "--input")
            if len(values) != n_in:
                raise CLIError(f"--input {text!r} has {_count(len(values), 'value')}; "
                               f"{args.network} takes {_count(n_in, 'input')}")
            rows.append(values)
        X = np.array(rows)
    else:
        header, X = read_csv(args.data)
        if header is not None and input_names is not None and set(input_names) <= set(header):
            # the columns the network was trained on, by name (others, e.g. targets, unused)
            X = X[:, [header.index(name) for name in input_names]]
        elif X.shape[1] != n_in:
            trained = "" if input_names is None else \
                f" (it was trained on the columns {', '.join(input_names)})"
            raise CLIError(f"{_show_path(args.data)} has {_count(X.shape[1], 'column')}; "
                           f"{args.network} takes {_count(n_in, 'input')}{trained}")
    Y = np.asarray(net.activate(X)).reshape(len(X), n_out)
    output_header = output_names or [f"output{k}" for k in range(n_out)]
    if args.json:
        if args.output not in (None, "-"):
            raise CLIError("--json prints to stdout; leave out -o")
        _print_json({"inputs": X.tolist(), "outputs": Y.tolist(), "columns": {
            "inputs": input_names or [f"input{k}" for k in range(n_in)],
            "outputs": output_header}})
    elif args.data is not None:
        _emit(_format_csv(output_header, Y), args.output)
        if args.output not in (None, "-"):
            print(f"wrote {args.output}")
    else:
        _emit("".join(",".join(_number_text(y) for y in row) + "\n" for row in Y), args.output)
    return EXIT_OK


# ====================================================================== parser
class _Formatter(argparse.HelpFormatter):
    """Wrap descriptions paragraph by paragraph, keeping indented lines (examples) as they
    are; show defaults where they are set."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in re.split(r"\n\s*\n", text.strip("\n")):
            if paragraph.startswith("  "):
                paragraphs.append("\n".join(indent + line for line in paragraph.splitlines()))
            else:
                paragraphs.append(textwrap.fill(" ".join(paragraph.split()), width,
                                                initial_indent=indent, subsequent_indent=indent))
        return "\n\n".join(paragraphs)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if ("%(default)" not in text and action.default not in (None, False, argparse.SUPPRESS)
                and action.option_strings and not isinstance(action.default, bool)):
            text += " (default: %(default)s)"
        return text


_JSON_HELP = "print the result as JSON on stdout"

_Command = Callable[[str, str, str], argparse.ArgumentParser]


def _info_command(command: _Command) -> None:
    """The ``info`` subcommand's arguments."""
    p = command("info", "summarize a network: layers, synapses, parameters",
                "Summarize a network: neurons per layer and role, synapses (delayed, gated,\n"
                "self-connections), activations, learnable parameters and the file's format "
                "\n(any format netgraph reads, recognised on sight).")
    p.add_argument("network", metavar="NET.json",
                   help="a network file: netgraph, Synaptic, Neataptic, brain.js, "
                        "neat-python or ONNX ('-': stdin)")
    p.add_argument("--from", dest="source_format", choices=READ_FORMATS, default="auto",
                   help="the file's format; auto recognises it")
    p.add_argument("--json", action="store_true", help=_JSON_HELP)
    p.set_defaults(run=_cmd_info)


def _validate_command(command: _Command) -> None:
    """The ``validate`` subcommand's arguments."""
    p = command("validate", "check network files (format and meaning)",
                "Check that each file is a netgraph network that loads: its JSON, its schema\n"
                "and its meaning (known neurons, no duplicate synapse, no undelayed cycle, ...).\n"
                "Prints 'ok' for each good file; exits 1 if any file is bad, naming the place:\n"
                "synapses[17].target: unknown neuron 'h9'.")
    p.add_argument("networks", metavar="NET.json", nargs="+", help="netgraph network files")
    p.add_argument("--json", action="store_true", help=_JSON_HELP)
    p.set_defaults(run=_cmd_validate)


def _render_command(command: _Command) -> None:
    """The ``render`` subcommand's arguments."""
    p = command("render", "draw a network (svg, png, pdf, ... or DOT)",
                "Draw a network with Graphviz. The output's extension is the picture's "
                "format:\n" + ", ".join(FORMATS) + ". .dot and .gv write the DOT source and "
                "need no Graphviz\nprogram; .html writes a page to explore the network in a "
                "browser (pan, zoom,\nhover, search, collapsible layers, the forward pass), "
                "with or without Graphviz;\nthe others need Graphviz's 'dot'.\n\n"
                "  netgraph render net.json -o net.svg --biases --title XOR\n"
                "  netgraph render net.json -o values.svg --input 1,0\n"
                "  netgraph render big.json -o big.png --collapse yes --dpi 150")
    p.add_argument("network", metavar="NET.json",
                   help="a netgraph network file, or a NEAT run's checkpoint (.html: its "
                        "evolution page; else its champion)")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the picture to write (e.g. net.svg)")
    p.add_argument("--format", choices=FORMATS, help="the format, if not the extension's")
    p.add_argument("--rankdir", choices=("LR", "RL", "TB", "BT"), default="LR",
                   type=str.upper, help="direction of the layers")
    p.add_argument("--precision", type=_nonnegative_int, default=2, metavar="N",
                   help="decimals of the weights (and biases) shown")
    p.add_argument("--weights", dest="weights", action="store_true", default=None,
                   help="label every synapse with its weight (default: up to 60 synapses)")
    p.add_argument("--no-weights", dest="weights", action="store_false",
                   help="do not label synapses with their weights")
    p.add_argument("--input", type=_input_values, metavar="X,Y,...",
                   help="show what each neuron computes for this input: its sum and "
                        "output, and each synapse's contribution (e.g. --input 1,0)")
    p.add_argument("--target", type=_input_values, metavar="T,...",
                   help="with --input: show what propagate would change for this target "
                        "(errors, weight and bias changes; feed-forward networks)")
    p.add_argument("--rate", type=_finite, default=0.3, metavar="R",
                   help="the learning rate of --target's propagate step (default 0.3)")
    p.add_argument("--biases", action="store_true", help="show each neuron's bias")
    p.add_argument("--activations", action="store_true",
                   help="show each neuron's activation")
    p.add_argument("--no-legend", dest="legend", action="store_false",
                   help="leave out the caption explaining colours and widths")
    p.add_argument("--dpi", type=_finite, metavar="N", help="resolution of png/jpg/gif")
    p.add_argument("--title", metavar="TEXT", help="a title above the diagram")
    p.add_argument("--colors", choices=tuple(COLOR_SCHEMES), default="default",
                   help="colour scheme")
    p.add_argument("--collapse", choices=("auto", "yes", "no"), default="auto",
                   help="draw each layer as one node: auto (above 100 neurons or 1000 "
                        "synapses), yes, no")
    p.set_defaults(run=_cmd_render)


def _convert_command(command: _Command) -> None:
    """The ``convert`` subcommand's arguments."""
    p = command("convert", "convert between netgraph, Synaptic, Neataptic, brain.js, "
                           "neat-python and ONNX; export ONNX or code",
                "Convert a network between formats. The input's format is recognised on sight\n"
                "(--from auto): netgraph, Synaptic.js, Neataptic, brain.js, neat-python\n"
                "(export_network_json) or ONNX. --to picks the output (default netgraph).\n\n"
                "  netgraph convert winner.json -o net.json        # neat-python -> netgraph\n"
                "  netgraph convert net.json --to neataptic -o n.json\n"
                "  netgraph convert --from synaptic synaptic.json -o net.json\n"
                "  netgraph convert net.json --to onnx -o net.onnx     # also: python, "
                "javascript, c\n\n"
                "What a format cannot express is refused, naming it; what is kept but changed\n"
                "is named in a warning. Outputs are written atomically (a temporary file\n"
                "renamed over the target); -o - prints to stdout.")
    p.add_argument("--from", dest="source_format", choices=READ_FORMATS, default="auto",
                   help="the input's format; auto recognises it (a wrong one is named)")
    p.add_argument("--to", dest="target_format", choices=WRITE_FORMATS, default="netgraph",
                   help="the output's format (onnx, python, javascript, c: exports)")
    p.add_argument("input", metavar="IN", help="the file to convert ('-': stdin)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.json",
                   help="where to write the result ('-': stdout)")
    p.add_argument("--layout", choices=("auto", "rows", "columns"), default="auto",
                   help="netgraph output: synapses as rows (readable) or columns (compact); "
                        "auto: rows up to 1000 synapses")
    p.add_argument("--indent", type=_nonnegative_int, metavar="N",
                   help="non-netgraph output: indent the JSON by N spaces (default: "
                        "compact)")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                   help="ONNX output: the model's number type")
    p.set_defaults(run=_cmd_convert)


def _train_command(command: _Command) -> None:
    """The ``train`` subcommand's arguments."""
    p = command("train", "train a network on a CSV file",
                "Train a network on a CSV file and save it.\n\n"
                "  netgraph train --layers 2,3,1 --data xor.csv -o net.json   # a new "
                "Perceptron\n"
                "  netgraph train net.json --data more.csv -o net2.json       # train further"
                "\n\nThe CSV has a header row (optional: a first row of numbers is data) and "
                "one sample per row:\nthe inputs first, then the targets (--targets N of them; "
                "default: the network's outputs).\nThe header's names are kept in the saved "
                "network, for 'netgraph predict'. Training stops\nafter --iterations epochs "
                "or once an epoch's error is at most --error.")
    p.add_argument("network", metavar="NET.json", nargs="?",
                   help="a network to train further (or use --layers)")
    p.add_argument("--layers", metavar="SIZES", type=_layers,
                   help="make a new Perceptron with these layer sizes, e.g. 2,3,1")
    p.add_argument("--activation", type=_activation, metavar="NAME",
                   help="activation of a new network's neurons (default: logistic; one of "
                        f"{', '.join(ACTIVATIONS)}, or an alias such as sigmoid or ReLU)")
    p.add_argument("--output-activation", type=_activation, metavar="NAME",
                   help="activation of a new network's output neurons (default: as "
                        "--activation; identity for regression targets outside [0, 1])")
    p.add_argument("--data", required=True, metavar="DATA.csv",
                   help="the samples ('-': stdin)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.json",
                   help="where to save the trained network")
    p.add_argument("--targets", type=_positive_int, metavar="N",
                   help="how many of the last columns are targets (default: the network's "
                        "outputs)")
    p.add_argument("--rate", type=_rate, metavar="R",
                   help="learning rate, or a list spread over the iterations (0.3,0.1) "
                        "(default: 0.2; adam: 0.001)")
    p.add_argument("--iterations", type=_positive_int, metavar="N",
                   help="most epochs to run (default: 100000)")
    p.add_argument("--error", type=_finite, metavar="E",
                   help="stop once an epoch's error is at most E (default: 0.005)")
    p.add_argument("--cost", choices=tuple(COSTS), help="cost function (default: mse)")
    p.add_argument("--batch-size", type=_positive_int, metavar="N",
                   help="samples per step (default: 1, Synaptic's online rule)")
    p.add_argument("--optimizer", choices=("sgd", "adam"), help="optimizer (default: sgd)")
    p.add_argument("--momentum", type=_finite, metavar="M", help="SGD momentum in [0, 1) "
                   "(default: 0)")
    p.add_argument("--shuffle", action="store_true", help="reshuffle the samples every epoch")
    p.add_argument("--seed", type=int, metavar="N",
                   help="seed for a new network's weights and for shuffling")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar on stderr (default: when stderr is a terminal)")
    p.add_argument("--log", type=_positive_int, metavar="N",
                   help="print the error every N epochs (to stderr)")
    p.add_argument("--json", action="store_true", help=_JSON_HELP)
    p.add_argument("--history", action="store_true",
                   help="with --json: include every epoch's error")
    p.set_defaults(run=_cmd_train, parser=p)


def _predict_command(command: _Command) -> None:
    """The ``predict`` subcommand's arguments."""
    p = command("predict", "run a network on inputs",
                "Run a network on inputs and print its outputs.\n\n"
                "  netgraph predict net.json --input 0,1\n"
                "  netgraph predict net.json --data inputs.csv -o outputs.csv\n\n"
                "--input prints one line of comma-separated outputs per --input (repeat it "
                "for several samples).\n--data reads a CSV of inputs (a header row is "
                "optional) and writes a CSV of outputs. For a\nnetwork made by 'netgraph "
                "train' from a CSV with a header, the inputs are picked from --data's\n"
                "columns by name (so the training CSV itself works), and the outputs are "
                "named as the targets\nwere; otherwise the columns are taken in order and "
                "the outputs are output0,output1,...\nA network with delayed or gated "
                "synapses runs the samples in order, as one sequence.")
    p.add_argument("network", metavar="NET.json", help="a netgraph network file")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", action="append", metavar="X,Y,...",
                        help="one sample's inputs, comma-separated (repeatable)")
    source.add_argument("--data", metavar="INPUTS.csv", help="a CSV of inputs ('-': stdin)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the outputs here instead "
                   "of stdout")
    p.add_argument("--json", action="store_true", help=_JSON_HELP)
    p.set_defaults(run=_cmd_predict)


def _evolve_command(command: _Command) -> None:
    """The ``evolve`` subcommand's arguments."""
    p = command("evolve", "evolve networks with NEAT on a task; write the run",
                "Run NEAT (netgraph.neat) on a task and write, into the folder -o: the\n"
                "checkpoint (checkpoint.json, to continue or draw the run), the champion\n"
                "(champion.json, a netgraph network, and champion.svg) and the evolution\n"
                "page (evolution.html).\n\n"
                "  netgraph evolve --config config-feedforward --task xor --generations 100 "
                "-o run/\n"
                "  netgraph render run/checkpoint.json -o evolution.html\n\n"
                "--config is a neat-python configuration file, read unchanged (default: the "
                "paper's\nparameters for the task's inputs and outputs).")
    p.add_argument("--config", metavar="FILE", help="a neat-python configuration file")
    p.add_argument("--task", choices=_TASKS, required=True, help="what to evolve for")
    p.add_argument("--generations", type=_positive_int, default=100, metavar="N",
                   help="most generations to run (default 100; a task may stop sooner)")
    p.add_argument("--seed", type=int, metavar="N", help="seed of the run")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="the folder to write the run in (made if missing)")
    p.set_defaults(run=_cmd_evolve)


_COMMANDS = (_info_command, _validate_command, _render_command, _convert_command,
             _train_command, _predict_command, _evolve_command)


def build_parser() -> argparse.ArgumentParser:
    """The ``netgraph`` command line, subcommands and all (each subcommand's arguments
    in a function of its own below).

    **Returns** an ``argparse.ArgumentParser``; ``parse_args`` gives a namespace
    whose ``run`` attribute carries out the chosen subcommand.
    """
    parser = argparse.ArgumentParser(
        prog=PROG, formatter_class=_Formatter,
        description="Neural networks built as graphs: inspect, check, draw, convert, train "
                    "and run\nnetgraph networks (JSON files written by Network.save).",
        epilog="Exit status: 0 ok, 1 a failed check or unusable input, 2 a bad command "
               "line.\nRun 'netgraph COMMAND --help' for a command's options.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def command(name: str, help: str, description: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help, description=description,
                                   formatter_class=_Formatter)

    for add in _COMMANDS:
        add(command)
    return parser


# ======================================================================== main
def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``netgraph`` command.

    **Arguments**
    - ``argv``: the arguments after the program name (default: ``sys.argv[1:]``).

    **Returns** the exit status: 0 on success, 1 when a check fails or an input is
    unusable (the reason printed on stderr), 2 for a malformed command line.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(_join_negative_inputs(sys.argv[1:] if argv is None else argv))
        status: int = args.run(args)
        sys.stdout.flush()  # a closed pipe shows up here, not at exit
        return status
    except SystemExit as e:  # --help, --version and usage errors (argparse exits)
        return int(e.code) if isinstance(e.code, int) else EXIT_USAGE
    except (CLIError, NetgraphError) as e:
        return _fail(str(e))
    except BrokenPipeError:
        return _broken_pipe()
    except OSError as e:
        return _fail(_os_message(e))
    except MemoryError as e:  # a network refused for its size says how large it is
        return _fail(str(e) or "out of memory")
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _join_negative_inputs(argv: Sequence[str]) -> list[str]:
    """``--input -1,2`` as ``--input=-1,2``: argparse takes a value that starts with ``-``
    (and is not a plain number) for an option, and would stop at "expected one argument"."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] == "--input" and re.match(r"-\.?\d", arg):
            out[-1] = f"--input={arg}"
        else:
            out.append(arg)
    return out


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_FAILED


def _broken_pipe() -> int:
    """stdout's reader went away (``netgraph ... | head``): stop quietly."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return EXIT_FAILED
