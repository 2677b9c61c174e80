"""Functional models against keras: summary rows (names, shapes, parameter counts, connected
to) equal keras's, and interop.to_keras / from_keras convert them with equal outputs."""
import keras
import numpy as np
import pytest

import minikeras as mk
import minikeras.interop  # noqa: F401


def two_branch(lib):
    """Two inputs, a shared layer (two calls), a nested Sequential, dict outputs."""
    ls = lib.layers
    a, b = lib.Input((3,), name="a"), lib.Input((3,), name="b")
    shared = ls.Dense(4, activation="tanh", name="shared")
    ha, hb = shared(a), shared(b)
    seq = lib.Sequential([lib.Input((4,)), ls.Dense(5, activation="relu", name="s_dense"),
                          ls.Dropout(0.2, name="s_drop")], name="stack")
    o1 = ls.Dense(1, activation="sigmoid", name="o1")(seq(ha))
    o2 = ls.Dense(2, name="o2")(hb)
    return lib.Model({"a": a, "b": b}, {"out1": o1, "out2": o2}, name="two")


def nested_chain(lib):
    """A functional model nested in another, used as a chain (keras shows no connections)."""
    ls = lib.layers
    i = lib.Input((6,), name="i")
    inner = lib.Model(i, ls.Dense(3, activation="relu", name="inner_dense")(i), name="inner")
    x = lib.Input((6,), name="x")
    y = ls.Dense(2, name="head")(ls.Dropout(0.1, name="drop")(inner(x)))
    return lib.Model(x, y, name="outer")


def keras_rows(model, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    lines = []
    model.summary(line_length=200, print_fn=lines.append)
    rows = [[c.strip() for c in line.split("│")[1:-1]]
            for line in "\n".join(lines).splitlines() if line.startswith("│")]
    return rows


def our_rows(model):
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines).splitlines()
    header = text[2]
    starts = [header.index(h) for h in ("Output Shape", "Param #")]
    connected = header.find("Connected to")
    rows = []
    for line in text[4:]:
        if not line or line[0] in "-=" or line.startswith(("Total", "Trainable", "Non-")):
            continue
        name, shape = line[:starts[0]].strip(), line[starts[0]:starts[1]].strip()
        end = connected if connected >= 0 else len(line)
        row = [name, shape, line[starts[1]:end].strip()]
        if connected >= 0:
            row.append(line[connected:].strip())
        rows.append(row)
    return rows, connected >= 0


@pytest.mark.parametrize("build", [two_branch, nested_chain])
def test_summary_rows_equal_keras(build, monkeypatch):
    ours, ref = build(mk), build(keras)
    rows, has_connections = our_rows(ours)
    expected = keras_rows(ref, monkeypatch)
    assert has_connections == (len(expected[0]) == 4)
    assert rows == expected
    lines = []
    ours.summary(print_fn=lines.append)
    assert f"Total params: {ref.count_params():,}" in lines[0]


def test_two_branch_summary_shows_connections():
    rows, has_connections = our_rows(two_branch(mk))
    assert has_connections
    assert ["shared (Dense)", "(None, 4)", "16", "a[0][0], b[0][0]"] in rows
    assert rows[0] == ["a (InputLayer)", "(None, 3)", "0", "-"]


def inputs_for(model_name):
    rng = np.random.default_rng(3)
    if model_name == "two":
        return {"a": rng.normal(size=(5, 3)).astype("float32"),
                "b": rng.normal(size=(5, 3)).astype("float32")}
    return rng.normal(size=(5, 6)).astype("float32")


def assert_outputs_equal(a, b, x):
    out_a, out_b = a(x, training=False), b(x, training=False)
    flat_a = [out_a[k] for k in sorted(out_a)] if isinstance(out_a, dict) else [out_a]
    flat_b = [out_b[k] for k in sorted(out_b)] if isinstance(out_b, dict) else [out_b]
    assert len(flat_a) == len(flat_b)
    for u, v in zip(flat_a, flat_b):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("build", [two_branch, nested_chain])
def test_to_keras_converts_functional_models(build):
    ours = build(mk)
    converted = mk.interop.to_keras(ours)
    assert isinstance(converted, keras.Model) and not isinstance(converted, keras.Sequential)
    assert [l.name for l in converted.layers] == [l.name for l in ours.layers]
    assert converted.count_params() == ours.count_params()
    assert_outputs_equal(ours, converted, inputs_for(ours.name))


@pytest.mark.parametrize("build", [two_branch, nested_chain])
def test_from_keras_converts_functional_models(build):
    ref = build(keras)
    converted = mk.interop.from_keras(ref)
    assert isinstance(converted, mk.models.Functional)
    assert [l.name for l in converted.layers] == [l.name for l in ref.layers]
    assert isinstance(converted._outputs_struct, dict) == isinstance(ref._outputs_struct, dict)
    assert_outputs_equal(converted, ref, inputs_for(ref.name))
    back = mk.interop.to_keras(converted)
    assert_outputs_equal(converted, back, inputs_for(ref.name))


def test_from_keras_refuses_unconvertible_functional_layers():
    x = keras.Input((3,), name="x")
    y = keras.layers.Dense(2, kernel_constraint=keras.constraints.MaxNorm(1.0), name="d")(x)
    with pytest.raises(ValueError, match="'d' \\(Dense\\): kernel_constraint"):
        mk.interop.from_keras(keras.Model(x, y))
