"""fit speed: minikeras against tf.keras on the same jobs, in one process.

    .venv/bin/python benchmarks/fit_speed.py             # full run: ~4 min on 2 idle cores
    .venv/bin/python benchmarks/fit_speed.py --quick     # smoke test (~20 s): tiny data, one run
    .venv/bin/python benchmarks/fit_speed.py --jobs 1,3  # a selection of jobs

Jobs (results and discussion in docs/benchmarks.md):
  1  400x2 points, 2-8-8-1 tanh/tanh/sigmoid, binary crossentropy, SGD(0.1, momentum 0.9),
     batch 16, 200 epochs.
  2  60,000x784 random float32, 10 random classes, 784-128 relu-10 softmax, sparse categorical
     crossentropy, SGD(0.01, momentum 0.9, Nesterov), one epoch at batch 32 and at batch 256;
     then minikeras with and without XLA over several epochs (compile cost vs. epoch time).
  3  the job-2 model at batch 1024: achieved GFLOP/s of training against a 2048x2048 tf.matmul.
  4  job 1 for 100 more epochs: resident memory growth and minikeras trace counts.
  5  a small convnet on MNIST-shaped random data (10,000x28x28x1, 10 random classes):
     Conv2D(16, 3, relu), MaxPooling2D, Conv2D(32, 3, relu), MaxPooling2D, Flatten,
     Dense(10, softmax); sparse categorical crossentropy, SGD(0.01, momentum 0.9), batch 128,
     one epoch. Target: minikeras auto not slower than keras default.

Every timed run builds a fresh model (same seed), compiles it and fits it with verbose=0, so
its time includes building, tracing and (with XLA) compiling. Before timing, each configuration
fits once on a small slice, so one-time costs of the process (TensorFlow's first function, XLA
start-up, keras's first fit) do not land on whichever runs first. Configurations run round-robin
(A B C D, A B C D, ...) so that load from other processes hits them alike. Tables give median,
min and max wall time, the median CPU time of this process, and the CPU time other processes
used meanwhile (this machine may be shared).
"""
from __future__ import annotations

import argparse
import functools
import gc
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import minikeras  # noqa: E402

# Fresh models each run mean fresh tf.functions; TensorFlow's "frequent retracing" warning
# counts those as retraces. (model.trace_counts shows one trace per model.)
tf.get_logger().setLevel("ERROR")

# name -> (library, extra compile() arguments). keras's defaults are jit_compile="auto" (off on
# a CPU-only machine) and steps_per_execution=1; minikeras's are "auto" for both.
CONFIGS = {
    "keras default": (keras, {}),
    "keras tuned (jit, spe=32)": (keras, {"jit_compile": True, "steps_per_execution": 32}),
    "minikeras auto": (minikeras, {}),
    "minikeras jit": (minikeras, {"jit_compile": True}),
}
BASELINE, TUNED, OURS = "keras default", "keras tuned (jit, spe=32)", "minikeras auto"

# FLOPs of one sample through the job-2 model, forward + backward, by the usual 6 * weights rule:
# per dense layer 2*m*n forward, 2*m*n for dW and 2*m*n for dX (bias, activations, loss and the
# update are not counted).
DENSE_WEIGHTS = 784 * 128 + 128 * 10
FLOPS_PER_SAMPLE = 6 * DENSE_WEIGHTS
# The matmuls actually run: the first layer needs no dX (its input is data).
MATMUL_FLOPS_PER_SAMPLE = 4 * 784 * 128 + 6 * 128 * 10


# ---- the jobs' data and models ------------------------------------------------------------------
def job1_data(n=400):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2)).astype("float32")
    return x, (x[:, 0] * x[:, 1] > 0).astype("float32").reshape(-1, 1)


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


@functools.lru_cache(maxsize=1)
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


def job5_data(n=10_000):
    rng = np.random.default_rng(2)
    return (rng.random((n, 28, 28, 1), dtype=np.float32),
            rng.integers(0, 10, size=n).astype("int32"))


