"""A model's own ``train_step``/``test_step`` under a tf.distribute strategy, as keras runs it.

keras calls the step in every replica (``strategy.run``) on that replica's share of the
batch; `compute_loss` divides by the global number of samples, and the optimizer sums the
replicas' gradients before its update, so that the update is the one of the whole batch.
The built-in step sums the gradients itself before ``optimizer.apply``; a model's own step
calls ``self.optimizer.apply(grads, ...)`` with its replica's gradients, so while it runs
every optimizer the model holds as an attribute is replaced by `SummingOptimizer`, which
sums them first (without it each replica would update its copy with its own gradients and
the copies would drift apart silently).

The logs: a metric of the model named as a log is read after the step, across replicas (its
variables sum on read); any other value the step returns is averaged over the replicas
(keras's ``reduce_per_replica(..., "auto")``).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import tensorflow as tf

from minikeras.optimizers import Optimizer


def _all_reduce(grads: list) -> list:
    """The replicas' gradients summed (None stays None)."""
    present = [i for i, g in enumerate(grads) if g is not None]
    if not present:
        return grads
    context = tf.distribute.get_replica_context()
    summed = context.all_reduce(tf.distribute.ReduceOp.SUM,
                                [tf.convert_to_tensor(grads[i]) for i in present])
    out = list(grads)
    for i, value in zip(present, summed):
        out[i] = value
    return out


class SummingOptimizer:
    """An optimizer seen from a replica: `apply`/`apply_gradients` sum the replicas'
    gradients, then update through the real optimizer; everything else is the optimizer's."""

    def __init__(self, optimizer: Optimizer):
        self._optimizer = optimizer

    def apply(self, grads: Any, trainable_variables: Any = None) -> Any:
        grads = list(grads)
        if trainable_variables is None:
            raise ValueError("Under a tf.distribute strategy, pass the variables to "
                             "optimizer.apply(grads, trainable_variables).")
        return self._optimizer.apply(_all_reduce(grads), trainable_variables)

    def apply_gradients(self, grads_and_vars: Any) -> Any:
        pairs = list(grads_and_vars)
        grads = _all_reduce([g for g, _ in pairs])
        return self._optimizer.apply_gradients(list(zip(grads, [v for _, v in pairs])))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._optimizer, name)


@contextlib.contextmanager
def summing_optimizers(model: Any) -> Iterator[None]:
    """While the block runs (the step being traced), the model's optimizer attributes are
    `SummingOptimizer`s."""
    swapped = {name: value for name, value in vars(model).items()
               if isinstance(value, Optimizer)}
    try:
        for name, value in swapped.items():
            object.__setattr__(model, name, SummingOptimizer(value))
        yield
    finally:
        for name, value in swapped.items():
            object.__setattr__(model, name, value)


def cross_replica_logs(model: Any, strategy: Any, logs: dict) -> dict:
    """The logs of a step run in every replica, read in cross-replica context."""
    metrics = {m.name: m for m in model.metrics}
    out = {}
    for name, value in logs.items():
        if name in metrics:
            out[name] = metrics[name].result()
        else:
            values = strategy.experimental_local_results(value)
            out[name] = tf.reduce_mean(tf.stack([tf.cast(v, tf.float32) for v in values]),
                                       axis=0)
    return out
