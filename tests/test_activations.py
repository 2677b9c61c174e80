"""minikeras.activations against keras.activations on the same inputs, and `get()`."""
import math
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

import minikeras as mk  # noqa: E402
from minikeras import activations  # noqa: E402

assert keras.backend.backend() == "tensorflow"

_rng = np.random.default_rng(0)
GRID = np.concatenate(
    [
        np.linspace(-12.0, 12.0, 97),
        [0.0, -0.0, 1e-30, -1e-30, 1e-7, -1e-7, 2.9999, 3.0, 3.0001, -3.0, -3.0001, 6.0],
        [20.0, -20.0, 88.0, -88.0, 89.0, -104.0, 1e3, -1e3, 1e6, -1e6, 1e30, -1e30, 3e38, -3e38],
        [np.inf, -np.inf],
        _rng.normal(0.0, 5.0, size=200),
    ]
).astype(np.float32)

# (name, keyword arguments) for every function; keras's function of the same name is the
# reference.
ELEMENTWISE_CASES = [
    ("sigmoid", {}),
    ("tanh", {}),
    ("relu", {}),
    ("elu", {}),
    ("elu", {"alpha": 0.5}),
    ("selu", {}),
    ("softplus", {}),
    ("softsign", {}),
    ("silu", {}),
    ("swish", {}),
    ("gelu", {}),
    ("gelu", {"approximate": True}),
    ("leaky_relu", {}),
    ("leaky_relu", {"negative_slope": 0.01}),
    ("hard_sigmoid", {}),
    ("exponential", {}),
] + [
    ("relu", {"negative_slope": s, "max_value": m, "threshold": t})
    for s in (0.0, 0.1)
    for m in (None, 6.0, 6, 2.5)
    for t in (0.0, 0.5, -1.0)
] + [
    ("relu6", {}), ("celu", {}), ("celu", {"alpha": 0.5}), ("squareplus", {}),
    ("squareplus", {"b": 1.5}), ("soft_shrink", {}), ("soft_shrink", {"threshold": 1.5}),
    ("hard_shrink", {}), ("hard_shrink", {"threshold": 2.0}), ("tanh_shrink", {}),
    ("sparse_plus", {}), ("sparse_sigmoid", {}), ("hard_silu", {}), ("hard_swish", {}),
    ("hard_tanh", {}), ("mish", {}), ("log_sigmoid", {}),
    ("threshold", {"threshold": 0.5, "default_value": -2.0}),
]


def _assert_close(ours, ref):
    # minikeras uses the TF ops keras's TF backend uses, so the results are bitwise equal
    # (NaN where keras gives NaN, e.g. gelu(-inf)).
    ours = np.asarray(ours)
    ref = np.asarray(ref)
    assert ours.dtype == ref.dtype
    assert ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("name,kwargs", ELEMENTWISE_CASES, ids=lambda v: str(v))
def test_elementwise_matches_keras(name, kwargs):
    ours = getattr(activations, name)(tf.constant(GRID), **kwargs)
    ref = getattr(keras.activations, name)(tf.constant(GRID), **kwargs)
    assert ours.dtype == tf.float32
    _assert_close(ours, ref)


@pytest.mark.parametrize("name,kwargs", ELEMENTWISE_CASES[:16], ids=lambda v: str(v))
def test_elementwise_keeps_shape_on_4d_input(name, kwargs):
    x = _rng.normal(0.0, 4.0, size=(2, 3, 4, 5)).astype(np.float32)
    _assert_close(getattr(activations, name)(x, **kwargs), getattr(keras.activations, name)(x, **kwargs))


@pytest.mark.parametrize("axis", [-1, 0, 1, 2])
def test_softmax_matches_keras(axis):
    x = np.concatenate([_rng.normal(0.0, 10.0, size=(4, 6, 5)), np.full((1, 6, 5), 500.0)])
    x = x.astype(np.float32)
    ours = activations.softmax(x, axis=axis)
    _assert_close(ours, keras.activations.softmax(tf.constant(x), axis=axis))
    np.testing.assert_allclose(np.sum(ours, axis=axis), 1.0, rtol=1e-5)


def test_softmax_default_axis_is_last():
    x = _rng.normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_array_equal(activations.softmax(x), activations.softmax(x, axis=1))


def test_softmax_over_size_one_axis_warns():
    with pytest.warns(UserWarning, match="size 1"):
        activations.softmax(np.zeros((4, 1), np.float32))


# Independent references, in float64, from the textbook formulas.
def _gelu_exact(v):
    return 0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0)))


def _hard_sigmoid(v):
    return min(max(v / 6.0 + 0.5, 0.0), 1.0)


def _selu(v):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return scale * (v if v > 0 else alpha * math.expm1(v))


@pytest.mark.parametrize(
    "fn,ref",
    [
        (activations.gelu, _gelu_exact),
        (activations.hard_sigmoid, _hard_sigmoid),
        (activations.selu, _selu),
        (activations.softsign, lambda v: v / (1 + abs(v))),
        (activations.leaky_relu, lambda v: v if v >= 0 else 0.2 * v),
        (activations.elu, lambda v: v if v > 0 else math.expm1(v)),
        (activations.silu, lambda v: v / (1 + math.exp(-v))),
    ],
)
def test_against_textbook_formula(fn, ref):
    xs = np.linspace(-8.0, 8.0, 161).astype(np.float32)
    expected = np.array([ref(float(v)) for v in xs])
    np.testing.assert_allclose(np.asarray(fn(xs), np.float64), expected, rtol=2e-6, atol=1e-7)


