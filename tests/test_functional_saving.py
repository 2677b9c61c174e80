"""Functional models: get_config/from_config, save/load (continuing training exactly),
to_json/model_from_json, clone_model, and hostile architectures."""
import copy
import json

import numpy as np
import pytest

import minikeras as mk
from minikeras import layers
from minikeras.models import Functional


class AddPair(layers.Layer):
    """A custom merging layer (passed in custom_objects when loading)."""

    def call(self, inputs):
        return inputs[0] + inputs[1]


CUSTOM = {"AddPair": AddPair}
rng = np.random.default_rng(0)
XA = rng.normal(size=(48, 3)).astype(np.float32)
XB = rng.normal(size=(48, 3)).astype(np.float32)
Y1 = (XA[:, 0] * XB[:, 1] > 0).astype(np.float32)[:, None]
Y2 = rng.normal(size=(48, 2)).astype(np.float32)
X = {"a": XA, "b": XB}
Y = {"out1": Y1, "out2": Y2}


def two_in_two_out(seed=0, compile=True):
    """Two inputs, a shared layer, a nested Sequential with Dropout, dict outputs."""
    mk.utils.set_random_seed(seed)
    a, b = mk.Input((3,), name="a"), mk.Input((3,), name="b")
    shared = layers.Dense(4, activation="tanh", name="shared")
    h = AddPair(name="add")([shared(a), shared(b)])
    inner = mk.Sequential([layers.Dense(5, activation="relu"), layers.Dropout(0.3)],
                          name="inner")
    o1 = layers.Dense(1, activation="sigmoid", name="o1")(inner(h))
    o2 = layers.Dense(2, name="o2")(h)
    model = mk.Model({"a": a, "b": b}, {"out1": o1, "out2": o2}, name="two")
    if compile:
        model.compile(optimizer=mk.optimizers.SGD(0.05, momentum=0.9),
                      loss={"out1": "binary_crossentropy", "out2": mk.losses.MeanSquaredError()},
                      loss_weights={"out1": 1.0, "out2": 0.5},
                      metrics={"out1": ["accuracy"], "out2": [mk.metrics.MeanAbsoluteError()]})
    return model


def same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    return len(wa) == len(wb) and all(np.array_equal(u, v) for u, v in zip(wa, wb))


def assert_same_outputs(a, b, x):
    out_a, out_b = a.predict(x, verbose=0), b.predict(x, verbose=0)
    if isinstance(out_a, dict):
        assert sorted(out_a) == sorted(out_b)
        for k in out_a:
            np.testing.assert_array_equal(out_a[k], out_b[k])
    elif isinstance(out_a, list):
        assert isinstance(out_b, list) and len(out_a) == len(out_b)
        for u, v in zip(out_a, out_b):
            np.testing.assert_array_equal(u, v)
    else:
        np.testing.assert_array_equal(out_a, out_b)


@pytest.mark.slow
def test_save_load_continues_training_exactly(tmp_path):
    model = two_in_two_out()
    model.fit(X, Y, batch_size=16, epochs=2, verbose=0)
    model.save(tmp_path / "m.minikeras")
    loaded = mk.models.load_model(tmp_path / "m.minikeras", custom_objects=CUSTOM)
    assert isinstance(loaded, Functional) and loaded.name == "two"
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    assert loaded.input_names == model.input_names
    assert loaded.output_names == ["out1", "out2"]
    assert same_weights(model, loaded)
    assert_same_outputs(model, loaded, X)
    assert loaded.optimizer.iterations.numpy() == model.optimizer.iterations.numpy()
    assert loaded.compile_arguments["loss_weights"] == {"out1": 1.0, "out2": 0.5}
    # shuffling and the nested Dropout draw from restored generators: bit-identical
    h1 = model.fit(X, Y, batch_size=16, epochs=3, verbose=0).history
    h2 = loaded.fit(X, Y, batch_size=16, epochs=3, verbose=0).history
    assert "out1_accuracy" in h1 and "out2_loss" in h1
    assert h1 == h2 and same_weights(model, loaded)


