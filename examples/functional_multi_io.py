"""The keras functional API guide: a ticket-ranking model with three inputs and two outputs,
losses and loss weights as dicts keyed by output name, a shared layer, a nested model."""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(0)
num_tags, num_words, num_departments = 12, 1000, 4

title_input = keras.Input(shape=(num_words,), name="title")
body_input = keras.Input(shape=(num_words,), name="body")
tags_input = keras.Input(shape=(num_tags,), name="tags")
shared = layers.Dense(16, activation="relu", name="shared_text")
title_features = shared(title_input)
body_features = shared(body_input)
x = layers.concatenate([title_features, body_features, tags_input])
priority_pred = layers.Dense(1, name="priority")(x)
department_pred = layers.Dense(num_departments, name="department")(x)
model = keras.Model(inputs=[title_input, body_input, tags_input],
                    outputs={"priority": priority_pred, "department": department_pred})
model.summary()

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
          "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
    loss_weights={"priority": 1.0, "department": 0.2},
)
rng = np.random.default_rng(6)
title_data = rng.integers(0, 2, size=(128, num_words)).astype("float32")
body_data = rng.integers(0, 2, size=(128, num_words)).astype("float32")
tags_data = rng.integers(0, 2, size=(128, num_tags)).astype("float32")
priority_targets = rng.random(size=(128, 1))
dept_targets = rng.integers(0, 2, size=(128, num_departments))
history = model.fit({"title": title_data, "body": body_data, "tags": tags_data},
                    {"priority": priority_targets, "department": dept_targets},
                    epochs=2, batch_size=32)
print(sorted(history.history))

# a model used as a layer of another
encoder_input = keras.Input(shape=(8,), name="features")
encoded = layers.Dense(4, activation="relu")(encoder_input)
encoder = keras.Model(encoder_input, encoded, name="encoder")
outer_input = keras.Input(shape=(8,))
outer = keras.Model(outer_input, layers.Dense(1)(encoder(outer_input)))
print([layer.name for layer in outer.layers][1:], outer.get_layer("encoder").output.shape)
