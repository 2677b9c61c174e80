"""Keras 3's functional style with keras.ops between layers (as in keras.io's newer
examples): ops.concatenate, ops.mean, ops.expand_dims and operators on symbolic tensors,
a dict of named inputs, then save to .keras, reload and predict.
"""
import os
import tempfile

import keras
import numpy as np
from keras import layers, ops

rng = np.random.default_rng(2)
numeric = rng.normal(size=(300, 6)).astype("float32")
tokens = rng.integers(1, 50, size=(300, 8))
target = (numeric[:, 0] + (tokens[:, 0] > 25) > 0.5).astype("float32")

numeric_in = keras.Input(shape=(6,), name="numeric")
tokens_in = keras.Input(shape=(8,), dtype="int32", name="tokens")
embedded = layers.Embedding(50, 4)(tokens_in)
pooled = ops.mean(embedded, axis=1)
scaled = (numeric_in - 0.5) * 2.0
merged = ops.concatenate([scaled, pooled], axis=-1)
hidden = layers.Dense(16, activation="relu")(merged)
gate = ops.sigmoid(ops.expand_dims(ops.sum(hidden, axis=-1), -1))
output = layers.Dense(1, activation="sigmoid", name="score")(hidden * gate)
model = keras.Model({"tokens": tokens_in, "numeric": numeric_in}, output)
model.summary()
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
model.fit({"numeric": numeric, "tokens": tokens}, target, epochs=3, batch_size=32,
          validation_split=0.2)
path = os.path.join(tempfile.mkdtemp(), "functional_ops.keras")
model.save(path)
reloaded = keras.models.load_model(path)
batch = {"numeric": numeric[:4], "tokens": tokens[:4]}
np.testing.assert_allclose(reloaded.predict(batch), model.predict(batch), rtol=1e-5, atol=1e-6)
print("reloaded predictions match")
