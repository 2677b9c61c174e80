"""minikeras.ops against keras.ops on the same inputs: values and dtypes, for every name."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk
from minikeras import ops

rng = np.random.default_rng(0)
A = rng.normal(size=(3, 4)).astype("float32")
B = rng.normal(size=(3, 4)).astype("float32")
M = rng.normal(size=(4, 2)).astype("float32")
V = rng.normal(size=(4,)).astype("float32")
I = np.array([[1, 2, 3], [4, 5, 6]], "int32")  # noqa: E741
P = np.abs(A) + 0.1
LABELS = np.array([0, 2, 1], "int32")
PROBS = tf.nn.softmax(A[:, :3]).numpy()

CASES = {
    "abs": [(A,), (I,)], "absolute": [(A,)], "add": [(A, B), (I, 2), (A, 1.5)],
    "all": [(A > 0,), (A > 0, 1)], "amax": [(A,)], "amin": [(A, 0)], "any": [(A > 0, 0)],
    "arange": [(5,), (1, 7, 2), (0.0, 1.0, 0.25)], "argmax": [(A,), (A, 1), (A, 0, True)],
    "argmin": [(A, -1)], "argsort": [(A,)], "cast": [(A, "int32"), (I, "float32")],
    "ceil": [(A,)], "clip": [(A, -0.5, 0.5), (I, 2, 4)], "concatenate": [([A, B], 1), ([A, B],)],
    "convert_to_numpy": [(A,)], "convert_to_tensor": [(A,), (I, "float32"), (1.5,)],
    "cos": [(A,)], "cumsum": [(A,), (A, 1)], "divide": [(A, B), (I, 2)],
    "dot": [(A, M), (V, V), (A, V)], "einsum": [("ij,jk->ik", A, M)],
    "equal": [(I, 2)], "exp": [(A,), (I,)], "expand_dims": [(A, 1)],
    "eye": [(3,), (3, 4, 1), (4, 3, -1)], "floor": [(A,)], "full": [((2, 3), 1.5), ((2,), 3)],
    "full_like": [(A, 2.0)], "greater": [(A, B)], "greater_equal": [(A, 0.0)],
    "identity": [(3,)], "isfinite": [(A,)], "isnan": [(A,)], "less": [(A, B)],
    "less_equal": [(A, 0.0)], "linspace": [(0.0, 1.0, 5), (0.0, 1.0, 4, False)],
    "log": [(P,)], "log1p": [(P,)], "logical_and": [(A > 0, B > 0)],
    "logical_not": [(A > 0,)], "logical_or": [(A > 0, B > 0)], "logsumexp": [(A, 1)],
    "matmul": [(A, M), (A, V)], "max": [(A,), (A, 1, True)], "maximum": [(A, B), (A, 0.0)],
    "mean": [(A,), (A, 0), (I,)], "min": [(A, 0)], "minimum": [(A, B)],
    "multiply": [(A, B), (I, 3)], "ndim": [(A,)], "negative": [(A,)],
    "norm": [(V,), (A,), (A, None, 1)], "not_equal": [(I, 2)],
    "one_hot": [(LABELS, 3)], "ones": [((2, 3),)], "ones_like": [(A,)],
    "power": [(P, 2.0), (I, 2)], "prod": [(A, 1)], "repeat": [(A, 2, 1), (A, 2)],
    "reshape": [(A, (2, 6)), (A, (-1,))], "round": [(A,), (A, 2)], "shape": [(A,)],
    "sign": [(A,)], "sin": [(A,)], "size": [(A,)], "sort": [(A,), (A, 0)],
    "split": [(A, 2, 1), (A, [1, 3], 1)], "sqrt": [(P,), (I,)], "square": [(A,)],
    "squeeze": [(A[:, :1],), (A[:1], 0)], "stack": [([A, B],), ([A, B], 1)],
    "std": [(A,), (A, 1)], "stop_gradient": [(A,)], "subtract": [(A, B)],
    "sum": [(A,), (A, 1, True), (I,)], "take": [(A, [0, 2], 1), (A, [1, 5])],
    "take_along_axis": [(A, np.argsort(A, axis=1), 1)], "tanh": [(A,)],
    "tile": [(A, 2), (A, (2, 1))], "top_k": [(V, 2)], "transpose": [(A,), (A, (1, 0))],
    "var": [(A, 0)], "where": [(A > 0, A, B), (A > 0, A, 0.0), (A > 0,)],
    "zeros": [((2,),), ((2, 2), "int32")], "zeros_like": [(A,)],
    # nn
    "relu": [(A,)], "relu6": [(A * 10,)], "sigmoid": [(A,)], "softplus": [(A,)],
    "softsign": [(A,)], "silu": [(A,)], "swish": [(A,)], "gelu": [(A,), (A, False)],
    "elu": [(A,)], "selu": [(A,)], "hard_sigmoid": [(A,)], "leaky_relu": [(A,), (A, 0.1)],
    "softmax": [(A,), (A, 0)], "log_softmax": [(A,)],
    "binary_crossentropy": [((A > 0).astype("float32"), tf.sigmoid(A).numpy()),
                            ((A > 0).astype("float32"), A, True)],
    "categorical_crossentropy": [(np.eye(3, dtype="float32")[LABELS], PROBS),
                                 (np.eye(3, dtype="float32")[LABELS], A[:, :3], True)],
    "sparse_categorical_crossentropy": [(LABELS, PROBS), (LABELS, A[:, :3], True)],
    "moments": [(A, [0]), (A, [1], True)],
}


def _numpy(value):
    if isinstance(value, tuple | list):
        return [_numpy(v) for v in value]
    return keras.ops.convert_to_numpy(value) if not isinstance(value, int) else np.asarray(value)


def test_every_name_is_covered():
    assert sorted(set(ops.__all__) - {"nn"}) == sorted(CASES)
    assert all(hasattr(keras.ops, name) for name in CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras_ops(name):
    for args in CASES[name]:
        ours, ref = getattr(ops, name)(*args), getattr(keras.ops, name)(*args)
        a, b = _numpy(ours), _numpy(ref)
        if isinstance(b, list):
            assert len(a) == len(b), (name, args)
        else:
            a, b = [a], [b]
        for x, y in zip(a, b):
            x, y = np.asarray(x), np.asarray(y)
            assert x.dtype == y.dtype, (name, args, x.dtype, y.dtype)
            np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-6, err_msg=f"{name}{args}")


def test_used_in_a_custom_layer_trains_like_keras():
    """The Keras 3 guide's Linear layer written with ops, inside fit."""
    def linear_class(lib):
        class Linear(lib.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones")
                self.b = self.add_weight(shape=(2,), initializer="zeros")

            def call(self, inputs):
                return lib.ops.matmul(inputs, self.w) + self.b
        return Linear

    results = []
    for lib in (keras, mk):
        model = lib.Sequential([lib.Input((4,)), linear_class(lib)()])
        model.compile(optimizer=lib.optimizers.SGD(0.01), loss="mse")
        history = model.fit(A, B[:, :2], epochs=3, batch_size=2, shuffle=False, verbose=0)
        results.append((history.history["loss"], model.get_weights()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5)
    for a, b in zip(results[1][1], results[0][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_a_missing_name_says_which():
    with pytest.raises(AttributeError, match="fft"):
        ops.fft  # noqa: B018
