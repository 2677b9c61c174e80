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
# # 8. Standardizing inputs, and BatchNormalization
#
# Notebook 6 standardized the inputs by hand, $x_{new} = (x - \mu(X)) / \sigma(X)$. Here:
#
# 1. **The `Normalization` layer** does the same inside the model: `adapt` computes $\mu$ and
#    $\sigma$ from the *training* data once, the model then takes raw inputs, and the
#    statistics are saved with the model.
# 2. **What standardization buys**, measured again: the same network on raw and on
#    standardized inputs.
# 3. **BatchNormalization** applies the same idea to the inputs of *hidden* layers: during
#    training it standardizes each feature with the statistics of the current minibatch, and
#    keeps moving averages of them for prediction.
# 4. **Training versus inference**: why a BatchNormalization model gives different outputs
#    for the same input in `fit` and in `predict`, and what the moving statistics converge to.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import minikeras as mk
from minikeras.utils.plotting import save_figure

QUICK = os.environ.get("MINIKERAS_QUICK") == "1"   # fewer epochs, for tests

# %% [markdown]
# The data: two classes in two features on very different scales and far from zero (as in
# notebook 6: around 50 with spread 13, and around 2 with spread 0.13), split into a training
# and a test set.

# %%
rng = np.random.default_rng(0)
n = 600
labels = rng.permutation(np.repeat([0.0, 1.0], n // 2)).astype(np.float32)
centres = np.where(labels[:, None] == 1, [1.0, -1.0], [-1.0, 1.0])
u = centres + 0.9 * rng.normal(size=(n, 2))
u[:, 1] += 0.6 * np.sin(2 * u[:, 0])               # a slightly curved boundary
features = (u * [10.0, 0.1] + [50.0, 2.0]).astype(np.float32)
x_train, y_train = features[:400], labels[:400]
x_test, y_test = features[400:], labels[400:]
print("training mean", x_train.mean(0).round(3), "std", x_train.std(0).round(3))

# %% [markdown]
# ## 1. The Normalization layer
#
# `adapt` computes, for each feature, the mean and the *population* variance (dividing by
# $n$, not $n - 1$) of the data it is given. The layer then maps $x$ to
# $(x - \mu) / \sqrt{\sigma^2}$: exactly the hand-made standardization. Adapt it on the
# training data only: the test set must be transformed with the training statistics, as new
# data would be.

# %%
normalize = mk.layers.Normalization()
normalize.adapt(x_train)
mean, variance, count = normalize.get_weights()
print("adapted mean", mean, "variance", variance)
by_hand = (x_test - x_train.mean(0)) / x_train.std(0)
by_layer = normalize(x_test).numpy()
print("largest difference from the hand-made version:", np.abs(by_layer - by_hand).max())

# %%
np.testing.assert_allclose(mean, x_train.mean(0), rtol=1e-6)
np.testing.assert_allclose(variance, x_train.var(0), rtol=1e-5)        # population variance
np.testing.assert_allclose(by_layer, by_hand, rtol=1e-4, atol=1e-4)
assert abs(normalize(x_train).numpy().mean()) < 1e-4                   # training data: mean 0
assert abs(by_layer.mean()) > 1e-3                                      # test data: not exactly

# %% [markdown]
# ## 2. Raw against standardized inputs
#
# The same network (two hidden `tanh` layers) trained with the same learning rate on the raw
# features, and with a `Normalization` layer first. The raw inputs around 50 saturate the
# first `tanh` layer, whose gradients then vanish.

# %%
EPOCHS = 15 if QUICK else 40


def network(*first_layers, batch_norm=False, momentum=0.99):
    hidden = []
    for _ in range(2):
        hidden.append(mk.layers.Dense(16, activation=None if batch_norm else "tanh"))
        if batch_norm:
            hidden += [mk.layers.BatchNormalization(momentum=momentum),
                       mk.layers.Activation("tanh")]
    return mk.Sequential([mk.Input(shape=(2,)), *first_layers, *hidden,
                          mk.layers.Dense(1, activation="sigmoid")])


def train(model, epochs=EPOCHS, learning_rate=0.05):
    model.compile(optimizer=mk.optimizers.SGD(learning_rate, momentum=0.9),
                  loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=0,
                        validation_data=(x_test, y_test))
    return history.history


runs = {}
for name, make in [("raw inputs", lambda: network()),
                   ("Normalization layer", lambda: network(normalize))]:
    mk.utils.set_random_seed(0)
    runs[name] = train(make())
    print(f"{name:22s} training loss {runs[name]['loss'][-1]:.3f}, "
          f"test accuracy {runs[name]['val_accuracy'][-1]:.3f}")

# %%
assert runs["raw inputs"]["loss"][-1] > runs["Normalization layer"]["loss"][-1] + 0.1
assert runs["Normalization layer"]["val_accuracy"][-1] > 0.85

# %% [markdown]
# ## 3. BatchNormalization: standardizing the hidden layers
#
# A `BatchNormalization` layer placed between a `Dense` layer and its activation standardizes
# each of the 16 pre-activations. During training it uses the current minibatch:
# $\hat z = (z - \mu_B) / \sqrt{\sigma_B^2 + \epsilon}$ ($\epsilon = 10^{-3}$, $\sigma^2_B$
# the population variance of the batch), then $\gamma \hat z + \beta$ with a learned scale
# $\gamma$ (starting at 1) and shift $\beta$ (starting at 0). So the `tanh` after it sees
# inputs of mean about 0 and spread about 1 whatever the scale of the raw features: no
# saturation, even without the Normalization layer.

# %%
mk.utils.set_random_seed(0)
bn_model = network(batch_norm=True)
dense, bn = bn_model.layers[0], bn_model.layers[1]
batch = x_train[:32]
z = dense(batch).numpy()
z_hat = bn(z, training=True).numpy()
print("pre-activations of one batch: mean", z.mean(0)[:4].round(2), "std", z.std(0)[:4].round(2))
print("after BatchNormalization:     mean", z_hat.mean(0)[:4].round(3),
      "std", z_hat.std(0)[:4].round(3))

# %%
np.testing.assert_allclose(z_hat.mean(0), 0, atol=1e-4)
np.testing.assert_allclose(z_hat.std(0), np.sqrt(z.var(0) / (z.var(0) + 1e-3)), rtol=1e-3)

# %% [markdown]
# Trained on the raw features with the same learning rate as before:

# %%
mk.utils.set_random_seed(0)
runs["BatchNormalization (raw inputs)"] = train(network(batch_norm=True))
mk.utils.set_random_seed(0)
runs["both"] = train(network(normalize, batch_norm=True))
for name in ("BatchNormalization (raw inputs)", "both"):
    print(f"{name:32s} training loss {runs[name]['loss'][-1]:.3f}, "
          f"test accuracy {runs[name]['val_accuracy'][-1]:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for name, history in runs.items():
    epochs = np.arange(1, len(history["loss"]) + 1)
    axes[0].plot(epochs, history["loss"], label=name)
    axes[1].plot(epochs, history["val_accuracy"], label=name)
axes[0].set_ylabel("training loss")
axes[1].set_ylabel("test accuracy")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.legend(fontsize=8)
save_figure(fig, "08_training")

# %%
assert runs["BatchNormalization (raw inputs)"]["loss"][-1] < runs["raw inputs"]["loss"][-1] - 0.1
assert max(runs["BatchNormalization (raw inputs)"]["val_accuracy"]) > 0.8

# %% [markdown]
# BatchNormalization rescues the raw inputs: the loss falls where the plain network did not
# move. Its test accuracy is noisier than with standardized inputs, though: at prediction time
# the layer uses its moving statistics, which lag behind pre-activations of a large scale that
# change quickly while the weights move (section 4). Standardizing the inputs first (the
# "both" curve) is still the better start.

# %% [markdown]
# ## 4. Training and inference differ
#
# Each training step also updates the layer's **moving statistics**:
# `moving = moving * momentum + batch_stat * (1 - momentum)`. `predict`
# and `evaluate` (training=False) normalize with these instead of the batch's, so the output
# for one example does not depend on which other examples share its batch. Right after
# initialization the moving statistics are still 0 and 1, and a model in inference mode barely
# normalizes at all: fed the whole training set as one batch, it gives quite different outputs
# in the two modes. After training, the moving statistics approach the statistics of the whole
# training set and the two modes nearly agree. (Calling a model with `training=True` also
# updates the moving statistics: do it only to train.)
#
# The default momentum, 0.99, averages over roughly the last $1 / (1 - 0.99) = 100$ steps, and
# the first steps' statistics fade only as $0.99^t$: after the 13 steps of one epoch here, 88%
# of the initial 0 and 1 remain. Long trainings do not notice; this short one uses momentum
# 0.9 (about 10 steps) so that the moving statistics catch up within a few epochs.

# %%
mk.utils.set_random_seed(0)
model = network(batch_norm=True, momentum=0.9)
first_bn = model.layers[1]


def mode_gap(model):
    """Mean difference between training-mode outputs (statistics of the batch, here the whole
    training set) and inference-mode outputs (moving statistics)."""
    return float(tf.reduce_mean(tf.abs(model(x_train, training=True)
                                       - model(x_train, training=False))))


saved = model.get_weights()
gap_before = mode_gap(model)
model.set_weights(saved)       # undo the moving-statistics update of that training-mode call
history = train(model, epochs=EPOCHS)
gap_after = mode_gap(model)
z_all = model.layers[0](x_train).numpy()
print(f"mean output gap between modes: before training {gap_before:.3f}, "
      f"after {gap_after:.3f}")
print("moving mean   ", first_bn.moving_mean.numpy()[:4].round(2))
print("training-set mean of the pre-activations", z_all.mean(0)[:4].round(2))

fig, ax = plt.subplots(figsize=(5, 4.2))
ax.scatter(z_all.mean(0), first_bn.moving_mean.numpy(), label="mean")
ax.scatter(z_all.var(0), first_bn.moving_variance.numpy(), label="variance")
limits = [min(ax.get_xlim()[0], ax.get_ylim()[0]), max(ax.get_xlim()[1], ax.get_ylim()[1])]
ax.plot(limits, limits, color="gray", lw=0.8)
ax.set_xscale("symlog")
ax.set_yscale("symlog")
ax.set_xlabel("statistic of the whole training set (final weights)")
ax.set_ylabel("moving statistic")
ax.legend()
save_figure(fig, "08_moving_statistics")

# %%
assert gap_before > 0.1 and gap_after < gap_before / 2
moving_mean = first_bn.moving_mean.numpy()
assert np.corrcoef(moving_mean, z_all.mean(0))[0, 1] > 0.95
# The moving statistics have the training data's scale, not the initial 0 and 1
assert np.median(first_bn.moving_variance.numpy()) > 10

# %% [markdown]
# **Summary.** Standardize the inputs with statistics of the training data: a `Normalization`
# layer adapted once does it inside the model, and the saved model keeps them.
# `BatchNormalization` standardizes hidden pre-activations with each minibatch's statistics
# while training, which makes the network far less sensitive to the scale of its inputs and of
# its weights, and uses moving averages of those statistics when predicting. Because of that
# difference, call a model with `training=True` only to train it: `fit` does, `predict` and
# `evaluate` do not.
