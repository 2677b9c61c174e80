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
# # 5. Minibatch size and learning rate
#
# Two choices shape every SGD run:
#
# * **the minibatch size** $m$: how many examples are averaged into each gradient estimate.
#   From $m = 1$ (one example per update) to the whole training set (plain gradient descent).
# * **the learning rate** $\epsilon$: how far each update moves.
#
# This notebook measures, on one small problem:
#
# 1. the noise of the gradient estimate shrinks as $1/m$;
# 2. small batches make many more updates per epoch, so they converge in fewer *epochs*, but an
#    epoch takes much longer (the actual time per epoch is much longer for a minibatch of 1);
# 3. with more data, fewer epochs reach the same loss;
# 4. a learning rate that is too small barely moves; one that is too large never settles.

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import minikeras as mk
from minikeras.demo import ring
from minikeras.utils.plotting import save_figure

QUICK = os.environ.get("MINIKERAS_QUICK") == "1"   # fewer epochs, for tests

# %% [markdown]
# ## The problem
#
# The blob-in-a-ring data of notebook 3 (1024 points), and a network with one hidden layer of
# 8 `tanh` neurons.

# %%
x, y = ring(np.random.default_rng(0), n=512)
print(x.shape, y.shape)


def network(seed=0):
    mk.utils.set_random_seed(seed)
    return mk.Sequential([mk.Input(shape=(2,)),
                          mk.layers.Dense(8, activation="tanh"),
                          mk.layers.Dense(1, activation="sigmoid")])


# %% [markdown]
# ## 1. Bigger minibatches estimate the gradient better
#
# The true gradient is that of the mean loss over all points. A minibatch gives an estimate.
# We draw 100 random minibatches of each size, all for the same (initial) weights, and measure
# the mean squared distance between their gradient and the true one. Averaging $m$
# independent examples divides that variance by $m$ (a bit more, as the minibatch is drawn
# without replacement from a finite set).

# %%
model = network()
loss_fn = mk.losses.BinaryCrossentropy()


def gradient(xb, yb):
    """The gradient of the loss on one batch, flattened into one vector."""
    with tf.GradientTape() as tape:
        loss = loss_fn(yb[:, None], model(xb))
    return tf.concat([tf.reshape(g, [-1]) for g in tape.gradient(loss, model.weights)], 0)


true_gradient = gradient(x, y)
rng = np.random.default_rng(1)
sizes = [1, 4, 16, 64, 256]
noise = []
for m in sizes:
    errors = []
    for _ in range(100):
        idx = rng.choice(len(x), size=m, replace=False)
        errors.append(float(tf.reduce_sum((gradient(x[idx], y[idx]) - true_gradient) ** 2)))
    noise.append(np.mean(errors))
    print(f"batch size {m:4d}: mean squared gradient error {noise[-1]:.2e}")

# %%
assert all(a > b for a, b in zip(noise, noise[1:]))     # strictly smaller for bigger batches
assert noise[0] / noise[3] > 20                          # 1 -> 64: about 64 times smaller

# %% [markdown]
# ## 2. Batch size: updates per epoch against time per epoch
#
# Same network, same seed, same learning rate, for batch sizes from 1 to the whole set. A
# callback times every epoch; we report the median (the first epoch also includes
# compilation).

