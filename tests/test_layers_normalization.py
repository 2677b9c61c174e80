"""BatchNormalization, LayerNormalization, GroupNormalization against keras 3.15.1.

Forward outputs (training and inference), gradients, a whole `fit` (weights, History and the
moving statistics), config, save/load, summary shapes and parameter counts, and bad input.
"""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk
from minikeras import layers

TOL = dict(rtol=1e-5, atol=1e-5)


def _x(*shape, seed=0, scale=3.0, shift=1.0):
    return (np.random.default_rng(seed).normal(size=shape) * scale + shift).astype(np.float32)


def _pair(name, shape, **kwargs):
    """A keras layer with random gamma/beta (and moving statistics) and ours with its weights."""
    init = {"gamma_initializer": "random_normal", "beta_initializer": "random_normal"}
    if name == "BatchNormalization":
        init.update(moving_mean_initializer="random_normal",
                    moving_variance_initializer="random_uniform")
    init = {k: v for k, v in init.items()
            if kwargs.get("center", True) or not k.startswith("beta")}
    init = {k: v for k, v in init.items()
            if kwargs.get("scale", True) or not k.startswith("gamma")}
    ref = getattr(keras.layers, name)(**kwargs, **init)
    ref.build(shape)
    ours = getattr(layers, name)(**kwargs)
    ours.build(shape)
    ours.set_weights(ref.get_weights())
    return ref, ours


def _grads(layer, x, training=None):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        kwargs = {} if training is None else {"training": training}
        y = layer(x, **kwargs)
        loss = tf.reduce_sum(y * tf.sin(y))
    return [g.numpy() for g in tape.gradient(loss, [x] + list(layer.trainable_weights))]


CASES = [
    ("BatchNormalization", (6, 4), {}),
    ("BatchNormalization", (5, 3, 4), {"axis": 1, "momentum": 0.9, "epsilon": 1e-2}),
    ("BatchNormalization", (5, 3, 4), {"center": False}),
    ("BatchNormalization", (5, 4), {"scale": False}),
    ("LayerNormalization", (5, 3, 4), {}),
    ("LayerNormalization", (5, 3, 4), {"axis": [1, 2], "epsilon": 1e-5}),
    ("LayerNormalization", (5, 3, 4), {"axis": 1, "center": False}),
    ("GroupNormalization", (5, 3, 4), {"groups": 2}),
    ("GroupNormalization", (5, 3, 6), {"groups": -1, "scale": False}),
    ("GroupNormalization", (5, 3, 6), {"groups": 3, "axis": 1}),
]


@pytest.mark.parametrize("name,shape,kwargs", CASES)
@pytest.mark.parametrize("training", [True, False])
def test_forward_and_gradients_match_keras(name, shape, kwargs, training):
    x = _x(*shape)
    ref, ours = _pair(name, shape, **kwargs)
    np.testing.assert_allclose(ours(x, training=training).numpy(),
                               ref(x, training=training).numpy(), **TOL)
    for a, b in zip(ours.get_weights(), ref.get_weights()):  # moving statistics updated alike
        np.testing.assert_allclose(a, b, **TOL)
    for g_ours, g_ref in zip(_grads(ours, x, training), _grads(ref, x, training)):
        np.testing.assert_allclose(g_ours, g_ref, rtol=1e-4, atol=1e-5)
    assert ours.compute_output_shape(shape) == tuple(ref.compute_output_shape(shape))


def test_batch_norm_weights_and_moving_statistics():
    bn = layers.BatchNormalization()
    bn.build((None, 3))
    assert [w.name.split(":")[0] for w in bn.weights] == ["gamma", "beta", "moving_mean",
                                                           "moving_variance"]
    assert [w.trainable for w in bn.weights] == [True, True, False, False]
    assert all(w.aggregation == tf.VariableAggregation.MEAN for w in bn.weights[2:])
    x = _x(8, 3)
    bn(x)  # training None: inference, no update
    bn(x, training=False)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(3))
    bn(x, training=True)
    expected = 0.01 * x.mean(0)
    np.testing.assert_allclose(bn.moving_mean.numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 + 0.01 * x.var(0), rtol=1e-5)


def test_frozen_batch_norm_runs_in_inference_mode_like_keras():
    x = _x(6, 4)
    ref, ours = _pair("BatchNormalization", (6, 4))
    ref.trainable = ours.trainable = False
    np.testing.assert_allclose(ours(x, training=True).numpy(), ref(x, training=True).numpy(),
                               **TOL)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_array_equal(a, b)


