"""keras's less common normalization options, against keras: BatchNormalization's ``mask``
and batch renormalization, LayerNormalization's deprecated ``rms_scaling``, and the errors."""
import keras
import numpy as np
import pytest

from minikeras import layers

TOL = {"rtol": 1e-5, "atol": 1e-6}


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(2.0, 3.0, size=shape).astype(np.float32)


def _pair(**kwargs):
    ours, ref = layers.BatchNormalization(**kwargs), keras.layers.BatchNormalization(**kwargs)
    return ours, ref


@pytest.mark.parametrize("mask_shape", [(6, 4), (6, 1)])
def test_batch_norm_mask_as_keras(mask_shape):
    x = _x(6, 4, 3)
    mask = np.random.default_rng(2).random(mask_shape) > 0.4
    mask[0] = True
    ours, ref = _pair(momentum=0.5)
    for training in (True, False, True):
        np.testing.assert_allclose(ours(x, training=training, mask=mask),
                                   ref(x, training=training, mask=mask), **TOL)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, **TOL)


def test_batch_norm_fully_masked_gives_zeros_as_keras():
    ours, ref = _pair(scale=False, center=False)
    x, mask = np.zeros((4, 5), np.float32), np.zeros((4,), np.float32)
    np.testing.assert_allclose(ours(x, training=True, mask=mask),
                               ref(x, training=True, mask=mask))


def test_batch_norm_mask_of_wrong_rank_is_refused_as_keras():
    ours, ref = _pair()
    for layer in (ours, ref):
        with pytest.raises(ValueError, match="one dimension less than the inputs"):
            layer(_x(4, 3), training=True, mask=np.ones((4, 3)))


@pytest.mark.parametrize("clipping", [None, {"rmax": 1.5, "rmin": 0.7, "dmax": 0.2}])
def test_batch_renorm_steps_match_keras(clipping):
    kwargs = {"renorm": True, "renorm_clipping": clipping, "renorm_momentum": 0.8,
              "momentum": 0.9, "moving_variance_initializer": "ones"}
    ours, ref = _pair(**kwargs)
    ref.build((None, 3))
    ours.build((None, 3))
    assert [w.name.split(":")[0] for w in ours.weights] == [w.name for w in ref.weights]
    assert [w.trainable for w in ours.weights] == [w.trainable for w in ref.weights]
    for step in range(3):
        x = _x(8, 3, seed=step)
        np.testing.assert_allclose(ours(x, training=True), ref(x, training=True), **TOL)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, **TOL)
    x = _x(5, 3, seed=9)
    np.testing.assert_allclose(ours(x, training=False), ref(x, training=False), **TOL)
    config = ours.get_config()
    assert {k: config[k] for k in ("renorm", "renorm_clipping", "renorm_momentum")} == {
        k: ref.get_config()[k] for k in ("renorm", "renorm_clipping", "renorm_momentum")}
    assert layers.BatchNormalization.from_config(config).get_config() == config


def test_batch_renorm_gradients_match_keras():
    import tensorflow as tf
    ours, ref = _pair(renorm=True, renorm_clipping={"rmax": 2.0})
    x = tf.constant(_x(8, 3))
    grads = []
    for layer in (ours, ref):
        layer.build((None, 3))
        layer.gamma.assign([0.5, 1.0, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(tf.square(layer(x, training=True)) * [[1.0, 2.0, 3.0]])
        grads.append(tape.gradient(loss, [x, layer.trainable_weights[0]]))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("clipping, match", [({"cmax": 1.0}, "Received invalid keys"),
                                             ({"rmax": 0.0, "rmin": 1.0}, "rmax should be"),
                                             ({"rmax": 1.0, "dmax": -1.0}, "dmax should be")])
def test_renorm_clipping_errors_as_keras(clipping, match):
    for lib in (layers, keras.layers):
        with pytest.raises(ValueError, match=match):
            lib.BatchNormalization(renorm=True, renorm_clipping=clipping)


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_layer_norm_rms_scaling_as_keras(axis):
    x = _x(4, 3, 5)
    with pytest.warns(UserWarning, match="rms_scaling=True"):
        ours = layers.LayerNormalization(axis=axis, rms_scaling=True, gamma_initializer="ones")
    with pytest.warns(UserWarning):
        ref = keras.layers.LayerNormalization(axis=axis, rms_scaling=True)
    np.testing.assert_allclose(ours(x), ref(x), **TOL)
    assert len(ours.weights) == len(ref.weights) == 1  # gamma only
    assert ours.get_config()["rms_scaling"] is True


def test_group_norm_undefined_channels_wording_as_keras():
    layer = layers.GroupNormalization()
    with pytest.raises(ValueError, match="should have a defined dimension but the layer "
                                         "received an input with shape"):
        layer(layers.Input(shape=(2, 2, None)))


def test_renorm_and_adapted_discretization_models_save_and_load(tmp_path):
    import minikeras as mk
    disc = layers.Discretization(num_bins=4)
    disc.adapt(_x(50, seed=3))
    model = mk.Sequential([mk.Input((3,)), layers.BatchNormalization(renorm=True, momentum=0.5),
                           layers.Dense(2), disc])
    for step in range(2):  # the renorm statistics move
        model.layers[0](_x(8, 3, seed=step), training=True)
    model.save(tmp_path / "m.minikeras")
    loaded = mk.models.load_model(tmp_path / "m.minikeras")
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(model.get_weights()) == 9  # gamma, beta, 5 statistics, kernel, bias
    assert loaded.layers[-1].bin_boundaries == disc.bin_boundaries
    x = _x(5, 3, seed=7)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
