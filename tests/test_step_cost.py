"""What a compiled step costs to build: no AutoGraph outside a model's own steps, and a bounded
number of graph ops in the tiny model's train step. Deterministic: no wall-clock assertions."""
import collections

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.python.autograph.impl import api as autograph_api

import minikeras as mk

X = np.random.default_rng(0).normal(size=(40, 2)).astype("float32")
Y = (X[:, 0] * X[:, 1] > 0).astype("float32")

# The train step of the 2-8-8-1 model below (forward, binary crossentropy, gradients,
# SGD-Nesterov, loss and accuracy trackers), placeholders and constants included, with a
# dynamic batch: 264 before the means over one-element axes became squeezes and scalar
# metric updates lost their reductions (minikeras/_reduce.py), 216 after; with a static
# batch (static_batches.py) 227, then 186. The test step: 92, then 74 (66 static). A small
# margin for harmless changes; a jump past it means ops crept into every step.
MAX_NODES = {("train", None): 218, ("train", 16): 188, ("test", None): 76, ("test", 16): 68}


def tiny(**compile_kw):
    mk.utils.set_random_seed(0)
    model = mk.Sequential([mk.Input(shape=(2,)), mk.layers.Dense(8, activation="tanh"),
                           mk.layers.Dense(8, activation="tanh"),
                           mk.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=mk.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
                  loss="binary_crossentropy", metrics=["accuracy"], **compile_kw)
    return model


@pytest.fixture
def conversions(monkeypatch):
    """The functions AutoGraph converts (or re-enters through its converted calls)."""
    seen = collections.Counter()
    original = autograph_api.converted_call

    def counting(f, *args, **kwargs):
        seen[getattr(f, "__qualname__", repr(f))] += 1
        return original(f, *args, **kwargs)
    monkeypatch.setattr(autograph_api, "converted_call", counting)
    return seen


@pytest.mark.parametrize("fit_kw", [
    {"epochs": 2},                                   # whole epochs in one call
    {"epochs": 2, "validation_split": 0.25},         # train and test chunks
    {"epochs": 1, "steps_per_execution": None},      # fixed chunks (set in compile below)
])
def test_builtin_fit_evaluate_predict_use_no_autograph(conversions, fit_kw):
    fit_kw = dict(fit_kw)
    compile_kw = {}
    if "steps_per_execution" in fit_kw:
        fit_kw.pop("steps_per_execution")
        compile_kw["steps_per_execution"] = 3
    model = tiny(**compile_kw)
    model.fit(X, Y, batch_size=16, verbose=0, **fit_kw)
    model.evaluate(X, Y, batch_size=16, verbose=0)
    model.predict(X, batch_size=16, verbose=0)
    dataset = tf.data.Dataset.from_tensor_slices((X, Y)).batch(16)
    model.fit(dataset, epochs=1, verbose=0)
    model.predict(dataset, verbose=0)
    assert not conversions


def test_jit_step_uses_no_autograph(conversions):
    model = tiny(jit_compile=True)
    model.fit(X, Y, batch_size=16, epochs=1, verbose=0)
    assert not conversions


def test_own_train_step_is_still_converted():
    """A model's own train_step may branch on tensors in Python, as keras converts it."""
    class Branchy(mk.Sequential):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self(x, training=True)[:, 0] - y))
                if loss > 1e9:  # a Python `if` on a tensor: needs AutoGraph
                    loss = loss * 0.0
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            return {"loss": loss}

    mk.utils.set_random_seed(0)
    model = Branchy([mk.Input(shape=(2,)), mk.layers.Dense(1)])
    model.compile(optimizer=mk.optimizers.SGD(0.1), loss="mse")
    history = model.fit(X, Y, batch_size=16, epochs=2, verbose=0).history
    assert np.all(np.isfinite(history["loss"]))


@pytest.mark.parametrize("kind,batch_size", sorted(MAX_NODES, key=str))
def test_tiny_step_graphs_are_small(kind, batch_size):
    model = tiny()
    model.fit(X, Y, batch_size=16, epochs=1, verbose=0)
    batch = model._steps.batch
    specs = (tf.TensorSpec((batch_size, 2)), tf.TensorSpec((batch_size,)),
             tf.TensorSpec((batch_size,)))
    step = tf.function(lambda x, y, sw: batch.run(kind, x, y, sw, False), autograph=False)
    graph = step.get_concrete_function(*specs).graph
    nodes = len(graph.as_graph_def().node)
    assert nodes <= MAX_NODES[kind, batch_size], collections.Counter(
        op.type for op in graph.get_operations()).most_common(12)
