"""How a functional model matches what it is called on to its inputs, against keras: by
name, by dict key (nested), with keras's warning for a structure that differs, its rank
adjustment, and its errors; pickling; legacy configs."""
import pickle
import warnings

import keras
import numpy as np
import pytest

import minikeras as mk

ONES = np.ones((2, 3), "float32")


def two_inputs(lib, as_dict=False):
    a, b = lib.Input((3,), name="a"), lib.Input((3,), name="b")
    out = lib.layers.Dense(2, name="d")(lib.layers.Concatenate()([a, b]))
    return lib.Model({"a": a, "b": b} if as_dict else [a, b], out)


@pytest.mark.parametrize("lib", [keras, mk])
def test_inputs_by_name_and_nested_keys(lib):
    model = two_inputs(lib)
    assert tuple(model({"a": ONES, "b": ONES}).shape) == (2, 2)
    i1, i2 = lib.Input((1,)), lib.Input((2,))
    nested = lib.Model({"x": i1, "y": {"z": i2}}, {"x": i1 * 2, "y": {"z": i2 + 1}})
    out = nested({"x": np.ones((2, 1)), "y": {"z": np.ones((2, 2))}})
    np.testing.assert_allclose(out["y"]["z"], 2 * np.ones((2, 2)))


@pytest.mark.parametrize("lib", [keras, mk])
def test_extra_dict_key_warns_once_and_is_ignored(lib):
    a = lib.Input((3,), name="a")
    model = lib.Model({"a": a}, a * 5)
    with pytest.warns(UserWarning, match="The structure of `inputs` doesn't match"):
        out = model({"a": ONES, "b": np.ones((2, 1))})
    np.testing.assert_allclose(out, 5 * ONES)


@pytest.mark.parametrize("lib", [keras, mk])
def test_errors_as_keras(lib):
    model = two_inputs(lib)
    with pytest.raises(ValueError, match=r"expects 2 .*input"):
        model(ONES)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 3\), found shape=\(2, 4\)"):
        model([np.ones((2, 4)), ONES])
    with pytest.raises(ValueError, match=r"named input\(s\) with keys"):
        two_inputs(lib, as_dict=True)(ONES)
    x1, x2 = lib.Input((10,), name="IT"), lib.Input((10,), name="IS")
    unsorted = lib.Model({"IT": x1, "IS": x2}, lib.layers.subtract([x1, x2]))
    with pytest.raises(ValueError, match="The structure of `inputs` doesn't match"):
        unsorted([np.ones((1, 10)), np.ones((1, 10))])
    i1, i2 = lib.Input((2,), name="input1"), lib.Input((2,), name="input2")
    with pytest.raises(ValueError, match="Output with path `output2` is not connected"):
        lib.Model(i1, {"output1": i1 * 2, "output2": i2 * 3})


@pytest.mark.parametrize("lib", [keras, mk])
def test_rank_adjusted_by_a_trailing_one(lib):
    inputs = lib.Input((3,), name="foo")
    model = lib.Model(inputs, lib.layers.Dense(3)(inputs))
    assert tuple(model(np.ones((2, 3, 1))).shape) == (2, 3)
    with pytest.raises(ValueError, match="name 'foo' .* path ''"):
        model(np.ones((2, 3, 4)))
    column = lib.Input((3, 1))
    model = lib.Model(column, lib.layers.Dense(3)(column))
    assert tuple(model(np.ones((2, 3))).shape) == (2, 3, 3)


def test_no_warning_for_a_tuple_or_list_of_matching_length():
    model = two_inputs(mk)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model((ONES, ONES))
        model([ONES, ONES])
        model.predict([ONES, ONES], verbose=0)


@pytest.mark.parametrize("lib", [keras, mk])
def test_functional_model_pickles_with_its_weights(lib):
    x = lib.Input((3,), name="input_a")
    model = lib.Model(x, [lib.layers.Dense(1, name="output_a")(x)])
    model.compile()
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(np.asarray(again.predict(ONES, verbose=0)),
                               np.asarray(model.predict(ONES, verbose=0)), rtol=1e-6)


def legacy_config(inbound):
    return {"name": "legacy", "layers": [
        {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
         "config": {"batch_input_shape": [None, 10], "dtype": "float32", "name": "input_1"}},
        {"class_name": "Dense", "name": "node_a", "config": {"units": 10, "name": "node_a"},
         "inbound_nodes": [[[inbound, 0, 0, {}]]]}],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["node_a", 0, 0]]}


@pytest.mark.parametrize("lib", [keras, mk])
def test_keras2_configs(lib):
    model = lib.Model.from_config(legacy_config("input_1"))
    assert tuple(model(np.ones((1, 10))).shape) == (1, 10)
    with pytest.raises(ValueError, match="Missing node: node_b"):
        lib.Model.from_config(legacy_config("node_b"))
    looped = legacy_config("node_a")
    with pytest.raises(ValueError, match="loop"):
        lib.Model.from_config(looped)


