"""One training or test step on one batch: forward, loss, gradients, update, metrics.

Python code traced inside the compiled chunks of steps.py. One code path serves one device and
tf.distribute: a step takes the global batch; with R replicas, replica r takes its contiguous
slice, each output's loss is divided by the all-reduced count of real samples (exact for an
uneven last batch, even an empty slice), gradients are summed across replicas, and the
optimizer applies the same update on every device.

A model with several outputs has one loss per output: the batch loss is
``sum_i loss_weight_i * loss_i`` plus the layers' losses, and each unweighted ``loss_i`` is
tracked as ``<output>_loss`` (keras's logs). A model that overrides ``train_step`` or
``test_step`` has its own step run instead, inside the same compiled loop; the dict it returns
becomes the logs.
"""
from __future__ import annotations

import functools
from typing import Any

import tensorflow as tf

from minikeras import metrics as metrics_module
from minikeras._logits import record_logits
from minikeras._reduce import dim
from minikeras.engine.own_step_replicas import cross_replica_logs, summing_optimizers


def slice_rows(replicas: int, *nests: Any) -> tuple:
    """This replica's contiguous slice of every tensor of a global batch: ``ceil(batch /
    replicas)`` rows each, fewer (possibly none) for the last replicas of a short batch."""
    if replicas == 1:
        return nests
    first = tf.nest.flatten(nests[0])[0]
    start, end = replica_bounds(replicas, tf.shape(first)[0])
    return tuple(tf.nest.map_structure(lambda t: t[start:end], n) for n in nests)


