"""The optimizer parity harness shared by the optimizer test files: the same gradients fed to
keras's and minikeras's optimizers, eagerly (compared bit for bit after every step) or in one
compiled loop (compared at the end)."""
import keras
import numpy as np
import tensorflow as tf

import minikeras as mk

rng = np.random.default_rng(0)
START = [rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(4,)).astype(np.float32),
         rng.normal(size=(2, 2, 2)).astype(np.float32)]


def grads_fn(t, current):
    """Gradients that depend on the weights (nonlinearly) and on the step, like real ones."""
    return [np.float32(0.4) * c + np.float32(0.3) * np.tanh(3 * c) * np.float32(np.cos(t))
            + np.float32(np.sin(0.7 * t + i)) for i, c in enumerate(current)]


def assert_same(ours, theirs, where, rtol=0.0, atol=0.0):
    """Equal arrays (bitwise when ``rtol`` is 0), else an error naming where they first differ."""
    for i, (a, b) in enumerate(zip(ours, theirs)):
        a, b = np.asarray(a), np.asarray(b)
        ok = np.array_equal(a, b) if rtol == 0 else np.allclose(a, b, rtol=rtol, atol=atol)
        if not ok:
            raise AssertionError(f"first difference at {where} (variable {i}): max abs "
                                 f"difference {np.max(np.abs(a - b)):.3g}")


def run_both(make, steps, start=START, mask=None):
    """keras's and minikeras's optimizer (``make(lib)``) on the same gradients, eagerly,
    compared bit for bit after every step; returns both optimizers."""
    k_vars, m_vars = [keras.Variable(v) for v in start], [tf.Variable(v) for v in start]
    k_opt, m_opt = make(keras), make(mk)
    for t in range(steps):
        for opt, variables in ((k_opt, k_vars), (m_opt, m_vars)):
            grads = [tf.constant(g) for g in grads_fn(t, [v.numpy() for v in variables])]
            if mask is not None:
                grads = [g if keep else None for g, keep in zip(grads, mask)]
            opt.apply(grads, variables)
        assert_same([v.numpy() for v in m_vars], [v.numpy() for v in k_vars], f"step {t}")
    return k_opt, m_opt


def compiled_both(make, steps=200, start=START):
    """The variables after ``steps`` steps of each library's optimizer inside one graph-mode
    loop (the same gradient formula as `grads_fn`, in TensorFlow ops): (minikeras, keras)."""
    results = []
    for lib, make_var in ((keras, keras.Variable), (mk, tf.Variable)):
        variables = [make_var(v) for v in start]
        opt = make(lib)
        opt.build(variables)

        def step(t, variables=variables, opt=opt):
            ft = tf.cast(t, tf.float32)
            grads = [0.4 * v + 0.3 * tf.tanh(3 * v) * tf.cos(ft) + tf.sin(0.7 * ft + i)
                     for i, v in enumerate(variables)]
            opt.apply(grads, variables)
            return t + 1

        # traced as plain Python: AutoGraph would convert both libraries' optimizer code
        # first, which costs seconds and tests nothing more
        tf.function(lambda step=step: tf.while_loop(lambda t: t < steps, step, [0]),
                    autograph=False)()
        results.append([v.numpy() for v in variables])
    return results[1], results[0]
