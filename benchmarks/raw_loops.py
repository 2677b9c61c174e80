"""Steady-state step time: minikeras against hand-written raw TensorFlow loops and keras.

    .venv/bin/python benchmarks/raw_loops.py            # ~3 min on 2 idle cores
    .venv/bin/python benchmarks/raw_loops.py --quick    # smoke test

The same work in every column: forward, loss, gradients, SGD with Nesterov momentum, and the
running means of loss and accuracy, on 784-128-10 (relu, softmax, sparse categorical
crossentropy) at batch 32 and 256, and on the lecture's tiny 2-8-8-1 job at batch 16.

- raw graph loop: one `tf.function` running the whole epoch as a `tf.while_loop` over batches
  gathered from a shuffled order (what minikeras's default path does, written by hand);
- raw XLA epoch: the same epoch compiled whole with `jit_compile=True` and static batch shapes
  (the order reshaped to [steps, batch], the data passed as arguments);
- minikeras (default, and `jit_compile=True`) and keras (default) through `fit`.

Each configuration runs a warm-up epoch (tracing and compiling), then timed epochs; the table
gives microseconds per step (median over repeats) and each one's ratio to the raw loop it should
match (issue 14's targets: within 1.1x of the graph loop, 1.15x of the XLA epoch). For `fit` the
step time is (3 epochs - 1 epoch) / 2 epochs' steps, so fit's per-call costs (checking and
copying the arrays) cancel: they are the first-fit benchmark's subject, not this one's.
"""
from __future__ import annotations

import argparse
import functools
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import minikeras  # noqa: E402

tf.get_logger().setLevel("ERROR")


def data(job: str, n: int):
    rng = np.random.default_rng(0)
    if job == "tiny":
        x = rng.normal(size=(n, 2)).astype("float32")
        return x, (x[:, 0] * x[:, 1] > 0).astype("int32")
    return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n).astype("int32")


def sizes(job: str) -> list[int]:
    return [2, 8, 8, 2] if job == "tiny" else [784, 128, 10]


# ---- raw TensorFlow ----------------------------------------------------------------------------
class RawLoop:
    """The whole training epoch written directly in TensorFlow."""

    def __init__(self, job: str, batch: int, xla: bool, lr: float = 0.01, momentum: float = 0.9):
        dims = sizes(job)
        rng = np.random.default_rng(1)
        self.weights = []
        for m, n in zip(dims[:-1], dims[1:]):
            limit = np.sqrt(6 / (m + n))
            self.weights += [tf.Variable(rng.uniform(-limit, limit, (m, n)).astype("float32")),
                             tf.Variable(np.zeros(n, "float32"))]
        self.velocity = [tf.Variable(tf.zeros_like(w)) for w in self.weights]
        self.loss_sum, self.correct, self.count = (tf.Variable(0.0) for _ in range(3))
        self.batch, self.lr, self.momentum, self.tiny = batch, lr, momentum, job == "tiny"
        self.epoch = tf.function(self._epoch_xla if xla else self._epoch_graph,
                                 jit_compile=xla, autograph=False)

    def _step(self, x, y):
        with tf.GradientTape() as tape:
            h = x
            for i in range(0, len(self.weights) - 2, 2):
                h = (tf.tanh if self.tiny else tf.nn.relu)(h @ self.weights[i] + self.weights[i + 1])
            logits = h @ self.weights[-2] + self.weights[-1]
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
        grads = tape.gradient(loss, self.weights)
        for w, v, g in zip(self.weights, self.velocity, grads):
            v.assign(self.momentum * v - self.lr * g)
            w.assign_add(self.momentum * v - self.lr * g)  # Nesterov, keras's form
        size = tf.cast(tf.shape(y)[0], tf.float32)
        self.loss_sum.assign_add(loss * size)
        self.correct.assign_add(tf.reduce_sum(tf.cast(
            tf.equal(tf.argmax(logits, -1, output_type=tf.int32), y), tf.float32)))
        self.count.assign_add(size)

    def _epoch_graph(self, x, y, order):
        n = tf.shape(order)[0]

        def body(i):
            idx = order[i * self.batch:tf.minimum((i + 1) * self.batch, n)]
            self._step(tf.gather(x, idx), tf.gather(y, idx))
            return i + 1
        steps = (n + self.batch - 1) // self.batch
        tf.while_loop(lambda i: i < steps, body, [tf.constant(0)])
        return self.loss_sum / self.count

    def _epoch_xla(self, x, y, order):
        steps = order.shape[0] // self.batch  # static: full batches only (the data divide)
        order = tf.reshape(order[:steps * self.batch], [steps, self.batch])

        def body(i):
            self._step(tf.gather(x, order[i]), tf.gather(y, order[i]))
            return i + 1
        tf.while_loop(lambda i: i < steps, body, [tf.constant(0)])
        return self.loss_sum / self.count

    def run_epoch(self, x, y, seed):
        order = tf.random.experimental.stateless_shuffle(tf.range(len(x)), seed=[seed, 0])
        self.epoch(x, y, order).numpy()


