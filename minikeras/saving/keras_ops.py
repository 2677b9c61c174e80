"""keras's `.keras` records of operation nodes, to and from minikeras's `Operation` entries.

keras writes ``x * 2`` as a ``Multiply`` from ``keras.src.ops.numpy`` called on ``[x, 2.0]``,
``x[:, :2]`` as a ``GetItem`` called on ``[x, key]``, and ``ops.sum(x, axis=1)`` as a ``Sum``
whose config holds its constructor arguments (``axis``, ``keepdims``) and whose call gets the
rest (``x``). minikeras records ``Operation("Multiply")`` on ``[[x, 2.0]]``,
``Operation("GetItem", key=...)`` on ``[x]`` and ``Operation("ops.sum", arguments=...)`` on the
tensors (see `layers/operations.py`). `to_keras_entry`/`from_keras_entry` translate one layer
entry of a functional config; the table below (module, class, constructor arguments) is
keras's, checked against keras by tests/test_keras_format_ops.py. Nothing here imports keras.
"""
from __future__ import annotations

import inspect
from typing import Any

from minikeras.layers.operations import BINARY, FUNCTIONS, UNARY, fill_arguments

KERAS_TENSOR = "__keras_tensor__"
# minikeras.ops name -> (keras.src.ops module, keras op class, the class's constructor args)
KERAS_OPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "abs": ("numpy", "Abs", ()),
    "absolute": ("numpy", "Absolute", ()),
    "add": ("numpy", "Add", ()),
    "all": ("numpy", "All", ('axis', 'keepdims')),
    "amax": ("numpy", "Amax", ('axis', 'keepdims')),
    "amin": ("numpy", "Amin", ('axis', 'keepdims')),
    "any": ("numpy", "Any", ('axis', 'keepdims')),
    "arange": ("numpy", "Arange", ('dtype',)),
    "argmax": ("numpy", "Argmax", ('axis', 'keepdims')),
    "argmin": ("numpy", "Argmin", ('axis', 'keepdims')),
    "argsort": ("numpy", "Argsort", ('axis',)),
    "binary_crossentropy": ("nn", "BinaryCrossentropy", ('from_logits',)),
    "cast": ("core", "Cast", ('dtype',)),
    "categorical_crossentropy": ("nn", "CategoricalCrossentropy", ('from_logits', 'axis')),
    "ceil": ("numpy", "Ceil", ()),
    "clip": ("numpy", "Clip", ('x_min', 'x_max')),
    "concatenate": ("numpy", "Concatenate", ('axis',)),
    "convert_to_tensor": ("core", "ConvertToTensor", ('dtype', 'sparse', 'ragged')),
    "cos": ("numpy", "Cos", ()),
    "cumsum": ("numpy", "Cumsum", ('axis', 'dtype')),
    "divide": ("numpy", "Divide", ()),
    "dot": ("numpy", "Dot", ()),
    "einsum": ("numpy", "Einsum", ('subscripts',)),
    "elu": ("nn", "Elu", ('alpha',)),
    "equal": ("numpy", "Equal", ()),
    "exp": ("numpy", "Exp", ()),
    "expand_dims": ("numpy", "ExpandDims", ('axis',)),
    "floor": ("numpy", "Floor", ()),
    "full": ("numpy", "Full", ('shape', 'dtype')),
    "full_like": ("numpy", "FullLike", ('dtype',)),
    "gelu": ("nn", "Gelu", ('approximate',)),
    "greater": ("numpy", "Greater", ()),
    "greater_equal": ("numpy", "GreaterEqual", ()),
    "hard_sigmoid": ("nn", "HardSigmoid", ()),
    "isfinite": ("numpy", "Isfinite", ()),
    "isnan": ("numpy", "Isnan", ()),
    "leaky_relu": ("nn", "LeakyRelu", ('negative_slope',)),
    "less": ("numpy", "Less", ()),
    "less_equal": ("numpy", "LessEqual", ()),
    "linspace": ("numpy", "Linspace", ('num', 'endpoint', 'retstep', 'dtype', 'axis')),
    "log": ("numpy", "Log", ()),
    "log1p": ("numpy", "Log1p", ()),
    "log_softmax": ("nn", "LogSoftmax", ('axis',)),
    "logical_and": ("numpy", "LogicalAnd", ()),
    "logical_not": ("numpy", "LogicalNot", ()),
    "logical_or": ("numpy", "LogicalOr", ()),
    "logsumexp": ("math", "Logsumexp", ('axis', 'keepdims')),
    "matmul": ("numpy", "Matmul", ()),
    "max": ("numpy", "Max", ('axis', 'keepdims', 'initial')),
    "maximum": ("numpy", "Maximum", ()),
    "mean": ("numpy", "Mean", ('axis', 'keepdims')),
    "min": ("numpy", "Min", ('axis', 'keepdims', 'initial')),
    "minimum": ("numpy", "Minimum", ()),
    "moments": ("nn", "Moments", ('axes', 'keepdims', 'synchronized')),
    "multiply": ("numpy", "Multiply", ()),
    "ndim": ("numpy", "Ndim", ()),
    "negative": ("numpy", "Negative", ()),
    "norm": ("linalg", "Norm", ('ord', 'axis', 'keepdims')),
    "not_equal": ("numpy", "NotEqual", ()),
    "one_hot": ("nn", "OneHot", ('num_classes', 'axis', 'dtype', 'sparse')),
    "ones_like": ("numpy", "OnesLike", ('dtype',)),
    "power": ("numpy", "Power", ()),
    "prod": ("numpy", "Prod", ('axis', 'keepdims', 'dtype')),
    "relu": ("nn", "Relu", ()),
    "relu6": ("nn", "Relu6", ()),
    "repeat": ("numpy", "Repeat", ('repeats', 'axis')),
    "reshape": ("numpy", "Reshape", ('newshape',)),
    "round": ("numpy", "Round", ('decimals',)),
    "selu": ("nn", "Selu", ()),
    "sigmoid": ("nn", "Sigmoid", ()),
    "sign": ("numpy", "Sign", ()),
    "silu": ("nn", "Silu", ()),
    "sin": ("numpy", "Sin", ()),
    "size": ("numpy", "Size", ()),
    "softmax": ("nn", "Softmax", ('axis',)),
    "softplus": ("nn", "Softplus", ()),
    "softsign": ("nn", "Softsign", ()),
    "sort": ("numpy", "Sort", ('axis',)),
    "sparse_categorical_crossentropy": ("nn", "SparseCategoricalCrossentropy", ('from_logits', 'axis')),
    "split": ("numpy", "Split", ('indices_or_sections', 'axis')),
    "sqrt": ("numpy", "Sqrt", ()),
    "square": ("numpy", "Square", ()),
    "squeeze": ("numpy", "Squeeze", ('axis',)),
    "stack": ("numpy", "Stack", ('axis',)),
    "std": ("numpy", "Std", ('axis', 'keepdims')),
    "stop_gradient": ("core", "StopGradient", ()),
    "subtract": ("numpy", "Subtract", ()),
    "sum": ("numpy", "Sum", ('axis', 'keepdims')),
    "swish": ("nn", "Silu", ()),
    "take": ("numpy", "Take", ('axis',)),
    "take_along_axis": ("numpy", "TakeAlongAxis", ('axis',)),
    "tanh": ("numpy", "Tanh", ()),
    "tile": ("numpy", "Tile", ('repeats',)),
    "top_k": ("math", "TopK", ('k', 'sorted')),
    "transpose": ("numpy", "Transpose", ('axes',)),
    "var": ("numpy", "Var", ('axis', 'keepdims')),
    "where": ("numpy", "Where", ()),
    "zeros_like": ("numpy", "ZerosLike", ('dtype',)),
}
_BY_CLASS = {(module, cls): name for name, (module, cls, _) in KERAS_OPS.items()
             if name not in ("swish", "absolute")}  # aliases: keras writes Silu, Abs/Absolute
