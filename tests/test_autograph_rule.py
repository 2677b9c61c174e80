"""A user's own @tf.function (AutoGraph on) calling minikeras: the library's code runs as the
plain Python it is, as TensorFlow leaves keras's, while the user's own code is converted."""
import numpy as np
import tensorflow as tf
from tensorflow.python.autograph.impl import conversion

import minikeras as mk
from minikeras import _autograph


def test_minikeras_code_is_never_converted_and_user_code_is():
    assert _autograph.never_convert()  # idempotent: the rule is there once
    assert conversion.is_allowlisted(mk.losses.sparse_categorical_crossentropy)
    assert conversion.is_allowlisted(mk.layers.Dense(2))  # through Layer.__call__

    def user_function(x):
        return x

    assert not conversion.is_allowlisted(user_function)


def test_training_loop_from_scratch_pattern_matches_eager():
    """keras's "training loop from scratch" guide: losses, metrics, the model and the
    optimizer called from a user's tf.function (this failed while AutoGraph converted them)."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 5)).astype("float32"), rng.integers(0, 3, size=32)
    results = []
    for compiled in (False, True):
        mk.utils.set_random_seed(0)
        model = mk.Sequential([mk.Input((5,)), mk.layers.Dense(4, activation="relu"),
                               mk.layers.Dense(3)])
        optimizer = mk.optimizers.SGD(0.1)
        loss_fn = mk.losses.SparseCategoricalCrossentropy(from_logits=True)
        accuracy = mk.metrics.SparseCategoricalAccuracy()

        def train_step(xb, yb):
            with tf.GradientTape() as tape:
                logits = model(xb, training=True)
                loss = loss_fn(yb, logits)
            grads = tape.gradient(loss, model.trainable_weights)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
            accuracy.update_state(yb, logits)
            return loss

        step = tf.function(train_step) if compiled else train_step
        losses = [float(step(x[i:i + 8], y[i:i + 8])) for i in range(0, 32, 8)]
        results.append((losses, float(accuracy.result()), model.get_weights()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-6)
    assert results[1][1] == results[0][1]
    for a, b in zip(results[1][2], results[0][2]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
