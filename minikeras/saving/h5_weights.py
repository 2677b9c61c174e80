"""keras 3's ``.weights.h5`` files: the HDF5 layout of ``model.save_weights``, read and written.

The layout (what keras 3.15 writes; minikeras reproduces it, so either library reads the
other's files for the same architecture)::

    vars/                          attrs {"name": <model name>}; the model's own weights, if any
    layers/dense/vars/0, 1         a Sequential's or functional model's layers: the snake-cased
    layers/dense_1/vars/0, 1         class name, counted per container (not the layer's name)
    layers/sequential/layers/...   a nested model, recursively
    blocks/dense/vars/...          a subclassed model's or custom layer's attributes, sorted
    optimizer/vars/...             written by keras when compiled; ignored here

Every layer gets a ``vars`` group (named in its ``name`` attribute) holding its *own* weights as
datasets ``"0"``, ``"1"``..., trainable ones first, each in creation order. Sequential and
functional models list their layers under ``layers``; any other layer walks its attributes in
sorted order (``_private`` ones last), a subclassed model also having ``layers`` (all its direct
sublayers) among them; a layer reached twice is written once, where it is first reached.

Reading never executes anything: only plain numeric datasets are read (no pickles, no object
or string arrays, no soft, external or virtual links anywhere in the file), every shape is
checked against the model before any array is read, and nothing is assigned until all fit.
"""
from __future__ import annotations

import io
import os
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras._naming import to_snake_case
from minikeras.layers.layer import Layer
from minikeras.saving.archive import FileFormatError, atomic_write

SUFFIX = ".weights.h5"
IGNORED_GROUPS = ("optimizer",)  # keras's optimizer state; not part of a model's weights
MAX_OBJECTS = 200_000  # groups and datasets a file may hold (a hostile file may hold millions)
MAX_DEPTH = 100
_NUMERIC_KINDS = {"b", "i", "u", "f"}

Entry = tuple[str, Layer, list[tf.Variable]]  # (group path, layer, its own variables)


def is_weights_h5(filepath: Any) -> bool:
    """True when ``filepath`` (str or path-like) names keras's HDF5 weights format."""
    try:
        name = os.path.basename(os.fsdecode(os.fspath(filepath)))
    except TypeError:
        return False
    return name.lower().endswith(SUFFIX) and len(name) > len(SUFFIX)


# ---- the layout ---------------------------------------------------------------------------
def _is_minikeras(obj: Any, names: tuple[str, ...]) -> bool:
    return any(cls.__name__ in names and cls.__module__.startswith("minikeras.models")
               for cls in type(obj).__mro__)


def _name_key(name: str) -> str:
    return f"~{name}" if name.startswith("_") else name  # keras visits private names last


def _values(container: Any) -> list:
    return list(container.values()) if isinstance(container, dict) else list(container)


def _children(layer: Layer) -> list[tuple[str, Any]]:
    """The (attribute name, layer or container) pairs keras visits below ``layer``, in order."""
    if _is_minikeras(layer, ("Sequential", "Functional")):
        return [("layers", list(layer.layers))]
    tracked = {id(sub) for sub in layer._direct_sublayers()}
    found = []
    for name, value in vars(layer).items():
        if name.startswith("__") or name.startswith("_self_"):
            continue
        if isinstance(value, Layer):
            if id(value) in tracked:
                found.append((name, value))
        elif isinstance(value, (list, tuple, dict)) and any(
                isinstance(v, Layer) and id(v) in tracked for v in _values(value)):
            found.append((name, value))
    if _is_minikeras(layer, ("Model",)):
        found.append(("layers", layer._direct_sublayers()))
    return sorted(found, key=lambda item: _name_key(item[0]))