def job5_model(lib, extra):
    lib.utils.set_random_seed(0)
    model = lib.Sequential([
        lib.Input(shape=(28, 28, 1)),
        lib.layers.Conv2D(16, 3, activation="relu"), lib.layers.MaxPooling2D(),
        lib.layers.Conv2D(32, 3, activation="relu"), lib.layers.MaxPooling2D(),
        lib.layers.Flatten(), lib.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.01, momentum=0.9),
                  loss="sparse_categorical_crossentropy", **extra)
    return model


# ---- measuring ----------------------------------------------------------------------------------
class OtherLoad:
    """CPU seconds used by other processes between start() and stop(), from /proc/stat."""

    def start(self):
        self.busy, self.own = self._busy(), time.process_time()
        self.wall = time.perf_counter()
        return self

    def stop(self):
        other = self._busy() - self.busy - (time.process_time() - self.own)
        wall = time.perf_counter() - self.wall
        return f"{max(other, 0):.0f} CPU-s of others in {wall:.0f} s ({max(other, 0) / wall:.2f} cores)"

    @staticmethod
    def _busy():
        try:
            with open("/proc/stat") as f:
                ticks = [int(v) for v in f.readline().split()[1:]]
            return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # not idle/iowait
        except (OSError, ValueError, IndexError):
            return 0.0


