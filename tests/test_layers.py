"""Layers: Dense, Activation, Softmax, Flatten, Dropout, InputLayer against keras."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk
from minikeras import layers
from minikeras._logits import record_logits


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


@pytest.mark.parametrize("activation", [None, "relu", "sigmoid", "softmax", "tanh"])
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_matches_keras(activation, use_bias):
    x = _x(7, 4)
    ref = keras.layers.Dense(3, activation=activation, use_bias=use_bias,
                             bias_initializer="random_normal")
    expected = ref(x).numpy()
    ours = layers.Dense(3, activation=activation, use_bias=use_bias)
    ours.build((None, 4))
    ours.set_weights(ref.get_weights())
    np.testing.assert_allclose(ours(x).numpy(), expected, rtol=1e-6, atol=1e-6)
    assert [w.shape for w in ours.weights] == [w.shape for w in ref.weights]


def test_dense_seeded_initializer_equals_keras():
    x = _x(2, 5)
    ref = keras.layers.Dense(4, kernel_initializer=keras.initializers.GlorotUniform(seed=3))
    ref(x)
    ours = layers.Dense(4, kernel_initializer=mk.initializers.GlorotUniform(seed=3))
    ours(x)
    np.testing.assert_array_equal(ours.kernel.numpy(), ref.kernel.numpy())


def test_dense_builds_lazily_and_on_rank3_input():
    d = layers.Dense(2)
    assert not d.built and d.weights == []
    out = d(_x(3, 5, 4))
    assert d.built and out.shape == (3, 5, 2) and d.kernel.shape == (4, 2)


def test_dense_rejects_bad_units_and_wrong_features():
    for bad in (0, -1, 2.5, "3"):
        with pytest.raises(ValueError, match="units"):
            layers.Dense(bad)
    d = layers.Dense(2)
    d(_x(3, 4))
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4\).*found shape=\(3, 5\)"):
        d(_x(3, 5))
    with pytest.raises(ValueError, match="rank >= 2"):
        layers.Dense(2)(np.ones(3, np.float32))


def test_dense_logits_are_recorded_only_for_sigmoid_and_softmax():
    x = _x(4, 3)
    for act, has in (("sigmoid", True), ("softmax", True), ("relu", False), (None, False)):
        layer = layers.Dense(2, activation=act)
        with record_logits() as logits_of:
            out = layer(x)
        logits = logits_of(out)
        assert (logits is not None) == has
        if has:  # the logits are the pre-activation x @ kernel + bias
            np.testing.assert_allclose(logits.numpy(),
                                       x @ layer.kernel.numpy() + layer.bias.numpy(), rtol=1e-6)


def test_logits_are_recorded_only_inside_a_recording():
    layer = layers.Dense(2, activation="sigmoid")
    out = layer(_x(4, 3))
    with record_logits() as logits_of:
        assert logits_of(out) is None  # computed before the recording opened


@pytest.mark.parametrize("name", ["relu", "sigmoid", "softmax", "gelu", "linear"])
def test_activation_layer_matches_keras(name):
    x = _x(5, 3) * 3
    np.testing.assert_allclose(layers.Activation(name)(x).numpy(),
                               keras.layers.Activation(name)(x).numpy(), rtol=1e-6, atol=1e-7)


def test_linear_activation_passes_logits_through():
    z = tf.constant(_x(4, 2, seed=1))
    with record_logits() as logits_of:
        x = mk.activations.sigmoid(z)
        out = layers.Activation("linear")(x)
        assert out is x and logits_of(out) is z
        assert logits_of(layers.Activation("relu")(x)) is None


def test_softmax_layer():
    x = _x(3, 4, 5)
    for axis in (-1, 1):
        np.testing.assert_allclose(layers.Softmax(axis=axis)(x).numpy(),
                                   keras.layers.Softmax(axis=axis)(x).numpy(), rtol=1e-6)


def test_flatten():
    x = _x(2, 3, 4)
    out = layers.Flatten()(x)
    np.testing.assert_array_equal(out.numpy(), keras.layers.Flatten()(x).numpy())
    assert layers.Flatten().compute_output_shape((None, 3, 4)) == (None, 12)
    for fmt in ("channels_first", "channels_last"):
        np.testing.assert_array_equal(layers.Flatten(data_format=fmt)(x).numpy(),
                                      keras.layers.Flatten(data_format=fmt)(x).numpy())
    with pytest.raises(ValueError, match="data_format"):
        layers.Flatten(data_format="nchw")


def test_dropout_only_when_training_and_scales_kept_values():
    x = np.ones((200, 50), np.float32)
    drop = layers.Dropout(0.3, seed=1)
    np.testing.assert_array_equal(drop(x, training=False).numpy(), x)
    np.testing.assert_array_equal(drop(x).numpy(), x)
    y = drop(x, training=True).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert abs(kept.mean() - 0.7) < 0.02
    y2 = drop(x, training=True).numpy()
    assert not np.array_equal(y, y2)  # a new mask each call


def test_dropout_seed_reproducible_and_rate_checked():
    x = np.ones((10, 10), np.float32)
    a = layers.Dropout(0.5, seed=7)(x, training=True).numpy()
    b = layers.Dropout(0.5, seed=7)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    for bad in (-0.1, 1.0, "0.5"):
        with pytest.raises(ValueError, match="rate"):
            layers.Dropout(bad)


def test_layer_names_are_unique_like_keras():
    a, b = layers.Dense(1), layers.Dense(1)
    assert a.name != b.name and a.name.startswith("dense") and b.name.startswith("dense")
    assert layers.Dense(1, name="out").name == "out"


def test_input_layer_needs_shape():
    with pytest.raises(ValueError, match="shape"):
        layers.InputLayer()
    assert mk.Input(shape=(3,)).shape == keras.Input(shape=(3,)).shape == (None, 3)
