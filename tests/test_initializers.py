"""minikeras.initializers against keras.initializers: seeded draws bit for bit, unseeded seeds
drawn from Python's `random` as keras draws them, moments and bounds, `get()` and configs."""
import math
import os
import random

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from minikeras import initializers  # noqa: E402

assert keras.backend.backend() == "tensorflow"

# Seeds around the int32 edge and beyond: keras maps them into int32 with
# floormod(seed, 2**31 - 2), so 2**31 - 2 and 0 (and 2**31 and 2) draw the same tensor.
SEEDS = [0, 1, 42, 1337, 2**31 - 3, 2**31 - 2, 2**31 - 1, 2**31, 2**32 + 5, 10**12, -7]
SHAPES = [(7,), (1, 1), (5, 3), (3, 5), (64, 32), (2, 1, 6), (3, 3, 4, 8), (1, 5, 2, 3, 2)]

# (class name, constructor keyword arguments); keras's class of the same name is the reference.
RANDOM_CASES = [
    ("RandomNormal", {}),
    ("RandomNormal", {"mean": 1.5, "stddev": 2.0}),
    ("RandomUniform", {}),
    ("RandomUniform", {"minval": -1.0, "maxval": 3.0}),
    ("RandomUniform", {"minval": 0.1, "maxval": 0.7}),
    ("TruncatedNormal", {}),
    ("TruncatedNormal", {"mean": 0.5, "stddev": 0.1}),
    ("GlorotUniform", {}),
    ("GlorotNormal", {}),
    ("HeNormal", {}),
    ("HeUniform", {}),
    ("LecunNormal", {}),
    ("LecunUniform", {}),
    ("VarianceScaling", {}),
    ("VarianceScaling", {"scale": 0.3, "mode": "fan_out", "distribution": "uniform"}),
    ("VarianceScaling", {"scale": 2.5, "mode": "fan_avg", "distribution": "untruncated_normal"}),
    ("VarianceScaling", {"scale": 0.7, "mode": "fan_in", "distribution": "normal"}),
    ("VarianceScaling", {"scale": 1.0, "mode": "fan_avg", "distribution": "Uniform"}),
    ("Orthogonal", {}),
    ("Orthogonal", {"gain": 2.0}),
]


def _shapes_for(name):
    return [s for s in SHAPES if len(s) >= 2] if name == "Orthogonal" else SHAPES


def _case_id(case):
    return case[0] + "".join(f"-{k}={v}" for k, v in case[1].items())


@pytest.mark.parametrize("case", RANDOM_CASES, ids=_case_id)
def test_seeded_draws_equal_keras_bitwise(case):
    name, kwargs = case
    for seed in SEEDS:
        ours = getattr(initializers, name)(seed=seed, **kwargs)
        ref = getattr(keras.initializers, name)(seed=seed, **kwargs)
        for shape in _shapes_for(name):
            got = ours(shape).numpy()
            want = ref(shape).numpy()
            assert got.dtype == want.dtype == np.float32, (seed, shape)
            assert got.shape == shape
            np.testing.assert_array_equal(got, want, err_msg=f"seed={seed} shape={shape}")


@pytest.mark.parametrize("case", RANDOM_CASES[::3], ids=_case_id)
def test_seeded_float64_draws_equal_keras(case):
    name, kwargs = case
    ours = getattr(initializers, name)(seed=11, **kwargs)((6, 4), dtype="float64").numpy()
    want = getattr(keras.initializers, name)(seed=11, **kwargs)((6, 4), dtype="float64").numpy()
    assert ours.dtype == np.float64
    np.testing.assert_array_equal(ours, want)


@pytest.mark.parametrize("case", RANDOM_CASES, ids=_case_id)
def test_seeded_initializer_repeats_and_seeds_differ(case):
    name, kwargs = case
    init = getattr(initializers, name)(seed=5, **kwargs)
    first = init((6, 4)).numpy()
    np.testing.assert_array_equal(first, init((6, 4)).numpy())
    np.testing.assert_array_equal(first, getattr(initializers, name)(seed=5, **kwargs)((6, 4)))
    assert not np.array_equal(first, getattr(initializers, name)(seed=6, **kwargs)((6, 4)))


@pytest.mark.parametrize("case", RANDOM_CASES, ids=_case_id)
def test_unseeded_draws_seed_from_python_random_like_keras(case):
    name, kwargs = case
    shape = (6, 4)
    random.seed(1234)
    ref = [getattr(keras.initializers, name)(**kwargs) for _ in range(3)]
    after_keras = random.random()
    random.seed(1234)
    ours = [getattr(initializers, name)(**kwargs) for _ in range(3)]
    assert random.random() == after_keras  # the same amount of randomness was consumed
    for mine, theirs in zip(ours, ref):
        np.testing.assert_array_equal(mine(shape), theirs(shape))
    assert not np.array_equal(ours[0](shape), ours[1](shape))
    # An unseeded initializer keeps its seed: calling it twice gives the same tensor (as keras).
    np.testing.assert_array_equal(ours[0](shape), ours[0](shape))