_BY_CLASS[("numpy", "Absolute")] = "absolute"


def _tensors_to_markers(value: Any, tensors: list) -> Any:
    """``value`` with each keras tensor record replaced by ``{"__tensor__": i}``."""
    if isinstance(value, dict) and value.get("class_name") == KERAS_TENSOR:
        tensors.append(value)
        return {"__tensor__": len(tensors) - 1}
    if isinstance(value, list):
        return [_tensors_to_markers(v, tensors) for v in value]
    if isinstance(value, dict):
        return {k: _tensors_to_markers(v, tensors) for k, v in value.items()}
    return value


def _has_array(template: Any) -> bool:
    if isinstance(template, dict):
        return set(template) == {"__array__", "dtype"} or any(map(_has_array, template.values()))
    return isinstance(template, list) and any(map(_has_array, template))


def _fill(template: Any, tensors: list) -> Any:
    """`fill_arguments`, refusing a NumPy constant (keras's record of one is not written)."""
    if _has_array(template):
        raise ValueError("a NumPy constant in a minikeras.ops call cannot be written to a "
                         ".keras file yet; save with the .minikeras format")
    return fill_arguments(template, tensors)


def _entry(entry: dict, class_name: str, module: str, config: dict, args: list) -> dict:
    node = {"args": args, "kwargs": {}}
    return {**{k: v for k, v in entry.items() if k not in ("class_name", "config")},
            "class_name": class_name, "module": f"keras.src.ops.{module}",
            "registered_name": class_name, "config": {"name": entry["config"]["name"], **config},
            "inbound_nodes": [node] if entry.get("inbound_nodes") else []}


