"""Parity of minikeras.losses with keras 3 on identical inputs, plus hand-computed values.

Expected values come from keras (imported as the reference) or from numpy arithmetic,
never from minikeras itself.
"""
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras.src.trainers import compile_utils as keras_compile_utils

from minikeras import losses

RTOL, ATOL = 1e-6, 1e-7
N = 7


def close(actual, expected, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=rtol, atol=atol)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def probs(rng, shape, extremes=False):
    p = rng.uniform(0.01, 0.99, size=shape).astype("float32")
    if extremes:  # hits both clip bounds and exact 0 / 1
        flat = p.reshape(-1)
        flat[:4] = [0.0, 1.0, 1e-9, 1 - 1e-9]
    return p


def softmax_rows(rng, n, k, scale=1.0):
    z = (rng.normal(size=(n, k)) * scale).astype("float32")
    return z, tf.nn.softmax(z).numpy()


def binary_targets(rng, shape):
    return (rng.random(shape) > 0.5).astype("float32")


def one_hot(rng, n, k):
    return np.eye(k, dtype="float32")[rng.integers(0, k, n)]


# ------------------------------------------------------------------ function forms


@pytest.mark.parametrize("name", ["mean_squared_error", "mean_absolute_error", "huber"])
@pytest.mark.parametrize("shape", [(N, 3), (N, 1), (N,)])
def test_regression_functions_match_keras(rng, name, shape):
    y = rng.normal(size=shape).astype("float32")
    p = rng.normal(size=shape).astype("float32") * 2
    close(getattr(losses, name)(y, p), getattr(keras.losses, name)(y, p))


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_huber_delta_matches_keras_and_hand_arithmetic(rng, delta):
    y = np.zeros((1, 4), "float32")
    p = np.array([[0.25, -0.5, 1.5, -3.0]], "float32")
    err = np.abs(p.astype("float64"))
    hand = np.where(err <= delta, 0.5 * err**2, delta * err - 0.5 * delta**2).mean(-1)
    close(losses.huber(y, p, delta=delta), hand)
    close(losses.huber(y, p, delta=delta), keras.losses.huber(y, p, delta=delta))


def test_function_forms_keep_float64_like_keras(rng):
    y, p = rng.normal(size=(N, 2)), rng.normal(size=(N, 2))
    out, ref = losses.mean_squared_error(y, p), keras.losses.mean_squared_error(y, p)
    assert out.dtype == ref.dtype == tf.float64
    close(out, ref, rtol=1e-12)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("extremes", [False, True])
@pytest.mark.parametrize("shape", [(N, 1), (N, 4)])
def test_binary_crossentropy_function(rng, smoothing, extremes, shape):
    y, p = binary_targets(rng, shape), probs(rng, shape, extremes)
    close(losses.binary_crossentropy(y, p, label_smoothing=smoothing),
          keras.losses.binary_crossentropy(y, p, label_smoothing=smoothing))
    z = rng.normal(size=shape).astype("float32") * 10
    close(losses.binary_crossentropy(y, z, from_logits=True, label_smoothing=smoothing),
          keras.losses.binary_crossentropy(y, z, from_logits=True, label_smoothing=smoothing))


def test_binary_crossentropy_hand_values():
    # keras's docstring example, recomputed by hand in float64.
    y = np.array([[0, 1], [0, 0]], "float32")
    p = np.array([[0.6, 0.4], [0.4, 0.6]], "float32")
    hand = [-(np.log(0.4) + np.log(0.4)) / 2, -(np.log(0.4) + np.log(0.6)) / 2]
    close(losses.binary_crossentropy(y, p), hand, rtol=1e-6)
    # Clipping: p = 0 for a positive target costs -log(1e-7), not inf.
    close(losses.binary_crossentropy(np.ones((1, 1)), np.zeros((1, 1), "float32")),
          [-np.log(np.float32(1e-7))], rtol=1e-6)


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("extremes", [False, True])
def test_categorical_crossentropy_function(rng, smoothing, extremes):
    y = one_hot(rng, N, 4)
    p = probs(rng, (N, 4), extremes) * 3  # unnormalized on purpose: keras renormalizes
    close(losses.categorical_crossentropy(y, p, label_smoothing=smoothing),
          keras.losses.categorical_crossentropy(y, p, label_smoothing=smoothing))
    z, _ = softmax_rows(rng, N, 4, scale=5)
    close(losses.categorical_crossentropy(y, z, from_logits=True, label_smoothing=smoothing),
          keras.losses.categorical_crossentropy(y, z, from_logits=True, label_smoothing=smoothing))


