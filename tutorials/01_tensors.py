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
# # 1. Tensors: the operations models are made of
#
# For our purposes a **tensor** is an N-dimensional array of numbers: a scalar has 0
# dimensions, a vector 1, a matrix 2, a batch of matrices 3. TensorFlow's operations on tensors
# are the building blocks of every model in this course. This notebook shows:
#
# 1. addition, element by element, of tensors with the same shape;
# 2. the matrix product `C = A B`;
# 3. **broadcasting**: element-wise operations on tensors of different shapes, aligned by
#    their *last* dimensions;
# 4. `tf.matmul` on 3-D tensors: a batch of matrix products (the lecture's example);
# 5. why this matters: a layer of neurons is a matrix product plus a broadcast bias.
#
# Every claim is checked with an `assert`, so running the notebook is also a test.

# %%
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import minikeras as mk
from minikeras.utils.plotting import save_figure

# %% [markdown]
# ## Scalars, vectors, matrices, tensors
#
# A tensor has a `shape` (its size along each dimension) and a `dtype`. Its rank is the number
# of dimensions.

# %%
scalar = tf.constant(3.0)
vector = tf.constant([1.0, 2.0, 3.0])
matrix = tf.constant([[1.0, 2.0, 3.0],
                      [4.0, 5.0, 6.0]])
batch = tf.zeros((4, 2, 3))

for name, t in [("scalar", scalar), ("vector", vector), ("matrix", matrix), ("batch", batch)]:
    print(f"{name:7s} rank {len(t.shape)}  shape {t.shape}")

assert [len(t.shape) for t in (scalar, vector, matrix, batch)] == [0, 1, 2, 3]

# %% [markdown]
# ## Addition and subtraction: element by element
#
# Two tensors with the same shape are added (or subtracted) entry by entry:
# $(A + B)_{ij} = a_{ij} + b_{ij}$.

# %%
A = tf.constant([[1.0, 2.0, 3.0],
                 [4.0, 5.0, 6.0]])
B = tf.constant([[10.0, 20.0, 30.0],
                 [40.0, 50.0, 60.0]])
print(A + B)
print(B - A)

for i in range(2):
    for j in range(3):
        assert (A + B)[i, j] == A[i, j] + B[i, j]

# %% [markdown]
# ## Matrix product
#
# `C = A B` follows the rules of algebra: `A` of shape `(p, q)` times `B` of shape `(q, r)`
# gives `C` of shape `(p, r)`, with $c_{ij} = \sum_k a_{ik} b_{kj}$. In Python, `A @ B` is
# `tf.matmul(A, B)`; `A * B` is something else (the element-wise product).

# %%
A = tf.constant([[1.0, 2.0, 3.0],
                 [4.0, 5.0, 6.0]])            # (2, 3)
W = tf.constant([[1.0, 0.0],
                 [0.0, 1.0],
                 [1.0, -1.0]])                # (3, 2)
C = A @ W
print(C)

# The same numbers from the definition, with explicit loops:
by_hand = np.zeros((2, 2))
for i in range(2):
    for j in range(2):
        by_hand[i, j] = sum(A[i, k] * W[k, j] for k in range(3))
print(by_hand)

assert C.shape == (2, 2)
np.testing.assert_allclose(C.numpy(), by_hand)

# %% [markdown]
# The inner dimensions must agree: a `(2, 3)` matrix cannot multiply another `(2, 3)` matrix.

# %%
try:
    A @ A
    raised = False
except tf.errors.InvalidArgumentError:
    raised = True
print("(2, 3) @ (2, 3) raises InvalidArgumentError:", raised)
assert raised

# %% [markdown]
# ## Broadcasting: aligned by the last dimensions
#
# TensorFlow, like NumPy, also applies element-wise operations to tensors of *different*
# shapes. The shapes are compared from the **last** dimension backwards; a dimension of size 1
# (or a missing one) is stretched to match. So a row vector of shape `(1, q)`, or just `(q,)`,
# is added to **every row** of a `(p, q)` matrix:
#
# $$(A + b)_{ij} = a_{ij} + b_{j}$$

# %%
A = tf.constant(np.arange(12, dtype=np.float32).reshape(4, 3))   # (4, 3)
b = tf.constant([[100.0, 200.0, 300.0]])                          # (1, 3)
print(A + b)

np.testing.assert_array_equal((A + b).numpy(), A.numpy() + np.tile(b.numpy(), (4, 1)))
np.testing.assert_array_equal((A + b).numpy(), (A + tf.reshape(b, (3,))).numpy())