def test_set_random_seed_fixes_unseeded_initializers():
    from minikeras.utils import set_random_seed

    set_random_seed(3)
    a = initializers.GlorotUniform()((4, 4))
    set_random_seed(3)
    b = initializers.GlorotUniform()((4, 4))
    keras.utils.set_random_seed(3)
    c = keras.initializers.GlorotUniform()((4, 4))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


# ---------------------------------------------------------------- moments and bounds (unseeded)

N_ROWS, N_COLS = 300, 200  # 60,000 draws: the sample std is within ~0.3% of the true one.


def _draw(init, shape=(N_ROWS, N_COLS)):
    return init(shape).numpy().astype(np.float64)


def test_random_normal_moments():
    x = _draw(initializers.RandomNormal(mean=1.0, stddev=0.5))
    assert abs(x.mean() - 1.0) < 0.01
    assert abs(x.std() - 0.5) < 0.01


def test_random_uniform_bounds_and_moments():
    x = _draw(initializers.RandomUniform(-0.2, 0.6))
    assert x.min() >= -0.2 and x.max() < 0.6
    assert abs(x.mean() - 0.2) < 0.01
    assert abs(x.std() - 0.8 / math.sqrt(12)) < 0.005


def test_truncated_normal_within_two_stddev():
    x = _draw(initializers.TruncatedNormal(mean=0.3, stddev=0.1))
    assert x.min() >= 0.3 - 0.2 - 1e-6 and x.max() <= 0.3 + 0.2 + 1e-6
    assert abs(x.mean() - 0.3) < 0.005
    # The std of N(0, 1) cut at +-2, computed here from the normal pdf and cdf.
    pdf2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))
    assert abs(x.std() - 0.1 * math.sqrt(1 - 4 * pdf2 / mass)) < 0.002


def _expected_std(scale, mode, fan_in, fan_out):
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    return math.sqrt(scale / fan)


@pytest.mark.parametrize(
    "name,scale,mode,distribution",
    [
        ("GlorotUniform", 1.0, "fan_avg", "uniform"),
        ("GlorotNormal", 1.0, "fan_avg", "truncated_normal"),
        ("HeNormal", 2.0, "fan_in", "truncated_normal"),
        ("HeUniform", 2.0, "fan_in", "uniform"),
        ("LecunNormal", 1.0, "fan_in", "truncated_normal"),
        ("LecunUniform", 1.0, "fan_in", "uniform"),
    ],
)
@pytest.mark.parametrize("shape,fans", [((300, 200), (300, 200)), ((5, 5, 40, 60), (1000, 1500))])
def test_variance_scaling_variants_moments(name, scale, mode, distribution, shape, fans):
    x = _draw(getattr(initializers, name)(), shape)
    std = _expected_std(scale, mode, *fans)
    assert abs(x.mean()) < 0.02 * std * 10
    assert abs(x.std() - std) < 0.02 * std
    if distribution == "uniform":
        assert np.abs(x).max() <= math.sqrt(3) * std * (1 + 1e-6)
    else:
        # Truncated at two standard deviations of the *untruncated* normal.
        assert np.abs(x).max() <= 2 * std / 0.87962566103423978 * (1 + 1e-6)


def test_untruncated_variance_scaling_has_tails():
    x = _draw(initializers.VarianceScaling(4.0, "fan_out", "untruncated_normal"))
    std = math.sqrt(4.0 / N_COLS)
    assert abs(x.std() - std) < 0.02 * std
    assert np.abs(x).max() > 3 * std


@pytest.mark.parametrize("shape", [(6, 6), (10, 4), (4, 10), (3, 3, 2, 5), (2, 3, 8)])
def test_orthogonal_is_orthogonal(shape):
    q = initializers.Orthogonal(gain=3.0)(shape).numpy().reshape(-1, shape[-1]) / 3.0
    small = min(q.shape)
    gram = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-5)


