"""`saving.register_keras_serializable`: registration only, consulted by load_model's lookup."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras
from minikeras.saving import (
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)


def test_names_as_keras():
    def fn(y_true, y_pred):
        return (y_true - y_pred) ** 2

    class Thing:
        def get_config(self):
            return {}

    for register, get_name in ((register_keras_serializable, get_registered_name),
                               (keras.saving.register_keras_serializable,
                                keras.saving.get_registered_name)):
        assert get_name(register(package="pkg", name="sq")(fn)) == "pkg>sq"
        assert get_name(register()(Thing)) == "Custom>Thing"
    assert get_registered_object("pkg>sq") is fn
    assert get_registered_object("nothing>here") is None


def test_class_without_get_config_refused():
    class NoConfig:
        pass

    with pytest.raises(ValueError, match="get_config"):
        register_keras_serializable()(NoConfig)
    with pytest.raises(ValueError, match="package"):
        register_keras_serializable(package="a>b")


def test_registered_loss_and_layer_load_without_custom_objects(tmp_path):
    @register_keras_serializable(package="mytests")
    def doubled_mse(y_true, y_pred):
        return 2.0 * tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)

    @register_keras_serializable(package="mytests")
    class Scale(minikeras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs):
            return inputs * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = minikeras.Sequential([minikeras.Input(shape=(3,)), minikeras.layers.Dense(2),
                                  Scale(3.0)])
    model.compile(optimizer="sgd", loss=doubled_mse)
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    y = np.ones((8, 2), "float32")
    model.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / "m.minikeras")
    model.save(path)
    loaded = minikeras.models.load_model(path)  # no custom_objects: found by registered name
    assert isinstance(loaded.layers[-1], Scale) and loaded.layers[-1].factor == 3.0
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


def test_unregistered_name_is_refused(tmp_path):
    def my_loss(y_true, y_pred):
        return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)

    model = minikeras.Sequential([minikeras.Input(shape=(3,)), minikeras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss=my_loss)
    path = str(tmp_path / "m.minikeras")
    model.save(path)
    with pytest.raises(ValueError, match="register_keras_serializable"):
        minikeras.models.load_model(path)