@pytest.mark.slow
def test_list_outputs_and_list_losses_round_trip(tmp_path):
    mk.utils.set_random_seed(1)
    a, b = mk.Input((3,), name="a"), mk.Input((3,), name="b")
    o1 = layers.Dense(1, activation="sigmoid", name="p")(a)
    o2 = layers.Dense(2, name="q")(b)
    model = mk.Model([a, b], [o1, o2])
    model.compile(optimizer="adam", loss=["binary_crossentropy", "mse"], loss_weights=[0.3, 2.0],
                  metrics=[["accuracy"], ["mae", "mse"]], weighted_metrics=[[], ["mae"]])
    model.fit([XA, XB], [Y1, Y2], batch_size=16, epochs=1, verbose=0)
    model.save(tmp_path / "m.minikeras")
    loaded = mk.models.load_model(tmp_path / "m.minikeras")
    assert isinstance(loaded.predict([XA, XB], verbose=0), list)
    assert_same_outputs(model, loaded, [XA, XB])
    h1 = model.fit([XA, XB], [Y1, Y2], batch_size=16, epochs=2, verbose=0).history
    h2 = loaded.fit([XA, XB], [Y1, Y2], batch_size=16, epochs=2, verbose=0).history
    assert h1 == h2 and same_weights(model, loaded)


def test_get_config_layout_is_keras_like():
    config = two_in_two_out(compile=False).get_config()
    json.dumps(config, allow_nan=False)
    assert config["name"] == "two"
    assert config["input_layers"] == {"a": ["a", 0, 0], "b": ["b", 0, 0]}
    assert config["output_layers"] == {"out1": ["o1", 0, 0], "out2": ["o2", 0, 0]}
    by_name = {entry["name"]: entry for entry in config["layers"]}
    assert by_name["a"]["class_name"] == "InputLayer" and by_name["a"]["inbound_nodes"] == []
    shared = by_name["shared"]["inbound_nodes"]  # a shared layer: one node per call
    assert [n["args"][0]["config"]["keras_history"] for n in shared] == [["a", 0, 0],
                                                                          ["b", 0, 0]]
    add = by_name["add"]["inbound_nodes"][0]["args"][0]
    assert [t["config"]["keras_history"] for t in add] == [["shared", 0, 0], ["shared", 1, 0]]
    assert by_name["inner"]["class_name"] == "Sequential"
    assert [e["class_name"] for e in by_name["inner"]["config"]["layers"]] == ["Dense",
                                                                               "Dropout"]


def test_from_config_rebuilds_the_same_graph():
    model = two_in_two_out(compile=False)
    rebuilt = Functional.from_config(model.get_config(), custom_objects=CUSTOM)
    assert rebuilt.get_config() == model.get_config()
    rebuilt.set_weights(model.get_weights())
    for out in ("out1", "out2"):
        np.testing.assert_array_equal(rebuilt(X, training=False)[out].numpy(),
                                      model(X, training=False)[out].numpy())


def test_node_indices_count_only_this_models_calls():
    """A layer called outside the model too: its nodes are renumbered within the model."""
    dense = layers.Dense(2, name="d")
    dense(mk.Input((3,), name="elsewhere"))  # call 0 of the layer, not in the model
    x = mk.Input((3,), name="x")
    y = layers.Dense(1, name="y")(dense(x))
    config = mk.Model(x, y).get_config()
    y_entry = [e for e in config["layers"] if e["name"] == "y"][0]
    assert y_entry["inbound_nodes"][0]["args"][0]["config"]["keras_history"] == ["d", 0, 0]
    assert config["input_layers"] == ["x", 0, 0]  # one tensor stays one tensor
    rebuilt = Functional.from_config(config)
    assert not isinstance(rebuilt.predict(XA, verbose=0), list)


def nested_functional():
    mk.utils.set_random_seed(2)
    i = mk.Input((3,), name="i")
    inner = mk.Model(i, layers.Dense(4, activation="relu", name="inner_dense")(i),
                     name="inner_model")
    x = mk.Input((3,), name="x")
    seq = mk.Sequential([mk.Input((4,)), layers.Dense(3, name="s1"),
                         layers.Activation("tanh")], name="stack")
    h = inner(x)
    out = layers.Dense(1, name="head")(seq(h))
    return mk.Model(x, [out, h], name="outer")


