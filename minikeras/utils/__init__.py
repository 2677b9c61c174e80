"""Utilities: seeding, gradient checking, one-hot encoding and normalization, padding
sequences, and (with matplotlib) plots of training."""
import importlib
from typing import Any

from minikeras.utils.file_utils import get_file
from minikeras.utils.gradient_check import check_gradients
from minikeras.utils.numerical import normalize, to_categorical
from minikeras.utils.py_dataset import PyDataset, Sequence
from minikeras.utils.random import set_random_seed
from minikeras.utils.sequences import pad_sequences

__all__ = ["PyDataset", "Sequence", "check_gradients", "get_file", "normalize",
           "pad_sequences", "plot_history", "plotting", "set_random_seed", "to_categorical"]


def __getattr__(name: str) -> Any:
    """``plot_history`` and ``plotting`` import matplotlib, an optional extra: only on use."""
    if name in ("plot_history", "plotting"):
        plotting = importlib.import_module("minikeras.utils.plotting")
        return plotting if name == "plotting" else plotting.plot_history
    raise AttributeError(f"module 'minikeras.utils' has no attribute {name!r}")
