"""The minikeras file: a zip of one JSON document and `.npy` arrays, written atomically.

    minikeras.json        format name and version, the architecture, the compile configuration
    weights/0000.npy ...  model weights in `get_weights` order (arrays are stored uncompressed)
    optimizer/0000.npy    optimizer state (iterations, learning rate, slots) in its fixed order
    rng/0000.npy          random-generator states (shuffling, Dropout), for exact continuation

Reading never unpickles (`np.load(..., allow_pickle=False)`), never evaluates text and accepts
only these member names: a file can describe a model, never run code. Arrays must be stored
uncompressed, so reading one never takes more memory than the file has bytes (no zip bombs).
"""
from __future__ import annotations

import io
import json
import os
import re
import zipfile
from collections.abc import Callable
from typing import Any

import numpy as np

from minikeras.saving import tempfiles

FORMAT_NAME = "minikeras"
FORMAT_VERSION = 1
CONFIG_MEMBER = "minikeras.json"
ARRAY_GROUPS = ("weights", "optimizer", "rng")
_MEMBER = re.compile(r"^(weights|optimizer|rng)/(\d{4})\.npy$")
MAX_CONFIG_BYTES = 16 * 2**20


class FileFormatError(ValueError):
    """A file that is not a valid minikeras file. A ValueError naming the file and the problem."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"Cannot load '{path}': {problem}")


def atomic_write(path: str, write: Callable[[Any], None]) -> None:
    """Writes a file through ``write(fileobj)`` so that ``path`` is either old or new, never torn.

    The data go to a temporary file in the same folder (named and locked as `tempfiles`
    describes, so that a killed save's orphan is recognised and removed by the next save into
    that folder), are flushed and fsynced, then renamed over ``path`` (a rename within one file
    system is atomic). On any failure the temporary file is removed and ``path`` is left as it
    was.
    """
    path = os.fspath(path)
    if not os.path.basename(path) or os.path.isdir(path):
        raise ValueError(f"Expected a file path to write. Received: {path!r}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"The folder of '{path}' does not exist: {folder}")
    tempfiles.remove_stale(folder)
    fd, tmp = tempfiles.create_temporary(path, folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
            if tempfiles.fcntl is not None:  # rename while still holding the lock
                os.replace(tmp, path)
        if tempfiles.fcntl is None:  # Windows cannot rename an open file
            os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:  # some file systems cannot fsync a folder; the data are safe regardless
        pass


def write_archive(path: str, config: dict, arrays: dict[str, list[np.ndarray]]) -> None:
    """Atomically writes ``config`` and the array groups to a zip at exactly ``path``."""
    document = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, **config,
                "arrays": {group: len(arrays.get(group, [])) for group in ARRAY_GROUPS}}
    text = json.dumps(document, indent=1, allow_nan=False)

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(CONFIG_MEMBER, text)
            for group in ARRAY_GROUPS:
                for i, array in enumerate(arrays.get(group, [])):
                    buffer = io.BytesIO()
                    np.save(buffer, np.asarray(array), allow_pickle=False)
                    zf.writestr(f"{group}/{i:04d}.npy", buffer.getvalue(),
                                compress_type=zipfile.ZIP_STORED)

    atomic_write(path, write)


def read_archive(path: str) -> tuple[dict, dict[str, list[np.ndarray]]]:
    """Reads and checks a minikeras file; returns (document, arrays by group).

    Raises:
      OSError: the file is missing or unreadable.
      ValueError: anything wrong with its contents (`FileFormatError`), naming the file.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:  # OSError for a missing or unreadable file, as usual
        data = f.read()
    if not data:
        raise FileFormatError(path, "the file is empty")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileFormatError(path, "it is not a zip archive (truncated or not a minikeras "
                                    "file)") from None
    except Exception as err:  # a damaged directory: NotImplementedError for a bogus version...
        raise FileFormatError(path, f"its zip directory is corrupt ({type(err).__name__}: "
                                    f"{err})") from None
    with zf:
        names = zf.namelist()
        if len(set(names)) != len(names):
            raise FileFormatError(path, "the archive has duplicate member names")
        if CONFIG_MEMBER not in names:
            raise FileFormatError(path, f"the archive has no {CONFIG_MEMBER}")
        for name in names:
            if name != CONFIG_MEMBER and not _MEMBER.match(name):
                raise FileFormatError(path, f"unexpected member {name!r} in the archive")
        document = _read_document(zf, path)
        counts = document.get("arrays")
        if not isinstance(counts, dict) or set(counts) != set(ARRAY_GROUPS) or not all(
                isinstance(counts[g], int) and counts[g] >= 0 for g in ARRAY_GROUPS):
            raise FileFormatError(path, "the 'arrays' entry of the configuration is malformed")
        expected = {f"{g}/{i:04d}.npy" for g in ARRAY_GROUPS for i in range(counts[g])}
        present = set(names) - {CONFIG_MEMBER}
        if present != expected:
            diff = sorted(expected ^ present)[:3]
            raise FileFormatError(path, f"the arrays in the archive do not match its "
                                        f"configuration (e.g. {diff})")
        arrays = {g: [_read_array(zf, f"{g}/{i:04d}.npy", path) for i in range(counts[g])]
                  for g in ARRAY_GROUPS}
    return document, arrays


def _read_member(zf: zipfile.ZipFile, name: str, path: str, limit: int | None = None) -> bytes:
    info = zf.getinfo(name)
    if limit is not None and info.file_size > limit:
        raise FileFormatError(path, f"{name} is implausibly large ({info.file_size} bytes)")
    try:
        return zf.read(name)
    except Exception as err:  # CRC errors, truncated deflate streams, bad headers
        raise FileFormatError(path, f"{name} is corrupt ({type(err).__name__}: {err})") from None


def _read_document(zf: zipfile.ZipFile, path: str) -> dict:
    raw = _read_member(zf, CONFIG_MEMBER, path, MAX_CONFIG_BYTES)
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise FileFormatError(path, f"{CONFIG_MEMBER} is not valid JSON ({err})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise FileFormatError(path, f"{CONFIG_MEMBER} does not describe a minikeras file")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise FileFormatError(path, f"unknown format version {version!r}; this minikeras reads "
                                    f"version {FORMAT_VERSION}")
    return document


def _read_array(zf: zipfile.ZipFile, name: str, path: str) -> np.ndarray:
    info = zf.getinfo(name)
    if info.compress_type != zipfile.ZIP_STORED or info.file_size != info.compress_size:
        raise FileFormatError(path, f"{name} is compressed; minikeras stores arrays "
                                    "uncompressed (a compressed member could expand without "
                                    "bound)")
    raw = _read_member(zf, name, path)
    try:
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except Exception as err:  # object arrays (pickles), bad headers, short data
        raise FileFormatError(path, f"{name} is not a plain numeric .npy array "
                                    f"({type(err).__name__}: {err})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        raise FileFormatError(path, f"{name} holds dtype {getattr(array, 'dtype', '?')}, "
                                    "expected numbers")
    return array
