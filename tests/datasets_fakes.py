"""Fake dataset files in keras's formats, and both libraries' caches pointed at them, for
tests/test_datasets.py and tests/test_datasets_safety.py.

No network: keras's cache (``config._KERAS_DIR``) and minikeras's (``KERAS_HOME``) are one
temporary folder; keras accepts any file (``validate_file`` patched); minikeras is given the
fake's true hash through the module's ``FILE_HASH`` (`trust`), so its hash check runs for
real; downloads fail deterministically (``urlopen`` patched).
"""
import io
import pickle
import struct
import tarfile
import urllib.error

import numpy as np
from keras.src.backend import config as keras_config
from keras.src.utils import file_utils as keras_file_utils

from minikeras.datasets import imdb
from minikeras.utils import file_utils

RNG = np.random.default_rng(0)


def fake_caches(tmp_path, monkeypatch):
    """Point keras's and minikeras's caches at one temporary folder, let keras accept any
    file, make downloads fail as offline; the cache's ``datasets`` folder."""
    home = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setattr(keras_config, "_KERAS_DIR", str(home))
    monkeypatch.setattr(keras_file_utils, "validate_file", lambda *args, **kwargs: True)

    def offline(url, *args, **kwargs):
        raise urllib.error.URLError("no network in tests")
    monkeypatch.setattr(file_utils.urllib.request, "urlopen", offline)
    folder = home / "datasets"
    folder.mkdir(parents=True)
    return folder


def trust(monkeypatch, module, path, name="FILE_HASH"):
    monkeypatch.setattr(module, name, file_utils.hash_file(str(path)))


def sequences(n, low=1, high=40):
    out = np.empty(n, dtype=object)
    out[:] = [list(map(int, RNG.integers(low, high, RNG.integers(1, 12)))) for _ in range(n)]
    return out


def assert_same_sequences(ours, theirs):
    assert type(ours) is type(theirs) and ours.dtype == theirs.dtype
    assert ours.shape == theirs.shape
    assert [list(x) for x in ours] == [list(x) for x in theirs]


def assert_same_arrays(ours, theirs):
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert np.array_equal(ours, theirs)


def assert_same_split(ours, theirs, ragged=False):
    for our_set, their_set in zip(ours, theirs):
        (assert_same_sequences if ragged else assert_same_arrays)(our_set[0], their_set[0])
        assert_same_arrays(np.asarray(our_set[1]), np.asarray(their_set[1]))


def write_imdb(cache, monkeypatch):
    np.savez(cache / "imdb.npz", x_train=sequences(9), y_train=RNG.integers(0, 2, 9),
             x_test=sequences(7), y_test=RNG.integers(0, 2, 7))
    trust(monkeypatch, imdb, cache / "imdb.npz")

def cifar_tar(path, batches, mode="w:gz"):
    """A tar laid out as cifar-10-python.tar.gz: ``batches`` maps file name to content."""
    with tarfile.open(path, mode) as archive:
        for name, payload in batches.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))


def cifar_batch(n, offset):
    """A pickled batch as cifar's (protocol 3 here: Python 3 writes bytes as globals
    below it; the real files are Python 2's, with the same numpy globals)."""
    block = RNG.integers(0, 256, (min(n, 50), 3072)).astype("uint8")
    data = np.tile(block, (-(-n // len(block)), 1))[:n] + np.uint8(offset)
    return pickle.dumps({b"batch_label": b"fake", b"labels": [(i + offset) % 10
                                                              for i in range(n)],
                         b"data": data, b"filenames": [b"x.png"] * n}, protocol=3)


class Py2Pickler(pickle._Pickler):
    """Writes bytes as Python 2 wrote its str (the real cifar batches): BINSTRING opcodes."""
    dispatch = pickle._Pickler.dispatch.copy()

    def save_py2_str(self, obj):
        size = len(obj)
        self.write(pickle.SHORT_BINSTRING + bytes([size]) if size < 256
                   else pickle.BINSTRING + struct.pack("<i", size))
        self.write(obj)
        self.memoize(obj)

    dispatch[bytes] = save_py2_str


def as_numpy1(pickled):
    """The pickle as numpy < 2 wrote it (``numpy.core.multiarray``)."""
    return pickled.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")


def py2_cifar_batch(n, offset):
    batch = pickle.loads(cifar_batch(n, offset))
    out = io.BytesIO()
    Py2Pickler(out, protocol=2).dump(batch)
    assert b"_codecs" not in out.getvalue()
    return as_numpy1(out.getvalue())
