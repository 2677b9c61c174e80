"""TensorBoard: write losses, metrics, the learning rate and weight histograms as tf.summary."""
from __future__ import annotations

import os
import time

import numpy as np
import tensorflow as tf

from minikeras._validation import non_negative_int
from minikeras.callbacks.callback import Callback
from minikeras.callbacks.monitor import learning_rate_value

HISTOGRAM_BUCKETS = 30  # TensorBoard's default bucket count


def _plugin_metadata(plugin: str) -> tf.compat.v1.SummaryMetadata:
    """Marks a summary for TensorBoard's ``scalars`` or ``histograms`` dashboard."""
    metadata = tf.compat.v1.SummaryMetadata()
    metadata.plugin_data.plugin_name = plugin  # content: the plugin's version-0 proto, empty
    return metadata


def write_scalar(name: str, value: float, step: int) -> None:
    """The record `tf.summary.scalar` writes (a float32 tensor), without needing the tensorboard
    package, which TensorFlow no longer installs."""
    tf.summary.write(tag=name, tensor=tf.constant(float(value), tf.float32), step=step,
                     metadata=_plugin_metadata("scalars"))


def write_histogram(name: str, values, step: int) -> None:
    """The record `tf.summary.histogram` writes: rows of (left edge, right edge, count)."""
    counts, edges = np.histogram(np.asarray(values, np.float64).ravel(), bins=HISTOGRAM_BUCKETS)
    table = np.stack([edges[:-1], edges[1:], counts.astype(np.float64)], axis=1)
    tf.summary.write(tag=name, tensor=tf.constant(table, tf.float64), step=step,
                     metadata=_plugin_metadata("histograms"))


