"""Saving as the keras guide shows: the whole model to `.keras`, weights to `.weights.h5`,
the architecture as JSON, and loading each back."""
import os
import tempfile

import keras
import numpy as np

keras.utils.set_random_seed(0)
rng = np.random.default_rng(5)
x = rng.normal(size=(200, 4)).astype("float32")
y = rng.integers(0, 3, size=200)


def get_model():
    inputs = keras.Input(shape=(4,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    outputs = keras.layers.Dense(3, activation="softmax")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


workdir = tempfile.mkdtemp()
model = get_model()
model.fit(x, y, epochs=2, verbose=0)
path = os.path.join(workdir, "my_model.keras")
model.save(path)
reconstructed = keras.models.load_model(path)
np.testing.assert_allclose(model.predict(x, verbose=0), reconstructed.predict(x, verbose=0))
reconstructed.fit(x, y, epochs=1, verbose=0)  # the optimizer state came back too

model.save_weights(os.path.join(workdir, "my.weights.h5"))
fresh = get_model()
fresh.load_weights(os.path.join(workdir, "my.weights.h5"))
np.testing.assert_allclose(model.predict(x, verbose=0), fresh.predict(x, verbose=0))

config = model.to_json()
from_json = keras.models.model_from_json(config)
print(type(from_json).__name__, len(from_json.weights))
cloned = keras.models.clone_model(model)
print(len(cloned.layers), model.get_config()["name"])