def replica_bounds(replicas: int, size: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """``(start, end)`` of this replica's rows in a global batch of ``size`` rows."""
    per = (size + replicas - 1) // replicas
    start = tf.minimum(tf.distribute.get_replica_context().replica_id_in_sync_group * per, size)
    return start, tf.minimum(start + per, size)


def _add(total: tf.Tensor | None, value: tf.Tensor) -> tf.Tensor:
    """``total + value``, where None is an empty sum (so one loss adds no op)."""
    return value if total is None else total + value


def overrides(model: Any, method: str) -> bool:
    """Whether ``model``'s class overrides the trainer's ``method`` (keras's custom steps)."""
    from_trainer = next((c for c in type(model).__mro__ if c.__name__ == "Trainer"), None)
    return from_trainer is not None and getattr(type(model), method) is not getattr(
        from_trainer, method)


class BatchStep:
    """The per-batch logic of one compiled model.

    Args:
      model: The model.
      outputs: ``(output name, Loss or None, loss weight or None)`` per output.
      optimizer: The optimizer.
      metrics: ``(log name, metric, weighted, output index)``; only weighted metrics receive
        the sample weights (keras's ``metrics`` versus ``weighted_metrics``).
      strategy: The `tf.distribute` strategy the model was compiled under.
    """

    def __init__(self, model: Any, outputs: list, optimizer: Any, metrics: list,
                 strategy: Any, whole: list | None = None):
        self.model, self.outputs, self.optimizer = model, outputs, optimizer
        self.whole = list(whole or [])  # (name, loss, weight): losses of the whole structure
        self.metrics = metrics
        self.strategy = strategy
        self.replicas = strategy.num_replicas_in_sync
        self.distributed = tf.distribute.has_strategy()
        self.loss_tracker = metrics_module.Mean(name="loss")
        # keras tracks each output's loss only when more than one output has a loss
        with_loss = [i for i, (_, loss, _) in enumerate(outputs + self.whole)
                     if loss is not None]
        self.tracked_outputs = with_loss if len(with_loss) > 1 else []
        self.output_trackers = [metrics_module.Mean(name=f"{(outputs + self.whole)[i][0]}_loss")
                                for i in self.tracked_outputs]
        self.custom = {"train": overrides(model, "train_step"),
                       "test": overrides(model, "test_step")}
        self._custom_logs: dict[str, dict[str, tf.Variable]] = {"train": {}, "test": {}}
        self._converted: dict[str, Any] = {}

    # ---- logs -----------------------------------------------------------------------------
    @property
    def tracked(self) -> list:
        """The metric objects behind the logs, in log order (keras's `model.metrics`)."""
        return ([self.loss_tracker] + [m for _, m, _, _ in self.metrics]
                + self.output_trackers)

    def log_names(self, kind: str = "train") -> list[str]:
        """The names of `logs`' entries for steps of ``kind``."""
        if self.custom[kind]:
            return list(self._custom_logs[kind])
        return ["loss"] + [name for name, _, _, _ in self.metrics] + [
            m.name for m in self.output_trackers]

    def logs(self, kind: str = "train") -> tf.Tensor:
        """The running logs as one vector (one device-to-host copy per chunk)."""
        if self.custom[kind]:
            return tf.stack([v.read_value() for v in self._custom_logs[kind].values()])
        return tf.stack([m.result() for m in self.tracked])

    def reset(self) -> None:
        for metric in self.tracked + [m for m in self.model.metrics
                                      if not any(m is t for t in self.tracked)]:
            metric.reset_state()

    # ---- losses ---------------------------------------------------------------------------
    def _all_reduce(self, value: Any) -> Any:
        if not self.distributed:
            return value
        return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, value)

    def output_losses(self, y: Any, y_pred: Any, sw: Any, logits_of: Any) -> tuple[Any, list]:
        """The weighted total over the outputs, and each output's unweighted loss."""
        flat_y, flat_pred = tf.nest.flatten(y), tf.nest.flatten(y_pred)
        if len(flat_pred) != len(self.outputs) or len(flat_y) != len(self.outputs):
            raise ValueError(f"The model has {len(self.outputs)} output(s) with losses, but "
                             f"produced {len(flat_pred)} and received {len(flat_y)} targets.")
        total, values = None, []
        for (_, loss, weight), target, pred in zip(self.outputs, flat_y, flat_pred):
            if loss is None:
                values.append(tf.zeros(()))
                continue
            summed, count = loss.sum_and_count(target, pred, sample_weight=sw,
                                               logits=logits_of(pred))
            value = summed if loss.reduction == "sum" else summed / self._all_reduce(count)
            values.append(value)
            total = _add(total, value if weight is None else value * weight)
        if self.whole:  # keras's losses of the whole output structure
            struct = self.model._outputs_struct
            y_struct = tf.nest.pack_sequence_as(struct, flat_y)
            pred_struct = tf.nest.pack_sequence_as(struct, flat_pred)
            for _, loss, weight in self.whole:
                fn = getattr(loss, "fn", loss)
                per_sample = tf.cast(fn(y_struct, pred_struct), tf.float32)
                weights = tf.cast(tf.reshape(sw, [-1] + [1] * (per_sample.shape.rank - 1)),
                                  tf.float32)
                count = tf.cast(tf.size(per_sample), tf.float32)
                value = tf.reduce_sum(per_sample * weights) / self._all_reduce(count)
                values.append(value)
                total = _add(total, value if weight is None else value * weight)
        return (tf.zeros(()) if total is None else total), values

    def _compute_loss(self, x: Any, y: Any, sw: Any, training: bool) -> tuple:
        with record_logits() as logits_of:
            y_pred = self.model(self.model._data_inputs(x), training=training)
        total, values = self.output_losses(y, y_pred, sw, logits_of)
        penalties = self.model.losses
        if penalties:  # counted once in all: each replica adds its share
            total = total + tf.add_n(penalties) / self.replicas
        return total, values, y_pred, logits_of

    def _update_metrics(self, loss: tf.Tensor, values: list, batch_size: tf.Tensor, y: Any,
                        y_pred: Any, logits_of: Any, sw: Any) -> None:
        """The loss trackers get global batch losses once, weighted by the global batch size
        (keras's running means); per-sample metrics get each replica's slice."""
        once = None  # the global batch counts once: on the first replica only (None: one device)
        size = tf.cast(batch_size, tf.float32)
        if self.replicas > 1:
            first = tf.equal(tf.distribute.get_replica_context().replica_id_in_sync_group, 0)
            once = tf.where(first, 1.0, 0.0)
            size = once * size
        self.loss_tracker.update_state(self._all_reduce(loss), sample_weight=size)
        # keras weights each output's loss tracker by the batch's static size, which its
        # compiled step does not know (the last batch may be short), so it weighs nothing:
        # each batch counts once, whatever its size.
        for tracker, i in zip(self.output_trackers, self.tracked_outputs):
            value = values[i]
            tracker.update_state(self._all_reduce(value), sample_weight=once)
        flat_y, flat_pred = tf.nest.flatten(y), tf.nest.flatten(y_pred)
        for _, metric, weighted, index in self.metrics:
            pred = flat_pred[index]
            extra = {"logits": logits_of(pred)} if getattr(metric, "accepts_logits",
                                                           False) else {}
            metric.update_state(flat_y[index], pred, sample_weight=sw if weighted else None,
                                **extra)

    # ---- the built-in steps ---------------------------------------------------------------
    def _train_replica(self, x: Any, y: Any, sw: tf.Tensor) -> None:
        batch_size = dim(sw)
        x, y, sw = slice_rows(self.replicas, x, y, sw)
        variables = self.model.trainable_variables
        with tf.GradientTape() as tape:
            loss, values, y_pred, logits_of = self._compute_loss(x, y, sw, training=True)
        grads = self._all_reduce(tape.gradient(loss, variables))
        self.optimizer.apply(grads, variables)
        self._update_metrics(loss, values, batch_size, y, y_pred, logits_of, sw)

    def _test_replica(self, x: Any, y: Any, sw: tf.Tensor) -> None:
        batch_size = dim(sw)
        x, y, sw = slice_rows(self.replicas, x, y, sw)
        loss, values, y_pred, logits_of = self._compute_loss(x, y, sw, training=False)
        self._update_metrics(loss, values, batch_size, y, y_pred, logits_of, sw)

    def builtin(self, kind: str, x: Any, y: Any, sw: tf.Tensor) -> None:
        """keras's default train (forward, loss, gradients, one update, metrics) or test
        step, on one device or in every replica."""
        step = self._train_replica if kind == "train" else self._test_replica
        if not self.distributed:
            return step(x, y, sw)
        self.strategy.run(step, args=(x, y, sw))

    # ---- a model's own steps --------------------------------------------------------------
    def prepare(self, kind: str, probe: Any, *specs: Any) -> None:
        """Before a model's own step is compiled into a chunk: traces ``probe(*specs)`` (one
        step) once on its own, so that the variables holding its logs exist before the
        chunk is traced (a variable made while tracing would make TensorFlow trace twice)."""
        if self.custom[kind] and not self._custom_logs[kind]:
            tf.function(probe, autograph=False).get_concrete_function(*specs)

    def _own_step(self, kind: str) -> Any:
        """The model's ``train_step``/``test_step`` converted by AutoGraph (as keras's
        compiled functions convert it: Python ``if``/``for`` on tensors become graph control
        flow), bound to the model. The chunks around it are compiled without AutoGraph."""
        if kind not in self._converted:
            method = getattr(type(self.model), f"{kind}_step")
            try:
                converted = tf.autograph.to_graph(method)
            except Exception:  # noqa: BLE001 - no source (e.g. exec'd): trace it as it is
                converted = method
            self._converted[kind] = functools.partial(converted, self.model)
        return self._converted[kind]

    def run(self, kind: str, x: Any, y: Any, sw: tf.Tensor, weighted: bool) -> None:
        """One step of ``kind``: the model's own ``train_step``/``test_step`` when it has
        one (given ``(x, y)``, or ``(x, y, sample_weight)`` when weights were passed), else
        the built-in step."""
        if not self.custom[kind]:
            return self.builtin(kind, x, y, sw)
        def own_step(x: Any, y: Any, sw: Any) -> Any:
            # keras passes the batch as the data holds it: x alone when there are no targets
            data = (x, y, sw) if weighted else (x, y) if y is not None else x
            with record_logits():
                return self._own_step(kind)(data)

        if self.distributed:  # in every replica, on its rows (see own_step_replicas)
            def replica(x: Any, y: Any, sw: Any) -> Any:
                return own_step(*slice_rows(self.replicas, x, y, sw))
            with summing_optimizers(self.model):  # swapped once, around all the replicas
                logs = self.strategy.run(replica, args=(x, y, sw))
        else:
            logs = own_step(x, y, sw)
        if not isinstance(logs, dict):
            raise TypeError(f"`{kind}_step` must return a dict of scalar logs, e.g. "
                            f"{{'loss': loss}}. Received: {type(logs).__name__}")
        if self.distributed:
            logs = cross_replica_logs(self.model, self.strategy, logs)
        store = self._custom_logs[kind]
        for name, value in logs.items():
            if name not in store:
                with tf.init_scope():
                    store[name] = tf.Variable(0.0, trainable=False, name=name)
            store[name].assign(tf.reshape(tf.cast(value, tf.float32), []))