def timed_fit(make_model, lib, extra, x, y, batch_size, epochs):
    """(wall, CPU) seconds for build + compile + fit of a fresh model, tracing included."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    model = make_model(lib, extra)
    model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
    return time.perf_counter() - start, time.process_time() - cpu


def time_configs(make_model, x, y, batch_size, epochs, repeats, warm_up):
    for lib, extra in CONFIGS.values() if warm_up else ():
        timed_fit(make_model, lib, extra, x[:1024], y[:1024], batch_size, 1)
    runs = {name: [] for name in CONFIGS}
    for _ in range(repeats):  # round-robin
        for name, (lib, extra) in CONFIGS.items():
            runs[name].append(timed_fit(make_model, lib, extra, x, y, batch_size, epochs))
    return runs


def epoch_timer(lib):
    """A callback (of `lib`'s Callback class) recording each epoch's wall time. It has only
    epoch hooks, so minikeras still runs many steps per compiled call."""
    class EpochTimer(lib.callbacks.Callback):
        seconds: list

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds = getattr(self, "seconds", []) + [time.perf_counter() - self.start]
    return EpochTimer()


def matmul_gflops(n=2048, calls=10, repeats=3):
    """GFLOP/s of `calls` n x n float32 tf.matmuls (2 n^3 flops each), `repeats` times."""
    a, b = tf.random.normal((n, n), seed=1), tf.random.normal((n, n), seed=2)
    tf.matmul(a, b).numpy()  # warm-up
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            c = tf.matmul(a, b)
        c.numpy()
        rates.append(2 * n**3 * calls / (time.perf_counter() - start) / 1e9)
    return rates


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# ---- the jobs -----------------------------------------------------------------------------------
def timing_table(title, runs, load):
    """Prints one job's table; returns the median wall time of each configuration."""
    med = {name: statistics.median(w for w, _ in values) for name, values in runs.items()}
    mins = {name: min(w for w, _ in values) for name, values in runs.items()}
    print(f"\n### {title}\n\nDuring the job: {load}.\n")
    print("| configuration | wall s: median | min | max | CPU s: median "
          "| keras default / this | keras tuned / this | same, by min times |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, values in runs.items():
        cpu = statistics.median(c for _, c in values)
        print(f"| {name} | {med[name]:.3f} | {mins[name]:.3f} | {max(w for w, _ in values):.3f} "
              f"| {cpu:.2f} | {med[BASELINE] / med[name]:.2f}x | {med[TUNED] / med[name]:.2f}x "
              f"| {mins[BASELINE] / mins[name]:.2f}x, {mins[TUNED] / mins[name]:.2f}x |")
    return med, mins


def target(targets, label, med_ratio, min_ratio, goal):
    targets.append((label, med_ratio >= goal,
                    f"{med_ratio:.2f}x (by min times {min_ratio:.2f}x)"))


def job1(args, targets):
    x, y = job1_data()
    load = OtherLoad().start()
    runs = time_configs(job1_model, x, y, 16, args.epochs1, args.repeats, args.warm_up)
    med, mins = timing_table(f"Job 1: 400x2, 2-8-8-1, batch 16, {args.epochs1} epochs", runs,
                             load.stop())
    target(targets, "job 1: minikeras auto >= 15x keras default",
           med[BASELINE] / med[OURS], mins[BASELINE] / mins[OURS], 15)


def job2(args, targets):
    x, y = job2_data(args.n2)
    for batch in args.batches2:
        load = OtherLoad().start()
        runs = time_configs(job2_model, x, y, batch, 1, args.repeats, args.warm_up)
        med, mins = timing_table(f"Job 2: {args.n2}x784, 784-128-10, batch {batch}, 1 epoch",
                                 runs, load.stop())
        for name, goal in ((BASELINE, 4), (TUNED, 1.2)):
            target(targets, f"job 2, batch {batch}: minikeras auto >= {goal}x {name}",
                   med[name] / med[OURS], mins[name] / mins[OURS], goal)
    # What XLA does for minikeras: the first epoch (tracing + XLA compilation) and the later ones.
    load = OtherLoad().start()
    rows = []
    for batch in args.batches2:
        for name in (OURS, "minikeras jit"):
            lib, extra = CONFIGS[name]
            timer, start = epoch_timer(lib), time.perf_counter()
            job2_model(lib, extra).fit(x, y, batch_size=batch, epochs=args.epochs2, verbose=0,
                                       callbacks=[timer])
            rows.append((batch, name, timer.seconds, time.perf_counter() - start))
    print(f"\n### Job 2 with and without XLA: one fit of {args.epochs2} epochs each\n\n"
          f"During the job: {load.stop()}.\n")
    print("| batch | configuration | first epoch s | later epochs s: median | min | fit s |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for batch, name, sec, total in rows:
        print(f"| {batch} | {name} | {sec[0]:.3f} | {statistics.median(sec[1:]):.3f} | "
              f"{min(sec[1:]):.3f} | {total:.3f} |")


def job3(args, targets):
    x, y = job2_data(args.n2)
    load = OtherLoad().start()
    calls = 3 if args.quick else 10
    peak = matmul_gflops(calls=calls)
    rates = {}
    for name, (lib, extra) in CONFIGS.items():
        model, timer = job2_model(lib, extra), epoch_timer(lib)
        model.fit(x, y, batch_size=1024, epochs=args.epochs3 + 1, verbose=0, callbacks=[timer])
        rates[name] = [FLOPS_PER_SAMPLE * len(x) / s / 1e9 for s in timer.seconds[1:]]
    peak += matmul_gflops(calls=calls)  # before and after the fits
    best = max(peak)  # a peak: the best of the matmul runs
    print(f"\n### Job 3: job-2 model, batch 1024, GFLOP/s of epochs 2..{args.epochs3 + 1} "
          f"(epoch 1 traces and compiles)\n\nDuring the job: {load.stop()}.\n")
    print(f"Counted per sample: 6 * (784*128 + 128*10) = {FLOPS_PER_SAMPLE:,} FLOPs. The matmuls "
          f"actually run {MATMUL_FLOPS_PER_SAMPLE:,} (the first layer needs no dX): multiply the "
          f"fit rates by {MATMUL_FLOPS_PER_SAMPLE / FLOPS_PER_SAMPLE:.2f} for executed FLOP/s.\n")
    print("| what | GFLOP/s: median | min | max | median / matmul peak |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| tf.matmul 2048x2048 float32 ({len(peak)} x {calls} calls) | "
          f"{statistics.median(peak):.1f} | {min(peak):.1f} | {best:.1f} | "
          f"{statistics.median(peak) / best:.0%} |")
    for name, r in rates.items():
        print(f"| fit, {name} | {statistics.median(r):.1f} | {min(r):.1f} | {max(r):.1f} | "
              f"{statistics.median(r) / best:.0%} |")
    share = statistics.median(rates[OURS]) / best
    targets.append(("job 3: minikeras auto >= 50% of the matmul peak", share >= 0.5,
                    f"{share:.0%} counted, {share * MATMUL_FLOPS_PER_SAMPLE / FLOPS_PER_SAMPLE:.0%}"
                    " executed"))


def job4(args, targets):
    x, y = job1_data()
    gc.collect()
    model = job1_model(minikeras, {})
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)  # traces everything once
    gc.collect()
    rows = [("after a 1-epoch warm-up fit", rss_mb(), dict(model.trace_counts))]
    model.fit(x, y, batch_size=16, epochs=args.epochs4, verbose=0)
    gc.collect()
    rows.append((f"after fit(epochs={args.epochs4})", rss_mb(), dict(model.trace_counts)))
    for _ in range(args.epochs4):
        model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    gc.collect()
    rows.append((f"after {args.epochs4} more fit(epochs=1) calls", rss_mb(),
                 dict(model.trace_counts)))
    print("\n### Job 4: memory and traces, minikeras auto, job-1 model\n")
    print("| point | RSS MB | growth MB | trace counts |")
    print("| --- | ---: | ---: | --- |")
    for label, rss, traces in rows:
        print(f"| {label} | {rss:.1f} | {rss - rows[0][1]:+.1f} | {traces} |")
    growth = rows[-1][1] - rows[0][1]
    targets.append(("job 4: RSS growth < 20 MB", growth < 20, f"{growth:+.1f} MB"))
    targets.append(("job 4: trace counts constant",
                    all(traces == rows[0][2] for _, _, traces in rows), str(rows[-1][2])))


def job5(args, targets):
    x, y = job5_data(args.n5)
    load = OtherLoad().start()
    runs = time_configs(job5_model, x, y, 128, 1, args.repeats, args.warm_up)
    med, mins = timing_table(f"Job 5: convnet, {args.n5}x28x28x1, batch 128, 1 epoch", runs,
                             load.stop())
    target(targets, "job 5: minikeras auto >= 1x keras default (convnet)",
           med[BASELINE] / med[OURS], mins[BASELINE] / mins[OURS], 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny data, one run, no warm-up, batch 256 only: a smoke test")
    parser.add_argument("--jobs", default="1,2,3,4,5",
                        help="comma-separated jobs (default 1,2,3,4,5)")
    parser.add_argument("--repeats", type=int, help="runs per configuration (default 5; 1 quick)")
    args = parser.parse_args()
    jobs = {int(j) for j in args.jobs.split(",") if j.strip()}
    args.repeats = args.repeats or (1 if args.quick else 5)
    args.warm_up = not args.quick
    args.epochs1, args.n2, args.epochs4 = (10, 3_000, 10) if args.quick else (200, 60_000, 100)
    args.epochs2, args.epochs3 = (2, 2) if args.quick else (4, 5)
    args.n5 = 1_000 if args.quick else 10_000
    args.batches2 = (256,) if args.quick else (32, 256)

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    print(f"# fit_speed{' --quick (a smoke test: numbers mean nothing)' if args.quick else ''}\n")
    print(f"- {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, TensorFlow "
          f"{tf.__version__}, keras {keras.__version__}, "
          f"{len(tf.config.list_physical_devices('GPU'))} GPUs")
    print(f"- {args.repeats} timed run(s) per configuration; load average at start "
          f"{os.getloadavg()[0]:.2f}")
    targets, start = [], time.perf_counter()
    # Job 4 first: its memory readings are cleanest before the big arrays of jobs 2 and 3.
    for job, run in ((4, job4), (1, job1), (2, job2), (3, job3), (5, job5)):
        if job in jobs:
            run(args, targets)

    print(f"\n### Targets{' (--quick: meaningless)' if args.quick else ''}\n")
    print("| target | result: by median times | met |")
    print("| --- | --- | --- |")
    for label, ok, detail in sorted(targets, key=lambda t: t[0][:5]):  # by job
        print(f"| {label} | {detail} | {'yes' if ok else 'NO'} |")
    print(f"\nTotal {time.perf_counter() - start:.0f} s; load average at end "
          f"{os.getloadavg()[0]:.2f}.")


if __name__ == "__main__":
    main()
