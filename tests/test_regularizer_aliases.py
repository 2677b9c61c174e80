"""keras's lower-case regularizer names as scripts write them: regularizers.l2(0.01) and
friends are the classes, computing what keras computes."""
import keras
import numpy as np
import pytest

import minikeras as mk

W = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")


@pytest.mark.parametrize("name,args", [("l1", (0.02,)), ("l2", (0.01,)), ("l1_l2", (0.01, 0.02)),
                                       ("orthogonal_regularizer", (0.1,))])
def test_aliases_are_the_classes_and_match_keras(name, args):
    ours, ref = getattr(mk.regularizers, name)(*args), getattr(keras.regularizers, name)(*args)
    assert type(ours).__name__ == type(ref).__name__
    np.testing.assert_allclose(float(ours(W)), float(ref(W)), rtol=1e-6)
    ours_config, ref_config = ours.get_config(), ref.get_config()
    assert sorted(ours_config) == sorted(ref_config)
    for key, value in ref_config.items():  # keras rounds the factors to float32
        assert ours_config[key] == (pytest.approx(value, rel=1e-6)
                                    if isinstance(value, float) else value)
