"""Focal crossentropies against keras: functions, classes, names, configs and a whole fit
(where keras takes the bce part from a final sigmoid's logits)."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk

rng = np.random.default_rng(0)
Y = rng.integers(0, 2, (8, 3)).astype("float32")
P = rng.uniform(0.01, 0.99, (8, 3)).astype("float32")
Z = rng.normal(size=(8, 3)).astype("float32")
ONE_HOT = np.eye(3, dtype="float32")[rng.integers(0, 3, 8)]

BINARY = [{}, {"apply_class_balancing": True},
          {"gamma": 0.5, "alpha": 0.6, "apply_class_balancing": True, "label_smoothing": 0.1}]
CATEGORICAL = [{}, {"gamma": 1.0, "alpha": 0.5, "label_smoothing": 0.2}]


@pytest.mark.parametrize("kwargs", BINARY)
@pytest.mark.parametrize("from_logits", [False, True])
def test_binary_focal_is_bitwise_kerass(kwargs, from_logits):
    y_pred = Z if from_logits else P
    np.testing.assert_array_equal(
        mk.losses.binary_focal_crossentropy(Y, y_pred, from_logits=from_logits, **kwargs),
        keras.losses.binary_focal_crossentropy(Y, y_pred, from_logits=from_logits, **kwargs))
    np.testing.assert_array_equal(
        mk.losses.BinaryFocalCrossentropy(from_logits=from_logits, **kwargs)(Y, y_pred),
        keras.losses.BinaryFocalCrossentropy(from_logits=from_logits, **kwargs)(Y, y_pred))


@pytest.mark.parametrize("kwargs", CATEGORICAL)
@pytest.mark.parametrize("from_logits", [False, True])
def test_categorical_focal_is_bitwise_kerass(kwargs, from_logits):
    y_pred = Z if from_logits else tf.nn.softmax(Z).numpy()
    np.testing.assert_array_equal(
        mk.losses.categorical_focal_crossentropy(ONE_HOT, y_pred, from_logits=from_logits,
                                                 **kwargs),
        keras.losses.categorical_focal_crossentropy(ONE_HOT, y_pred, from_logits=from_logits,
                                                    **kwargs))


@pytest.mark.parametrize("name", ["binary_focal_crossentropy", "BinaryFocalCrossentropy",
                                  "categorical_focal_crossentropy",
                                  "CategoricalFocalCrossentropy"])
def test_names_and_configs_as_keras(name):
    ours, theirs = mk.losses.get(name), keras.losses.get(name)
    assert isinstance(ours, mk.losses.Loss) == isinstance(theirs, keras.losses.Loss)
    if isinstance(ours, mk.losses.Loss):
        assert ours.get_config() == theirs.get_config()
        again = mk.losses.deserialize(mk.losses.serialize(ours))
        assert again.get_config() == ours.get_config()


@pytest.mark.parametrize("loss, units, activation", [
    ("binary_focal_crossentropy", 1, "sigmoid"),
    ("categorical_focal_crossentropy", 3, "softmax"),
])
def test_fit_matches_keras(loss, units, activation):
    x = rng.normal(size=(32, 4)).astype("float32")
    y = (x[:, :1] > 0).astype("float32") if units == 1 else ONE_HOT[rng.integers(0, 8, 32)]
    histories, weights = [], []
    for lib in (keras, mk):
        lib.utils.set_random_seed(1)
        model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(units, activation=activation,
                                                                  kernel_initializer="ones")])
        model.compile(optimizer=lib.optimizers.SGD(0.5), loss=loss)
        histories.append(model.fit(x, y, batch_size=8, epochs=3, shuffle=False,
                                   verbose=0).history["loss"])
        weights.append(model.get_weights())
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-5)
    for ours, theirs in zip(weights[1], weights[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_bad_axis_is_refused():
    with pytest.raises(ValueError, match="axis"):
        mk.losses.categorical_focal_crossentropy(ONE_HOT, P, axis=True)
