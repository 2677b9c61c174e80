"""A keras.utils.PyDataset feeding fit (batches made in Python, e.g. read from disk), with
the workers arguments keras accepts, and predict on it."""
import math

import keras
import numpy as np


class RandomBatches(keras.utils.PyDataset):
    def __init__(self, x_set, y_set, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y = x_set, y_set
        self.batch_size = batch_size

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, idx):
        low = idx * self.batch_size
        high = min(low + self.batch_size, len(self.x))
        return self.x[low:high], self.y[low:high]


keras.utils.set_random_seed(0)
rng = np.random.default_rng(14)
x = rng.normal(size=(200, 5)).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")
train = RandomBatches(x[:160], y[:160], batch_size=32)
val = RandomBatches(x[160:], y[160:], batch_size=32)
model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(train, validation_data=val, epochs=3, verbose=0)
print(history.history["val_accuracy"], model.predict(val, verbose=0).shape)
