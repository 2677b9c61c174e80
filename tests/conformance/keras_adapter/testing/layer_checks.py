"""keras's ``run_layer_test`` checks on a minikeras layer.

What is checked, in keras's order: config/serialization round trip; ``supports_masking``;
``build(input_shape)`` creates the expected numbers of trainable and non-trainable weights
(and seeded random state); an eager call gives the expected output shape, dtype and value
and the expected number of losses; a stateless layer is built on instantiation; one
``fit`` step of the layer inside a `Sequential` (a functional model for several inputs)
runs. Not checked, because minikeras has no such thing: the symbolic (KerasTensor) call
and the mixed-precision call.
"""
from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import tensorflow as tf

from keras_adapter import tree

_SHAPE_FILL = 2  # a None dimension in input_shape becomes this size


def _is_shape(x: Any) -> bool:
    return isinstance(x, (list, tuple)) and all(d is None or isinstance(d, int) for d in x)


def _eager_inputs(input_shape: Any, input_dtype: Any) -> Any:
    """Random tensors (values in [0, 3)) of the given shapes and dtypes."""
    if _is_shape(input_shape):
        shape = tuple(_SHAPE_FILL if d is None else d for d in input_shape)
        dtype = input_dtype or "float32"
        return tf.cast(tf.random.uniform(shape, dtype="float32") * 3, dtype)
    if isinstance(input_shape, dict):
        return {k.removesuffix("_shape"): _eager_inputs(v, (input_dtype or {}).get(k))
                for k, v in input_shape.items()}
    dtypes = input_dtype or [None] * len(input_shape)
    return type(input_shape)(_eager_inputs(s, d) for s, d in zip(input_shape, dtypes))


def _seed_states(layer: Any) -> list:
    """Seeded random state the layer owns (keras's SeedGenerators; tf.random.Generator)."""
    found = []
    for value in vars(layer).values():
        if isinstance(value, tf.random.Generator) or type(value).__name__ == "SeedGenerator":
            found.append(value)
    return found


def _call(layer: Any, data: Any, call_kwargs: dict) -> Any:
    if isinstance(data, dict):
        return layer(**data, **call_kwargs)
    return layer(data, **call_kwargs)


def run_layer_test(case: Any, layer_cls: type, init_kwargs: dict, input_shape: Any = None,
                   input_dtype: Any = None, input_sparse: bool = False,
                   input_ragged: bool = False, input_data: Any = None,
                   call_kwargs: dict | None = None, expected_output_shape: Any = None,
                   expected_output_dtype: Any = None, expected_output_sparse: bool = False,
                   expected_output_ragged: bool = False, expected_output: Any = None,
                   expected_num_trainable_weights: int | None = None,
                   expected_num_non_trainable_weights: int | None = None,
                   expected_num_non_trainable_variables: int | None = None,
                   expected_num_seed_generators: int | None = None,
                   expected_num_losses: int | None = None, supports_masking: Any = None,
                   expected_mask_shape: Any = None, custom_objects: Any = None,
                   run_training_check: bool = True, run_mixed_precision_check: bool = True,
                   assert_built_after_instantiation: bool = False, tpu_atol: Any = None,
                   tpu_rtol: Any = None) -> None:
    """Runs the checks listed in the module docstring; raises AssertionError on a miss."""
    if input_shape is not None and input_data is not None:
        raise ValueError("input_shape and input_data cannot be passed at the same time.")
    if expected_output is not None and input_data is None:
        raise ValueError("In order to use expected_output, input_data must be provided.")
    if ((input_sparse or input_ragged) and input_data is None) or expected_output_sparse \
            or expected_output_ragged:
        raise NotImplementedError("minikeras has no sparse or ragged tensors")
    if expected_mask_shape is not None:
        raise NotImplementedError("minikeras has no masking (compute_mask)")
    init_kwargs = init_kwargs or {}
    call_kwargs = call_kwargs or {}
    has_input = input_data is not None or input_shape is not None
    if has_input and input_data is None:
        input_data = _eager_inputs(input_shape, input_dtype)

    layer = layer_cls(**init_kwargs)
    case.run_class_serialization_test(layer, custom_objects)
    if supports_masking is not None:
        case.assertEqual(layer.supports_masking, supports_masking,
                         msg="Unexpected supports_masking value")
    if not has_input:
        return

    def build_asserts(layer: Any) -> None:
        case.assertTrue(layer.built)
        for expected, attr in ((expected_num_trainable_weights, "trainable_weights"),
                               (expected_num_non_trainable_weights, "non_trainable_weights"),
                               (expected_num_non_trainable_variables, "non_trainable_variables")):
            if expected is not None:
                case.assertLen(getattr(layer, attr), expected, msg=f"Unexpected number of {attr}")
        if expected_num_seed_generators is not None:
            case.assertLen(_seed_states(layer), expected_num_seed_generators,
                           msg="Unexpected number of seed generators")

    build_shape = input_shape if input_shape is not None else tree.map_structure(
        lambda x: tuple(tf.convert_to_tensor(x).shape), input_data)
    layer = layer_cls(**init_kwargs)
    if isinstance(build_shape, dict):
        layer.build(**build_shape)
    else:
        layer.build(build_shape)
    build_asserts(layer)

    if assert_built_after_instantiation:
        case.assertTrue(layer_cls(**init_kwargs).built,
                        msg=f"{layer_cls} is stateless, so it should be built after instantiation.")

        class ModifiedBuildLayer(layer_cls):
            def build(self, *args: Any, **kwargs: Any) -> None:
                pass

        case.assertFalse(ModifiedBuildLayer(**init_kwargs).built,
                         msg="A subclass overriding build should not be built on instantiation.")

    layer = layer_cls(**init_kwargs)
    output = _call(layer, input_data, call_kwargs)
    build_asserts(layer)
    _output_asserts(case, layer, output, expected_output_shape, expected_output_dtype,
                    expected_output, expected_num_losses)
    if run_training_check:
        _training_step(layer, input_data, output)