def test_nested_functional_and_sequential_round_trip(tmp_path):
    model = nested_functional()
    model.compile(optimizer="rmsprop", loss=["mse", None])
    model.fit(XA, [Y1, Y2[:, :1].repeat(4, axis=1)], batch_size=16, epochs=1, verbose=0)
    model.save(tmp_path / "nested.minikeras")
    loaded = mk.models.load_model(tmp_path / "nested.minikeras")
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__
                                                          for l in model.layers]
    assert type(loaded.get_layer("inner_model")) is Functional
    assert same_weights(model, loaded)
    assert_same_outputs(model, loaded, XA)
    ys = [Y1, Y2[:, :1].repeat(4, axis=1)]
    h1 = model.fit(XA, ys, batch_size=16, epochs=2, verbose=0).history
    h2 = loaded.fit(XA, ys, batch_size=16, epochs=2, verbose=0).history
    assert h1 == h2 and same_weights(model, loaded)


def test_uncompiled_functional_round_trips(tmp_path):
    model = nested_functional()
    model.save(tmp_path / "m")
    loaded = mk.models.load_model(tmp_path / "m")
    assert not loaded.compiled
    assert_same_outputs(model, loaded, XA)


def test_to_json_and_model_from_json():
    model = two_in_two_out(compile=False)
    text = model.to_json()
    rebuilt = mk.models.model_from_json(text, custom_objects=CUSTOM)
    assert isinstance(rebuilt, Functional) and rebuilt.to_json() == text
    assert not same_weights(model, rebuilt)  # fresh weights
    rebuilt.set_weights(model.get_weights())
    assert_same_outputs(model, rebuilt, X)
    nested = nested_functional()
    assert mk.models.model_from_json(nested.to_json()).get_config() == nested.get_config()


def test_clone_model_has_same_architecture_and_new_weights():
    for model, x in ((two_in_two_out(compile=False), X), (nested_functional(), XA)):
        clone = mk.models.clone_model(model)
        assert clone.get_config() == model.get_config()
        assert all(l1 is not l2 for l1, l2 in zip(clone.layers, model.layers))
        assert not same_weights(model, clone)
        clone.set_weights(model.get_weights())
        assert_same_outputs(model, clone, x)
    seq = mk.Sequential([mk.Input((3,)), layers.Dense(2), layers.Dense(1)])
    clone = mk.models.clone_model(seq)
    assert type(clone) is mk.Sequential and clone.built
    assert [w.shape for w in clone.weights] == [w.shape for w in seq.weights]
    assert not same_weights(seq, clone)


# ---- hostile architectures ----------------------------------------------------------------
def simple_config():
    x = mk.Input((3,), name="x")
    h = layers.Dense(4, name="h")(x)
    return mk.Model(x, layers.Dense(1, name="y")(h), name="simple").get_config()


def ref(layer, node=0, tensor=0):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": [None, 4], "dtype": "float32",
                       "keras_history": [layer, node, tensor]}}


def edited(edit):
    config = copy.deepcopy(simple_config())
    edit(config)
    return config


def set_class(config, name, class_name):
    [e for e in config["layers"] if e["name"] == name][0]["class_name"] = class_name


def set_args(config, name, args):
    [e for e in config["layers"] if e["name"] == name][0]["inbound_nodes"][0]["args"] = args


