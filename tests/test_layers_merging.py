"""Merging layers (Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum, Dot) and
their function forms against keras: outputs, gradients, output shapes, a whole fit of a
two-input functional model, configs, saving, and keras's shape checks and messages."""
import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from layer_parity import TOL, data

import minikeras as mk

# (class name, constructor kwargs, input shapes with the batch first)
CASES = [
    ("Add", {}, [(4, 3), (4, 3)]),
    ("Add", {}, [(4, 3), (4, 3), (4, 3)]),
    ("Add", {}, [(4, 3)]),
    ("Add", {}, [(4, 3), (4, 5, 3)]),          # lower rank: axes inserted after the batch
    ("Add", {}, [(4, 3), (4, 1)]),             # a size-1 dimension stretches
    ("Subtract", {}, [(4, 2, 3), (4, 2, 3)]),
    ("Subtract", {}, [(4, 1, 3), (4, 2, 1)]),
    ("Multiply", {}, [(4, 3), (4, 3), (4, 3)]),
    ("Multiply", {}, [(4, 5, 3), (4, 3)]),
    ("Average", {}, [(4, 3), (4, 3)]),
    ("Average", {}, [(4, 3), (4, 3), (4, 2, 3)]),
    ("Maximum", {}, [(4, 3), (4, 3), (4, 3)]),
    ("Maximum", {}, [(4, 2, 3), (4, 1)]),
    ("Minimum", {}, [(4, 3), (4, 3)]),
    ("Minimum", {}, [(4, 3), (4, 6, 3)]),
    ("Concatenate", {}, [(4, 3), (4, 5)]),
    ("Concatenate", {"axis": 1}, [(4, 2, 3), (4, 5, 3), (4, 1, 3)]),
    ("Concatenate", {"axis": -2}, [(4, 2, 3), (4, 4, 3)]),
    ("Concatenate", {"axis": 2}, [(4, 2, 1, 3), (4, 2, 2, 3)]),
    ("Dot", {"axes": 1}, [(4, 3), (4, 3)]),
    ("Dot", {"axes": -1}, [(4, 2, 5), (4, 2, 5)]),
    ("Dot", {"axes": (1, 2)}, [(4, 3), (4, 2, 3)]),
    ("Dot", {"axes": [2, 1]}, [(4, 2, 3), (4, 3)]),
    ("Dot", {"axes": (-2, -1)}, [(4, 3, 2), (4, 1, 2, 3)]),
    ("Dot", {"axes": (1, 2)}, [(4, 3, 2, 5), (4, 6, 3)]),
    ("Dot", {"axes": 1, "normalize": True}, [(4, 3), (4, 3)]),
    ("Dot", {"axes": (2, 1), "normalize": True}, [(4, 2, 3), (4, 3, 2)]),
]
IDS = [f"{n}-{k}-{s}".replace(" ", "") for n, k, s in CASES]
FUNCTIONS = {"Add": "add", "Subtract": "subtract", "Multiply": "multiply",
             "Average": "average", "Maximum": "maximum", "Minimum": "minimum",
             "Concatenate": "concatenate", "Dot": "dot"}


def _inputs(shapes, seed=0):
    return [data(*s, seed=seed + i) for i, s in enumerate(shapes)]


