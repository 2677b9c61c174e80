"""Run in a subprocess: the CPU split into two logical devices before TensorFlow starts.

Trains the same model on one device and under MirroredStrategy with two replicas, and writes
both results to an .npz for the test to compare.
"""
import sys

import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])

import minikeras as mk  # noqa: E402

OPTIMIZERS = {
    "sgd": lambda: mk.optimizers.SGD(0.1),
    "momentum": lambda: mk.optimizers.SGD(0.1, momentum=0.9),
    "nesterov": lambda: mk.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "adam": lambda: mk.optimizers.Adam(0.01, amsgrad=True),
    "adamw": lambda: mk.optimizers.AdamW(0.01, global_clipnorm=1.0),
    "rmsprop": lambda: mk.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "adagrad": lambda: mk.optimizers.Adagrad(0.1),
    "adam_plain": lambda: mk.optimizers.Adam(0.01),
    "schedule_clipnorm": lambda: mk.optimizers.SGD(
        mk.optimizers.schedules.ExponentialDecay(0.1, decay_steps=5, decay_rate=0.5),
        momentum=0.9, clipnorm=0.5),
}


def run(strategy, optimizer_name, n, spe, start):
    x = np.random.default_rng(0).normal(size=(n, 3)).astype(np.float32)
    y = np.digitize(x[:, 0] - x[:, 1], [-0.7, 0.7]).astype(np.float32)
    sample_weight = np.linspace(0.5, 1.5, n).astype(np.float32)
    mk.utils.set_random_seed(1)  # the same shuffle orders for both runs
    with strategy.scope():
        model = mk.Sequential([mk.Input(shape=(3,)), mk.layers.Dense(6, activation="tanh",
                               kernel_regularizer="l2"),
                               mk.layers.Dense(3, activation="softmax")])
        if start is not None:
            model.set_weights(start)
        model.compile(optimizer=OPTIMIZERS[optimizer_name](),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      steps_per_execution=spe)
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=True, verbose=0,
                        sample_weight=sample_weight, validation_data=(x[:21], y[:21]))
    if strategy.num_replicas_in_sync > 1:  # weights, slots and step count are mirrored
        for var in list(model.weights) + list(model.optimizer.variables):
            assert isinstance(var, tf.distribute.DistributedValues), var.name
    return (model, history.history, model.evaluate(x, y, batch_size=16, verbose=0),
            model.predict(x, batch_size=16, verbose=0))


def main(out: str, n: int, spe, names: list[str]) -> None:
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    assert len(devices) == 2, devices
    mk.utils.set_random_seed(0)
    start = mk.Sequential([mk.Input(shape=(3,)), mk.layers.Dense(6),
                           mk.layers.Dense(3)]).get_weights()
    results = {}
    for name in names:
        one, h1, e1, p1 = run(tf.distribute.get_strategy(), name, n, spe, start)
        two, h2, e2, p2 = run(tf.distribute.MirroredStrategy(devices), name, n, spe, start)
        for tag, model, history, evaluation, prediction in (("1", one, h1, e1, p1),
                                                            ("2", two, h2, e2, p2)):
            results.update({f"{name}/w{tag}/{i}": w for i, w in enumerate(model.get_weights())})
            results.update({f"{name}/h{tag}/{k}": np.array(v) for k, v in history.items()})
            results[f"{name}/e{tag}"], results[f"{name}/p{tag}"] = np.array(evaluation), prediction
        for var in two.weights:  # the replicas hold identical copies
            copies = [v.numpy() for v in var.values]
            assert all(np.array_equal(copies[0], c) for c in copies[1:]), var.name
    np.savez(out, **results)


if __name__ == "__main__":
    steps = sys.argv[3]
    names = sys.argv[4].split(",") if len(sys.argv) > 4 else list(OPTIMIZERS)
    main(sys.argv[1], int(sys.argv[2]), steps if steps == "auto" else int(steps), names)
