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
# # 6. Initialization, standardization, shuffling and seeds
#
# The lecture's "other details", each shown and checked on a small problem:
#
# 1. **Initial weights must differ.** Identical weights give identical neurons, and gradient
#    descent keeps them identical: the symmetry is never broken.
# 2. **Initial weights must be small.** Large weights push sigmoids into their flat tails,
#    where gradients vanish.
# 3. **Standardize the inputs**, $x_{new} = (x - \mu(X)) / \sigma(X)$: it reshapes the loss
#    landscape from a narrow ravine into a round bowl, and training converges much faster.
# 4. **Shuffle every epoch.** With a fixed order the same patterns repeat, and with a sorted
#    one the model drifts towards whatever it saw last.
# 5. **Different runs converge at different epochs**, since initial weights and the order of
#    examples are random.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import minikeras as mk
from minikeras.demo import ring
from minikeras.utils.plotting import plot_loss_surface, save_figure

QUICK = os.environ.get("MINIKERAS_QUICK") == "1"   # fewer seeds and epochs, for tests

# %% [markdown]
# Most sections use the blob-in-a-ring data of notebook 3: 400 points, class 0 (the blob)
# first, then class 1 (the ring).

# %%
x, y = ring(np.random.default_rng(0))


def train(model, x, y, learning_rate, epochs, **fit_args):
    model.compile(optimizer=mk.optimizers.SGD(learning_rate=learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model.fit(x, y, batch_size=16, epochs=epochs, verbose=0, **fit_args)


# %% [markdown]
# ## 1. Identical initial weights: the symmetry is never broken
#
# A hidden layer of 8 `tanh` neurons whose weights all start at the same value (0.5), and an
# output neuron likewise. Every hidden neuron computes the same function, receives the same
# gradient and takes the same step, so after training they are still copies of each other:
# the layer is worth one neuron. Random initial weights break the symmetry. (Biases may start
# equal, here at zero: the random weights already make the neurons different.)

# %%
def ring_network(kernel_initializer):
    return mk.Sequential([
        mk.Input(shape=(2,)),
        mk.layers.Dense(8, activation="tanh", kernel_initializer=kernel_initializer),
        mk.layers.Dense(1, activation="sigmoid", kernel_initializer=kernel_initializer)])


EPOCHS = 20
mk.utils.set_random_seed(0)
same = ring_network(mk.initializers.Constant(0.5))
train(same, x, y, learning_rate=0.5, epochs=EPOCHS)
mk.utils.set_random_seed(0)
random = ring_network("glorot_uniform")
train(random, x, y, learning_rate=0.5, epochs=EPOCHS)

for name, model in [("identical start", same), ("random start", random)]:
    kernel = model.layers[0].kernel.numpy()                      # (2, 8): one column per neuron
    spread = np.abs(kernel - kernel[:, :1]).max()                # how different the columns are
    accuracy = model.evaluate(x, y, verbose=0)[1]
    print(f"{name:16s} largest difference between hidden neurons {spread:.2e}, "
          f"accuracy {accuracy:.3f}")

# %%
kernel_same = same.layers[0].kernel.numpy()
assert np.abs(kernel_same - kernel_same[:, :1]).max() < 1e-6    # still eight copies
assert same.evaluate(x, y, verbose=0)[1] < 0.75                  # no better than one neuron
assert random.evaluate(x, y, verbose=0)[1] > 0.95

# %% [markdown]
# ## 2. Large initial weights saturate sigmoids
#
# The sigmoid is flat away from zero: its derivative $s(1 - s)$ is at most 0.25 and nearly 0
# once $|z| > 5$. With large weights most hidden neurons start in the flat tails
# (saturated: output below 0.01 or above 0.99), so the gradients reaching the first layer are
# tiny and training stalls. We compare initial weights drawn from a normal distribution with
# standard deviation 1 and with standard deviation 20 (the same draws, scaled by 20: both
# initializers get the same seed).

# %%
def sigmoid_network(kernel_initializer):
    mk.utils.set_random_seed(0)
    return mk.Sequential([
        mk.Input(shape=(2,)),
        mk.layers.Dense(16, activation="sigmoid", kernel_initializer=kernel_initializer),
        mk.layers.Dense(1, activation="sigmoid")])


initializers = {"normal, std 1": mk.initializers.RandomNormal(stddev=1.0, seed=1),
                "normal, std 20": mk.initializers.RandomNormal(stddev=20.0, seed=1)}
saturated, gradient_size, losses, hidden_outputs = {}, {}, {}, {}
for name, initializer in initializers.items():
    model = sigmoid_network(initializer)
    hidden = model.layers[0](x).numpy()
    hidden_outputs[name] = hidden.ravel()
    saturated[name] = np.mean((hidden < 0.01) | (hidden > 0.99))
    with tf.GradientTape() as tape:
        loss = mk.losses.BinaryCrossentropy()(y[:, None], model(x))
    gradient_size[name] = float(tf.norm(tape.gradient(loss, model.layers[0].kernel)))
    losses[name] = train(model, x, y, learning_rate=0.5, epochs=EPOCHS).history["loss"]
    print(f"{name:15s} saturated {saturated[name]:.0%}, first-layer gradient norm "
          f"{gradient_size[name]:.4f}, loss after {EPOCHS} epochs {losses[name][-1]:.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
for name in initializers:
    axes[0].hist(hidden_outputs[name], bins=40, alpha=0.6, label=name)
    axes[1].plot(np.arange(1, EPOCHS + 1), losses[name], "o-", label=name)
axes[0].set_xlabel("hidden sigmoid output at initialization")
axes[0].set_ylabel("count")
axes[1].set_xlabel("epoch")
axes[1].set_ylabel("training loss")
for ax in axes:
    ax.legend()
save_figure(fig, "06_saturation")

# %%
assert saturated["normal, std 20"] > 0.7 and saturated["normal, std 1"] < 0.1
assert gradient_size["normal, std 1"] > 5 * gradient_size["normal, std 20"]
assert losses["normal, std 20"][-1] > losses["normal, std 1"][-1] + 0.2

# %% [markdown]
# ## 3. Standardized inputs: a better landscape, faster convergence
#
# Now two features on very different scales and far from zero, like a length in millimetres
# next to a weight in tonnes: feature 1 around 50 with spread 13, feature 2 around 2 with
# spread 0.13. One neuron with a bias classifies them.

# %%
rng = np.random.default_rng(0)
n = 400
labels = np.repeat([0.0, 1.0], n // 2).astype(np.float32)
centres = np.where(labels[:, None] == 1, [1.0, -1.0], [-1.0, 1.0])
u = centres + 0.8 * rng.normal(size=(n, 2))
raw = (u * [10.0, 0.1] + [50.0, 2.0]).astype(np.float32)

mean, std = raw.mean(axis=0), raw.std(axis=0)
standardized = (raw - mean) / std
print("raw:          mean", mean.round(2), "std", std.round(3))
print("standardized: mean", standardized.mean(0).round(6), "std", standardized.std(0).round(6))

# %% [markdown]
# **The landscape.** How a loss curves around a point is described by its Hessian (the matrix
# of second derivatives). For one sigmoid neuron with crossentropy it is
# $H = \frac{1}{n} \sum_i s_i (1 - s_i)\, \tilde x_i \tilde x_i^T$, with
# $\tilde x = (x_1, x_2, 1)$ (the 1 for the bias). The ratio of its largest to smallest
# eigenvalue, the *condition number*, says how elongated the valley is: gradient descent needs
# a learning rate small enough for the steepest direction and then crawls along the flattest.
# Centring removes the coupling between the weights and the bias; scaling evens out the two
# features. We compute it at the start, where all weights are 0 and every $s_i = 1/2$.

# %%
def condition_number(features):
    """Condition number of the loss's Hessian at zero weights (all s = 1/2)."""
    xt = np.c_[features, np.ones(len(features))].astype(np.float64)
    hessian = xt.T @ xt * 0.25 / len(features)
    eigenvalues = np.linalg.eigvalsh(hessian)
    return eigenvalues.max() / eigenvalues.min()


conditions = {"raw": condition_number(raw),
              "centred": condition_number(raw - mean),
              "standardized": condition_number(standardized)}
for name, value in conditions.items():
    print(f"{name:13s} condition number {value:12.1f}")
assert conditions["raw"] > conditions["centred"] > conditions["standardized"]
assert conditions["raw"] > 1e4 * conditions["standardized"]

# %% [markdown]
# The loss over the two weights, drawn on equal axes, with the bias set so that the boundary
# passes through the mean point of the data. Raw features give a valley so narrow it looks
# like a line (a tiny change of $w_1$, which multiplies values around 50, matters as much as a
# large change of $w_2$); standardized features give a round bowl.

# %%
def bce_surface(features, centre):
    def surface(weights):
        z = (features - centre) @ np.asarray(weights, dtype=np.float64).T     # (n, k)
        return (np.logaddexp(0, z) - labels[:, None] * z).mean(axis=0)
    return surface


fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
plot_loss_surface(bce_surface(raw, mean), ax=axes[0], xlim=(-40, 40), ylim=(-40, 40),
                  title="raw features", resolution=120)
plot_loss_surface(bce_surface(standardized, 0.0), ax=axes[1], xlim=(-8, 8), ylim=(-8, 8),
                  title="standardized features", resolution=120)
for ax in axes:
    ax.set_aspect("equal")
save_figure(fig, "06_standardization_landscape")

# %% [markdown]
# **Training.** To be fair to the raw features, each version gets the best of five learning
# rates; the standardized one still ends far lower.

# %%
EPOCHS = 10 if QUICK else 20
rates = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
best = {}
for name, features in [("raw", raw), ("standardized", standardized)]:
    runs = {}
    for rate in rates:
        mk.utils.set_random_seed(0)
        model = mk.Sequential([mk.Input(shape=(2,)), mk.layers.Dense(1, activation="sigmoid")])
        runs[rate] = train(model, features, labels, rate, EPOCHS).history["loss"]
    rate = min(runs, key=lambda r: runs[r][-1])
    best[name] = runs[rate]
    print(f"{name:13s} best learning rate {rate:g}: loss after {EPOCHS} epochs {runs[rate][-1]:.3f}")

fig, ax = plt.subplots(figsize=(5.5, 4))
for name, curve in best.items():
    ax.plot(np.arange(1, EPOCHS + 1), curve, "o-", label=f"{name} (best learning rate)")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.legend()
save_figure(fig, "06_standardization_training")

assert best["raw"][-1] > best["standardized"][-1] + 0.2

# %% [markdown]
# ## 4. Shuffle every epoch
#
# The ring data are stored sorted: all of class 0, then all of class 1. Without shuffling
# (`shuffle=False`), every epoch ends with 200 examples of class 1 in a row, and the model
# leaves each epoch leaning towards class 1. We follow the mean prediction on the class-0
# points after every batch: with the sorted order it swings up and down in the same pattern
# each epoch. With shuffling (minikeras draws a new order every epoch) it settles.
#
# A third run shuffles the rows **once** and then keeps that order. Its batches are mixed, so
# it does not drift, but they are the same batches in the same order every epoch: the pattern
# repeats, which is what the lecture warns about. How much that costs depends on the problem;
# we measure it rather than assume it.

# %%
class MeanPrediction(mk.callbacks.Callback):
    """Mean output on the class-0 points after every batch."""

    def __init__(self, points):
        super().__init__()
        self.points, self.values = points, []

    def on_train_batch_end(self, batch, logs=None):
        self.values.append(float(tf.reduce_mean(self.model(self.points))))


EPOCHS = 10
blob = x[y == 0]
once = np.random.default_rng(0).permutation(len(x))
orders = {"fixed order (sorted by class)": (x, y, False),
          "shuffled once, then fixed": (x[once], y[once], False),
          "shuffled every epoch": (x, y, True)}
shuffle_runs = {}
for label, (xs, ys, shuffle) in orders.items():
    mk.utils.set_random_seed(0)
    model = ring_network("glorot_uniform")
    tracker = MeanPrediction(blob)
    train(model, xs, ys, learning_rate=0.5, epochs=EPOCHS, shuffle=shuffle, callbacks=[tracker])
    loss = model.evaluate(x, y, verbose=0)[0]
    shuffle_runs[label] = (loss, tracker.values)
    print(f"{label:30s} loss {loss:.3f}, "
          f"mean prediction on class 0 at the end {tracker.values[-1]:.3f}")

fig, ax = plt.subplots(figsize=(8, 3.5))
for label, (loss, values) in shuffle_runs.items():
    ax.plot(np.arange(1, len(values) + 1) / (len(x) // 16), values, label=label)
ax.set_xlabel("epoch")
ax.set_ylabel("mean prediction on class 0")
ax.legend()
save_figure(fig, "06_shuffling")

# %%
(loss_sorted, values_sorted), (loss_once, values_once), (loss_every, values_every) = \
    shuffle_runs.values()
assert loss_sorted > loss_every + 0.15
assert values_sorted[-1] > values_every[-1] + 0.2       # leaning towards the last class seen
# A fixed order repeats itself: the batch-by-batch trace of the last epoch nearly replays the
# one before it. A new order every epoch gives different batches, so a different trace.
steps = len(x) // 16 + (len(x) % 16 > 0)


def replay_gap(values):
    last, previous = np.array(values[-steps:]), np.array(values[-2 * steps:-steps])
    return float(np.abs(np.diff(last) - np.diff(previous)).mean())


print(f"replay gap (0 = the last epoch's trace repeats the one before): once-shuffled "
      f"{replay_gap(values_once):.4f}, shuffled every epoch {replay_gap(values_every):.4f}")
assert replay_gap(values_once) < 0.5 * replay_gap(values_every)
print(f"loss after {EPOCHS} epochs: shuffled once {loss_once:.3f}, every epoch {loss_every:.3f}")

# %% [markdown]
# On this small, easy problem the once-shuffled order ends about as well as reshuffling: the
# repetition shows in the trace, not (here) in the final loss. The sorted order shows what a
# fixed order can cost when it has structure you did not intend, which stored data often has.
# Reshuffling every epoch costs nothing and removes both risks.

# %% [markdown]
# ## 5. Different seeds converge at different epochs
#
# The seed fixes the initial weights and the shuffling order. The same network trained with
# different seeds reaches 95% training accuracy at different epochs (and might not at all).

# %%
EPOCHS = 30
seeds = range(4) if QUICK else range(8)
converged = {}
fig, ax = plt.subplots(figsize=(6, 4))
for seed in seeds:
    mk.utils.set_random_seed(seed)
    model = mk.Sequential([mk.Input(shape=(2,)),
                           mk.layers.Dense(8, activation="tanh"),
                           mk.layers.Dense(8, activation="tanh"),
                           mk.layers.Dense(1, activation="sigmoid")])
    accuracy = np.array(train(model, x, y, 0.05, EPOCHS).history["accuracy"])
    reached = np.nonzero(accuracy >= 0.95)[0]
    converged[seed] = int(reached[0]) + 1 if len(reached) else None
    ax.plot(np.arange(1, EPOCHS + 1), accuracy, label=f"seed {seed}")
    print(f"seed {seed}: 95% accuracy at epoch {converged[seed]}")
ax.axhline(0.95, color="gray", ls="--", lw=0.8)
ax.set_xlabel("epoch")
ax.set_ylabel("training accuracy")
ax.legend(fontsize=8)
save_figure(fig, "06_seeds")

# %%
epochs_reached = [e for e in converged.values() if e is not None]
assert len(epochs_reached) >= 3
assert max(epochs_reached) - min(epochs_reached) >= 3

# %% [markdown]
# **Summary.** Start from small, different random weights; standardize the inputs (with the
# mean and standard deviation of the *training* data); shuffle every epoch; and expect runs to
# differ, so compare models over several seeds rather than one.
