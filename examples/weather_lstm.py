"""keras's "Timeseries forecasting for weather prediction" example: standardized features,
keras.utils.timeseries_dataset_from_array windows, an LSTM regressor with EarlyStopping and
ModelCheckpoint.

A noisy synthetic "temperature" driven by two other features stands in for the Jena climate
dataset.
"""
import os
import tempfile

import keras
import numpy as np

keras.utils.set_random_seed(3)
rng = np.random.default_rng(3)
steps = 1200
t = np.arange(steps)
pressure = np.sin(2 * np.pi * t / 144) + 0.1 * rng.normal(size=steps)
humidity = np.cos(2 * np.pi * t / 72) + 0.1 * rng.normal(size=steps)
temperature = 0.6 * pressure - 0.3 * np.roll(humidity, 6) + 0.05 * rng.normal(size=steps)
features = np.stack([pressure, humidity, temperature], axis=1).astype("float32")

split_fraction = 0.7
train_split = int(split_fraction * steps)
mean = features[:train_split].mean(axis=0)
std = features[:train_split].std(axis=0)
features = (features - mean) / std

past, future, step, batch_size = 72, 6, 3, 64
sequence_length = past // step
x_train, y_train = features[:train_split], features[past + future:train_split + past + future, 2]
x_val = features[train_split:-(past + future)]
y_val = features[train_split + past + future:, 2]

dataset_train = keras.utils.timeseries_dataset_from_array(
    x_train, y_train, sequence_length=sequence_length, sampling_rate=step,
    batch_size=batch_size)
dataset_val = keras.utils.timeseries_dataset_from_array(
    x_val, y_val, sequence_length=sequence_length, sampling_rate=step, batch_size=batch_size)
for batch in dataset_train.take(1):
    inputs, targets = batch
print("Input shape:", inputs.numpy().shape)
print("Target shape:", targets.numpy().shape)

inputs = keras.layers.Input(shape=(inputs.shape[1], inputs.shape[2]))
lstm_out = keras.layers.LSTM(16)(inputs)
outputs = keras.layers.Dense(1)(lstm_out)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
model.summary()

path_checkpoint = os.path.join(tempfile.mkdtemp(), "model_checkpoint.weights.h5")
es_callback = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0, patience=5)
modelckpt_callback = keras.callbacks.ModelCheckpoint(
    monitor="val_loss", filepath=path_checkpoint, verbose=1, save_weights_only=True,
    save_best_only=True)
history = model.fit(dataset_train, epochs=3, validation_data=dataset_val,
                    callbacks=[es_callback, modelckpt_callback])
for x, y in dataset_val.take(1):
    print("prediction:", model.predict(x, verbose=0)[0], "true:", y[0].numpy())
