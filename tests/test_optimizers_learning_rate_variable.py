"""`optimizer.learning_rate` behaves as keras's Variable; `optimizer.set_weights` as keras's."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from minikeras import optimizers


def _pair(lr=0.1):
    return keras.optimizers.Adam(lr), optimizers.Adam(lr)


def test_reads_as_keras():
    k_opt, m_opt = _pair()
    k, m = k_opt.learning_rate, m_opt.learning_rate
    assert m is m_opt.learning_rate  # one object, as keras
    assert float(m) == float(k)
    assert m.numpy() == k.numpy()
    np.testing.assert_array_equal(np.asarray(m), np.asarray(k))
    assert (m.name, m.dtype, tuple(m.shape), m.trainable) == \
        (k.name, k.dtype, tuple(k.shape), k.trainable)
    assert m.path == f"{m_opt.name}/learning_rate" and k.path == f"{k_opt.name}/learning_rate"
    assert isinstance(m.value, tf.Variable) and isinstance(k.value, tf.Variable)
    assert bool(m.value == 0.1) and bool(k.value == 0.1)
    assert repr(m) == repr(k).replace(k.path, m.path)
    with pytest.raises(TypeError, match="cannot be used as a boolean"):
        bool(m)
    with pytest.raises(TypeError, match="unhashable"):
        hash(m)


@pytest.mark.parametrize("op", [lambda v: v * 2.0, lambda v: 1.0 - v, lambda v: v / 4.0,
                                lambda v: 2.0 ** v, lambda v: -v, lambda v: v.value - 0.05,
                                lambda v: tf.constant(3.0) * v, lambda v: tf.math.log(v),
                                lambda v: v < 0.2, lambda v: v == 0.1])
def test_arithmetic_as_keras(op):
    k_opt, m_opt = _pair()
    expected = np.asarray(op(k_opt.learning_rate))
    received = np.asarray(op(m_opt.learning_rate))
    assert received.dtype == expected.dtype
    np.testing.assert_array_equal(received, expected)


def test_assign_and_set_from_a_variable():
    k_opt, m_opt = _pair()
    for opt in (k_opt, m_opt):
        opt.learning_rate.assign(0.5)
        opt.learning_rate = opt.learning_rate * 0.5
    assert float(m_opt.learning_rate) == float(k_opt.learning_rate) == 0.25
    m_opt.learning_rate = tf.Variable(0.125)
    assert float(m_opt.learning_rate) == 0.125
    with pytest.raises(ValueError, match="non-negative finite float"):
        m_opt.learning_rate = -1.0
    assert float(m_opt.learning_rate) == 0.125


def test_schedule_from_the_variable_untracks_it():
    # keras's optimizer_test: a schedule built on the learning rate replaces the variable.
    for module in (keras.optimizers, optimizers):
        opt = module.Adam(learning_rate=0.001)
        assert len(opt.variables) == 2
        opt.learning_rate = module.schedules.PolynomialDecay(opt.learning_rate, 4)
        assert len(opt.variables) == 1
        np.testing.assert_allclose(float(opt.learning_rate), 0.001, rtol=1e-6)


def test_learning_rate_reads_in_a_compiled_function():
    opt = optimizers.SGD(0.5)

    @tf.function
    def scaled(x):
        return x * opt.learning_rate

    assert float(scaled(tf.constant(2.0))) == 1.0
    opt.learning_rate = 0.25
    assert float(scaled(tf.constant(2.0))) == 0.5


def test_set_weights_as_keras():
    x0 = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    results = []
    for module, make in ((keras.optimizers, keras.Variable), (optimizers, tf.Variable)):
        x = make(x0)
        first = module.Adam()
        first.apply_gradients(zip([tf.constant(x0)], [x]))
        second = module.Adam()
        with pytest.raises(ValueError, match="You are calling `set_weights\\(\\)` on an optimizer"):
            second.set_weights(first.variables)
        second.build([x])
        second.set_weights(first.variables)
        results.append([np.asarray(v) for v in second.variables])
    for k, m in zip(*results, strict=True):
        np.testing.assert_array_equal(m, k)


def test_set_weights_refuses_mismatches_before_assigning():
    x = tf.Variable(np.ones((2, 2), np.float32))
    opt = optimizers.Adam()
    opt.build([x])
    before = [v.numpy() for v in opt.variables]
    with pytest.raises(ValueError, match="Expected 4 weights .* Received 3"):
        opt.set_weights(before[:3])
    bad = [np.full(np.shape(b), 7, np.asarray(b).dtype) for b in before]
    bad[-1] = np.zeros((3,), np.float32)
    with pytest.raises(ValueError, match=r"has shape \(2, 2\) not compatible .* \(3,\)"):
        opt.set_weights(bad)
    for b, v in zip(before, opt.variables, strict=True):
        np.testing.assert_array_equal(v.numpy(), b)
