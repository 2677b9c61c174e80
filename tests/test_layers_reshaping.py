"""Reshape, Permute, RepeatVector, ZeroPadding2D, UpSampling2D, Lambda and Identity against
keras: outputs, gradients, whole fits, summary, config, saving and bad input."""
import keras
import numpy as np
import pytest
import tensorflow as tf
from layer_parity import (
    assert_untouched,
    check_config_round_trip,
    check_fit,
    check_forward_and_gradients,
    check_save_load,
    check_summary,
    data,
)

import minikeras as mk
from minikeras import layers

CASES = [("Reshape", ((4, 6),), (2, 24)), ("Reshape", ((-1, 3),), (2, 4, 6)),
         ("Reshape", ((2, -1, 2),), (2, 3, 4)), ("Permute", ((2, 1),), (2, 3, 4)),
         ("Permute", ((3, 1, 2),), (2, 3, 4, 5)), ("RepeatVector", (3,), (2, 5)),
         ("ZeroPadding2D", (), (2, 3, 4, 2)), ("ZeroPadding2D", (2,), (2, 3, 4, 2)),
         ("ZeroPadding2D", ((1, 2),), (2, 3, 4, 2)),
         ("ZeroPadding2D", (((1, 0), (0, 3)), "channels_first"), (2, 2, 3, 4)),
         ("UpSampling2D", (), (2, 3, 4, 2)), ("UpSampling2D", ((2, 3),), (2, 3, 4, 2)),
         ("UpSampling2D", (2, "channels_first"), (2, 2, 3, 4)),
         ("UpSampling2D", ((3, 2), None, "bilinear"), (2, 3, 4, 2)),
         ("UpSampling2D", (2, "channels_first", "bilinear"), (2, 2, 3, 4)),
         ("UpSampling2D", (2, None, "bicubic"), (2, 3, 4, 2)),
         ("Identity", (), (2, 3, 4))]


@pytest.mark.parametrize("name,args,shape", CASES, ids=str)
def test_forward_gradients_shapes_and_config_match_keras(name, args, shape):
    ours, ref = getattr(layers, name)(*args), getattr(keras.layers, name)(*args)
    x = data(*shape)
    check_forward_and_gradients(ours, ref, x)
    for s in (shape, (None,) + shape[1:]):
        assert ours.compute_output_shape(s) == ref.compute_output_shape(s)
    skip = ("dtype", "name")
    assert ({k: v for k, v in ours.get_config().items() if k not in skip}
            == {k: v for k, v in ref.get_config().items() if k not in skip})
    check_config_round_trip(ours)


def test_integer_inputs_keep_their_dtype():
    x = np.arange(12).reshape(2, 6)
    assert layers.Reshape((3, 2))(x).dtype == tf.int64
    assert layers.RepeatVector(2)(x).dtype == tf.int64
    assert layers.Identity()(x).dtype == tf.int64


def scaled_tanh(x, scale=1.0):
    return tf.tanh(x) * scale


def noisy(x, training=None):
    return x + 1.0 if training else x


def _net(lib, function=scaled_tanh):
    return [lib.layers.Reshape((4, 3)), lib.layers.Permute((2, 1)),
            lib.layers.Lambda(function, arguments={"scale": 2.0}), lib.layers.Flatten(),
            lib.layers.Dense(5, activation="relu"), lib.layers.RepeatVector(2),
            lib.layers.Identity(), lib.layers.Reshape((-1, 1, 2)),
            lib.layers.ZeroPadding2D(((0, 1), (1, 0))), lib.layers.UpSampling2D((1, 2)),
            lib.layers.Flatten(), lib.layers.Dense(1)]


X = data(19, 12, seed=1)
Y = np.sin(X[:, :3].sum(axis=1, keepdims=True))


@pytest.mark.slow
def test_fit_matches_keras_and_summary():
    ours, ref = check_fit(_net, X, Y, epochs=3)
    check_summary(ours, ref)


@pytest.mark.slow
def test_bilinear_upsampling_fit_matches_keras():
    x = data(13, 3, 3, 2, seed=2)
    y = x.mean(axis=(1, 2))
    check_fit(lambda lib: [lib.layers.UpSampling2D(2, interpolation="bilinear"),
                           lib.layers.Conv2D(2, 3), lib.layers.GlobalAveragePooling2D()], x, y)


def test_lambda_passes_training_and_infers_output_shape():
    layer = layers.Lambda(noisy)
    x = np.zeros((2, 3), np.float32)
    np.testing.assert_array_equal(layer(x, training=True).numpy(), x + 1)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    assert layers.Lambda(lambda t: tf.reduce_sum(t, axis=-1, keepdims=True)
                         ).compute_output_shape((None, 5)) == (None, 1)
    assert layers.Lambda(scaled_tanh, output_shape=(7,)).compute_output_shape((3, 5)) == (3, 7)
    model = mk.Sequential([mk.Input(shape=(4,)), layers.Lambda(lambda t: t[:, :2]),
                           layers.Dense(1)])
    assert model.layers[1].count_params() == 3


