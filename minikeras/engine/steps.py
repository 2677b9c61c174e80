"""The compiled steps: one training or test step, and chunks of many steps per compiled call.

A chunk is one `tf.function` call that runs up to ``num_steps`` batches in an in-graph loop.
For data held in memory the arrays stay as tensors on the device and each batch is gathered
from the epoch's index order; for a `tf.data.Dataset` the batches come from its iterator. The
Python overhead of a call is paid once per chunk, not once per batch.

Functions are traced once per data signature: the batch dimension is None, and the step
count, first step and batch size are tensors, so a partial last batch, a new chunk length or a
new learning rate never retrace. ``trace_counts`` records every trace, for the tests.
"""
from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from minikeras._logits import record_logits

SCALAR = tf.TensorSpec((), tf.int32)


def batch_spec(t: tf.Tensor) -> tf.TensorSpec:
    return tf.TensorSpec((None,) + tuple(t.shape[1:]), t.dtype)


def unpack_batch(element: Any) -> tuple[tf.Tensor, tf.Tensor | None, tf.Tensor]:
    """Splits a dataset element ``(x, y)`` or ``(x, y, sample_weight)`` into float32 tensors."""
    if not isinstance(element, (tuple, list)):
        element = (element,)
    x = tf.cast(element[0], tf.float32)
    y = tf.cast(element[1], tf.float32) if len(element) > 1 else None
    sw = tf.cast(element[2], tf.float32) if len(element) > 2 else tf.ones(tf.shape(x)[:1])
    if sw.shape.rank == 2:
        sw = tf.squeeze(sw, -1)
    return x, y, sw


def shuffled_order(generator: tf.random.Generator, n: tf.Tensor) -> tf.Tensor:
    """A permutation of range(n) drawn from ``generator`` (one seed per call, so a new order
    every epoch). The one place orders are drawn, in per-epoch calls and in epoch groups."""
    return tf.random.experimental.stateless_shuffle(tf.range(n),
                                                    seed=generator.make_seeds(1)[:, 0])


def replica_slice(replicas: int, *tensors: tf.Tensor) -> tuple:
    """This replica's contiguous slice of a global batch: ``ceil(batch / replicas)`` rows each,
    fewer (possibly none) for the last replicas of a short batch."""
    if replicas == 1:
        return tensors
    start, end = replica_bounds(replicas, tf.shape(tensors[0])[0])
    return tuple(t[start:end] for t in tensors)


