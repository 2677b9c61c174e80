"""One-time cost of the first fit: run as a fresh process.

    .venv/bin/python benchmarks/first_fit.py [--profile FILE] [--library minikeras|keras]

Times, in one fresh process, the lecture-size job (400x2, 2-8-8-1 tanh, batch 16, 200 epochs,
validation_split=0.2) on a first model, then on a second fresh model, then a third fit of the
second model (already traced). first - second is the one-time per-process cost; second - third
is tracing a fresh model. Also prints the tracing time of a fresh model's train step
(get_concrete_function) and the node count of its graph.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def job(lib, x, y, epochs: int = 200):
    """Builds, compiles and returns the lecture model (fresh, seeded)."""
    lib.utils.set_random_seed(0)
    model = lib.Sequential([
        lib.Input(shape=(2,)),
        lib.layers.Dense(8, activation="tanh"),
        lib.layers.Dense(8, activation="tanh"),
        lib.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", default=None)
    parser.add_argument("--library", default="minikeras")
    args = parser.parse_args()
    t0 = time.perf_counter()
    import numpy as np
    import tensorflow as tf
    tf.get_logger().setLevel("ERROR")
    if args.library == "keras":
        import keras as lib
    else:
        import minikeras as lib
    t_import = time.perf_counter() - t0
    x = np.random.default_rng(0).normal(size=(400, 2)).astype("float32")
    y = (x[:, 0] * x[:, 1] > 0).astype("float32")

    def fit(model):
        start = time.perf_counter()
        model.fit(x, y, batch_size=16, epochs=200, validation_split=0.2, verbose=0)
        return time.perf_counter() - start

    prof = cProfile.Profile() if args.profile else None
    if prof:
        prof.enable()
    first = fit(job(lib, x, y))
    if prof:
        prof.disable()
        prof.dump_stats(args.profile)
    model2 = job(lib, x, y)
    second = fit(model2)
    third = fit(model2)
    print(f"import {t_import:.2f}s first {first:.3f}s second {second:.3f}s "
          f"third {third:.3f}s one-time {first - second:.3f}s tracing {second - third:.3f}s")


if __name__ == "__main__":
    main()
