"""Learning-rate schedules: keras's values bit for bit over a range of steps, configs, registry."""
import keras
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from minikeras.optimizers import schedules

KS = keras.optimizers.schedules
STEPS = list(range(0, 130)) + [1000, 12345]
# name -> (class name, kwargs); the same arguments build keras's and minikeras's schedule.
CASES = {
    "exp": ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.9)),
    "exp-staircase": ("ExponentialDecay", dict(initial_learning_rate=0.05, decay_steps=7,
                                               decay_rate=0.5, staircase=True)),
    "exp-growth": ("ExponentialDecay", dict(initial_learning_rate=1e-3, decay_steps=33,
                                            decay_rate=1.7)),
    "piecewise": ("PiecewiseConstantDecay", dict(boundaries=[10, 40, 100],
                                                 values=[0.1, 0.05, 0.01, 0.001])),
    "piecewise-one": ("PiecewiseConstantDecay", dict(boundaries=[0], values=[1.0, 0.5])),
    "inverse": ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=5,
                                         decay_rate=0.5)),
    "inverse-staircase": ("InverseTimeDecay", dict(initial_learning_rate=0.3, decay_steps=12,
                                                   decay_rate=2.0, staircase=True)),
    "poly": ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=100)),
    "poly-power": ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=50,
                                           end_learning_rate=0.01, power=0.5)),
    "poly-cycle": ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=30,
                                           end_learning_rate=0.001, power=2.0, cycle=True)),
    "cosine": ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=100)),
    "cosine-alpha": ("CosineDecay", dict(initial_learning_rate=0.02, decay_steps=45, alpha=0.2)),
    "cosine-warmup": ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=80,
                                          warmup_target=0.1, warmup_steps=20)),
    "cosine-warmup-alpha": ("CosineDecay", dict(initial_learning_rate=0.01, decay_steps=60,
                                                alpha=0.1, warmup_target=0.05,
                                                warmup_steps=15)),
    "cosine-target-no-warmup": ("CosineDecay", dict(initial_learning_rate=0.01,
                                                    decay_steps=60, warmup_target=0.05)),
}


def pair(case):
    name, kwargs = CASES[case]
    return getattr(schedules, name)(**kwargs), getattr(KS, name)(**kwargs)


def assert_same_values(ours, theirs, steps, step_dtype=tf.int64):
    for t in steps:
        step = tf.constant(t, step_dtype)
        a, b = ours(step), theirs(step)
        assert a.dtype == tf.float32, f"step {t}: dtype {a.dtype}"
        assert a.numpy() == b.numpy(), f"first diverging step: {t}: {a.numpy()} vs {b.numpy()}"


@pytest.mark.parametrize("case", list(CASES))
def test_values_match_keras_bit_for_bit(case):
    ours, theirs = pair(case)
    assert_same_values(ours, theirs, STEPS)


@pytest.mark.parametrize("case", ["exp", "piecewise", "poly-cycle", "cosine-warmup"])
def test_python_int_and_variable_steps(case):
    ours, theirs = pair(case)
    for t in (0, 3, 50, 200):
        assert ours(t).numpy() == theirs(t).numpy()
    step = tf.Variable(0, dtype=tf.int64)
    for t in range(0, 60, 7):
        step.assign(t)
        assert ours(step).numpy() == theirs(step).numpy()


@pytest.mark.parametrize("case", ["exp-staircase", "piecewise", "poly-cycle",
                                  "cosine-warmup-alpha"])
def test_inside_tf_function_one_trace(case):
    """Read at a step variable in a compiled function: one trace, keras's compiled values.

    Compiled and eager values can differ by design of TensorFlow's graph optimizer, for keras
    too: it turns ``step / decay_steps`` into ``step * (1 / decay_steps)``, so PolynomialDecay
    with cycle=True gives ceil(90 * (1/30)) = 4 cycles at step 90 in a tf.function and 3 eagerly.
    minikeras keeps keras's operations, so it matches keras in both modes.
    """
    ours, theirs = pair(case)
    step = tf.Variable(0, dtype=tf.int64)
    traces = []

    @tf.function
    def read():
        traces.append(1)
        return ours(step)

    @tf.function
    def read_keras():
        return theirs(step)

    for t in range(0, 120, 3):
        step.assign(t)
        assert read().numpy() == read_keras().numpy(), f"step {t}"
    assert len(traces) == 1


@settings(max_examples=40, deadline=None)
@given(lr=st.floats(1e-5, 1.0), decay_steps=st.integers(1, 500), rate=st.floats(0.05, 0.99),
       staircase=st.booleans(), step=st.integers(0, 5000))
