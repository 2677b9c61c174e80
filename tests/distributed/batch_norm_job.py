"""Run in a subprocess: BatchNormalization under MirroredStrategy (two logical CPUs), keras or
minikeras (``lib``) from the same weights, ``synchronized`` or not; writes the results to an
.npz. One library and one strategy per process: a second framework's MirroredStrategy in the
same process collides with the first one's collective instance keys."""
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])

import keras  # noqa: E402

import minikeras as mk  # noqa: E402


def model(lib, synchronized):
    return lib.Sequential([lib.Input((3,)), lib.layers.Dense(5, activation="tanh"),
                           lib.layers.BatchNormalization(momentum=0.9,
                                                         synchronized=synchronized),
                           lib.layers.Dense(1)])


def main(out: str, name: str, sync: bool) -> None:
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    assert len(devices) == 2, devices
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(64, 3)) * 2 + 1).astype(np.float32)
    y = (x @ np.array([[0.5], [-1.0], [2.0]], np.float32)).astype(np.float32)
    keras.utils.set_random_seed(0)
    start = model(keras, False).get_weights()
    lib = {"keras": keras, "mk": mk}[name]
    strategy = tf.distribute.MirroredStrategy(devices) if sync != "one" else \
        tf.distribute.get_strategy()
    with strategy.scope():
        m = model(lib, sync == "sync")
        m.set_weights(start)
        m.compile(optimizer=lib.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    history = m.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    results = {f"w/{i}": w for i, w in enumerate(m.get_weights())}
    bn = m.layers[1]
    for stat in ("moving_mean", "moving_variance"):
        var = getattr(bn, stat)
        var = var.value if lib is keras else var  # a keras Variable wraps the tf.Variable
        results[f"replica_{stat}"] = np.array([v.numpy() for v in getattr(var, "values",
                                                                           [var])])
    results["loss"] = np.array(history.history["loss"])
    results["pred"] = m.predict(x, batch_size=16, verbose=0)
    np.savez(out, **results)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
