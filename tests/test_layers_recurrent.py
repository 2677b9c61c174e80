"""LSTM, GRU and SimpleRNN against keras on identical weights: outputs, states and gradients,
whole fits (Embedding -> LSTM -> Dense, a timeseries regression), summary, config, saving, and
the arguments not supported yet."""
import keras
import numpy as np
import pytest
import tensorflow as tf
from layer_parity import (
    check_config_round_trip,
    check_fit,
    check_forward_and_gradients,
    check_save_load,
    check_summary,
    data,
)

import minikeras as mk
from minikeras import layers

X = data(3, 6, 5)
KINDS = [("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False}), ("SimpleRNN", {}),
         ("LSTM", {"use_bias": False, "activation": "relu"}),
         ("SimpleRNN", {"activation": "sigmoid"})]
OPTIONS = [{}, {"return_sequences": True}, {"go_backwards": True},
           {"return_sequences": True, "return_state": True, "go_backwards": True},
           {"return_state": True}]


class _Flat:
    """Wraps a layer returning [output, *states] into one tensor (for the gradient check)."""

    def __init__(self, layer):
        self.layer = layer

    def __call__(self, x):
        outs = tf.nest.flatten(self.layer(x))
        return tf.concat([tf.reshape(tf.convert_to_tensor(o), (tf.shape(o)[0], -1))
                          for o in outs], axis=1)

    def __getattr__(self, name):
        return getattr(self.layer, name)


@pytest.mark.parametrize("kind,kwargs", KINDS)
@pytest.mark.parametrize("options", OPTIONS)
def test_forward_states_and_gradients_match_keras(kind, kwargs, options):
    ours = getattr(layers, kind)(4, **kwargs, **options)
    ref = getattr(keras.layers, kind)(4, **kwargs, **options)
    worst = check_forward_and_gradients(_Flat(ours), _Flat(ref), X)
    assert worst < 1e-5
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in ref.weights]


def test_initial_state_matches_keras():
    h, c = data(3, 4, seed=1), data(3, 4, seed=2)
    ref, ours = keras.layers.LSTM(4, return_sequences=True), layers.LSTM(4, return_sequences=True)
    ref(X), ours(X)
    ours.set_weights(ref.get_weights())
    np.testing.assert_allclose(ours(X, initial_state=[h, c]), ref(X, initial_state=[h, c]),
                               rtol=1e-5, atol=1e-5)


def test_weights_layout_and_unit_forget_bias():
    lstm = layers.LSTM(3)
    lstm(X)
    assert [w.name.split(":")[0] for w in lstm.weights] == ["kernel", "recurrent_kernel", "bias"]
    np.testing.assert_array_equal(lstm.bias.numpy(), [0] * 3 + [1] * 3 + [0] * 6)
    rk = lstm.recurrent_kernel.numpy()[:, :3]  # orthogonal blocks, as keras's initializer
    assert rk.shape == (3, 3)
    plain = layers.LSTM(3, unit_forget_bias=False, bias_initializer="ones")
    plain(X)
    np.testing.assert_array_equal(plain.bias.numpy(), np.ones(12))
    gru = layers.GRU(3)
    gru(X)
    assert [tuple(w.shape) for w in gru.weights] == [(5, 9), (3, 9), (2, 9)]


def _text(lib):
    return [lib.layers.Embedding(12, 4), lib.layers.LSTM(6), lib.layers.Dense(1)]


def _series(lib, kind="LSTM"):
    return [getattr(lib.layers, kind)(5, return_sequences=True),
            getattr(lib.layers, kind)(4), lib.layers.Dense(1)]


XI = np.random.default_rng(0).integers(0, 12, size=(21, 7)).astype(np.float32)
YI = (XI.mean(axis=1, keepdims=True) / 6 - 1).astype(np.float32)
XS = data(21, 8, 3, seed=3)
YS = XS[:, -3:, :1].sum(axis=1).astype(np.float32)


def test_fit_embedding_lstm_dense_matches_keras():
    ours, ref = check_fit(_text, XI, YI, epochs=2)
    check_summary(ours, ref)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_fit_timeseries_regression_matches_keras(kind):
    ours, ref = check_fit(lambda lib: _series(lib, kind), XS, YS, epochs=3)
    check_summary(ours, ref)


