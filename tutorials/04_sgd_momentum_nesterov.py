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
# # 4. SGD, momentum and Nesterov momentum
#
# Stochastic gradient descent slides down the loss surface, one random minibatch at a time:
#
# $$\hat g_t = \nabla_\theta \frac{1}{m}\sum_{i=1}^m L\left(f(x^{(i)}, \theta), y^{(i)}\right),
# \qquad \theta_{t+1} = \theta_t - \epsilon\, \hat g_t$$
#
# **Momentum** treats the gradient as an acceleration: a velocity $v$ accumulates past
# gradients, so the parameters pick up speed along directions where the gradients agree:
#
# $$v_{t+1} = \alpha v_t - \hat g_t(\theta_t), \qquad \theta_{t+1} = \theta_t + \epsilon v_{t+1}$$
#
# **Nesterov momentum** computes the gradient where the momentum is about to take us.
#
# This notebook trains the same two-weight neuron from the same start, with the same seed
# (so the same minibatches), with all three, draws their paths on the loss surface, and
# checks that momentum reaches a low loss in far fewer epochs. Then it checks that the
# lecture's formulas and minikeras's (keras's) implementation give the same trajectories.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

import minikeras as mk
from minikeras.utils.plotting import plot_loss_surface, save_figure

QUICK = os.environ.get("MINIKERAS_QUICK") == "1"   # fewer epochs, for tests
EPOCHS = 20 if QUICK else 30

# %% [markdown]
# ## The problem: a long, narrow valley
#
# A neuron with two weights and no bias, $\sigma(w_1 x_1 + w_2 x_2)$, on 256 points whose two
# features are strongly correlated (correlation 0.9). Labels are drawn at random with
# probability $\sigma(2 x_1 - x_2)$, so no weights classify perfectly and the loss has a true
# minimum. Correlated features make the loss surface a long narrow valley: steep across,
# almost flat along it. This is where plain SGD struggles.

# %%
rng = np.random.default_rng(0)
n = 256
x = rng.multivariate_normal([0, 0], [[1, 0.9], [0.9, 1]], size=n).astype(np.float32)
y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(x @ [2.0, -1.0])))).astype(np.float32)


def loss_surface(weights):
    """Binary crossentropy of the neuron for each row (w1, w2) of `weights` (shape (k, 2))."""
    z = x @ np.asarray(weights, dtype=np.float64).T            # (n, k) logits
    return (np.logaddexp(0, z) - y[:, None] * z).mean(axis=0)   # log(1 + e^z) - y z


grid = np.stack(np.meshgrid(np.linspace(-3, 3, 201), np.linspace(-3, 3, 201)), -1).reshape(-1, 2)
lowest = loss_surface(grid).min()
target = lowest + 0.02
print(f"lowest loss on a grid: {lowest:.4f}; target: {target:.4f}")

# %% [markdown]
# ## Training with minikeras, recording every step
#
# A small callback stores the weights before training and after every batch. Each run starts
# from the same weights $(-2, 2)$, on the far side of the valley, and uses the same seed, so
# all three see the same minibatches in the same order.

# %%
START = np.array([[-2.0], [2.0]], dtype=np.float32)


class RecordWeights(mk.callbacks.Callback):
    """Keeps the kernel of the model's first layer before training and after each batch."""

    def on_train_begin(self, logs=None):
        self.path = [self.model.get_weights()[0].ravel().copy()]

    def on_train_batch_end(self, batch, logs=None):
        self.path.append(self.model.get_weights()[0].ravel().copy())


def train(optimizer, batch_size=32, epochs=EPOCHS):
    """Trains the neuron from START; returns the weights after every step, shape (steps+1, 2)."""
    mk.utils.set_random_seed(0)
    model = mk.Sequential([mk.Input(shape=(2,)),
                           mk.layers.Dense(1, activation="sigmoid", use_bias=False)])
    model.set_weights([START])
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    recorder = RecordWeights()
    model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=[recorder])
    return np.array(recorder.path)


