"""fit speed: minikeras against tf.keras on the same jobs, in one process.

    .venv/bin/python benchmarks/fit_speed.py            # full run, several minutes on 2 cores
    .venv/bin/python benchmarks/fit_speed.py --quick    # smoke test: small data, one repeat
    .venv/bin/python benchmarks/fit_speed.py --jobs 1,3 # a selection of jobs

Jobs (see docs/benchmarks.md for results and discussion):
  1  400x2 points, 2-8-8-1 tanh/tanh/sigmoid, binary crossentropy, SGD(0.1, momentum 0.9),
     batch 16, 200 epochs.
  2  60,000x784 random float32, 10 random classes, 784-128 relu-10 softmax, sparse categorical
     crossentropy, SGD(0.01, momentum 0.9, Nesterov), one epoch at batch 32 and at batch 256.
  3  the job-2 model at batch 1024: achieved GFLOP/s of training against a 2048x2048 tf.matmul.
  4  job 1 for 100 more epochs: resident memory growth and minikeras trace counts.

Every timed run builds a fresh model (same seed), compiles and fits it with verbose=0, so the
time includes building, tracing and (with XLA) compiling. Configurations are run round-robin
(A B C D, A B C D, ...) so that load from other processes hits them alike; the table shows the
median and the minimum over the runs.
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

import minikeras  # noqa: E402

# name -> (library, extra compile kwargs). keras "default" is compile()'s defaults
# (jit_compile="auto", which is off on CPU; steps_per_execution=1).
CONFIGS = {
    "keras default": (keras, {}),
    "keras tuned (jit, spe=32)": (keras, {"jit_compile": True, "steps_per_execution": 32}),
    "minikeras auto": (minikeras, {}),
    "minikeras jit": (minikeras, {"jit_compile": True}),
}
BASELINE, TUNED = "keras default", "keras tuned (jit, spe=32)"
# FLOPs of one sample through the job-2 model, forward + backward, by the usual 6 * weights rule
# (forward 2*m*n per dense layer, backward 2*m*n for dW and 2*m*n for dX).
J2_WEIGHTS = 784 * 128 + 128 * 10
FLOPS_PER_SAMPLE = 6 * J2_WEIGHTS
# What actually runs as matmuls: the first layer needs no dX (its input is data), so
# 6*128*10 + 4*784*128. Biases, activations, the loss and the update are not counted.
MATMUL_FLOPS_PER_SAMPLE = 6 * 128 * 10 + 4 * 784 * 128


# ---- jobs ---------------------------------------------------------------------------------------
def job1_data(n=400):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2)).astype("float32")
    y = (x[:, 0] * x[:, 1] > 0).astype("float32").reshape(-1, 1)
    return x, y


def job1_model(lib, extra):
    lib.utils.set_random_seed(0)
    model = lib.Sequential([
        lib.Input(shape=(2,)),
        lib.layers.Dense(8, activation="tanh"),
        lib.layers.Dense(8, activation="tanh"),
        lib.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  loss="binary_crossentropy", **extra)
    return model


def job2_data(n=60_000):
    rng = np.random.default_rng(1)
    return (rng.random((n, 784), dtype=np.float32),
            rng.integers(0, 10, size=n).astype("int32"))


def job2_model(lib, extra):
    lib.utils.set_random_seed(0)
    model = lib.Sequential([
        lib.Input(shape=(784,)),
        lib.layers.Dense(128, activation="relu"),
        lib.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
                  loss="sparse_categorical_crossentropy", **extra)
    return model


def timed_fit(make_model, lib, extra, x, y, batch_size, epochs):
    """Seconds for build + compile + fit of a fresh model (tracing and compiling included)."""
    gc.collect()
    start = time.perf_counter()
    model = make_model(lib, extra)
    model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
    return time.perf_counter() - start


def time_configs(make_model, x, y, batch_size, epochs, repeats):
    runs = {name: [] for name in CONFIGS}
    for _ in range(repeats):  # round-robin, so background load hits every configuration alike
        for name, (lib, extra) in CONFIGS.items():
            runs[name].append(timed_fit(make_model, lib, extra, x, y, batch_size, epochs))
    return runs


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def matmul_gflops(n=2048, calls=10, repeats=5):
    """Best-of-`repeats` GFLOP/s of n x n float32 tf.matmul (2 n^3 flops each)."""
    a = tf.random.normal((n, n), seed=1)
    b = tf.random.normal((n, n), seed=2)
    tf.matmul(a, b).numpy()  # warm-up
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            c = tf.matmul(a, b)
        c.numpy()
        rates.append(2 * n**3 * calls / (time.perf_counter() - start) / 1e9)
    return rates


def steady_gflops(lib, extra, x, y, batch_size, epochs, repeats):
    """GFLOP/s of fit on an already traced model: a 1-epoch warm-up fit, then timed fits."""
    model = job2_model(lib, extra)
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)  # trace / XLA-compile
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
        seconds = time.perf_counter() - start
        rates.append(FLOPS_PER_SAMPLE * len(x) * epochs / seconds / 1e9)
    return rates


# ---- reporting ----------------------------------------------------------------------------------
def fmt_s(values):
    return f"{statistics.median(values):.3f} s (min {min(values):.3f}, n={len(values)})"


def print_timing_table(title, runs, results):
    base, tuned = statistics.median(runs[BASELINE]), statistics.median(runs[TUNED])
    print(f"\n### {title}\n")
    print("| configuration | time: median (min, runs) | keras default / this | "
          "keras tuned / this |")
    print("| --- | --- | ---: | ---: |")
    for name, values in runs.items():
        med = statistics.median(values)
        print(f"| {name} | {fmt_s(values)} | {base / med:.2f}x | {tuned / med:.2f}x |")
    results[title] = {name: statistics.median(v) for name, v in runs.items()}


def check(targets, label, ok, detail):
    targets.append((label, ok, detail))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small data and one repeat: a smoke test, numbers not meaningful")
    parser.add_argument("--jobs", default="1,2,3,4", help="comma-separated jobs (default 1,2,3,4)")
    parser.add_argument("--repeats", type=int, default=None, help="runs per configuration "
                        "(default 3, 1 with --quick)")
    args = parser.parse_args()
    jobs = {int(j) for j in args.jobs.split(",") if j.strip()}
    repeats = args.repeats or (1 if args.quick else 3)
    epochs1 = 20 if args.quick else 200
    n2 = 6_000 if args.quick else 60_000
    epochs4 = 10 if args.quick else 100

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    print(f"# fit_speed{' --quick (numbers not meaningful)' if args.quick else ''}\n")
    print(f"- machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
          f"TensorFlow {tf.__version__}, keras {keras.__version__}, "
          f"GPUs: {len(tf.config.list_physical_devices('GPU'))}")
    print(f"- load average at start: {os.getloadavg()[0]:.2f}; runs per configuration: "
          f"{repeats}; times include model build, compile, tracing and XLA compilation")
    results, targets = {}, []
    t_start = time.perf_counter()

    if 1 in jobs:
        x, y = job1_data()
        runs = time_configs(job1_model, x, y, 16, epochs1, repeats)
        title = f"Job 1: 400x2, 2-8-8-1, batch 16, {epochs1} epochs"
        print_timing_table(title, runs, results)
        speedup = results[title][BASELINE] / results[title]["minikeras auto"]
        check(targets, "job 1: minikeras auto >= 15x keras default", speedup >= 15,
              f"{speedup:.1f}x")

    if 2 in jobs:
        x, y = job2_data(n2)
        for batch in (32, 256):
            runs = time_configs(job2_model, x, y, batch, 1, repeats)
            title = f"Job 2: {n2}x784, 784-128-10, batch {batch}, 1 epoch"
            print_timing_table(title, runs, results)
            r = results[title]
            vs_default = r[BASELINE] / r["minikeras auto"]
            vs_tuned = r[TUNED] / r["minikeras auto"]
            check(targets, f"job 2, batch {batch}: minikeras auto >= 4x keras default",
                  vs_default >= 4, f"{vs_default:.2f}x")
            check(targets, f"job 2, batch {batch}: minikeras auto >= 1.2x keras tuned",
                  vs_tuned >= 1.2, f"{vs_tuned:.2f}x")

    if 3 in jobs:
        x, y = job2_data(n2)
        epochs3 = 1 if args.quick else 3
        peak = matmul_gflops(calls=3 if args.quick else 10, repeats=2 if args.quick else 5)
        print(f"\n### Job 3: job-2 model at batch 1024, steady state ({epochs3} epochs per "
              f"timed fit, after a 1-epoch warm-up fit)\n")
        print(f"FLOPs counted per sample: 6 * (784*128 + 128*10) = {FLOPS_PER_SAMPLE:,} "
              f"(matmul FLOPs actually executed: {MATMUL_FLOPS_PER_SAMPLE:,}, "
              f"{MATMUL_FLOPS_PER_SAMPLE / FLOPS_PER_SAMPLE:.2f} of that)\n")
        print("| what | GFLOP/s: median (min..max) | share of matmul peak |")
        print("| --- | --- | ---: |")
        peak_med = statistics.median(peak)
        print(f"| tf.matmul 2048x2048 float32 | {peak_med:.1f} ({min(peak):.1f}..{max(peak):.1f})"
              f" | 100% |")
        shares = {}
        for name in ("minikeras auto", "minikeras jit", TUNED):
            lib, extra = CONFIGS[name]
            rates = steady_gflops(lib, extra, x, y, 1024, epochs3, repeats)
            med = statistics.median(rates)
            shares[name] = med / peak_med
            print(f"| fit, {name} | {med:.1f} ({min(rates):.1f}..{max(rates):.1f}) | "
                  f"{100 * med / peak_med:.0f}% |")
        check(targets, "job 3: minikeras auto >= 50% of matmul GFLOP/s",
              shares["minikeras auto"] >= 0.5, f"{100 * shares['minikeras auto']:.0f}%")

    if 4 in jobs:
        x, y = job1_data()
        gc.collect()
        rss0 = rss_mb()
        model = job1_model(minikeras, {})
        model.fit(x, y, batch_size=16, epochs=1, verbose=0)  # traces everything once
        gc.collect()
        rows = [("after a 1-epoch warm-up fit", rss_mb(), dict(model.trace_counts))]
        model.fit(x, y, batch_size=16, epochs=epochs4, verbose=0)
        gc.collect()
        rows.append((f"after fit(epochs={epochs4})", rss_mb(), dict(model.trace_counts)))
        for _ in range(epochs4):
            model.fit(x, y, batch_size=16, epochs=1, verbose=0)
        gc.collect()
        rows.append((f"after {epochs4} more fit(epochs=1) calls", rss_mb(),
                     dict(model.trace_counts)))
        print(f"\n### Job 4: memory and traces, minikeras auto, job-1 model "
              f"(RSS before the model: {rss0:.1f} MB)\n")
        print("| point | RSS MB | growth since warm-up MB | trace counts |")
        print("| --- | ---: | ---: | --- |")
        for label, rss, traces in rows:
            print(f"| {label} | {rss:.1f} | {rss - rows[0][1]:+.1f} | {traces} |")
        growth = rows[-1][1] - rows[0][1]
        constant = all(traces == rows[0][2] for _, _, traces in rows)
        check(targets, "job 4: RSS growth < 20 MB", growth < 20, f"{growth:+.1f} MB")
        check(targets, "job 4: trace counts constant", constant, str(rows[-1][2]))

    print(f"\n### Targets{' (--quick: not meaningful)' if args.quick else ''}\n")
    print("| target | result | met |")
    print("| --- | --- | --- |")
    for label, ok, detail in targets:
        print(f"| {label} | {detail} | {'yes' if ok else 'NO'} |")
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}; "
          f"total {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