def test_categorical_crossentropy_axis(rng):
    y = np.moveaxis(one_hot(rng, 2 * N, 3).reshape(N, 2, 3), -1, 1)  # classes on axis 1
    p = probs(rng, y.shape)
    close(losses.categorical_crossentropy(y, p, axis=1),
          keras.losses.categorical_crossentropy(y, p, axis=1))


@pytest.mark.parametrize("label_shape", [(N,), (N, 1)])
@pytest.mark.parametrize("extremes", [False, True])
def test_sparse_categorical_crossentropy_function(rng, label_shape, extremes):
    y = rng.integers(0, 4, size=label_shape)
    p = probs(rng, (N, 4), extremes)
    p = p / p.sum(-1, keepdims=True)
    close(losses.sparse_categorical_crossentropy(y, p),
          keras.losses.sparse_categorical_crossentropy(y, p))
    z, _ = softmax_rows(rng, N, 4, scale=5)
    close(losses.sparse_categorical_crossentropy(y, z, from_logits=True),
          keras.losses.sparse_categorical_crossentropy(y, z, from_logits=True))


def test_function_shape_errors_name_both_shapes(rng):
    y, p = binary_targets(rng, (N,)), probs(rng, (N, 1))
    with pytest.raises(ValueError):  # keras rejects it too ...
        keras.losses.binary_crossentropy(y, p)
    with pytest.raises(ValueError, match=r"\(7,\).*\(7, 1\)"):  # ... and so do we
        losses.binary_crossentropy(y, p)
    with pytest.raises(ValueError, match=r"\(7, 3\).*\(7, 3\)"):
        losses.sparse_categorical_crossentropy(one_hot(rng, N, 3), probs(rng, (N, 3)))
    with pytest.raises(ValueError, match=r"\(7, 3\).*\(7, 2\)"):
        losses.mean_squared_error(np.zeros((N, 3)), np.zeros((N, 2)))
    with pytest.raises(ValueError, match=r"\(7, 3\).*\(7, 2\)"):
        losses.categorical_crossentropy(np.zeros((N, 3)), np.ones((N, 2)))


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean",
                                       "mean_with_sample_weight", None])
@pytest.mark.parametrize("label_shape", [(N,), (N, 1), (N, 4)])
def test_ignore_class_matches_keras(from_logits, reduction, label_shape):
    rng = np.random.default_rng(3)
    y = rng.integers(-1, 3, label_shape)
    p = (rng.normal(size=(*label_shape, 3)) if len(label_shape) == 2 and label_shape[1] == 4
         else rng.normal(size=(N, 3))).astype("float32")
    if not from_logits:
        p = tf.nn.softmax(p).numpy()
    sw = rng.uniform(0.1, 2.0, size=label_shape[:1] + label_shape[1:][:1]).astype("float32")
    ours = losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=-1,
                                                reduction=reduction)
    theirs = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits,
                                                       ignore_class=-1, reduction=reduction)
    for weight in (None, sw):
        np.testing.assert_allclose(ours(y, p, sample_weight=weight),
                                   theirs(y, p, sample_weight=weight), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        losses.sparse_categorical_crossentropy(y, p, from_logits=from_logits, ignore_class=-1),
        keras.losses.sparse_categorical_crossentropy(y, p, from_logits=from_logits,
                                                     ignore_class=-1), rtol=1e-6, atol=1e-6)
    with pytest.raises(TypeError, match="ignore_class"):
        losses.SparseCategoricalCrossentropy(ignore_class="padding")


