"""Functional models against keras: several inputs and outputs, shared layers, nested models,
per-output losses, loss weights and metrics; and the graph mistakes keras refuses."""
import keras
import numpy as np
import pytest

import minikeras as mk

rng = np.random.default_rng(0)
XA = rng.normal(size=(70, 3)).astype("float32")
XB = rng.normal(size=(70, 2)).astype("float32")
Y_BIN = (XA[:, :1] + XB[:, :1] > 0).astype("float32")
Y_CLS = rng.integers(0, 3, size=(70,)).astype("float32")


def two_in_two_out(lib):
    lib.utils.set_random_seed(1)
    a, b = lib.Input((3,), name="a"), lib.Input((2,), name="b")
    h = lib.layers.Dense(6, activation="relu")(a)
    h2 = lib.layers.Dense(6, activation="tanh")(b)
    return lib.Model([a, b], {"bin": lib.layers.Dense(1, activation="sigmoid", name="bin")(h),
                              "cls": lib.layers.Dense(3, activation="softmax", name="cls")(h2)})


def fit_both(build, x, y, compile_kw, fit_kw):
    out = []
    for lib in (keras, mk):
        model = build(lib)
        kw = {k: (v(lib) if callable(v) else v) for k, v in compile_kw.items()}
        model.compile(**kw)
        history = model.fit(x, y, verbose=0, shuffle=False, **fit_kw).history
        out.append((model, history))
    return out


def assert_same(pair, tol=1e-5):
    (ref, ref_h), (ours, our_h) = pair
    assert sorted(our_h) == sorted(ref_h)
    for key in ref_h:
        np.testing.assert_allclose(our_h[key], ref_h[key], rtol=tol, atol=tol, err_msg=key)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_two_inputs_two_outputs_with_loss_weights_match_keras():
    pair = fit_both(two_in_two_out, [XA, XB], {"bin": Y_BIN, "cls": Y_CLS}, dict(
        optimizer=lambda lib: lib.optimizers.SGD(0.1, momentum=0.9),
        loss={"bin": "binary_crossentropy", "cls": "sparse_categorical_crossentropy"},
        loss_weights={"bin": 1.0, "cls": 0.5},
        metrics={"bin": ["accuracy"], "cls": ["accuracy"]}),
        dict(batch_size=16, epochs=3, validation_split=0.2))
    assert_same(pair)
    (ref, _), (ours, _) = pair
    assert {"loss", "bin_loss", "cls_loss", "bin_accuracy", "val_cls_loss"} <= set(pair[1][1])
    ref_eval = ref.evaluate([XA, XB], {"bin": Y_BIN, "cls": Y_CLS}, verbose=0, return_dict=True)
    our_eval = ours.evaluate([XA, XB], {"bin": Y_BIN, "cls": Y_CLS}, verbose=0,
                             return_dict=True)
    assert our_eval == pytest.approx(ref_eval, rel=1e-5)
    ref_pred = ref.predict([XA, XB], verbose=0, batch_size=16)
    our_pred = ours.predict({"a": XA, "b": XB}, verbose=0, batch_size=16)
    assert sorted(our_pred) == ["bin", "cls"]
    for key in ref_pred:
        np.testing.assert_allclose(our_pred[key], ref_pred[key], rtol=1e-5, atol=1e-6)


def test_list_outputs_lists_of_losses_and_targets_match_keras():
    def build(lib):
        lib.utils.set_random_seed(2)
        a = lib.Input((3,))
        h = lib.layers.Dense(5, activation="relu")(a)
        return lib.Model(a, [lib.layers.Dense(1, name="reg")(h),
                             lib.layers.Dense(2, activation="softmax", name="cls")(h)])
    y2 = keras.utils.to_categorical(Y_CLS[:, None] % 2, 2)
    pair = fit_both(build, XA, [Y_BIN, y2], dict(
        optimizer="adam", loss=["mse", "categorical_crossentropy"], loss_weights=[0.3, 1.0],
        metrics=[["mae"], ["accuracy"]]), dict(batch_size=32, epochs=2))
    assert_same(pair)


