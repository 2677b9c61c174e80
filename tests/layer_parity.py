"""Shared checks for the layer parity tests (conv, pooling, reshaping, embedding): one layer
against keras's on the same inputs and weights, a whole fit, summary, config and saving."""
import io
from contextlib import redirect_stdout

import keras
import numpy as np
import tensorflow as tf

import minikeras as mk

TOL = dict(rtol=1e-5, atol=1e-5)


def data(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def check_forward_and_gradients(ours, ref, x, tol=None):
    """Builds both layers on ``x``, copies keras's weights into ours, and compares outputs and
    the gradients of a random weighting of the outputs (w.r.t. inputs and every weight).
    Returns the largest absolute difference seen."""
    tol = tol or TOL
    x_tf = tf.constant(x)
    out_ref = ref(x_tf)
    ours(x_tf)
    ours.set_weights(ref.get_weights())
    weights = data(*out_ref.shape, seed=7)
    grads = []
    for layer, variables in ((ours, ours.trainable_weights), (ref, ref.trainable_weights)):
        with tf.GradientTape() as tape:
            tape.watch(x_tf)
            out = layer(x_tf)
            loss = tf.reduce_sum(tf.convert_to_tensor(out) * weights)
        grads.append((out, tape.gradient(loss, [x_tf] + list(variables))))
    (out_o, g_o), (out_r, g_r) = grads
    worst = float(np.max(np.abs(np.asarray(out_o) - np.asarray(out_r)))) if np.size(out_r) else 0
    np.testing.assert_allclose(np.asarray(out_o), np.asarray(out_r), **tol)
    assert len(g_o) == len(g_r)
    for a, b in zip(g_o, g_r):
        if b is None:
            assert a is None
            continue
        a, b = tf.convert_to_tensor(a).numpy(), tf.convert_to_tensor(b).numpy()
        np.testing.assert_allclose(a, b, **tol)
        worst = max(worst, float(np.max(np.abs(a - b))) if a.size else 0.0)
    return worst


def check_fit(make_layers, x, y, loss="mse", epochs=2, batch_size=8, tol=None,
              make_keras_layers=None):
    """Trains a keras and a minikeras Sequential of ``make_layers(lib)`` from the same weights
    (SGD with momentum, shuffle=False, a partial last batch) and compares History, weights,
    evaluate and predict. Returns the two models."""
    tol = tol or TOL
    ref = keras.Sequential([keras.Input(x.shape[1:])] + (make_keras_layers or make_layers)(
        keras))
    ours = mk.Sequential([mk.Input(shape=x.shape[1:])] + make_layers(mk))
    ours.set_weights(ref.get_weights())
    for model, lib in ((ref, keras), (ours, mk)):
        model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss=loss,
                      metrics=["mae"])
    kwargs = dict(batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    h_ref = ref.fit(x, y, **kwargs).history
    h_ours = ours.fit(x, y, **kwargs).history
    assert sorted(h_ours) == sorted(h_ref)
    for key in h_ref:
        np.testing.assert_allclose(h_ours[key], h_ref[key], err_msg=key, **tol)
    for a, b in zip(ours.get_weights(), ref.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, **tol)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), ref.evaluate(x, y, verbose=0),
                               **tol)
    np.testing.assert_allclose(ours.predict(x, verbose=0), ref.predict(x, verbose=0), **tol)
    return ours, ref


def check_summary(ours_model, ref_model):
    """Output shapes and parameter counts per layer, and the total, equal keras's."""
    assert len(ours_model.layers) == len(ref_model.layers)
    shape = ours_model.input_spec_shape
    for o, r in zip(ours_model.layers, ref_model.layers):
        shape = o.compute_output_shape(shape)
        assert tuple(shape) == tuple(r.output.shape), (o.name, shape, r.output.shape)
        assert o.count_params() == r.count_params(), o.name
    text = io.StringIO()
    with redirect_stdout(text):
        ours_model.summary()
    assert f"Total params: {ref_model.count_params():,}" in text.getvalue()
    return text.getvalue()


def check_config_round_trip(layer):
    """``from_config(get_config())`` rebuilds a layer with the same config (but a new object)."""
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone is not layer and clone.get_config() == config
    return clone


def check_save_load(model, x, tmp_path, **load_kwargs):
    path = tmp_path / "model.minikeras"
    model.save(path)
    loaded = mk.models.load_model(path, **load_kwargs)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [type(l) for l in loaded.layers] == [type(l) for l in model.layers]
    assert [l.get_config() for l in loaded.layers] == [l.get_config() for l in model.layers]
    return loaded


def assert_untouched(layer, call, match):
    """``call()`` raises a ValueError matching ``match`` and leaves ``layer`` as it was."""
    import pytest
    before = (layer.built, [w.numpy().copy() for w in layer.weights])
    with pytest.raises(ValueError, match=match):
        call()
    after = (layer.built, [w.numpy() for w in layer.weights])
    assert before[0] == after[0] and len(before[1]) == len(after[1])
    for a, b in zip(before[1], after[1]):
        np.testing.assert_array_equal(a, b)