# ------------------------------------------------------------------- Loss classes


def _class_cases(rng):
    yb, pb = binary_targets(rng, (N, 1)), probs(rng, (N, 1), extremes=True)
    yc, pc = one_hot(rng, N, 3), probs(rng, (N, 3), extremes=True)
    ys = rng.integers(0, 3, N)
    yr, pr = rng.normal(size=(N, 1)).astype("float32"), rng.normal(size=(N, 1)).astype("float32")
    return [
        ("MeanSquaredError", {}, yr, pr),
        ("MeanAbsoluteError", {}, yr, pr),
        ("Huber", {"delta": 0.7}, yr, pr * 2),
        ("BinaryCrossentropy", {}, yb, pb),
        ("BinaryCrossentropy", {"label_smoothing": 0.1}, yb, pb),
        ("BinaryCrossentropy", {"from_logits": True}, yb, pr * 8),
        ("CategoricalCrossentropy", {}, yc, pc),
        ("CategoricalCrossentropy", {"label_smoothing": 0.3}, yc, pc),
        ("CategoricalCrossentropy", {"from_logits": True}, yc, pc * 9 - 4),
        ("SparseCategoricalCrossentropy", {}, ys, pc / pc.sum(-1, keepdims=True)),
        ("SparseCategoricalCrossentropy", {"from_logits": True}, ys[:, None], pc * 9 - 4),
    ]


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none", None])
@pytest.mark.parametrize("weight_shape", [None, (N,), (N, 1)])
def test_loss_classes_match_keras(rng, reduction, weight_shape):
    sw = None if weight_shape is None else rng.uniform(0, 2, weight_shape).astype("float32")
    for class_name, kwargs, y, p in _class_cases(rng):
        ours = getattr(losses, class_name)(reduction=reduction, **kwargs)
        ref = getattr(keras.losses, class_name)(reduction=reduction, **kwargs)
        out = ours(y, p, sample_weight=sw)
        assert out.dtype == tf.float32
        close(out, ref(y, p, sample_weight=sw), rtol=2e-6)
        if y.ndim == 2 and y.shape[-1] == 1 and class_name != "SparseCategoricalCrossentropy":
            # Targets of shape (n,) against predictions (n, 1): expanded, not broadcast.
            close(ours(y[:, 0], p, sample_weight=sw), ref(y[:, 0], p, sample_weight=sw), rtol=2e-6)
            close(ours(y[:, 0], p, sample_weight=sw), out, rtol=0, atol=0)


def test_sum_over_batch_size_divides_by_count_not_weights():
    y, p = np.zeros((2, 1), "float32"), np.array([[1.0], [2.0]], "float32")
    # (1 * 1 + 4 * 0) / 2, not / (1 + 0).
    close(losses.MeanSquaredError()(y, p, sample_weight=[1.0, 0.0]), 0.5)
    close(losses.MeanSquaredError(reduction="sum")(y, p, sample_weight=[1.0, 0.0]), 1.0)
    total, count = losses.MeanSquaredError().sum_and_count(y, p, sample_weight=[[1.0], [0.0]])
    assert total.dtype == count.dtype == tf.float32 and total.shape == count.shape == ()
    assert (float(total), float(count)) == (1.0, 2.0)


@pytest.mark.parametrize("class_name", ["MeanSquaredError", "MeanAbsoluteError", "Huber",
                                        "BinaryCrossentropy"])
def test_predictions_of_rank_one_against_column_targets(rng, class_name):
    y, p = binary_targets(rng, (N, 1)), probs(rng, (N,))
    sw = rng.uniform(0, 1, (N, 1)).astype("float32")
    ours, ref = getattr(losses, class_name)(), getattr(keras.losses, class_name)()
    close(ours(y, p, sample_weight=sw), ref(y, p, sample_weight=sw))
    close(ours(y, p), ours(y[:, 0], p[:, None]), rtol=0, atol=0)


