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
# # 3. The basic example: one neuron, then a network
#
# The lecture's running example: classify points with two features using **two weights and a
# sigmoid**. This notebook shows:
#
# 1. the activation of a whole batch is one matrix product followed by the sigmoid;
# 2. **without a bias** the neuron's boundary must pass through the origin, and on these data
#    no such line works, however long we train;
# 3. **with a bias** the same neuron separates the data;
# 4. one neuron cannot separate a set that is not linearly separable (a ring around a blob);
#    a network with two hidden layers can.
#
# (`make demo` runs the same example as a script.)

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import minikeras as mk
from minikeras.demo import blobs, ring
from minikeras.utils.plotting import plot_decision_boundary, save_figure

QUICK = os.environ.get("MINIKERAS_QUICK") == "1"   # fewer epochs, for tests
EPOCHS = 15 if QUICK else 30

# %% [markdown]
# ## The data
#
# Two Gaussian blobs, 200 points each, centred at (2, 2) (class 0) and (4, 4) (class 1).

# %%
rng = np.random.default_rng(1)
x, y = blobs(rng)
print("x", x.shape, "y", y.shape, "class counts", np.bincount(y.astype(int)))

fig, ax = plt.subplots(figsize=(4, 4))
ax.scatter(x[:, 0], x[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=14)
ax.axhline(0, color="gray", lw=0.5)
ax.axvline(0, color="gray", lw=0.5)
ax.set_title("two blobs")
save_figure(fig, "03_data")

# %% [markdown]
# ## Computing the activation for a batch
#
# The input is a matrix with one row per example and one column per feature. For each example
# the neuron computes $\sum_{j=1}^2 w_j x_j$, so the whole batch is one product
# $X w$ of an $(N, 2)$ matrix with a $(2, 1)$ column, followed by the sigmoid: one activation
# per example.

# %%
mk.utils.set_random_seed(1)
neuron = mk.Sequential([mk.Input(shape=(2,)),
                        mk.layers.Dense(1, activation="sigmoid", use_bias=False)])
w = neuron.layers[0].kernel                         # the two weights, shape (2, 1)
print("weights", w.numpy().ravel())

by_hand = tf.sigmoid(tf.matmul(x, w))               # (400, 2) @ (2, 1) -> (400, 1)
print("first three activations:", by_hand.numpy()[:3].ravel())
np.testing.assert_allclose(neuron.predict(x, verbose=0), by_hand.numpy(), rtol=1e-6)

# %% [markdown]
# ## Training the neuron without a bias
#
# We train with stochastic gradient descent (SGD) on the binary crossentropy loss. Momentum,
# which speeds training up, is the subject of notebook 4.

# %%
def train(model, x, y, epochs=EPOCHS):
    model.compile(optimizer=mk.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=16, epochs=epochs, verbose=0)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    print(f"loss {loss:.3f}  accuracy {accuracy:.3f}")
    return accuracy


accuracy_no_bias = train(neuron, x, y)

# %% [markdown]
# Poor. The reason is not the training: without a bias, an input of $(0, 0)$ always gives
# $\sigma(0) = 0.5$, so the decision boundary ($\sigma = 0.5$, i.e. $x \cdot w = 0$) is a line
# through the origin, whatever the weights. Both blobs lie in the same direction from the
# origin, so every such line leaves them mixed. We can check *all* lines through the origin:
# the best one classifies under 60% of the points correctly.

# %%
print("prediction at the origin:", neuron.predict(np.zeros((1, 2)), verbose=0)[0, 0])
assert neuron.predict(np.zeros((1, 2)), verbose=0)[0, 0] == 0.5

angles = np.linspace(0, 2 * np.pi, 721)
directions = np.stack([np.cos(angles), np.sin(angles)])           # (2, 721) unit vectors
accuracy_per_line = ((x @ directions > 0) == y[:, None]).mean(axis=0)
best_through_origin = accuracy_per_line.max()
print(f"best accuracy of any line through the origin: {best_through_origin:.3f}")

assert best_through_origin < 0.65
assert accuracy_no_bias <= best_through_origin + 1e-6   # training cannot beat the best line

# %% [markdown]
# ## Adding a bias
#
# A bias $b$ adds a constant to the weighted sum, $\sigma(x \cdot w + b)$, so the boundary
# line can move away from the origin. Same data, same training:

# %%
mk.utils.set_random_seed(1)
neuron_with_bias = mk.Sequential([mk.Input(shape=(2,)),
                                  mk.layers.Dense(1, activation="sigmoid")])
accuracy_bias = train(neuron_with_bias, x, y)
assert accuracy_bias > 0.95

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 4))
plot_decision_boundary(neuron, x, y, ax=axes[0],
                       title=f"no bias: accuracy {accuracy_no_bias:.2f}", resolution=100)
plot_decision_boundary(neuron_with_bias, x, y, ax=axes[1],
                       title=f"with bias: accuracy {accuracy_bias:.2f}", resolution=100)
save_figure(fig, "03_bias")

# %% [markdown]
# ## One neuron is not enough for a non-linear boundary
#
# Now a blob surrounded by a ring. No straight line separates them: the best possible line
# still gets about 30% of the points wrong. A network with two hidden layers of 8 `tanh`
# neurons can bend its boundary around the blob.

# %%
x_ring, y_ring = ring(rng)

mk.utils.set_random_seed(1)
one_neuron = mk.Sequential([mk.Input(shape=(2,)), mk.layers.Dense(1, activation="sigmoid")])
accuracy_one = train(one_neuron, x_ring, y_ring)

mk.utils.set_random_seed(1)
network = mk.Sequential([mk.Input(shape=(2,)),
                         mk.layers.Dense(8, activation="tanh"),
                         mk.layers.Dense(8, activation="tanh"),
                         mk.layers.Dense(1, activation="sigmoid")])
accuracy_network = train(network, x_ring, y_ring)

assert accuracy_one < 0.75
assert accuracy_network > 0.95

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 4))
plot_decision_boundary(one_neuron, x_ring, y_ring, ax=axes[0],
                       title=f"one neuron: accuracy {accuracy_one:.2f}", resolution=100)
plot_decision_boundary(network, x_ring, y_ring, ax=axes[1],
                       title=f"two hidden layers: accuracy {accuracy_network:.2f}",
                       resolution=100)
save_figure(fig, "03_hidden_layers")

# %% [markdown]
# **Summary.** A neuron computes a sigmoid of a matrix product, a whole batch at once. Without
# a bias its boundary is pinned to the origin; with a bias it is any straight line; hidden
# layers make curved boundaries possible.
