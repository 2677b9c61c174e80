"""What keras's own layer tests check of every layer, against keras itself: `supports_masking`,
built at instantiation (stateless layers), accepting inputs of other shapes later, and the
small behaviours keras's conformance tests found (masked global average, error wording)."""
import keras
import numpy as np
import pytest

from minikeras import layers

# Constructor arguments for layers that need some; the rest are made with their defaults.
_ARGS = {"Conv1D": (2, 3), "Conv2D": (2, 3), "Embedding": (5, 2), "Permute": ((1,),),
         "RepeatVector": (2,), "Reshape": ((2,),), "CategoryEncoding": (3,),
         "AlphaDropout": (0.1,), "GaussianDropout": (0.1,), "GaussianNoise": (0.1,),
         "SpatialDropout1D": (0.1,), "SpatialDropout2D": (0.1,), "Discretization": ([0.0, 1.0],),
         "AveragePooling1D": (2,), "AveragePooling2D": (2,), "Rescaling": (0.5,)}
_NAMES = ["Conv1D", "Conv2D", "Embedding", "Identity", "Permute", "RepeatVector", "Reshape",
          "UpSampling2D", "ZeroPadding2D", "CategoryEncoding", "Discretization", "Normalization",
          "Rescaling", "BatchNormalization", "LayerNormalization", "GroupNormalization",
          "ELU", "LeakyReLU", "PReLU", "ReLU", "ActivityRegularization", "AlphaDropout",
          "GaussianDropout", "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D",
          "AveragePooling1D", "AveragePooling2D", "MaxPooling1D", "MaxPooling2D",
          "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
          "GlobalMaxPooling2D"]


@pytest.mark.parametrize("name", _NAMES)
def test_supports_masking_and_built_at_instantiation_as_keras(name):
    args = _ARGS.get(name, ())
    ours, ref = getattr(layers, name)(*args), getattr(keras.layers, name)(*args)
    assert ours.supports_masking == ref.supports_masking
    assert ours.built == ref.built


@pytest.mark.parametrize("name", ["ReLU", "ELU", "LeakyReLU", "Reshape", "GaussianNoise"])
def test_stateless_layers_take_inputs_of_any_shape_later_as_keras(name):
    ours, ref = getattr(layers, name)(*_ARGS.get(name, ())), getattr(keras.layers, name)(
        *_ARGS.get(name, ()))
    if name == "Reshape":
        ours, ref = layers.Reshape((-1,)), keras.layers.Reshape((-1,))
    for shape in [(2, 4), (3, 2, 5), (1, 7)]:
        x = np.random.default_rng(0).normal(size=shape).astype("float32")
        np.testing.assert_allclose(ours(x), ref(x), rtol=1e-6)


@pytest.mark.parametrize("data_format, keepdims", [("channels_last", False),
                                                   ("channels_first", True)])
def test_global_average_pooling1d_mask_as_keras(data_format, keepdims):
    x = np.arange(24, dtype="float32").reshape((2, 3, 4))
    steps = 3 if data_format == "channels_last" else 4
    mask = np.random.default_rng(1).random((2, steps)) > 0.3
    mask[:, 0] = True
    ours = layers.GlobalAveragePooling1D(data_format=data_format, keepdims=keepdims)
    ref = keras.layers.GlobalAveragePooling1D(data_format=data_format, keepdims=keepdims)
    np.testing.assert_allclose(ours(x, mask=mask), ref(x, mask=mask), rtol=1e-6)
    np.testing.assert_allclose(ours(x, mask.astype("int32")), ref(x, mask.astype("int32")),
                               rtol=1e-6)


def test_pooling_checks_the_rank_of_each_call_as_keras():
    layer = layers.MaxPooling2D()
    assert layer.built
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        layer(np.ones((2, 4, 4), "float32"))
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        layers.GlobalMaxPooling1D()(np.ones((2, 4, 4, 1), "float32"))


def test_relu_error_wording_as_keras():
    for kwargs in [{"max_value": -10}, {"negative_slope": -10}, {"threshold": -10}]:
        with pytest.raises(ValueError) as ours:
            layers.ReLU(**kwargs)
        with pytest.raises(ValueError) as ref:
            keras.layers.ReLU(**kwargs)
        assert str(ours.value) == str(ref.value)


@pytest.mark.parametrize("name, config", [("Embedding", {"input_dim": 3.7, "output_dim": 8}),
                                          ("Embedding", {"input_dim": 10, "output_dim": 0}),
                                          ("Dense", {"units": -1})])
def test_from_config_wraps_constructor_errors_as_keras(name, config):
    with pytest.raises(TypeError) as ours:
        getattr(layers, name).from_config(config)
    with pytest.raises(TypeError) as ref:
        getattr(keras.layers, name).from_config(config)
    head = f"Error when deserializing class '{name}' using config="
    assert str(ours.value).startswith(head) and str(ref.value).startswith(head)
    # keras's config gains quantization_config first; the constructor's message is the same
    assert str(ours.value).split("Exception encountered: ")[1].split(". Received")[0] == \
        str(ref.value).split("Exception encountered: ")[1].split(". Received")[0]


def test_embedding_weights_argument_as_keras():
    matrix = np.arange(12, dtype="float32").reshape(3, 4)
    for weights in (matrix, [matrix]):
        ours = layers.Embedding(3, 4, weights=weights)
        np.testing.assert_array_equal(ours.embeddings, keras.layers.Embedding(
            3, 4, weights=weights).embeddings)
        assert ours.built
    with pytest.raises(ValueError, match=r"Expected `weights` of shape \(3, 4\)"):
        layers.Embedding(3, 4, weights=np.ones((4, 3)))


def test_identity_is_built_at_once_and_passes_anything_as_keras():
    layer = layers.Identity()
    assert layer.built and layer.supports_masking
    for x in (np.ones((2, 3), "float32"), np.ones((4, 1, 2), "int32")):
        np.testing.assert_array_equal(layer(x), keras.layers.Identity()(x))