# ---- measuring ----------------------------------------------------------------------------------
def per_step(run_epoch, steps: int, epochs: int) -> float:
    run_epoch(0)  # warm-up: tracing and compiling
    times = []
    for e in range(epochs):
        start = time.perf_counter()
        run_epoch(e + 1)
        times.append((time.perf_counter() - start) / steps * 1e6)
    return statistics.median(times)


def raw_epoch(loop: RawLoop, x, y):
    return lambda e: loop.run_epoch(x, y, e)


def fit_per_step(make_fit, steps: int, repeats: int) -> float:
    """Steady-state us/step of fit: (time of 3 epochs - time of 1 epoch) / (2 epochs' steps),
    so the per-call costs of fit (checking and copying the arrays, callbacks) cancel out."""
    fit = make_fit()
    fit(1)  # warm-up: tracing and compiling
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fit(1)
        one = time.perf_counter() - start
        start = time.perf_counter()
        fit(3)
        times.append((time.perf_counter() - start - one) / (2 * steps) * 1e6)
    return statistics.median(times)


def fit_epoch(lib, job, batch, extra, x, y):
    dims = sizes(job)
    lib.utils.set_random_seed(0)
    act = "tanh" if job == "tiny" else "relu"
    layers = [lib.Input(shape=(dims[0],))] + [lib.layers.Dense(d, activation=act)
                                              for d in dims[1:-1]]
    model = lib.Sequential(layers + [lib.layers.Dense(dims[-1], activation="softmax")])
    model.compile(optimizer=lib.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"], **extra)
    return lambda epochs: model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    epochs = 1 if args.quick else 3
    cases = [("784-128-10", 32, 2_000 if args.quick else 20_000),
             ("784-128-10", 256, 4_096 if args.quick else 40_960),
             ("tiny", 16, 400 * (1 if args.quick else 10))]
    print(f"TensorFlow {tf.__version__}, keras {keras.__version__}; us per step, median of "
          f"{epochs} repeats after a warm-up epoch\n")
    print("| job | batch | raw graph loop | minikeras | ratio | raw XLA epoch | minikeras jit "
          "| ratio | keras default |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for job, batch, n in cases:
        x, y = data(job, n)
        steps = -(-n // batch)
        xt, yt = tf.constant(x), tf.constant(y)
        graph = per_step(raw_epoch(RawLoop(job, batch, False), xt, yt), steps, epochs)
        xla = per_step(raw_epoch(RawLoop(job, batch, True), xt, yt), steps, epochs)
        make = functools.partial(fit_epoch, job=job, batch=batch, x=x, y=y)
        ours = fit_per_step(functools.partial(make, minikeras, extra={}), steps, epochs)
        ours_jit = fit_per_step(functools.partial(make, minikeras, extra={"jit_compile": True}),
                                steps, epochs)
        ref = fit_per_step(functools.partial(make, keras, extra={}), steps, epochs)
        print(f"| {job} | {batch} | {graph:.0f} | {ours:.0f} | {ours / graph:.2f}x | {xla:.0f} "
              f"| {ours_jit:.0f} | {ours_jit / xla:.2f}x | {ref:.0f} |", flush=True)


if __name__ == "__main__":
    main()