def test_summary_shapes_and_counts_with_states():
    for kind in ("LSTM", "GRU", "SimpleRNN"):
        ref = keras.Sequential([keras.Input((8, 3))] + _series(keras, kind))
        ours = mk.Sequential([mk.Input(shape=(8, 3))] + _series(mk, kind))
        check_summary(ours, ref)
    for kind in ("LSTM", "GRU", "SimpleRNN"):
        ours = getattr(layers, kind)(4, return_sequences=True, return_state=True)
        ref = getattr(keras.layers, kind)(4, return_sequences=True, return_state=True)
        expected = [tuple(t.shape) for t in ref.compute_output_spec(keras.KerasTensor(
            (None, 8, 3)))]
        assert [tuple(s) for s in ours.compute_output_shape((None, 8, 3))] == expected


def test_functional_model_with_states():
    inp = mk.Input(shape=(6, 5))
    seq, h, c = layers.LSTM(4, return_sequences=True, return_state=True)(inp)
    out = layers.Dense(1)(layers.concatenate([h, c]))
    model = mk.Model(inp, [seq, out])
    seq_v, out_v = model(X)
    assert tuple(seq_v.shape) == (3, 6, 4) and tuple(out_v.shape) == (3, 1)


def test_trains_in_the_compiled_loop():
    model = mk.Sequential([mk.Input(shape=(8, 3))] + _series(mk))
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(XS, YS, epochs=8, batch_size=7, verbose=0).history["loss"]
    assert history[-1] < history[0]


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_config_round_trip_and_keras_argument_names(kind):
    layer = getattr(layers, kind)(3, kernel_regularizer="l2", return_sequences=True,
                                  go_backwards=True, name="rnn")
    check_config_round_trip(layer)
    ref = getattr(keras.layers, kind)(3)
    extra = set(layer.get_config()) - set(ref.get_config())
    assert not extra, extra
    missing = set(ref.get_config()) - set(layer.get_config())
    missing -= {"zero_output_for_mask", "activity_regularizer"}
    assert not missing, missing


def test_save_load_round_trip(tmp_path):
    model = mk.Sequential([mk.Input(shape=(7,))] + _text(mk))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(XI, YI, epochs=1, verbose=0)
    check_save_load(model, XI, tmp_path)
    series = mk.Sequential([mk.Input(shape=(8, 3))] + _series(mk, "GRU"))
    (tmp_path / "gru").mkdir()
    check_save_load(series, XS, tmp_path / "gru")


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_bad_input_and_arguments(kind):
    cls = getattr(layers, kind)
    for units in (0, -2, 1.5, None):
        with pytest.raises(ValueError, match="units"):
            cls(units)
    with pytest.raises(ValueError, match="rank 3"):
        cls(2)(np.ones((4, 3), np.float32))
    with pytest.raises(ValueError, match="rank 3"):
        mk.Sequential([mk.Input(shape=(3,)), cls(2)]).build()
    for arg in ("dropout", "recurrent_dropout"):
        with pytest.raises(NotImplementedError, match=arg):
            cls(2, **{arg: 0.2})
        with pytest.raises(ValueError, match=arg):
            cls(2, **{arg: 1.5})
    with pytest.raises(NotImplementedError, match="stateful"):
        cls(2, stateful=True)
    with pytest.raises(NotImplementedError, match="mask"):
        cls(2)(X, mask=np.ones((3, 6), bool))


def test_masking_embedding_refused_in_functional_model():
    inp = mk.Input(shape=(7,))
    emb = layers.Embedding(12, 4, mask_zero=True)(inp)
    with pytest.raises(ValueError, match="mask_zero"):
        layers.LSTM(3)(emb)


@pytest.mark.parametrize("kind", ["LSTM", pytest.param("GRU", marks=pytest.mark.slow),
                                  pytest.param("SimpleRNN", marks=pytest.mark.slow)])
