"""Cropping1D, Cropping2D, UpSampling1D, ZeroPadding1D and UnitNormalization against keras:
outputs, gradients, shapes, configs, a fit, summary, saving (minikeras and .keras), interop
and bad input."""
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

CASES = [("Cropping1D", (), (2, 6, 3)), ("Cropping1D", (2,), (2, 6, 3)),
         ("Cropping1D", ((0, 3),), (2, 6, 3)), ("Cropping1D", ((2, 0),), (2, 6, 3)),
         ("Cropping2D", (), (2, 5, 6, 3)), ("Cropping2D", (1,), (2, 5, 6, 3)),
         ("Cropping2D", ((1, 2),), (2, 5, 6, 3)),
         ("Cropping2D", (((1, 0), (2, 3)),), (2, 5, 6, 3)),
         ("Cropping2D", (((0, 2), (1, 0)), "channels_first"), (2, 3, 5, 6)),
         ("UpSampling1D", (), (2, 4, 3)), ("UpSampling1D", (3,), (2, 4, 3)),
         ("ZeroPadding1D", (), (2, 4, 3)), ("ZeroPadding1D", ((2, 0),), (2, 4, 3)),
         ("ZeroPadding1D", ((0, 3), "channels_first"), (2, 4, 3)),
         ("UnitNormalization", (), (2, 4, 3)), ("UnitNormalization", (1,), (2, 4, 3)),
         ("UnitNormalization", ((1, 2),), (2, 4, 3)), ("UnitNormalization", ([-1, 0],), (2, 5))]


@pytest.mark.parametrize("name,args,shape", CASES, ids=str)
def test_forward_gradients_shapes_and_config_match_keras(name, args, shape):
    ours, ref = getattr(layers, name)(*args), getattr(keras.layers, name)(*args)
    assert ours.built == ref.built  # keras builds UnitNormalization at once only
    assert check_forward_and_gradients(ours, ref, data(*shape)) == 0.0  # bitwise
    for s in (shape, (None,) + shape[1:], (None,) * len(shape)):
        assert ours.compute_output_shape(s) == tuple(ref.compute_output_shape(s))
    skip = ("dtype", "name")
    assert ({k: v for k, v in ours.get_config().items() if k not in skip}
            == {k: v for k, v in ref.get_config().items() if k not in skip})
    check_config_round_trip(ours)
    assert ours.weight_shapes(shape) == []


def test_unit_normalization_of_zeros_and_integers_matches_keras():
    zeros = np.zeros((2, 3), np.float32)
    np.testing.assert_array_equal(layers.UnitNormalization()(zeros).numpy(),
                                  keras.layers.UnitNormalization()(zeros).numpy())
    ints = np.arange(6).reshape(2, 3)  # keras's TensorFlow backend refuses integers here
    np.testing.assert_array_equal(layers.UnitNormalization()(ints).numpy(),
                                  keras.layers.UnitNormalization()(ints.astype("float32")))
    out = layers.UnitNormalization(axis=(1, 2))(data(2, 3, 3)).numpy()
    np.testing.assert_allclose(np.sum(out ** 2, axis=(1, 2)), [1.0, 1.0], rtol=1e-6)
    assert layers.UnitNormalization().supports_masking


def test_upsampling_and_padding_keep_integer_dtypes_as_keras():
    x = np.arange(24).reshape(2, 4, 3)
    for name in ("UpSampling1D", "ZeroPadding1D", "Cropping1D"):
        ours, ref = getattr(layers, name)()(x), getattr(keras.layers, name)()(x)
        assert ours.dtype.name == keras.ops.convert_to_numpy(ref).dtype.name
        np.testing.assert_array_equal(ours.numpy(), keras.ops.convert_to_numpy(ref))


def _sequence_net(lib):
    L = lib.layers
    return [L.ZeroPadding1D((1, 2)), L.Conv1D(4, 3, activation="relu"), L.UpSampling1D(2),
            L.Cropping1D((3, 5)), L.UnitNormalization(), L.Reshape((4, 4, 1)),
            L.Cropping2D(((1, 0), (0, 1))), L.UnitNormalization(axis=(1, 2)), L.Flatten(),
            L.Dense(2)]


X = data(15, 5, 2, seed=3)
Y = np.stack([X[:, :, 0].mean(axis=1), X[:, :, 1].max(axis=1)], axis=1)


def test_fit_and_summary_match_keras():
    ours, ref = check_fit(_sequence_net, X, Y, epochs=2)
    text = check_summary(ours, ref)
    assert "(None, 3, 3, 1)" in text


def test_save_load_keras_files_and_interop(tmp_path):
    model = mk.Sequential([mk.Input(shape=(5, 2))] + _sequence_net(mk))
    check_save_load(model, X, tmp_path)
    model.save(tmp_path / "m.keras")
    as_keras = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(as_keras.predict(X, verbose=0), model.predict(X, verbose=0),
                               rtol=1e-6, atol=1e-6)
    ref = keras.Sequential([keras.Input((5, 2))] + _sequence_net(keras))
    ref.save(tmp_path / "k.keras")
    loaded = mk.models.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(loaded.predict(X, verbose=0), ref.predict(X, verbose=0),
                               rtol=1e-6, atol=1e-6)
    converted = mk.interop.to_keras(model)
    np.testing.assert_array_equal(converted.predict(X, verbose=0), model.predict(X, verbose=0))
    back = mk.interop.from_keras(ref)
    np.testing.assert_array_equal(back.predict(X, verbose=0), ref.predict(X, verbose=0))
    assert [l.get_config() for l in back.layers][3]["cropping"] == (3, 5)
    assert mk.interop.to_keras(back).layers[7].axis == [1, 2]