# %% [markdown]
# Because shapes are aligned from the right, a vector with one entry **per row** (shape
# `(4,)`) does *not* broadcast against a `(4, 3)` matrix: its 4 meets the matrix's 3. To add
# a value per row, make it a column of shape `(4, 1)`.

# %%
per_row = tf.constant([1000.0, 2000.0, 3000.0, 4000.0])   # (4,)
try:
    A + per_row
    raised = False
except tf.errors.InvalidArgumentError:
    raised = True
print("(4, 3) + (4,) raises:", raised)
assert raised

column = tf.reshape(per_row, (4, 1))                        # (4, 1)
print(A + column)
np.testing.assert_array_equal((A + column).numpy()[:, 0], A.numpy()[:, 0] + per_row.numpy())

# %% [markdown]
# A picture of the first case: the row `b` is copied onto each of the four rows of `A`.

# %%
fig, axes = plt.subplots(1, 3, figsize=(9, 3))
for ax, (title, value) in zip(axes, [("A (4, 3)", A), ("b (1, 3)", b), ("A + b (4, 3)", A + b)]):
    ax.imshow(value.numpy(), cmap="viridis", vmin=0, vmax=320)
    for (i, j), v in np.ndenumerate(value.numpy()):
        ax.text(j, i, f"{v:g}", ha="center", va="center", color="w", fontsize=9)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
save_figure(fig, "01_broadcasting")

# %% [markdown]
# ## `tf.matmul` on 3-D tensors: a batch of products
#
# With 3-D tensors, `tf.matmul` treats the first dimension as a batch and multiplies the
# matrices pair by pair. This is the example from TensorFlow's `matmul` documentation used in
# the lecture: `a` holds two `(2, 3)` matrices, `b` two `(3, 2)` matrices.

# %%
a = tf.constant(np.arange(1, 13, dtype=np.int32), shape=[2, 2, 3])
b = tf.constant(np.arange(13, 25, dtype=np.int32), shape=[2, 3, 2])
c = tf.matmul(a, b)          # or a @ b
print(c)

assert c.shape == (2, 2, 2)
np.testing.assert_array_equal(c.numpy(), [[[94, 100], [229, 244]],
                                          [[508, 532], [697, 730]]])
for k in range(2):           # the same as one product per batch entry
    np.testing.assert_array_equal(c[k].numpy(), (a[k] @ b[k]).numpy())

# %% [markdown]
# The slide says `a * b` can replace `tf.matmul(a, b)`; that is a slip: `*` is the element-wise
# product (with broadcasting), and these shapes, `(2, 2, 3)` and `(2, 3, 2)`, do not even
# broadcast. The operator for the matrix product is `@`.

# %%
try:
    a * b
    raised = False
except tf.errors.InvalidArgumentError:
    raised = True
assert raised
np.testing.assert_array_equal((a @ b).numpy(), c.numpy())

# %% [markdown]
# ## Why this matters: a layer is a matrix product and a broadcast
#
# * A **batch of examples** is a 2-D tensor: one row per example, one column per feature.
# * A **layer** of neurons is a weight matrix (one column per neuron) and a bias vector.
# * Its output for the whole batch is one matrix product, one broadcast addition and an
#   element-wise activation: `activation(x @ kernel + bias)`.
# * **Losses** combine predictions and targets element by element and then average.
#
# minikeras's `Dense` layer does exactly this; we recompute its output by hand.

# %%
mk.utils.set_random_seed(0)
layer = mk.layers.Dense(4, activation="sigmoid")
x = tf.constant(np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32))  # 5 examples
out = layer(x)

by_hand = tf.sigmoid(x @ layer.kernel + layer.bias)     # (5, 3) @ (3, 4) + (4,)
print("kernel", layer.kernel.shape, "bias", layer.bias.shape, "output", out.shape)
np.testing.assert_allclose(out.numpy(), by_hand.numpy(), rtol=1e-6)

# %% [markdown]
# And a loss: binary crossentropy is an element-wise formula followed by a mean over the batch.

# %%
y_true = tf.constant([[0.0], [1.0], [1.0], [0.0]])
y_pred = tf.constant([[0.1], [0.8], [0.6], [0.3]])
elementwise = -(y_true * tf.math.log(y_pred) + (1 - y_true) * tf.math.log(1 - y_pred))
by_hand = tf.reduce_mean(elementwise)
library = mk.losses.BinaryCrossentropy()(y_true, y_pred)
print(float(by_hand), float(library))
np.testing.assert_allclose(float(by_hand), float(library), rtol=1e-5)

# %% [markdown]
# With the keras-style API (`Sequential`, `Dense`, `fit`) these operations are mostly hidden,
# but they are all there is: the next notebooks build training on top of them.
