"""keras's "Simple MNIST convnet" example: Conv2D, MaxPooling2D, Flatten, Dropout.

Random images of MNIST's shapes stand in for keras.datasets.mnist.load_data().
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(0)
num_classes, input_shape = 10, (28, 28, 1)
rng = np.random.default_rng(9)
x_train = rng.integers(0, 256, size=(256, 28, 28)).astype("uint8")
y_train = rng.integers(0, 10, size=256)
x_train = x_train.astype("float32") / 255
x_train = np.expand_dims(x_train, -1)
print("x_train shape:", x_train.shape)
y_train = keras.utils.to_categorical(y_train, num_classes)

model = keras.Sequential([
    keras.Input(shape=input_shape),
    layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Flatten(),
    layers.Dropout(0.5),
    layers.Dense(num_classes, activation="softmax"),
])
model.summary()
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=128, epochs=2, validation_split=0.1)
score = model.evaluate(x_train[:64], y_train[:64], verbose=0)
print("Test loss:", score[0], "Test accuracy:", score[1])
