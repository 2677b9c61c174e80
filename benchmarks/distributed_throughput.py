"""Training throughput on one device and on the CPU split into two logical devices.

    .venv/bin/python benchmarks/distributed_throughput.py

Runs each setting in a fresh subprocess (the CPU can only be split before TensorFlow starts)
and prints samples per second for a 784-128-10 MLP, 20,000 samples, batch 256, 2 epochs
(the first is a warm-up). On a CPU the two "devices" share the same cores, so mirroring adds
all-reduce work and gains nothing; the point is to show the cost, not a speed-up.
"""
import json
import subprocess
import sys

CHILD = r'''
import json, sys, time
import numpy as np
import tensorflow as tf
replicas = int(sys.argv[1])
if replicas > 1:
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(replicas)])
import minikeras as mk
devices = [d.name for d in tf.config.list_logical_devices("CPU")]
strategy = tf.distribute.MirroredStrategy(devices) if replicas > 1 else tf.distribute.get_strategy()
rng = np.random.default_rng(0)
x = rng.normal(size=(20000, 784)).astype("float32")
y = rng.integers(0, 10, 20000).astype("float32")
with strategy.scope():
    model = mk.Sequential([mk.Input(shape=(784,)), mk.layers.Dense(128, activation="relu"),
                           mk.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=mk.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
                  loss="sparse_categorical_crossentropy")
model.fit(x, y, batch_size=256, epochs=1, verbose=0)
start = time.perf_counter()
model.fit(x, y, batch_size=256, epochs=1, verbose=0)
print(json.dumps({"replicas": replicas, "samples_per_s": len(x) / (time.perf_counter() - start)}))
'''


def main() -> None:
    rows = []
    for replicas in (1, 2):
        out = subprocess.run([sys.executable, "-c", CHILD, str(replicas)], capture_output=True,
                             text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    base = rows[0]["samples_per_s"]
    print("| logical CPU devices | samples/s | vs one device |")
    print("| --- | --- | --- |")
    for row in rows:
        print(f"| {row['replicas']} | {row['samples_per_s']:,.0f} | {row['samples_per_s'] / base:.2f}x |")


if __name__ == "__main__":
    main()