def replica_bounds(replicas: int, size: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """``(start, end)`` of this replica's rows in a global batch of ``size`` rows."""
    per = (size + replicas - 1) // replicas
    start = tf.minimum(tf.distribute.get_replica_context().replica_id_in_sync_group * per, size)
    return start, tf.minimum(start + per, size)


class CompiledSteps:
    """Builds and caches the compiled functions of one compiled model.

    Args:
      model: The model (a callable layer with ``losses``).
      loss: A `minikeras.losses.Loss`.
      optimizer: A `minikeras.optimizers.Optimizer`.
      loss_tracker: A `metrics.Mean` tracking the loss weighted by batch size.
      metrics: ``(log name, metric, weighted)`` triples; only weighted metrics receive the
        sample weights (keras's ``metrics`` versus ``weighted_metrics``).
      jit_compile: Compile the single step with XLA (inside the in-graph loop).
    """

    def __init__(self, model: Any, loss: Any, optimizer: Any, loss_tracker: Any,
                 metrics: list, jit_compile: bool = False, strategy: Any = None):
        self.strategy = strategy or tf.distribute.get_strategy()
        self.replicas = self.strategy.num_replicas_in_sync
        # Made inside the model's strategy scope. Any real strategy (even with one replica)
        # needs strategy.run and its all-reduces.
        self.distributed = tf.distribute.has_strategy()
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.loss_tracker = loss_tracker
        self.metrics = metrics
        self.trace_counts: collections.Counter = collections.Counter()
        self._cache: dict[tuple, Callable] = {}
        self._order_fns: dict[int, Callable] = {}
        if jit_compile:
            self._train = tf.function(self.train_step, jit_compile=True)
            self._test = tf.function(self.test_step, jit_compile=True)
        else:
            self._train, self._test = self.train_step, self.test_step

    @property
    def log_names(self) -> list[str]:
        return ["loss"] + [name for name, _, _ in self.metrics]

    # ---- single steps (Python, traced inside the chunk functions) --------------------------
    # One code path for one device and for tf.distribute: a step takes the global batch; with
    # R replicas, replica r takes its contiguous slice, the loss is divided by the all-reduced
    # count of real samples (exact for an uneven last batch, even an empty slice), gradients
    # are summed across replicas, and the optimizer applies the same update on every device.
    def _my_slice(self, *tensors: tf.Tensor) -> tuple:
        return replica_slice(self.replicas, *tensors)

    def _all_reduce(self, value: Any) -> Any:
        if not self.distributed:
            return value
        return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, value)

    def _compute_loss(self, x: tf.Tensor, y: tf.Tensor, sw: tf.Tensor, training: bool):
        with record_logits() as logits_of:
            y_pred = self.model(x, training=training)
        logits = logits_of(y_pred)
        total, count = self.loss.sum_and_count(y, y_pred, sample_weight=sw, logits=logits)
        if self.loss.reduction != "sum":
            total = total / self._all_reduce(count)
        penalties = self.model.losses
        if penalties:  # counted once in all: each replica adds its share
            total = total + tf.add_n(penalties) / self.replicas
        return total, y_pred, logits

    def _update_metrics(self, loss: tf.Tensor, batch_size: tf.Tensor, y: tf.Tensor,
                        y_pred: tf.Tensor, logits: tf.Tensor | None, sw: tf.Tensor) -> None:
        """The loss tracker gets the global batch loss once, weighted by the global batch size
        (keras's running mean); per-sample metrics get each replica's slice."""
        loss = self._all_reduce(loss)
        weight = tf.cast(batch_size, tf.float32)
        if self.replicas > 1:
            first = tf.equal(tf.distribute.get_replica_context().replica_id_in_sync_group, 0)
            weight = tf.where(first, weight, 0.0)
        self.loss_tracker.update_state(loss, sample_weight=weight)
        for _, metric, weighted in self.metrics:
            extra = {"logits": logits} if getattr(metric, "accepts_logits", False) else {}
            metric.update_state(y, y_pred, sample_weight=sw if weighted else None, **extra)

    def _train_replica(self, x: tf.Tensor, y: tf.Tensor, sw: tf.Tensor) -> None:
        batch_size = tf.shape(x)[0]
        x, y, sw = self._my_slice(x, y, sw)
        variables = self.model.trainable_variables
        with tf.GradientTape() as tape:
            loss, y_pred, logits = self._compute_loss(x, y, sw, training=True)
        grads = self._all_reduce(tape.gradient(loss, variables))
        self.optimizer.apply(grads, variables)
        self._update_metrics(loss, batch_size, y, y_pred, logits, sw)

    def _test_replica(self, x: tf.Tensor, y: tf.Tensor, sw: tf.Tensor) -> None:
        batch_size = tf.shape(x)[0]
        x, y, sw = self._my_slice(x, y, sw)
        loss, y_pred, logits = self._compute_loss(x, y, sw, training=False)
        self._update_metrics(loss, batch_size, y, y_pred, logits, sw)

    def train_step(self, x: tf.Tensor, y: tf.Tensor, sw: tf.Tensor) -> None:
        """Forward pass, loss, gradients, one optimizer update, metric updates."""
        if not self.distributed:
            return self._train_replica(x, y, sw)
        self.strategy.run(self._train_replica, args=(x, y, sw))

    def test_step(self, x: tf.Tensor, y: tf.Tensor, sw: tf.Tensor) -> None:
        if not self.distributed:
            return self._test_replica(x, y, sw)
        self.strategy.run(self._test_replica, args=(x, y, sw))

    def logs(self) -> tf.Tensor:
        """The running loss and metrics as one vector (one device-to-host copy per chunk)."""
        return tf.stack([self.loss_tracker.result()] + [m.result() for _, m, _ in self.metrics])

    def reset_metrics(self) -> None:
        self.loss_tracker.reset_state()
        for _, metric, _ in self.metrics:
            metric.reset_state()

    def order_function(self, generator: tf.random.Generator) -> Callable[[int], tf.Tensor]:
        """``n -> a permutation of range(n)`` drawn in the graph from ``generator``: a new
        order every call (every epoch), reproducible from the generator's state."""
        if id(generator) not in self._order_fns:
            self._order_fns[id(generator)] = tf.function(
                lambda n: shuffled_order(generator, n), input_signature=[SCALAR])
        fn = self._order_fns[id(generator)]
        return lambda n: fn(tf.constant(n, tf.int32))

    # ---- chunks -----------------------------------------------------------------------------
    def run(self, kind: str, data: Any, first_step: int, num_steps: int,
            reset: bool) -> tuple[int, tf.Tensor]:
        """Runs up to ``num_steps`` steps of ``kind`` ("train"/"test") in one compiled call on
        an adapter's data; returns (steps run, logs vector). ``reset`` zeroes the metrics
        first (an epoch's first chunk)."""
        if data.streamed:
            done, logs = self.run_stream(kind, data.iterator, num_steps, reset)
            return int(done), logs
        logs = self.run_arrays(kind, data.x, data.y, data.sw, data.order, first_step, num_steps,
                               data.batch_size, reset)
        return num_steps, logs

    # ---- chunks over tensors in memory ------------------------------------------------------
    @staticmethod
    def _array_steps(step: Callable, x, y, sw, order, first_step, num_steps, batch_size) -> None:
        """In the graph: steps ``first_step ..`` over batches gathered from ``order``."""
        n = tf.shape(order)[0]
        for i in tf.range(num_steps):
            start = (first_step + i) * batch_size
            idx = order[start:tf.minimum(start + batch_size, n)]
            step(tf.gather(x, idx), tf.gather(y, idx), tf.gather(sw, idx))

    def _array_chunk(self, kind: str, step: Callable) -> Callable:
        def chunk(x, y, sw, order, first_step, num_steps, batch_size, reset):
            self.trace_counts[kind] += 1  # runs only while tracing
            if reset:
                self.reset_metrics()
            self._array_steps(step, x, y, sw, order, first_step, num_steps, batch_size)
            return self.logs()
        return chunk

    def run_arrays(self, kind: str, x, y, sw, order, first_step: int, num_steps: int,
                   batch_size: int, reset: bool) -> tf.Tensor:
        """Runs steps ``first_step .. first_step + num_steps - 1`` over in-memory tensors."""
        key = (kind, "arrays") + tuple((tuple(t.shape[1:]), t.dtype) for t in (x, y, sw))
        if key not in self._cache:
            step = self._train if kind == "train" else self._test
            signature = [batch_spec(x), batch_spec(y), batch_spec(sw), tf.TensorSpec((None,), tf.int32),
                         SCALAR, SCALAR, SCALAR, tf.TensorSpec((), tf.bool)]
            self._cache[key] = tf.function(self._array_chunk(kind, step),
                                           input_signature=signature)
        return self._cache[key](x, y, sw, order, first_step, num_steps, batch_size, reset)

    def run_array_epochs(self, x, y, sw, generator: tf.random.Generator | None,
                         num_epochs: int, batch_size: int) -> tf.Tensor:
        """Runs ``num_epochs`` whole training epochs in one call; returns each epoch's logs.

        Used when nothing needs to act between epochs (no callbacks, no validation), so that
        small models do not pay a compiled call per epoch. Each epoch resets the metrics and
        draws its order from ``generator`` exactly as the epoch-by-epoch path does, so the
        results are identical.
        """
        key = ("train", "epochs", generator is None) + tuple(
            (tuple(t.shape[1:]), t.dtype) for t in (x, y, sw))
        if key not in self._cache:
            def epochs(x, y, sw, num_epochs, batch_size):
                self.trace_counts["train_epochs"] += 1
                n = tf.shape(x)[0]
                steps_per_epoch = (n + batch_size - 1) // batch_size
                logs = tf.TensorArray(tf.float32, size=num_epochs)
                for e in tf.range(num_epochs):
                    self.reset_metrics()
                    order = tf.range(n) if generator is None else shuffled_order(generator, n)
                    self._array_steps(self._train, x, y, sw, order, 0, steps_per_epoch,
                                      batch_size)
                    logs = logs.write(e, self.logs())
                return logs.stack()
            self._cache[key] = tf.function(
                epochs, input_signature=[batch_spec(x), batch_spec(y), batch_spec(sw), SCALAR, SCALAR])
        return self._cache[key](x, y, sw, num_epochs, batch_size)

    # ---- chunks over a dataset iterator -----------------------------------------------------
    def _stream_chunk(self, kind: str, step: Callable) -> Callable:
        def chunk(iterator, num_steps, reset):
            self.trace_counts[kind] += 1
            if reset:
                self.reset_metrics()
            done = tf.constant(0)
            for _ in tf.range(num_steps):
                element = iterator.get_next_as_optional()
                if not element.has_value():
                    break
                step(*unpack_batch(element.get_value()))
                done += 1
            return done, self.logs()
        return chunk

    def run_stream(self, kind: str, iterator: Any, num_steps: int,
                   reset: bool) -> tuple[tf.Tensor, tf.Tensor]:
        """Runs up to ``num_steps`` batches from ``iterator``; returns (steps run, logs)."""
        key = (kind, "stream", str(iterator.element_spec))
        if key not in self._cache:
            step = self._train if kind == "train" else self._test
            self._cache[key] = tf.function(self._stream_chunk(kind, step))
        return self._cache[key](iterator, tf.constant(num_steps, tf.int32), tf.constant(reset))
