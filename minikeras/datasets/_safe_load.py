"""Loading the datasets' files without ever running code from them.

Numeric ``.npz`` members load with ``allow_pickle=False``. imdb.npz and reuters.npz store
ragged sequences as object arrays, which numpy can only write as pickles, and cifar10's
batches are pickled dicts: those are read by `RestrictedUnpickler`, which resolves nothing
but the globals needed to rebuild numpy arrays (the lists, dicts, ints and bytes around them
are pickle opcodes, not globals). Any other global (``os.system``, ``builtins.eval``...) is
an `pickle.UnpicklingError` before anything is called. The callers check the file's hash
first (`minikeras.utils.get_file`); this is the second line of defence.
"""
from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np

# Rebuilding a numpy array from a pickle needs exactly these; numpy < 2 wrote
# ``numpy.core.multiarray``, numpy >= 2 writes ``numpy._core.multiarray``.
ALLOWED_GLOBALS = frozenset({
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
})


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the globals in `ALLOWED_GLOBALS`."""

    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(
                f"Refusing to load `{module}.{name}` from a dataset file: only numpy arrays "
                "may be rebuilt from it. The file may be corrupted or malicious.")
        return super().find_class(module, name)


def load_pickle(path: str, encoding: str = "ASCII"):
    """The object pickled in the file at ``path``, rebuilt by `RestrictedUnpickler`."""
    with open(path, "rb") as source:
        return RestrictedUnpickler(source, encoding=encoding).load()


def _read_npy(stream: io.BytesIO) -> np.ndarray:
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version in ((2, 0), (3, 0)):  # 3.0 differs from 2.0 only in the header's encoding
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ValueError(f"Unsupported .npy format version {version}.")
    if not dtype.hasobject:
        stream.seek(0)
        return np.lib.format.read_array(stream, allow_pickle=False)
    array = RestrictedUnpickler(stream).load()
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError("A dataset file's object array does not match its header "
                         f"(expected shape {tuple(shape)}).")
    return array


def load_npz(path: str) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` file at ``path``, by name: numeric ones with pickling off,
    object ones through `RestrictedUnpickler`."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                with archive.open(member) as raw:
                    arrays[member[:-4]] = _read_npy(io.BytesIO(raw.read()))
    return arrays


def load_numeric_npz(path: str, *names: str) -> list[np.ndarray]:
    """The named arrays of the ``.npz`` file at ``path``, loaded with ``allow_pickle=False``."""
    with np.load(path, allow_pickle=False) as data:
        return [data[name] for name in names]