def test_interop_round_trip(kind):
    from minikeras import interop
    model = mk.Sequential([mk.Input(shape=(8, 3))] + _series(mk, kind))
    model.build()
    converted = interop.to_keras(model)
    np.testing.assert_allclose(converted.predict(XS, verbose=0), model.predict(XS, verbose=0),
                               rtol=1e-5, atol=1e-5)
    back = interop.from_keras(converted)
    np.testing.assert_allclose(back.predict(XS, verbose=0), model.predict(XS, verbose=0),
                               rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="dropout"):
        interop.from_keras(keras.Sequential([keras.Input((8, 3)),
                                             getattr(keras.layers, kind)(2, dropout=0.5)]))


@pytest.mark.parametrize("merge_mode,kind,options", [
    ("concat", "LSTM", {"return_sequences": True}), ("sum", "GRU", {}),
    ("ave", "SimpleRNN", {"return_sequences": True, "return_state": True}),
    ("mul", "LSTM", {"return_state": True}),
    (None, "SimpleRNN", {"return_sequences": True, "return_state": True}), (None, "GRU", {})])
def test_bidirectional_matches_keras(merge_mode, kind, options):
    ours = layers.Bidirectional(getattr(layers, kind)(4, **options), merge_mode=merge_mode)
    ref = keras.layers.Bidirectional(getattr(keras.layers, kind)(4, **options),
                                     merge_mode=merge_mode)
    assert check_forward_and_gradients(_Flat(ours), _Flat(ref), X) < 1e-5
    assert [w.name.split(":")[0] for w in ours.weights] == [w.name for w in ref.weights]
    assert ours.forward_layer.name.startswith("forward_")
    expected = ref.compute_output_shape((None, 6, 5))
    got = ours.compute_output_shape((None, 6, 5))
    if isinstance(expected[0], tuple):  # several outputs: keras gives a tuple, minikeras a list
        expected, got = list(expected), [tuple(s) for s in got]
    assert got == expected


def _bidi(lib):
    return [lib.layers.Embedding(12, 4),
            lib.layers.Bidirectional(lib.layers.LSTM(5, return_sequences=True)),
            lib.layers.Bidirectional(lib.layers.GRU(3), merge_mode="sum"), lib.layers.Dense(1)]


@pytest.mark.slow
def test_bidirectional_fit_summary_and_saving_match_keras(tmp_path):
    ours, ref = check_fit(_bidi, XI, YI, epochs=2)
    check_summary(ours, ref)
    check_config_round_trip(ours.layers[1])
    check_save_load(ours, XI, tmp_path)


def test_bidirectional_bad_arguments():
    with pytest.raises(ValueError, match="merge mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="wraps"):
        layers.Bidirectional(layers.Dense(2))
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match="rank 3"):
        layers.Bidirectional(layers.LSTM(2))(np.ones((2, 3), np.float32))


def test_keras_legacy_and_cudnn_arguments():
    layer = layers.GRU.from_config({**layers.GRU(3).get_config(), "implementation": 1})
    assert layer(X).shape == (3, 3) and "implementation" not in layer.get_config()
    bidi = layers.Bidirectional(layers.LSTM(2, use_cudnn=False))
    assert bidi.forward_layer.use_cudnn is False and bidi.backward_layer.use_cudnn is False
    assert not hasattr(layers.Bidirectional(layers.SimpleRNN(2)).forward_layer, "use_cudnn")
    assert layers.LSTM(2).supports_masking == keras.layers.LSTM(2).supports_masking


@pytest.mark.parametrize("consumer", [lambda: layers.LSTM(3), lambda: layers.GRU(3),
                                      lambda: layers.GlobalAveragePooling1D()])
def test_sequential_refuses_padding_masks_it_cannot_consume(consumer):
    """keras would skip the padded steps; minikeras cannot yet, so it says so at build."""
    with pytest.raises(ValueError, match="mask_zero=True"):
        mk.Sequential([mk.Input((5,), dtype="int32"), layers.Embedding(10, 4, mask_zero=True),
                       layers.Dense(4), consumer()])
    model = mk.Sequential([mk.Input((5,), dtype="int32"), layers.Embedding(10, 4),
                           consumer()])  # without the mask it builds
    assert model.built
