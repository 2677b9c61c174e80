"""The compiled chunks: many steps per compiled call (one step's logic is in batch_step.py).

A chunk is one `tf.function` call that runs up to ``num_steps`` batches in an in-graph loop.
For data held in memory the arrays stay as tensors on the device and each batch is gathered
from the epoch's index order; for a `tf.data.Dataset` the batches come from its iterator. The
Python overhead of a call is paid once per chunk, not once per batch.

Over the same data signature a step is traced in at most two shapes: a static batch size for
the first batch size it sees when the data divides into full batches (static_batches.py), and a
dynamic batch for every other case (see `CompiledSteps._shape_key`); over datasets the batch
dimension is None. The step count and first step are tensors, so a new chunk length or a new
learning rate never retrace. ``trace_counts`` records every trace, for the tests.

No AutoGraph: every function here is compiled with ``autograph=False`` and its loops are
explicit `tf.while_loop`s (`repeat`), so the step and everything it calls (layers, losses,
metrics, optimizer) trace as the plain Python they are. AutoGraph would transpile each of
those functions once per process, which cost seconds on a first ``fit``. Only a model's own
``train_step``/``test_step`` is converted, as keras converts it (batch_step.py).
"""
from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from minikeras.engine.batch_step import BatchStep
from minikeras.engine.epoch_groups import EpochGroups
from minikeras.engine.graph_blocks import (
    SCALAR,
    batch_spec,
    repeat,
    shuffled_order,
    signature_key,
    unpack_batch,
)
from minikeras.engine.static_batches import StaticBatches


