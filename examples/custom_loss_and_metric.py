"""A custom loss function and a keras.losses.Loss subclass, a stateful keras.metrics.Metric
subclass, and class_weight, as keras's guides write them."""
import keras
import numpy as np
import tensorflow as tf


def custom_mean_squared_error(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


class CustomMSE(keras.losses.Loss):
    def __init__(self, regularization_factor=0.1, name="custom_mse"):
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true, y_pred):
        mse = tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)
        reg = tf.reduce_mean(tf.square(0.5 - y_pred), axis=-1)
        return mse + reg * self.regularization_factor


class CategoricalTruePositives(keras.metrics.Metric):
    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = tf.reshape(tf.argmax(y_pred, axis=1), (-1, 1))
        values = tf.cast(y_true, "int32") == tf.cast(y_pred, "int32")
        values = tf.cast(values, "float32")
        if sample_weight is not None:
            values = tf.multiply(values, tf.cast(sample_weight, "float32"))
        self.true_positives.assign_add(tf.reduce_sum(values))

    def result(self):
        return self.true_positives

    def reset_state(self):
        self.true_positives.assign(0.0)


keras.utils.set_random_seed(0)
rng = np.random.default_rng(13)
x = rng.normal(size=(256, 6)).astype("float32")
labels = rng.integers(0, 3, size=(256, 1))
one_hot = keras.utils.to_categorical(labels, 3)


def get_model():
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    return model


model = get_model()
model.compile(optimizer="adam", loss=custom_mean_squared_error)
model.fit(x, one_hot, batch_size=64, epochs=1, verbose=0)
model = get_model()
model.compile(optimizer="adam", loss=CustomMSE())
model.fit(x, one_hot, batch_size=64, epochs=1, verbose=0)
model = get_model()
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
              loss=keras.losses.SparseCategoricalCrossentropy(),
              metrics=[CategoricalTruePositives()])
history = model.fit(x, labels, batch_size=64, epochs=2, verbose=0,
                    class_weight={0: 1.0, 1: 2.0, 2: 0.5})
print(history.history)
