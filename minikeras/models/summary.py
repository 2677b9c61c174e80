"""`summary()`: the table of a model's layers, output shapes and parameter counts."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def print_summary(model: Any, line_length: int | None = None, positions: Any = None,
                  print_fn: Callable[[str], Any] | None = None, expand_nested: bool = False,
                  show_trainable: bool = False, layer_range: Any = None) -> None:
    """Prints ``model``'s layers (name, type, output shape, parameter count) and the totals,
    laid out as keras's ``model.summary()``; see `Sequential.summary` for the arguments."""
    for arg, value in (("positions", positions), ("layer_range", layer_range)):
        if value is not None:
            raise ValueError(f"summary() does not support `{arg}`. Received: {arg}={value!r}")
    print_fn = print_fn or print
    graph = hasattr(model, "_nodes")  # a functional model: its input layers are rows too
    connected = graph and not _sequential_like(model)
    rows = [("Layer (type)", "Output Shape", "Param #")
            + (("Connected to",) if connected else ())
            + (("Trainable",) if show_trainable else ())]

    def trainable_cell(layer: Any) -> tuple:
        if not show_trainable:
            return ()
        if graph and not layer.weights:
            return ("-",)  # keras marks layers without weights so
        return ("Y" if layer.trainable else "N",)

    def add_rows(owner: Any, shape: tuple | None, indent: str) -> None:
        for layer in owner.layers:
            inner_shape = shape
            if shape is not None:
                shape = layer.compute_output_shape(shape)
            params = sum(int(np.prod(w.shape)) for w in layer.weights) if layer.built else 0
            rows.append((f"{indent}{layer.name} ({type(layer).__name__})",
                         "?" if shape is None else str(tuple(shape)), f"{params:,}")
                        + (("",) if connected else ()) + trainable_cell(layer))
            if expand_nested and hasattr(layer, "layers"):
                add_rows(layer, inner_shape, indent + "  ")

    def add_graph_rows(owner: Any, indent: str, top: bool) -> None:
        nodes = {id(n) for n in owner._nodes}
        for layer in owner.layers:
            params = sum(int(np.prod(w.shape)) for w in layer.weights) if layer.built else 0
            rows.append((f"{indent}{layer.name} ({type(layer).__name__})",
                         _output_shape(layer), f"{params:,}")
                        + ((_connections(layer, nodes) if top else "",) if connected else ())
                        + trainable_cell(layer))
            if expand_nested and hasattr(layer, "_nodes"):
                add_graph_rows(layer, indent + "  ", False)
            elif expand_nested and hasattr(layer, "layers"):
                add_rows(layer, layer.input_spec_shape, indent + "  ")

    if graph:
        add_graph_rows(model, "", True)
    else:
        add_rows(model, model.input_spec_shape, "")
    widths = [max(len(r[i]) for r in rows) + 2 for i in range(len(rows[0]))]
    if line_length is not None and line_length > sum(widths):
        widths[0] += line_length - sum(widths)
    rule = "-" * sum(widths)
    lines = [f'Model: "{model.name}"', rule]
    for i, row in enumerate(rows):
        lines.append(row[0].ljust(widths[0]) + row[1].ljust(widths[1]) + row[2].rjust(widths[2])
                     + "".join(("  " + cell).ljust(width + 2) if connected and j == 3
                               else cell.rjust(width)
                               for j, cell, width in zip(range(3, len(row)), row[3:],
                                                         widths[3:])).rstrip())
        lines.append("=" * sum(widths) if i == 0 else rule)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    total = sum(int(np.prod(w.shape)) for w in model.weights)
    lines += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}"]
    if not model.built:
        lines.append("(The model is not built: shapes and counts appear once it is.)")
    print_fn("\n".join(lines))



def _sequential_like(model: Any) -> bool:
    """keras's test: a graph is shown without "Connected to" when it is a chain (one node per
    depth, each with one input, no layer called twice)."""
    nodes = model._nodes
    ids = {id(n) for n in nodes}
    depth: dict[int, int] = {}
    for node in reversed(nodes):  # outputs first: a parent is one deeper than its child
        d = depth.setdefault(id(node), 0)
        for parent in node.parents:
            if id(parent) in ids:
                depth[id(parent)] = max(depth.get(id(parent), 0), d + 1)
    if len(set(depth.values())) != len(nodes):
        return False
    if any(len(n.flat_inputs) > 1 for n in nodes):
        return False
    return all(sum(id(n) in ids for n in layer._inbound_nodes) <= 1 for layer in model.layers)


def _output_shape(layer: Any) -> str:
    """The shape of the outputs of the layer's latest call (keras's column)."""
    if not layer._inbound_nodes:
        return "?"
    outputs = layer._inbound_nodes[-1].outputs
    flat = [t.shape for t in _flatten(outputs)]
    if len(flat) == 1:
        return _shape_text(flat[0])
    return _structure_text(outputs)


def _shape_text(shape: tuple) -> str:
    return f"({', '.join(str(d) for d in shape)})"


def _structure_text(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_structure_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_structure_text(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    return _shape_text(value.shape)


def _flatten(value: Any) -> list:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _flatten(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _flatten(v)]
    return [value]


def _connections(layer: Any, model_nodes: set) -> str:
    """keras's "Connected to": ``layer[node index][tensor index]`` of every tensor each of the
    layer's calls in this model takes; "-" for none."""
    parts = []
    for node in layer._inbound_nodes:
        if id(node) not in model_nodes:
            continue
        for t in node.flat_inputs:
            index = next(i for i, n in enumerate(t.node.layer._inbound_nodes) if n is t.node)
            parts.append(f"{t.node.layer.name}[{index}][{t.index}]")
    return ", ".join(parts) or "-"