def test_targets_of_rank_one_are_not_broadcast():
    y = np.array([0.0, 1.0, 2.0], "float32")
    p = np.array([[0.0], [1.0], [4.0]], "float32")
    close(losses.MeanSquaredError()(y, p), (0 + 0 + 4) / 3)  # (3, 3) broadcast would give 3.0


@pytest.mark.parametrize("weight_shape", [None, (N,), (N, 1)])
def test_sum_and_count_against_keras_sum_and_size(rng, weight_shape):
    sw = None if weight_shape is None else rng.uniform(0, 2, weight_shape).astype("float32")
    for class_name, kwargs, y, p in _class_cases(rng):
        ours = getattr(losses, class_name)(**kwargs)
        total, count = ours.sum_and_count(y, p, sample_weight=sw)
        keras_sum = getattr(keras.losses, class_name)(reduction="sum", **kwargs)
        close(total, keras_sum(y, p, sample_weight=sw), rtol=2e-6)
        assert float(count) == N
        close(ours(y, p, sample_weight=sw), total / count, rtol=0, atol=0)


@pytest.mark.parametrize("reduction", ["mean", "mean_with_sample_weight", "sum", None])
@pytest.mark.parametrize("weight_shape", [None, (N,), (N, 1)])
def test_every_keras_reduction(rng, reduction, weight_shape):
    sw = None if weight_shape is None else rng.uniform(0, 2, weight_shape).astype("float32")
    for class_name, kwargs, y, p in _class_cases(rng):
        ours = getattr(losses, class_name)(reduction=reduction, **kwargs)
        theirs = getattr(keras.losses, class_name)(reduction=reduction, **kwargs)
        close(ours(y, p, sample_weight=sw), theirs(y, p, sample_weight=sw), rtol=2e-6)


@pytest.mark.parametrize("dtype", [None, "float32", "float16", "bfloat16", tf.float64])
def test_dtype_argument_as_keras(dtype):
    y, p = np.array([[1.0, 9.0, 2.0]]), np.array([[4.0, 8.0, 12.0]], "float32")
    ours, theirs = losses.MeanSquaredError(dtype=dtype), keras.losses.MeanSquaredError(dtype=dtype)
    assert ours.dtype == theirs.dtype
    assert ours(y, p).dtype == tf.as_dtype(theirs.dtype)
    close(tf.cast(ours(y, p), "float32"), tf.cast(theirs(y, p), "float32"), rtol=1e-2)
    with pytest.raises(AttributeError):
        ours.dtype = "float16"
    with pytest.raises(ValueError, match="dtype='int32'"):
        losses.MeanSquaredError(dtype="int32")


def test_reduction_validation():
    with pytest.raises(ValueError, match="sum_over_batch_size.*sum.*none"):
        losses.MeanSquaredError(reduction="average")
    with pytest.raises(ValueError, match="reduction='auto'"):
        losses.BinaryCrossentropy(reduction="auto")


def test_empty_batch_gives_zero_not_nan():
    total, count = losses.MeanSquaredError().sum_and_count(np.zeros((0, 1)), np.zeros((0, 1)))
    assert (float(total), float(count)) == (0.0, 0.0)
    assert float(losses.MeanSquaredError()(np.zeros((0, 1)), np.zeros((0, 1)))) == 0.0


def test_works_in_tf_function_with_unknown_batch(rng):
    loss = losses.CategoricalCrossentropy(label_smoothing=0.1)
    spec = tf.TensorSpec([None, 3], tf.float32)

    @tf.function(input_signature=[spec, spec, tf.TensorSpec([None], tf.float32), spec])
    def step(y, p, w, z):
        return loss.sum_and_count(y, p, sample_weight=w, logits=z)

    y = one_hot(rng, N, 3)
    z, p = softmax_rows(rng, N, 3)
    w = rng.uniform(0, 1, N).astype("float32")
    total, count = step(y, p, w, z)
    eager_total, eager_count = loss.sum_and_count(y, p, sample_weight=w, logits=z)
    close(total, eager_total)
    assert float(count) == float(eager_count) == N


