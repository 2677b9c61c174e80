"""Deep Learning with Python, chapter 4: Reuters newswires, 46 topics, one-hot labels.

Random data of the dataset's form stands in for keras.datasets.reuters.load_data().
"""
import keras
import numpy as np
from keras import layers
from keras.utils import to_categorical

keras.utils.set_random_seed(0)
rng = np.random.default_rng(1)
x_train = (rng.random((500, 1000)) < 0.05).astype("float32")
train_labels = rng.integers(0, 46, size=500)
y_train = to_categorical(train_labels)

model = keras.Sequential([
    layers.Dense(64, activation="relu"),
    layers.Dense(64, activation="relu"),
    layers.Dense(46, activation="softmax"),
])
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=3, batch_size=128, validation_split=0.2)

# the same with integer labels and the sparse loss
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.fit(x_train, train_labels, epochs=1, batch_size=128, verbose=0)
predictions = model.predict(x_train[:5])
print(predictions.shape, np.sum(predictions[0]), np.argmax(predictions[0]))
