"""TensorFlow's "Overfit and underfit" tutorial, in small: an InverseTimeDecay schedule,
from_logits losses and a BinaryCrossentropy metric, repeated datasets with steps_per_epoch,
L2 weight regularization, Dropout and combined models compared by validation loss."""
import keras
import numpy as np
import tensorflow as tf
from keras import layers, regularizers

keras.utils.set_random_seed(0)
FEATURES, N_TRAIN, BATCH_SIZE = 28, 600, 50
STEPS_PER_EPOCH = N_TRAIN // BATCH_SIZE
rng = np.random.default_rng(15)
features = rng.normal(size=(N_TRAIN + 200, FEATURES)).astype("float32")
labels = (features[:, :3].sum(axis=1, keepdims=True) + rng.normal(size=(len(features), 1))
          > 0).astype("float32")
train_ds = tf.data.Dataset.from_tensor_slices((features[:N_TRAIN], labels[:N_TRAIN]))
validate_ds = tf.data.Dataset.from_tensor_slices((features[N_TRAIN:], labels[N_TRAIN:]))
train_ds = train_ds.cache().shuffle(1000).repeat().batch(BATCH_SIZE)
validate_ds = validate_ds.batch(BATCH_SIZE)

lr_schedule = keras.optimizers.schedules.InverseTimeDecay(
    0.001, decay_steps=STEPS_PER_EPOCH * 10, decay_rate=1, staircase=False)


def compile_and_fit(model, name, max_epochs=4):
    model.compile(optimizer=keras.optimizers.Adam(lr_schedule),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryCrossentropy(from_logits=True,
                                                            name="binary_crossentropy"),
                           "accuracy"])
    model.summary()
    return model.fit(train_ds, steps_per_epoch=STEPS_PER_EPOCH, epochs=max_epochs,
                     validation_data=validate_ds,
                     callbacks=[keras.callbacks.EarlyStopping(monitor="val_binary_crossentropy",
                                                              patience=200)],
                     verbose=0)


size_histories = {}
size_histories["Tiny"] = compile_and_fit(keras.Sequential([
    layers.Dense(16, activation="elu", input_shape=(FEATURES,)), layers.Dense(1)]), "sizes/Tiny")
size_histories["l2"] = compile_and_fit(keras.Sequential([
    layers.Dense(64, activation="elu", kernel_regularizer=regularizers.l2(0.001),
                 input_shape=(FEATURES,)),
    layers.Dense(64, activation="elu", kernel_regularizer=regularizers.l2(0.001)),
    layers.Dense(1)]), "regularizers/l2")
size_histories["dropout"] = compile_and_fit(keras.Sequential([
    layers.Dense(64, activation="elu", input_shape=(FEATURES,)), layers.Dropout(0.5),
    layers.Dense(64, activation="elu"), layers.Dropout(0.5), layers.Dense(1)]),
    "regularizers/dropout")
history = size_histories["dropout"]
for name, h in size_histories.items():
    print(name, min(h.history["val_binary_crossentropy"]))
