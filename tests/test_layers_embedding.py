"""Embedding against keras: lookups, gradients, seeded initialization, whole fits, summary,
config, saving and out-of-range indices."""
import keras
import numpy as np
import pytest
import tensorflow as tf
from layer_parity import check_config_round_trip, check_fit, check_save_load, check_summary, data

import minikeras as mk
import minikeras.constraints  # noqa: F401  (mk.constraints)
from minikeras import layers

IDS = np.array([[1, 2, 0, 4], [3, 3, -1, -5]])


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32"])
def test_lookup_and_gradient_match_keras(dtype):
    x = IDS.astype(dtype)
    ref = keras.layers.Embedding(5, 3)
    ours = layers.Embedding(5, 3)
    expected = ref(x).numpy()
    ours(x)
    ours.set_weights(ref.get_weights())
    np.testing.assert_array_equal(ours(x).numpy(), expected)
    w = data(*expected.shape)
    grads = []
    for layer in (ours, ref):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.convert_to_tensor(layer(x)) * w)
        grads.append(tf.convert_to_tensor(tape.gradient(loss, layer.trainable_weights[0])))
    np.testing.assert_allclose(grads[0].numpy(), grads[1].numpy(), rtol=1e-6, atol=1e-6)
    assert ours.compute_output_shape((None, 4)) == ref.compute_output_shape((None, 4))


def test_default_and_seeded_initializers_are_keras_s():
    layer = layers.Embedding(50, 4)
    layer.build(None)
    values = layer.embeddings.numpy()
    assert values.min() >= -0.05 and values.max() <= 0.05 and values.std() > 0.01
    ref = keras.layers.Embedding(7, 3, embeddings_initializer=keras.initializers.RandomUniform(
        seed=3))
    ref.build(None)
    ours = layers.Embedding(7, 3, embeddings_initializer=mk.initializers.RandomUniform(seed=3))
    ours.build(None)
    np.testing.assert_array_equal(ours.get_weights()[0], ref.get_weights()[0])


def test_integer_inputs_are_not_cast_to_float():
    layer = layers.Embedding(10, 2)
    out = layer(tf.constant([[9, 0]], tf.int64))
    assert out.dtype == tf.float32 and out.shape == (1, 2, 2)


def _net(lib, constraint=False):
    extra = dict(embeddings_regularizer=lib.regularizers.L2(0.01))
    if constraint:
        extra["embeddings_constraint"] = lib.constraints.MaxNorm(0.04, axis=1)
    return [lib.layers.Embedding(12, 3, **extra), lib.layers.GlobalAveragePooling1D(),
            lib.layers.Dense(4, activation="tanh"), lib.layers.Dense(1)]


XI = np.random.default_rng(0).integers(0, 12, size=(21, 5)).astype(np.float32)
YI = (XI.mean(axis=1, keepdims=True) / 6 - 1).astype(np.float32)


@pytest.mark.slow
@pytest.mark.parametrize("constraint", [False, True])
def test_fit_matches_keras_and_summary(constraint):
    ours, ref = check_fit(lambda lib: _net(lib, constraint), XI, YI, epochs=3)
    check_summary(ours, ref)


def test_config_round_trip_and_keras_argument_names():
    layer = layers.Embedding(8, 2, embeddings_initializer="he_normal",
                             embeddings_regularizer="l1",
                             embeddings_constraint=mk.constraints.NonNeg(), mask_zero=True,
                             name="emb")
    check_config_round_trip(layer)
    ref = keras.layers.Embedding(8, 2)
    assert set(layer.get_config()) <= set(ref.get_config())


def test_save_load_round_trip(tmp_path):
    model = mk.Sequential([mk.Input(shape=(5,))] + _net(mk, True))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(XI, YI, epochs=1, verbose=0)
    loaded = check_save_load(model, XI, tmp_path)
    assert loaded.weight_shapes((None, 5))[0][1] == (12, 3)


@pytest.mark.parametrize("make,match", [
    (lambda: layers.Embedding(0, 3), "input_dim"), (lambda: layers.Embedding(3.0, 3), "input_dim"),
    (lambda: layers.Embedding(3, -1), "output_dim"), (lambda: layers.Embedding(3, True),
                                                      "output_dim")])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
    with pytest.raises(TypeError, match="mask_zero"):
        layers.Embedding(3, 2, mask_zero=1)


@pytest.mark.parametrize("index", [5, 100, -6])
def test_out_of_range_indices_raise_invalid_argument_as_keras(index):
    ours, ref = layers.Embedding(5, 2), keras.layers.Embedding(5, 2)
    ours.build(None)
    before = ours.get_weights()[0].copy()
    for layer in (ref, ours):
        with pytest.raises(tf.errors.InvalidArgumentError, match="not in"):
            layer(np.array([[0, index]]))
    np.testing.assert_array_equal(ours.get_weights()[0], before)
    model = mk.Sequential([mk.Input(shape=(2,)), ours, layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(tf.errors.InvalidArgumentError):
        model.fit(np.array([[0, index]], np.float32), np.zeros((1, 1), np.float32), verbose=0)
    np.testing.assert_array_equal(ours.get_weights()[0], before)


def test_mask_zero_gives_keras_padding_mask():
    ids = np.array([[0, 2, 3], [1, 0, 0]])
    for mask_zero in (False, True):
        ours = mk.layers.Embedding(5, 2, mask_zero=mask_zero)
        theirs = keras.layers.Embedding(5, 2, mask_zero=mask_zero)
        assert ours.supports_masking == theirs.supports_masking == mask_zero
        want = theirs.compute_mask(ids)
        got = ours.compute_mask(ids)
        if want is None:
            assert got is None
        else:
            np.testing.assert_array_equal(got, want)