class TensorBoard(Callback):
    """Logs training for TensorBoard, with keras's directories and tag names.

    Written to ``log_dir/train`` and ``log_dir/validation`` as `tf.summary` records (view with
    ``tensorboard --logdir log_dir``; the tensorboard package is needed only for viewing):

    * every epoch (step = epoch index): ``epoch_<name>`` for each training log and the
      learning rate (``epoch_loss``, ``epoch_accuracy``, ``epoch_learning_rate``) under
      ``train/``, and each ``val_<name>`` as ``epoch_<name>`` under ``validation/``;
    * after each validation or evaluate: ``evaluation_<name>_vs_iterations`` under
      ``validation/`` (step = optimizer iterations);
    * with ``update_freq`` an integer N (or "batch" = 1): ``batch_<name>`` under ``train/``
      every N batches (step = batches seen in this fit). The values are the running means of
      the epoch so far, as keras logs them;
    * with ``histogram_freq`` N: ``<layer>/<weight>/histogram`` every N epochs.

    ``update_freq="epoch"`` (default) leaves the fit loop free to run many steps per compiled
    call; a batch frequency makes it run one step per call so every batch can be logged.

    Args:
      log_dir: Directory for the event files. Default "logs".
      histogram_freq: Epochs between weight histograms; 0 (default) for none.
      write_graph: Accepted for keras compatibility; no graph is written (keras 3 documents
        it as not supported either).
      write_images, profile_batch, embeddings_freq, embeddings_metadata: Not supported; must
        keep their defaults (False, 0, 0, None).
      write_steps_per_second: Also log ``steps_per_second`` (per epoch, and per batch with a
        batch ``update_freq``). Default False.
      update_freq: "epoch" (default), "batch", or an integer number of batches.

    Example:
      >>> model.fit(x, y, epochs=10, validation_split=0.2,
      ...           callbacks=[TensorBoard(log_dir="logs/run1")])
    """

    def __init__(self, log_dir: str | os.PathLike = "logs", histogram_freq: int = 0,
                 write_graph: bool = True, write_images: bool = False,
                 write_steps_per_second: bool = False, update_freq: int | str = "epoch",
                 profile_batch: int = 0, embeddings_freq: int = 0,
                 embeddings_metadata: dict | None = None):
        super().__init__()
        for arg, value, default in (("write_images", write_images, False),
                                    ("profile_batch", profile_batch, 0),
                                    ("embeddings_freq", embeddings_freq, 0),
                                    ("embeddings_metadata", embeddings_metadata, None)):
            if value != default:
                raise ValueError(f"minikeras's TensorBoard does not support `{arg}`; leave it "
                                 f"at {default!r}. Received: {arg}={value!r}")
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch":
            if isinstance(update_freq, bool) or not isinstance(update_freq, int) or \
                    update_freq < 1:
                raise ValueError("Expected `update_freq` to be 'epoch', 'batch' or a positive "
                                 f"integer. Received: update_freq={update_freq!r}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = non_negative_int(histogram_freq, "histogram_freq")
        self.write_graph = write_graph
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq
        self._writers: dict[str, tf.summary.SummaryWriter] = {}
        self._global_train_batch = 0
        self._last_batch = -1
        self._epoch_start = self._batch_time = 0.0
        self._epoch_start_iterations = 0

    @property
    def needs_batch_hooks(self) -> bool:
        return self.update_freq != "epoch"

    def _writer(self, kind: str) -> tf.summary.SummaryWriter:
        if kind not in self._writers:
            self._writers[kind] = tf.summary.create_file_writer(os.path.join(self.log_dir, kind))
        return self._writers[kind]

    def _write(self, kind: str, values: dict, step: int, flush: bool = True) -> None:
        writer = self._writer(kind)
        with writer.as_default():
            for name, value in values.items():
                write_scalar(name, value, step)
        if flush:  # epoch-level records reach the disk at once (TensorBoard shows them live)
            writer.flush()

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _iterations(self) -> int:
        iterations = getattr(getattr(self.model, "optimizer", None), "iterations", None)
        return 0 if iterations is None else int(iterations.numpy())

    # ---- hooks -----------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0

    def on_train_end(self, logs=None):
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        self._last_batch = -1
        self._epoch_start = self._batch_time = time.perf_counter()
        self._epoch_start_iterations = self._iterations()

    def on_train_batch_end(self, batch, logs=None):
        # One call may cover several steps (steps_per_execution): count them all.
        seen_before = self._global_train_batch
        self._global_train_batch += batch - self._last_batch
        steps = batch - self._last_batch
        self._last_batch = batch
        if self.update_freq == "epoch":
            return
        if seen_before // self.update_freq == self._global_train_batch // self.update_freq:
            return
        values = {f"batch_{k}": v for k, v in (logs or {}).items()}
        if self.write_steps_per_second:
            now = time.perf_counter()
            values["batch_steps_per_second"] = steps / max(now - self._batch_time, 1e-9)
            self._batch_time = now
        self._write("train", values, self._global_train_batch, flush=False)

    def on_test_end(self, logs=None):
        if getattr(getattr(self.model, "optimizer", None), "iterations", None) is None:
            return
        self._write("validation", {f"evaluation_{k}_vs_iterations": v
                                   for k, v in (logs or {}).items()}, self._iterations())

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        if logs and getattr(self.model, "optimizer", None) is not None:
            train["learning_rate"] = learning_rate_value(self.model.optimizer)
        if logs and self.write_steps_per_second:
            took = max(time.perf_counter() - self._epoch_start, 1e-9)
            train["steps_per_second"] = (self._iterations() - self._epoch_start_iterations) / took
        if train:
            self._write("train", {f"epoch_{k}": v for k, v in train.items()}, epoch)
        if val:
            self._write("validation", {f"epoch_{k}": v for k, v in val.items()}, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)

    def _log_weights(self, epoch: int) -> None:
        with self._writer("train").as_default():
            for layer in getattr(self.model, "layers", []):
                for weight in layer.weights:
                    name = weight.name.split(":")[0]
                    write_histogram(f"{layer.name}/{name}/histogram", weight.numpy(), epoch)
        self._writer("train").flush()
