"""Utilities: seeding, gradient checking, one-hot encoding and normalization, padding
sequences, and (with matplotlib) plots of training."""
import importlib
from typing import Any

from minikeras.backend import clear_session
from minikeras.utils.file_utils import get_file
from minikeras.utils.gradient_check import check_gradients
from minikeras.utils.numerical import normalize, to_categorical
from minikeras.utils.packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from minikeras.utils.py_dataset import PyDataset, Sequence
from minikeras.utils.random import set_random_seed
from minikeras.utils.registration import (
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from minikeras.utils.sequences import pad_sequences
from minikeras.utils.timeseries import timeseries_dataset_from_array

__all__ = ["PyDataset", "Sequence", "check_gradients", "clear_session", "get_custom_objects",
           "get_file", "get_registered_name", "get_registered_object", "normalize",
           "pack_x_y_sample_weight", "pad_sequences", "plot_history", "plotting",
           "register_keras_serializable", "set_random_seed", "timeseries_dataset_from_array",
           "to_categorical", "unpack_x_y_sample_weight"]


def __getattr__(name: str) -> Any:
    """``plot_history`` and ``plotting`` import matplotlib, an optional extra: only on use."""
    if name in ("plot_history", "plotting"):
        plotting = importlib.import_module("minikeras.utils.plotting")
        return plotting if name == "plotting" else plotting.plot_history
    raise AttributeError(f"module 'minikeras.utils' has no attribute {name!r}")