@pytest.mark.parametrize("name,kwargs,shapes", CASES, ids=IDS)
def test_forward_gradients_and_shape_equal_keras(name, kwargs, shapes):
    xs = [tf.constant(x) for x in _inputs(shapes)]
    ours, ref = getattr(mk.layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    results = []
    for layer in (ours, ref):
        with tf.GradientTape() as tape:
            tape.watch(xs)
            out = tf.convert_to_tensor(layer(xs))
            loss = tf.reduce_sum(out * data(*out.shape, seed=9))
        results.append((out.numpy(), [g.numpy() for g in tape.gradient(loss, xs)]))
    (out_o, grads_o), (out_r, grads_r) = results
    assert out_o.shape == out_r.shape
    np.testing.assert_allclose(out_o, out_r, **TOL)
    for g_o, g_r in zip(grads_o, grads_r, strict=True):
        np.testing.assert_allclose(g_o, g_r, **TOL)
    assert ours.weights == [] and ours.built
    symbolic = [tuple([None] + list(s[1:])) for s in shapes]
    assert ours.compute_output_shape(shapes) == tuple(ref.compute_output_shape(shapes))
    assert ours.compute_output_shape(symbolic) == tuple(ref.compute_output_shape(symbolic))


@pytest.mark.parametrize("name,kwargs,shapes", CASES, ids=IDS)
def test_function_form_and_symbolic_call(name, kwargs, shapes):
    xs = _inputs(shapes)
    function = getattr(mk.layers, FUNCTIONS[name])
    np.testing.assert_allclose(function(xs, **kwargs),
                               getattr(keras.layers, FUNCTIONS[name])(xs, **kwargs), **TOL)
    inputs = [mk.Input(s[1:]) for s in shapes]
    k_inputs = [keras.Input(s[1:]) for s in shapes]
    out = function(inputs, **kwargs)
    assert isinstance(out.node.layer, getattr(mk.layers, name))
    assert out.shape == tuple(getattr(keras.layers, FUNCTIONS[name])(k_inputs, **kwargs).shape)
    model = mk.Model(inputs, out)
    # (predict([x]) of a Model([input], ...) is not accepted yet: one input is passed bare)
    np.testing.assert_allclose(model.predict(xs if len(xs) > 1 else xs[0], verbose=0),
                               getattr(keras.layers, name)(**kwargs)(xs), **TOL)


def test_function_forms_pass_layer_kwargs():
    a, b = mk.Input((3,)), mk.Input((3,))
    assert mk.layers.add([a, b], name="plus").node.layer.name == "plus"
    assert mk.layers.concatenate([a, b], axis=1, name="cat").node.layer.axis == 1
    layer = mk.layers.dot([a, b], axes=1, normalize=True).node.layer
    assert (layer.axes, layer.normalize) == (1, True)
    assert mk.layers.Dot(axes=1).axes == 1 and mk.layers.dot([data(2, 3), data(2, 3)]).shape \
        == (2, 1)  # keras's default axes=-1


FIT_CASES = [("Add", {}), ("Subtract", {}), ("Multiply", {}), ("Average", {}),
             ("Maximum", {}), ("Minimum", {}), ("Concatenate", {}), ("Concatenate", {"axis": 1}),
             ("Dot", {"axes": 1}), ("Dot", {"axes": 1, "normalize": True})]


def _functional(lib):
    """Two inputs, a Dense on each, every merging layer on the pair, a Dense on them all.

    One model trains every merge's gradients in one fit (keras's fits are slow to trace); the
    per-layer forward and gradient parity is test_forward_gradients_and_shape_equal_keras.
    """
    a, b = lib.Input((5,), name="in_a"), lib.Input((5,), name="in_b")
    ha = lib.layers.Dense(4, activation="tanh", name="dense_a")(a)
    hb = lib.layers.Dense(4, activation="tanh", name="dense_b")(b)
    merged = [getattr(lib.layers, name)(name=f"merge_{i}", **kwargs)([ha, hb])
              for i, (name, kwargs) in enumerate(FIT_CASES)]
    out = lib.layers.Dense(2, name="head")(lib.layers.Concatenate(name="all")(merged))
    return lib.Model([a, b], out)


def test_fit_of_a_two_input_model_with_every_merge_equals_keras():
    x = [data(37, 5, seed=1), data(37, 5, seed=2)]
    y = data(37, 2, seed=3)
    ref, ours = _functional(keras), _functional(mk)
    assert [l.name for l in ours.layers] == [l.name for l in ref.layers]
    ours.set_weights(ref.get_weights())
    for model, lib in ((ref, keras), (ours, mk)):
        model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                      loss="mse", metrics=["mae"])
    fit = dict(batch_size=8, epochs=3, shuffle=False, verbose=0)
    h_ref, h_ours = ref.fit(x, y, **fit).history, ours.fit(x, y, **fit).history
    assert sorted(h_ours) == sorted(h_ref)
    for key in h_ref:
        np.testing.assert_allclose(h_ours[key], h_ref[key], err_msg=key, **TOL)
    for a, b in zip(ours.get_weights(), ref.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, **TOL)
    np.testing.assert_allclose(ours.predict(x, verbose=0), ref.predict(x, verbose=0), **TOL)


