"""Parity of minikeras.metrics with keras 3: running results over several batches, with
and without sample weights, after reset, and with `update_state` inside `tf.function`.

Expected values come from keras (the reference) or hand arithmetic, never from minikeras.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras.src.metrics import accuracy_metrics as keras_accuracy_metrics
from keras.src.trainers import compile_utils as keras_compile_utils

from minikeras import metrics

RTOL, ATOL = 1e-6, 1e-7


def close(actual, expected, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=rtol, atol=atol)


def _batches(kind, seed=0):
    """Three batches (y_true, y_pred) of sizes 5, 3, 4 for one kind of target."""
    rng = np.random.default_rng(seed)
    out = []
    for n in (5, 3, 4):
        if kind == "binary":
            y = (rng.random((n, 1)) > 0.5).astype("float32")
            p = rng.random((n, 1)).astype("float32")
            p[0, 0] = 0.5  # strictly above the threshold counts as 1
        elif kind == "binary_flat":
            y = (rng.random(n) > 0.5).astype("float32")
            p = rng.random((n, 1)).astype("float32")
        elif kind == "categorical":
            y = np.eye(4, dtype="float32")[rng.integers(0, 4, n)]
            p = rng.dirichlet(np.ones(4), n).astype("float32")
        elif kind in ("sparse", "sparse_col"):
            y = rng.integers(0, 4, n).astype("float32")
            y = y[:, None] if kind == "sparse_col" else y
            p = rng.dirichlet(np.ones(4), n).astype("float32")
        elif kind == "exact":
            y = rng.integers(0, 3, (n, 2)).astype("float32")
            p = rng.integers(0, 3, (n, 2)).astype("float32")
        else:  # regression
            y = rng.normal(size=(n, 2)).astype("float32")
            p = rng.normal(size=(n, 2)).astype("float32")
        out.append((y, p))
    return out


CASES = [
    ("Accuracy", {}, "exact"),
    ("BinaryAccuracy", {}, "binary"),
    ("BinaryAccuracy", {}, "binary_flat"),
    ("BinaryAccuracy", {"threshold": 0.7}, "binary"),
    ("CategoricalAccuracy", {}, "categorical"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("SparseCategoricalAccuracy", {}, "sparse_col"),
    ("MeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, "binary"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}, "categorical"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {}, "sparse_col"),
]


def _weights(weight_kind, n, seed):
    rng = np.random.default_rng(100 + seed)
    if weight_kind is None:
        return None
    w = rng.uniform(0, 2, n).astype("float32")
    w[0] = 0.0
    return w[:, None] if weight_kind == "column" else w


@pytest.mark.parametrize("class_name,kwargs,kind", CASES)
@pytest.mark.parametrize("weight_kind", [None, "flat", "column", "mixed"])
def test_metric_matches_keras_over_batches(class_name, kwargs, kind, weight_kind):
    ours = getattr(metrics, class_name)(**kwargs)
    ref = getattr(keras.metrics, class_name)(**kwargs)
    assert ours.name == ref.name
    for seed in (0, 1):  # the second round runs after reset_state
        for i, (y, p) in enumerate(_batches(kind, seed)):
            wk = [None, "flat", "column"][i % 3] if weight_kind == "mixed" else weight_kind
            w = _weights(wk, len(y), i)
            ours.update_state(y, p, sample_weight=w)
            ref.update_state(y, p, sample_weight=w)
            close(ours.result(), ref.result())
            assert ours.result().dtype == tf.float32
        ours.reset_state()
        ref.reset_state()
        assert float(ours.result()) == 0.0


@pytest.mark.parametrize("class_name,kwargs,kind", CASES)
def test_update_state_inside_tf_function(class_name, kwargs, kind):
    ours = getattr(metrics, class_name)(**kwargs)
    ref = getattr(keras.metrics, class_name)(**kwargs)
    batches = _batches(kind, seed=3)
    y0, p0 = batches[0]
    spec_y = tf.TensorSpec((None,) + y0.shape[1:], tf.float32)
    spec_p = tf.TensorSpec((None,) + p0.shape[1:], tf.float32)

    @tf.function(input_signature=[spec_y, spec_p, tf.TensorSpec([None], tf.float32)])
    def update(y, p, w):
        ours.update_state(y, p, sample_weight=w)

    for i, (y, p) in enumerate(batches):
        w = _weights("flat", len(y), i)
        update(y, p, w)
        ref.update_state(y, p, sample_weight=w)
    close(ours.result(), ref.result())
    assert update.experimental_get_tracing_count() == 1


def test_state_variables():
    m = metrics.BinaryAccuracy()
    assert len(m.variables) == 2 and m.trainable_variables == ()
    for v in m.variables:
        assert v.dtype == tf.float32 and v.shape == ()
        assert v.synchronization == tf.VariableSynchronization.ON_READ
        assert v.aggregation == tf.VariableAggregation.SUM
    assert isinstance(m, tf.Module)


def test_binary_accuracy_is_strict_by_hand():
    m = metrics.BinaryAccuracy()
    m.update_state([[1.0], [0.0], [1.0], [0.0]], [[0.5], [0.5], [0.51], [0.49]])
    assert float(m.result()) == 0.75  # 0.5 counts as class 0
    m.update_state([[1.0]], [[0.0]], sample_weight=[4.0])
    close(m.result(), 3 / 8)


def test_categorical_accuracy_negative_zero_like_keras():
    y = np.array([[0.0, 1.0], [1.0, 0.0]], "float32")
    p = np.array([[-0.0, 0.0], [0.0, -0.0]], "float32")
    close(metrics.categorical_accuracy(y, p), keras.metrics.categorical_accuracy(y, p))
    close(metrics.categorical_accuracy(y, p), [1.0, 1.0])


@pytest.mark.parametrize("fn", ["accuracy", "binary_accuracy", "categorical_accuracy",
                                "sparse_categorical_accuracy"])
def test_accuracy_functions_match_keras(fn):
    kind = {"accuracy": "exact", "binary_accuracy": "binary",
            "categorical_accuracy": "categorical", "sparse_categorical_accuracy": "sparse_col"}[fn]
    for y, p in _batches(kind, seed=5):
        out, ref = getattr(metrics, fn)(y, p), getattr(keras_accuracy_metrics, fn)(y, p)
        assert out.shape == ref.shape and out.dtype == tf.float32
        np.testing.assert_array_equal(out, ref)


@pytest.mark.parametrize("values,weights", [
    ([1.0, 3.0, 5.0, 7.0], None),
    ([1.0, 3.0, 5.0, 7.0], [1.0, 1.0, 0.0, 0.0]),
    ([[1.0, 2.0], [3.0, 5.0]], None),
    ([[1.0, 2.0], [3.0, 5.0]], [0.5, 2.0]),
    ([[1.0, 2.0], [3.0, 5.0]], [[0.5, 1.0], [2.0, 0.0]]),
    ([[1.0], [3.0], [5.0]], [0.5, 1.0, 2.0]),
    ([1.0, 3.0, 5.0], [[0.5], [1.0], [2.0]]),
    ([1.0, 3.0, 5.0], 2.0),  # scalar weight: the batch counts as one sample of weight 2
    (4.0, None),
])
def test_mean_matches_keras(values, weights):
    ours, ref = metrics.Mean(), keras.metrics.Mean()
    for _ in range(2):
        ours.update_state(values, sample_weight=weights)
        ref.update_state(values, sample_weight=weights)
    close(ours.result(), ref.result())
    close(ours.count, ref.count)


def test_mean_by_hand():
    m = metrics.Mean()
    m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
    assert float(m.result()) == 2.0
    m.update_state([10.0])
    close(m.result(), (1 + 3 + 10) / 3)


def test_mean_metric_wrapper_custom_function():
    def half_abs(y_true, y_pred):
        return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1) / 2

    ours = metrics.get(half_abs)
    ref = keras.metrics.MeanMetricWrapper(half_abs)
    assert isinstance(ours, metrics.MeanMetricWrapper) and ours.name == "half_abs"
    for y, p in _batches("regression"):
        ours.update_state(y, p, sample_weight=np.ones(len(y)))
        ref.update_state(y, p, sample_weight=np.ones(len(y)))
    close(ours.result(), ref.result())


# ------------------------------------------------------------------- logits path


@pytest.mark.parametrize("class_name,activation,smoothing", [
    ("BinaryCrossentropy", "sigmoid", 0.0),
    ("BinaryCrossentropy", "sigmoid", 0.1),
    ("CategoricalCrossentropy", "softmax", 0.2),
    ("SparseCategoricalCrossentropy", "softmax", None),
])
def test_crossentropy_metrics_use_logits_like_keras(class_name, activation, smoothing):
    rng = np.random.default_rng(7)
    kwargs = {} if smoothing is None else {"label_smoothing": smoothing}
    ours = getattr(metrics, class_name)(**kwargs)
    ref = getattr(keras.metrics, class_name)(**kwargs)
    plain = getattr(metrics, class_name)(**kwargs)
    assert ours.accepts_logits
    for n in (4, 3):
        k = 1 if activation == "sigmoid" else 3
        z = (rng.normal(size=(n, k)) * 40).astype("float32")  # saturated
        keras_p = getattr(keras.activations, activation)(tf.constant(z))
        if class_name.startswith("Sparse"):
            y = rng.integers(0, k, n)
        elif k == 1:
            y = (rng.random((n, 1)) > 0.5).astype("float32")
        else:
            y = np.eye(k, dtype="float32")[rng.integers(0, k, n)]
        w = rng.uniform(0, 1, n).astype("float32")
        ours.update_state(y, keras_p.numpy(), sample_weight=w, logits=z)
        ref.update_state(y, keras_p, sample_weight=w)
        plain.update_state(y, keras_p.numpy(), sample_weight=w)
    close(ours.result(), ref.result())
    assert abs(float(ours.result()) - float(plain.result())) > 1.0


def test_non_crossentropy_metrics_ignore_logits():
    m = metrics.BinaryAccuracy()
    assert not m.accepts_logits
    m.update_state([[1.0]], [[0.9]], logits=[[-5.0]])
    assert float(m.result()) == 1.0
    assert not metrics.Mean().accepts_logits


def test_crossentropy_metric_rejects_flat_targets_like_keras():
    y, p = np.array([0.0, 1.0]), np.array([[0.2], [0.7]], "float32")
    with pytest.raises(ValueError):
        keras.metrics.BinaryCrossentropy().update_state(y, p)
    with pytest.raises(ValueError, match=r"\(2,\).*\(2, 1\)"):
        metrics.BinaryCrossentropy().update_state(y, p)


# ------------------------------------------------------------------ get / compile

GET_NAMES = [
    "accuracy", "Accuracy", "binary_accuracy", "BinaryAccuracy", "categorical_accuracy",
    "CategoricalAccuracy", "sparse_categorical_accuracy", "SparseCategoricalAccuracy",
    "mse", "MSE", "mae", "MAE", "mean_squared_error", "mean_absolute_error",
    "MeanSquaredError", "MeanAbsoluteError", "bce", "BCE", "binary_crossentropy",
    "BinaryCrossentropy", "categorical_crossentropy", "CategoricalCrossentropy",
    "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", "mean", "Mean",
]


@pytest.mark.parametrize("name", GET_NAMES)
def test_get_names_match_keras(name):
    ours, ref = metrics.get(name), keras.metrics.get(name)
    assert type(ours).__name__ == type(ref).__name__
    assert ours.name == ref.name


def test_get_rejects_what_keras_rejects():
    for name in ("acc", "crossentropy", "huber_loss", "top1"):
        with pytest.raises(ValueError):
            keras.metrics.get(name)
        with pytest.raises(ValueError, match="Valid names are: .*binary_accuracy.*mse"):
            metrics.get(name)
    with pytest.raises(TypeError):
        metrics.get(3.5)


def test_get_instances_classes_and_none():
    m = metrics.CategoricalAccuracy(name="cat")
    assert metrics.get(m) is m
    assert isinstance(metrics.get(metrics.MeanAbsoluteError), metrics.MeanAbsoluteError)
    assert metrics.get(None) is None


SHAPES = [
    ((8,), (8, 1)), ((8, 1), (8, 1)), ((8,), (8, 3)), ((8, 1), (8, 3)), ((8, 3), (8, 3)),
    ((8, 5), (8, 5, 3)), ((8, 5, 1), (8, 5, 3)), ((8, 5, 3), (8, 5, 3)),
]


@pytest.mark.parametrize("identifier", ["accuracy", "acc", "Accuracy", "ACC", "mse", "mae",
                                        "binary_crossentropy", "BinaryAccuracy"])
@pytest.mark.parametrize("shapes", SHAPES)
def test_get_for_compile_matches_keras(identifier, shapes):
    y_shape, p_shape = shapes
    ours = metrics.get_for_compile(identifier, y_shape, p_shape)
    ref = keras_compile_utils.get_metric(identifier, np.zeros(y_shape), np.zeros(p_shape))
    assert type(ours).__name__ == type(ref).__name__
    assert ours.name == ref.name == identifier


def test_get_for_compile_non_strings_match_keras():
    def my_metric(y_true, y_pred):
        return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)

    ours = metrics.get_for_compile(my_metric, (4, 1), (4, 1))
    ref = keras_compile_utils.get_metric(my_metric, np.zeros((4, 1)), np.zeros((4, 1)))
    assert isinstance(ours, metrics.MeanMetricWrapper) and ours.name == ref.name == "my_metric"
    m = metrics.SparseCategoricalAccuracy(name="top1")
    assert metrics.get_for_compile(m, (4,), (4, 3)) is m and m.name == "top1"
    with pytest.raises(ValueError):
        metrics.get_for_compile(None, (4,), (4, 1))


def test_compiled_keras_model_resolves_the_same():
    """End to end: the metric names and classes keras builds in compile + evaluate."""
    for y_shape, units in (((6,), 1), ((6,), 3), ((6, 3), 3)):
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(units)])
        model.compile(loss="mse" if units == 1 else "categorical_crossentropy",
                      metrics=["acc"])
        if len(y_shape) == 1 and units == 3:
            model.compile(loss="sparse_categorical_crossentropy", metrics=["acc"])
        y = np.zeros(y_shape, "float32")
        model.evaluate(np.zeros((6, 2), "float32"), y, verbose=0)
        (ref,) = model._compile_metrics.metrics
        ours = metrics.get_for_compile("acc", y_shape, (6, units))
        assert type(ours).__name__ == type(ref).__name__ and ours.name == ref.name == "acc"


@pytest.mark.parametrize("metric", [
    metrics.Mean(name="avg"),
    metrics.Accuracy(),
    metrics.BinaryAccuracy(threshold=0.3, name="b"),
    metrics.CategoricalAccuracy(),
    metrics.SparseCategoricalAccuracy(),
    metrics.MeanSquaredError(),
    metrics.MeanAbsoluteError(),
    metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
    metrics.CategoricalCrossentropy(label_smoothing=0.2),
    metrics.SparseCategoricalCrossentropy(from_logits=True),
    metrics.MeanMetricWrapper(metrics.binary_accuracy, name="ba", threshold=0.2),
])
def test_serialize_round_trip(metric):
    config = metrics.serialize(metric)
    again = metrics.get(config)
    assert type(again) is type(metric) and again.get_config() == metric.get_config()
    assert again.name == metric.name


def test_serialize_and_deserialize_refuse_unknowns():
    with pytest.raises(ValueError):
        metrics.serialize(metrics.get(lambda a, b: a))
    with pytest.raises(ValueError, match="Valid names"):
        metrics.get({"class_name": "subprocess.call", "config": {}})
    with pytest.raises(ValueError, match="Valid names"):
        metrics.get({"class_name": "MeanMetricWrapper", "config": {"fn": "eval", "name": "x"}})


def test_names_need_not_be_identifiers():
    m = metrics.Mean(name="val loss/avg")
    m.update_state([1.0, 2.0])
    assert m.name == "val loss/avg" and float(m.result()) == 1.5
    m.name = "renamed"
    assert m.name == "renamed"
