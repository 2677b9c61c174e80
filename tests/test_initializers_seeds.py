"""SeedGenerator seeds and input_axes/output_axes fans: keras's draws, configs and errors."""
import keras
import numpy as np
import pytest

from minikeras import initializers
from minikeras.initializers.variance_scaling import compute_fans
from minikeras.random import SeedGenerator

NAMES = ["RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling",
         "GlorotUniform", "HeNormal", "LecunNormal", "Orthogonal"]


@pytest.mark.parametrize("name", NAMES)
def test_seed_generator_draws_keras_sequence(name):
    ours = getattr(initializers, name)(seed=SeedGenerator(1337))
    theirs = getattr(keras.initializers, name)(seed=keras.random.SeedGenerator(1337))
    draws = [ours((4, 3)) for _ in range(3)]
    for draw in draws:
        np.testing.assert_array_equal(np.asarray(draw), np.asarray(theirs((4, 3))))
    assert not np.array_equal(draws[0], draws[1])
    # the first draw of a generator is the integer seed's draw
    np.testing.assert_array_equal(draws[0], getattr(initializers, name)(seed=1337)((4, 3)))


def test_seed_generator_config_as_keras():
    ours = initializers.RandomNormal(seed=SeedGenerator(7, name="gen"))
    theirs = keras.initializers.RandomNormal(seed=keras.random.SeedGenerator(7, name="gen"))
    assert ours.get_config() == theirs.get_config()
    clone = initializers.RandomNormal.from_config(theirs.get_config())  # keras's config loads
    assert isinstance(clone.seed, SeedGenerator) and clone.get_config() == ours.get_config()
    np.testing.assert_array_equal(clone((2, 2)), ours((2, 2)))
    assert SeedGenerator(3).get_config()["seed"] == 3
    assert SeedGenerator().get_config()["seed"] is None


def test_seed_generator_refuses_as_keras():
    with pytest.raises(ValueError, match="Argument `seed` must be an integer. Received: seed=1.5"):
        SeedGenerator(1.5)
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        SeedGenerator(1, sede=2)
    with pytest.raises(ValueError, match="SeedGenerator"):
        initializers.RandomNormal(seed="x")


@pytest.mark.parametrize("shape,axes", [((512, 8, 64), ([0], [1, 2])),
                                        ((512, 8, 64), ([0, 1], [2])),
                                        ((3, 4, 5, 6), ([-1], [0, 2])),
                                        ((3, 4), (None, [1]))])
def test_compute_fans_with_axes_as_keras(shape, axes):
    from keras.src.initializers.random_initializers import compute_fans as keras_fans
    assert compute_fans(shape, *axes) == keras_fans(shape, *axes)


@pytest.mark.parametrize("name,kwargs", [("VarianceScaling", {"scale": 2.0}),
                                         ("GlorotUniform", {}), ("HeNormal", {}),
                                         ("LecunUniform", {})])
def test_axes_change_the_draw_as_keras(name, kwargs):
    axes = {"input_axes": [0], "output_axes": [1, 2]}
    ours = getattr(initializers, name)(seed=3, **kwargs, **axes)
    theirs = getattr(keras.initializers, name)(seed=3, **kwargs, **axes)
    np.testing.assert_array_equal(np.asarray(ours((8, 2, 4))), np.asarray(theirs((8, 2, 4))))
    assert ours.get_config() == theirs.get_config()
    clone = initializers.deserialize(initializers.serialize(ours))
    np.testing.assert_array_equal(clone((8, 2, 4)), ours((8, 2, 4)))


def test_axes_are_checked():
    with pytest.raises(ValueError, match="Expected `input_axes` to be None or a list"):
        initializers.VarianceScaling(input_axes="0", output_axes=[1])
    init = initializers.VarianceScaling(input_axes=[0], output_axes=[3])
    with pytest.raises(ValueError, match=r"axes of the weight shape \(2, 2\)"):
        init((2, 2))