@pytest.mark.parametrize("lib", [keras, mk])
def test_layer_with_its_own_compute_output_spec_is_not_traced(lib):
    seen = []

    class Canary(lib.layers.Layer):
        def call(self, x, training=False):
            seen.append(training)
            return x

        def compute_output_spec(self, x, training=False):
            return lib.KerasTensor(x.shape, dtype=x.dtype) if lib is keras else x

    inputs = lib.Input((3,), batch_size=2)
    model = lib.Model(inputs, Canary()(inputs))
    model(np.ones((2, 3)), training=True)
    assert seen == [True]


@pytest.mark.parametrize("lib", [keras, mk])
def test_layer_called_on_two_positional_inputs(lib):
    class AddSecond(lib.layers.Layer):
        def call(self, x, y=None):
            return x if y is None else x + y

    i1, i2 = lib.Input((2,), name="input1"), lib.Input((2,), name="input2")
    model = lib.Model({"input1": i1, "input2": i2}, AddSecond(name="add_second")(i1, i2))
    out = model({"input1": np.ones((2, 2)), "input2": np.ones((2, 2))})
    np.testing.assert_allclose(out, 2 * np.ones((2, 2)))
    with pytest.raises(ValueError, match="The input 'input2' is not optional"):
        model({"input1": np.ones((2, 2)), "input2": None})
    if lib is mk:
        again = mk.Model.from_config(model.get_config(), {"AddSecond": AddSecond})
        np.testing.assert_allclose(again({"input1": np.ones((2, 2)),
                                          "input2": np.ones((2, 2))}), out)


@pytest.mark.parametrize("lib", [keras, mk])
def test_none_for_a_required_input_in_fit(lib):
    x = lib.layers.Input((3,), name="x")
    model = lib.Model(x, lib.layers.Dense(1)(x))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="not optional"):
        model.fit([None], np.ones((4, 1)), epochs=1, verbose=0)


@pytest.mark.parametrize("lib", [keras, mk])
def test_export_refuses_an_unknown_format(lib, tmp_path):
    with pytest.raises(ValueError, match="Unrecognized format="):
        two_inputs(lib).export(str(tmp_path / "out"), format="bad_format")


@pytest.mark.parametrize("lib", [keras, mk])
def test_list_for_dict_inputs_warns_in_predict(lib):
    i1, i2 = lib.Input((2,)), lib.Input((2,))
    model = lib.Model({"i1": i1, "i2": i2}, lib.layers.Add()([i1, i2]))
    with pytest.warns(UserWarning, match="The structure of `inputs` doesn't match"):
        out = model.predict([np.ones((2, 2)), np.zeros((2, 2))], verbose=0)
    np.testing.assert_allclose(out, np.ones((2, 2)))


@pytest.mark.parametrize("lib", [keras, mk])
def test_model_from_a_tensor_inside_a_graph(lib):
    inputs = lib.Input((None, 2), name="input")
    x1 = lib.layers.Dense(3, name="dense1")(inputs)
    x2 = lib.layers.Dense(4, name="dense2")(x1)
    outputs = lib.layers.Dense(5, name="dense3")(x2)
    full = lib.Model(inputs, outputs)
    tail = lib.Model(full.get_layer("dense2").input, outputs)
    assert [type(layer).__name__ for layer in tail.layers] == ["InputLayer", "Dense", "Dense"]
    assert [layer.name for layer in tail.layers[1:]] == ["dense2", "dense3"]
    data = np.ones((2, 3, 2), "float32")
    hidden = full.get_layer("dense1")(data)
    np.testing.assert_allclose(tail(hidden), full(data), rtol=1e-6)
    again = lib.Model.from_config(tail.get_config())
    assert [layer.name for layer in again.layers[1:]] == ["dense2", "dense3"]


@pytest.mark.parametrize("lib", [keras, mk])
def test_symbolic_tensor_passed_by_keyword(lib):
    x = lib.layers.Input(batch_shape=(4, 2), dtype="int32")
    w = lib.layers.Input(batch_shape=(4, 2), dtype="float32")
    out = lib.layers.CategoryEncoding(num_tokens=6, output_mode="count")(x, count_weights=w)
    model = lib.Model([x, w], out)
    ids = np.array([[0, 1], [0, 0], [1, 2], [3, 1]])
    weights = np.array([[0.1, 0.2], [0.1, 0.1], [0.2, 0.3], [0.4, 0.2]])
    np.testing.assert_allclose(np.asarray(model([ids, weights]))[3],
                               [0.0, 0.2, 0.0, 0.4, 0.0, 0.0], rtol=1e-6)
    if lib is mk:
        again = mk.Model.from_config(model.get_config())
        np.testing.assert_allclose(again([ids, weights]), model([ids, weights]))