def test_hard_sigmoid_is_keras3_formula_not_keras2():
    # keras 2 used 0.2 * x + 0.5 (saturating at +-2.5); keras 3 uses x / 6 + 0.5.
    out = activations.hard_sigmoid([-3.0, -2.5, 0.0, 1.5, 3.0]).numpy()
    np.testing.assert_allclose(out, [0.0, 1.0 / 12.0, 0.5, 0.75, 1.0], rtol=1e-6)


def test_linear_returns_the_same_object():
    for x in (tf.constant([1.0, -2.0]), np.array([1.0]), [1.0, 2.0], 3.0):
        assert activations.linear(x) is x


def test_swish_is_silu():
    assert activations.swish is activations.silu


def test_integer_input_is_computed_in_float32():
    out = activations.relu(tf.constant([-1, 2]))
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(out, [0.0, 2.0])


def test_float64_input_stays_float64():
    x = np.array([-1.5, 0.5])
    _assert_close(activations.gelu(x), keras.activations.gelu(tf.constant(x)))


# ---------------------------------------------------------------- get / serialize / deserialize

NAMES = [
    "linear", "sigmoid", "tanh", "relu", "softmax", "elu", "selu", "softplus", "softsign",
    "silu", "swish", "gelu", "leaky_relu", "hard_sigmoid", "exponential",
    "relu6", "celu", "glu", "squareplus", "soft_shrink", "hard_shrink", "tanh_shrink",
    "sparse_plus", "sparse_sigmoid", "hard_silu", "hard_swish", "hard_tanh", "mish",
    "log_sigmoid", "sparsemax", "threshold",
]


@pytest.mark.parametrize("name", NAMES)
def test_get_name_returns_the_function_keras_returns(name):
    fn = activations.get(name)
    assert fn is getattr(activations, name)
    assert fn.__name__ == keras.activations.get(name).__name__


def test_get_none_is_linear():
    assert activations.get(None) is activations.linear


def test_get_callable_is_returned_as_is():
    def custom(x):
        return x * 2

    assert activations.get(custom) is custom
    assert activations.get(keras.activations.relu) is keras.activations.relu


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Could not interpret activation function identifier") as info:
        activations.get("rleu")
    message = str(info.value)
    assert "rleu" in message
    for name in ("relu", "softmax", "gelu", "swish"):
        assert name in message
    with pytest.raises(ValueError):
        keras.activations.get("rleu")  # keras agrees it is an error


def test_get_is_case_sensitive_like_keras():
    with pytest.raises(ValueError):
        activations.get("ReLU")
    with pytest.raises(ValueError):
        keras.activations.get("ReLU")


@pytest.mark.parametrize("bad", [3, 2.5, ["relu"], b"relu"])
def test_get_rejects_non_callables(bad):
    with pytest.raises(TypeError):
        activations.get(bad)


@pytest.mark.parametrize("name", NAMES)
def test_serialize_round_trip_and_keras_names(name):
    fn = getattr(activations, name)
    serialized = activations.serialize(fn)
    assert serialized == keras.activations.serialize(getattr(keras.activations, name))
    assert activations.deserialize(serialized) is fn


def test_serialize_rejects_unregistered_callable():
    with pytest.raises(ValueError):
        activations.serialize(lambda x: x)
    with pytest.raises(ValueError):
        activations.serialize(keras.activations.relu)


def test_deserialize_accepts_only_names():
    with pytest.raises(TypeError):
        activations.deserialize(activations.relu)
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.deserialize("os.system")


@pytest.mark.parametrize("axis", [(1, 2), (0, 2), (2, 3), (1, 2, 3)])
def test_softmax_and_log_softmax_over_axis_tuples_match_keras(axis):
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5)).astype("float32")
    np.testing.assert_allclose(activations.softmax(x, axis=axis),
                               keras.activations.softmax(x, axis=axis), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(activations.log_softmax(x, axis=axis),
                               keras.activations.log_softmax(x, axis=axis), rtol=1e-6,
                               atol=1e-6)
    # keras fails on negative axes in a tuple; minikeras takes them
    negative = tuple(a - 4 for a in axis)
    np.testing.assert_allclose(activations.softmax(x, axis=negative),
                               activations.softmax(x, axis=axis), rtol=0, atol=0)
    np.testing.assert_allclose(activations.get("log_softmax")(x),
                               keras.activations.log_softmax(x), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,axis", [("glu", -1), ("glu", 0), ("sparsemax", -1),
                                       ("sparsemax", 1)])
def test_axis_activations_match_keras(name, axis):
    x = tf.constant(_rng.normal(0.0, 3.0, size=(4, 6, 8)).astype(np.float32))
    _assert_close(getattr(activations, name)(x, axis=axis),
                  getattr(keras.activations, name)(x, axis=axis))


def test_glu_needs_an_even_axis():
    with pytest.raises(ValueError, match="divisible by 2"):
        activations.glu(tf.ones((2, 3)))


@pytest.mark.parametrize("name", ["mish", "celu", "hard_silu", "sparse_plus", "squareplus"])
def test_new_activations_train_in_a_dense_layer_like_keras(name):
    x = _rng.normal(size=(16, 3)).astype(np.float32)
    grads = []
    for lib in (keras, mk):
        layer = lib.layers.Dense(2, activation=name, kernel_initializer="ones")
        with tf.GradientTape() as tape:
            out = layer(x)
            loss = tf.reduce_sum(out * out)
        grads.append(tape.gradient(loss, layer.trainable_weights[0]))
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)