def test_exponential_and_inverse_fuzz(lr, decay_steps, rate, staircase, step):
    for name in ("ExponentialDecay", "InverseTimeDecay"):
        kwargs = dict(initial_learning_rate=lr, decay_steps=decay_steps, decay_rate=rate,
                      staircase=staircase)
        ours, theirs = getattr(schedules, name)(**kwargs), getattr(KS, name)(**kwargs)
        s = tf.constant(step, tf.int64)
        assert ours(s).numpy() == theirs(s).numpy(), (name, kwargs, step)


@settings(max_examples=40, deadline=None)
@given(lr=st.floats(1e-5, 1.0), decay_steps=st.integers(1, 500), alpha=st.floats(0.0, 1.0),
       warmup=st.one_of(st.none(), st.tuples(st.floats(1e-4, 1.0), st.integers(0, 300))),
       power=st.floats(0.1, 3.0), cycle=st.booleans(), step=st.integers(0, 2000))
def test_cosine_and_polynomial_fuzz(lr, decay_steps, alpha, warmup, power, cycle, step):
    extra = {} if warmup is None else dict(warmup_target=warmup[0], warmup_steps=warmup[1])
    s = tf.constant(step, tf.int64)
    cos_kw = dict(initial_learning_rate=lr, decay_steps=decay_steps, alpha=alpha, **extra)
    assert schedules.CosineDecay(**cos_kw)(s).numpy() == KS.CosineDecay(**cos_kw)(s).numpy()
    poly_kw = dict(initial_learning_rate=lr, decay_steps=decay_steps, end_learning_rate=lr / 10,
                   power=power, cycle=cycle)
    assert schedules.PolynomialDecay(**poly_kw)(s).numpy() == \
        KS.PolynomialDecay(**poly_kw)(s).numpy()


@pytest.mark.parametrize("case", list(CASES))
def test_config_round_trip_and_serialize(case):
    ours, theirs = pair(case)
    config = ours.get_config()
    assert config == theirs.get_config()
    again = type(ours).from_config(config)
    assert again.get_config() == config
    data = schedules.serialize(ours)
    assert data == {"class_name": type(ours).__name__, "config": config}
    rebuilt = schedules.deserialize(data)
    assert type(rebuilt) is type(ours)
    assert_same_values(rebuilt, theirs, [0, 5, 50, 500])
    # keras's serialized form (with module/registered_name keys) loads too.
    assert schedules.deserialize(KS.serialize(theirs)).get_config() == config


def test_registry_only_custom_schedules():
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, lr):
            self.lr = lr

        def __call__(self, step):
            return self.lr * 0.5 ** tf.cast(step // 10, tf.float32)

        def get_config(self):
            return {"lr": self.lr}

    with pytest.raises(ValueError, match="not registered"):
        schedules.serialize(Halving(0.1))
    schedules.register(Halving)
    rebuilt = schedules.deserialize(schedules.serialize(Halving(0.1)))
    assert isinstance(rebuilt, Halving) and float(rebuilt(25)) == pytest.approx(0.025)
    with pytest.raises(ValueError, match="Valid names are: .*CosineDecay"):
        schedules.deserialize({"class_name": "builtins.eval", "config": {}})
    with pytest.raises(TypeError):
        schedules.register(dict)


def test_base_class_says_what_to_override():
    with pytest.raises(NotImplementedError, match="__call__"):
        schedules.LearningRateSchedule()(0)
    with pytest.raises(NotImplementedError, match="get_config"):
        schedules.LearningRateSchedule().get_config()


@pytest.mark.parametrize("make,match", [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.9), "decay_steps` must be > 0"),
    (lambda: schedules.InverseTimeDecay(0.1, -3, 0.9), "decay_steps"),
    (lambda: schedules.PolynomialDecay(0.1, 0), "decay_steps"),
    (lambda: schedules.CosineDecay(0.1, 0), "decay_steps"),
    (lambda: schedules.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=-1), "warmup_steps"),
    (lambda: schedules.ExponentialDecay(float("nan"), 10, 0.9), "initial_learning_rate"),
    (lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2]), "1 less than"),
    (lambda: schedules.PiecewiseConstantDecay([5, 2], [0.1, 0.2, 0.3]), "strictly increasing"),
    (lambda: schedules.PiecewiseConstantDecay([1], [0.1, float("inf")]), r"values\[1\]"),
])
def test_argument_validation(make, match):
    with pytest.raises(ValueError, match=match):
        make()