def to_keras_entry(entry: dict) -> dict:
    """keras's record of one of our ``Operation`` layer entries (called once)."""
    config, nodes = entry["config"], entry.get("inbound_nodes") or []
    if len(nodes) != 1:
        raise ValueError(f"operation {config['name']!r} must be called exactly once")
    first = nodes[0]["args"][0]
    op = config["op"]
    if op in BINARY:
        return _entry(entry, op, "numpy", {}, list(first))
    if op in UNARY:
        return _entry(entry, op, "numpy", {}, [first])
    if op == "GetItem":
        return _entry(entry, op, "numpy", {}, [first, config["key"]])
    name = op.rpartition(".")[2]
    module, cls, init = KERAS_OPS[name]
    tensors = list(first) if isinstance(first, list) else [first]
    arguments = config["arguments"]
    bound = inspect.signature(FUNCTIONS[op]).bind(*_fill(arguments["args"], tensors),
                                                  **_fill(arguments["kwargs"], tensors))
    own, call = {}, []
    for param, value in bound.arguments.items():
        kind = inspect.signature(FUNCTIONS[op]).parameters[param].kind
        if param in init:
            own[param] = value
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            call.extend(value)
        else:
            call.append(value)
    return _entry(entry, cls, module, own, call)


def from_keras_entry(entry: dict) -> dict:
    """Our ``Operation`` layer entry for keras's record of an operation node."""
    module = str(entry.get("module", "")).rpartition(".")[2]
    cls, config = entry.get("class_name"), dict(entry.get("config") or {})
    name = config.pop("name", entry.get("name"))
    nodes = entry.get("inbound_nodes") or []
    if len(nodes) != 1 or not isinstance(nodes[0], dict):
        raise ValueError(f"operation {name!r} must be called exactly once")
    args = list(nodes[0].get("args") or [])
    ours: dict[str, Any] = {"name": name, "op": cls}
    if cls in BINARY and len(args) == 2:
        call = [args]
    elif cls in UNARY and len(args) == 1:
        call = args
    elif cls == "GetItem" and len(args) == 2:
        call, ours["key"] = [args[0]], args[1]
    elif (module, cls) in _BY_CLASS:
        op = _BY_CLASS[(module, cls)]
        fn = FUNCTIONS[f"ops.{op}"]
        params = inspect.signature(fn).parameters
        for key in [k for k in config if k not in params]:
            if config[key] is not None and config[key] is not False:
                raise ValueError(f"operation {name!r} ({cls}) uses {key}={config[key]!r}, "
                                 f"which minikeras.ops.{op} does not have")
            del config[key]
        tensors: list = []
        template = _tensors_to_markers(args, tensors)
        if not tensors:
            raise ValueError(f"operation {name!r} ({cls}) is called on no tensor")
        if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params.values()):
            ours["arguments"] = {"args": [config.pop(k) for k in list(config)] + template,
                                 "kwargs": {}}
        else:
            free = [p for p in params if p not in config]
            ours["arguments"] = {"args": [], "kwargs": {**dict(zip(free, template)), **config}}
        ours["op"] = f"ops.{op}"
        call = [tensors if len(tensors) > 1 else tensors[0]]
    else:
        raise ValueError(f"operation {name!r} is keras's {cls} from {entry.get('module')}, "
                         "which minikeras does not have")
    return {**{k: v for k, v in entry.items() if k not in ("module", "registered_name")},
            "class_name": "Operation", "config": ours,
            "inbound_nodes": [{"args": call, "kwargs": {}}]}


def is_keras_operation(entry: Any) -> bool:
    """Whether a layer entry of keras's config records an operation node."""
    return isinstance(entry, dict) and "inbound_nodes" in entry and \
        str(entry.get("module", "")).startswith("keras.src.ops.")


def is_our_operation(entry: Any) -> bool:
    """Whether a layer entry of our config records an `Operation` node."""
    return isinstance(entry, dict) and "inbound_nodes" in entry and \
        entry.get("class_name") == "Operation" and isinstance(entry.get("config"), dict)


def map_entries(value: Any, match: Any, convert: Any) -> Any:
    """``value`` (a config) with every layer entry for which ``match`` holds converted, at any
    depth (nested functional models too)."""
    if isinstance(value, list):
        return [map_entries(v, match, convert) for v in value]
    if not isinstance(value, dict):
        return value
    if match(value):
        return convert(value)
    return {k: map_entries(v, match, convert) for k, v in value.items()}