def test_shared_layer_and_nested_model_match_keras():
    def build(lib):
        lib.utils.set_random_seed(3)
        inner = lib.Sequential([lib.Input((4,)), lib.layers.Dense(4, activation="tanh")])
        shared = lib.layers.Dense(4, activation="relu")
        a = lib.Input((3,))
        h = shared(lib.layers.Dense(4)(a))
        h = shared(inner(h))  # the shared layer's second call, after a nested model
        return lib.Model(a, lib.layers.Dense(1, activation="sigmoid")(h))
    pair = fit_both(build, XA, Y_BIN, dict(optimizer="rmsprop", loss="binary_crossentropy",
                                          metrics=["accuracy"]), dict(batch_size=10, epochs=3))
    assert_same(pair)
    assert [type(layer).__name__ for layer in pair[1][0].layers] == \
        [type(layer).__name__ for layer in pair[0][0].layers]


def test_layer_input_output_and_model_structure():
    a = mk.Input((3,), name="in")
    dense = mk.layers.Dense(2, name="d")
    out = dense(a)
    model = mk.Model(inputs=a, outputs=out, name="m")
    assert dense.input is a and dense.output is out
    assert model.inputs == [a] and model.outputs == [out]
    assert [layer.name for layer in model.layers] == ["in", "d"]
    assert model.get_layer("d") is dense and model.get_layer(index=1) is dense
    assert isinstance(model, mk.Model) and type(model).__name__ == "Functional"
    assert model(np.ones((4, 3), np.float32)).shape == (4, 2)


# ---- mistakes ------------------------------------------------------------------------------
def test_disconnected_graph_names_the_missing_input():
    a, b = mk.Input((3,), name="given"), mk.Input((3,), name="forgotten")
    out = mk.layers.Dense(1)(mk.layers.Dense(3)(b))
    with pytest.raises(ValueError, match="Graph disconnected.*forgotten"):
        mk.Model(a, out)


def test_duplicate_layer_names_are_refused():
    a = mk.Input((3,))
    h = mk.layers.Dense(3, name="same")(a)
    with pytest.raises(ValueError, match="unique.*same"):
        mk.Model(a, mk.layers.Dense(1, name="same")(h))


def test_outputs_must_be_symbolic():
    with pytest.raises(ValueError, match="symbolic tensors"):
        mk.Model(mk.Input((3,)), np.ones(3))


def test_wrong_number_of_inputs_and_missing_target_key():
    model = two_in_two_out(mk)
    model.compile("sgd", loss={"bin": "binary_crossentropy",
                               "cls": "sparse_categorical_crossentropy"})
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="expects 2 input"):
        model(XA)
    with pytest.raises(ValueError, match=r"list of 2 arrays.*one per model input"):
        model.fit([XA], {"bin": Y_BIN, "cls": Y_CLS}, verbose=0)
    with pytest.raises(ValueError, match=r"`y` has no entry for \['cls'\]"):
        model.fit([XA, XB], {"bin": Y_BIN}, verbose=0)
    model.compile("sgd", loss={"bin": "mse", "nope": "mse"})  # keras checks keys at fit
    with pytest.raises(ValueError, match=r"The path: \('nope',\) in the `loss` argument, "
                                         "can't be found"):
        model.fit([XA, XB], {"bin": Y_BIN, "cls": Y_CLS}, verbose=0)
    assert all((a == b).all() for a, b in zip(model.get_weights(), before))
    assert int(model.optimizer.iterations.numpy()) == 0


def test_one_input_given_as_a_one_item_list():
    inputs = mk.Input((3,))
    model = mk.Model([inputs], mk.layers.Dense(1)(inputs))
    np.testing.assert_allclose(model.predict([XA], verbose=0), model.predict(XA, verbose=0))


@pytest.mark.parametrize("lib", [keras, mk])
def test_unknown_loss_key_raises_at_fit_as_keras(lib):
    """keras accepts the dict at compile and refuses it when fit builds the losses: a
    KeyError naming the path for dict outputs (minikeras's is also a ValueError)."""
    model = two_in_two_out(lib)
    model.compile("sgd", loss={"bin": "mse", "nope": "mse"})
    with pytest.raises(KeyError, match=r"The path: \('nope',\) in the `loss` argument, "
                                       "can't be found in either the model's output"):
        model.fit([XA, XB], {"bin": Y_BIN, "cls": Y_CLS}, verbose=0)
