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
# # 2. Three ways to compute derivatives
#
# Training needs the gradient of the loss with respect to every weight. There are three ways
# to get it:
#
# * **symbolic** differentiation: derive the formula by hand (or with a computer algebra
#   system) and evaluate it;
# * **numerical** differentiation: nudge each weight by a small step and watch the loss
#   change (finite differences);
# * **automatic** differentiation: apply the chain rule to the elementary operations the
#   function is made of, with their known derivatives. In **forward mode** each value carries
#   its derivative along (dual numbers); in **reverse mode** (backpropagation, what
#   `tf.GradientTape` does) the derivatives flow backwards from the loss once the forward pass
#   is recorded.
#
# We compute the same gradient all four ways, check that they agree, and then measure how
# their cost grows with the number of parameters.

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import minikeras as mk
from minikeras.utils.plotting import save_figure

QUICK = os.environ.get("MINIKERAS_QUICK") == "1"   # fewer sizes, for tests

# %% [markdown]
# ## The function: the lecture's neuron
#
# A neuron without bias, with weights $w$, a sigmoid $s = \sigma(x \cdot w)$ and the squared
# error $E = \frac{1}{2}(t - s)^2$, averaged over $m$ examples (the rows of $X$):
#
# $$E(w) = \frac{1}{m}\sum_{i=1}^m \frac{1}{2}\left(t_i - \sigma(x_i \cdot w)\right)^2,
# \qquad \sigma(z) = \frac{1}{1 + e^{-z}}$$
#
# We write it once with ordinary arithmetic, so that it runs on NumPy arrays and, below, on
# dual numbers.

# %%
def neuron_loss(w, X, t, exp=np.exp):
    """Mean squared error of a sigmoid neuron without bias."""
    s = 1 / (1 + exp(-(X @ w)))
    return ((t - s) ** 2).mean() / 2


rng = np.random.default_rng(0)
X = rng.normal(size=(50, 3))
t = (X[:, 0] - X[:, 1] > 0).astype(float)
w = np.array([0.5, -0.3, 0.8])
print("E(w) =", neuron_loss(w, X, t))

# %% [markdown]
# ## 1. Symbolic: the delta rule
#
# With the chain rule by hand, $\frac{\partial E}{\partial s} = -(t - s)$,
# $\frac{\partial s}{\partial z} = s(1 - s)$ and $\frac{\partial z}{\partial w_j} = x_j$, so
#
# $$\frac{\partial E}{\partial w_j} = -\frac{1}{m}\sum_i (t_i - s_i)\, s_i (1 - s_i)\, x_{ij}$$
#
# which is the lecture's update $\Delta w_j = \eta (t - s) s (1 - s) x_j$ with the sign
# flipped. Easy here; hard for a deep network, and harder still with loops and `if`s.

# %%
def symbolic_gradient(w, X, t):
    s = 1 / (1 + np.exp(-(X @ w)))
    return -((t - s) * s * (1 - s)) @ X / len(t)


g_symbolic = symbolic_gradient(w, X, t)
print("symbolic  ", g_symbolic)

# %% [markdown]
# ## 2. Numerical: central finite differences
#
# $$\frac{\partial E}{\partial w_j} \approx \frac{E(w + h e_j) - E(w - h e_j)}{2h}$$
#
# Two evaluations of the whole function **per parameter**, and an approximation: too large a
# step $h$ and the curvature spoils it, too small and rounding errors do.

# %%
def numerical_gradient(f, w, h=1e-5):
    grad = np.zeros_like(w)
    for j in range(len(w)):
        step = np.zeros_like(w)
        step[j] = h
        grad[j] = (f(w + step) - f(w - step)) / (2 * h)
    return grad


g_numerical = numerical_gradient(lambda v: neuron_loss(v, X, t), w)
print("numerical ", g_numerical)

