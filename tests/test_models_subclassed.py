"""Subclassed models and custom steps against keras: a model's own `call`, `train_step` and
`test_step` (keras 3's "customizing what happens in fit", TensorFlow backend form), tracked
metrics, `compute_loss`, `add_loss`, and a GAN-style model with two optimizers."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 4)).astype("float32")
Y = (X[:, :1] - X[:, 1:2] > 0).astype("float32")


def subclassed(lib):
    class MLP(lib.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = lib.layers.Dense(6, activation="relu")
            self.drop = lib.layers.Dropout(0.0)
            self.out = lib.layers.Dense(1, activation="sigmoid")

        def call(self, inputs, training=None):
            return self.out(self.drop(self.hidden(inputs), training=training))
    return MLP


def custom_step(lib):
    class CustomStep(subclassed(lib)):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.tracker = lib.metrics.Mean(name="my_loss")
            self.mae = lib.metrics.MeanAbsoluteError(name="mae")

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            self.tracker.update_state(loss)
            self.mae.update_state(y, y_pred)
            return {"my_loss": self.tracker.result(), "mae": self.mae.result()}

        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            self.tracker.update_state(self.compute_loss(y=y, y_pred=y_pred))
            self.mae.update_state(y, y_pred)
            return {"my_loss": self.tracker.result(), "mae": self.mae.result()}

        @property
        def metrics(self):
            return [self.tracker, self.mae]
    return CustomStep


def run(lib, make, **fit_kw):
    lib.utils.set_random_seed(4)
    model = make(lib)()
    model.compile(optimizer=lib.optimizers.SGD(0.2, momentum=0.5), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(X, Y, batch_size=16, epochs=3, verbose=0, shuffle=False, **fit_kw)
    return model, history.history


@pytest.mark.parametrize("make", [subclassed, custom_step], ids=["call", "train_step"])
def test_subclassed_models_match_keras(make):
    (ref, ref_h), (ours, our_h) = run(keras, make, validation_split=0.25), \
        run(mk, make, validation_split=0.25)
    assert sorted(our_h) == sorted(ref_h)
    for key in ref_h:
        np.testing.assert_allclose(our_h[key], ref_h[key], rtol=1e-5, atol=1e-6, err_msg=key)
    assert len(ours.weights) == len(ref.weights) == 4
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.predict(X, verbose=0), ref.predict(X, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_own_test_step_logs_reach_the_history_when_epochs_share_calls():
    """Without callbacks, epochs and their validation passes share compiled calls; the logs a
    model's own test_step names are in the History as they are epoch by epoch."""
    histories = []
    for callbacks in (None, [mk.callbacks.Callback()]):
        mk.utils.set_random_seed(4)
        model = custom_step(mk)()
        model.compile(optimizer=mk.optimizers.SGD(0.2, momentum=0.5),
                      loss="binary_crossentropy")
        histories.append(model.fit(X, Y, batch_size=16, epochs=3, verbose=0, shuffle=False,
                                   validation_split=0.25, callbacks=callbacks).history)
    assert sorted(histories[0]) == ["mae", "my_loss", "val_mae", "val_my_loss"]
    assert histories[0] == histories[1]


def test_custom_train_step_runs_many_steps_per_compiled_call():
    model, _ = run(mk, custom_step)
    assert model.trace_counts.get("train_epochs", 0) + model.trace_counts.get("train", 0) == 1


def test_add_loss_and_activity_regularizer_reach_the_loss():
    class Penalised(mk.layers.Layer):
        def call(self, inputs):
            self.add_loss(0.5 * tf.reduce_mean(tf.square(inputs)))
            return inputs

    x = tf.constant(X[:8])
    model = mk.Sequential([mk.Input((4,)), Penalised(),
                           mk.layers.Dense(2, activity_regularizer="l2")])
    out = model(x)
    expected_add = 0.5 * float(tf.reduce_mean(tf.square(x)))
    expected_act = 0.01 * float(tf.reduce_sum(tf.square(out))) / 8
    assert [float(v) for v in model.losses] == pytest.approx([expected_add, expected_act],
                                                             rel=1e-5)
    model(x[:2])  # a new forward pass replaces the losses of the previous one
    assert len(model.losses) == 2


