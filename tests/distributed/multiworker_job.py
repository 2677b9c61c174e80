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
    if os.environ.get("BACKUP_DIR"):  # files are written by the chief only
        folder = os.environ["BACKUP_DIR"]
        callbacks = [mk.callbacks.BackupAndRestore(os.path.join(folder, "backup"),
                                                   delete_checkpoint=False),
                     mk.callbacks.ModelCheckpoint(os.path.join(folder, "ckpt_{epoch}"),
                                                  save_weights_only=True, monitor="loss")]
    history = model.fit(x, y, batch_size=16, epochs=int(os.environ.get("EPOCHS", "3")),
                        verbose=0, callbacks=callbacks)
    np.savez(out, *model.get_weights(), loss=np.array(history.history["loss"]),
             replicas=np.array(strategy.num_replicas_in_sync))


if __name__ == "__main__":
    main(sys.argv[1])
