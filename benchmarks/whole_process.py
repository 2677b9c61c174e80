"""Whole process: `python script.py` on the lecture-size job, minikeras against keras.

    .venv/bin/python benchmarks/whole_process.py              # 5 runs of each, alternating
    .venv/bin/python benchmarks/whole_process.py --runs 7

The job is what a person runs and waits for: 400x2 points, 2-8-8-1 tanh/tanh/sigmoid, binary
crossentropy, SGD(0.1, momentum 0.9, Nesterov), batch 16, 200 epochs, validation_split=0.2,
then evaluate and predict on 5 samples. The same script runs with ``import minikeras as keras``
and with ``import keras``, each as a fresh subprocess, alternating (mk, keras, mk, keras, ...)
so that load from other processes hits both alike. Wall time is measured around the
subprocess; CPU time is the child's user + system time (``RUSAGE_CHILDREN``). The script also
times ``import tensorflow`` on its own twice: as TensorFlow does it (it loads keras as well:
keras's floor) and as minikeras does it (without keras, the collector paused and the import's
objects frozen, see minikeras/_tensorflow.py: minikeras's floor).
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

SCRIPT = '''
import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
{import_line}

x = np.random.default_rng(0).normal(size=(400, 2)).astype("float32")
y = (x[:, 0] * x[:, 1] > 0).astype("float32")
keras.utils.set_random_seed(0)
model = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(8, activation="tanh"),
    keras.layers.Dense(8, activation="tanh"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
              loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x, y, batch_size=16, epochs=200, validation_split=0.2, verbose=0)
loss, acc = model.evaluate(x, y, verbose=0)
model.predict(x[:5], verbose=0)
print(f"accuracy {{acc:.3f}}")
'''

LIBRARIES = {
    "minikeras": "import minikeras as keras",
    "keras": "import keras",
    "import tensorflow only": None,
    "import tensorflow as minikeras does": None,
}

# The two floors: `import tensorflow` as TensorFlow does it (which loads keras too: keras's
# floor), and as minikeras does it (minikeras/_tensorflow.py, run on its own: minikeras's).
TF_IMPORT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "minikeras", "_tensorflow.py")
FLOORS = {
    "import tensorflow only": "import tensorflow\n",
    "import tensorflow as minikeras does": (
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('tf_import', {TF_IMPORT!r})\n"
        "tf_import = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(tf_import)\n"
        "with tf_import.collector_paused():\n"
        "    tf_import.import_tensorflow()\n"
        "import sys\nassert 'tensorflow' in sys.modules and 'keras' not in sys.modules\n"),
}


def run_once(path: str) -> tuple[float, float, str]:
    """Runs ``python path``; returns (wall s, child CPU s, last line of output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, path], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{path} failed:\n{done.stderr[-3000:]}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = done.stdout.strip().splitlines()
    return wall, cpu, lines[-1] if lines else ""


def summary(values: list[float]) -> str:
    return (f"{statistics.median(values):7.2f} | {min(values):7.2f} | {max(values):7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name, line in LIBRARIES.items():
            paths[name] = os.path.join(tmp, "job_" + name.replace(" ", "_") + ".py")
            source = (SCRIPT.format(import_line=line) if line else
                      "import os\nos.environ['TF_CPP_MIN_LOG_LEVEL'] = '2'\n"
                      + FLOORS[name] + "print('ok')\n")
            with open(paths[name], "w") as f:
                f.write(source)
        walls: dict[str, list[float]] = {name: [] for name in LIBRARIES}
        cpus: dict[str, list[float]] = {name: [] for name in LIBRARIES}
        load_before = os.getloadavg()
        for run in range(args.runs):
            for name in LIBRARIES:
                wall, cpu, last = run_once(paths[name])
                walls[name].append(wall)
                cpus[name].append(cpu)
                print(f"run {run + 1}: {name:24s} wall {wall:6.2f} s  CPU {cpu:6.2f} s  {last}",
                      flush=True)
        load_after = os.getloadavg()
    print(f"\nload average (1, 5, 15 min) before: {load_before}, after: {load_after}")
    print("\n| script | wall s: median | min | max | CPU s: median | min | max |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in LIBRARIES:
        print(f"| {name} | {summary(walls[name])} | {summary(cpus[name])} |")
    med = {name: statistics.median(walls[name]) for name in LIBRARIES}
    cpu_med = {name: statistics.median(cpus[name]) for name in LIBRARIES}
    print(f"\nkeras / minikeras: wall {med['keras'] / med['minikeras']:.2f}x, "
          f"CPU {cpu_med['keras'] / cpu_med['minikeras']:.2f}x")
    def beyond(values: dict, library: str, floor: str) -> float:
        return max(values[library] - values[floor], 1e-9)
    mk_floor, keras_floor = "import tensorflow as minikeras does", "import tensorflow only"
    print("beyond each library's own `import tensorflow`: keras / minikeras: wall "
          f"{beyond(med, 'keras', keras_floor) / beyond(med, 'minikeras', mk_floor):.2f}x, "
          f"CPU {beyond(cpu_med, 'keras', keras_floor) / beyond(cpu_med, 'minikeras', mk_floor):.2f}x")


if __name__ == "__main__":
    main()