def layout(model: Layer) -> list[Entry]:
    """Every layer of ``model`` with the group path keras gives it and its own variables.

    Raises ValueError when a weight of the model belongs to no layer keras's walk reaches
    (its file would silently lack that weight).
    """
    own: dict[int, list[tf.Variable]] = {}
    for owner, var in model._owned_weights():
        own.setdefault(id(owner), []).append(var)
    entries: list[Entry] = []
    visited: set[int] = set()

    def visit(layer: Layer, path: str) -> None:
        if id(layer) in visited:
            return
        visited.add(id(layer))
        entries.append((path, layer, own.get(id(layer), [])))
        for name, child in _children(layer):
            child_path = f"{path}/{name}" if path else name
            if isinstance(child, Layer):
                visit(child, child_path)
            else:
                visit_container(child, child_path, set())

    def visit_container(container: Any, path: str, seen: set[int]) -> None:
        if id(container) in seen:
            return
        seen.add(id(container))
        used: dict[str, int] = {}
        for item in _values(container):
            if isinstance(item, Layer):
                visit(item, f"{path}/{_unique(to_snake_case(type(item).__name__), used)}")
            elif isinstance(item, (list, tuple, dict)):
                visit_container(item, f"{path}/{_unique('container', used)}", seen)

    visit(model, "")
    if set(own) - visited:
        lost = [owner.name for owner, _ in model._owned_weights() if id(owner) not in visited]
        raise ValueError(f"The weights of layer '{lost[0]}' have no place in keras's "
                         f"'{SUFFIX}' layout (the layer is not an attribute, nor in a list or "
                         f"dict attribute, of its parent). Save in minikeras's format instead.")
    return entries


def _unique(name: str, used: dict[str, int]) -> str:
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _vars_group(path: str) -> str:
    return f"{path}/vars" if path else "vars"


# ---- writing ------------------------------------------------------------------------------
def save_weights_h5(model: Layer, filepath: str) -> None:
    """Writes the weights of a built ``model`` to ``filepath`` in keras 3's ``.weights.h5``
    layout, atomically (a temporary file beside it, fsynced, then renamed over it)."""
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        write_weights(h5, model)
    data = buffer.getvalue()
    atomic_write(filepath, lambda f: f.write(data))


def write_weights(h5: Any, model: Layer) -> None:
    """Writes ``model``'s weights into an open, writable `h5py.File` (keras's layout)."""
    for path, layer, variables in layout(model):
        group = h5.require_group(_vars_group(path))
        group.attrs["name"] = layer.name
        for i, var in enumerate(variables):
            group.create_dataset(str(i), data=np.asarray(var.numpy()))


# ---- reading ------------------------------------------------------------------------------
def load_weights_h5(model: Layer, filepath: str) -> None:
    """Sets ``model``'s weights from a ``.weights.h5`` file of the same architecture.

    Raises:
      OSError: the file is missing or unreadable.
      ValueError (`FileFormatError`, naming the file): not HDF5, truncated, hostile (links,
        object or string datasets), or another architecture (naming the layer and the shapes).
        The model's weights are then untouched.
    """
    path = os.fsdecode(os.fspath(filepath))
    with open(path, "rb") as f:  # OSError for a missing or unreadable file, as usual
        read_weights(model, f, path)


def read_weights(model: Layer, f: Any, path: str) -> None:
    """Sets ``model``'s weights from the HDF5 file object ``f`` (``path`` names it in errors);
    all checked before any weight is assigned."""
    try:
        pairs = _read_checked(f, path, layout(model))
    except FileFormatError:
        raise
    except Exception as err:  # h5py's errors for damaged files: OSError, KeyError...
        detail = (str(err).splitlines() or [""])[0]
        raise FileFormatError(path, f"it is not a readable HDF5 weights file, or it is "
                                    f"truncated ({type(err).__name__}: {detail})") from None
    for var, value in pairs:
        var.assign(value)


