"""Conv1DTranspose and Conv2DTranspose against keras: outputs, gradients, output shapes, a
conv autoencoder's fit, summary, config, saving (minikeras and .keras), interop, bad input.

keras's TensorFlow backend refuses three cases on CPU (dilation_rate > 1, channels_first, and
"same" padding with an even kernel and output_padding=0); minikeras computes them, checked
against keras on an equivalent input (transposed, or an explicitly dilated kernel) and against
a NumPy scatter-and-crop reference using keras's own padding arithmetic.
"""
import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras.src.backend.common.backend_utils import (
    compute_conv_transpose_output_shape,
    compute_conv_transpose_padding_args_for_jax,
)
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


def _pair(name, *args, **kwargs):
    kwargs.setdefault("bias_initializer", "random_normal")  # so bias errors would show
    return getattr(layers, name)(*args, **kwargs), getattr(keras.layers, name)(*args, **kwargs)


def _grid(rank):
    """kernel x strides x padding x output_padding cases keras's TensorFlow backend runs."""
    cases = []
    for k, s, pad, op in itertools.product([1, 2, 3], [1, 2, 3], ["valid", "same"],
                                           [None, 0, 1, 2]):
        if (op is not None and op >= s) or (pad == "same" and op == 0 and k % 2 == 0):
            continue
        if rank == 2 and k == 1:
            continue  # (keeps the grid small; 1-D covers kernel 1)
        cases.append(dict(kernel_size=k, strides=s, padding=pad, output_padding=op))
    return cases


@pytest.mark.parametrize("kwargs", _grid(2) + [
    dict(kernel_size=(2, 3), strides=(2, 1), output_padding=(1, 0)),
    dict(kernel_size=(3, 2), strides=(1, 3), padding="same", activation="relu"),
    dict(kernel_size=4, strides=2, padding="same", use_bias=False)], ids=str)
def test_conv2d_transpose_forward_and_gradients_match_keras(kwargs):
    kwargs = dict(kwargs)
    ours, ref = _pair("Conv2DTranspose", 3, kwargs.pop("kernel_size"), **kwargs)
    x = data(2, 5, 4, 4)
    assert check_forward_and_gradients(ours, ref, x) == 0.0  # bitwise, as keras's op
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in ref.weights]
    for shape in (x.shape, (None, 5, 4, 4), (None, None, None, 4)):
        assert ours.compute_output_shape(shape) == tuple(ref.compute_output_shape(shape))


@pytest.mark.parametrize("kwargs", _grid(1) + [dict(kernel_size=5, strides=4,
                                                    output_padding=3, activation="tanh")],
                         ids=str)
def test_conv1d_transpose_forward_and_gradients_match_keras(kwargs):
    kwargs = dict(kwargs)
    ours, ref = _pair("Conv1DTranspose", 3, kwargs.pop("kernel_size"), **kwargs)
    x = data(2, 6, 4)
    assert check_forward_and_gradients(ours, ref, x) == 0.0
    assert ours.compute_output_shape((None, 6, 4)) == tuple(ref.compute_output_shape(
        (None, 6, 4)))


def _numpy_reference(x, kernel, bias, strides, padding, output_padding, dilation):
    """keras's definition (its conv_transpose tests' reference): each input position adds
    kernel * value to a window of the full output, which keras's padding then crops."""
    rank = x.ndim - 2
    k = np.zeros([(n - 1) * d + 1 for n, d in zip(kernel.shape[:rank], dilation)]
                 + list(kernel.shape[rank:]))
    k[tuple(slice(None, None, d) for d in dilation)] = kernel
    out = compute_conv_transpose_output_shape(x.shape, kernel.shape[:rank], kernel.shape[-2],
                                              strides, padding, output_padding,
                                              "channels_last", dilation)
    pads = compute_conv_transpose_padding_args_for_jax(x.shape, kernel.shape, strides, padding,
                                                       output_padding, dilation)
    begin = [k.shape[i] - 1 - pads[i][0] for i in range(rank)]
    full = np.zeros([x.shape[0]] + [out[1 + i] + k.shape[i] + begin[i] for i in range(rank)]
                    + [k.shape[-2]])
    for b in range(x.shape[0]):
        for pos in np.ndindex(*x.shape[1:-1]):
            window = tuple(slice(p * s, p * s + k.shape[i])
                           for i, (p, s) in enumerate(zip(pos, strides)))
            full[(b,) + window] += np.einsum("...fc,c->...f", k, x[(b,) + pos])
    crop = tuple(slice(b0, b0 + n) for b0, n in zip(begin, out[1:-1]))
    return full[(slice(None),) + crop] + bias


