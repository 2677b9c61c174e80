"""TensorBoard: write losses, metrics, the learning rate, weight histograms and images, the
embeddings projector's config and a profile, as tf.summary records."""
from __future__ import annotations

import logging
import os
import time
from typing import Any

import tensorflow as tf

from minikeras._validation import non_negative_int
from minikeras.callbacks.callback import Callback
from minikeras.callbacks.monitor import learning_rate_value
from minikeras.callbacks.tensorboard_records import (
    projector_config,
    weight_as_image,
    write_histogram,
    write_image,
    write_scalar,
)
from minikeras.layers.embedding import Embedding

# keras's checkpoint name for the embeddings (it writes the same name for every Embedding).
_EMBEDDING_TENSOR = "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"


def _profile_range(profile_batch: Any) -> tuple[int, int]:
    """keras's ``profile_batch``: an int, "start,stop", or a pair; 0 for no profiling."""
    message = ("profile_batch must be a non-negative integer or 2-tuple of positive integers. "
               "A pair of positive integers signifies a range of batches to profile. "
               f"Found: {profile_batch}")
    value = profile_batch
    if isinstance(value, str):
        try:
            value = [int(v) for v in value.split(",")]
        except ValueError:
            raise ValueError(message) from None
        value = value[0] if len(value) == 1 else value
    if isinstance(value, int) and not isinstance(value, bool):
        start = stop = value
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        start, stop = value
    else:
        raise ValueError(message)
    if start < 0 or stop < start:
        raise ValueError(message)
    return start, stop


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
    * with ``histogram_freq`` N: ``<layer>/<weight>/histogram`` every N epochs, and with
      ``write_images`` ``<layer>/<weight>/image`` (as keras: biases, kernels and 2-D filter
      slices of convolution kernels);
    * with ``embeddings_freq`` N: ``projector_config.pbtxt`` for the Embedding layers (keras's
      text) when training starts, and the weights as ``train/keras_embedding.ckpt-<epoch>
      .weights.h5`` every N epochs;
    * with ``profile_batch``: a TensorFlow profile of those batches under ``train/plugins/
      profile`` and their traced graphs as ``batch_<stop>``;
    * with a batch ``update_freq``, the train (or validation) writer is the default writer
      while the model runs, so summaries written inside a layer's ``call`` are recorded too.

    ``update_freq="epoch"`` (default) leaves the fit loop free to run many steps per compiled
    call; a batch frequency (or profiling, until the profiled batches are done) makes it run one
    step per call so every batch can be logged.

    Args:
      log_dir: Directory for the event files. Default "logs".
      histogram_freq: Epochs between weight histograms; 0 (default) for none.
      write_graph: Accepted for keras compatibility; no graph is written (keras 3 documents
        it as not supported either).
      write_images: Also log the weights as images with the histograms. Default False.
      write_steps_per_second: Also log ``steps_per_second`` (per epoch, and per batch with a
        batch ``update_freq``). Default False.
      update_freq: "epoch" (default), "batch", or an integer number of batches.
      profile_batch: Batch to profile (counted from 1 over the whole fit), a pair
        ``(start, stop)`` or the string "start,stop"; 0 (default) for none.
      embeddings_freq: Epochs between embedding saves; 0 (default) for none.
      embeddings_metadata: A metadata file name for every Embedding layer, or a dict from
        Embedding layer name to its file.

    Example:
      >>> import os
      >>> import numpy as np
      >>> import minikeras as keras
      >>> from minikeras.callbacks import TensorBoard
      >>> x = np.linspace(-1, 1, 64, dtype="float32").reshape(32, 2)
      >>> y = x.sum(axis=1, keepdims=True)
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer="sgd", loss="mse")
      >>> history = model.fit(x, y, epochs=2, validation_split=0.2, verbose=0,
      ...                     callbacks=[TensorBoard(log_dir="logs/run1")])
      >>> sorted(os.listdir("logs/run1"))
      ['train', 'validation']
    """

    def __init__(self, log_dir: str | os.PathLike = "logs", histogram_freq: int = 0,
                 write_graph: bool = True, write_images: bool = False,
                 write_steps_per_second: bool = False, update_freq: int | str = "epoch",
                 profile_batch: Any = 0, embeddings_freq: int = 0,
                 embeddings_metadata: str | dict | None = None):
        super().__init__()
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch":
            if isinstance(update_freq, bool) or not isinstance(update_freq, int) or \
                    update_freq < 1:
                raise ValueError("Expected `update_freq` to be 'epoch', 'batch' or a positive "
                                 f"integer. Received: update_freq={update_freq!r}")
        if embeddings_metadata is not None and not isinstance(embeddings_metadata, (str, dict)):
            raise ValueError("Expected `embeddings_metadata` to be None, a file name or a dict "
                             "from Embedding layer name to file name. Received: "
                             f"embeddings_metadata={embeddings_metadata!r}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = non_negative_int(histogram_freq, "histogram_freq")
        self.write_graph = write_graph
        self.write_images = bool(write_images)
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq
        self.embeddings_freq = non_negative_int(embeddings_freq, "embeddings_freq")
        self.embeddings_metadata = embeddings_metadata
        self._start_batch, self._stop_batch = _profile_range(profile_batch)
        self._should_trace = not (self._start_batch == 0 and self._stop_batch == 0)
        self._is_tracing = self._profiler_started = False
        self._writers: dict[str, tf.summary.SummaryWriter] = {}
        self._pushed: list[tuple[Any, Any]] = []
        self._global_train_batch = self._global_test_batch = 0
        self._last_batch = -1
        self._epoch_start = self._batch_time = 0.0
        self._epoch_start_iterations = 0

    @property
    def needs_batch_hooks(self) -> bool:
        profiling = self._should_trace and self._global_train_batch < self._stop_batch
        return self.update_freq != "epoch" or profiling

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        self._writers = {}
        if self.embeddings_freq:
            self._configure_embeddings()

    def _writer(self, kind: str) -> tf.summary.SummaryWriter:
        if kind not in self._writers:
            self._writers[kind] = tf.summary.create_file_writer(os.path.join(self.log_dir, kind))
        return self._writers[kind]

    def _write(self, kind: str, values: dict, step: int, flush: bool = True) -> None:
        writer = self._writer(kind)
        # record_if(True): the callback decides itself what to write (a pushed writer's
        # condition is for the model's own summaries)
        with writer.as_default(), tf.summary.record_if(True):
            for name, value in values.items():
                write_scalar(name, value, step)
        if flush:  # epoch-level records reach the disk at once (TensorBoard shows them live)
            writer.flush()

    def _push_writer(self, kind: str, step: int) -> None:
        """Makes ``kind``'s writer the default (for summaries in the model's own code), as
        keras does with a batch ``update_freq``; recording every ``update_freq`` steps."""
        if self.update_freq == "epoch":
            return
        freq = self.update_freq
        contexts = (self._writer(kind).as_default(step),
                    tf.summary.record_if(lambda: step % freq == 0))
        for context in contexts:
            context.__enter__()
        self._pushed.append(contexts)

    def _pop_writer(self) -> None:
        if self._pushed:
            writer_context, record_context = self._pushed.pop()
            record_context.__exit__(None, None, None)
            writer_context.__exit__(None, None, None)

    def _close_writers(self) -> None:
        while self._pushed:
            self._pop_writer()
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _iterations(self) -> int:
        iterations = getattr(getattr(self.model, "optimizer", None), "iterations", None)
        return 0 if iterations is None else int(iterations.numpy())

    # ---- hooks -----------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._push_writer("train", 0)

    def on_train_end(self, logs=None):
        self._pop_writer()
        if self._is_tracing:
            self._stop_trace()
        self._close_writers()

    def on_test_begin(self, logs=None):
        self._push_writer("validation", self._global_test_batch)

    def on_epoch_begin(self, epoch, logs=None):
        self._last_batch = -1
        self._epoch_start = self._batch_time = time.perf_counter()
        self._epoch_start_iterations = self._iterations()

    def on_train_batch_begin(self, batch, logs=None):
        if self.update_freq != "epoch":
            self._pop_writer()
            self._push_writer("train", self._global_train_batch + 1)
        if self._should_trace and self._global_train_batch + 1 == self._start_batch:
            self._start_trace()

    def on_test_batch_begin(self, batch, logs=None):
        self._global_test_batch += 1
        if self.update_freq != "epoch":
            self._pop_writer()
            self._push_writer("validation", self._global_test_batch)

    def on_train_batch_end(self, batch, logs=None):
        # One call may cover several steps (steps_per_execution): count them all.
        seen_before = self._global_train_batch
        self._global_train_batch += batch - self._last_batch
        steps = batch - self._last_batch
        self._last_batch = batch
        if self._is_tracing and self._global_train_batch >= self._stop_batch:
            self._stop_trace()
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
        if getattr(getattr(self.model, "optimizer", None), "iterations", None) is not None:
            self._write("validation", {f"evaluation_{k}_vs_iterations": v
                                       for k, v in (logs or {}).items()}, self._iterations())
        self._pop_writer()

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
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self.model.save_weights(os.path.join(
                self.log_dir, "train", f"keras_embedding.ckpt-{epoch}.weights.h5"))

    def _log_weights(self, epoch: int) -> None:
        with self._writer("train").as_default(), tf.summary.record_if(True):
            for layer in getattr(self.model, "layers", []):
                for weight in layer.weights:
                    name = f"{layer.name}/{weight.name.split(':')[0]}"
                    write_histogram(f"{name}/histogram", weight.numpy(), epoch)
                    image = weight_as_image(weight.numpy()) if self.write_images else None
                    if image is not None:
                        write_image(f"{name}/image", image, epoch)
        self._writer("train").flush()

    # ---- embeddings and profiling ------------------------------------------------------------
    def _configure_embeddings(self) -> None:
        """Writes the projector's config for the model's Embedding layers (keras's text)."""
        metadata = self.embeddings_metadata
        unclaimed = dict(metadata) if isinstance(metadata, dict) else {}
        entries = []
        for layer in getattr(self.model, "layers", []):
            if isinstance(layer, Embedding):
                path = metadata if isinstance(metadata, str) else unclaimed.pop(layer.name, None)
                entries.append((_EMBEDDING_TENSOR, path))
        if unclaimed:
            raise ValueError("Unrecognized `Embedding` layer names passed to "
                             "`keras.callbacks.TensorBoard` `embeddings_metadata` argument: "
                             f"{unclaimed.keys()}")
        os.makedirs(self.log_dir, exist_ok=True)
        with open(os.path.join(self.log_dir, "projector_config.pbtxt"), "w") as f:
            f.write(projector_config(entries))

    def _start_trace(self) -> None:
        tf.summary.trace_on(graph=True, profiler=False)
        try:
            tf.profiler.experimental.start(os.path.join(self.log_dir, "train"))
            self._profiler_started = True
        except Exception as error:  # noqa: BLE001 - as keras: profiling never stops training
            logging.getLogger("minikeras").error("Failed to start profiler: %s", error)
        self._is_tracing = True

    def _stop_trace(self) -> None:
        with self._writer("train").as_default(), tf.summary.record_if(True):
            tf.summary.trace_export(name=f"batch_{self._stop_batch}", step=self._stop_batch)
        if self._profiler_started:
            try:
                tf.profiler.experimental.stop()
            except Exception as error:  # noqa: BLE001
                logging.getLogger("minikeras").error("Failed to stop profiler: %s", error)
            self._profiler_started = False
        self._is_tracing = False
