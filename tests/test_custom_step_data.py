"""A model with its own train_step gets the batch as the data holds it (keras): a dataset of
inputs only gives the inputs alone, and fit needs no targets."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk

X = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")


def autoencoder(lib):
    class AutoEncoder(lib.Model):
        def __init__(self):
            super().__init__()
            self.dense = lib.layers.Dense(3)
            self.tracker = lib.metrics.Mean(name="reconstruction")

        def call(self, inputs):
            return self.dense(inputs)

        def train_step(self, data):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self(data, training=True) - data))
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            self.tracker.update_state(loss)
            return {"reconstruction": self.tracker.result()}

        @property
        def metrics(self):
            return [self.tracker]
    model = AutoEncoder()
    model.compile(optimizer=lib.optimizers.SGD(0.1))
    return model


@pytest.mark.parametrize("as_dataset", [True, False])
def test_inputs_only_reach_train_step_alone_as_in_keras(as_dataset):
    histories = []
    for lib in (keras, mk):
        lib.utils.set_random_seed(0)
        model = autoencoder(lib)
        model(X[:1])
        data = tf.data.Dataset.from_tensor_slices(X).batch(8) if as_dataset else X
        kwargs = {} if as_dataset else dict(batch_size=8, shuffle=False)
        histories.append(model.fit(data, epochs=3, verbose=0, **kwargs).history)
    assert sorted(histories[1]) == sorted(histories[0]) == ["reconstruction"]
    np.testing.assert_allclose(histories[1]["reconstruction"], histories[0]["reconstruction"],
                               rtol=1e-5)
