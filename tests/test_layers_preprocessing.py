"""Normalization (adapt from arrays, tensors, tf.data and lists of batches) and Rescaling
against keras 3.15.1: weights, outputs, gradients, a whole fit, config, save/load, bad input."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk
from minikeras import layers

TOL = dict(rtol=1e-5, atol=1e-5)
RNG = np.random.default_rng(0)
X = (RNG.normal(size=(37, 3, 4)) * 5 + 2).astype(np.float32)

SOURCES = {
    "array": lambda: X,
    "float64 array": lambda: X.astype(np.float64),
    "tensor": lambda: tf.constant(X),
    "dataset": lambda: tf.data.Dataset.from_tensor_slices(X).batch(8),
    "dataset (x, y)": lambda: tf.data.Dataset.from_tensor_slices((X, X[:, 0, 0])).batch(5),
    "list of batches": lambda: [X[:10], X[10:]],
    "generator": lambda: (X[i:i + 16] for i in range(0, 37, 16)),
}


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("axis", [-1, None, (1, 2), 1])
@pytest.mark.parametrize("invert", [False, True])
def test_adapt_and_outputs_equal_keras(source, axis, invert):
    ref = keras.layers.Normalization(axis=axis, invert=invert)
    ref.adapt(SOURCES[source]())
    ours = layers.Normalization(axis=axis, invert=invert)
    ours.adapt(SOURCES[source]())
    assert len(ours.get_weights()) == len(ref.get_weights()) == 3
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_array_equal(a, b)
        assert np.shape(a) == np.shape(b)
    np.testing.assert_array_equal(ours(X).numpy(), ref(X).numpy())


def test_unbatched_dataset_is_batched_like_keras():
    v = RNG.normal(size=(300,)).astype(np.float32)
    ref, ours = keras.layers.Normalization(axis=None), layers.Normalization(axis=None)
    ref.adapt(tf.data.Dataset.from_tensor_slices(v))
    ours.adapt(tf.data.Dataset.from_tensor_slices(v))
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_integer_data_and_inputs():
    xi = RNG.integers(0, 10, size=(50, 3))
    ref, ours = keras.layers.Normalization(), layers.Normalization()
    ref.adapt(xi)
    ours.adapt(xi)
    np.testing.assert_array_equal(ours(xi).numpy(), ref(xi).numpy())


def test_weights_are_mean_variance_count_non_trainable():
    layer = layers.Normalization()
    layer.adapt(X[:, 0, :])
    assert [w.name.split(":")[0] for w in layer.weights] == ["mean", "variance", "count"]
    assert layer.trainable_weights == [] and layer.weights[2].dtype == tf.int64
    np.testing.assert_allclose(layer.get_weights()[0], X[:, 0, :].mean(0), rtol=1e-6)
    np.testing.assert_allclose(layer.get_weights()[1], X[:, 0, :].var(0), rtol=1e-5)


@pytest.mark.parametrize("mean,variance", [(3.0, 2.0), ([1.0, 2.0, 3.0, 4.0], [1, 4, 9, 0.0])])
def test_given_mean_and_variance(mean, variance):
    for invert in (False, True):
        ref = keras.layers.Normalization(mean=mean, variance=variance, invert=invert)
        ours = layers.Normalization(mean=mean, variance=variance, invert=invert)
        np.testing.assert_array_equal(ours(X).numpy(), ref(X).numpy())
        assert ours.weights == [] and ref.weights == []


def test_zero_variance_uses_the_1e_7_floor():
    layer = layers.Normalization(mean=1.0, variance=0.0)
    np.testing.assert_allclose(layer(np.array([[1.5]])).numpy(), [[0.5 / 1e-7]], rtol=1e-6)


def test_gradients_match_keras():
    ref, ours = keras.layers.Normalization(), layers.Normalization()
    ref.adapt(X)
    ours.adapt(X)
    grads = []
    for layer in (ref, ours):
        x = tf.constant(X)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(tf.sin(layer(x)))
        grads.append(tape.gradient(y, x).numpy())
    np.testing.assert_allclose(grads[0], grads[1], **TOL)


@pytest.mark.slow
def test_fit_with_adapted_normalization_and_rescaling_matches_keras():
    x = (RNG.normal(size=(67, 3)) * [1, 10, 100] + [0, 5, -50]).astype(np.float32)
    y = (x @ np.array([[0.5], [-0.1], [0.02]], np.float32) + 1).astype(np.float32)
    models = []
    for lib in (keras, mk):
        norm = lib.layers.Normalization()
        norm.adapt(x)
        models.append(lib.Sequential([lib.Input((3,)), lib.layers.Rescaling(0.5, offset=1.0),
                                      norm, lib.layers.Dense(4, activation="tanh"),
                                      lib.layers.Dense(1)]))
    ref, ours = models
    ours.set_weights(ref.get_weights())
    histories = []
    for model, lib in ((ref, keras), (ours, mk)):
        model.compile(optimizer=lib.optimizers.SGD(0.05, momentum=0.9), loss="mse")
        histories.append(model.fit(x, y, batch_size=16, epochs=3, shuffle=False,
                                   verbose=0).history)
    np.testing.assert_allclose(histories[1]["loss"], histories[0]["loss"], **TOL)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, **TOL)
    assert ours.count_params() == ref.count_params()


def test_rescaling_matches_keras():
    for scale, offset in ((1 / 255, 0.0), ([1.0, 2.0, 3.0, 4.0], 0.5), (2, -1)):
        ref = keras.layers.Rescaling(scale, offset=offset)
        ours = layers.Rescaling(scale, offset=offset)
        np.testing.assert_array_equal(ours(X).numpy(), ref(X).numpy())
        clone = layers.Rescaling.from_config(ours.get_config())
        np.testing.assert_array_equal(clone(X).numpy(), ref(X).numpy())
    np.testing.assert_array_equal(layers.Rescaling(0.5)(np.array([[2, 4]])).numpy(), [[1, 2]])


def test_config_round_trip():
    for layer in (layers.Normalization(axis=(1, 2), invert=True),
                  layers.Normalization(mean=[1.0, 2.0], variance=[3.0, 4.0]),
                  layers.Normalization(axis=None)):
        config = layer.get_config()
        assert layers.Normalization.from_config(config).get_config() == config
    assert layers.Normalization(mean=2.0, variance=3.0).get_config()["mean"] == 2.0


def test_save_and_load_keep_adapted_statistics(tmp_path):
    norm = layers.Normalization()
    norm.adapt(X[:, 0, :])
    model = mk.Sequential([mk.Input(shape=(4,)), norm, layers.Rescaling(2.0),
                           layers.Normalization(mean=1.0, variance=4.0), layers.Dense(1)])
    model.save(tmp_path / "m.minikeras")
    loaded = mk.models.load_model(tmp_path / "m.minikeras")
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.predict(X[:, 0, :], verbose=0),
                                  model.predict(X[:, 0, :], verbose=0))


# ---- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize("empty", [
    lambda: np.zeros((0, 3), np.float32),
    lambda: tf.zeros((0, 3)),
    lambda: tf.data.Dataset.from_tensor_slices(np.zeros((0, 3), np.float32)).batch(4),
    lambda: [],
    lambda: iter(()),
])
def test_adapt_on_empty_data_is_a_clear_error_and_changes_nothing(empty):
    layer = layers.Normalization()
    with pytest.raises(ValueError, match="empty|no data|no elements"):
        layer.adapt(empty())
    assert not layer.built and layer.weights == []
    adapted = layers.Normalization()
    adapted.adapt(X[:, 0, :3])
    before = adapted.get_weights()
    with pytest.raises(ValueError):
        adapted.adapt(empty())
    for a, b in zip(adapted.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_adapt_on_incompatible_data_changes_nothing():
    layer = layers.Normalization()
    layer.adapt(X[:, 0, :])
    before = layer.get_weights()
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt(X[:, 0, :3])
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt([X[:5, 0, :], X[:5, 0, :3]])
    with pytest.raises(ValueError, match=r"range \[-ndim, ndim\)"):
        layers.Normalization(axis=3).adapt(X[:, 0, :])
    with pytest.raises(TypeError, match="Unsupported data type"):
        layer.adapt(3.0)
    with pytest.raises(ValueError, match="mean"):
        layers.Normalization(mean=1.0, variance=1.0).adapt(X)
    for a, b in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        layers.Normalization(mean=[1.0, 2.0], variance=1.0)
    with pytest.raises(ValueError, match="rank of `mean`"):
        layers.Normalization(mean=np.ones((2, 2)), variance=np.ones((2, 2)))
    with pytest.raises(TypeError, match="axis"):
        layers.Normalization(axis="last")
    with pytest.raises(TypeError, match="invert"):
        layers.Normalization(invert=1)
    with pytest.raises(ValueError, match="scale"):
        layers.Rescaling("half")
    with pytest.raises(ValueError, match="offset"):
        layers.Rescaling(1.0, offset=float("nan"))


def test_wrong_rank_input_is_refused():
    layer = layers.Normalization(axis=2)
    with pytest.raises(ValueError, match="ndim=2"):
        layer(np.ones((3, 4), np.float32))
    assert layer.weights == []


# ---- CategoryEncoding and Discretization -------------------------------------------------------
TOKENS = [np.array([[0, 1, 1], [3, 2, 9]]), np.array([1, 3, 0]), np.array([[1], [3]]),
          np.array([[[0, 1], [1, 4]], [[2, 2], [3, 3]]])]


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("case", range(len(TOKENS)))
def test_category_encoding_equals_keras(mode, case):
    x = TOKENS[case]
    ref = keras.layers.CategoryEncoding(5, output_mode=mode)
    ours = layers.CategoryEncoding(5, output_mode=mode)
    expected = ref(x).numpy()
    got = ours(x).numpy()
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    assert ours.compute_output_shape(x.shape) == tuple(ref.compute_output_shape(x.shape))
    config = ours.get_config()
    assert layers.CategoryEncoding.from_config(config).get_config() == config


def test_category_encoding_count_weights_and_errors():
    x, w = TOKENS[0], np.array([[0.5, 1.0, 2.0], [1.0, 1.0, 1.0]], np.float32)
    ref = keras.layers.CategoryEncoding(5, output_mode="count")(x, count_weights=w).numpy()
    ours = layers.CategoryEncoding(5, output_mode="count")(x, count_weights=w).numpy()
    np.testing.assert_array_equal(ours, ref)
    with pytest.raises(ValueError, match="count_weights"):
        layers.CategoryEncoding(5)(x, count_weights=w)
    for bad, match in ((dict(num_tokens=None), "num_tokens must be set"),
                       (dict(num_tokens=0), ">= 1"),
                       (dict(num_tokens=3, output_mode="tf_idf"), "output_mode"),
                       (dict(num_tokens=3, sparse=True), "dense")):
        with pytest.raises(ValueError, match=match):
            layers.CategoryEncoding(**bad)


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_equals_keras(mode):
    x = RNG.normal(size=(6, 1 if mode == "one_hot" else 3)).astype(np.float32)
    x[0, 0] = 0.0  # on a boundary: goes to the bin above, as keras
    ref = keras.layers.Discretization([-0.5, 0.0, 0.5], output_mode=mode)
    ours = layers.Discretization([-0.5, 0.0, 0.5], output_mode=mode)
    expected, got = ref(x).numpy(), ours(x).numpy()
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    assert ours.compute_output_shape(x.shape) == tuple(ref.compute_output_shape(x.shape))
    config = ours.get_config()
    assert layers.Discretization.from_config(config).get_config() == config
    assert {k for k in ref.get_config() if k != "dtype"} <= set(config)


def test_discretization_needs_sorted_boundaries():
    with pytest.raises(ValueError, match="either `num_bins` or `bin_boundaries`"):
        layers.Discretization()
    with pytest.raises(ValueError, match="sorted"):
        layers.Discretization([1.0, 0.0])
    with pytest.raises(ValueError, match="output_mode"):
        layers.Discretization([0.0], output_mode="tf_idf")


def test_categorical_layers_save_and_load(tmp_path):
    model = mk.Sequential([mk.Input(shape=(3,)), layers.Discretization([-0.5, 0.5],
                                                                       output_mode="count"),
                           layers.Dense(2)])
    model.save(tmp_path / "m.minikeras")
    loaded = mk.models.load_model(tmp_path / "m.minikeras")
    x = X[:, 0, :3]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
