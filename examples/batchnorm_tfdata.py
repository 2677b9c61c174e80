"""A tf.data pipeline into fit (shuffle, batch, prefetch), BatchNormalization and Dropout,
an exponential learning-rate schedule, evaluation on a dataset and predict on arrays."""
import keras
import numpy as np
import tensorflow as tf
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(12)
x = rng.normal(size=(512, 10)).astype("float32")
y = np.digitize(x[:, 0] + x[:, 1], [-0.5, 0.5])
train = tf.data.Dataset.from_tensor_slices((x[:384], y[:384])).shuffle(384).batch(32)
train = train.prefetch(tf.data.AUTOTUNE)
val = tf.data.Dataset.from_tensor_slices((x[384:], y[384:])).batch(64)

model = keras.Sequential([
    keras.Input(shape=(10,)),
    layers.Dense(64, use_bias=False),
    layers.BatchNormalization(),
    layers.Activation("relu"),
    layers.Dropout(0.3),
    layers.Dense(3, activation="softmax"),
])
lr_schedule = keras.optimizers.schedules.ExponentialDecay(
    initial_learning_rate=1e-2, decay_steps=10, decay_rate=0.9)
model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr_schedule, momentum=0.9),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(train, validation_data=val, epochs=4, verbose=0)
loss, acc = model.evaluate(val, verbose=0)
probabilities = model.predict(x[:5], verbose=0)
print(acc, probabilities.argmax(axis=1), model.layers[1].moving_mean.numpy()[:3])