def test_custom_loss_subclass_and_callable():
    class Cubed(losses.Loss):
        def call(self, y_true, y_pred):
            return tf.reduce_mean(tf.abs(y_true - y_pred) ** 3, axis=-1)

    y, p = np.zeros((2, 1), "float32"), np.array([[1.0], [2.0]], "float32")
    loss = Cubed()
    assert loss.name == "cubed" and not loss.uses_logits
    close(loss(y, p, sample_weight=[2.0, 1.0], logits=p * 100), (2 * 1 + 8) / 2)

    def fourth(y_true, y_pred):
        return tf.reduce_mean((y_true - y_pred) ** 4, axis=-1)

    wrapped = losses.to_loss(fourth)
    assert isinstance(wrapped, losses.LossFunctionWrapper) and wrapped.name == "fourth"
    close(wrapped(y[:, 0], p), (1 + 16) / 2)  # the (n,) targets are expanded first


# ---------------------------------------------------------------------- logits path


def _saturated_binary(rng):
    z = np.array([[30.0], [-30.0], [25.0], [2.0], [-0.5], [18.0], [-40.0]], "float32")
    y = np.array([[0.0], [1.0], [0.0], [1.0], [0.0], [1.0], [1.0]], "float32")
    return y, z


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("weight_shape", [None, (N,), (N, 1)])
def test_bce_logits_argument_matches_keras_sigmoid_output(rng, smoothing, weight_shape):
    y, z = _saturated_binary(rng)
    sw = None if weight_shape is None else rng.uniform(0, 2, weight_shape).astype("float32")
    keras_p = keras.activations.sigmoid(tf.constant(z))
    assert hasattr(keras_p, "_keras_logits")
    plain_p = keras_p.numpy()  # a plain array: no hidden logits
    ours = losses.BinaryCrossentropy(label_smoothing=smoothing)
    ref = keras.losses.BinaryCrossentropy(label_smoothing=smoothing)
    with_logits = ours(y, plain_p, sample_weight=sw, logits=z)
    close(with_logits, ref(y, keras_p, sample_weight=sw))
    close(ours(y[:, 0], plain_p, sample_weight=sw, logits=z), ref(y[:, 0], keras_p, sample_weight=sw))
    clipped = ours(y, plain_p, sample_weight=sw)
    close(clipped, ref(y, plain_p, sample_weight=sw))
    if sw is None:  # saturated: the two paths differ a lot
        assert float(with_logits) - float(clipped) > 5.0
    # Function form too (keras's function form also reads `_keras_logits`).
    close(losses.binary_crossentropy(y, plain_p, label_smoothing=smoothing, logits=z),
          keras.losses.binary_crossentropy(y, keras_p, label_smoothing=smoothing))


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cce_logits_argument_matches_keras_softmax_output(rng, smoothing):
    z, _ = softmax_rows(rng, N, 4, scale=40)  # saturated rows
    y = one_hot(rng, N, 4)
    keras_p = keras.activations.softmax(tf.constant(z))
    assert hasattr(keras_p, "_keras_logits")
    ours = losses.CategoricalCrossentropy(label_smoothing=smoothing)
    ref = keras.losses.CategoricalCrossentropy(label_smoothing=smoothing)
    with_logits = ours(y, keras_p.numpy(), logits=z)
    close(with_logits, ref(y, keras_p))
    clipped = ours(y, keras_p.numpy())
    close(clipped, ref(y, keras_p.numpy()))
    assert float(with_logits) - float(clipped) > 5.0