LR = 0.1
paths = {
    "SGD": train(mk.optimizers.SGD(learning_rate=LR)),
    "momentum 0.9": train(mk.optimizers.SGD(learning_rate=LR, momentum=0.9)),
    "Nesterov 0.9": train(mk.optimizers.SGD(learning_rate=LR, momentum=0.9, nesterov=True)),
}

# %% [markdown]
# The loss of the whole data set at the end of each epoch (8 steps of 32 examples), and the
# first epoch at which it gets within 0.02 of the lowest loss:

# %%
steps_per_epoch = n // 32
epoch_losses = {name: loss_surface(path[::steps_per_epoch]) for name, path in paths.items()}


def epochs_to_reach(losses, level):
    """First epoch whose loss is below `level` (infinity if none)."""
    below = np.nonzero(losses < level)[0]
    return below[0] if len(below) else np.inf


reached = {name: epochs_to_reach(losses, target) for name, losses in epoch_losses.items()}
for name, losses in epoch_losses.items():
    print(f"{name:13s} final loss {losses[-1]:.4f}, reaches the target at epoch {reached[name]}")

# %% [markdown]
# The paths on the loss surface (lighter is lower; the star marks where each run ends). Plain
# SGD first drops into the valley, then creeps along its flat floor. With momentum the steps
# along the floor add up, and the weights roll down to the minimum. (Momentum and Nesterov
# follow nearly the same path here; one hides the other.)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
plot_loss_surface(loss_surface, paths, ax=axes[0], xlim=(-3, 3), ylim=(-3, 3),
                  title="paths from (-2, 2), same minibatches")
for name, losses in epoch_losses.items():
    axes[1].plot(losses, label=name)
axes[1].axhline(target, color="gray", ls="--", lw=0.8, label="target")
axes[1].set_xlabel("epoch")
axes[1].set_ylabel("loss on all data")
axes[1].legend()
save_figure(fig, "04_momentum")

# %% [markdown]
# The claims, checked: momentum reaches the target within the budget, in at most half the
# epochs plain SGD needs (here plain SGD does not get there at all). Nesterov does as well as
# momentum here; the lecture's warning (quoting Goodfellow et al.) is that with stochastic
# gradients it does not improve the *rate* of convergence.

# %%
assert reached["momentum 0.9"] < EPOCHS
assert reached["SGD"] >= 2 * reached["momentum 0.9"]
assert reached["Nesterov 0.9"] < EPOCHS
assert epoch_losses["momentum 0.9"][-1] < epoch_losses["SGD"][-1] - 0.02

# %% [markdown]
# ## The lecture's formulas against minikeras's
#
# The lecture's velocity $v$ is in **gradient units**: $\theta$ moves by $\epsilon v$. keras
# (and minikeras) keep the velocity in **parameter units**, $u = \epsilon v$:
#
# | | lecture | keras / minikeras (`mk.optimizers.sgd_step`) |
# | --- | --- | --- |
# | momentum | $v \leftarrow \alpha v - g(\theta)$; $\theta \leftarrow \theta + \epsilon v$ | $u \leftarrow \alpha u - \epsilon g(\theta)$; $\theta \leftarrow \theta + u$ |
# | Nesterov | $v \leftarrow \alpha v - g(\theta + \alpha\epsilon v)$; $\theta \leftarrow \theta + \epsilon v$ | $u \leftarrow \alpha u - \epsilon g(\phi)$; $\phi \leftarrow \phi + \alpha u - \epsilon g(\phi)$ |
#
# With a constant learning rate, momentum is the same iteration in both. For Nesterov the
# gradient is taken at the lookahead point $\theta + \alpha\epsilon v$ (in parameter units:
# the slide writes $\theta + \alpha v$, mixing units, which only agrees when $\epsilon = 1$).
# keras stores that lookahead point itself: its weights are $\phi = \theta + \alpha\epsilon v$,
# which is why its update looks different. We check both, step by step, with full-batch
# gradients so that no sampling is involved. First the lecture's forms, in float64:

# %%
def gradient(theta):
    """Gradient of the mean binary crossentropy over all data, at weights theta (shape (2,))."""
    p = 1 / (1 + np.exp(-(x @ theta)))
    return x.T.astype(np.float64) @ (p - y) / n


