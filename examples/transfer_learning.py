"""keras's transfer-learning guide, in small: a pretrained base frozen (trainable=False),
a new head trained, then the base unfrozen and fine-tuned with a low learning rate."""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(10)
x = rng.normal(size=(300, 16)).astype("float32")
y = (x[:, :2].sum(axis=1) > 0).astype("float32")

base_model = keras.Sequential([keras.Input(shape=(16,)), layers.Dense(32, activation="relu"),
                               layers.BatchNormalization(), layers.Dense(16, activation="relu")],
                              name="base")
base_model.compile(optimizer="adam", loss="mse")
base_model.fit(x, rng.normal(size=(300, 16)), epochs=1, verbose=0)  # "pretraining"

base_model.trainable = False
inputs = keras.Input(shape=(16,))
features = base_model(inputs, training=False)
outputs = layers.Dense(1, activation="sigmoid")(layers.Dropout(0.2)(features))
model = keras.Model(inputs, outputs)
model.summary(show_trainable=True)
print(len(model.trainable_weights), len(model.non_trainable_weights))
model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.BinaryCrossentropy(),
              metrics=[keras.metrics.BinaryAccuracy()])
model.fit(x, y, epochs=3, validation_split=0.2, verbose=0)

base_model.trainable = True
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss=keras.losses.BinaryCrossentropy(),
              metrics=[keras.metrics.BinaryAccuracy()])
history = model.fit(x, y, epochs=2, validation_split=0.2, verbose=0)
print(len(model.trainable_weights), history.history["binary_accuracy"][-1])