@pytest.mark.parametrize("label_shape", [(N,), (N, 1)])
def test_scce_logits_argument_matches_keras_softmax_output(rng, label_shape):
    z, _ = softmax_rows(rng, N, 4, scale=40)
    y = rng.integers(0, 4, label_shape)
    keras_p = keras.activations.softmax(tf.constant(z))
    sw = rng.uniform(0, 2, N).astype("float32")
    ours, ref = losses.SparseCategoricalCrossentropy(), keras.losses.SparseCategoricalCrossentropy()
    close(ours(y, keras_p.numpy(), sample_weight=sw, logits=z), ref(y, keras_p, sample_weight=sw))
    close(ours(y, keras_p.numpy(), sample_weight=sw), ref(y, keras_p.numpy(), sample_weight=sw))
    # From a plain softmax, without logits, keras uses the clipped path as well.
    plain = losses.sparse_categorical_crossentropy(y, keras_p.numpy())
    close(plain, keras.losses.sparse_categorical_crossentropy(y, keras_p.numpy()))


def test_logits_dropped_when_predictions_must_be_reshaped_like_keras(rng):
    # keras's `_keras_logits` ride on y_pred; expanding y_pred (n,) -> (n, 1) loses them.
    y, z = _saturated_binary(rng)
    z = z[:, 0]
    keras_p = keras.activations.sigmoid(tf.constant(z))
    out = losses.BinaryCrossentropy()(y, keras_p.numpy(), logits=z)
    close(out, keras.losses.BinaryCrossentropy()(y, keras_p))
    close(out, losses.BinaryCrossentropy()(y, keras_p.numpy()), rtol=0, atol=0)


def test_logits_win_over_from_logits_with_a_warning(rng):
    y, z = _saturated_binary(rng)
    p = tf.sigmoid(z).numpy()
    with pytest.warns(UserWarning, match="from_logits"):
        out = losses.BinaryCrossentropy(from_logits=True)(y, p, logits=z)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = keras.losses.BinaryCrossentropy(from_logits=True)(y, keras.activations.sigmoid(tf.constant(z)))
    close(out, ref)


def test_other_losses_ignore_logits(rng):
    y, p = rng.normal(size=(N, 2)).astype("float32"), rng.normal(size=(N, 2)).astype("float32")
    for loss in (losses.MeanSquaredError(), losses.MeanAbsoluteError(), losses.Huber()):
        assert not loss.uses_logits
        close(loss(y, p, logits=p * 1000), loss(y, p), rtol=0, atol=0)
    assert losses.to_loss("bce").uses_logits and losses.SparseCategoricalCrossentropy().uses_logits


# ------------------------------------------------------------------- check_targets


def test_sparse_check_targets():
    loss = losses.SparseCategoricalCrossentropy()
    loss.check_targets(np.array([0, 1, 2]), (3, 3))
    loss.check_targets(np.array([[0.0], [2.0]]), (2, 3))  # integer-valued floats are fine
    with pytest.raises(ValueError, match=r"1\.5.*\[0, 3\)|\[0, 3\).*1\.5"):
        loss.check_targets(np.array([0.0, 1.5]), (2, 3))
    with pytest.raises(ValueError, match=r"value of 3 .*\[0, 3\)"):
        loss.check_targets(np.array([0, 3]), (2, 3))
    with pytest.raises(ValueError, match=r"-1.*\[0, 3\)"):
        loss.check_targets(np.array([-1, 1]), (2, 3))
    with pytest.raises(ValueError, match="nan"):
        loss.check_targets(np.array([np.nan]), (1, 3))
    with pytest.raises(ValueError, match="dtype"):
        loss.check_targets(np.array(["a"]), (1, 3))
    # The string form checks too.
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        losses.to_loss("sparse_categorical_crossentropy").check_targets(np.array([4]), (1, 4))


def test_keras_fails_on_the_labels_check_targets_rejects():
    with pytest.raises(tf.errors.InvalidArgumentError):
        keras.losses.SparseCategoricalCrossentropy()(np.array([0, 3]), np.full((2, 3), 1 / 3))


