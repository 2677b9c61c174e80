"""SGD runs TensorFlow's fused kernels: bitwise the maths of `sgd_step` (and keras's SGD)."""
import numpy as np
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minikeras as mk
from minikeras.optimizers.sgd import sgd_step

floats = st.floats(-1e3, 1e3, width=32, allow_subnormal=False)
arrays = hnp.arrays(np.float32, st.tuples(st.integers(1, 4), st.integers(1, 5)), elements=floats)


def by_pure_function(w, grads, lr, momentum, nesterov):
    """Three steps of `sgd_step` in eager TensorFlow ops, the reference maths."""
    w, v = tf.constant(w), tf.zeros_like(w)
    for g in grads:
        if momentum == 0:
            increment, _ = sgd_step(tf.constant(g), tf.constant(lr, tf.float32))
        else:
            increment, v = sgd_step(tf.constant(g), tf.constant(lr, tf.float32), v,
                                    tf.constant(momentum, tf.float32), nesterov)
        w = w + increment
    return w.numpy()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(w=arrays, data=st.data(), lr=st.floats(1e-4, 1.0).map(lambda f: float(np.float32(f))),
       momentum=st.sampled_from([0.0, 0.5, 0.9, 0.99]), nesterov=st.booleans())
def test_fused_sgd_update_is_bitwise_sgd_step(w, data, lr, momentum, nesterov):
    grads = [data.draw(hnp.arrays(np.float32, w.shape, elements=floats)) for _ in range(3)]
    variable = tf.Variable(w)
    optimizer = mk.optimizers.SGD(learning_rate=lr, momentum=momentum, nesterov=nesterov)
    for g in grads:
        optimizer.apply([tf.constant(g)], [variable])
    np.testing.assert_array_equal(variable.numpy(),
                                  by_pure_function(w, grads, lr, momentum, nesterov))


def test_fused_sgd_matches_keras_bitwise_in_a_compiled_step():
    import keras
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(3, 4)).astype("float32")
    grads = [rng.normal(size=(3, 4)).astype("float32") for _ in range(5)]
    results = []
    for lib in (keras, mk):
        variable = (keras.Variable if lib is keras else tf.Variable)(w0)
        optimizer = lib.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
        optimizer.build([variable])

        @tf.function
        def step(g):
            optimizer.apply([g], [variable])
        for g in grads:
            step(tf.constant(g))
        results.append(np.array(variable.numpy()))
    np.testing.assert_array_equal(results[1], results[0])


def test_a_float16_variable_updates_in_float16():
    variable = tf.Variable(np.ones((2,), np.float16))
    mk.optimizers.SGD(learning_rate=0.5, momentum=0.9).apply(
        [tf.constant([1.0, 2.0], tf.float16)], [variable])
    np.testing.assert_array_equal(variable.numpy(), np.array([0.5, 0.0], np.float16))
