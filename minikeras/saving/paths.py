"""Where a save may write: the checks on a target path, run before anything is written.

minikeras writes its own zip (see `archive.py`), conventionally named ``*.minikeras``; for
``save`` only, keras 3's ``.keras`` zip when the name ends in ``.keras`` (`keras_archive.py`);
and, for ``save_weights`` only, keras 3's HDF5 weights layout when the name ends in
``.weights.h5`` (see `h5_weights.py`). A path whose suffix names another format (``.h5``, ``.pb``...)
is refused rather than filled with a zip under a misleading name; a path with no suffix or an
unrecognised one gets the minikeras format.
"""
from __future__ import annotations

import os
from typing import Any

SUFFIX = ".minikeras"
WEIGHTS_H5 = ".weights.h5"  # keras 3's HDF5 weights: written by save_weights only
KERAS = ".keras"  # keras 3's zip of a whole model: written by save only

# Suffixes of formats minikeras does not write, and what they conventionally hold.
FOREIGN_SUFFIXES = {
    ".weights.h5": "keras's HDF5 weights", ".h5": "HDF5 (keras 2)", ".hdf5": "HDF5",
    ".keras": "keras's zip format", ".pb": "a TensorFlow SavedModel",
    ".tf": "a TensorFlow SavedModel", ".savedmodel": "a TensorFlow SavedModel",
    ".ckpt": "a TensorFlow checkpoint", ".index": "a TensorFlow checkpoint",
    ".tflite": "TensorFlow Lite", ".onnx": "ONNX", ".json": "JSON text",
    ".npz": "a NumPy archive", ".npy": "a NumPy array", ".pkl": "a pickle",
    ".pickle": "a pickle", ".joblib": "a joblib pickle", ".pt": "PyTorch", ".pth": "PyTorch",
    ".safetensors": "safetensors",
}


def _foreign_suffix(name: str) -> str | None:
    lower = name.lower()
    for suffix in sorted(FOREIGN_SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return suffix
    return None


def check_save_path(filepath: Any, what: str = "save") -> str:
    """Returns ``filepath`` as a str once it is a usable target for ``model.<what>()``.

    Raises:
      TypeError: not a str or path-like object.
      ValueError: empty, an existing folder, a name ending in a path separator, or a suffix
        of a format minikeras does not write (the message lists what it writes).
    """
    if isinstance(filepath, bytes):
        filepath = os.fsdecode(filepath)
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(f"Expected `filepath` for {what}() to be a str or path-like object. "
                        f"Received: filepath={filepath!r} of type {type(filepath).__name__}")
    path = os.fspath(filepath)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path.strip():
        raise ValueError(f"Expected `filepath` for {what}() to name a file, e.g. "
                         f"'model{SUFFIX}'. Received: filepath={path!r}")
    if path.endswith(("/", os.sep)) or os.path.isdir(path) or \
            os.path.basename(path) in (".", ".."):
        raise ValueError(f"Expected `filepath` for {what}() to name a file, not a folder "
                         f"(minikeras writes one file). Received: filepath={path!r}; use e.g. "
                         f"{os.path.join(path, 'model' + SUFFIX)!r}.")
    check_suffix(path, what)
    return path


def check_suffix(path: str, what: str = "save") -> None:
    """Raises ValueError when ``path`` ends in the suffix of a format ``model.<what>()`` does
    not write (also usable on a `ModelCheckpoint` file-name template before training).
    ``.weights.h5`` is accepted for ``what="save_weights"``: keras's HDF5 weights layout."""
    suffix = _foreign_suffix(os.path.basename(path))
    if suffix == WEIGHTS_H5 and what == "save_weights":
        return
    if suffix == KERAS and what != "save_weights":
        return  # keras's .keras zip: written by save (keras_archive.py)
    if suffix == KERAS:
        raise ValueError(
            f"The filename must end in `{WEIGHTS_H5}` (keras's HDF5 weights) or name "
            f"minikeras's zip ('{SUFFIX}' or no suffix); '{suffix}' files hold whole models: "
            f"use model.save({path!r}). Received: filepath={path!r}")
    if suffix == WEIGHTS_H5:
        raise ValueError(
            f"The suffix '{suffix}' of filepath={path!r} names {FOREIGN_SUFFIXES[suffix]}, "
            f"which holds weights only: use model.save_weights({path!r}) for it. "
            f"model.{what}() writes minikeras's own zip format, with the suffix '{SUFFIX}' "
            f"(or no suffix): use {path[:-len(suffix)] + SUFFIX!r}.")
    if suffix is not None:
        hint = (f" For keras's HDF5 weights layout name the file '*{WEIGHTS_H5}'."
                if what == "save_weights" and suffix in (".h5", ".hdf5") else "")
        raise ValueError(
            f"The suffix '{suffix}' of filepath={path!r} names {FOREIGN_SUFFIXES[suffix]}, "
            f"which minikeras does not write. minikeras writes its own zip format, with the "
            f"suffix '{SUFFIX}' (or no suffix): use {path[:-len(suffix)] + SUFFIX!r}. For a "
            "SavedModel use model.export(folder); for keras's formats convert with "
            "minikeras.interop.to_keras(model) and save that." + hint)