def test_other_check_targets_accept_anything():
    for loss in (losses.BinaryCrossentropy(), losses.CategoricalCrossentropy(),
                 losses.MeanSquaredError(), losses.to_loss("binary_crossentropy")):
        loss.check_targets(np.array([[0.3], [2.0], [-1.0]]), (3, 1))


# ------------------------------------------------------------------ get / serialize

KERAS_NAMES = [
    "mse", "MSE", "mae", "MAE", "bce", "BCE", "mean_squared_error", "mean_absolute_error",
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "huber", "MeanSquaredError", "MeanAbsoluteError", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Huber",
]


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_get_names_match_keras(rng, name):
    ours = losses.to_loss(name)
    ref = keras_compile_utils.get_loss(name, None, None)  # what keras's compile builds
    assert isinstance(ours, losses.Loss)
    assert ours.name == ref.name
    if "sparse" in name.lower():
        y, p = rng.integers(0, 3, N), probs(rng, (N, 3))
    elif "categorical" in name.lower():
        y, p = one_hot(rng, N, 3), probs(rng, (N, 3))
    else:
        y, p = binary_targets(rng, (N,)), probs(rng, (N, 1))
    close(ours(y, p), ref(y, p))


def test_get_rejects_what_keras_rejects():
    for name in ("huber_loss", "crossentropy", "mean_squared_errors"):
        with pytest.raises(ValueError):
            keras.losses.get(name)
        with pytest.raises(ValueError, match="Valid names are: .*binary_crossentropy.*mse"):
            losses.get(name)
    with pytest.raises(TypeError):
        losses.get(42)


def test_get_instances_classes_and_none():
    loss = losses.Huber(delta=3.0)
    assert losses.get(loss) is loss
    assert isinstance(losses.get(losses.MeanAbsoluteError), losses.MeanAbsoluteError)
    assert losses.get(None) is None


@pytest.mark.parametrize("loss", [
    losses.MeanSquaredError(reduction="sum"),
    losses.MeanAbsoluteError(name="l1"),
    losses.Huber(delta=2.5),
    losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
    losses.CategoricalCrossentropy(label_smoothing=0.2, axis=-1),
    losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None),
    losses.to_loss("mse"),
    losses.LossFunctionWrapper(losses.huber, delta=0.3, name="h"),
])
def test_serialize_round_trip(rng, loss):
    config = losses.serialize(loss)
    assert set(config) == {"class_name", "config"}
    again = losses.get(config)
    assert type(again) is type(loss) and again.get_config() == loss.get_config()
    y, p = rng.normal(size=(N, 3)).astype("float32"), probs(rng, (N, 3))
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        y = rng.integers(0, 3, N)
    close(again(y, p), loss(y, p), rtol=0, atol=0)


def test_serialize_and_deserialize_refuse_unknowns():
    with pytest.raises(ValueError):
        losses.serialize(losses.to_loss(lambda a, b: a - b))
    with pytest.raises(ValueError, match="Valid names"):
        losses.get({"class_name": "os.system", "config": {}})
    with pytest.raises(ValueError, match="Valid names"):
        losses.get({"class_name": "LossFunctionWrapper", "config": {"fn": "print"}})


@pytest.mark.parametrize("identifier", ["ce", "crossentropy", "CE", "mse"])
@pytest.mark.parametrize("shapes", [
    ((N,), (N, 1)), ((N, 1), (N, 1)), ((N,), (N, 3)), ((N, 1), (N, 3)), ((N, 3), (N, 3)),
    ((N, 5), (N, 5, 3)), ((N, 5, 1), (N, 5, 3)),
])
def test_get_for_compile_matches_keras(identifier, shapes):
    y_shape, p_shape = shapes
    ours = losses.get_for_compile(identifier, y_shape, p_shape)
    ref = keras_compile_utils.get_loss(identifier, np.zeros(y_shape), np.zeros(p_shape))
    assert ours.name == ref.name == identifier
    assert ours.fn.__name__ == ref.fn.__name__
