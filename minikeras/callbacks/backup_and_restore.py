"""BackupAndRestore: resume a killed training run exactly where its last backup left it."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from typing import Any

import tensorflow as tf

from minikeras.callbacks.callback import Callback
from minikeras.engine.state import ResumePoint
from minikeras.saving import tempfiles
from minikeras.utils.distribution import is_chief

# Leftovers of a killed `tf.train.CheckpointManager.save`: the shards are written to
# "<prefix>_temp/" and merged, the state file via "checkpoint.tmp<uuid hex>" and a rename.
_TF_TEMP_DIR = re.compile(r"^ckpt-\d+_temp$")
_TF_TEMP_FILE = re.compile(r"^checkpoint\.tmp[0-9a-f]{32}$")
_LOCK_NAME = ".minikeras-backup.lock"


class BackupAndRestore(Callback):
    """Backs up training state so that rerunning a killed script resumes it bit for bit.

    A backup holds the weights, the optimizer state, the random-generator states (shuffling
    and Dropout), the running metric states, the epoch and step, and the current epoch's
    sample order. When the same script runs again, `fit` restores it in ``on_train_begin``
    and continues from there; the final weights are bitwise equal to an uninterrupted run
    (keras does not restore random state, so its resumed runs differ). Backups are written
    with `tf.train.CheckpointManager`, which replaces the previous one only once the new one
    is complete.

    Args:
      backup_dir: Folder for the backup (created if needed).
      save_freq: "epoch" (default) to back up at the end of every epoch, or an integer N to
        back up every N batches of each epoch as well, counted from the epoch's start (keras
        counts across epochs). Mid-epoch resume needs in-memory array data.
      double_checkpoint: Keep the previous backup too, and restore it when the latest one
        cannot be read. Default False.
      delete_checkpoint: Delete the backup when fit ends normally. Default True. It is kept
        when training is interrupted with Ctrl-C.

    Under a multi-worker strategy the chief writes the backup and every worker restores it
    (the folder must be shared); the others save to scratch folders they delete.

    While fit runs, the writer holds a lock on ``backup_dir/.minikeras-backup.lock``. When it
    gets the lock, no live process writes there, so the temporary files a killed backup left
    (TensorFlow's ``ckpt-N_temp/`` folders and ``checkpoint.tmp<hex>`` files) are removed.
    """

    def __init__(self, backup_dir: str, save_freq: str | int = "epoch",
                 double_checkpoint: bool = False, delete_checkpoint: bool = True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if not isinstance(backup_dir, (str, os.PathLike)):
            raise ValueError(f"Expected `backup_dir` to be a folder path. Received: {backup_dir!r}")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq <= 0):
            raise ValueError("Invalid value for argument `save_freq`. Received: "
                             f"save_freq={save_freq!r}. Expected either 'epoch' or an integer "
                             "value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = bool(double_checkpoint)
        self.delete_checkpoint = bool(delete_checkpoint)
        self._manager: tf.train.CheckpointManager | None = None
        self._last_saved_step = 0

    # An int save_freq only needs the end of each compiled call, not of every batch.
    needs_batch_hooks = False

    def _checkpoint(self) -> tf.train.Checkpoint:
        model, state = self.model, self.model.training_state
        from minikeras.saving import random_generators
        _ = state.shuffle_generator  # made now, so its state is part of every backup
        shuffle, dropout = random_generators(model)
        metric_vars = [v for metric in model.metrics for v in metric.variables]
        self._epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
        self._step = tf.Variable(0, dtype=tf.int64, trainable=False)
        self._order = tf.Variable(tf.zeros([0], tf.int32), shape=tf.TensorShape(None),
                                  trainable=False)
        return tf.train.Checkpoint(
            weights=list(model.weights), optimizer=list(model.optimizer.variables),
            rng=[g.state for g in [shuffle] + dropout], metrics=metric_vars,
            epoch=self._epoch, step=self._step, order=self._order)

    def _lock_and_clean(self) -> None:
        """Takes the folder's lock (kept until fit ends) and removes killed backups' leftovers.

        Without lock support (Windows, some network file systems) nothing is removed.
        """
        self._lock_fd = None
        if tempfiles.fcntl is None:
            return
        os.makedirs(self.backup_dir, exist_ok=True)
        fd = os.open(os.path.join(self.backup_dir, _LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o666)
        try:
            tempfiles.fcntl.flock(fd, tempfiles.fcntl.LOCK_EX | tempfiles.fcntl.LOCK_NB)
        except OSError:  # held by a live run (or locks unsupported): leave everything alone
            os.close(fd)
            return
        self._lock_fd = fd
        for name in os.listdir(self.backup_dir):
            path = os.path.join(self.backup_dir, name)
            if _TF_TEMP_DIR.match(name) and os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            elif _TF_TEMP_FILE.match(name) and os.path.isfile(path) and \
                    not os.path.islink(path):
                try:
                    os.unlink(path)
                except OSError:
                    pass
        tempfiles.remove_stale(self.backup_dir)

    def _unlock(self) -> None:
        if getattr(self, "_lock_fd", None) is not None:
            os.close(self._lock_fd)  # closing releases the lock
            self._lock_fd = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.model.optimizer.build(self.model.trainable_variables)
        self._unlock()  # a previous fit that raised before on_train_end
        if is_chief(getattr(self.model, "distribute_strategy", None)):
            self._lock_and_clean()
        checkpoint = self._checkpoint()
        keep = 2 if self.double_checkpoint else 1
        self._manager = tf.train.CheckpointManager(checkpoint, self.backup_dir,
                                                   max_to_keep=keep)
        # Saving reads synchronized variables with collective ops, so every worker must save;
        # non-chief workers write to a scratch folder of their own that is deleted at the end.
        self._scratch = None
        self._writer = self._manager
        if not is_chief(getattr(self.model, "distribute_strategy", None)):
            self._scratch = tempfile.mkdtemp(prefix="minikeras_backup_")
            self._writer = tf.train.CheckpointManager(checkpoint, self._scratch, max_to_keep=1)
        backups = list(reversed(self._manager.checkpoints))
        if not backups:
            return
        for i, path in enumerate(backups):
            try:
                checkpoint.restore(path).assert_existing_objects_matched()
                break
            except (tf.errors.OpError, ValueError, AssertionError):
                if i == len(backups) - 1:  # no older backup to fall back on
                    raise
        epoch, step = int(self._epoch.numpy()), int(self._step.numpy())
        order = self._order.read_value() if step > 0 else None
        self.model.training_state.resume = ResumePoint(epoch=epoch, step=step, order=order)

    def _save(self, epoch: int, step: int, order: Any) -> None:
        self._epoch.assign(epoch)
        self._step.assign(step)
        self._order.assign(order if order is not None else tf.zeros([0], tf.int32))
        self._writer.save()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            return
        state = self.model.training_state
        total, order = state.steps_per_epoch, state.order
        if order is None or (total is not None and state.step >= total):
            return  # the end of the epoch is backed up in on_epoch_end
        if state.step // self.save_freq > self._last_saved_step // self.save_freq:
            self._save(state.epoch, state.step, order)
        self._last_saved_step = state.step

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._last_saved_step = self.model.training_state.step

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._save(epoch + 1, 0, None)

    def on_train_end(self, logs: dict | None = None) -> None:
        self._unlock()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
        if self.delete_checkpoint and not self.model.training_state.interrupted and \
                is_chief(getattr(self.model, "distribute_strategy", None)):
            shutil.rmtree(self.backup_dir, ignore_errors=True)