# %%
class EpochTimer(mk.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


EPOCHS = 4 if QUICK else 10
batch_sizes = [1, 4, 16, 64, 256, len(x)]
histories, epoch_time, final_loss = {}, {}, {}
for batch_size in batch_sizes:
    model = network()
    model.compile(optimizer=mk.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
    timer = EpochTimer()
    history = model.fit(x, y, batch_size=batch_size, epochs=EPOCHS, verbose=0,
                        callbacks=[timer])
    histories[batch_size] = history.history["loss"]
    epoch_time[batch_size] = float(np.median(timer.seconds[1:]))
    final_loss[batch_size] = model.evaluate(x, y, verbose=0)
    print(f"batch size {batch_size:5d}: {len(x) // batch_size:5d} updates per epoch, "
          f"{epoch_time[batch_size] * 1e3:6.1f} ms per epoch, "
          f"loss after {EPOCHS} epochs {final_loss[batch_size]:.3f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 4))
for batch_size in batch_sizes:
    losses = histories[batch_size]
    epochs = np.arange(1, len(losses) + 1)
    axes[0].plot(epochs, losses, "o-", label=f"batch {batch_size}")
    axes[1].plot(epochs * epoch_time[batch_size], losses, "o-", label=f"batch {batch_size}")
axes[0].set_xlabel("epoch")
axes[1].set_xlabel("training time (s, median epoch time x epochs)")
for ax in axes[:2]:
    ax.set_ylabel("training loss")
    ax.legend(fontsize=8)
axes[2].loglog(sizes, noise, "o-", label="measured")
axes[2].loglog(sizes, noise[0] / np.array(sizes), "k--", lw=0.8, label="1 / m")
axes[2].set_xlabel("batch size m")
axes[2].set_ylabel("gradient error (mean squared)")
axes[2].legend()
save_figure(fig, "05_batch_size")

# %% [markdown]
# Per epoch, small batches win: with $m = 4$ an epoch makes 256 updates, with the whole set
# just one. But an epoch of single examples takes far longer, because each update has a fixed
# cost and cannot use many cores at once (the main practical reason for minibatches, and
# for sizes that are powers of 2 on GPUs). In practice the batch size is often limited by
# memory; moderate sizes give the best loss per second.

# %%
assert final_loss[4] < final_loss[len(x)] - 0.3          # more updates per epoch
ratio = epoch_time[1] / epoch_time[len(x)]
print(f"an epoch with batch size 1 takes {ratio:.0f} times as long as with the whole set")
if not QUICK:  # a timing: checked in a full run, not in the test suite's quick run
    assert ratio > 5

# %% [markdown]
# The lecture adds that **smaller minibatches improve generalization**, because the random
# error of each gradient estimate keeps the weights from settling into a minimum that fits
# the training set's quirks too closely. That effect is real but subtle: it depends on the
# learning rate, the number of updates and the data, and on a problem this small it is easily
# hidden by those (a fair comparison is a research topic of its own). We do not claim to
# show it here.
#
# ## 3. Bigger data sets need fewer epochs
#
# "The greater the data set, the fewer the epochs, other things being equal": with the same
# batch size, an epoch over more data makes more updates. Same network, seed, batch size and
# learning rate, on 256 and on 1024 points of the same distribution; we count the epochs until
# the training loss first drops below 0.3.

# %%
def epochs_to_reach(points, target=0.3, limit=60):
    xs, ys = ring(np.random.default_rng(1), n=points // 2)
    model = network()
    model.compile(optimizer=mk.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
    losses = model.fit(xs, ys, batch_size=16, epochs=limit, verbose=0).history["loss"]
    below = [epoch for epoch, loss in enumerate(losses, start=1) if loss < target]
    return below[0] if below else None


epochs_needed = {points: epochs_to_reach(points) for points in (256, 1024)}
print("epochs until the training loss is below 0.3:", epochs_needed)
assert None not in epochs_needed.values()
assert epochs_needed[1024] * 2 <= epochs_needed[256]   # four times the data, far fewer epochs

# %% [markdown]
# ## 4. The learning rate: too small, right, too large
#
# Batch size 16, three learning rates. Too small and training takes too long; too large and
# the loss jumps around instead of settling at the end.

# %%
EPOCHS = 15 if QUICK else 30
rates = {"too small (0.005)": 0.005, "right (0.5)": 0.5, "too large (10)": 10.0}
curves = {}
for name, rate in rates.items():
    model = network()
    model.compile(optimizer=mk.optimizers.SGD(learning_rate=rate), loss="binary_crossentropy")
    curves[name] = np.array(model.fit(x, y, batch_size=16, epochs=EPOCHS, verbose=0)
                            .history["loss"])
    last = curves[name][-5:]
    print(f"{name:18s} mean loss of the last 5 epochs {last.mean():.3f}, "
          f"spread (std) {last.std():.3f}")

fig, ax = plt.subplots(figsize=(5.5, 4))
for name, losses in curves.items():
    ax.semilogy(np.arange(1, EPOCHS + 1), losses, "o-", label=name)
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.legend()
save_figure(fig, "05_learning_rate")

# %%
small, right, large = (curves[name][-5:] for name in rates)
assert small.mean() > right.mean() + 0.3    # too small: still far from the minimum
assert large.mean() > right.mean() + 0.1    # too large: never gets as low...
assert large.std() > 5 * right.std()        # ...and keeps jumping around

# %% [markdown]
# **Summary.** Bigger batches give better gradient estimates and faster epochs, smaller
# batches more updates per epoch. The learning rate has to be large enough to make progress
# and small enough to settle.
