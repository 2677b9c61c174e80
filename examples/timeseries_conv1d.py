"""keras's "Timeseries classification from scratch" example: a fully convolutional network
(Conv1D, BatchNormalization, ReLU, GlobalAveragePooling1D) with ModelCheckpoint,
ReduceLROnPlateau and EarlyStopping, saved and reloaded as a .keras file.

Noisy sine and square waves stand in for the FordA dataset.
"""
import os
import tempfile

import keras
import numpy as np

keras.utils.set_random_seed(1)
rng = np.random.default_rng(1)
t = np.linspace(0, 4 * np.pi, 100)
labels = rng.integers(0, 2, 240)
waves = np.where(labels[:, None] == 0, np.sin(t), np.sign(np.sin(t)))
x_train = (waves + rng.normal(scale=0.5, size=waves.shape)).reshape((-1, 100, 1))
y_train = labels
num_classes = len(np.unique(y_train))
idx = np.random.permutation(len(x_train))
x_train, y_train = x_train[idx], y_train[idx]


def make_model(input_shape):
    input_layer = keras.layers.Input(input_shape)
    conv1 = keras.layers.Conv1D(filters=16, kernel_size=3, padding="same")(input_layer)
    conv1 = keras.layers.BatchNormalization()(conv1)
    conv1 = keras.layers.ReLU()(conv1)
    conv2 = keras.layers.Conv1D(filters=16, kernel_size=3, padding="same")(conv1)
    conv2 = keras.layers.BatchNormalization()(conv2)
    conv2 = keras.layers.ReLU()(conv2)
    gap = keras.layers.GlobalAveragePooling1D()(conv2)
    output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)
    return keras.models.Model(inputs=input_layer, outputs=output_layer)


model = make_model(input_shape=x_train.shape[1:])
path = os.path.join(tempfile.mkdtemp(), "best_model.keras")
callbacks = [
    keras.callbacks.ModelCheckpoint(path, save_best_only=True, monitor="val_loss"),
    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2,
                                      min_lr=0.0001),
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, verbose=1),
]
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
              metrics=["sparse_categorical_accuracy"])
history = model.fit(x_train, y_train, batch_size=32, epochs=4, callbacks=callbacks,
                    validation_split=0.2, verbose=1)
model = keras.models.load_model(path)
test_loss, test_acc = model.evaluate(x_train[:64], y_train[:64])
print("Test accuracy", test_acc)
print("Test loss", test_loss)