# ---- fit -------------------------------------------------------------------------------------
N = 67
X = _x(N, 3, seed=1)
Y = (X @ np.array([[0.5], [-1.0], [2.0]], np.float32) + 0.3).astype(np.float32)


def _models(make_ref, make_ours):
    ref = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5, activation="tanh"),
                            make_ref(keras), keras.layers.Dense(1)])
    ours = mk.Sequential([mk.Input(shape=(3,)), mk.layers.Dense(5, activation="tanh"),
                          make_ours(mk), mk.layers.Dense(1)])
    ours.set_weights(ref.get_weights())
    return ref, ours


FIT_LAYERS = {
    "batch_norm": lambda k: k.layers.BatchNormalization(momentum=0.9),
    "batch_norm_axis_default": lambda k: k.layers.BatchNormalization(),
    "layer_norm": lambda k: k.layers.LayerNormalization(),
    "group_norm": lambda k: k.layers.GroupNormalization(groups=5),
}


@pytest.mark.parametrize("kind,steps_per_execution", [
    pytest.param(kind, spe, marks=[] if (kind, spe) == ("batch_norm", 4) else pytest.mark.slow)
    for kind in sorted(FIT_LAYERS) for spe in (1, 4)])
def test_fit_matches_keras(kind, steps_per_execution):
    ref, ours = _models(FIT_LAYERS[kind], FIT_LAYERS[kind])
    for model, lib in ((ref, keras), (ours, mk)):
        model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                      loss="mse", metrics=["mae"], steps_per_execution=steps_per_execution)
    kwargs = dict(batch_size=16, epochs=3, shuffle=False, verbose=0, validation_split=0.2)
    h_ref = ref.fit(X, Y, **kwargs).history
    h_ours = ours.fit(X, Y, **kwargs).history
    assert sorted(h_ours) == sorted(h_ref)
    for key in h_ref:
        np.testing.assert_allclose(h_ours[key], h_ref[key], **TOL, err_msg=key)
    for a, b in zip(ours.get_weights(), ref.get_weights()):  # moving statistics included
        np.testing.assert_allclose(a, b, **TOL)
    np.testing.assert_allclose(ours.predict(X, verbose=0), ref.predict(X, verbose=0), **TOL)
    np.testing.assert_allclose(ours.evaluate(X, Y, verbose=0), ref.evaluate(X, Y, verbose=0),
                               **TOL)


def test_summary_shapes_and_parameter_counts_match_keras():
    ref, ours = _models(FIT_LAYERS["batch_norm"], FIT_LAYERS["batch_norm"])
    assert ours.count_params() == ref.count_params() == 20 + 20 + 6
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in ref.weights]
    assert len(ours.trainable_weights) == len(ref.trainable_weights) == 6
    lines = []
    ours.summary(print_fn=lines.append)
    assert "(None, 5)" in "\n".join(lines) and "20" in "\n".join(lines)


# ---- config and saving -----------------------------------------------------------------------
@pytest.mark.parametrize("name,kwargs", [
    ("BatchNormalization", dict(axis=1, momentum=0.8, epsilon=1e-2, center=False,
                                gamma_regularizer="l2", gamma_constraint="non_neg",
                                moving_variance_initializer="random_uniform")),
    ("LayerNormalization", dict(axis=[1, 2], epsilon=1e-4, scale=False,
                                beta_initializer="ones")),
    ("GroupNormalization", dict(groups=4, axis=-1, beta_regularizer="l1")),
])
def test_config_round_trip(name, kwargs):
    layer = getattr(layers, name)(**kwargs)
    config = layer.get_config()
    clone = getattr(layers, name).from_config(config)
    assert clone.get_config() == config
    ref_config = getattr(keras.layers, name)(**kwargs).get_config()
    for key in kwargs:
        assert key in ref_config and key in config