# ---------------------------------------------------------------- deterministic initializers


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 2, 1, 4)])
def test_constant_zeros_ones_equal_keras(dtype, shape):
    for ours, ref in [
        (initializers.Zeros(), keras.initializers.Zeros()),
        (initializers.Ones(), keras.initializers.Ones()),
        (initializers.Constant(2), keras.initializers.Constant(2)),
        (initializers.Constant(-0.3), keras.initializers.Constant(-0.3)),
    ]:
        if dtype == "int32" and isinstance(ours, initializers.Constant) and ours.value == -0.3:
            continue
        got = ours(shape, dtype=dtype).numpy()
        want = ref(shape, dtype=dtype).numpy()
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_default_dtype_is_float32():
    for init in (initializers.Zeros(), initializers.Constant(1.5), initializers.Identity()):
        assert init((2, 2)).dtype == tf.float32


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2)])
@pytest.mark.parametrize("gain", [1.0, 0.5])
def test_identity_equals_keras(shape, gain):
    np.testing.assert_array_equal(
        initializers.Identity(gain)(shape), keras.initializers.Identity(gain)(shape)
    )


def test_identity_and_orthogonal_reject_bad_ranks():
    with pytest.raises(ValueError, match="2-D"):
        initializers.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match="rank"):
        initializers.Orthogonal(seed=1)((5,))


def test_constant_array_value_as_keras():
    value = np.random.default_rng(0).random((3, 3))
    ours, theirs = initializers.Constant(value), keras.initializers.Constant(value)
    np.testing.assert_allclose(ours((3, 3)), theirs((3, 3)), rtol=1e-7)
    np.testing.assert_allclose(initializers.Constant([1.0, 2.0])((3, 2)),
                               keras.initializers.Constant([1.0, 2.0])((3, 2)))
    again = initializers.Constant.from_config(ours.get_config())
    np.testing.assert_allclose(again((3, 3)), ours((3, 3)))
    with pytest.raises(ValueError, match=r"\(3, 3\).*shape=\(2, 2\)"):
        ours((2, 2))
    with pytest.raises(ValueError, match="numeric"):
        initializers.Constant("abc")


def test_get_tensor_or_array_as_keras():
    for values in (np.random.default_rng(1).random((5, 5)).astype("float32"),
                   tf.random.uniform((5, 5))):
        ours, theirs = initializers.get(values), keras.initializers.get(values)
        np.testing.assert_allclose(ours((5, 5)), theirs((5, 5)))
        with pytest.raises(ValueError, match="Expected `shape` to be"):
            ours((10, 10))
    assert initializers.get(None) is None and keras.initializers.get(None) is None


# ---------------------------------------------------------------- fans and validation


@pytest.mark.parametrize("shape", [(), (7,), (4, 9), (3, 4, 5), (3, 3, 16, 32), (2, 3, 4, 5, 6)])
def test_compute_fans_equals_keras(shape):
    from keras.src.initializers.random_initializers import compute_fans as keras_fans

    assert initializers.compute_fans(shape) == keras_fans(shape)


def test_compute_fans_conv_by_hand():
    assert initializers.compute_fans((3, 3, 16, 32)) == (3 * 3 * 16, 3 * 3 * 32)


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"scale": -1.0}, "scale=-1.0"),
        ({"scale": 0.0}, "scale=0.0"),
        ({"mode": "fan_mid"}, "mode='fan_mid'"),
        ({"distribution": "cauchy"}, "distribution='cauchy'"),
    ],
)
def test_variance_scaling_validation(kwargs, fragment):
    with pytest.raises(ValueError) as info:
        initializers.VarianceScaling(**kwargs)
    assert fragment in str(info.value)
    # keras's wording, which keras's own tests match with a regex
    assert any(w in str(info.value) for w in ("Invalid `", "Argument `scale` must be"))
    with pytest.raises(ValueError):
        keras.initializers.VarianceScaling(**kwargs)  # keras rejects the same arguments


def test_variance_scaling_normalises_distribution_names():
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    assert initializers.VarianceScaling(distribution="UNIFORM").distribution == "uniform"


@pytest.mark.parametrize("seed", ["3", 1.5, True])
def test_bad_seed_is_rejected(seed):
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed=seed)


def test_invalid_shape_is_rejected():
    with pytest.raises(ValueError, match="shape"):
        initializers.GlorotUniform(seed=1)((3, None))


def test_random_initializer_needs_float_dtype():
    with pytest.raises(ValueError, match="floating"):
        initializers.RandomNormal(seed=1)((2,), dtype="int32")


# ---------------------------------------------------------------- get, config, serialization

KERAS_NAMES = sorted(
    name
    for name in keras.src.initializers.ALL_OBJECTS_DICT
    if name.lower() not in ("initializer", "stft", "stftinitializer")
)


def _keras_class_for(name):
    return keras.src.initializers.ALL_OBJECTS_DICT[name].__name__


def test_every_name_keras_accepts_is_accepted():
    assert len(KERAS_NAMES) >= 30
    for name in KERAS_NAMES:
        assert type(initializers.get(name)).__name__ == _keras_class_for(name), name


