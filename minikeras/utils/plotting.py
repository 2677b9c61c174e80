"""Pictures of training: decision boundaries, loss curves and surfaces, confusion matrices
(needs matplotlib, `pip install minikeras[plot]`). Each plot function draws on a given Axes or
a new figure and returns the figure; `save_figure` writes it (and shows it in a notebook).
"""
from __future__ import annotations

import os
import sys
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
      x: Data of shape (n, 2).
      y: Labels of shape (n,) or (n, 1).
      ax: Optional matplotlib Axes.
      title: Optional title.
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


def plot_loss_surface(fn: Any, trajectories: dict | None = None, ax: Any = None,
                      xlim: tuple[float, float] | None = None,
                      ylim: tuple[float, float] | None = None, resolution: int = 60,
                      levels: int = 25, title: str | None = None,
                      axis_labels: tuple[str, str] = ("$w_1$", "$w_2$"), margin: float = 0.5):
    """Draws the contours of a loss of two parameters, with optimization paths on top.

    Args:
      fn: Vectorized loss: ``fn(points)`` with ``points`` of shape (k, 2) returns k losses.
      trajectories: Optional ``{label: array of shape (steps, 2)}``, drawn as lines with dots.
      ax: Optional matplotlib Axes.
      xlim: Plotted range of the first parameter; by default the trajectories' range plus
        ``margin``.
      ylim: Plotted range of the second parameter, likewise.
      resolution: Grid points per axis. Default 60.
      levels: Number of contour levels.
      title: Optional title.
      axis_labels: Names of the two parameters.

    Lighter is lower. Contour levels are spaced evenly in log(loss - min + small), so both the
    steep walls and the flat valley floor get lines. Paths take the colors C0, C1, ... in
    order (as `plt.plot` would) and end in a star. Returns the figure.
    """
    plt = _pyplot()
    paths = {k: np.asarray(v, dtype=np.float64) for k, v in (trajectories or {}).items()}
    if xlim is None or ylim is None:
        if not paths:
            raise ValueError("Give `xlim` and `ylim`, or trajectories to take the ranges from.")
        stacked = np.concatenate(list(paths.values()))
        low, high = stacked.min(0) - margin, stacked.max(0) + margin
        xlim = xlim or (low[0], high[0])
        ylim = ylim or (low[1], high[1])
    fig = ax.figure if ax is not None else plt.figure(figsize=(5, 4.5))
    ax = ax or fig.add_subplot()
    gx, gy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    values = np.asarray(fn(np.c_[gx.ravel(), gy.ravel()]), dtype=np.float64).reshape(gx.shape)
    shifted = np.log(values - values.min() + 1e-3 * (np.ptp(values) + 1e-12))
    ax.contourf(gx, gy, shifted, levels=levels, cmap="Greys", alpha=0.6)
    ax.contour(gx, gy, shifted, levels=levels, colors="k", linewidths=0.3, alpha=0.4)
    for i, (label, path) in enumerate(paths.items()):
        ax.plot(path[:, 0], path[:, 1], "-o", color=f"C{i % 10}", markersize=2.5,
                linewidth=1.2, label=label)
        ax.plot(path[-1, 0], path[-1, 1], "*", color=f"C{i % 10}", markersize=12,
                markeredgecolor="k")
    if paths:
        ax.legend(loc="best", fontsize=8)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(axis_labels[0])
    ax.set_ylabel(axis_labels[1])
    if title:
        ax.set_title(title)
    return fig


def plot_confusion_matrix(matrix: np.ndarray, labels: Any = None, ax: Any = None,
                          title: str | None = None):
    """Shows a confusion matrix (rows: true class, columns: predicted class) with counts.

    Returns the figure.
    """
    plt = _pyplot()
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"Expected a square matrix. Received shape {matrix.shape}")
    labels = list(range(len(matrix))) if labels is None else list(labels)
    fig = ax.figure if ax is not None else plt.figure(figsize=(5, 4.5))
    ax = ax or fig.add_subplot()
    ax.imshow(matrix, cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                color="white" if count > matrix.max() / 2 else "black")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title)
    return fig


def in_notebook() -> bool:
    """True when matplotlib draws inline (a Jupyter kernel), False in a plain script."""
    import matplotlib
    return "inline" in matplotlib.get_backend()


def figure_folder() -> str:
    """Where `save_figure` writes: ``$MINIKERAS_FIGURES`` if set; else ``figures/`` beside the
    running script, or in the current directory for a notebook."""
    if os.environ.get("MINIKERAS_FIGURES"):
        return os.environ["MINIKERAS_FIGURES"]
    script = sys.argv[0] if sys.argv and sys.argv[0].endswith(".py") else ""
    base = os.path.dirname(os.path.abspath(script)) if script and not in_notebook() else "."
    return os.path.join(base, "figures")


def save_figure(fig: Any, name: str, folder: str | None = None) -> str:
    """Writes ``fig`` to ``<folder>/<name>.png``; shows it inline in a notebook and closes it in a
    script. ``folder`` defaults to `figure_folder()`. Returns the path written."""
    plt = _pyplot()
    folder = folder or figure_folder()
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.png")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    if in_notebook():
        plt.show()
    else:
        plt.close(fig)
    return path