def _output_asserts(case: Any, layer: Any, output: Any, expected_shape: Any,
                    expected_dtype: Any, expected_output: Any, expected_num_losses: Any) -> None:
    from keras_adapter.backend import standardize_dtype
    if expected_shape is not None:
        def matches(expected: Any, x: Any) -> bool:
            shape = tuple(x.shape)
            return len(shape) == len(expected) and all(
                e is None or e == d for e, d in zip(expected, shape))
        if _is_shape(expected_shape):
            ok = matches(expected_shape, output)
        else:
            ok = all(matches(e, x) for e, x in zip(tree.flatten(expected_shape),
                                                 tree.flatten(output)))
        case.assertTrue(ok, msg=f"Expected output shape {expected_shape} but received "
                                f"{tree.map_structure(lambda x: tuple(x.shape), output)}")
    if expected_dtype is not None:
        for x in tree.flatten(output):
            case.assertEqual(standardize_dtype(x.dtype), expected_dtype,
                             msg="Unexpected output dtype")
    if expected_output is not None:
        for ref, value in zip(tree.flatten(expected_output), tree.flatten(output)):
            case.assertAllClose(ref, value, msg="Unexpected output value")
    if expected_num_losses is not None:
        case.assertLen(layer.losses, expected_num_losses)


def _training_step(layer: Any, input_data: Any, output_data: Any) -> None:
    """One SGD step of ``Sequential([layer])`` (or, for a list or dict of inputs, of a
    functional model calling the layer on them) on the loss ``sum(y_pred)`` per sample."""
    minikeras = importlib.import_module("minikeras")

    def loss(y_true: Any, y_pred: Any) -> tf.Tensor:
        y_pred = tf.convert_to_tensor(y_pred)
        return tf.reduce_sum(tf.reshape(y_pred, (tf.shape(y_pred)[0], -1)), axis=-1)

    if isinstance(input_data, (list, tuple, dict)):  # several inputs: a functional model
        x = tree.map_structure(np.asarray, input_data)
        if isinstance(x, dict):
            inputs = {k: minikeras.Input(v.shape[1:], name=k) for k, v in x.items()}
        else:
            inputs = [minikeras.Input(v.shape[1:]) for v in x]
            x = list(x)
        model = minikeras.Model(inputs, layer(inputs))
        size = len(tree.flatten(x)[0])
    else:
        x = np.asarray(input_data)
        model = minikeras.Sequential([layer])
        size = len(x)
    model.compile(optimizer="sgd", loss=loss)
    model.fit(x, np.asarray(output_data), batch_size=size, epochs=1, verbose=0)
