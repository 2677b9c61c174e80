"""SGD, momentum and Nesterov: golden steps, keras parity over many steps, the lecture's form."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from minikeras import optimizers
from minikeras.optimizers import SGD, sgd_step

# Golden values from the keras run recorded in shared/reference/keras-numerics.md.
GOLDEN = {
    (0.0, False): [[[0.5, 1.5], [2.7, 3.7]], [[0, 1], [2.4, 3.4]], [[-0.5, 0.5], [2.1, 3.1]]],
    (0.9, False): [[[0.5, 1.5], [2.7, 3.7]], [[-0.45, 0.55], [2.13, 3.13]],
                   [[-1.805, -0.805], [1.317, 2.317]]],
    (0.9, True): [[[0.05, 1.05], [2.43, 3.43]], [[-1.305, -0.305], [1.617, 2.617]],
                  [[-3.0245, -2.0245], [0.5853, 1.5853]]],
}


@pytest.mark.parametrize("momentum,nesterov", list(GOLDEN))
def test_golden_steps(momentum, nesterov):
    a, b = tf.Variable([1.0, 2.0]), tf.Variable([3.0, 4.0])
    opt = SGD(learning_rate=0.1, momentum=momentum, nesterov=nesterov)
    for expected in GOLDEN[(momentum, nesterov)]:
        opt.apply([tf.constant([5.0, 5.0]), tf.constant([3.0, 3.0])], [a, b])
        np.testing.assert_allclose([a.numpy(), b.numpy()], expected, rtol=0, atol=1e-5)
    assert int(opt.iterations.numpy()) == 3


def _keras_trajectory(values, grads_fn, steps, **kwargs):
    variables = [keras.Variable(v) for v in values]
    opt = keras.optimizers.SGD(**kwargs)
    out = []
    for t in range(steps):
        opt.apply([tf.constant(g) for g in grads_fn(t, [v.numpy() for v in variables])], variables)
        out.append([v.numpy().copy() for v in variables])
    return out


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.5, False), (0.9, False),
                                               (0.9, True), (0.99, True), (0.0, True)])
def test_parity_with_keras_over_200_steps(momentum, nesterov):
    rng = np.random.default_rng(0)
    values = [rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(4,)).astype(np.float32)]

    def grads_fn(t, current):  # gradients that depend on the current weights, like real ones
        return [np.float32(0.3) * c + np.float32(np.sin(t)) for c in current]

    kwargs = dict(learning_rate=0.05, momentum=momentum, nesterov=nesterov)
    expected = _keras_trajectory(values, grads_fn, 200, **kwargs)
    variables = [tf.Variable(v) for v in values]
    opt = SGD(**kwargs)
    for t in range(200):
        opt.apply([tf.constant(g) for g in grads_fn(t, [v.numpy() for v in variables])], variables)
        for ours, theirs in zip(variables, expected[t]):
            np.testing.assert_array_equal(ours.numpy(), theirs, err_msg=f"diverged at step {t}")


def test_learning_rate_change_matches_keras():
    values = [np.array([1.0, -2.0], np.float32)]
    k_var, m_var = keras.Variable(values[0]), tf.Variable(values[0])
    k_opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    m_opt = SGD(learning_rate=0.1, momentum=0.9)
    for t in range(20):
        if t == 10:
            k_opt.learning_rate = 0.01
            m_opt.learning_rate = 0.01
        g = tf.constant(np.cos([t, t + 1.0]).astype(np.float32))
        k_opt.apply([g], [k_var])
        m_opt.apply([g], [m_var])
    np.testing.assert_array_equal(m_var.numpy(), k_var.numpy())


def test_lecture_nesterov_lookahead_gives_same_trajectory():
    """The lecture's form: v' = a v - grad L(θ + a ε v), θ' = θ + ε v'. keras's: see sgd_step.

    The lecture's v is in gradient units (keras's velocity is ε v), so its lookahead point
    "θ + a v" is θ + a ε v in parameter units. keras's iterate is that lookahead point: after
    each step keras's w equals the lecture's θ + a ε v, on f(θ) = ½ θᵀAθ.
    """
    A = tf.constant([[3.0, 0.5], [0.5, 1.0]])
    grad = lambda th: tf.linalg.matvec(A, th)
    eps, a = 0.05, 0.9
    theta = tf.constant([1.0, -1.5])
    v = tf.zeros(2)
    w = tf.Variable(theta)
    opt = SGD(learning_rate=eps, momentum=a, nesterov=True)
    for _ in range(50):
        v = a * v - grad(theta + a * eps * v)  # gradient at the lookahead point
        theta = theta + eps * v
        opt.apply([grad(w)], [w])              # keras form, gradient at its own iterate
        lookahead = theta + a * eps * v        # the lecture's next gradient point
        np.testing.assert_allclose(w.numpy(), lookahead.numpy(), rtol=1e-5, atol=1e-6)


def test_lecture_momentum_is_keras_momentum_scaled():
    grad = lambda th: 2.0 * th
    eps, a = 0.1, 0.9
    theta, v = np.array([1.0, -3.0], np.float32), np.zeros(2, np.float32)
    w = tf.Variable(theta)
    opt = SGD(learning_rate=eps, momentum=a)
    for _ in range(30):
        v = a * v - grad(theta)
        theta = theta + eps * v
        opt.apply([tf.constant(grad(w.numpy()))], [w])
        np.testing.assert_allclose(w.numpy(), theta, rtol=1e-5, atol=1e-6)


def test_pure_function_plain_and_momentum():
    g, lr = tf.constant(2.0), tf.constant(0.5)
    inc, vel = sgd_step(g, lr)
    assert float(inc) == -1.0 and vel is None
    inc, vel = sgd_step(g, lr, tf.constant(1.0), 0.5)
    assert float(vel) == 0.5 * 1.0 - 1.0 and float(inc) == float(vel)
    inc, vel = sgd_step(g, lr, tf.constant(1.0), 0.5, nesterov=True)
    assert float(inc) == -0.5 * 0.5 - 1.0


def test_slots_only_with_momentum():
    w = tf.Variable([1.0])
    plain = SGD(momentum=0.0, nesterov=True)
    plain.apply([tf.constant([1.0])], [w])
    assert plain.variables == [plain.iterations, plain.learning_rate.value]
    heavy = SGD(momentum=0.5)
    heavy.apply([tf.constant([1.0])], [w])
    assert len(heavy.variables) == 3


def test_changing_learning_rate_does_not_retrace():
    w = tf.Variable([1.0, 2.0])
    opt = SGD(0.1, momentum=0.9)
    traces = []
    opt.build([w])  # slots made before tracing, so the first call traces once

    @tf.function
    def step(g):
        traces.append(1)
        opt.apply([g], [w])

    for lr in (0.1, 0.2, 0.05):
        opt.learning_rate = lr
        step(tf.constant([1.0, 1.0]))
    assert len(traces) == 1


def test_none_gradients_are_skipped():
    a, b = tf.Variable([1.0]), tf.Variable([2.0])
    opt = SGD(0.1)
    opt.apply([None, tf.constant([1.0])], [a, b])
    assert a.numpy()[0] == 1.0 and b.numpy()[0] == pytest.approx(1.9)


@pytest.mark.parametrize("kwargs,match", [
    (dict(momentum=-0.1), "momentum"), (dict(momentum=1.5), "momentum"),
    (dict(momentum="0.9"), "momentum"), (dict(learning_rate=-1.0), "learning_rate"),
    (dict(learning_rate=float("nan")), "learning_rate"), (dict(learning_rate="fast"), "learning_rate"),
])
def test_argument_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SGD(**kwargs)


def test_setting_bad_learning_rate_keeps_old_value():
    opt = SGD(0.1)
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = -3.0
    assert float(opt.learning_rate.numpy()) == pytest.approx(0.1)


def test_mismatched_lengths():
    opt = SGD()
    with pytest.raises(ValueError, match="as many gradients"):
        opt.apply([tf.constant(1.0)], [tf.Variable(1.0), tf.Variable(2.0)])


def test_get():
    assert isinstance(optimizers.get("sgd"), SGD)
    opt = SGD(0.3)
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="Valid names are: .*sgd"):
        optimizers.get("sgdd")
    with pytest.raises(TypeError):
        optimizers.get(3)
