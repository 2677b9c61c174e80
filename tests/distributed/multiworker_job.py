"""One worker of a two-process MultiWorkerMirroredStrategy run (TF_CONFIG set by the test).

With no TF_CONFIG it runs the same training on one device, for comparison.
"""
import os
import sys

import numpy as np
import tensorflow as tf

import minikeras as mk


def main(out: str) -> None:
    strategy = (tf.distribute.MultiWorkerMirroredStrategy() if "TF_CONFIG" in os.environ
                else tf.distribute.get_strategy())
    mk.utils.set_random_seed(0)  # the same initial weights and shuffle orders on every worker
    x = np.random.default_rng(0).normal(size=(67, 3)).astype(np.float32)
    y = np.digitize(x[:, 0] - x[:, 1], [-0.7, 0.7]).astype(np.float32)
    with strategy.scope():
        model = mk.Sequential([mk.Input(shape=(3,)), mk.layers.Dense(6, activation="tanh"),
                               mk.layers.Dense(3, activation="softmax")])
        model.compile(optimizer=mk.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    callbacks = []
    shared_writes = []  # what this process wrote into the shared folder
    if os.environ.get("BACKUP_DIR"):  # files are written by the chief only
        folder = os.environ["BACKUP_DIR"]
        count_writes(model, folder, shared_writes)
        callbacks = [mk.callbacks.BackupAndRestore(os.path.join(folder, "backup"),
                                                   delete_checkpoint=False),
                     mk.callbacks.ModelCheckpoint(os.path.join(folder, "ckpt_{epoch}"),
                                                  save_weights_only=True, monitor="loss")]
    history = model.fit(x, y, batch_size=16, epochs=int(os.environ.get("EPOCHS", "3")),
                        verbose=0, callbacks=callbacks)
    np.savez(out, *model.get_weights(), loss=np.array(history.history["loss"]),
             replicas=np.array(strategy.num_replicas_in_sync),
             shared_writes=np.array(len(shared_writes)))


def count_writes(model, folder: str, log: list) -> None:
    """Records every save into ``folder`` by this process (weights files and checkpoints)."""
    real_save_weights = model.save_weights
    real_manager_save = tf.train.CheckpointManager.save

    def save_weights(path, *args, **kwargs):
        if os.path.abspath(path).startswith(os.path.abspath(folder)):
            log.append(path)
        return real_save_weights(path, *args, **kwargs)

    def manager_save(self, *args, **kwargs):
        path = real_manager_save(self, *args, **kwargs)
        if path and os.path.abspath(path).startswith(os.path.abspath(folder)):
            log.append(path)
        return path
    model.save_weights = save_weights
    tf.train.CheckpointManager.save = manager_save


if __name__ == "__main__":
    main(sys.argv[1])