def lecture_momentum(theta, epsilon, alpha, steps, nesterov):
    thetas, lookaheads = [theta.copy()], [theta.copy()]
    v = np.zeros_like(theta)
    for _ in range(steps):
        lookahead = theta + alpha * epsilon * v if nesterov else theta
        v = alpha * v - gradient(lookahead)
        theta = theta + epsilon * v
        thetas.append(theta.copy())
        lookaheads.append(theta + alpha * epsilon * v)
    return np.array(thetas), np.array(lookaheads)


STEPS, ALPHA = 40, 0.9
start = START.ravel().astype(np.float64)
theta_momentum, _ = lecture_momentum(start, LR, ALPHA, STEPS, nesterov=False)
theta_nesterov, lookahead_nesterov = lecture_momentum(start, LR, ALPHA, STEPS, nesterov=True)

# %% [markdown]
# Now minikeras's form, with its pure update function `sgd_step(gradient, learning_rate,
# velocity, momentum, nesterov)` which returns the increment and the new velocity, and with
# `fit` itself on full batches (one step per epoch):

# %%
def with_sgd_step(theta, epsilon, alpha, steps, nesterov):
    path = [theta.copy()]
    velocity = np.zeros_like(theta)
    for _ in range(steps):
        increment, velocity = mk.optimizers.sgd_step(gradient(theta), epsilon, velocity, alpha,
                                                     nesterov)
        theta = theta + increment
        path.append(theta.copy())
    return np.array(path)


step_momentum = with_sgd_step(start, LR, ALPHA, STEPS, nesterov=False)
step_nesterov = with_sgd_step(start, LR, ALPHA, STEPS, nesterov=True)
fit_momentum = train(mk.optimizers.SGD(LR, momentum=ALPHA), batch_size=n, epochs=STEPS)
fit_nesterov = train(mk.optimizers.SGD(LR, momentum=ALPHA, nesterov=True), batch_size=n,
                     epochs=STEPS)

# %% [markdown]
# The checks. Momentum: the lecture's $\theta$ is minikeras's weights. Nesterov: the
# lecture's lookahead $\theta + \alpha\epsilon v$ is minikeras's weights, exactly (float64,
# up to rounding) with `sgd_step`, and to float32 precision with `fit`; the lecture's
# $\theta$ itself is a different sequence of points.

# %%
np.testing.assert_allclose(step_momentum, theta_momentum, atol=1e-10)
np.testing.assert_allclose(fit_momentum, theta_momentum, atol=1e-4)
np.testing.assert_allclose(step_nesterov, lookahead_nesterov, atol=1e-10)
np.testing.assert_allclose(fit_nesterov, lookahead_nesterov, atol=1e-4)
gap = np.abs(theta_nesterov - fit_nesterov).max()
print(f"largest distance between the lecture's theta and minikeras's Nesterov weights: {gap:.3f}")
assert gap > 0.01

# %% [markdown]
# The distances per step, on a log scale: the lookahead points and minikeras's weights differ
# only by float32 rounding; the lecture's $\theta$ is off by $\alpha\epsilon v$.

# %%
fig, ax = plt.subplots(figsize=(5.5, 4))
ax.semilogy(np.abs(theta_nesterov - fit_nesterov).max(axis=1)[1:],
            label="lecture's theta vs minikeras")
ax.semilogy(np.abs(lookahead_nesterov - fit_nesterov).max(axis=1)[1:],
            label="lecture's theta + alpha eps v vs minikeras")
ax.set_xlabel("step")
ax.set_ylabel("largest difference in the weights")
ax.set_title("Nesterov: which point keras stores")
ax.legend()
save_figure(fig, "04_nesterov_forms")

# %% [markdown]
# **Summary.** Momentum accumulates a velocity and crosses flat valleys much faster than plain
# SGD. Nesterov momentum evaluates the gradient at the lookahead point; keras keeps its
# weights at that lookahead point, so its update reads differently but follows the same path.
