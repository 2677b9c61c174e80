"""jit_compile=True over arrays: full batches run in one XLA loop with static shapes, the
partial last batch through the ordinary step; results equal the non-XLA path to float32
rounding, and each loop compiles once per batch size."""
import numpy as np
import pytest

import minikeras as mk

rng = np.random.default_rng(0)
X = rng.normal(size=(203, 5)).astype("float32")  # 203 = 12 full batches of 16 + 11
Y = (X[:, :1] - X[:, 1:2] > 0).astype("float32")
W = rng.uniform(0.5, 2.0, size=203).astype("float32")


def fitted(jit, **fit_kwargs):
    mk.utils.set_random_seed(0)
    model = mk.Sequential([mk.Input((5,)), mk.layers.Dense(8, activation="tanh"),
                           mk.layers.BatchNormalization(),
                           mk.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=mk.optimizers.SGD(0.1, momentum=0.9), loss="binary_crossentropy",
                  metrics=["accuracy"], jit_compile=jit)
    history = model.fit(X, Y, batch_size=16, verbose=0, **fit_kwargs).history
    return model, history


@pytest.mark.parametrize("fit_kwargs", [
    dict(epochs=3, validation_split=0.2),                      # per-epoch chunks, validation
    dict(epochs=4),                                            # several epochs per call
    dict(epochs=2, sample_weight=W, shuffle=False),            # weighted
])
def test_xla_equals_the_graph_path(fit_kwargs):
    (plain, h_plain), (xla, h_xla) = fitted(False, **fit_kwargs), fitted(True, **fit_kwargs)
    assert sorted(h_xla) == sorted(h_plain)
    for key in h_plain:
        np.testing.assert_allclose(h_xla[key], h_plain[key], rtol=1e-5, atol=1e-6, err_msg=key)
    for a, b in zip(xla.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(xla.evaluate(X, Y, verbose=0), plain.evaluate(X, Y, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_one_xla_loop_per_kind_and_batch_size_traced_once():
    model, _ = fitted(True, epochs=2, validation_split=0.2)
    model.fit(X, Y, batch_size=16, epochs=3, verbose=0)  # epoch groups reuse the train loop
    model.evaluate(X, Y, batch_size=16, verbose=0)
    model.evaluate(X[:192], Y[:192], batch_size=16, verbose=0)  # no partial batch: same loop
    loops = model._steps._static_loops
    assert sorted(loops) == [("test", False, 16, True), ("train", False, 16, True)]
    for loop in loops.values():
        assert loop._full.experimental_get_tracing_count() == 1


def test_a_custom_train_step_runs_under_xla():
    class Custom(mk.Model):
        def __init__(self):
            super().__init__()
            self.dense = mk.layers.Dense(1)
            self.tracker = mk.metrics.Mean(name="loss")

        def call(self, inputs):
            return self.dense(inputs)

        def train_step(self, data):
            import tensorflow as tf
            x, y = data
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            self.tracker.update_state(loss)
            return {"loss": self.tracker.result()}

    losses = []
    for jit in (False, True):
        mk.utils.set_random_seed(0)
        model = Custom()
        model.compile(optimizer=mk.optimizers.SGD(0.05), jit_compile=jit)
        losses.append(model.fit(X, Y, batch_size=16, epochs=2, verbose=0).history["loss"])
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)


@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("fit_kwargs", [
    dict(epochs=3, validation_split=0.2, shuffle=True),          # 160 + 40 rows: all static
    dict(epochs=2, sample_weight=W[:200], shuffle=False,
         callbacks=[mk.callbacks.Callback()]),                    # chunks, weighted
])
def test_static_batch_shapes_compute_what_the_dynamic_path_does(monkeypatch, fit_kwargs,
                                                                 normalize):
    """Without XLA, full batches of a static size compute what dynamic ones do: bitwise for
    Dense layers; with BatchNormalization TensorFlow's graph optimizer may order a chain of
    broadcast ops differently once shapes are known, a last-bit difference."""
    from minikeras.engine.steps import CompiledSteps
    runs = []
    for static in (True, False):
        if not static:
            monkeypatch.setattr(CompiledSteps, "_shape_key", lambda *args: (None, None))
        mk.utils.set_random_seed(0)
        model = mk.Sequential([mk.Input((5,)), mk.layers.Dense(8, activation="tanh")]
                              + [mk.layers.BatchNormalization()] * normalize
                              + [mk.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=mk.optimizers.SGD(0.1, momentum=0.9),
                      loss="binary_crossentropy", metrics=["accuracy"])
        history = model.fit(X[:200], Y[:200], batch_size=20, verbose=0, **fit_kwargs).history
        runs.append((history, model.get_weights(), model._steps._static_loops))
    (h_static, w_static, loops), (h_dynamic, w_dynamic, no_loops) = runs
    assert loops and not no_loops  # the first run really had static shapes
    tol = 1e-6 if normalize else 0.0
    for key in h_dynamic:
        np.testing.assert_allclose(h_static[key], h_dynamic[key], rtol=tol, atol=tol)
    for a, b in zip(w_static, w_dynamic):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
