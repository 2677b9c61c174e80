"""Functional graphs with Python operators on symbolic tensors (``a + b``, ``x * 2``,
``x[:, None]``) and functional subclasses, against keras."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk

rng = np.random.default_rng(3)
XA = rng.normal(size=(6, 3)).astype("float32")
XB = rng.normal(size=(6,)).astype("float32")


def op_model(lib):
    a = lib.Input((3,), name="a")
    b = lib.Input((), name="b")
    x = (a + b[:, None]) * 2 - 1
    x = lib.layers.Dense(4, name="hidden")(-x / 3)
    return lib.Model([a, b], lib.layers.Dense(2, name="out")(abs(x) + 0.5))


def test_operators_match_keras_with_same_weights():
    ours, ref = op_model(mk), op_model(keras)
    ours.set_weights(ref.get_weights())
    np.testing.assert_allclose(ours([XA, XB]), ref([XA, XB]), rtol=1e-5, atol=1e-6)
    assert [layer.name for layer in ours.layers] == [layer.name for layer in ref.layers]
    assert len(ours.operations) == len(ref.operations)


def test_operations_round_trip_through_config_and_file(tmp_path):
    model = op_model(mk)
    clone = mk.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone([XA, XB]), model([XA, XB]), rtol=1e-6)
    path = str(tmp_path / "ops.minikeras")
    model.save(path)
    loaded = mk.models.load_model(path)
    np.testing.assert_allclose(loaded([XA, XB]), model([XA, XB]), rtol=1e-6)


def comparison_model(lib):
    a = lib.Input((3,), name="a")
    flags = [a > 0.5, a >= 0.0, 0.2 < a, a <= -0.3]  # the reflected form of `<` too
    return lib.Model(a, flags)


def test_comparisons_match_keras_and_round_trip(tmp_path):
    ours, ref = comparison_model(mk), comparison_model(keras)
    for mine, theirs in zip(ours(XA), ref(XA)):
        assert mine.dtype == tf.bool
        np.testing.assert_array_equal(mine, theirs)
    path = str(tmp_path / "comparisons.minikeras")
    ours.save(path)
    for mine, again in zip(ours(XA), mk.models.load_model(path)(XA)):
        np.testing.assert_array_equal(mine, again)
    assert hash(mk.Input((3,))) is not None  # no __eq__: tensors stay hashable


def test_getitem_refuses_a_tensor_key():
    x = mk.Input((3,))
    with pytest.raises(TypeError, match="integers, slices, None and Ellipsis"):
        _ = x[x]


def test_operations_model_trains_like_keras():
    models = []
    for lib in (keras, mk):
        a = lib.Input((3,), name="a")
        model = lib.Model(a, lib.layers.Dense(1, name="out")(a * 0.5 + 1))
        model.compile(optimizer="sgd", loss="mse")
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    histories = [m.fit(XA, XB[:, None], epochs=2, batch_size=3, verbose=0,
                       shuffle=False).history["loss"] for m in models]
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-5)
    for ours, ref in zip(models[1].get_weights(), models[0].get_weights()):
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("lib", [keras, mk])
def test_layers_attribute_is_reserved(lib):
    inputs = lib.Input((3,))
    for model in (lib.Model(inputs, lib.layers.Dense(2)(inputs)), lib.Model()):
        with pytest.raises(AttributeError, match="`Model.layers` attribute is reserved"):
            model.layers = [lib.layers.Dense(4)]


@pytest.mark.parametrize("lib", [keras, mk])
def test_functional_subclass(lib):
    class Wrapped(lib.Model):
        def __init__(self, units=2, **kwargs):
            inputs = lib.Input((3,), name="x")
            super().__init__(inputs, lib.layers.Dense(units)(inputs), **kwargs)
            self.units = units

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    model = Wrapped(units=5, name="wrapped")
    assert isinstance(model, lib.Model) and model.name == "wrapped"
    assert isinstance(model, mk.models.Functional if lib is mk else keras.src.models.Functional)
    assert tuple(model(XA).shape) == (6, 5)
    again = Wrapped.from_config(model.get_config())
    assert type(again) is Wrapped and again.units == 5


@pytest.mark.parametrize("lib", [keras, mk])
def test_compile_without_loss_predicts_and_fit_says_no_loss(lib):
    inputs = lib.Input((3,))
    model = lib.Model(inputs, lib.layers.Dense(1)(inputs))
    model.compile()
    assert model.predict(XA, verbose=0).shape == (6, 1)
    if lib is mk:  # keras's fit reaches the same point through its compute_loss
        with pytest.raises(ValueError, match="No loss found"):
            model.fit(XA, XB, verbose=0)


def struct_model(lib, kind):
    x = lib.Input((3,), name="x")
    y1 = lib.layers.Dense(1, name="y1", activation="sigmoid")(x)
    y2 = lib.layers.Dense(1, name="y2", activation="sigmoid")(x)
    return lib.Model(x, {"a": y1, "b": y2} if kind == "dict" else (y1, y2))


@pytest.mark.parametrize("kind", ["tuple", "dict"])
def test_loss_of_the_whole_output_structure_as_keras(kind):
    """keras's list of losses for tuple/dict outputs: a plain entry gets the structures of
    targets and outputs (logged as ``y1_y2_loss``), a nested entry the per-output losses."""
    def whole(lib):
        def loss_fn(y_true, y_pred):
            flat_t, flat_p = tf.nest.flatten(y_true), tf.nest.flatten(y_pred)
            return sum(lib.losses.mean_absolute_error(t, p) for t, p in zip(flat_t, flat_p))
        return loss_fn

    x = XA
    ys = [(XA[:, :1] > 0).astype("float32"), (XA[:, 1:2] > 0).astype("float32")]
    models, histories = [], []
    for lib in (keras, mk):
        model = struct_model(lib, kind)
        per = {"a": "mse", "b": "bce"} if kind == "dict" else ("mse", "bce")
        model.compile(optimizer="sgd", loss=[whole(lib), per], loss_weights=[0.5, (
            {"a": 1.0, "b": 2.0} if kind == "dict" else (1.0, 2.0))])
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    y = {"a": ys[0], "b": ys[1]} if kind == "dict" else tuple(ys)
    for model in models:
        histories.append(model.fit(x, y, batch_size=3, epochs=1, verbose=0,
                                   shuffle=False).history)
    assert sorted(histories[1]) == sorted(histories[0])
    for key in histories[0]:
        np.testing.assert_allclose(histories[1][key], histories[0][key], rtol=1e-5, err_msg=key)
