"""Conv1D, Conv2D and the pooling layers against keras: outputs, gradients, whole fits,
summary, config, saving and bad input."""
import keras
import numpy as np
import pytest
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
import minikeras.constraints  # noqa: F401  (mk.constraints)
from minikeras import layers

CONV2D_CASES = [dict(), dict(padding="same", strides=2), dict(strides=(2, 1)),
                dict(dilation_rate=2, padding="same"), dict(dilation_rate=(1, 2)),
                dict(groups=2), dict(groups=2, padding="same", strides=2),
                dict(activation="relu", use_bias=False), dict(kernel_size=(1, 3))]
CONV1D_CASES = [dict(), dict(padding="same", strides=3), dict(padding="causal"),
                dict(padding="causal", dilation_rate=2), dict(groups=4, activation="tanh"),
                dict(use_bias=False, dilation_rate=3)]


def _pair(name, *args, **kwargs):
    kwargs.setdefault("bias_initializer", "random_normal")  # so bias errors would show
    return getattr(layers, name)(*args, **kwargs), getattr(keras.layers, name)(*args, **kwargs)


@pytest.mark.parametrize("kwargs", CONV2D_CASES, ids=str)
def test_conv2d_forward_and_gradients_match_keras(kwargs):
    kwargs = dict(kwargs)
    size = kwargs.pop("kernel_size", 3)
    ours, ref = _pair("Conv2D", 4, size, **kwargs)
    check_forward_and_gradients(ours, ref, data(3, 9, 8, 4))
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in ref.weights]
    assert ours.compute_output_shape((None, 9, 8, 4)) == ref.compute_output_shape((None, 9, 8, 4))


@pytest.mark.parametrize("kwargs", CONV1D_CASES, ids=str)
def test_conv1d_forward_and_gradients_match_keras(kwargs):
    ours, ref = _pair("Conv1D", 4, 3, **kwargs)
    check_forward_and_gradients(ours, ref, data(3, 11, 4))
    assert ours.compute_output_shape((None, 11, 4)) == ref.compute_output_shape((None, 11, 4))


@pytest.mark.parametrize("rank", [1, 2])
def test_channels_first_equals_keras_on_transposed_inputs(rank):
    # keras's channels_first convolution fails on CPU (TensorFlow's Conv2D is NHWC-only there),
    # so the reference is keras's channels_last layer on the transposed input.
    name = f"Conv{rank}D"
    x_last = data(2, *([7] * rank), 3)
    x_first = np.moveaxis(x_last, -1, 1)
    ref = getattr(keras.layers, name)(4, 3, padding="same", bias_initializer="random_normal")
    expected = np.moveaxis(ref(x_last).numpy(), -1, 1)
    ours = getattr(layers, name)(4, 3, padding="same", data_format="channels_first")
    ours.build(x_first.shape)
    ours.set_weights(ref.get_weights())
    np.testing.assert_allclose(ours(x_first).numpy(), expected, rtol=1e-6, atol=1e-6)
    assert ours.compute_output_shape((None, 3) + (7,) * rank) == (None, 4) + (7,) * rank


POOL_CASES = [("MaxPooling2D", (), dict()), ("MaxPooling2D", (3,), dict(strides=2)),
              ("MaxPooling2D", ((2, 3),), dict(padding="same")),
              ("AveragePooling2D", (2,), dict()), ("AveragePooling2D", (3,), dict(padding="same")),
              ("AveragePooling2D", (2,), dict(strides=1, data_format="channels_first")),
              ("MaxPooling1D", (), dict()), ("MaxPooling1D", (3,), dict(padding="same")),
              ("MaxPooling1D", (2,), dict(data_format="channels_first")),
              ("AveragePooling1D", (2,), dict(strides=1)),
              ("AveragePooling1D", (4,), dict(padding="same", strides=3))]


@pytest.mark.parametrize("name,args,kwargs", POOL_CASES, ids=str)
def test_pooling_matches_keras(name, args, kwargs):
    ours, ref = getattr(layers, name)(*args, **kwargs), getattr(keras.layers, name)(*args,
                                                                                     **kwargs)
    x = data(2, 7, 6, 3) if name.endswith("2D") else data(2, 9, 3)
    check_forward_and_gradients(ours, ref, x)
    assert ours.compute_output_shape(x.shape) == ref.compute_output_shape(x.shape)
    skip = ("dtype", "name")
    assert ({k: v for k, v in ours.get_config().items() if k not in skip}
            == {k: v for k, v in ref.get_config().items() if k not in skip})


