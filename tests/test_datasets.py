"""minikeras.datasets against keras.datasets on the same small fake files in the same formats.

No network: each test points both libraries' cache at a temporary folder (``KERAS_HOME`` for
minikeras, keras's ``config._KERAS_DIR``), writes a fake file where the real one would be,
lets keras accept it (``validate_file`` patched) and gives minikeras its true hash through the
module's ``FILE_HASH``, so minikeras's hash check runs for real. Downloads are made to fail
deterministically by patching ``urlopen``.
"""
import gzip
import io
import os
import pickle
import tarfile
import urllib.error

import keras
import numpy as np
import pytest
from keras.src.backend import config as keras_config
from keras.src.utils import file_utils as keras_file_utils

from minikeras import datasets
from minikeras.datasets import boston_housing, cifar10, fashion_mnist, imdb, mnist, reuters
from minikeras.utils import file_utils

RNG = np.random.default_rng(0)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """The shared cache's ``datasets`` folder; downloads fail as offline."""
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


def test_the_package_lists_keras_modules():
    import minikeras
    assert "datasets" in minikeras.__all__ and minikeras.datasets is datasets
    assert set(datasets.__all__) == {"mnist", "fashion_mnist", "cifar10", "imdb", "reuters",
                                     "boston_housing"}
    assert reuters.get_label_names() == keras.datasets.reuters.get_label_names()


def test_mnist_matches_keras(cache, monkeypatch):
    arrays = {f"{k}_{s}": RNG.integers(0, 256, shape).astype("uint8")
              for s, n in (("train", 6), ("test", 4))
              for k, shape in (("x", (n, 28, 28)), ("y", (n,)))}
    np.savez(cache / "mnist.npz", **arrays)
    trust(monkeypatch, mnist, cache / "mnist.npz")
    assert_same_split(mnist.load_data(), keras.datasets.mnist.load_data())


@pytest.mark.parametrize("kwargs", [{}, {"test_split": 0.5, "seed": 3}, {"test_split": 0.0}])
def test_boston_housing_matches_keras(cache, monkeypatch, kwargs):
    np.savez(cache / "boston_housing.npz", x=RNG.normal(size=(11, 13)), y=RNG.normal(size=11))
    trust(monkeypatch, boston_housing, cache / "boston_housing.npz")
    assert_same_split(boston_housing.load_data(**kwargs),
                      keras.datasets.boston_housing.load_data(**kwargs))
    with pytest.raises(ValueError, match="test_split"):
        boston_housing.load_data(test_split=1.0)


def test_fashion_mnist_matches_keras(cache):
    folder = cache / "fashion-mnist"
    folder.mkdir()
    for name, n, header in (("train", 5, 8), ("train", 5, 16), ("t10k", 3, 8),
                            ("t10k", 3, 16)):
        kind = "labels-idx1" if header == 8 else "images-idx3"
        size = n if header == 8 else n * 28 * 28
        with gzip.open(folder / f"{name}-{kind}-ubyte.gz", "wb") as out:
            out.write(bytes(header) + RNG.integers(0, 256, size).astype("uint8").tobytes())
    ours = fashion_mnist.load_data()
    assert_same_split(ours, keras.datasets.fashion_mnist.load_data())
    assert ours[0][0].shape == (5, 28, 28) and ours[1][1].shape == (3,)


SEQUENCE_CASES = [
    {}, {"num_words": 20, "skip_top": 2}, {"maxlen": 8}, {"oov_char": None, "num_words": 15},
    {"start_char": None, "index_from": 0}, {"start_char": None, "index_from": 2},
    {"seed": 7}, {"num_words": 0},
    {"start_char": 5, "oov_char": 4, "index_from": 6, "num_words": 30, "skip_top": 3,
     "maxlen": 10}]


def write_imdb(cache, monkeypatch):
    np.savez(cache / "imdb.npz", x_train=sequences(9), y_train=RNG.integers(0, 2, 9),
             x_test=sequences(7), y_test=RNG.integers(0, 2, 7))
    trust(monkeypatch, imdb, cache / "imdb.npz")


@pytest.mark.parametrize("kwargs", SEQUENCE_CASES)
def test_imdb_matches_keras(cache, monkeypatch, kwargs):
    write_imdb(cache, monkeypatch)
    assert_same_split(imdb.load_data(**kwargs), keras.datasets.imdb.load_data(**kwargs),
                      ragged=True)


def test_imdb_refuses_a_maxlen_that_keeps_nothing(cache, monkeypatch):
    write_imdb(cache, monkeypatch)
    with pytest.raises(ValueError, match="no sequence was kept") as ours:
        imdb.load_data(maxlen=1)
    with pytest.raises(ValueError) as theirs:
        keras.datasets.imdb.load_data(maxlen=1)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("kwargs", SEQUENCE_CASES + [{"test_split": 0.3},
                                                     {"test_split": 0.5, "maxlen": 9}])
def test_reuters_matches_keras(cache, monkeypatch, kwargs):
    np.savez(cache / "reuters.npz", x=sequences(15), y=RNG.integers(0, 46, 15))
    trust(monkeypatch, reuters, cache / "reuters.npz")
    assert_same_split(reuters.load_data(**kwargs), keras.datasets.reuters.load_data(**kwargs),
                      ragged=True)


@pytest.mark.parametrize("module", [imdb, reuters])
def test_word_index_matches_keras(cache, monkeypatch, module):
    name = f"{module.__name__.rsplit('.', 1)[1]}_word_index.json"
    (cache / name).write_text('{"the": 1, "a": 2}')
    trust(monkeypatch, module, cache / name, "WORD_INDEX_HASH")
    theirs = getattr(keras.datasets, module.__name__.rsplit(".", 1)[1]).get_word_index()
    assert module.get_word_index() == theirs == {"the": 1, "a": 2}


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


