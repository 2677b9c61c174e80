"""minikeras.datasets refuses what it should, without running anything: tampered pickles
(after a matching hash), object arrays in numeric files, files and downloads with the wrong
hash, and offline downloads (naming the URL and where to put the file)."""
import io
import os
import pickle

import keras
import numpy as np
import pytest
from datasets_fakes import cifar_tar, fake_caches, sequences, trust

from minikeras.datasets import boston_housing, cifar10, fashion_mnist, imdb, mnist, reuters
from minikeras.utils import file_utils


@pytest.fixture
def cache(tmp_path, monkeypatch):
    return fake_caches(tmp_path, monkeypatch)


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
    with pytest.raises(OSError, match="imdb.npz' does not match the expected hash 6966"):
        imdb.load_data()
    assert file_utils.hash_file(str(cache / "imdb.npz")) != imdb.FILE_HASH  # left in place


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
