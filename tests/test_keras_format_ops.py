"""Operation nodes (``x * 2``, ``x[:, :2]``, ``ops.sum(x, axis=1)``...) through keras's .keras
format and interop, both ways, against keras."""
import inspect

import keras
import keras.src.ops as keras_ops_modules
import numpy as np
import pytest

import minikeras as mk
from minikeras.saving.keras_ops import KERAS_OPS

rng = np.random.default_rng(11)
X = rng.normal(size=(5, 4)).astype("float32")


def test_the_table_is_kerass():
    for name, (module, cls, init) in KERAS_OPS.items():
        op_class = getattr(getattr(keras_ops_modules, module), cls)
        params = tuple(p.name for p in inspect.signature(op_class.__init__).parameters.values()
                       if p.name not in ("self", "name")
                       and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
        assert params == init, name
        assert hasattr(mk.ops, name) and hasattr(keras.ops, name)


def graph(lib):
    """One input through operators, indexing and keras.ops calls given positionally, by
    keyword, on lists of tensors, with several outputs and with varargs."""
    ops = lib.ops
    a = lib.Input((4,), name="a")
    x = -(a * 2.0 + 1.0) / 3.0
    y = x[:, :2]
    z = x[..., None][:, 1:3, 0]
    c = ops.concatenate([y, z], axis=-1)
    s = ops.sum(ops.square(c), 1, keepdims=True)
    m = ops.mean(ops.clip(x, -0.5, 0.5), axis=-1)
    first, second = ops.split(x, 2, axis=1)
    e = ops.einsum("ij,ij->i", first, second)
    t = ops.transpose(ops.expand_dims(x, 1), axes=(0, 2, 1))
    h = lib.layers.Dense(3, name="dense")(ops.relu(c))
    return lib.Model(a, [h, s, ops.stack([m, e], axis=1), ops.reshape(t, (-1, 4))])


def outputs(model):
    return [np.asarray(o) for o in model(X)]


def test_our_file_opens_in_keras_and_theirs_in_minikeras(tmp_path):
    ours, theirs = graph(mk), graph(keras)
    ours.set_weights(theirs.get_weights())
    for a, b in zip(outputs(ours), outputs(theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    ours.save(str(tmp_path / "ours.keras"))
    in_keras = keras.models.load_model(str(tmp_path / "ours.keras"))
    theirs.save(str(tmp_path / "theirs.keras"))
    in_ours = mk.models.load_model(str(tmp_path / "theirs.keras"))
    back = mk.models.load_model(str(tmp_path / "ours.keras"))
    for model in (in_keras, in_ours, back):
        for a, b in zip(outputs(model), outputs(ours)):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert [layer.name for layer in in_ours.layers] == [layer.name for layer in ours.layers]


def test_interop_converts_operation_nodes_both_ways():
    ours, theirs = graph(mk), graph(keras)
    converted = mk.interop.from_keras(theirs)
    for a, b in zip(outputs(converted), outputs(theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    back = mk.interop.to_keras(ours)
    for a, b in zip(outputs(back), outputs(ours)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_what_cannot_be_written_or_read_is_refused(tmp_path):
    a = mk.Input((4,))
    constant = mk.Model(a, mk.ops.multiply(a, np.arange(4, dtype=np.float32)))
    path = tmp_path / "constant.keras"
    with pytest.raises(ValueError, match="NumPy constant.*minikeras format"):
        constant.save(str(path))
    assert not path.exists()
    constant.save(str(tmp_path / "constant.minikeras"))  # the own format keeps it
    k = keras.Input((4,))
    unknown = keras.Model(k, keras.ops.cosh(k))
    unknown.save(str(path))
    with pytest.raises(ValueError, match="Cosh.*minikeras does not have"):
        mk.models.load_model(str(path))
