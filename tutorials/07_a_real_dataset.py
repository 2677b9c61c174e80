# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 7. A real data set: handwritten digits
#
# Everything so far, on real data: scikit-learn's bundled **digits** (1797 images of 8x8
# pixels, values 0 to 16, ten classes; the data ship inside the package, nothing is
# downloaded). The steps of a careful experiment:
#
# 1. split the data into **training**, **validation** and **test** sets;
# 2. **standardize** with the training set's mean and standard deviation only;
# 3. train a small network, with **early stopping** on the validation loss;
# 4. read the **learning curves**;
# 5. measure on the untouched test set, and look at the **confusion matrix**.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import minikeras as mk
from minikeras.utils.plotting import plot_confusion_matrix, plot_history, save_figure

QUICK = os.environ.get("MINIKERAS_QUICK") == "1"   # a lower epoch limit, for tests

# %% [markdown]
# ## The data

# %%
digits = load_digits()
x, y = digits.data.astype(np.float32), digits.target
print("images", digits.images.shape, "-> features", x.shape, "; labels", np.bincount(y))

fig, axes = plt.subplots(1, 10, figsize=(10, 1.4))
for digit, ax in enumerate(axes):
    ax.imshow(digits.images[np.nonzero(y == digit)[0][0]], cmap="gray_r")
    ax.set_title(str(digit))
    ax.axis("off")
save_figure(fig, "07_digits")

# %% [markdown]
# ## Training, validation and test sets
#
# 60% to train on, 20% to decide when to stop (validation), 20% kept aside until the very end
# (test). `stratify=y` keeps the ten classes in the same proportions in every part.

# %%
x_train, x_rest, y_train, y_rest = train_test_split(x, y, test_size=0.4, stratify=y,
                                                    random_state=0)
x_val, x_test, y_val, y_test = train_test_split(x_rest, y_rest, test_size=0.5, stratify=y_rest,
                                                random_state=0)
print("train", x_train.shape, "validation", x_val.shape, "test", x_test.shape)
assert len(x_train) + len(x_val) + len(x_test) == len(x)

# %% [markdown]
# ## Standardization
#
# Each pixel gets $x_{new} = (x - \mu) / \sigma$ with $\mu$ and $\sigma$ computed on the
# **training set only**: the validation and test sets must play the part of new data. Some
# border pixels are always 0 in the training set ($\sigma = 0$); we leave them at 0 by
# dividing by 1 instead.

# %%
mean = x_train.mean(axis=0)
std = x_train.std(axis=0)
std[std == 0] = 1.0


def standardize(features):
    return (features - mean) / std


x_train_s, x_val_s, x_test_s = standardize(x_train), standardize(x_val), standardize(x_test)
varying = x_train.std(axis=0) > 0
print(f"{varying.sum()} of 64 pixels vary in the training set")

assert np.allclose(x_train_s.mean(axis=0), 0, atol=1e-5)
assert np.allclose(x_train_s.std(axis=0)[varying], 1, atol=1e-4)

# %% [markdown]
# ## The model, with early stopping
#
# 64 inputs, a hidden layer of 64 `tanh` neurons, and 10 softmax outputs (one probability per
# digit), trained with SGD and Nesterov momentum on minibatches of 16, with the sparse
# categorical crossentropy (the labels are the integers 0 to 9).
#
# `EarlyStopping` watches the validation loss after every epoch and stops once it has not
# improved for `patience` epochs; `restore_best_weights=True` then puts back the weights of the
# best epoch. We allow far more epochs than needed and let it decide.

# %%
MAX_EPOCHS = 100 if QUICK else 300
mk.utils.set_random_seed(0)
model = mk.Sequential([mk.Input(shape=(64,)),
                       mk.layers.Dense(64, activation="tanh"),
                       mk.layers.Dense(10, activation="softmax")])
model.compile(optimizer=mk.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()

stopper = mk.callbacks.EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)
history = model.fit(x_train_s, y_train, batch_size=16, epochs=MAX_EPOCHS, verbose=0,
                    validation_data=(x_val_s, y_val), callbacks=[stopper])

