"""Sequential: structure, building, weights, summary, nesting, against keras where it applies."""
import keras
import numpy as np
import pytest

import minikeras as mk
from minikeras import layers
from minikeras._logits import record_logits


def _pair(seed=0):
    """The same 3-5-2 network in keras and minikeras, with keras's weights copied over."""
    ref = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5, activation="tanh"),
                            keras.layers.Dense(2, activation="softmax")])
    ours = mk.Sequential([mk.Input(shape=(3,)), layers.Dense(5, activation="tanh"),
                          layers.Dense(2, activation="softmax")])
    ours.set_weights(ref.get_weights())
    return ref, ours


def test_forward_and_weights_match_keras():
    ref, ours = _pair()
    x = np.random.default_rng(1).normal(size=(9, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(x).numpy(), ref(x).numpy(), rtol=1e-6, atol=1e-7)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert ours.count_params() == ref.count_params() == 3 * 5 + 5 + 5 * 2 + 2
    assert [v.shape for v in ours.trainable_variables] == [(3, 5), (5,), (5, 2), (2,)]
    assert len(ours.variables) == 4


def test_builds_lazily_from_first_input_and_from_input_shape_kwarg():
    m = mk.Sequential([layers.Dense(4), layers.Dense(1)])
    assert not m.built
    m(np.ones((2, 3), np.float32))
    assert m.built and m.layers[0].kernel.shape == (3, 4)
    m2 = mk.Sequential([layers.Dense(4, input_shape=(6,)), layers.Dense(1)])
    assert m2.built and m2.count_params() == 6 * 4 + 4 + 5
    m3 = mk.Sequential([layers.Dense(4)])
    m3.build((None, 2))
    assert m3.output_shape == (None, 4)


def test_add_pop_and_layers_exclude_input():
    m = mk.Sequential()
    m.add(mk.Input(shape=(2,)))
    d1, d2 = layers.Dense(3), layers.Dense(1)
    m.add(d1)
    m.add(d2)
    assert m.layers == [d1, d2] and d2.built
    assert m.pop() is d2 and m.layers == [d1]
    with pytest.raises(ValueError, match="Only instances of `keras.Layer`"):
        m.add(keras.layers.Dense(1))
    with pytest.raises(ValueError, match="already been configured"):
        m.add(mk.Input(shape=(3,)))


def test_nested_sequential_is_a_layer():
    inner = mk.Sequential([layers.Dense(4, activation="relu"), layers.Dense(3)])
    outer = mk.Sequential([mk.Input(shape=(2,)), inner, layers.Dense(1, activation="sigmoid")])
    x = np.ones((5, 2), np.float32)
    assert outer(x).shape == (5, 1)
    assert len(outer.weights) == 6 and outer.count_params() == 2 * 4 + 4 + 4 * 3 + 3 + 3 + 1
    with record_logits() as logits_of:
        out = outer(x)
    assert logits_of(out) is not None  # the sigmoid's logits come through the stack


def test_set_weights_checks_count_and_shapes_before_assigning():
    _, ours = _pair()
    before = ours.get_weights()
    with pytest.raises(ValueError, match="weight 'bias' of shape .* has no array: "
                                         "set_weights received 3 arrays, the model has 4"):
        ours.set_weights(before[:3])
    bad = [w.copy() for w in before]
    bad[2] = np.zeros((2, 5), np.float32)
    bad[0] = bad[0] + 1  # would be assigned first if checks were not done up front
    with pytest.raises(ValueError, match=r"has shape \(5, 2\), received an array of shape \(2, 5\)"):
        ours.set_weights(bad)
    for a, b in zip(ours.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_summary_lists_layers_shapes_and_params():
    _, ours = _pair()
    lines = []
    ours.summary(print_fn=lines.append)
    text = "\n".join(lines)
    for name in (l.name for l in ours.layers):
        assert name in text
    assert "(None, 5)" in text and "(None, 2)" in text
    assert "Total params: 32" in text and "Trainable params: 32" in text


def test_count_params_before_build_is_a_clear_error():
    with pytest.raises(ValueError, match="not built"):
        mk.Sequential([layers.Dense(2)]).count_params()


def test_wrong_features_after_build():
    _, ours = _pair()
    with pytest.raises(ValueError, match=r"expected shape=\(None, 3\), found shape=\(4, 2\)"):
        ours(np.ones((4, 2), np.float32))


def test_trainable_false_freezes():
    _, ours = _pair()
    ours.layers[0].trainable = False
    assert len(ours.trainable_weights) == 2 and len(ours.non_trainable_weights) == 2
    ours.trainable = False
    assert ours.trainable_weights == []


def test_keras_argument_order_build_without_shape_and_summary_options():
    m = mk.Sequential([mk.Input(shape=(2,)), layers.Dense(3), mk.Sequential([layers.Dense(1)])],
                      False, "frozen")  # keras's positional order: layers, trainable, name
    assert m.name == "frozen" and not m.trainable
    fresh = mk.Sequential([mk.Input(shape=(4,)), layers.Dense(2)])
    fresh.build()  # from the Input, as keras
    assert fresh.layers[0].kernel.shape == (4, 2)
    with pytest.raises(ValueError, match="needs an `input_shape`"):
        mk.Sequential([layers.Dense(2)]).build()
    lines = []
    m.summary(line_length=90, print_fn=lines.append, expand_nested=True, show_trainable=True)
    text = lines[0]
    assert "Trainable" in text and max(len(l) for l in text.splitlines()) >= 90
    nested = [l for l in text.splitlines() if l.startswith("  dense")]
    assert len(nested) == 1 and "(None, 1)" in nested[0]  # the inner Dense, indented
    with pytest.raises(ValueError, match="positions"):
        m.summary(positions=[0.3, 0.6, 1.0])


def test_keras_rules_for_sequential_structure():
    m = mk.Sequential()
    assert not any(hasattr(m, a) for a in ("input_shape", "output_shape", "inputs", "outputs"))
    with pytest.raises(AttributeError, match=r"Use `add\(\)` and `pop\(\)`"):
        m.layers = [layers.Dense(4)]
    with pytest.raises(ValueError, match="no layers"):
        m(np.ones((3, 2), np.float32))
    m.add(layers.Dense(2, name="d"))
    with pytest.raises(ValueError, match="should have unique names"):
        m.add(layers.Dense(2, name="d"))
    m = mk.Sequential([mk.Input((4,)), layers.Dense(8)])
    assert m.input_shape == (None, 4) and m.output_shape == (None, 8)
    assert m.inputs[0].shape == (None, 4) and m.outputs[0].shape == (None, 8)
    with pytest.raises(ValueError, match="already been configured"):
        m.build((None, 5))
    revived = mk.Sequential.from_config(m.get_config())
    assert revived.built and revived.get_config() == m.get_config()

    class TwoArgs(layers.Layer):
        def call(self, inputs, training):
            return inputs

    with pytest.raises(ValueError, match="single required positional argument"):
        mk.Sequential([TwoArgs()]).build((None, 2))


def test_dict_and_list_inputs_leave_the_model_unbuilt_as_keras():
    class Passthrough(layers.Layer):
        def call(self, inputs):
            return inputs

    x = {"a": np.ones((3, 2), np.float32), "b": np.zeros((3, 2), np.float32)}
    assert set(mk.Sequential([Passthrough()])(x)) == {"a", "b"}
    assert len(mk.Sequential([Passthrough()])([x["a"], x["b"]])) == 2