def test_lambda_saves_by_name_and_loads_only_from_custom_objects(tmp_path):
    model = mk.Sequential([mk.Input(shape=(12,))] + _net(mk))
    config = model.layers[2].get_config()
    assert config["function"] == {"__custom__": "scaled_tanh"}
    assert config["arguments"] == {"scale": 2.0}
    with pytest.raises(ValueError, match="scaled_tanh.*custom_objects"):
        layers.Lambda.from_config(config)
    assert layers.Lambda.from_config(config, {"scaled_tanh": scaled_tanh}).function is scaled_tanh
    path = tmp_path / "m.minikeras"
    model.save(path)
    with pytest.raises(ValueError, match="scaled_tanh"):
        mk.models.load_model(path)
    check_save_load(model, X, tmp_path, custom_objects={"scaled_tanh": scaled_tanh})


def test_saving_a_python_lambda_is_a_clear_error_and_writes_nothing(tmp_path):
    model = mk.Sequential([mk.Input(shape=(12,))] + _net(mk, lambda x, scale: x * scale))
    path = tmp_path / "m.minikeras"
    with pytest.raises(ValueError, match="no name.*never carry code.*custom_objects"):
        model.save(path)
    assert not path.exists()
    with pytest.raises(ValueError, match="never carry code"):
        layers.Lambda(lambda x: x, output_shape=lambda s: s).get_config()


def test_model_of_shape_layers_round_trips(tmp_path):
    model = mk.Sequential([mk.Input(shape=(3, 4, 2)), layers.ZeroPadding2D(1),
                           layers.UpSampling2D(2, interpolation="bilinear"),
                           layers.Permute((3, 1, 2)), layers.Reshape((2, -1)),
                           layers.Identity(), layers.Flatten(), layers.RepeatVector(2),
                           layers.Flatten(), layers.Dense(1)])
    check_save_load(model, data(3, 3, 4, 2), tmp_path)


@pytest.mark.parametrize("make,error,match", [
    (lambda: layers.Reshape((2, -1, -1)), ValueError, "at most one unknown"),
    (lambda: layers.Reshape((2, -3)), ValueError, "non-negative"),
    (lambda: layers.Reshape("ab"), TypeError, "target_shape"),
    (lambda: layers.Permute((1, 3)), ValueError, "consecutive"),
    (lambda: layers.Permute((0, 1)), ValueError, "start from 1"),
    (lambda: layers.RepeatVector(2.0), TypeError, "integer value for `n`"),
    (lambda: layers.RepeatVector(0), ValueError, "positive integer"),
    (lambda: layers.ZeroPadding2D((1, 2, 3)), ValueError, "two elements"),
    (lambda: layers.ZeroPadding2D(-1), ValueError, "padding"),
    (lambda: layers.ZeroPadding2D(data_format="channels_middle"), ValueError, "data_format"),
    (lambda: layers.UpSampling2D(0), ValueError, "size"),
    (lambda: layers.UpSampling2D(interpolation="cubic"), ValueError, "interpolation"),
    (lambda: layers.UpSampling2D(data_format="NCHW"), ValueError, "data_format"),
    (lambda: layers.Lambda(3), TypeError, "callable"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("layer,x,match", [
    (layers.Reshape((5,)), data(2, 6), "total size"),
    (layers.Reshape((4, -1)), data(2, 6), "cannot by divided"),
    (layers.Permute((2, 1)), data(2, 3), r'"permute.*expected ndim=3, found ndim=2'),
    (layers.RepeatVector(2), data(2, 3, 1), "expected ndim=2"),
    (layers.ZeroPadding2D(), data(2, 3, 3), "expected ndim=4"),
    (layers.UpSampling2D(), data(2, 3, 3, 1, 1), r"expected ndim=4.*\(2, 3, 3, 1, 1\)"),
], ids=lambda v: type(v).__name__ if isinstance(v, layers.Layer) else "")
def test_bad_input_is_a_clear_error_before_any_state_change(layer, x, match):
    assert_untouched(layer, lambda: layer(x), match)
    assert layer.built == isinstance(layer, layers.Reshape)  # keras builds Reshape at once


def test_generator_batches_of_varying_lengths_match_keras():
    """keras learns a generator's shapes from its first two batches and leaves a dimension
    they disagree on unknown; Flatten and Reshape(-1, ...) then take every length."""
    def batches():
        yield (np.arange(105, dtype=np.float32).reshape(3, 5, 7),)
        yield (np.arange(70, dtype=np.float32).reshape(2, 7, 5),)

    def pairs():
        yield np.ones((1, 12, 2), np.float32), np.full((1, 3, 8), 0.5, np.float32)
        yield np.ones((1, 20, 2), np.float32), np.full((1, 5, 8), 0.5, np.float32)

    got = [lib.Sequential([lib.layers.Flatten()]).predict(batches(), verbose=0)
           for lib in (keras, mk)]
    np.testing.assert_array_equal(got[1], got[0])
    assert got[1].shape == (5, 35)
    for lib in (keras, mk):
        model = lib.Sequential([lib.layers.Reshape((-1, 8))])
        model.compile(loss="mse")
        logs = model.fit(pairs(), steps_per_epoch=2, epochs=1, verbose=0).history
        assert logs["loss"] == [pytest.approx(0.25)]
        assert model(np.ones((1, 24, 2), np.float32)).shape == (1, 6, 8)


def test_flatten_of_one_scalar_per_sample_is_a_column():
    x = np.arange(5, dtype=np.float32)
    np.testing.assert_array_equal(mk.layers.Flatten()(x), keras.layers.Flatten()(x))
    assert mk.layers.Flatten().compute_output_shape((None,)) == (None, 1)