def _read_checked(f: Any, path: str, entries: list[Entry]) -> list[tuple[tf.Variable, Any]]:
    """The (variable, array) pairs of the whole model; raises before any array is read when
    the file does not fit."""
    import h5py

    with h5py.File(f, "r") as h5:
        datasets = _datasets(h5, path)
        claimed: set[str] = set()
        plan = []
        for group_path, layer, variables in entries:
            prefix = _vars_group(group_path) + "/"
            present = sorted((name for name in datasets if name.startswith(prefix)
                              and "/" not in name[len(prefix):]), key=_index_key)
            expected = [prefix + str(i) for i in range(len(variables))]
            claimed.update(present)
            if present != expected:
                raise FileFormatError(path, (
                    f"it does not fit this model: layer '{layer.name}' "
                    f"({type(layer).__name__}) has {len(variables)} weights, the file has "
                    f"{len(present)} at '{prefix[:-1]}' ({[n[len(prefix):] for n in present]}); "
                    "is it a file of another architecture?"))
            for name, var in zip(expected, variables):
                dataset = datasets[name]
                if tuple(dataset.shape) != tuple(var.shape):
                    raise FileFormatError(path, (
                        f"it does not fit this model: layer '{layer.name}' weight "
                        f"'{var.name.split(':')[0]}' has shape {tuple(var.shape)}, the file "
                        f"has shape {tuple(dataset.shape)} at '{name}'"))
                if var.dtype.is_integer and dataset.dtype.kind == "f":
                    raise FileFormatError(path, f"the dataset '{name}' holds floats for the "
                                                f"integer weight of layer '{layer.name}'")
                plan.append((var, dataset))
        extra = sorted(name for name in set(datasets) - claimed
                       if name.split("/", 1)[0] not in IGNORED_GROUPS)
        if extra:
            raise FileFormatError(path, f"it does not fit this model: the file has weights "
                                        f"this model has no place for, e.g. {extra[:3]}; is "
                                        "it a file of another architecture?")
        return [(var, np.asarray(dataset[()]).astype(var.dtype.as_numpy_dtype))
                for var, dataset in plan]


def _index_key(name: str) -> tuple[int, Any]:
    last = name.rsplit("/", 1)[-1]
    return (0, int(last)) if last.isdigit() and len(last) < 10 else (1, last)


def _datasets(h5: Any, path: str) -> dict[str, Any]:
    """Every dataset of the file by its path, after refusing anything but plain groups and
    plain numeric datasets linked by hard links."""
    import h5py

    found: dict[str, Any] = {}
    stack: list[tuple[str, Any, int]] = [("", h5, 0)]
    count = 0
    while stack:
        prefix, group, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FileFormatError(path, f"its groups nest deeper than {MAX_DEPTH} levels")
        for name in list(group.keys()):
            count += 1
            if count > MAX_OBJECTS:
                raise FileFormatError(path, f"it holds more than {MAX_OBJECTS} objects")
            full = f"{prefix}{name}"
            link = group.get(name, getlink=True)
            if not isinstance(link, h5py.HardLink):
                raise FileFormatError(path, f"'{full}' is a {type(link).__name__} (links to "
                                            "other objects or files are refused)")
            item = group.get(name)
            if isinstance(item, h5py.Group):
                stack.append((full + "/", item, depth + 1))
            elif isinstance(item, h5py.Dataset):
                _check_dataset(item, full, path)
                found[full] = item
            else:
                raise FileFormatError(path, f"'{full}' is a {type(item).__name__}, not a "
                                            "group or dataset")
    return found


def _check_dataset(dataset: Any, name: str, path: str) -> None:
    if dataset.is_virtual or dataset.external:
        raise FileFormatError(path, f"the dataset '{name}' stores its data in other files "
                                    "(external or virtual datasets are refused)")
    kind = dataset.dtype.kind
    if kind not in _NUMERIC_KINDS or dataset.dtype.fields is not None or \
            dataset.dtype.subdtype is not None:
        raise FileFormatError(path, f"the dataset '{name}' has dtype {dataset.dtype!s}; only "
                                    "numeric arrays are read (no objects, strings or pickles)")