@pytest.mark.parametrize("rank", [1, 2])
@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=2, strides=2, padding="same", output_padding=0),  # TF refuses it
    dict(kernel_size=4, strides=3, padding="same", output_padding=0),
    dict(dilation_rate=2), dict(dilation_rate=3, padding="same"),
    dict(dilation_rate=2, padding="same", output_padding=0),
    dict(strides=3, padding="same", output_padding=1), dict(strides=2)], ids=str)
def test_cases_keras_tensorflow_refuses_match_keras_definition(rank, kwargs):
    kwargs = dict(kwargs)
    layer = getattr(layers, f"Conv{rank}DTranspose")(3, kwargs.pop("kernel_size", 3),
                                                     bias_initializer="random_normal",
                                                     **kwargs)
    x = data(2, *([5] * rank), 4)
    got = layer(x).numpy()
    expected = _numpy_reference(x.astype(np.float64), layer.kernel.numpy(), layer.bias.numpy(),
                                layer.strides, layer.padding, layer.output_padding,
                                layer.dilation_rate)
    assert got.shape == expected.shape == layer.compute_output_shape(x.shape)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("rank", [1, 2])
def test_dilation_equals_keras_with_an_explicitly_dilated_kernel(rank):
    name = f"Conv{rank}DTranspose"
    ours = getattr(layers, name)(3, 3, dilation_rate=2, padding="same", output_padding=0,
                                 bias_initializer="random_normal")
    ref = getattr(keras.layers, name)(3, 5, padding="same", output_padding=0)
    x = tf.constant(data(2, *([6] * rank), 4))
    ours(x), ref(x)
    dilated = np.zeros(ref.kernel.shape, np.float32)
    dilated[(slice(None, None, 2),) * rank] = ours.kernel.numpy()
    ref.set_weights([dilated, ours.bias.numpy()])
    weights = data(*ref(x).shape, seed=3)
    results = []
    for layer in (ours, ref):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(layer(x) * weights)
        results.append((layer(x).numpy(), tape.gradient(loss, [x, layer.kernel, layer.bias])))
    (out_o, g_o), (out_r, g_r) = results
    np.testing.assert_allclose(out_o, out_r, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(g_o[0], g_r[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(g_o[1], g_r[1].numpy()[(slice(None, None, 2),) * rank],
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(g_o[2], g_r[2], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("rank", [1, 2])
def test_channels_first_equals_keras_on_transposed_inputs(rank):
    name = f"Conv{rank}DTranspose"
    x_last = data(2, *([5] * rank), 3)
    ref = getattr(keras.layers, name)(4, 3, strides=2, padding="same",
                                      bias_initializer="random_normal")
    expected = np.moveaxis(ref(x_last).numpy(), -1, 1)
    ours = getattr(layers, name)(4, 3, strides=2, padding="same", data_format="channels_first")
    x_first = np.moveaxis(x_last, -1, 1)
    ours.build(x_first.shape)
    ours.set_weights(ref.get_weights())
    np.testing.assert_allclose(ours(x_first).numpy(), expected, rtol=1e-6, atol=1e-6)
    assert ours.compute_output_shape(x_first.shape) == expected.shape


def _autoencoder(lib):
    L = lib.layers
    return [L.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
            L.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu",
                              kernel_regularizer=lib.regularizers.L2(0.01)),
            L.Conv2DTranspose(2, 2, output_padding=0, bias_regularizer="l2"),
            L.Conv2D(1, 2, activation="sigmoid"), L.Flatten()]


X_IMG = np.random.default_rng(1).uniform(size=(13, 6, 6, 1)).astype(np.float32)


def test_conv_autoencoder_fit_and_summary_match_keras():
    # the reconstruction is flattened: minikeras's fit refuses per-pixel losses of image
    # outputs for now (its all-ones sample weights do not broadcast over them)
    ours, ref = check_fit(_autoencoder, X_IMG, X_IMG.reshape(13, -1),
                          loss="binary_crossentropy", epochs=2)
    text = check_summary(ours, ref)
    assert "(None, 6, 6, 4)" in text and "(None, 7, 7, 2)" in text


def test_conv1d_transpose_fit_matches_keras():
    x = data(11, 8, 2, seed=4)
    check_fit(lambda lib: [lib.layers.Conv1D(3, 2, strides=2),
                           lib.layers.Conv1DTranspose(2, 3, strides=2, padding="same",
                                                      output_padding=1, activation="tanh"),
                           lib.layers.Cropping1D((1, 0)), lib.layers.ZeroPadding1D((0, 1)),
                           lib.layers.Flatten()], x, x.reshape(11, -1), epochs=2)


def test_dcgan_generator_summary_matches_keras():
    def generator(lib):
        L = lib.layers
        return [L.Dense(7 * 7 * 32), L.LeakyReLU(0.2), L.Reshape((7, 7, 32)),
                L.Conv2DTranspose(32, 4, strides=2, padding="same"), L.LeakyReLU(0.2),
                L.Conv2DTranspose(16, 4, strides=2, padding="same", use_bias=False),
                L.Conv2D(1, 7, padding="same", activation="sigmoid")]
    ref = keras.Sequential([keras.Input((16,))] + generator(keras))
    ours = mk.Sequential([mk.Input(shape=(16,))] + generator(mk))
    text = check_summary(ours, ref)
    assert "(None, 28, 28, 16)" in text


@pytest.mark.parametrize("layer", [
    layers.Conv1DTranspose(3, 2, strides=2, padding="same", output_padding=1,
                           activation="relu", use_bias=False, kernel_initializer="he_normal",
                           kernel_regularizer=mk.regularizers.L1(0.1), activity_regularizer="l2",
                           name="t1"),
    layers.Conv2DTranspose(4, (2, 3), data_format="channels_first", dilation_rate=(1, 2),
                           bias_regularizer="l1", bias_constraint="non_neg")],
    ids=lambda l: type(l).__name__)
def test_config_round_trip_and_keras_argument_names(layer):
    clone = check_config_round_trip(layer)
    assert clone.output_padding == layer.output_padding
    config = layer.get_config()
    assert "groups" not in config and "output_padding" in config
    plain = {k: v for k, v in config.items()
             if "regularizer" not in k and "constraint" not in k and "initializer" not in k}
    ref = getattr(keras.layers, type(layer).__name__).from_config(plain)
    assert set(config) <= set(ref.get_config())
    ours = type(layer).from_config({k: v for k, v in ref.get_config().items()
                                    if k not in ("dtype", "kernel_initializer",
                                                 "bias_initializer")})
    assert (ours.output_padding, ours.strides) == (ref.output_padding, ref.strides)


def _saveable():
    return mk.Sequential([mk.Input(shape=(5, 5, 2))] + _autoencoder(mk)[1:] + [
        layers.Dense(1)])


def test_save_load_keras_files_and_interop(tmp_path):
    model = _saveable()
    x = data(4, 5, 5, 2)
    check_save_load(model, x, tmp_path)
    model.save(tmp_path / "m.keras")
    as_keras = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(as_keras.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    ref = keras.Sequential([keras.Input((8, 3)), keras.layers.Conv1DTranspose(
        2, 3, strides=2, output_padding=1, kernel_regularizer="l2"), keras.layers.Flatten()])
    ref.save(tmp_path / "k.keras")
    loaded = mk.models.load_model(tmp_path / "k.keras")
    x1 = data(3, 8, 3)
    np.testing.assert_allclose(loaded.predict(x1, verbose=0), ref.predict(x1, verbose=0),
                               rtol=1e-6, atol=1e-6)
    # interop, both ways
    converted = mk.interop.to_keras(model)
    np.testing.assert_allclose(converted.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    back = mk.interop.from_keras(ref)
    np.testing.assert_array_equal(back.predict(x1, verbose=0), ref.predict(x1, verbose=0))
    assert back.layers[0].output_padding == (1,)
    assert mk.interop.to_keras(back).layers[0].output_padding == (1,)
    constrained = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Conv2DTranspose(
        2, 2, kernel_constraint=keras.constraints.NonNeg())])
    with pytest.raises(ValueError, match="kernel_constraint=NonNeg"):
        mk.interop.from_keras(constrained)


def test_keras_alias_names_are_the_same_classes():
    for n in (1, 2):
        alias, name = f"Convolution{n}DTranspose", f"Conv{n}DTranspose"
        assert getattr(keras.layers, alias) is getattr(keras.layers, name)
        assert getattr(mk.layers, alias) is getattr(mk.layers, name)


# ---- bad arguments and bad input ----------------------------------------------------------

@pytest.mark.parametrize("make,match", [
    (lambda: layers.Conv1DTranspose(0, 1), "Invalid value for argument `filters`"),
    (lambda: layers.Conv2DTranspose(2, (1, 0)), r"kernel_size.*\{0\}"),
    (lambda: layers.Conv2DTranspose(2, 2, strides=(1, 0)), r"strides.*\{0\}"),
    (lambda: layers.Conv1DTranspose(2, 3, strides=2, output_padding=2),
     "`output_padding` must be strictly less than `strides`"),
    (lambda: layers.Conv2DTranspose(2, 3, strides=(2, 3), output_padding=(1, 3)),
     "At dimension 1"),
    (lambda: layers.Conv2DTranspose(16, 3, strides=[1, 1], output_padding=1),
     "strictly less than"),
    (lambda: layers.Conv2DTranspose(2, 3, output_padding=-1), "output_padding"),
    (lambda: layers.Conv2DTranspose(2, 2, strides=2, dilation_rate=(2, 1)),
     r"`strides > 1` not supported in conjunction with `dilation_rate > 1`"),
    (lambda: layers.Conv1DTranspose(2, 3, padding="causal"), "padding"),
    (lambda: layers.Conv2DTranspose(2, 3, padding="full"), "padding"),
    (lambda: layers.Conv2DTranspose(2, 3, data_format="NCHW"), "data_format"),
    (lambda: layers.Conv2DTranspose(2, 3, groups=2), "Unrecognized keyword arguments"),
], ids=lambda v: "" if callable(v) else v)
def test_bad_arguments_are_value_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("layer,x,match", [
    (layers.Conv2DTranspose(2, 3), data(2, 5, 5),
     r'"conv2d_transpose.*expected ndim=4, found ndim=3.*\(2, 5, 5\)'),
    (layers.Conv1DTranspose(2, 3), data(2, 5, 5, 1), "expected ndim=3, found ndim=4"),
    (layers.Conv1DTranspose(2, 3, data_format="channels_first"), data(2, 3, 0),
     "at least one step"),
], ids=lambda v: type(v).__name__ if isinstance(v, layers.Layer) else "")
def test_bad_input_is_a_clear_error_before_any_state_change(layer, x, match):
    assert_untouched(layer, lambda: layer(x), match)
    assert layer.weights == [] and not layer.built


def test_unknown_or_changed_channels_are_refused():
    conv = layers.Conv2DTranspose(2, 3)
    assert_untouched(conv, lambda: conv.build((None, 5, 5, None)), "known channel dimension")
    conv.build((None, None, None, 3))
    assert_untouched(conv, lambda: conv(data(1, 4, 4, 2)), "input channels must match")
    assert conv(data(2, 6, 3, 3)).shape == (2, 8, 5, 2)  # any spatial size
    model = mk.Sequential([mk.Input(shape=(None, 3)),
                           layers.Conv1DTranspose(2, 2, strides=2, padding="same")])
    assert model(data(1, 7, 3)).shape == (1, 14, 2)
    graph = tf.function(lambda t: model(t), input_signature=[tf.TensorSpec((None, None, 3))])
    assert graph.get_concrete_function().output_shapes.as_list() == [None, None, 2]