# %% [markdown]
# ## 3. Forward mode: dual numbers, from scratch
#
# A dual number $a + b\varepsilon$ has a rule $\varepsilon^2 = 0$. Then
# $f(a + b\varepsilon) = f(a) + f'(a)\,b\,\varepsilon$: if every elementary operation follows
# that rule, the $\varepsilon$ part of the result is the derivative. For instance
# $(a + a'\varepsilon)(b + b'\varepsilon) = ab + (a'b + ab')\varepsilon$ is the product rule.
#
# The class below stores the value and the derivative part (both may be NumPy arrays) and
# implements exactly the operations `neuron_loss` uses.

# %%
class Dual:
    """A dual number value + deriv·ε (ε² = 0); value and deriv may be NumPy arrays."""

    __array_ufunc__ = None  # so that `ndarray @ Dual` and `ndarray - Dual` use Dual's rules

    def __init__(self, value, deriv):
        self.value = np.asarray(value, dtype=float)
        self.deriv = np.asarray(deriv, dtype=float)

    @staticmethod
    def lift(other):
        """A constant is a dual number whose derivative is 0."""
        return other if isinstance(other, Dual) else Dual(other, np.zeros_like(other, dtype=float))

    def __add__(self, other):
        other = Dual.lift(other)
        return Dual(self.value + other.value, self.deriv + other.deriv)

    def __sub__(self, other):
        other = Dual.lift(other)
        return Dual(self.value - other.value, self.deriv - other.deriv)

    def __mul__(self, other):                      # product rule
        other = Dual.lift(other)
        return Dual(self.value * other.value, self.deriv * other.value + self.value * other.deriv)

    def __truediv__(self, other):                  # quotient rule
        other = Dual.lift(other)
        return Dual(self.value / other.value,
                    (self.deriv * other.value - self.value * other.deriv) / other.value ** 2)

    def __pow__(self, k):                          # constant power k
        return Dual(self.value ** k, k * self.value ** (k - 1) * self.deriv)

    def __neg__(self):
        return Dual(-self.value, -self.deriv)

    def __rmatmul__(self, matrix):                 # matrix @ dual vector: linear
        return Dual(matrix @ self.value, matrix @ self.deriv)

    def mean(self):                                # linear
        return Dual(self.value.mean(), self.deriv.mean())

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other):
        return Dual.lift(other) - self

    def __rtruediv__(self, other):
        return Dual.lift(other) / self


def dual_exp(d):
    return Dual(np.exp(d.value), np.exp(d.value) * d.deriv)


# %% [markdown]
# A first check on $f(x) = x^3 + 2x$: $f'(2) = 3 \cdot 4 + 2 = 14$. Seed the input with
# derivative 1 and read the derivative off the result.

# %%
x = Dual(2.0, 1.0)
f = x ** 3 + 2 * x
print("f(2) =", f.value, " f'(2) =", f.deriv)
assert f.value == 12 and f.deriv == 14

# %% [markdown]
# For a gradient, one forward pass gives the derivative along one direction. To get
# $\partial E / \partial w_j$ we seed $w$ with the unit vector $e_j$: **one pass per
# parameter**.

# %%
def forward_mode_gradient(w, X, t):
    grad = np.zeros_like(w)
    for j in range(len(w)):
        w_dual = Dual(w, np.eye(len(w))[j])        # derivative direction e_j
        grad[j] = neuron_loss(w_dual, X, t, exp=dual_exp).deriv
    return grad


g_forward = forward_mode_gradient(w, X, t)
print("forward   ", g_forward)

# %% [markdown]
# ## 4. Reverse mode: `tf.GradientTape`
#
# TensorFlow records the operations of the forward pass on a "tape" (the computation graph,
# operations as nodes and tensors as edges), then walks it backwards once, multiplying by each
# operation's known derivative. One forward and one backward pass give the **whole
# gradient**, however many parameters there are. The same function in TensorFlow operations:

# %%
def reverse_mode_gradient(w, X, t):
    w = tf.Variable(w)
    with tf.GradientTape() as tape:
        s = tf.sigmoid(tf.linalg.matvec(X, w))
        loss = tf.reduce_mean((t - s) ** 2) / 2
    return tape.gradient(loss, w).numpy()


g_reverse = reverse_mode_gradient(w, tf.constant(X), tf.constant(t))
print("reverse   ", g_reverse)

