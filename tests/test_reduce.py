"""minikeras._reduce: means and sums over axes of static size 1 are squeezes, bitwise equal
to TensorFlow's reductions (values and gradients); every other reduction is TensorFlow's."""
import numpy as np
import pytest
import tensorflow as tf

from minikeras import _reduce

CASES = [((16, 1), -1), ((16, 1), 1), ((4, 1, 1), [1, 2]), ((4, 1, 3), 1), ((1,), 0),
         ((16, 3), -1), ((4, 1, 3), [1, 2]), ((5, 2), 0), ((16, 1), np.int64(-1)),
         ((4, 1, 1), (1, 2))]


@pytest.mark.parametrize("ours,theirs", [(_reduce.reduce_mean, tf.reduce_mean),
                                         (_reduce.reduce_sum, tf.reduce_sum)])
@pytest.mark.parametrize("shape,axis", CASES)
def test_equal_to_tensorflow_bitwise_with_gradients(ours, theirs, shape, axis):
    x = tf.constant(np.random.default_rng(0).normal(size=shape).astype("float32"))
    weights = tf.constant(np.random.default_rng(1).normal(
        size=theirs(x, axis=axis).shape).astype("float32"))

    @tf.function(autograph=False)
    def both(x):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            a, b = ours(x, axis), theirs(x, axis=axis)
            loss_a, loss_b = tf.reduce_sum(a * weights), tf.reduce_sum(b * weights)
        return a, b, tape.gradient(loss_a, x), tape.gradient(loss_b, x)

    a, b, grad_a, grad_b = both(x)
    assert a.shape == b.shape
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(grad_a, grad_b)


def test_unit_axes_become_one_squeeze_and_others_stay_reductions():
    def op_types(fn, shape, axis):
        graph = tf.function(lambda x: fn(x, axis), autograph=False).get_concrete_function(
            tf.TensorSpec(shape)).graph
        return [op.type for op in graph.get_operations()]

    assert "Squeeze" in op_types(_reduce.reduce_mean, (None, 1), -1)
    assert "Mean" not in op_types(_reduce.reduce_mean, (None, 1), -1)
    assert "Mean" in op_types(_reduce.reduce_mean, (None, 3), -1)
    assert "Sum" in op_types(_reduce.reduce_sum, (None, None), -1)  # unknown size: reduced
    assert "Sum" in op_types(_reduce.reduce_sum, None, -1)  # unknown rank: reduced


def test_dim_is_a_python_int_when_static_and_a_tensor_otherwise():
    assert _reduce.dim(tf.zeros((16, 3))) == 16 and isinstance(_reduce.dim(tf.zeros((16, 3))), int)
    assert _reduce.dim(tf.zeros((16, 3)), 1) == 3

    @tf.function(input_signature=[tf.TensorSpec((None, 3))], autograph=False)
    def size(x):
        n = _reduce.dim(x)
        assert isinstance(n, tf.Tensor)  # runs while tracing: the batch is dynamic
        return n
    assert int(size(tf.zeros((5, 3)))) == 5
