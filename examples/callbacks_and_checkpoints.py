"""The callbacks keras users reach for: EarlyStopping, ModelCheckpoint (best weights),
ReduceLROnPlateau, CSVLogger, LearningRateScheduler, a LambdaCallback and a custom one."""
import os
import tempfile

import keras
import numpy as np

keras.utils.set_random_seed(0)
rng = np.random.default_rng(4)
x = rng.normal(size=(400, 8)).astype("float32")
y = (x[:, :1] + x[:, 1:2] > 0).astype("float32")
workdir = tempfile.mkdtemp()


class LossHistory(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.losses = []

    def on_batch_end(self, batch, logs=None):
        self.losses.append(logs.get("loss"))


def scheduler(epoch, lr):
    return lr if epoch < 2 else lr * 0.9


model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
              loss="binary_crossentropy", metrics=["accuracy"])
history_cb = LossHistory()
callbacks = [
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True),
    keras.callbacks.ModelCheckpoint(os.path.join(workdir, "best.weights.h5"),
                                    monitor="val_accuracy", save_best_only=True,
                                    save_weights_only=True),
    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, min_lr=1e-4),
    keras.callbacks.CSVLogger(os.path.join(workdir, "training.log")),
    keras.callbacks.LearningRateScheduler(scheduler),
    keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"])),
    history_cb,
]
history = model.fit(x, y, epochs=6, batch_size=32, validation_split=0.25, callbacks=callbacks,
                    verbose=0)
print(len(history_cb.losses), sorted(history.history))
model.load_weights(os.path.join(workdir, "best.weights.h5"))
print(open(os.path.join(workdir, "training.log")).read().splitlines()[0])
print(float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)))
