"""keras-compatible details of the core layers: Softmax's `mask`, Dropout's `noise_shape`,
InputLayer's arguments and errors, `supports_masking`, built-at-instantiation, each against
keras where it changes numbers."""
import warnings

import keras
import numpy as np
import pytest

from minikeras import layers


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


@pytest.mark.parametrize("axis", [-1, 1, (1, 2), [2]])
@pytest.mark.parametrize("mask_shape", [(4, 3, 5), (4, 1, 5), (5,), (3, 1)])
def test_softmax_mask_matches_keras(axis, mask_shape):
    x = _x(4, 3, 5)
    mask = np.random.default_rng(1).random(mask_shape) > 0.4
    expected = keras.layers.Softmax(axis=axis)(x, mask=mask).numpy()
    ours = layers.Softmax(axis=axis)(x, mask=mask).numpy()
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-7)
    # a numeric mask keeps entries above 0.5, as keras
    ours_float = layers.Softmax(axis=axis)(x, mask=mask.astype("float32")).numpy()
    np.testing.assert_allclose(ours_float, expected, rtol=1e-6, atol=1e-7)


def test_softmax_mask_shape_errors_use_keras_wording():
    with pytest.raises(ValueError, match="must not have more dimensions"):
        layers.Softmax()(np.ones((1, 3)), mask=np.ones((1, 1, 3)))
    with pytest.raises(ValueError, match="broadcastable"):
        layers.Softmax()(np.ones((1, 3)), mask=np.ones((2, 3)))


@pytest.mark.parametrize("noise_shape", [(None, 1, None), (20, 1, 10), (None, 5, 1)])
def test_dropout_noise_shape_broadcasts_the_mask_as_keras(noise_shape):
    x = np.ones((20, 5, 10), np.float32)
    for layer in (layers.Dropout(0.5, noise_shape=noise_shape, seed=3),
                  keras.layers.Dropout(0.5, noise_shape=noise_shape, seed=3)):
        out = np.asarray(layer(x, training=True))
        assert set(np.unique(out)) <= {0.0, 2.0}  # kept entries scaled by 1 / (1 - rate)
        for axis, size in enumerate(noise_shape):
            if size == 1:  # the same mask along every broadcast axis
                np.testing.assert_array_equal(out, np.take(out, [0], axis=axis).repeat(
                    x.shape[axis], axis=axis))
    assert layers.Dropout(0.5, noise_shape=[20, 1, 10]).noise_shape == (20, 1, 10)
    np.testing.assert_array_equal(layers.Dropout(0.5, noise_shape=noise_shape)(x), x)


@pytest.mark.parametrize("noise_shape, message", [
    ("abc", "Expected a tuple or list of integers"),
    ((20, 1.5, 10), "Expected all elements to be integers or None"),
    ((20, 0, 10), "Expected all dimensions to be positive integers or None"),
    (5, "Expected an iterable of integers"),
])
def test_dropout_noise_shape_errors(noise_shape, message):
    with pytest.raises(ValueError, match=message):
        layers.Dropout(0.5, noise_shape=noise_shape)


def test_dropout_config_round_trip_keeps_noise_shape():
    layer = layers.Dropout(0.3, noise_shape=(None, 1), seed=2)
    assert layers.Dropout.from_config(layer.get_config()).noise_shape == (None, 1)


def test_input_layer_arguments_and_errors_as_keras():
    layer = layers.InputLayer(shape=(2, 3), batch_size=4, dtype="float32", sparse=False,
                              ragged=False)
    assert layer.dtype == "float32" and layer.batch_shape == (4, 2, 3)
    assert layer.output.ndim == 3 and not layer.output.sparse and not layer.output.ragged
    assert layer.call() is None
    with pytest.raises(ValueError, match="cannot pass both `shape` and `batch_shape`"):
        layers.InputLayer(shape=(2,), batch_shape=(None, 2))
    with pytest.raises(ValueError, match="cannot pass both `batch_size` and `batch_shape`"):
        layers.InputLayer(batch_size=2, batch_shape=(None, 2))
    with pytest.raises(ValueError, match="pass a `shape` argument"):
        layers.InputLayer()
    with pytest.raises(ValueError, match="`sparse=True` is not supported"):
        layers.InputLayer(shape=(2,), sparse=True)
    with pytest.warns(UserWarning, match="`input_shape` is deprecated"):
        assert layers.InputLayer(input_shape=(3,)).batch_shape == (None, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert layers.InputLayer(batch_shape=(5, 3)).batch_shape == (5, 3)


def test_supports_masking_and_built_at_instantiation_as_keras():
    made = {"Dense": (layers.Dense(2), keras.layers.Dense(2)),
            "Activation": (layers.Activation("relu"), keras.layers.Activation("relu")),
            "Softmax": (layers.Softmax(), keras.layers.Softmax()),
            "Dropout": (layers.Dropout(0.1), keras.layers.Dropout(0.1)),
            "Flatten": (layers.Flatten(), keras.layers.Flatten())}
    for name, (ours, ref) in made.items():
        assert ours.supports_masking == ref.supports_masking, name
        assert ours.built == ref.built, name

    class OwnBuild(layers.Activation):
        def build(self, input_shape):
            self.built = True

    assert not OwnBuild("relu").built


def test_dense_with_activation_set_to_none_is_linear():
    layer = layers.Dense(2, use_bias=False)
    layer.build((1, 2))
    layer.set_weights([np.array([[1.0, -2.0], [3.0, -4.0]])])
    layer.activation = None
    np.testing.assert_allclose(layer(np.array([[-1.0, 2.0]])), [[5.0, -6.0]])


def test_compute_output_spec_gives_shape_and_dtype_without_values():
    spec = layers.Dense(3).compute_output_spec(np.ones((2, 4)))
    assert spec.shape == (2, 3) and spec.dtype == "float32"
    assert layers.Flatten().compute_output_spec(np.ones((2, 4, 5))).shape == (2, 20)
