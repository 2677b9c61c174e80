"""keras.random's draws against keras: the same integer seed or SeedGenerator gives the same
tensor bit for bit; a SeedGenerator advances; bad seeds are refused as keras refuses them."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk

X = np.arange(24, dtype="float32").reshape(6, 4)
DRAWS = {
    "normal": lambda lib, seed: lib.random.normal((3, 4), mean=1.0, stddev=2.0, seed=seed),
    "truncated_normal": lambda lib, seed: lib.random.truncated_normal((5,), seed=seed),
    "uniform": lambda lib, seed: lib.random.uniform((2, 3), minval=-1, maxval=2, seed=seed),
    "randint": lambda lib, seed: lib.random.randint((4,), 0, 10, seed=seed),
    "randint-int8": lambda lib, seed: lib.random.randint((4,), 0, 10, dtype="int8", seed=seed),
    "categorical": lambda lib, seed: lib.random.categorical(tf.math.log([[0.2, 0.8]]), 6,
                                                            seed=seed),
    "shuffle": lambda lib, seed: lib.random.shuffle(X, seed=seed),
    "shuffle-axis1": lambda lib, seed: lib.random.shuffle(X, axis=1, seed=seed),
    "dropout": lambda lib, seed: lib.random.dropout(tf.ones((4, 5)), 0.5, seed=seed),
    "dropout-noise-shape": lambda lib, seed: lib.random.dropout(
        tf.ones((4, 5)), 0.3, noise_shape=(None, 1), seed=seed),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_integer_seeds_match_keras(name):
    for seed in (0, 7, 2**31 + 5):
        ours, ref = DRAWS[name](mk, seed), DRAWS[name](keras, seed)
        assert ours.dtype == ref.dtype
        np.testing.assert_array_equal(np.asarray(ours), keras.ops.convert_to_numpy(ref))


@pytest.mark.parametrize("name", ["normal", "uniform", "shuffle"])
def test_seed_generators_advance_as_keras(name):
    ours_gen, ref_gen = mk.random.SeedGenerator(42), keras.random.SeedGenerator(42)
    ours = [np.asarray(DRAWS[name](mk, ours_gen)) for _ in range(3)]
    ref = [keras.ops.convert_to_numpy(DRAWS[name](keras, ref_gen)) for _ in range(3)]
    for a, b in zip(ours, ref):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(ours[0], ours[1])


def test_unseeded_draws_follow_set_random_seed():
    mk.utils.set_random_seed(3)
    first = mk.random.normal((3,))
    mk.utils.set_random_seed(3)
    np.testing.assert_array_equal(mk.random.normal((3,)), first)


def test_bad_seed_is_refused():
    with pytest.raises(ValueError, match="must be either an integer"):
        mk.random.normal((2,), seed="1")
