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
    rows = [("Layer (type)", "Output Shape", "Param #") + (("Trainable",) if show_trainable
                                                           else ())]

    def add_rows(owner: Any, shape: tuple | None, indent: str) -> None:
        for layer in owner.layers:
            inner_shape = shape
            if shape is not None:
                shape = layer.compute_output_shape(shape)
            params = sum(int(np.prod(w.shape)) for w in layer.weights) if layer.built else 0
            rows.append((f"{indent}{layer.name} ({type(layer).__name__})",
                         "?" if shape is None else str(tuple(shape)), f"{params:,}")
                        + (("Y" if layer.trainable else "N",) if show_trainable else ()))
            if expand_nested and hasattr(layer, "layers"):
                add_rows(layer, inner_shape, indent + "  ")

    add_rows(model, model.input_spec_shape, "")
    widths = [max(len(r[i]) for r in rows) + 2 for i in range(len(rows[0]))]
    if line_length is not None and line_length > sum(widths):
        widths[0] += line_length - sum(widths)
    rule = "-" * sum(widths)
    lines = [f'Model: "{model.name}"', rule]
    for i, row in enumerate(rows):
        lines.append(row[0].ljust(widths[0]) + row[1].ljust(widths[1])
                     + "".join(cell.rjust(width) for cell, width in zip(row[2:], widths[2:])))
        lines.append("=" * sum(widths) if i == 0 else rule)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    total = sum(int(np.prod(w.shape)) for w in model.weights)
    lines += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}"]
    if not model.built:
        lines.append("(The model is not built: shapes and counts appear once it is.)")
    print_fn("\n".join(lines))