# %% [markdown]
# ## All four agree

# %%
np.testing.assert_allclose(g_forward, g_symbolic, rtol=1e-12)     # both exact
np.testing.assert_allclose(g_reverse, g_symbolic, rtol=1e-10)     # exact, in float64
np.testing.assert_allclose(g_numerical, g_symbolic, rtol=1e-6)    # an approximation
print("all four gradients agree")

# %% [markdown]
# The same comparison works on a whole minikeras model: `mk.utils.check_gradients` compares
# the tape's gradients of the model's loss with finite differences, weight by weight, and
# returns the largest relative error per weight (the layers compute in float32, so agreement
# is to about 1e-3 rather than 1e-10).

# %%
mk.utils.set_random_seed(0)
model = mk.Sequential([mk.Input(shape=(3,)),
                       mk.layers.Dense(4, activation="tanh"),
                       mk.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="sgd", loss="binary_crossentropy")
errors = mk.utils.check_gradients(model, X[:20], t[:20])
for name, error in errors.items():
    print(f"{name:16s} {error:.1e}")
assert max(errors.values()) < 1e-2

# %% [markdown]
# ## Backpropagation through a hidden layer
#
# The lecture's backpropagation rule carries the error backwards one layer at a time. For a
# network with a hidden layer of sigmoids $h = \sigma(X W_1)$ and a sigmoid output
# $s = \sigma(h\, w_2)$, with the same loss $E$:
#
# - output delta: $\delta = (s - t)\, s (1 - s) / m$, and $\partial E / \partial w_2 = h^T \delta$;
# - hidden deltas: $\delta_j = (\delta\, w_{2j})\, h_j (1 - h_j)$ (the lecture's
#   $(\sum_p \delta_p w_{mp})\, s(1-s)$, with one output $p$), and
#   $\partial E / \partial W_1 = X^T \delta_{hidden}$.
#
# Written by hand below and checked against the tape, which does exactly this walk for any
# graph: backpropagation is reverse-mode automatic differentiation.

# %%
W1 = rng.normal(size=(3, 4))
w2 = rng.normal(size=4)


def backprop_by_hand(W1, w2, X, t):
    h = 1 / (1 + np.exp(-(X @ W1)))                # hidden activations, (m, 4)
    s = 1 / (1 + np.exp(-(h @ w2)))                # outputs, (m,)
    delta = (s - t) * s * (1 - s) / len(t)         # output deltas
    delta_hidden = np.outer(delta, w2) * h * (1 - h)
    return X.T @ delta_hidden, h.T @ delta


def backprop_by_tape(W1, w2, X, t):
    W1, w2 = tf.Variable(W1), tf.Variable(w2)
    with tf.GradientTape() as tape:
        s = tf.sigmoid(tf.linalg.matvec(tf.sigmoid(X @ W1), w2))
        loss = tf.reduce_mean((t - s) ** 2) / 2
    return [g.numpy() for g in tape.gradient(loss, [W1, w2])]


for by_hand, by_tape in zip(backprop_by_hand(W1, w2, X, t),
                            backprop_by_tape(W1, w2, tf.constant(X), tf.constant(t))):
    np.testing.assert_allclose(by_hand, by_tape, rtol=1e-10)
print("hand-written backpropagation equals the tape's gradients")

# %% [markdown]
# ## The cost of each method as the number of parameters grows
#
# With $n$ parameters:
#
# | method | passes through the function |
# | --- | --- |
# | numerical | $2n$ evaluations |
# | forward mode | $n$ passes (one per parameter) |
# | reverse mode | 1 forward + 1 backward pass |
# | symbolic | 1 evaluation of the derived formula, once someone has derived it |
#
# Each pass also costs more as $n$ grows (the product $Xw$ has $m \times n$ terms), so the
# first two methods grow like $n^2$ and reverse mode like $n$. This is why deep learning uses
# reverse mode: a network has millions of parameters and one scalar loss. We count the passes
# and time each method for growing $n$.
#
# Symbolic differentiation's cost is elsewhere: in the derivation. For this one neuron the
# delta rule is as cheap to evaluate as reverse mode, because it *is* reverse mode, done by
# hand. For a deep network the hand derivation is long and error-prone, and a computer-algebra
# system that derives it mechanically produces expressions that can grow exponentially with
# depth when shared subexpressions are expanded ("expression swell"). We time the evaluation
# of the hand-derived formula too; it is the fastest, and it is the one we had to derive.

# %%
class CountingLoss:
    """`neuron_loss` that counts how often it is evaluated."""

    def __init__(self, X, t):
        self.X, self.t, self.calls = X, t, 0

    def __call__(self, w, exp=np.exp):
        self.calls += 1
        return neuron_loss(w, self.X, self.t, exp=exp)


def timed(fn, repeats=5):
    """Best of a few runs, in seconds (the minimum is the least disturbed by other work)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


sizes = [4, 64, 512] if QUICK else [4, 16, 64, 256, 1024]
m = 200
times = {"numerical": [], "forward mode": [], "reverse mode": [], "symbolic (by hand)": []}
passes = {"numerical": [], "forward mode": []}
for n in sizes:
    Xn = rng.normal(size=(m, n)) / np.sqrt(n)
    tn = (rng.uniform(size=m) > 0.5).astype(float)
    wn = rng.normal(size=n)
    f = CountingLoss(Xn, tn)

    f.calls = 0
    numerical_gradient(f, wn)
    passes["numerical"].append(f.calls)
    f.calls = 0
    for j in range(n):
        f(Dual(wn, np.eye(n)[j]), exp=dual_exp)
    passes["forward mode"].append(f.calls)

    times["numerical"].append(timed(lambda: numerical_gradient(f, wn)))
    times["forward mode"].append(timed(lambda: forward_mode_gradient(wn, Xn, tn)))
    Xt, tt = tf.constant(Xn), tf.constant(tn)
    reverse_mode_gradient(wn, Xt, tt)  # a first call pays one-time set-up costs
    times["reverse mode"].append(timed(lambda: reverse_mode_gradient(wn, Xt, tt)))
    times["symbolic (by hand)"].append(timed(lambda: symbolic_gradient(wn, Xn, tn)))
    print(f"n={n:5d}  " + "  ".join(f"{k} {v[-1] * 1e3:8.2f} ms" for k, v in times.items()))

assert passes["numerical"] == [2 * n for n in sizes]
assert passes["forward mode"] == list(sizes)

# %%
fig, ax = plt.subplots(figsize=(5.5, 4))
for name, values in times.items():
    ax.loglog(sizes, values, "o-", label=name)
ax.set_xlabel("number of parameters n")
ax.set_ylabel("time for one gradient (s)")
ax.set_title("Cost of a gradient")
ax.legend()
save_figure(fig, "02_gradient_cost")

# %% [markdown]
# The numerical and forward-mode costs grow steeply with $n$; reverse mode stays nearly flat
# (at these sizes its cost is mostly a fixed overhead per TensorFlow operation). At the
# largest size reverse mode is several times faster than both. The pass counts above are
# exact and always checked; timings vary with whatever else the computer is doing, so the
# timing claims are checked (with a conservative factor of 3) only in a full run, not in the
# quick run the test suite makes.

# %%
ratio_numerical = times["numerical"][-1] / times["reverse mode"][-1]
ratio_forward = times["forward mode"][-1] / times["reverse mode"][-1]
print(f"n={sizes[-1]}: numerical / reverse = {ratio_numerical:.0f}x, "
      f"forward / reverse = {ratio_forward:.0f}x")
# From the smallest to the largest n, numerical and forward mode slow down far more.
growth = {name: values[-1] / values[0] for name, values in times.items()}
print("slow-down from smallest to largest n:", {k: round(v, 1) for k, v in growth.items()})
if not QUICK:
    assert ratio_numerical > 3 and ratio_forward > 3
    assert growth["numerical"] > 3 * growth["reverse mode"]
    assert growth["forward mode"] > 3 * growth["reverse mode"]
