"""Pictures of training: decision boundaries and loss curves (needs matplotlib, `pip install
minikeras[plot]`). Each function draws on a given Axes or a new figure and returns the figure.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # optional dependency
        raise ImportError(
            "Plotting needs matplotlib: pip install 'minikeras[plot]' (or matplotlib).") from err
    return plt


def plot_decision_boundary(model: Any, x: np.ndarray, y: np.ndarray, ax: Any = None,
                           title: str | None = None, resolution: int = 200, margin: float = 0.5):
    """Shades a 2-feature classifier's predicted probability over the plane, with the data.

    Args:
      model: Anything with ``predict(points, verbose=0)`` returning probabilities of shape
        (n, 1) (binary) or (n, classes).
      x: Data of shape (n, 2); y: labels of shape (n,) or (n, 1).
      ax: Optional matplotlib Axes. title: Optional title.
      resolution: Grid points per axis. Default 200.
    """
    plt = _pyplot()
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"Expected `x` of shape (n, 2). Received shape {x.shape}")
    fig = ax.figure if ax is not None else plt.figure(figsize=(4, 4))
    ax = ax or fig.add_subplot()
    (x0, y0), (x1, y1) = x.min(0) - margin, x.max(0) + margin
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.c_[gx.ravel(), gy.ravel()].astype(np.float32)
    prob = np.asarray(model.predict(grid, batch_size=4096, verbose=0))
    prob = prob[:, 0] if prob.shape[1] == 1 else prob.argmax(1)
    ax.contourf(gx, gy, prob.reshape(gx.shape), levels=20, cmap="RdBu_r", alpha=0.6)
    ax.contour(gx, gy, prob.reshape(gx.shape), levels=[0.5], colors="k", linewidths=1)
    ax.scatter(x[:, 0], x[:, 1], c=np.ravel(y), cmap="RdBu_r", edgecolors="k", s=14)
    if title:
        ax.set_title(title)
    return fig


def plot_history(history: Any, ax: Any = None, title: str | None = None):
    """Plots every logged quantity of a `History` (training and ``val_`` curves) per epoch.

    Losses go on the left axis, other metrics on a right axis. Returns the figure.
    """
    plt = _pyplot()
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError("Expected a History (or its .history dict) with at least one key.")
    fig = ax.figure if ax is not None else plt.figure(figsize=(6, 4))
    ax = ax or fig.add_subplot()
    epochs = np.arange(1, len(next(iter(logs.values()))) + 1)
    other = None
    base_names = list(dict.fromkeys(k.removeprefix("val_") for k in logs))
    for key, values in logs.items():
        color = f"C{base_names.index(key.removeprefix('val_')) % 10}"
        is_loss = key.removeprefix("val_") == "loss"
        if not is_loss and other is None:
            other = ax.twinx()
        target = ax if is_loss else other
        target.plot(epochs, values, "--" if key.startswith("val_") else "-", color=color,
                    label=key)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    handles, labels = ax.get_legend_handles_labels()
    if other is not None:
        h2, l2 = other.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, loc="best")
    if title:
        ax.set_title(title)
    return fig
