"""`make demo`: the lecture's basic example, trained with minikeras.

1. Two weights and a sigmoid, no bias: the boundary is stuck through the origin.
2. The same neuron with a bias: it can move the boundary and separates the data.
3. Data one neuron cannot separate (a ring around a blob): one neuron fails, a network with two
   hidden layers succeeds.
4. A small convnet (functional API) on scikit-learn's bundled 8x8 digits, no download:
   accuracy on digits it never saw.

Prints progress and accuracies and writes decision boundaries and loss curves to
``demo_output/demo.png``. Runs in well under a minute on a 2-core CPU, with no downloads.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

import minikeras as keras
from minikeras import layers


def blobs(rng: np.random.Generator, n: int = 200):
    """Two Gaussian blobs along the diagonal: the line between them misses the origin."""
    x = np.concatenate([rng.normal((2.0, 2.0), 0.6, (n, 2)), rng.normal((4.0, 4.0), 0.6, (n, 2))])
    return x.astype(np.float32), np.repeat([0.0, 1.0], n).astype(np.float32)


def ring(rng: np.random.Generator, n: int = 200):
    """A blob inside a ring: no straight line separates them."""
    inner = rng.normal(0.0, 0.5, (n, 2))
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = rng.normal(2.0, 0.25, n)
    outer = np.c_[radius * np.cos(angle), radius * np.sin(angle)]
    return np.concatenate([inner, outer]).astype(np.float32), np.repeat([0.0, 1.0], n).astype(np.float32)


def neuron(use_bias: bool) -> keras.Sequential:
    return keras.Sequential([keras.Input(shape=(2,)),
                             layers.Dense(1, activation="sigmoid", use_bias=use_bias)])


def network() -> keras.Sequential:
    return keras.Sequential([keras.Input(shape=(2,)), layers.Dense(8, activation="tanh"),
                             layers.Dense(8, activation="tanh"), layers.Dense(1, activation="sigmoid")])


def train(title: str, model: keras.Sequential, x, y, epochs: int, lr: float):
    print(f"\n== {title}")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr, momentum=0.5),
                  loss="binary_crossentropy", metrics=["accuracy"])
    shown = {0, epochs // 4, epochs // 2, 3 * epochs // 4, epochs - 1}
    progress = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(
        f"   epoch {epoch + 1:3d}/{epochs}: loss {logs['loss']:.4f}, "
        f"accuracy {logs['accuracy']:.3f}") if epoch in shown else None)
    history = model.fit(x, y, batch_size=16, epochs=epochs, verbose=0, callbacks=[progress])
    loss, acc = model.evaluate(x, y, verbose=0)
    print(f"   final loss {loss:.4f}, accuracy {acc:.3f}")
    return history, acc


def convnet_on_digits() -> float | None:
    """Part 4: Conv2D, pooling and Dense on the 8x8 digits; returns the held-out accuracy
    (None without scikit-learn, which the demo extra installs)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        print("\nscikit-learn is not installed: skipping the convnet (pip install "
              "'minikeras[demo]').")
        return None
    print("\n== 4. a small convnet on scikit-learn's 8x8 digits")
    digits = load_digits()
    x = digits.images.astype(np.float32)[..., None]
    y = digits.target.astype(np.float32)
    order = np.random.default_rng(0).permutation(len(x))
    train, test = order[:1400], order[1400:]
    inputs = keras.Input(shape=(8, 8, 1))
    h = layers.Rescaling(1.0 / 16)(inputs)
    h = layers.Conv2D(16, 3, padding="same", activation="relu")(h)
    h = layers.MaxPooling2D(2)(h)
    h = layers.Flatten()(h)
    model = keras.Model(inputs, layers.Dense(10, activation="softmax")(h))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x[train], y[train], batch_size=32, epochs=10, verbose=0,
                        validation_split=0.1)
    print(f"   epoch 10: loss {history.history['loss'][-1]:.4f}, validation accuracy "
          f"{history.history['val_accuracy'][-1]:.3f}")
    _, accuracy = model.evaluate(x[test], y[test], verbose=0)
    print(f"   accuracy on {len(test)} digits it never saw: {accuracy:.3f}")
    return accuracy


def main(out_dir: str = "demo_output") -> int:
    start = time.perf_counter()
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    xb, yb = blobs(rng)
    mean, std = xb.mean(0), xb.std(0)
    xr, yr = ring(rng)
    runs = [
        ("1. one neuron, no bias", neuron(False), xb, yb, 20, 0.02),
        ("2. one neuron with a bias", neuron(True), xb, yb, 60, 0.02),
        ("3a. one neuron on the ring", neuron(True), xr, yr, 40, 0.1),
        ("3b. two hidden layers on the ring", network(), xr, yr, 40, 0.1),
    ]
    results = []
    for title, model, x, y, epochs, lr in runs:
        history, acc = train(title, model, x, y, epochs, lr)
        results.append((title, model, x, y, history, acc))
    print(f"\n(inputs here are raw; blob means {mean.round(2)}, std {std.round(2)} —"
          " tutorials show why standardizing them helps)")
    convnet_on_digits()

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from minikeras.utils.plotting import plot_decision_boundary, plot_history
    except ImportError:
        print("matplotlib is not installed: skipping the figure (pip install 'minikeras[plot]').")
    else:
        fig, axes = plt.subplots(2, 4, figsize=(16, 7.5))
        for col, (title, model, x, y, history, acc) in enumerate(results):
            plot_decision_boundary(model, x, y, ax=axes[0, col], title=f"{title}\naccuracy {acc:.2f}")
            plot_history(history, ax=axes[1, col])
        fig.tight_layout()
        os.makedirs(out_dir, exist_ok=True)
        path = os.path.join(out_dir, "demo.png")
        fig.savefig(path, dpi=80)
        print(f"wrote {path}")
    print(f"done in {time.perf_counter() - start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
