"""TensorFlow's basic regression tutorial: a Normalization layer adapted to the features,
a DNN trained with Adam on mean absolute error, history as a table, predictions.

Random data of the Auto MPG table's shape stands in for the CSV download.
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(3)
train_features = rng.normal([5.0, 190.0, 100.0, 2900.0, 15.0, 76.0, 0.5, 0.2, 0.3],
                            [1.7, 100.0, 38.0, 840.0, 2.7, 3.6, 0.5, 0.4, 0.45], size=(300, 9))
train_labels = 40 - train_features[:, 3] / 150 + rng.normal(size=300)

normalizer = layers.Normalization(axis=-1)
normalizer.adapt(np.array(train_features))
print(normalizer.mean.numpy())

horsepower = np.array(train_features[:, 2])
horsepower_normalizer = layers.Normalization(input_shape=[1], axis=None)
horsepower_normalizer.adapt(horsepower)
horsepower_model = keras.Sequential([horsepower_normalizer, layers.Dense(units=1)])
horsepower_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1),
                         loss="mean_absolute_error")
horsepower_model.fit(horsepower, train_labels, epochs=5, verbose=0, validation_split=0.2)


def build_and_compile_model(norm):
    model = keras.Sequential([
        norm,
        layers.Dense(64, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(1),
    ])
    model.compile(loss="mean_absolute_error", optimizer=keras.optimizers.Adam(0.001))
    return model


dnn_model = build_and_compile_model(normalizer)
dnn_model.summary()
history = dnn_model.fit(train_features, train_labels, validation_split=0.2, verbose=0,
                        epochs=10)
test_results = dnn_model.evaluate(train_features, train_labels, verbose=0)
test_predictions = dnn_model.predict(train_features).flatten()
print(test_results, test_predictions[:3])
