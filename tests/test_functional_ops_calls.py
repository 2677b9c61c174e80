"""minikeras.ops functions on a functional model's symbolic tensors (``ops.concatenate([a, b])``
on Inputs), against keras.ops: outputs, training, saving, to_keras, bad arguments."""
import json

import keras
import numpy as np
import pytest

import minikeras as mk
from minikeras.layers.operations import Operation

rng = np.random.default_rng(5)
XA = rng.normal(size=(6, 3)).astype("float32")
XB = rng.normal(size=(6, 2)).astype("float32")
Y = rng.normal(size=(6, 1)).astype("float32")


def ops_model(lib):
    """A two-input model whose graph goes through keras.ops calls between layers, with
    keyword arguments, a list of tensors, a multi-output op and a static-shape query."""
    ops = lib.ops
    a, b = lib.Input((3,), name="a"), lib.Input((2,), name="b")
    x = ops.concatenate([a, ops.square(b)], axis=-1)
    first, second = ops.split(x, 2, axis=-1) if ops.shape(x)[-1] % 2 == 0 else (x, x)
    h = lib.layers.Dense(4, name="hidden")(ops.relu(ops.subtract(first, second) * 0.5))
    pooled = ops.mean(ops.expand_dims(h, 1), axis=1, keepdims=False)
    return lib.Model([a, b], lib.layers.Dense(1, name="out")(pooled))


def test_ops_on_inputs_match_keras_outputs_and_training():
    ours, ref = ops_model(mk), ops_model(keras)
    ours.set_weights(ref.get_weights())
    assert ours.output.shape == tuple(ref.output.shape)
    np.testing.assert_allclose(ours([XA, XB]), ref([XA, XB]), rtol=1e-5, atol=1e-6)
    assert [layer.name for layer in ours.layers] == [layer.name for layer in ref.layers]
    histories = []
    for model in (ref, ours):
        model.compile(optimizer="sgd", loss="mse")
        histories.append(model.fit([XA, XB], Y, batch_size=3, epochs=2, shuffle=False,
                                   verbose=0).history["loss"])
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-5)


def test_static_queries_answer_from_the_shape():
    x = mk.Input((3, 4))
    assert mk.ops.shape(x) == (None, 3, 4)
    assert mk.ops.ndim(x) == 3
    assert mk.ops.convert_to_tensor(x) is x


def test_ops_calls_round_trip_through_config_file_and_keras(tmp_path):
    model = ops_model(mk)
    config = model.get_config()
    json.dumps(config)  # JSON data only
    clone = mk.Model.from_config(config)
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone([XA, XB]), model([XA, XB]), rtol=1e-6)
    path = str(tmp_path / "ops_calls.minikeras")
    model.save(path)
    loaded = mk.models.load_model(path)
    np.testing.assert_allclose(loaded([XA, XB]), model([XA, XB]), rtol=1e-6)
    converted = mk.interop.to_keras(model)
    np.testing.assert_allclose(converted([XA, XB]), model([XA, XB]), rtol=1e-5, atol=1e-6)


def test_bad_operation_arguments_are_refused():
    with pytest.raises(ValueError, match="Unknown operation"):
        Operation("ops.not_a_function", arguments={"args": [], "kwargs": {}})
    with pytest.raises(ValueError, match="'args'.*'kwargs'"):
        Operation("ops.relu", arguments={"args": []})
    with pytest.raises(TypeError, match="numbers, strings, None, lists and dicts"):
        Operation("ops.relu", arguments={"args": [object()], "kwargs": {}})
    op = Operation("ops.relu", arguments={"args": [{"__tensor__": 3}], "kwargs": {}})
    with pytest.raises(ValueError, match="refer to input 3"):
        op(np.ones((1, 2), np.float32))
    with pytest.raises(TypeError, match="ops.add on symbolic tensors"):
        mk.ops.add(mk.Input((2,)), np.array(["a", "b"]))
    with pytest.raises(ValueError, match="numeric dtype"):
        Operation("ops.add", arguments={"args": [{"__tensor__": 0}, {"__array__": [1],
                                                                     "dtype": "object"}],
                                        "kwargs": {}})(np.ones((1, 1), np.float32))


def test_numpy_constants_are_kept_as_data():
    scale = np.array([1.0, 2.0, 3.0], np.float32)
    outs = []
    for lib in (keras, mk):
        a = lib.Input((3,))
        model = lib.Model(a, lib.ops.multiply(a, scale))
        outs.append(np.asarray(model(XA)))
    np.testing.assert_allclose(outs[1], outs[0])
    clone = mk.Model.from_config(json.loads(json.dumps(model.get_config())))
    np.testing.assert_allclose(clone(XA), outs[1])
