"""Deep Learning with Python, chapter 4: IMDB reviews as multi-hot vectors, two Dense layers.

Random word-index sequences of IMDB's form stand in for keras.datasets.imdb.load_data().
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
train_data = [list(rng.integers(1, 1000, size=rng.integers(5, 60))) for _ in range(400)]
train_labels = rng.integers(0, 2, size=400)


def vectorize_sequences(sequences, dimension=1000):
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        for j in sequence:
            results[i, j] = 1.
    return results


x_train = vectorize_sequences(train_data)
y_train = np.asarray(train_labels).astype("float32")

model = keras.Sequential([
    layers.Dense(16, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])

x_val, partial_x_train = x_train[:100], x_train[100:]
y_val, partial_y_train = y_train[:100], y_train[100:]
history = model.fit(partial_x_train, partial_y_train, epochs=4, batch_size=64,
                    validation_data=(x_val, y_val))
history_dict = history.history
print(history_dict.keys())
loss_values = history_dict["loss"]
val_loss_values = history_dict["val_loss"]
results = model.evaluate(x_val, y_val)
print(results)
print(model.predict(x_val[:3]))