def test_save_and_load_keep_moving_statistics(tmp_path):
    model = mk.Sequential([mk.Input(shape=(3,)), mk.layers.Dense(4),
                           mk.layers.BatchNormalization(), mk.layers.LayerNormalization(),
                           mk.layers.GroupNormalization(groups=2), mk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    assert np.any(model.layers[1].moving_mean.numpy() != 0)
    model.save(tmp_path / "m.minikeras")
    loaded = mk.models.load_model(tmp_path / "m.minikeras")
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert [w.trainable for w in loaded.layers[1].weights] == [True, True, False, False]


# ---- bad arguments and inputs ----------------------------------------------------------------
def test_bad_arguments_raise_in_constructor():
    with pytest.raises(TypeError, match="axis"):
        layers.BatchNormalization(axis="x")
    with pytest.raises(ValueError, match="momentum"):
        layers.BatchNormalization(momentum="high")
    with pytest.raises(ValueError, match="epsilon"):
        layers.LayerNormalization(epsilon=-1.0)
    with pytest.raises(TypeError, match="center"):
        layers.BatchNormalization(center="yes")
    with pytest.raises(ValueError, match="invalid keys for `renorm_clipping`"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmax": 2.0, "cmax": 1.0})
    with pytest.raises(TypeError, match="axis"):
        layers.LayerNormalization(axis=1.5)
    with pytest.raises(ValueError, match="groups"):
        layers.GroupNormalization(groups=0)


@pytest.mark.parametrize("layer,shape,match", [
    (lambda: layers.BatchNormalization(axis=3), (4, 3), r"Axis 3 is out of bounds for input shape \(4, 3\)"),
    (lambda: layers.BatchNormalization(), (4,), "batch axis"),
    (lambda: layers.BatchNormalization(axis=1), (4, None, 2), "should have a defined dimension"),
    (lambda: layers.LayerNormalization(axis=[1, 5]), (4, 3), "out of bounds"),
    (lambda: layers.GroupNormalization(groups=4), (2, 6), "multiple"),
    (lambda: layers.GroupNormalization(groups=8), (2, 6), "cannot be more"),
])
def test_wrong_shapes_raise_before_any_weight_exists(layer, shape, match):
    layer = layer()
    with pytest.raises(ValueError, match=match):
        layer.weight_shapes(shape)
    if None not in shape:
        with pytest.raises(ValueError, match=match):
            layer(np.ones(shape, np.float32))
    assert layer.weights == [] and not layer.built


def test_later_input_of_another_size_is_refused():
    bn = layers.BatchNormalization()
    bn(_x(4, 3))
    before = bn.get_weights()
    with pytest.raises(ValueError, match="incompatible"):
        bn(_x(4, 5), training=True)
    for a, b in zip(bn.get_weights(), before):
        np.testing.assert_array_equal(a, b)


# ---- tf.distribute ---------------------------------------------------------------------------
def _mirrored(tmp_path, lib, mode):
    import os
    import subprocess
    import sys
    here = os.path.dirname(__file__)
    out = tmp_path / f"bn_{lib}_{mode}.npz"
    proc = subprocess.run([sys.executable, os.path.join(here, "distributed", "batch_norm_job.py"),
                           str(out), lib, mode], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return np.load(out)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["local", "sync"])
def test_mirrored_batch_norm_matches_keras(tmp_path, mode):
    """Two replicas: each normalizes with its own slice's statistics (keras's TensorFlow
    backend without ``synchronized``) or with the all-reduced ones; weights, losses and
    predictions equal keras's. keras keeps one moving-statistics copy per replica (aggregation
    "none": the copies drift apart and `get_weights` reads replica 0's); minikeras averages the
    replicas' updates (aggregation "mean"), so its copies stay equal; with the default
    per-replica statistics the moving statistics (and so `predict`, where keras's replicas use
    their own copies) differ from keras's, and equal the mean of keras's replica copies."""
    ours, ref = _mirrored(tmp_path, "mk", mode), _mirrored(tmp_path, "keras", mode)
    copies = ours["replica_moving_mean"]
    np.testing.assert_array_equal(copies[0], copies[1])
    for key in ["loss"] + [f"w/{i}" for i in (0, 1, 2, 3, 6, 7)]:
        np.testing.assert_allclose(ours[key], ref[key], **TOL, err_msg=key)
    if mode == "sync":  # the same statistics on every replica: everything agrees
        for key in ("w/4", "w/5", "pred"):
            np.testing.assert_allclose(ours[key], ref[key], **TOL, err_msg=key)
    else:
        # keras's replica copies average to minikeras's single value (the update is linear)
        np.testing.assert_allclose(ours["w/4"], ref["replica_moving_mean"].mean(0), **TOL)
        np.testing.assert_allclose(ours["w/5"], ref["replica_moving_variance"].mean(0), **TOL)
    one = _mirrored(tmp_path, "mk", "one")
    if mode == "local":  # per-replica statistics: not the one-device result
        assert np.abs(one["w/0"] - ours["w/0"]).max() > 1e-4
