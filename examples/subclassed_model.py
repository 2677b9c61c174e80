"""A subclassed keras.Model with a custom layer, trained with compile/fit, saved weights."""
import os
import tempfile

import keras
import numpy as np
from keras import layers, ops


class Linear(layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class ActivityRegularizationLayer(layers.Layer):
    def call(self, inputs):
        self.add_loss(1e-3 * ops.sum(inputs))
        return inputs


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.linear_1 = Linear(32)
        self.reg = ActivityRegularizationLayer()
        self.dropout = layers.Dropout(0.1)
        self.linear_2 = Linear(1)

    def call(self, inputs, training=False):
        x = keras.activations.relu(self.linear_1(inputs))
        x = self.dropout(self.reg(x), training=training)
        return self.linear_2(x)


keras.utils.set_random_seed(0)
rng = np.random.default_rng(7)
x = rng.normal(size=(256, 10)).astype("float32")
y = x[:, :1] * 2 - x[:, 1:2]
mlp = MLP()
mlp.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", metrics=["mae"])
history = mlp.fit(x, y, epochs=3, batch_size=32, verbose=0)
print(len(mlp.weights), len(mlp.trainable_weights), history.history["loss"][-1])
path = os.path.join(tempfile.mkdtemp(), "mlp.weights.h5")
mlp.save_weights(path)
other = MLP()
other(x[:1])
other.load_weights(path)
np.testing.assert_allclose(other.predict(x, verbose=0), mlp.predict(x, verbose=0), rtol=1e-6)