def test_gan_with_two_optimizers_and_its_own_compile_trains():
    class GAN(mk.Model):
        def __init__(self):
            super().__init__()
            self.generator = mk.Sequential([mk.Input((2,)), mk.layers.Dense(4)])
            self.discriminator = mk.Sequential([mk.Input((4,)),
                                                mk.layers.Dense(1, activation="sigmoid")])
            self.d_tracker = mk.metrics.Mean(name="d_loss")
            self.g_tracker = mk.metrics.Mean(name="g_loss")

        def compile(self, d_optimizer, g_optimizer):
            super().compile()
            self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
            self.bce = mk.losses.BinaryCrossentropy()

        @property
        def metrics(self):
            return [self.d_tracker, self.g_tracker]

        def train_step(self, data):
            real, _ = data
            noise = tf.random.stateless_normal((tf.shape(real)[0], 2), seed=[1, 2])
            with tf.GradientTape() as tape:
                fake = self.generator(noise)
                d_real, d_fake = self.discriminator(real), self.discriminator(fake)
                d_loss = self.bce(tf.ones_like(d_real), d_real) + \
                    self.bce(tf.zeros_like(d_fake), d_fake)
            d_vars = self.discriminator.trainable_variables
            self.d_optimizer.apply(tape.gradient(d_loss, d_vars), d_vars)
            with tf.GradientTape() as tape:
                g_loss = self.bce(tf.ones_like(d_fake),
                                  self.discriminator(self.generator(noise)))
            g_vars = self.generator.trainable_variables
            self.g_optimizer.apply(tape.gradient(g_loss, g_vars), g_vars)
            self.d_tracker.update_state(d_loss)
            self.g_tracker.update_state(g_loss)
            return {"d_loss": self.d_tracker.result(), "g_loss": self.g_tracker.result()}

    gan = GAN()
    gan.compile(mk.optimizers.Adam(1e-2), mk.optimizers.Adam(1e-2))
    before = [w.copy() for w in gan.generator.get_weights()]
    history = gan.fit(X, np.zeros((60, 1), np.float32), batch_size=20, epochs=2, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss"} and len(history.history["d_loss"]) == 2
    assert all(np.isfinite(v) for v in history.history["g_loss"])
    assert any((a != b).any() for a, b in zip(gan.generator.get_weights(), before))
    assert int(gan.d_optimizer.iterations.numpy()) == int(gan.g_optimizer.iterations.numpy()) == 6


def test_subclassed_model_save_weights_round_trip(tmp_path):
    model, _ = run(mk, subclassed)
    model.save_weights(tmp_path / "w.minikeras")
    mk.utils.set_random_seed(9)
    other = subclassed(mk)()
    other.build((None, 4))
    other.load_weights(tmp_path / "w.minikeras")
    np.testing.assert_array_equal(other.predict(X, verbose=0), model.predict(X, verbose=0))


def test_subclassed_model_with_two_inputs_matches_keras():
    x1, x2 = X[:, :2], X[:, 2:]
    losses = []
    for lib in (keras, mk):
        class Two(lib.Model):
            def __init__(self):
                super().__init__()
                self.a = lib.layers.Dense(4, activation="relu")
                self.o = lib.layers.Dense(1, activation="sigmoid")

            def call(self, inputs):
                p, q = inputs
                return self.o(self.a(lib.layers.concatenate([p, q])))
        lib.utils.set_random_seed(0)
        model = Two()
        model.compile("sgd", "binary_crossentropy")
        losses.append(model.fit([x1, x2], Y, epochs=2, verbose=0, shuffle=False)
                      .history["loss"])
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-6)


def test_layers_appended_to_a_list_attribute_are_tracked_as_keras():
    results = []
    for lib in (keras, mk):
        class Blocks(lib.Model):
            def __init__(self):
                super().__init__()
                self.blocks = []
                for _ in range(2):
                    self.blocks.append(lib.layers.Dense(4, activation="tanh"))
                self.head = lib.layers.Dense(1)

            def call(self, inputs):
                for block in self.blocks:
                    inputs = block(inputs)
                return self.head(inputs)
        lib.utils.set_random_seed(0)
        model = Blocks()
        model.compile("sgd", "mse")
        history = model.fit(X, X[:, :1] * 2, epochs=3, verbose=0, shuffle=False).history
        results.append(([tuple(w.shape) for w in model.get_weights()], history["loss"]))
    assert results[1][0] == results[0][0] and len(results[0][0]) == 6  # keras's order
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-6)
