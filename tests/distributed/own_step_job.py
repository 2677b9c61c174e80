"""Run in a subprocess: the CPU split into two logical devices before TensorFlow starts.

A model with its own train_step/test_step (keras's "customizing what happens in fit" form,
and a GAN-style one with two optimizers) trained on one device and under MirroredStrategy
with two replicas, from the same weights; both results go to an .npz for the test.
"""
import sys

import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])

import minikeras as mk  # noqa: E402

X = np.random.default_rng(0).normal(size=(67, 3)).astype(np.float32)  # 67: a short last batch
Y = (X[:, :1] - X[:, 1:2] > 0).astype(np.float32)


class CustomStep(mk.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = mk.layers.Dense(6, activation="tanh", kernel_regularizer="l2")
        self.out = mk.layers.Dense(1, activation="sigmoid")
        self.mae = mk.metrics.MeanAbsoluteError(name="mae")

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        self.mae.update_state(y, y_pred)
        return {"mae": self.mae.result(), **self.compute_metrics(x, y, y_pred)}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.mae.update_state(y, y_pred)
        return {"mae": self.mae.result()}

    @property
    def metrics(self):
        return [self.mae] + super().metrics


class TwoOptimizers(CustomStep):
    def compile(self, first, second, **kwargs):
        super().compile(optimizer=first, **kwargs)
        self.second = second

    def train_step(self, data):
        x, y = data
        with tf.GradientTape(persistent=True) as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        hidden, out = self.hidden.trainable_variables, self.out.trainable_variables
        self.optimizer.apply(tape.gradient(loss, hidden), hidden)
        self.second.apply_gradients(zip(tape.gradient(loss, out), out))
        self.mae.update_state(y, y_pred)
        return {"mae": self.mae.result()}


def run(strategy, kind, start):
    with strategy.scope():
        model = (CustomStep if kind == "custom" else TwoOptimizers)()
        model.build((None, 3))
        model.set_weights(start)
        if kind == "custom":
            model.compile(optimizer=mk.optimizers.SGD(0.1, momentum=0.9),
                          loss="binary_crossentropy", metrics=["accuracy"])
        else:
            model.compile(mk.optimizers.SGD(0.1), mk.optimizers.Adam(0.01),
                          loss="binary_crossentropy")
    history = model.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                        validation_data=(X[:21], Y[:21]))
    return model, history.history


def main(out):
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    assert len(devices) == 2, devices
    mk.utils.set_random_seed(0)
    probe = CustomStep()
    probe.build((None, 3))
    start = probe.get_weights()
    results = {}
    # One strategy for both models: a second MirroredStrategy in the process would number
    # its collective ops from the same start, and TensorFlow would match them with the first
    # strategy's ops of other shapes ("Shape mismatch in the collective instance").
    mirrored = tf.distribute.MirroredStrategy(devices)
    for kind in ("custom", "two_optimizers"):
        one, h1 = run(tf.distribute.get_strategy(), kind, start)
        two, h2 = run(mirrored, kind, start)
        for tag, model, history in (("1", one, h1), ("2", two, h2)):
            results.update({f"{kind}/w{tag}/{i}": w for i, w in enumerate(model.get_weights())})
            results.update({f"{kind}/h{tag}/{k}": np.array(v) for k, v in history.items()})
        for var in two.weights:  # the replicas hold identical copies
            assert isinstance(var, tf.distribute.DistributedValues), var.name
            copies = [v.numpy() for v in var.values]
            assert all(np.array_equal(copies[0], c) for c in copies[1:]), var.name
    np.savez(out, **results)


if __name__ == "__main__":
    main(sys.argv[1])