@pytest.mark.parametrize("name", ["GlobalAveragePooling1D", "GlobalAveragePooling2D",
                                  "GlobalMaxPooling1D", "GlobalMaxPooling2D"])
@pytest.mark.parametrize("kwargs", [dict(), dict(keepdims=True),
                                    dict(data_format="channels_first")], ids=str)
def test_global_pooling_matches_keras(name, kwargs):
    ours, ref = getattr(layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    x = data(2, 5, 4, 3) if name.endswith("2D") else data(2, 5, 3)
    check_forward_and_gradients(ours, ref, x)
    assert ours.compute_output_shape(x.shape) == ref.compute_output_shape(x.shape)


def _convnet(lib, constraint=False, regularize=False):
    extra = dict(kernel_regularizer=lib.regularizers.L2(0.01)) if regularize else {}
    if constraint:
        extra["kernel_constraint"] = lib.constraints.MaxNorm(0.5)
    return [lib.layers.Conv2D(4, 3, activation="relu", **extra),
            lib.layers.MaxPooling2D(),
            lib.layers.Conv2D(4, 2, padding="same", groups=2, activation="tanh"),
            lib.layers.AveragePooling2D(2, strides=1, padding="same"),
            lib.layers.Flatten(), lib.layers.Dense(1)]


X2 = data(21, 8, 8, 2, seed=1)
Y2 = X2[:, 2:6, 2:6, 0].mean(axis=(1, 2))[:, None] * 3


@pytest.mark.slow
@pytest.mark.parametrize("options", [dict(), dict(regularize=True, constraint=True)], ids=str)
def test_conv2d_network_fit_matches_keras(options):
    ours, ref = check_fit(lambda lib: _convnet(lib, **options), X2, Y2, epochs=3)
    check_summary(ours, ref)


@pytest.mark.slow
def test_conv1d_network_fit_matches_keras():
    x = data(19, 12, 3, seed=2)
    y = (x[:, :, 0].sum(axis=1) > 0).astype(np.float32)[:, None]
    check_fit(lambda lib: [lib.layers.Conv1D(6, 3, padding="causal", activation="relu",
                                             dilation_rate=2),
                           lib.layers.MaxPooling1D(2),
                           lib.layers.Conv1D(4, 2, strides=2, bias_regularizer="l2"),
                           lib.layers.AveragePooling1D(2, padding="same"),
                           lib.layers.GlobalMaxPooling1D(),
                           lib.layers.Dense(1, activation="sigmoid")],
              x, y, loss="binary_crossentropy", epochs=3)


@pytest.mark.slow
def test_global_average_network_fit_and_channels_first_pooling_match_keras():
    x = data(17, 3, 6, 6, seed=3)  # channels_first: pooling layers (keras transposes too)
    y = x.max(axis=(2, 3))[:, :2]
    check_fit(lambda lib: [lib.layers.MaxPooling2D(data_format="channels_first"),
                           lib.layers.GlobalAveragePooling2D(data_format="channels_first",
                                                             keepdims=True),
                           lib.layers.Flatten(), lib.layers.Dense(2)], x, y)


def test_summary_matches_keras_on_mnist_convnet():
    def net(lib):
        return [lib.layers.Conv2D(32, 3, activation="relu"), lib.layers.MaxPooling2D(),
                lib.layers.Conv2D(64, (3, 3), activation="relu"), lib.layers.MaxPooling2D(),
                lib.layers.Flatten(), lib.layers.Dropout(0.5),
                lib.layers.Dense(10, activation="softmax")]
    ref = keras.Sequential([keras.Input((28, 28, 1))] + net(keras))
    ours = mk.Sequential([mk.Input(shape=(28, 28, 1))] + net(mk))
    text = check_summary(ours, ref)
    assert "(None, 5, 5, 64)" in text and "Total params: 34,826" in text
    assert ours.weight_shapes((None, 28, 28, 1)) is not None


@pytest.mark.parametrize("layer", [
    layers.Conv1D(3, 2, strides=2, padding="causal", dilation_rate=1, groups=1,
                  activation="relu", use_bias=False, kernel_initializer="he_normal",
                  kernel_regularizer=mk.regularizers.L1(0.1), activity_regularizer="l2",
                  bias_constraint=mk.constraints.NonNeg(), name="c1"),
    layers.Conv2D(4, (2, 3), data_format="channels_first", groups=2,
                  kernel_constraint=mk.constraints.MaxNorm(2.0), bias_regularizer="l1"),
    layers.MaxPooling1D(3, 1, "same"), layers.MaxPooling2D((2, 3)),
    layers.AveragePooling1D(2), layers.AveragePooling2D(2, data_format="channels_first"),
    layers.GlobalAveragePooling1D(keepdims=True), layers.GlobalMaxPooling2D("channels_first"),
    layers.GlobalAveragePooling2D(), layers.GlobalMaxPooling1D()], ids=lambda l: type(l).__name__)
def test_config_round_trip_and_keras_argument_names(layer):
    clone = check_config_round_trip(layer)
    assert type(clone) is type(layer)
    ref = getattr(keras.layers, type(layer).__name__).from_config(
        {k: v for k, v in layer.get_config().items()
         if "regularizer" not in k and "constraint" not in k and "initializer" not in k})
    assert set(layer.get_config()) <= set(ref.get_config())


@pytest.mark.slow
def test_save_load_round_trip(tmp_path):
    model = mk.Sequential([mk.Input(shape=(8, 8, 2))] + _convnet(mk, True, True))
    model.compile(optimizer="adam", loss="mse")
    model.fit(X2, Y2, epochs=1, verbose=0)
    loaded = check_save_load(model, X2, tmp_path)
    h1 = model.fit(X2, Y2, epochs=1, shuffle=False, verbose=0).history
    h2 = loaded.fit(X2, Y2, epochs=1, shuffle=False, verbose=0).history
    assert h1 == h2
    model1d = mk.Sequential([mk.Input(shape=(9, 3)), layers.Conv1D(2, 3, padding="causal"),
                             layers.GlobalAveragePooling1D(), layers.Dense(1)])
    check_save_load(model1d, data(4, 9, 3), tmp_path)


# ---- bad arguments and bad input ----------------------------------------------------------

@pytest.mark.parametrize("make,match", [
    (lambda: layers.Conv2D(0, 3), "filters"),
    (lambda: layers.Conv2D(4, 0), "kernel_size"),
    (lambda: layers.Conv2D(4, (3, 3, 3)), "kernel_size"),
    (lambda: layers.Conv2D(4, 3, strides=0), "strides"),
    (lambda: layers.Conv2D(4, 3, strides=2, dilation_rate=2), "dilation_rate"),
    (lambda: layers.Conv2D(4, 3, padding="causal"), "padding"),
    (lambda: layers.Conv2D(4, 3, padding="full"), "padding"),
    (lambda: layers.Conv2D(3, 3, groups=2), "groups"),
    (lambda: layers.Conv2D(4, 3, groups=0), "groups"),
    (lambda: layers.Conv1D(4, 3, data_format="channels_middle"), "data_format"),
    (lambda: layers.MaxPooling2D(data_format="NHWC"), "data_format"),
    (lambda: layers.MaxPooling2D(0), "pool_size"),
    (lambda: layers.AveragePooling1D(2, padding="causal"), "padding"),
    (lambda: layers.GlobalMaxPooling2D(data_format="nchw"), "data_format"),
])
def test_bad_arguments_are_value_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()
    with pytest.raises(TypeError, match="keepdims"):
        layers.GlobalAveragePooling2D(keepdims="yes")
    with pytest.raises(TypeError, match="use_bias"):
        layers.Conv2D(2, 2, use_bias=None)


@pytest.mark.parametrize("layer,x,match", [
    (layers.Conv2D(2, 3), data(2, 5, 5), r'"conv2d.*expected ndim=4, found ndim=3.*\(2, 5, 5\)'),
    (layers.Conv1D(2, 3), data(2, 5, 5, 1), "expected ndim=3, found ndim=4"),
    (layers.Conv2D(2, 5), data(2, 4, 6, 1), r"kernel \(5, 5\).*does not fit.*\(2, 4, 6, 1\)"),
    (layers.Conv1D(2, 3, dilation_rate=3), data(2, 6, 1), "does not fit"),
    (layers.Conv2D(2, 3, groups=2), data(2, 5, 5, 3), "divisible"),
    (layers.MaxPooling2D(3), data(2, 2, 5, 1), r"pool_size \(3, 3\).*does not fit"),
    (layers.AveragePooling1D(4), data(2, 3, 1), "does not fit"),
    (layers.MaxPooling1D(), data(2, 3), "expected ndim=3, found ndim=2"),
    (layers.GlobalAveragePooling2D(), data(2, 3, 4), "expected ndim=4"),
    (layers.GlobalMaxPooling1D(), data(2, 3, 4, 1), "expected ndim=3"),
], ids=lambda v: type(v).__name__ if isinstance(v, layers.Layer) else "")
def test_bad_input_is_a_clear_error_before_any_state_change(layer, x, match):
    assert_untouched(layer, lambda: layer(x), match)
    assert layer.weights == []
    # keras builds the stateless pooling layers at once; a convolution stays unbuilt
    assert layer.built == ("Pooling" in type(layer).__name__)


def test_unknown_channels_and_too_small_later_inputs_are_refused():
    conv = layers.Conv2D(2, 3)
    assert_untouched(conv, lambda: conv.build((None, 5, 5, None)), "known channel dimension")
    model = mk.Sequential([mk.Input(shape=(None, None, 1)), layers.Conv2D(2, 3),
                           layers.MaxPooling2D(2)])
    weights = model.get_weights()
    with pytest.raises(ValueError, match="does not fit"):
        model(data(1, 3, 3, 1))  # conv gives 1x1, the 2x2 pool does not fit
    with pytest.raises(ValueError, match="does not fit"):
        model(data(1, 2, 8, 1))  # the 3x3 kernel does not fit
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model(data(1, 4, 4, 1)).shape == (1, 1, 1, 2)


def test_interop_converts_these_layers_both_ways_with_equal_predictions():
    def net(lib):
        L = lib.layers
        return [L.Conv2D(4, 3, padding="same", groups=2, activation="relu",
                         kernel_regularizer=lib.regularizers.L2(0.01)),
                L.MaxPooling2D(), L.AveragePooling2D(2, strides=1, padding="same"),
                L.ZeroPadding2D(((1, 0), (0, 1))), L.UpSampling2D(2, interpolation="bilinear"),
                L.Permute((3, 1, 2)), L.GlobalMaxPooling2D(data_format="channels_first"),
                L.RepeatVector(3), L.Conv1D(2, 2, padding="causal"), L.MaxPooling1D(),
                L.AveragePooling1D(1), L.GlobalAveragePooling1D(keepdims=True),
                L.Reshape((-1,)), L.Identity(), L.Dense(1)]
    x = data(3, 6, 6, 4)
    ours = mk.Sequential([mk.Input(shape=(6, 6, 4))] + net(mk))
    as_keras = mk.interop.to_keras(ours)
    np.testing.assert_array_equal(as_keras.predict(x, verbose=0), ours.predict(x, verbose=0))
    assert [type(l).__name__ for l in as_keras.layers] == [type(l).__name__ for l in ours.layers]
    ref = keras.Sequential([keras.Input((6, 6, 4))] + net(keras))
    back = mk.interop.from_keras(ref)
    np.testing.assert_array_equal(back.predict(x, verbose=0), ref.predict(x, verbose=0))
    assert [l.get_config() for l in mk.interop.from_keras(as_keras).layers][0]["groups"] == 2
    emb = keras.Sequential([keras.Input((5,)), keras.layers.Embedding(10, 3, mask_zero=True)])
    with pytest.raises(ValueError, match="mask_zero=True"):
        mk.interop.from_keras(emb)
    emb = keras.Sequential([keras.Input((5,)), keras.layers.Embedding(
        10, 3, embeddings_regularizer="l2"), keras.layers.Flatten()])
    ids = np.random.default_rng(0).integers(0, 10, size=(4, 5))
    converted = mk.interop.from_keras(emb)
    np.testing.assert_array_equal(converted.predict(ids.astype(np.float32), verbose=0),
                                  emb.predict(ids, verbose=0))
    assert mk.interop.to_keras(converted).layers[0].embeddings_regularizer is not None


def test_keras_alias_names_are_the_same_classes():
    aliases = {"AvgPool1D": "AveragePooling1D", "AvgPool2D": "AveragePooling2D",
               "MaxPool1D": "MaxPooling1D", "MaxPool2D": "MaxPooling2D",
               "GlobalAvgPool1D": "GlobalAveragePooling1D",
               "GlobalAvgPool2D": "GlobalAveragePooling2D",
               "GlobalMaxPool1D": "GlobalMaxPooling1D", "GlobalMaxPool2D": "GlobalMaxPooling2D",
               "Convolution1D": "Conv1D", "Convolution2D": "Conv2D"}
    for alias, name in aliases.items():
        assert getattr(keras.layers, alias) is getattr(keras.layers, name)
        assert getattr(mk.layers, alias) is getattr(mk.layers, name)