epochs_run = len(history.history["loss"])
best_epoch = int(np.argmin(history.history["val_loss"]))
print(f"stopped after {epochs_run} of at most {MAX_EPOCHS} epochs; "
      f"best validation loss {min(history.history['val_loss']):.4f} at epoch {best_epoch + 1}")

# %% [markdown]
# ## Learning curves
#
# The training loss keeps falling towards zero for as long as we train (training accuracy
# reaches 100%); the validation loss falls for a few epochs and then stops improving. The gap
# between the two curves is what the network learned about its training examples that does
# not carry over to new ones (overfitting; on other data the validation loss often turns
# upwards). Training on would cost time and gain nothing, so early stopping ends it and keeps
# the weights from the bottom of the validation curve (the dotted line).

# %%
fig, ax = plt.subplots(figsize=(7, 4))
plot_history(history, ax=ax, title="digits: learning curves")
ax.axvline(best_epoch + 1, color="gray", ls=":", lw=1)
save_figure(fig, "07_learning_curves")

# %% [markdown]
# The claims: training stopped well before the limit, exactly `patience` epochs after the
# best one; meanwhile the training loss was still falling, far below the validation loss; and
# the weights in the model are those of the best epoch (its validation loss is the smallest
# in the history).

# %%
train_loss, val_loss = history.history["loss"], history.history["val_loss"]
assert epochs_run < MAX_EPOCHS
assert epochs_run - (best_epoch + 1) == 10                 # exactly `patience` epochs after the best
assert train_loss[-1] < train_loss[best_epoch]              # training loss still improving
assert train_loss[-1] < 0.5 * val_loss[best_epoch]          # the gap between the curves
restored_val_loss = model.evaluate(x_val_s, y_val, verbose=0)[0]
np.testing.assert_allclose(restored_val_loss, val_loss[best_epoch], rtol=1e-4)

# %% [markdown]
# ## Test set and confusion matrix
#
# The test set is used once, at the end. The confusion matrix counts, for each true digit
# (row), how often the model predicted each digit (column); the diagonal holds the correct
# answers.

# %%
test_loss, test_accuracy = model.evaluate(x_test_s, y_test, verbose=0)
predicted = model.predict(x_test_s, verbose=0).argmax(axis=1)
print(f"test loss {test_loss:.3f}, test accuracy {test_accuracy:.3f}")

confusion = np.zeros((10, 10), dtype=int)
for true, guess in zip(y_test, predicted):
    confusion[true, guess] += 1
print(confusion)

fig, ax = plt.subplots(figsize=(5.5, 5))
plot_confusion_matrix(confusion, ax=ax, title=f"test accuracy {test_accuracy:.3f}")
save_figure(fig, "07_confusion_matrix")

# %%
recall = confusion.diagonal() / confusion.sum(axis=1)       # per digit: fraction found
print("per-digit recall:", recall.round(2))
assert confusion.sum() == len(y_test)
assert np.array_equal(confusion.sum(axis=1), np.bincount(y_test, minlength=10))
assert np.isclose(confusion.trace() / len(y_test), test_accuracy, atol=1e-6)
assert test_accuracy > 0.93
assert recall.min() > 0.8

# %% [markdown]
# Some of the mistakes, with the true and the predicted digit: many are hard for people too.

# %%
wrong = np.nonzero(predicted != y_test)[0][:10]
test_images = x_test.reshape(-1, 8, 8)
fig, axes = plt.subplots(1, max(len(wrong), 1), figsize=(10, 1.6), squeeze=False)
for ax, i in zip(axes[0], wrong):
    ax.imshow(test_images[i], cmap="gray_r")
    ax.set_title(f"{y_test[i]} as {predicted[i]}", fontsize=9)
for ax in axes[0]:
    ax.axis("off")
save_figure(fig, "07_mistakes")

# %% [markdown]
# **Summary.** Split first, standardize with training statistics, let the validation loss
# decide when to stop, and report the test set once. A 64-64-10 network gets about 96% of
# unseen digits right.