def test_cifar10_batches_read_as_keras_reads_them(tmp_path):
    from keras.src.datasets.cifar import load_batch
    (tmp_path / "batch").write_bytes(cifar_batch(4, 3))
    data, labels = cifar10._load_batch(str(tmp_path / "batch"))
    their_data, their_labels = load_batch(str(tmp_path / "batch"))
    assert_same_arrays(data, their_data)
    assert labels == their_labels


@pytest.mark.slow  # 180 MB of fake batches (an uncompressed tar here), extracted twice
def test_cifar10_matches_keras(cache, monkeypatch):
    """Full-size batches: keras's loader assumes 10,000 images per training batch."""
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    cifar_tar(cache / "cifar-10-batches-py-target_archive",
              {name: cifar_batch(10000, i) for i, name in enumerate(names)}, mode="w")
    trust(monkeypatch, cifar10, cache / "cifar-10-batches-py-target_archive")
    ours = cifar10.load_data()
    assert ours[0][0].shape == (50000, 32, 32, 3) and ours[1][1].shape == (10000, 1)
    assert_same_split(ours, keras.datasets.cifar10.load_data())


class Evil:
    """Pickles as a call to ``os.system``: loading it would create the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_tampered_imdb_pickle_is_refused_without_running(cache, monkeypatch, tmp_path):
    marker = tmp_path / "ran"
    x = np.empty(2, dtype=object)
    x[:] = [[1, 2], Evil(marker)]
    np.savez(cache / "imdb.npz", x_train=x, y_train=np.zeros(2, int), x_test=x,
             y_test=np.zeros(2, int))
    trust(monkeypatch, imdb, cache / "imdb.npz")  # the hash matches: the unpickler defends
    with pytest.raises(pickle.UnpicklingError, match="system"):
        imdb.load_data()
    assert not marker.exists()


def test_a_tampered_cifar10_batch_is_refused_without_running(cache, monkeypatch, tmp_path):
    marker = tmp_path / "ran"
    cifar_tar(cache / "cifar-10-batches-py-target_archive",
              {"data_batch_1": pickle.dumps({b"data": Evil(marker)}, protocol=3)})
    trust(monkeypatch, cifar10, cache / "cifar-10-batches-py-target_archive")
    with pytest.raises(pickle.UnpicklingError, match="system"):
        cifar10.load_data()
    assert not marker.exists()


def test_a_numeric_npz_never_unpickles(cache, monkeypatch):
    np.savez(cache / "mnist.npz", x_train=sequences(2), y_train=np.zeros(2), x_test=np.zeros(1),
             y_test=np.zeros(1))
    trust(monkeypatch, mnist, cache / "mnist.npz")
    with pytest.raises(ValueError, match="allow_pickle"):
        mnist.load_data()


def test_a_file_with_the_wrong_hash_is_not_opened(cache, monkeypatch):
    """A cached file that does not match keras's hash is downloaded again (here: offline),
    and the error says so; the file is never loaded."""
    np.savez(cache / "imdb.npz", x_train=sequences(2))
    with pytest.raises(OSError, match="imdb.npz"):
        imdb.load_data()


def test_a_download_with_the_wrong_hash_is_removed(cache, monkeypatch):
    monkeypatch.setattr(file_utils.urllib.request, "urlopen",
                        lambda url, timeout=None: io.BytesIO(b"not mnist"))
    with pytest.raises(ValueError, match="hash.*does not match.*removed"):
        mnist.load_data()
    assert os.listdir(cache) == []


@pytest.mark.parametrize("load, url, target", [
    (mnist.load_data, mnist.ORIGIN, "mnist.npz"),
    (cifar10.load_data, cifar10.ORIGIN, "cifar-10-batches-py-target_archive"),
    (fashion_mnist.load_data, fashion_mnist.BASE + fashion_mnist.FILES[0],
     os.path.join("fashion-mnist", fashion_mnist.FILES[0])),
    (reuters.get_word_index, f"{reuters.BASE}reuters_word_index.json",
     "reuters_word_index.json")])
def test_offline_refusal_names_the_url_and_the_place_for_the_file(cache, load, url, target):
    with pytest.raises(OSError) as error:
        load()
    assert url in str(error.value) and str(cache / target) in str(error.value)
    assert "put a copy of the file at" in str(error.value)


def test_the_urls_and_hashes_are_keras(monkeypatch):
    """Each loader asks get_file for keras's URL, hash, name and folder."""
    calls = []

    def record(*args, **kwargs):
        calls.append((args, kwargs))
        raise StopIteration

    for module, origin in ((mnist, "mnist.npz"), (imdb, "imdb.npz"),
                           (reuters, "reuters.npz"), (boston_housing, "boston_housing.npz")):
        base = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
        monkeypatch.setattr(module, "get_file", record)
        with pytest.raises(StopIteration):
            module.load_data()
        assert calls[-1][1]["origin"] == base + origin
        source = open(keras.src.datasets.__path__[0] + f"/{module.__name__.split('.')[-1]}.py"
                      ).read()
        assert module.FILE_HASH in source
    for module in (imdb, reuters):
        assert module.WORD_INDEX_HASH in open(
            keras.src.datasets.__path__[0] + f"/{module.__name__.split('.')[-1]}.py").read()
    cifar_source = open(keras.src.datasets.__path__[0] + "/cifar10.py").read()
    assert cifar10.FILE_HASH in cifar_source and cifar10.ORIGIN in cifar_source