def test_functional_shapes_with_unknown_lengths_match_keras():
    for lib in (keras, mk):
        inputs = lib.Input(batch_shape=(1, None, 7))
        assert tuple(lib.layers.Cropping1D((1, 2))(inputs).shape) == (1, None, 7)
        assert tuple(lib.layers.ZeroPadding1D((1, 2))(inputs).shape) == (1, None, 7)
        assert tuple(lib.layers.UpSampling1D(3)(inputs).shape) == (1, None, 7)
        image = lib.Input(batch_shape=(1, 7, None, 5))
        assert tuple(lib.layers.Cropping2D(((1, 2), (3, 4)))(image).shape) == (1, 4, None, 5)
    model = mk.Sequential([mk.Input(shape=(None, 3)), layers.Cropping1D((1, 1))])
    assert model(data(2, 9, 3)).shape == (2, 7, 3)
    graph = tf.function(model, input_signature=[tf.TensorSpec((None, None, 3))])
    assert graph.get_concrete_function().output_shapes.as_list() == [None, None, 3]


# ---- bad arguments and bad input ----------------------------------------------------------

@pytest.mark.parametrize("make,error,match", [
    (lambda: layers.Cropping1D((1,)), ValueError, "cropping"),
    (lambda: layers.Cropping1D((1, 2, 3)), ValueError, "cropping"),
    (lambda: layers.Cropping1D("1"), ValueError, "cropping"),
    (lambda: layers.Cropping1D(-1), ValueError, "value >= 0"),
    (lambda: layers.Cropping2D((1,)), ValueError, "two elements"),
    (lambda: layers.Cropping2D("1"), ValueError, "two elements"),
    (lambda: layers.Cropping2D(((1, 2), (3, 4, 5))), ValueError, "2nd entry of cropping"),
    (lambda: layers.Cropping2D(((1, 2), (3, -4))), ValueError, "value >= 0"),
    (lambda: layers.Cropping2D(((1, 2), "3")), ValueError, "2nd entry"),
    (lambda: layers.Cropping2D(-2), ValueError, "cannot be negative"),
    (lambda: layers.Cropping2D(1.5), ValueError, "should be either an int"),
    (lambda: layers.Cropping2D(data_format="NHWC"), ValueError, "data_format"),
    (lambda: layers.UpSampling1D(0), ValueError, "positive integer"),
    (lambda: layers.UpSampling1D(-2), ValueError, "positive integer"),
    (lambda: layers.UpSampling1D(2.5), TypeError, "integer value for `size`"),
    (lambda: layers.UpSampling1D(True), TypeError, "integer value for `size`"),
    (lambda: layers.ZeroPadding1D((1, 2, 3)), ValueError, "padding"),
    (lambda: layers.ZeroPadding1D("1"), ValueError, "padding"),
    (lambda: layers.ZeroPadding1D(data_format="NCW"), ValueError, "data_format"),
    (lambda: layers.UnitNormalization({"axis": -1}), TypeError, "expected an int or a list"),
    (lambda: layers.UnitNormalization([0, 1.5]), TypeError, "list/tuple of ints"),
], ids=lambda v: "" if callable(v) or isinstance(v, type) else v)
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("layer,x,match", [
    (layers.Cropping1D((3, 3)), data(3, 5, 7),
     "`cropping` parameter of `Cropping1D` layer must be smaller than the input length"),
    (layers.Cropping1D(), data(3, 5), r'"cropping1d.*expected ndim=3, found ndim=2'),
    (layers.Cropping2D(((4, 5), (0, 0))), data(3, 8, 9, 5),
     "Values in `cropping` argument should be smaller than the corresponding spatial"),
    (layers.Cropping2D(((0, 0), (5, 5)), "channels_first"), data(3, 8, 9, 5),
     r"should be smaller.*input_shape=\(3, 8, 9, 5\)"),
    (layers.Cropping2D(), data(3, 8, 9), "expected ndim=4"),
    (layers.UpSampling1D(), data(2, 3, 4, 1), "expected ndim=3"),
    (layers.ZeroPadding1D(), data(2, 3), "expected ndim=3"),
    (layers.UnitNormalization(axis=2), data(2, 3), "Axis 2 is out of bounds"),
    (layers.UnitNormalization(axis=[1, -3]), data(2, 3), r"Axis \[1, -3\] is out of bounds"),
], ids=lambda v: type(v).__name__ if isinstance(v, layers.Layer) else "")
def test_bad_input_is_a_clear_error_before_any_state_change(layer, x, match):
    built = layer.built
    assert_untouched(layer, lambda: layer(x), match)
    assert layer.built == built and layer.input_spec_shape is None


def test_cropping_more_than_a_later_input_is_refused():
    model = mk.Sequential([mk.Input(shape=(None, 2)), layers.Cropping1D((2, 2))])
    with pytest.raises(ValueError, match="must be smaller than the input length"):
        model(data(1, 4, 2))
    assert model(data(1, 5, 2)).shape == (1, 1, 2)
    with pytest.raises(ValueError, match="must be smaller"):
        keras.layers.Cropping1D((2, 2))(data(1, 4, 2))
