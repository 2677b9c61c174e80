"""`utils.to_categorical` and `utils.normalize` against keras on the same inputs."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from minikeras import utils

LABELS = [
    [0, 2, 1, 3],
    np.array([[1], [0], [2]]),
    np.array([[0, 1], [2, 2]]),
    np.array([1.0, 0.0, 2.0]),
    np.array([3], dtype="uint8"),
]


@pytest.mark.parametrize("x", LABELS, ids=range(len(LABELS)))
@pytest.mark.parametrize("num_classes", [None, 5])
def test_to_categorical_matches_keras(x, num_classes):
    ours = utils.to_categorical(x, num_classes)
    theirs = keras.utils.to_categorical(x, num_classes)
    assert isinstance(ours, np.ndarray) and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_to_categorical_tensor_gives_tensor():
    x = tf.constant([[1], [0], [2]])
    ours, theirs = utils.to_categorical(x, 3), keras.utils.to_categorical(x, 3)
    assert isinstance(ours, tf.Tensor)
    np.testing.assert_array_equal(ours, theirs)


def test_to_categorical_refuses_bad_labels():
    with pytest.raises(ValueError, match=r"\[0, 3\).*5"):
        utils.to_categorical([0, 5], num_classes=3)
    with pytest.raises(ValueError, match="-1"):
        utils.to_categorical([0, -1])
    with pytest.raises(ValueError, match="non-integer"):
        utils.to_categorical([0.5, 1.0])
    with pytest.raises(ValueError, match="num_classes"):
        utils.to_categorical([0, 1], num_classes=0)


@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("order", [1, 2, 3])
def test_normalize_numpy_matches_keras(axis, order):
    x = np.random.default_rng(0).normal(size=(4, 3))
    x[1] = 0.0
    ours = utils.normalize(x, axis, order)
    if axis == 0:  # keras's `axis or -1` fails here; the definition is the reference
        norm = np.linalg.norm(x, order, 0)
        theirs = x / np.where(norm == 0, 1, norm)[None, :]
    else:
        theirs = keras.utils.normalize(x, axis, order)
    assert isinstance(ours, np.ndarray)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("order", [1, 2])
def test_normalize_tensor_matches_keras(order):
    x = tf.constant(np.random.default_rng(1).normal(size=(5, 4)).astype("float32"))
    x = tf.tensor_scatter_nd_update(x, [[2]], tf.zeros((1, 4)))
    np.testing.assert_allclose(utils.normalize(x, -1, order), keras.utils.normalize(x, -1, order),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="order"):
        utils.normalize(x, order=0)
