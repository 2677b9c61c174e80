"""keras's "Writing your own callbacks" guide: every hook logging its keys, early stopping at
the minimum loss with best weights kept, and a learning-rate schedule set on the optimizer."""
import keras
import numpy as np

keras.utils.set_random_seed(0)
rng = np.random.default_rng(17)
x_train = rng.random((256, 784)).astype("float32")
y_train = rng.random(256).astype("float32")


def get_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
                  loss="mean_squared_error", metrics=["mean_absolute_error"])
    return model


class CustomCallback(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        print(f"Starting training; got log keys: {list(logs.keys())}")

    def on_epoch_end(self, epoch, logs=None):
        print(f"End epoch {epoch} of training; got log keys: {sorted(logs.keys())}")

    def on_test_begin(self, logs=None):
        print(f"Start testing; got log keys: {list(logs.keys())}")

    def on_predict_end(self, logs=None):
        print(f"Stop predicting; got log keys: {list(logs.keys())}")

    def on_train_batch_end(self, batch, logs=None):
        if batch == 0:
            print(f"...Training: end of batch {batch}; got log keys: {sorted(logs.keys())}")


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best = 0, 0, np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best, self.wait = current, 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                self.model.set_weights(self.best_weights)


class CustomLearningRateScheduler(keras.callbacks.Callback):
    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        lr = self.model.optimizer.learning_rate
        scheduled_lr = self.schedule(epoch, lr)
        self.model.optimizer.learning_rate = scheduled_lr
        print(f"Epoch {epoch}: Learning rate is {float(np.array(scheduled_lr)):6.4f}.")


def lr_schedule(epoch, lr):
    return lr * 0.5 if epoch in (1, 3) else lr


model = get_model()
model.fit(x_train, y_train, batch_size=128, epochs=1, verbose=0, validation_split=0.5,
          callbacks=[CustomCallback()])
model.evaluate(x_train, y_train, batch_size=128, verbose=0, callbacks=[CustomCallback()])
model.predict(x_train, batch_size=128, callbacks=[CustomCallback()])
history = get_model().fit(x_train, y_train, batch_size=64, epochs=6, verbose=0,
                          callbacks=[EarlyStoppingAtMinLoss(patience=1),
                                     CustomLearningRateScheduler(lr_schedule)])
print(len(history.history["loss"]))
