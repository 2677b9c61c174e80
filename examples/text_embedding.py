"""Word embeddings on padded integer sequences: Embedding, GlobalAveragePooling1D, Dense,
with keras.utils.pad_sequences."""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(11)
vocab_size, maxlen = 500, 20
sequences = [list(rng.integers(1, vocab_size, size=rng.integers(3, 30))) for _ in range(300)]
labels = rng.integers(0, 2, size=300)
x = keras.utils.pad_sequences(sequences, maxlen=maxlen)
print(x.shape, x[0][:5])

model = keras.Sequential([
    keras.Input(shape=(maxlen,), dtype="int32"),
    layers.Embedding(vocab_size, 16),
    layers.GlobalAveragePooling1D(),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x, labels, epochs=3, batch_size=32, validation_split=0.2, verbose=2)
embeddings = model.layers[0].get_weights()[0]
print(embeddings.shape)
