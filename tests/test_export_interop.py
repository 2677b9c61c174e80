"""SavedModel export (and the TFLite converter accepting it), and keras interop."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk
from minikeras import interop, layers

X = np.random.default_rng(0).normal(size=(20, 4)).astype(np.float32)


def model():
    m = mk.Sequential([mk.Input(shape=(4,)), layers.Dense(8, activation="relu"),
                       layers.Dropout(0.2),
                       mk.Sequential([layers.Dense(6, activation="tanh")]),
                       layers.Dense(3), layers.Softmax()])
    m.compile(optimizer="sgd", loss="categorical_crossentropy")
    return m


def test_export_serves_what_predict_gives(tmp_path):
    m = model()
    m.export(tmp_path / "served")
    served = tf.saved_model.load(str(tmp_path / "served"))
    np.testing.assert_allclose(served.serve(tf.constant(X)).numpy(), m.predict(X, verbose=0),
                               rtol=1e-6, atol=1e-7)
    signature = served.signatures["serving_default"]
    out = list(signature(inputs=tf.constant(X)).values())[0]
    np.testing.assert_allclose(out.numpy(), m.predict(X, verbose=0), rtol=1e-6, atol=1e-7)


@pytest.mark.slow
def test_tflite_converter_accepts_the_export(tmp_path):
    m = model()
    m.export(tmp_path / "served")
    flatbuffer = tf.lite.TFLiteConverter.from_saved_model(str(tmp_path / "served")).convert()
    assert isinstance(flatbuffer, bytes) and len(flatbuffer) > 1000


def test_to_keras_and_back_keep_predictions():
    m = model()
    k = interop.to_keras(m)
    assert isinstance(k, keras.Sequential)
    np.testing.assert_allclose(k.predict(X, verbose=0), m.predict(X, verbose=0), rtol=1e-6,
                               atol=1e-7)
    back = interop.from_keras(k)
    np.testing.assert_allclose(back.predict(X, verbose=0), m.predict(X, verbose=0), rtol=1e-6,
                               atol=1e-7)
    assert [type(l).__name__ for l in back.layers] == [type(l).__name__ for l in m.layers]


def test_from_keras_trains_like_keras():
    k = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="gelu"),
                          keras.layers.Dense(1, activation="sigmoid")])
    ours = interop.from_keras(k)
    y = (X[:, 0] > 0).astype(np.float32)
    for m, lib in ((k, keras), (ours, mk)):
        m.compile(optimizer=lib.optimizers.SGD(0.1), loss="binary_crossentropy")
    h_k = k.fit(X, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history
    h_o = ours.fit(X, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history
    np.testing.assert_allclose(h_o["loss"], h_k["loss"], rtol=1e-5)


def test_layers_without_counterpart_are_named():
    k = keras.Sequential([keras.Input((4, 1)), keras.layers.Conv1D(2, 2, name="conv"),
                          keras.layers.Flatten()])
    with pytest.raises(ValueError, match="'conv' \\(Conv1D\\) has no minikeras counterpart"):
        interop.from_keras(k)

    def custom(x):
        return x * 2

    m = mk.Sequential([mk.Input(shape=(4,)), layers.Dense(2, activation=custom, name="odd")])
    with pytest.raises(ValueError, match="'odd' uses a custom activation"):
        interop.to_keras(m)