HOSTILE = {
    "unknown layer class": (lambda c: set_class(c, "h", "os.system"), "unknown layer class"),
    "missing layer": (lambda c: set_args(c, "y", [ref("ghost")]), "'ghost'"),
    "missing call": (lambda c: set_args(c, "y", [ref("h", 3)]), "call 3 of layer 'h'"),
    "missing output": (lambda c: set_args(c, "y", [ref("h", 0, 2)]), "output 2 of layer 'h'"),
    "self cycle": (lambda c: set_args(c, "h", [ref("h")]), "cycle"),
    "two-layer cycle": (lambda c: (set_args(c, "h", [ref("y")])), "cycle"),
    "output of a missing layer": (lambda c: c.update(output_layers=["nowhere", 0, 0]),
                                  "'nowhere'"),
    "bad reference": (lambda c: c.update(input_layers="x"), "input_layers"),
    "duplicate names": (lambda c: c["layers"].append(copy.deepcopy(c["layers"][1])),
                        "two layers named 'h'"),
    "nodes not a list": (lambda c: c["layers"][1].update(inbound_nodes={"a": 1}),
                         "inbound_nodes"),
    "bad kwargs": (lambda c: c["layers"][1]["inbound_nodes"][0].update(kwargs={"bogus": 1}),
                   "unexpected keyword argument 'bogus'"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_configs_are_value_errors_naming_the_problem(case, monkeypatch):
    edit, words = HOSTILE[case]
    config = edited(edit)
    calls = []
    runs_nothing = case in ("self cycle", "two-layer cycle", "missing layer", "missing call")
    if runs_nothing:
        monkeypatch.setattr(layers.Dense, "call", lambda self, x: calls.append(1) or x)
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        Functional.from_config(config)
    with pytest.raises(ValueError, match="|".join(["unknown", "ghost", "call 3", "output 2",
                                                   "cycle", "nowhere", "input_layers",
                                                   "two layers", "inbound_nodes",
                                                   "bogus"])):
        mk.models.model_from_json(json.dumps({"class_name": "Functional", "config": config}))
    if runs_nothing:
        assert calls == []  # the problem is found before any layer runs


def test_hostile_file_cannot_allocate_more_than_it_holds(tmp_path):
    """A file whose architecture claims huge layers is refused before they are built."""
    import zipfile
    x = mk.Input((3,), name="x")
    model = mk.Model(x, layers.Dense(2, name="d")(x))
    model.save(tmp_path / "good")
    with zipfile.ZipFile(tmp_path / "good") as z:
        members = {n: z.read(n) for n in z.namelist()}
    doc = json.loads(members["minikeras.json"])
    dense = [e for e in doc["model"]["config"]["layers"] if e["name"] == "d"][0]
    dense["config"]["units"] = 10**6
    members["minikeras.json"] = json.dumps(doc).encode()
    with zipfile.ZipFile(tmp_path / "bad", "w", zipfile.ZIP_STORED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    with pytest.raises(ValueError, match="more than the file holds"):
        mk.models.load_model(tmp_path / "bad")
    dense["config"]["units"] = 3  # fits the budget, but not the file's shapes
    members["minikeras.json"] = json.dumps(doc).encode()
    with zipfile.ZipFile(tmp_path / "bad2", "w", zipfile.ZIP_STORED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    with pytest.raises(ValueError, match="Cannot load"):
        mk.models.load_model(tmp_path / "bad2")


def test_unknown_custom_layer_needs_custom_objects(tmp_path):
    two_in_two_out().save(tmp_path / "m")
    with pytest.raises(ValueError, match="unknown layer class 'AddPair'"):
        mk.models.load_model(tmp_path / "m")


@pytest.mark.parametrize("lib_name", ["keras", "minikeras"])
def test_custom_layer_without_get_config_gets_its_arguments(lib_name, tmp_path):
    """keras's auto config: a custom layer with plain constructor arguments and no
    get_config of its own saves them, so the model rebuilds from its config."""
    import keras
    lib = keras if lib_name == "keras" else mk

    class CustomDense(lib.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.dense = lib.layers.Dense(units)

        def call(self, x):
            return self.dense(x)

    inputs = lib.layers.Input((4,))
    model = lib.Model(inputs, CustomDense(10, name="custom")(inputs))
    entry = [e for e in model.get_config()["layers"] if e["config"]["name"] == "custom"][0]
    assert entry["config"]["units"] == 10
    again = lib.Model.from_config(model.get_config(), custom_objects={"CustomDense": CustomDense})
    assert tuple(again(np.ones((1, 4))).shape) == (1, 10)
