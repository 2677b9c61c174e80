"""minikeras.datasets against keras.datasets on the same small fake files in the same formats
(tests/datasets_fakes.py): every loader, the main argument combinations, files written by
numpy 1 and Python 2 as the real ones were."""
import gzip
import io
import zipfile

import keras
import numpy as np
import pytest
from datasets_fakes import (
    RNG,
    Py2Pickler,
    as_numpy1,
    assert_same_arrays,
    assert_same_split,
    cifar_batch,
    cifar_tar,
    fake_caches,
    py2_cifar_batch,
    sequences,
    trust,
    write_imdb,
)

from minikeras import datasets
from minikeras.datasets import boston_housing, cifar10, fashion_mnist, imdb, mnist, reuters


@pytest.fixture
def cache(tmp_path, monkeypatch):
    return fake_caches(tmp_path, monkeypatch)


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

@pytest.mark.parametrize("kwargs", SEQUENCE_CASES)
def test_imdb_matches_keras(cache, monkeypatch, kwargs):
    write_imdb(cache, monkeypatch)
    assert_same_split(imdb.load_data(**kwargs), keras.datasets.imdb.load_data(**kwargs),
                      ragged=True)


def test_imdb_written_by_numpy1_matches_keras(cache, monkeypatch):
    """The real file's object arrays name ``numpy.core.multiarray._reconstruct``."""
    arrays = {"x_train": sequences(9), "y_train": RNG.integers(0, 2, 9),
              "x_test": sequences(7), "y_test": RNG.integers(0, 2, 7)}
    with zipfile.ZipFile(cache / "imdb.npz", "w") as out:
        for name, array in arrays.items():
            member = io.BytesIO()
            if array.dtype.hasobject:  # header, then a protocol-2 pickle naming numpy.core
                np.lib.format.write_array_header_1_0(
                    member, np.lib.format.header_data_from_array_1_0(array))
                Py2Pickler(member, protocol=2).dump(array)
                data = as_numpy1(member.getvalue())
                assert b"numpy.core.multiarray" in data
            else:
                np.lib.format.write_array(member, array)
                data = member.getvalue()
            out.writestr(f"{name}.npy", data)
    trust(monkeypatch, imdb, cache / "imdb.npz")
    assert_same_split(imdb.load_data(), keras.datasets.imdb.load_data(), ragged=True)


def test_imdb_ignores_unknown_arguments_as_keras_with_a_warning(cache, monkeypatch):
    write_imdb(cache, monkeypatch)
    with pytest.warns(UserWarning, match="nb_words"):
        ours = imdb.load_data(nb_words=10)
    assert_same_split(ours, keras.datasets.imdb.load_data(nb_words=10), ragged=True)


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

@pytest.mark.parametrize("write", [cifar_batch, py2_cifar_batch])
def test_cifar10_batches_read_as_keras_reads_them(tmp_path, write):
    from keras.src.datasets.cifar import load_batch
    (tmp_path / "batch").write_bytes(write(4, 3))
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