class CompiledSteps(EpochGroups):
    """Builds and caches the compiled chunk functions of one compiled model.

    Args:
      batch: The per-batch logic (`BatchStep`).
      jit_compile: Compile with XLA: over arrays, the loop of full batches; over a dataset,
        the single step (its batches' shapes are not known to be static).
    """

    def __init__(self, batch: BatchStep, jit_compile: bool = False):
        self.batch = batch
        self.trace_counts: collections.Counter = collections.Counter()
        self._cache: dict[tuple, Callable] = {}
        self._order_fns: dict[int, Callable] = {}
        self._static_loops: dict[tuple, StaticBatches] = {}
        self._first_shapes: dict[tuple, tuple] = {}
        # static batch shapes over arrays on one device; under tf.distribute each replica
        # slices its rows out of the global batch, dynamically
        self._static = not batch.distributed
        self._jit = jit_compile
        self._step = (tf.function(batch.run, jit_compile=True, autograph=False)
                      if jit_compile and not self._static else batch.run)
        self._stream_step = (tf.function(batch.run, jit_compile=True, autograph=False)
                             if jit_compile else batch.run)

    @property
    def log_names(self) -> list[str]:
        return self.batch.log_names("train")

    def log_names_for(self, kind: str) -> list[str]:
        return self.batch.log_names(kind)

    @property
    def loss_tracker(self) -> Any:
        return self.batch.loss_tracker

    @property
    def metrics(self) -> list:
        return self.batch.metrics

    def order_function(self, generator: tf.random.Generator) -> Callable[[int], tf.Tensor]:
        """``n -> a permutation of range(n)`` drawn in the graph from ``generator``: a new
        order every call (every epoch), reproducible from the generator's state."""
        if id(generator) not in self._order_fns:
            self._order_fns[id(generator)] = tf.function(
                lambda n: shuffled_order(generator, n), input_signature=[SCALAR], autograph=False)
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
                               data.batch_size, reset, data.weighted)
        return num_steps, logs

    def _step_fn(self, kind: str, weighted: bool, stream: bool = False) -> Callable:
        step = self._stream_step if stream else self._step
        # no targets travel as () through the compiled chunks; the step sees None
        return lambda x, y, sw: step(kind, x, None if isinstance(y, tuple) and not y else y,
                                     sw, weighted)

    def _shape_key(self, kind: str, batch_size: int, sw: tf.Tensor, signature: tuple) -> tuple:
        """What a function over arrays is specialised on: ``(static batch size, whether the
        data ends with a partial batch)``, or ``(None, None)`` for dynamic batches.

        Without XLA, static shapes are used only where they cost no extra tracing: data that
        divides into full batches (a partial batch would need the step traced a second time,
        which costs more than a short fit saves), and only for the first batch size a kind
        of step sees over a data signature. Any other batch size (an ``evaluate`` with
        another ``batch_size``) shares one dynamic-shape function, so retracing stays bounded
        as keras's ``reduce_retracing`` bounds it. XLA compiles per batch size anyway, so
        under ``jit_compile`` every size is static, with the partial-batch branch always
        traced (one XLA loop per batch size, whether or not the data ends short).
        """
        if not self._static or batch_size < 1:
            return (None, None)
        wanted = (int(batch_size), int(sw.shape[0]) % int(batch_size) != 0)
        if self._jit:  # one XLA loop per batch size; its partial branch is skipped at run time
            return (wanted[0], True)
        if wanted[1]:
            return (None, None)
        first = self._first_shapes.setdefault((kind,) + signature, wanted)
        return first if first == wanted else (None, None)

    def _static_batches(self, kind: str, weighted: bool, step: Callable,
                        shape_key: tuple) -> StaticBatches | None:
        """One static-shape loop per kind, weighting, batch size and partial batch, shared by
        chunks and epoch groups (an XLA loop compiles once per data size it sees)."""
        if shape_key[0] is None:
            return None
        key = (kind, weighted) + shape_key
        if key not in self._static_loops:
            self._static_loops[key] = StaticBatches(step, shape_key[0], repeat, self._jit,
                                                    partial=shape_key[1])
        return self._static_loops[key]

    # ---- chunks over tensors in memory ------------------------------------------------------
    @staticmethod
    def _array_steps(step: Callable, x, y, sw, order, first_step, num_steps, batch_size) -> None:
        """In the graph: steps ``first_step ..`` over batches gathered from ``order``."""
        n = tf.shape(order)[0]

        def body(i: tf.Tensor) -> None:
            start = (first_step + i) * batch_size
            idx = order[start:tf.minimum(start + batch_size, n)]
            take = lambda t: tf.nest.map_structure(lambda v: tf.gather(v, idx), t)  # noqa: E731
            step(take(x), take(y), tf.gather(sw, idx))
        repeat(num_steps, body)

    def _steps_over(self, step: Callable, static: StaticBatches | None, x, y, sw, order,
                    first_step, num_steps, batch_size) -> None:
        """In the graph: steps ``first_step ..`` over ``order``'s batches, with static
        shapes when on one device."""
        if static is not None:
            static.run(x, y, sw, order, first_step, num_steps)
        else:
            self._array_steps(step, x, y, sw, order, first_step, num_steps, batch_size)

    def _maybe_reset(self, reset: tf.Tensor) -> None:
        """Zeroes the metrics in the graph when ``reset`` (a bool tensor) is true."""
        def zero() -> tf.Tensor:
            self.batch.reset()
            return tf.constant(True)
        tf.cond(reset, zero, lambda: tf.constant(False))

    def run_arrays(self, kind: str, x, y, sw, order, first_step: int, num_steps: int,
                   batch_size: int, reset: bool, weighted: bool = False) -> tf.Tensor:
        """Runs steps ``first_step .. first_step + num_steps - 1`` over in-memory tensors
        (``y`` None for a model's own step given inputs only)."""
        y = () if y is None else y
        signature = (weighted,) + signature_key(x, y, sw)
        shape_key = self._shape_key(kind, batch_size, sw, signature)
        key = (kind, "arrays") + shape_key + signature
        if key not in self._cache:
            step = self._step_fn(kind, weighted)
            self.batch.prepare(kind, step, batch_spec(x), batch_spec(y), batch_spec(sw))
            static = self._static_batches(kind, weighted, step, shape_key)

            def chunk(x, y, sw, order, first_step, num_steps, batch_size, reset):
                self.trace_counts[kind] += 1  # runs only while tracing
                self._maybe_reset(reset)
                self._steps_over(step, static, x, y, sw, order, first_step, num_steps,
                                 batch_size)
                return self.batch.logs(kind)
            signature = [batch_spec(x), batch_spec(y), batch_spec(sw),
                         tf.TensorSpec((None,), tf.int32), SCALAR, SCALAR, SCALAR,
                         tf.TensorSpec((), tf.bool)]
            self._cache[key] = tf.function(chunk, input_signature=signature, autograph=False)
        return self._cache[key](x, y, sw, order, first_step, num_steps, batch_size, reset)

    # ---- chunks over a dataset iterator -----------------------------------------------------
    def run_stream(self, kind: str, iterator: Any, num_steps: int,
                   reset: bool) -> tuple[tf.Tensor, tf.Tensor]:
        """Runs up to ``num_steps`` batches from ``iterator``; returns (steps run, logs)."""
        spec = iterator.element_spec
        weighted = isinstance(spec, tuple) and len(spec) > 2
        key = (kind, "stream", str(spec))
        if key not in self._cache:
            step = self._step_fn(kind, weighted, stream=True)
            self.batch.prepare(kind, lambda element: step(*unpack_batch(element)), spec)

            def chunk(iterator, num_steps, reset):
                self.trace_counts[kind] += 1
                self._maybe_reset(reset)

                def body(i: tf.Tensor, done: tf.Tensor, more: tf.Tensor) -> tuple:
                    element = iterator.get_next_as_optional()

                    def run() -> tf.Tensor:
                        step(*unpack_batch(element.get_value()))
                        return done + 1
                    has = element.has_value()
                    return i + 1, tf.cond(has, run, lambda: done), has
                _, done, _ = tf.while_loop(
                    lambda i, done, more: tf.logical_and(more, i < num_steps), body,
                    [tf.constant(0), tf.constant(0), tf.constant(True)])
                return done, self.batch.logs(kind)
            self._cache[key] = tf.function(chunk, autograph=False)
        return self._cache[key](iterator, tf.constant(num_steps, tf.int32), tf.constant(reset))