def test_get_constant_by_name_works_unlike_keras():
    # keras.initializers.get("constant") raises KeyError: Constant.from_config reads
    # config["value"] (keras/src/initializers/constant_initializers.py:45). Ours gives 0s.
    with pytest.raises(KeyError):
        keras.initializers.get("constant")
    np.testing.assert_array_equal(initializers.get("constant")((2,)), [0.0, 0.0])


def test_get_string_returns_a_new_instance():
    a, b = initializers.get("glorot_uniform"), initializers.get("glorot_uniform")
    assert isinstance(a, initializers.GlorotUniform) and a is not b


def test_get_passes_instances_and_callables_through():
    init = initializers.HeNormal(seed=1)
    assert initializers.get(init) is init

    def custom(shape, dtype=None):
        return tf.ones(shape, dtype)

    assert initializers.get(custom) is custom
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)


def test_get_dict_builds_from_registry():
    init = initializers.get({"class_name": "RandomUniform",
                             "config": {"minval": 0.0, "maxval": 2.0, "seed": 9}})
    np.testing.assert_array_equal(init((3, 3)),
                                  keras.initializers.RandomUniform(0.0, 2.0, seed=9)((3, 3)))


def test_get_reads_keras_serialized_configs():
    for ref in (
        keras.initializers.GlorotUniform(seed=3),
        keras.initializers.VarianceScaling(0.5, "fan_out", "uniform", seed=4),
        keras.initializers.Constant(0.25),
        keras.initializers.Orthogonal(gain=2.0, seed=8),
    ):
        config = keras.initializers.serialize(ref)
        config["config"].pop("input_axes", None)
        config["config"].pop("output_axes", None)
        ours = initializers.get(config)
        np.testing.assert_array_equal(ours((4, 5)), ref((4, 5)))


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Could not interpret initializer identifier") as info:
        initializers.get("glorot_uniformm")
    for name in ("glorot_uniform", "he_normal", "zeros", "orthogonal"):
        assert name in str(info.value)


def test_get_unknown_dict_class_is_rejected():
    with pytest.raises(ValueError, match="Could not interpret"):
        initializers.get({"class_name": "os.system", "config": {}})
    with pytest.raises(ValueError):
        initializers.get({"config": {}})
    with pytest.raises(ValueError, match="Invalid config"):
        initializers.get({"class_name": "Zeros", "config": {"bogus": 1}})


@pytest.mark.parametrize("bad", [3, [1, 2]])
def test_get_rejects_other_types(bad):
    with pytest.raises(TypeError, match="glorot_uniform"):
        initializers.get(bad)


def _keras_config(ref):
    return ref.get_config()  # input_axes/output_axes included, as keras


@pytest.mark.parametrize("case", RANDOM_CASES, ids=_case_id)
def test_config_matches_keras_and_round_trips(case):
    name, kwargs = case
    for seed in (None, 21):
        ours = getattr(initializers, name)(seed=seed, **kwargs)
        ref = getattr(keras.initializers, name)(seed=seed, **kwargs)
        assert ours.get_config() == _keras_config(ref)
    clone = type(ours).from_config(ours.get_config())
    np.testing.assert_array_equal(clone((3, 4)), ours((3, 4)))
    again = initializers.deserialize(initializers.serialize(ours))
    np.testing.assert_array_equal(again((3, 4)), ours((3, 4)))


def test_constant_and_identity_configs():
    assert initializers.Constant(0.5).get_config() == keras.initializers.Constant(0.5).get_config()
    # keras's Identity has no get_config, so its gain is lost on a round trip; ours keeps it.
    assert keras.initializers.Identity(2.0).get_config() == {}
    clone = initializers.deserialize(initializers.serialize(initializers.Identity(2.0)))
    np.testing.assert_array_equal(clone((2, 2)), [[2.0, 0.0], [0.0, 2.0]])


def test_serialize_rejects_custom_initializers():
    class Custom(initializers.Initializer):
        def __call__(self, shape, dtype=tf.float32):
            return tf.zeros(shape, dtype)

    with pytest.raises(ValueError):
        initializers.serialize(Custom())


def test_base_initializer_must_be_subclassed():
    with pytest.raises(NotImplementedError):
        initializers.Initializer()((2,))


def test_lower_case_names_are_the_classes_as_in_keras():
    for name in ("constant", "zeros", "ones", "identity", "random_normal", "random_uniform",
                 "truncated_normal", "variance_scaling", "orthogonal", "glorot_normal",
                 "glorot_uniform", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform",
                 "OrthogonalInitializer", "IdentityInitializer"):
        ours, theirs = getattr(initializers, name), getattr(keras.initializers, name)
        assert ours.__name__ == theirs.__name__
        assert ours is getattr(initializers, theirs.__name__)
