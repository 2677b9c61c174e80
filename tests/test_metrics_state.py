"""Metric constructors' ``name=``/``dtype=``, and stateful custom metrics (`Metric.add_weight`,
`add_variable`, the stateless API), against keras on the same inputs."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras
from minikeras import metrics

NAMES = ["Mean", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
         "SparseCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
         "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy"]


@pytest.mark.parametrize("class_name", NAMES)
@pytest.mark.parametrize("dtype", [None, "float32", "float16", tf.float64, "int32"])
def test_name_and_dtype_as_keras(class_name, dtype):
    ours = getattr(metrics, class_name)(name="m", dtype=dtype)
    theirs = getattr(keras.metrics, class_name)(name="m", dtype=dtype)
    assert (ours.name, ours.dtype) == (theirs.name, theirs.dtype)
    config = ours.get_config()
    assert config == {k: v for k, v in theirs.get_config().items() if k in config}
    again = type(ours).from_config(config)
    assert (again.name, again.dtype) == ("m", ours.dtype)
    with pytest.raises(AttributeError):
        ours.dtype = "float16"


def test_result_is_cast_to_dtype():
    y, p = np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[0.3, 0.7], [0.6, 0.2]], "float32")
    for dtype in ("float16", "float64", "int32"):
        ours = metrics.MeanSquaredError(dtype=dtype)
        theirs = keras.metrics.MeanSquaredError(dtype=dtype)
        ours.update_state(y, p)
        theirs.update_state(y, p)
        assert ours.result().dtype == tf.as_dtype(dtype)
        np.testing.assert_allclose(np.float32(ours.result()), np.float32(theirs.result()),
                                   rtol=1e-3)
    with pytest.raises(ValueError, match="dtype='string'"):
        metrics.Mean(dtype="string")


def _counting_metric(base, add):
    class TruePositives(base):
        """Counts true positives, with state made by `add` (keras 2 and keras 3 styles)."""

        def __init__(self, name="tp", **kwargs):
            super().__init__(name=name, **kwargs)
            self.tp = add(self)
            self.seen = self.add_variable(shape=(), initializer="zeros", dtype="int32",
                                          name="seen")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_true = tf.cast(tf.reshape(y_true, [-1]), "bool")
            y_pred = tf.reshape(y_pred, [-1]) > 0.5
            values = tf.cast(y_true & y_pred, self.dtype)
            if sample_weight is not None:
                values = values * tf.cast(tf.reshape(sample_weight, [-1]), self.dtype)
            self.tp.assign_add(tf.reduce_sum(values))
            self.seen.assign_add(tf.shape(y_true)[0])

        def result(self):
            return tf.convert_to_tensor(self.tp)

    return TruePositives


ADDERS = [
    lambda m: m.add_weight(name="tp", initializer="zeros"),                 # keras 2 style
    lambda m: m.add_weight(shape=(), initializer="zeros", name="tp"),       # keras 3 style
    lambda m: m.add_variable((), "zeros", name="tp"),                       # positional
]


@pytest.mark.parametrize("add", ADDERS)
def test_stateful_custom_metric_matches_keras(add):
    rng = np.random.default_rng(0)
    ours = _counting_metric(metrics.Metric, add)()
    theirs = _counting_metric(keras.metrics.Metric, add)()
    for _ in range(3):
        y = rng.integers(0, 2, (16, 1)).astype("float32")
        p = rng.uniform(size=(16, 1)).astype("float32")
        w = rng.uniform(size=(16,)).astype("float32")
        ours.update_state(y, p, sample_weight=w)
        theirs.update_state(y, p, sample_weight=w)
        np.testing.assert_allclose(ours.result(), theirs.result(), rtol=1e-6)
    assert [v.dtype.name for v in ours.variables] == ["float32", "int32"]
    assert len(ours.variables) == len(theirs.variables) == 2
    assert int(ours.seen.numpy()) == 48
    ours.reset_state()
    assert float(ours.result()) == 0.0 and int(ours.seen.numpy()) == 0


def test_stateless_api_leaves_state_alone():
    m = metrics.Mean()
    m.update_state([1.0, 3.0])
    values = m.stateless_update_state(m.variables, [5.0, 7.0, 9.0])
    assert float(m.result()) == 2.0
    assert float(m.stateless_result(values)) == 5.0
    assert [float(v) for v in m.stateless_reset_state()] == [0.0, 0.0]
    with pytest.raises(ValueError, match="metric_variables"):
        m.stateless_result([1.0])


def test_bad_add_variable_arguments():
    m = metrics.Metric(name="m")
    with pytest.raises(ValueError, match="aggregation"):
        m.add_variable((), "zeros", aggregation="max")
    with pytest.raises(ValueError, match="Could not interpret"):
        m.add_variable((), "no_such_initializer")


def test_custom_metric_in_compile_and_fit():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    tp = _counting_metric(metrics.Metric, ADDERS[0])
    minikeras.utils.set_random_seed(0)
    model = minikeras.Sequential([minikeras.Input(shape=(3,)),
                                  minikeras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=[tp()])
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert "tp" in history.history and history.history["tp"][-1] >= 0
    p = model.predict(x, verbose=0)
    expected = float(np.sum((y[:, 0] > 0.5) & (p[:, 0] > 0.5)))
    assert model.evaluate(x, y, verbose=0, return_dict=True)["tp"] == expected
