"""minikeras: a small Keras-style modeling API written directly on TensorFlow primitives.

    import minikeras as keras
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, "sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=10)
"""
from minikeras._tensorflow import collector_paused, import_tensorflow

with collector_paused():  # TensorFlow's objects are long-lived: see _tensorflow.py
    import_tensorflow()  # first: TensorFlow without its eager keras import
    from minikeras import (
        _autograph,  # noqa: F401 - AutoGraph leaves minikeras's code as it is
        activations,
        backend,
        callbacks,
        constraints,
        datasets,
        initializers,
        interop,
        layers,
        losses,
        metrics,
        models,
        ops,
        optimizers,
        random,
        regularizers,
        utils,
    )
    from minikeras.layers import Input, InputLayer
    from minikeras.models import Model, Sequential

__version__ = "0.1.0"

__all__ = ["Input", "InputLayer", "Model", "Sequential", "activations", "backend", "callbacks",
           "config", "constraints", "datasets", "initializers", "interop", "layers", "losses",
           "metrics", "models", "ops", "optimizers", "random", "regularizers", "utils"]

config = backend  # keras.config.floatx() and friends
