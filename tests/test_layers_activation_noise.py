"""Activation layers (ReLU, LeakyReLU, PReLU, ELU) and noise/regularization layers
(GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D/2D, ActivityRegularization)
against keras 3.15.1. The random layers' draws differ from keras's (another generator): their
statistics, their inference-time identity and their seeding are tested instead."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk
from minikeras import layers

TOL = dict(rtol=1e-5, atol=1e-5)
X = (np.random.default_rng(0).normal(size=(8, 3, 4)) * 3).astype(np.float32)

ELEMENTWISE = [
    ("ReLU", {}), ("ReLU", {"max_value": 6.0}), ("ReLU", {"max_value": 1.5}),
    ("ReLU", {"max_value": 1.5, "negative_slope": 0.1, "threshold": 0.5}),
    ("ReLU", {"negative_slope": 0.2}), ("ReLU", {"threshold": 1.0}),
    ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.05}),
    ("ELU", {}), ("ELU", {"alpha": 0.5}),
    ("PReLU", {}), ("PReLU", {"shared_axes": 1}), ("PReLU", {"shared_axes": [1, 2]}),
    ("ActivityRegularization", {"l1": 0.01, "l2": 0.1}),
]


def _pair(name, kwargs, shape=X.shape):
    extra = {"alpha_initializer": "random_normal"} if name == "PReLU" else {}
    ref = getattr(keras.layers, name)(**kwargs, **extra)
    ref.build(shape)
    ours = getattr(layers, name)(**kwargs)
    ours.build(shape)
    ours.set_weights(ref.get_weights())
    return ref, ours


def _grads(layer, x):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(layer(x) * tf.cos(x))
    return [g.numpy() for g in tape.gradient(loss, [x] + list(layer.trainable_weights))]


@pytest.mark.parametrize("name,kwargs", ELEMENTWISE)
def test_outputs_gradients_and_config_match_keras(name, kwargs):
    ref, ours = _pair(name, kwargs)
    np.testing.assert_array_equal(ours(X).numpy(), ref(X).numpy())
    for a, b in zip(_grads(ours, X), _grads(ref, X)):
        np.testing.assert_allclose(a, b, **TOL)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in ref.weights]
    config = ours.get_config()
    assert type(ours).from_config(config).get_config() == config
    ref_config = ref.get_config()
    assert {k for k in ref_config if k != "dtype"} <= set(config)
    assert ours.compute_output_shape((None, 3, 4)) == (None, 3, 4)


def test_activity_regularization_loss_equals_keras():
    ref, ours = _pair("ActivityRegularization", {"l1": 0.01, "l2": 0.1})
    ref(X)
    ours(X)
    np.testing.assert_allclose(float(ours.losses[0]), float(ref.losses[0]), rtol=1e-6)
    assert "activity_regularizer" not in ours.get_config()


FIT_LAYERS = {
    "prelu": lambda k: k.layers.PReLU(alpha_initializer=k.initializers.Constant(0.2)),
    "relu_capped": lambda k: k.layers.ReLU(max_value=1.0, negative_slope=0.1),
    "leaky_relu": lambda k: k.layers.LeakyReLU(),
    "elu": lambda k: k.layers.ELU(alpha=0.7),
    "activity_regularization": lambda k: k.layers.ActivityRegularization(l1=0.01, l2=0.01),
    # the random layers are the identity at inference; with rate 0 fit is deterministic
    "gaussian_noise_0": lambda k: k.layers.GaussianNoise(0.0),
    "gaussian_dropout_0": lambda k: k.layers.GaussianDropout(0.0),
}


@pytest.mark.parametrize("kind", [
    pytest.param(k, marks=[] if k in ("prelu", "activity_regularization") else pytest.mark.slow)
    for k in sorted(FIT_LAYERS)])
def test_fit_matches_keras(kind):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(67, 3)).astype(np.float32)
    y = (x @ np.array([[0.5], [-1.0], [2.0]], np.float32) + 0.3).astype(np.float32)
    models = [lib.Sequential([lib.Input((3,)), lib.layers.Dense(5), FIT_LAYERS[kind](lib),
                              lib.layers.Dense(1)]) for lib in (keras, mk)]
    ref, ours = models
    ours.set_weights(ref.get_weights())
    histories = []
    for model, lib in ((ref, keras), (ours, mk)):
        model.compile(optimizer=lib.optimizers.SGD(0.05, momentum=0.9), loss="mse",
                      metrics=["mae"])
        histories.append(model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                                   validation_split=0.2).history)
    for key in histories[0]:
        np.testing.assert_allclose(histories[1][key], histories[0][key], **TOL, err_msg=key)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, **TOL)
    assert ours.count_params() == ref.count_params()


# ---- random layers -----------------------------------------------------------------------
RANDOM = [
    ("GaussianNoise", {"stddev": 0.5}, X.shape),
    ("GaussianDropout", {"rate": 0.3}, X.shape),
    ("AlphaDropout", {"rate": 0.2}, X.shape),
    ("AlphaDropout", {"rate": 0.2, "noise_shape": (None, 1, 4)}, X.shape),
    ("SpatialDropout1D", {"rate": 0.4}, (8, 3, 4)),
    ("SpatialDropout2D", {"rate": 0.4}, (8, 3, 3, 4)),
    ("SpatialDropout2D", {"rate": 0.4, "data_format": "channels_first"}, (8, 4, 3, 3)),
]


@pytest.mark.parametrize("name,kwargs,shape", RANDOM)
def test_random_layers_are_identity_at_inference_and_seeded(name, kwargs, shape):
    x = np.random.default_rng(2).normal(size=shape).astype(np.float32)
    layer = getattr(layers, name)(**kwargs, seed=3)
    for training in (None, False):
        np.testing.assert_array_equal(layer(x, training=training).numpy(), x)
    a = getattr(layers, name)(**kwargs, seed=3)(x, training=True).numpy()
    b = getattr(layers, name)(**kwargs, seed=3)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, x)
    assert not np.array_equal(layer(x, training=True).numpy(), layer(x, training=True).numpy())
    ref = getattr(keras.layers, name)(**kwargs, seed=3)
    assert ref.compute_output_shape(shape) == layer.compute_output_shape(shape)
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    assert {k for k in ref.get_config() if k != "dtype"} <= set(config)
    assert layer.weights == []


def _big(shape=(4000, 50), value=None):
    rng = np.random.default_rng(5)
    return np.full(shape, value, np.float32) if value is not None else \
        rng.normal(size=shape).astype(np.float32)


def test_gaussian_noise_statistics():
    out = layers.GaussianNoise(0.5, seed=1)(_big(value=2.0), training=True).numpy()
    assert abs(out.mean() - 2.0) < 0.01 and abs(out.std() - 0.5) < 0.01


def test_gaussian_dropout_statistics():
    rate = 0.3
    out = layers.GaussianDropout(rate, seed=1)(_big(value=2.0), training=True).numpy()
    assert abs(out.mean() - 2.0) < 0.02
    assert abs(out.std() - 2.0 * np.sqrt(rate / (1 - rate))) < 0.02


def test_alpha_dropout_keeps_zero_mean_unit_variance_and_drops_rate():
    x = _big()
    rate = 0.2
    out = layers.AlphaDropout(rate, seed=1)(x, training=True).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1.0) < 0.02
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(out, a * alpha_p - a * alpha_p * rate)
    assert abs(dropped.mean() - rate) < 0.01
    kept = ~dropped
    np.testing.assert_allclose(out[kept], a * x[kept] - a * alpha_p * rate, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,shape,kwargs,channel_axis", [
    ("SpatialDropout1D", (2000, 5, 6), {}, 2),
    ("SpatialDropout2D", (1000, 3, 3, 6), {}, 3),
    ("SpatialDropout2D", (1000, 6, 3, 3), {"data_format": "channels_first"}, 1),
])
def test_spatial_dropout_drops_whole_feature_maps(name, shape, kwargs, channel_axis):
    rate = 0.4
    out = getattr(layers, name)(rate, seed=1, **kwargs)(np.ones(shape, np.float32),
                                                         training=True).numpy()
    assert set(np.unique(out)) <= {0.0, np.float32(1 / (1 - rate))}
    spatial = tuple(a for a in range(1, len(shape)) if a != channel_axis)
    assert np.all(out.min(axis=spatial) == out.max(axis=spatial))  # whole maps
    assert abs((out == 0).mean() - rate) < 0.02


@pytest.mark.slow
def test_random_layers_train_with_fit_and_predict_deterministically():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 6, 4)).astype(np.float32)
    y = x.sum(axis=(1, 2))[:, None]
    mk.utils.set_random_seed(0)
    model = mk.Sequential([mk.Input(shape=(6, 4)), layers.GaussianNoise(0.1),
                           layers.SpatialDropout1D(0.2), layers.AlphaDropout(0.1),
                           layers.GaussianDropout(0.1), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


# ---- saving and bad input --------------------------------------------------------------------
def test_save_and_load_round_trip(tmp_path):
    model = mk.Sequential([mk.Input(shape=(6, 4)), layers.PReLU(shared_axes=[1]),
                           layers.ReLU(max_value=2.0), layers.LeakyReLU(0.1), layers.ELU(0.5),
                           layers.GaussianNoise(0.1, seed=1), layers.GaussianDropout(0.1),
                           layers.AlphaDropout(0.1, noise_shape=(None, 1, 4)),
                           layers.SpatialDropout1D(0.2, seed=2),
                           layers.ActivityRegularization(l1=0.01), layers.Flatten(),
                           layers.Dense(1)])
    model.layers[0].alpha.assign(np.full((1, 4), 0.25, np.float32))
    model.save(tmp_path / "m.minikeras")
    loaded = mk.models.load_model(tmp_path / "m.minikeras")
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = X[:, :, :4].repeat(2, axis=1)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[4].seed == 1 and loaded.layers[6].noise_shape == [None, 1, 4]


def test_bad_arguments_raise_keras_errors():
    cases = [
        (lambda: layers.ReLU(max_value=-1.0), ValueError, "max_value"),
        (lambda: layers.ReLU(negative_slope=-0.1), ValueError, "negative_slope"),
        (lambda: layers.ReLU(threshold=None), ValueError, "threshold"),
        (lambda: layers.LeakyReLU(negative_slope=-1), ValueError, "negative_slope"),
        (lambda: layers.ELU(alpha="one"), ValueError, "alpha"),
        (lambda: layers.PReLU(shared_axes=[0]), ValueError, "shared_axes"),
        (lambda: layers.GaussianNoise(1.5), ValueError, "stddev"),
        (lambda: layers.GaussianDropout(1.0), ValueError, "rate"),
        (lambda: layers.AlphaDropout(-0.1), ValueError, "rate"),
        (lambda: layers.SpatialDropout1D(2), ValueError, "rate"),
        (lambda: layers.SpatialDropout2D(0.5, data_format="nhwc"), ValueError, "data_format"),
        (lambda: layers.GaussianNoise(0.1, seed=1.5), TypeError, "seed"),
        (lambda: layers.ActivityRegularization(l1=-1.0), ValueError, "l1"),
    ]
    for make, error, match in cases:
        with pytest.raises(error, match=match):
            make()


@pytest.mark.parametrize("layer,shape,match", [
    (lambda: layers.SpatialDropout1D(0.5), (4, 3), "expected ndim=3, found ndim=2"),
    (lambda: layers.SpatialDropout2D(0.5), (4, 3, 3), "expected ndim=4, found ndim=3"),
    (lambda: layers.PReLU(), (4,), "rank >= 2"),
    (lambda: layers.PReLU(shared_axes=3), (4, 3), "out of range"),
])
def test_wrong_rank_is_a_clear_error_before_any_weight(layer, shape, match):
    layer = layer()
    with pytest.raises(ValueError, match=match):
        layer.weight_shapes(shape)
    with pytest.raises(ValueError, match=match):
        layer(np.ones(shape, np.float32), training=True)
    assert layer.weights == []
    assert layer.built == isinstance(layer, layers.SpatialDropout1D | layers.SpatialDropout2D)


# ---- interop ---------------------------------------------------------------------------------
def test_interop_converts_these_layers_both_ways():
    model = mk.Sequential([mk.Input(shape=(6, 4)), layers.Rescaling(0.5, offset=0.1),
                           layers.PReLU(shared_axes=[1], alpha_regularizer="l2"),
                           layers.ReLU(max_value=2.0, negative_slope=0.1),
                           layers.LeakyReLU(0.1), layers.ELU(0.5),
                           layers.LayerNormalization(epsilon=1e-4),
                           layers.GroupNormalization(groups=2, center=False),
                           layers.GaussianNoise(0.1, seed=1), layers.GaussianDropout(0.1, seed=2),
                           layers.AlphaDropout(0.1, noise_shape=(None, 1, 4), seed=3),
                           layers.ActivityRegularization(l1=0.01), layers.Flatten(),
                           layers.Dense(1)])
    model.layers[1].alpha.assign(np.full((1, 4), 0.25, np.float32))
    x = X[:, :, :4].repeat(2, axis=1)
    ref = mk.interop.to_keras(model)
    assert [type(l).__name__ for l in ref.layers] == [type(l).__name__ for l in model.layers]
    np.testing.assert_allclose(ref.predict(x, verbose=0), model.predict(x, verbose=0), **TOL)
    back = mk.interop.from_keras(ref)
    np.testing.assert_allclose(back.predict(x, verbose=0), model.predict(x, verbose=0), **TOL)
    def plain(config):  # keras keeps LayerNormalization's axis as a list: [-1] means -1
        return {k: (np.atleast_1d(v).tolist() if k == "axis" else v)
                for k, v in config.items() if k != "name"}

    for a, b in zip(back.get_config()["layers"], model.get_config()["layers"]):
        assert plain(a["config"]) == plain(b["config"])


def test_interop_refuses_options_minikeras_lacks():
    ref = keras.Sequential([keras.Input((4,)), keras.layers.PReLU(alpha_constraint="non_neg"),
                            keras.layers.LayerNormalization(beta_constraint="non_neg")])
    with pytest.raises(ValueError, match="alpha_constraint.*\n.*beta_constraint"):
        mk.interop.from_keras(ref)


def test_summary_shapes_and_parameter_counts_match_keras():
    def build(lib):
        ls = lib.layers
        return lib.Sequential([
            lib.Input((6, 4)), ls.Rescaling(0.5), ls.BatchNormalization(),
            ls.LayerNormalization(), ls.GroupNormalization(groups=2), ls.PReLU(shared_axes=[1]),
            ls.ReLU(), ls.LeakyReLU(), ls.ELU(), ls.GaussianNoise(0.1), ls.GaussianDropout(0.1),
            ls.AlphaDropout(0.1), ls.SpatialDropout1D(0.1), ls.ActivityRegularization(l1=0.1),
            ls.Flatten(), ls.Dense(3), ls.Discretization([0.0], output_mode="count")])

    ref, ours = build(keras), build(mk)
    assert [l.count_params() for l in ours.layers] == [l.count_params() for l in ref.layers]
    assert len(ours.trainable_weights) == len(ref.trainable_weights)
    shape = (None, 6, 4)
    for a, b in zip(ours.layers, ref.layers):
        shape_ours = a.compute_output_shape(shape)
        assert shape_ours == tuple(b.compute_output_shape(shape)), type(a).__name__
        shape = shape_ours
    lines = []
    ours.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "(PReLU)" in text and "(None, 2)" in text and "111" in text