@pytest.mark.parametrize("name,kwargs", [(n, k) for n, k, _ in CASES], ids=IDS)
def test_config_round_trip_and_keys_equal_keras(name, kwargs):
    layer = getattr(mk.layers, name)(name="m", **kwargs)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone is not layer and clone.get_config() == config
    ref = getattr(keras.layers, name)(name="m", **kwargs).get_config()
    assert sorted(config) == sorted(ref)
    assert {k: v for k, v in config.items() if k != "dtype"} == \
        {k: v for k, v in ref.items() if k != "dtype"}
    assert layer.supports_masking


def test_save_and_load_a_model_with_every_merging_layer(tmp_path):
    a, b = mk.Input((4,)), mk.Input((4,))
    ha, hb = mk.layers.Dense(3)(a), mk.layers.Dense(3)(b)
    parts = [mk.layers.add([ha, hb]), mk.layers.subtract([ha, hb]),
             mk.layers.multiply([ha, hb]), mk.layers.average([ha, hb, ha]),
             mk.layers.maximum([ha, hb]), mk.layers.minimum([ha, hb]),
             mk.layers.dot([ha, hb], axes=(1, 1), normalize=True)]
    out = mk.layers.Dense(1)(mk.layers.concatenate(parts, axis=-1))
    model = mk.Model([a, b], out)
    x = [data(6, 4, seed=1), data(6, 4, seed=2)]
    path = tmp_path / "merge.minikeras"
    model.save(path)
    loaded = mk.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    configs = [json.dumps(l.get_config()) for l in model.layers]  # tuples come back as lists
    assert [json.dumps(l.get_config()) for l in loaded.layers] == configs


