"""keras's classic mnist_mlp example: Dense + Dropout on flattened digits, RMSprop.

Random data of MNIST's shapes stands in for keras.datasets.mnist.load_data() (no network
in tests); the script is otherwise as keras users write it.
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(1)
batch_size, num_classes, epochs = 128, 10, 3

rng = np.random.default_rng(0)
x_train = rng.integers(0, 256, size=(600, 28, 28)).astype("uint8")
y_train = rng.integers(0, 10, size=(600,))
x_test = rng.integers(0, 256, size=(100, 28, 28)).astype("uint8")
y_test = rng.integers(0, 10, size=(100,))

x_train = x_train.reshape(600, 784).astype("float32") / 255
x_test = x_test.reshape(100, 784).astype("float32") / 255
print(x_train.shape[0], "train samples")

y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = keras.Sequential()
model.add(keras.Input(shape=(784,)))
model.add(layers.Dense(512, activation="relu"))
model.add(layers.Dropout(0.2))
model.add(layers.Dense(512, activation="relu"))
model.add(layers.Dropout(0.2))
model.add(layers.Dense(num_classes, activation="softmax"))
model.summary()

model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.RMSprop(),
              metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=1,
                    validation_data=(x_test, y_test))
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
