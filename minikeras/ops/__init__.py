"""keras.ops's most used operations, on TensorFlow: what custom layers, losses and metrics
written for Keras 3 call (``ops.matmul``, ``ops.sum``, ``ops.mean``, ``ops.relu``...).

Each takes tensors or anything `tf.convert_to_tensor` accepts and returns a `tf.Tensor`,
computed with the op keras's TensorFlow backend uses. Names keras.ops has and this module
lacks raise AttributeError naming them; use TensorFlow's op directly meanwhile.

Example:
    >>> import minikeras as keras
    >>> from minikeras import ops
    >>> float(ops.sum(ops.matmul(ops.ones((2, 3)), ops.ones((3, 1)))))
    6.0
"""
from minikeras.ops import nn
from minikeras.ops.arrays import (
    arange,
    argsort,
    concatenate,
    dot,
    einsum,
    expand_dims,
    eye,
    full,
    full_like,
    identity,
    linspace,
    matmul,
    norm,
    one_hot,
    ones,
    ones_like,
    repeat,
    reshape,
    sort,
    split,
    squeeze,
    stack,
    take,
    take_along_axis,
    tile,
    top_k,
    transpose,
    zeros,
    zeros_like,
)
from minikeras.ops.core import (
    cast,
    convert_to_numpy,
    convert_to_tensor,
    ndim,
    shape,
    size,
    stop_gradient,
)
from minikeras.ops.nn import (
    binary_crossentropy,
    categorical_crossentropy,
    elu,
    gelu,
    hard_sigmoid,
    leaky_relu,
    log_softmax,
    moments,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    sparse_categorical_crossentropy,
    swish,
)
from minikeras.ops.numpy import (
    abs,
    absolute,
    add,
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    ceil,
    clip,
    cos,
    cumsum,
    divide,
    equal,
    exp,
    floor,
    greater,
    greater_equal,
    isfinite,
    isnan,
    less,
    less_equal,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logsumexp,
    max,
    maximum,
    mean,
    min,
    minimum,
    multiply,
    negative,
    not_equal,
    power,
    prod,
    round,
    sign,
    sin,
    sqrt,
    square,
    std,
    subtract,
    sum,
    tanh,
    var,
    where,
)

__all__ = ["abs", "absolute", "add", "all", "amax", "amin", "any", "arange", "argmax", "argmin",
           "argsort", "binary_crossentropy", "cast", "categorical_crossentropy", "ceil", "clip",
           "concatenate", "convert_to_numpy", "convert_to_tensor", "cos", "cumsum", "divide",
           "dot", "einsum", "elu", "equal", "exp", "expand_dims", "eye", "floor", "full",
           "full_like", "gelu", "greater", "greater_equal", "hard_sigmoid", "identity",
           "isfinite", "isnan", "leaky_relu", "less", "less_equal", "linspace", "log", "log1p",
           "log_softmax", "logical_and", "logical_not", "logical_or", "logsumexp", "matmul",
           "max", "maximum", "mean", "min", "minimum", "moments", "multiply", "ndim", "negative",
           "norm", "not_equal", "one_hot", "ones", "ones_like", "power", "prod", "relu", "relu6",
           "repeat", "reshape", "round", "selu", "shape", "sigmoid", "sign", "silu", "sin",
           "size", "softmax", "softplus", "softsign", "sort", "sparse_categorical_crossentropy",
           "split", "sqrt", "square", "squeeze", "stack", "std", "stop_gradient", "subtract",
           "sum", "swish", "take", "take_along_axis", "tanh", "tile", "top_k", "transpose",
           "var", "where", "zeros", "zeros_like", "nn"]

# Each function above also works on a functional model's symbolic tensors (ops/symbolic.py).
from minikeras.ops.symbolic import traceable as _traceable  # noqa: E402

for _name in __all__:
    if _name != "nn":
        globals()[_name] = _traceable(_name, globals()[_name])
del _name