def test_compute_mask_as_keras():
    x = [data(2, 4, 3), data(2, 4, 3)]
    m1 = np.array([[1, 0, 1, 0], [0, 0, 1, 1]], bool)
    m2 = np.array([[0, 0, 1, 1], [1, 0, 0, 1]], bool)
    for name, kwargs in (("Add", {}), ("Maximum", {}), ("Concatenate", {}),
                         ("Concatenate", {"axis": 1}), ("Dot", {"axes": -1})):
        ours, ref = getattr(mk.layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
        for masks in ([m1, m2], [m1, None], [None, None]):
            expected = ref.compute_mask(x, masks)
            got = ours.compute_mask(x, masks)
            if expected is None:
                assert got is None, (name, masks)
            else:
                np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
    layer = mk.layers.Add()
    with pytest.raises(ValueError, match="`mask` should be a list"):
        layer.compute_mask(x, m1)
    with pytest.raises(ValueError, match="`inputs` should be a list"):
        layer.compute_mask(x[0], [m1, m2])
    with pytest.raises(ValueError, match="should have the same length"):
        layer.compute_mask(x, [m1])


def _keras_message(layer, xs):
    with pytest.raises(Exception) as info:
        layer(xs)
    return str(info.value)


BAD = [
    ("Add", {}, [(2, 3), (2, 4)], "Inputs have incompatible shapes"),
    ("Multiply", {}, [(2, 3, 4), (2, 2, 4)], "Inputs have incompatible shapes"),
    ("Maximum", {}, [(2, 3), (3, 3)], "Cannot merge tensors with different batch sizes"),
    ("Average", {}, [(2, 3), (1, 3)], "Cannot merge tensors with different batch sizes"),
    ("Subtract", {}, [(2, 3), (2, 3), (2, 3)], "should be called on exactly 2 inputs"),
    ("Subtract", {}, [(2, 3)], "should be called on exactly 2 inputs"),
    ("Concatenate", {}, [(2, 3, 4), (2, 2, 5)], "requires inputs with matching shapes except"),
    ("Concatenate", {}, [(2, 3), (2, 4, 3)], "requires inputs with matching shapes except"),
    ("Concatenate", {"axis": 1}, [(2, 2, 1, 2, 1), (2, 1, 1, 3, 1)],
     "requires inputs with matching shapes except"),
    ("Dot", {"axes": 1}, [(2, 3), (2, 4)], "Incompatible input shapes: axis values 3"),
    ("Dot", {"axes": 1}, [(2, 3), (2, 3), (2, 3)], "should be called on a list of 2 inputs"),
    ("Dot", {"axes": 0}, [(2, 3), (2, 3)], "Cannot perform batch_dot over axis 0"),
]


@pytest.mark.parametrize("name,kwargs,shapes,match", BAD, ids=[f"{b[0]}-{b[2]}" for b in BAD])
def test_bad_shapes_raise_keras_value_errors(name, kwargs, shapes, match):
    xs = _inputs(shapes)
    layer = getattr(mk.layers, name)(**kwargs)
    with pytest.raises(ValueError, match=match) as info:
        layer(xs)
    assert not layer.built  # nothing changed: the next good call builds it
    ref_message = _keras_message(getattr(keras.layers, name)(**kwargs), xs)
    if "batch_dot" not in match:  # keras wraps call-time errors in its own text
        assert str(info.value) == ref_message
    else:
        assert match in ref_message
    symbolic = [mk.Input(s[1:], batch_size=s[0]) for s in shapes]
    with pytest.raises(ValueError, match=match):
        getattr(mk.layers, name)(**kwargs)(symbolic)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_single_tensor_or_an_empty_list_is_refused(name):
    kwargs = {"axes": 1} if name == "Dot" else {}
    layer = getattr(mk.layers, name)(**kwargs)
    with pytest.raises(ValueError, match="list of"):
        layer(data(2, 3))
    with pytest.raises(ValueError, match="list of"):
        layer(mk.Input((3,)))
    with pytest.raises(ValueError, match="list of|at least 1 input"):
        layer([])
    assert not layer.built
    with pytest.raises(ValueError, match="list of"):
        layer.compute_output_shape((None, 3))


def test_dot_rejects_bad_axes_as_keras():
    with pytest.raises(TypeError, match="Invalid type for argument `axes`"):
        mk.layers.Dot(axes="1")
    with pytest.raises(ValueError, match="it should contain two elements"):
        mk.layers.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="list elements should be integers"):
        mk.layers.Dot(axes=(1.0, 2))
    with pytest.raises(ValueError, match="rank < 2"):
        mk.layers.Dot(axes=1)([tf.ones((2,)), tf.ones((2,))])


def test_later_calls_with_unknown_batch_and_in_tf_function():
    layer = mk.layers.Concatenate()
    f = tf.function(lambda a, b: layer([a, b]), input_signature=[
        tf.TensorSpec((None, 3)), tf.TensorSpec((None, 2))])
    np.testing.assert_allclose(f(data(5, 3), data(5, 2)),
                               np.concatenate([data(5, 3), data(5, 2)], axis=-1))
    dot = mk.layers.Dot(axes=(2, 1))
    g = tf.function(lambda a, b: dot([a, b]), input_signature=[
        tf.TensorSpec((None, 2, 3)), tf.TensorSpec((None, 3, 4))])
    assert g.get_concrete_function().structured_outputs.shape.as_list() == [None, 2, 4]
    np.testing.assert_allclose(g(data(3, 2, 3), data(3, 3, 4)),
                               keras.layers.Dot(axes=(2, 1))([data(3, 2, 3), data(3, 3, 4)]),
                               **TOL)
