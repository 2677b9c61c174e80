"""Fetches keras's unit tests for the modules minikeras claims, pointed at the adapter.

The sdist of the pinned keras version is downloaded once with pip into
``.venv/conformance/dist`` (git-ignored); its test files are copied to
``.venv/conformance/run/<module path>/`` with their keras imports rewritten to
`keras_adapter`. Nothing of keras's is committed to the repository.
"""
from __future__ import annotations

import ast
import fnmatch
import re
import subprocess
import sys
import tarfile
from pathlib import Path

# Test files of the modules minikeras claims, relative to keras/src (globs).
CLAIMED = [
    "activations/*_test.py", "initializers/*_test.py", "losses/*_test.py",
    "metrics/*_test.py", "optimizers/*_test.py", "optimizers/schedules/*_test.py",
    "regularizers/*_test.py", "callbacks/*_test.py", "layers/core/dense_test.py",
    "layers/core/input_layer_test.py", "layers/activations/activation_test.py",
    "layers/activations/softmax_test.py", "layers/reshaping/flatten_test.py",
    "layers/regularization/dropout_test.py", "models/sequential_test.py",
    "layers/merging/merging_test.py",
    # The layer families of issue 12 (one file per family of layers minikeras has).
    "layers/activations/elu_test.py", "layers/activations/leaky_relu_test.py",
    "layers/activations/prelu_test.py", "layers/activations/relu_test.py",
    "layers/convolutional/conv_test.py", "layers/core/embedding_test.py",
    "layers/core/identity_test.py", "layers/core/lambda_layer_test.py",
    "layers/normalization/batch_normalization_test.py",
    "layers/normalization/layer_normalization_test.py",
    "layers/normalization/group_normalization_test.py",
    "layers/pooling/average_pooling_test.py", "layers/pooling/max_pooling_test.py",
    "layers/pooling/global_average_pooling_test.py",
    "layers/pooling/global_max_pooling_test.py",
    "layers/preprocessing/normalization_test.py", "layers/preprocessing/rescaling_test.py",
    "layers/preprocessing/discretization_test.py",
    "layers/preprocessing/category_encoding_test.py",
    "layers/regularization/activity_regularization_test.py",
    "layers/regularization/alpha_dropout_test.py",
    "layers/regularization/gaussian_dropout_test.py",
    "layers/regularization/gaussian_noise_test.py",
    "layers/regularization/spatial_dropout_test.py",
    "layers/reshaping/permute_test.py", "layers/reshaping/repeat_vector_test.py",
    "layers/reshaping/reshape_test.py", "layers/reshaping/up_sampling2d_test.py",
    "layers/reshaping/zero_padding2d_test.py", "layers/convolutional/conv_transpose_test.py",
    "layers/reshaping/cropping1d_test.py", "layers/reshaping/cropping2d_test.py",
    "layers/reshaping/up_sampling1d_test.py", "layers/reshaping/zero_padding1d_test.py",
    "layers/normalization/unit_normalization_test.py",
    # Models beyond Sequential (issue 11). layers/layer_test.py is not claimed: most of it
    # tests keras internals (remat, quantization, dtype policies, masking, call-context args).
    "models/functional_test.py", "models/model_test.py",
    # The recurrent layers (LSTM, GRU, SimpleRNN, Bidirectional).
    "layers/rnn/lstm_test.py", "layers/rnn/gru_test.py", "layers/rnn/simple_rnn_test.py",
    "layers/rnn/bidirectional_test.py",
]

_REWRITES = [
    (re.compile(r"\bkeras\.src\b"), "keras_adapter"),
    (re.compile(r"^(\s*)import keras\s*$", re.M), r"\1import keras_adapter as keras"),
    (re.compile(r"^(\s*)from keras import", re.M), r"\1from keras_adapter import"),
    (re.compile(r"^(\s*)from keras\.", re.M), r"\1from keras_adapter."),
    # grain (a JAX data-loading library) is not installed: files importing it still load, and
    # the tests using it are listed as not applicable.
    (re.compile(r"^import grain\s*$", re.M), "grain = None  # not installed (see fetch.py)"),
    (re.compile(r"^(\s*)from conftest import", re.M),
     r"\1from keras_adapter.conftest_compat import"),
]


def keras_version(constraints: Path) -> str:
    """The keras version pinned in constraints.txt."""
    match = re.search(r"^keras==(\S+)", constraints.read_text(), re.M)
    if not match:
        raise SystemExit(f"no keras==VERSION pin in {constraints}")
    return match.group(1)


def download(version: str, dist_dir: Path) -> Path:
    """The sdist path, downloading it with pip unless already cached."""
    found = sorted(dist_dir.glob(f"keras-{version}.tar.gz"))
    if found:
        return found[0]
    dist_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--no-binary", ":all:", f"keras=={version}",
                    "-d", str(dist_dir)], check=True)
    found = sorted(dist_dir.glob(f"keras-{version}.tar.gz"))
    if not found:
        raise SystemExit(f"pip did not leave keras-{version}.tar.gz in {dist_dir}")
    return found[0]


def rewrite(source: str) -> str:
    """keras's imports rewritten to the adapter package."""
    for pattern, replacement in _REWRITES:
        source = pattern.sub(replacement, source)
    return source


def count_tests(source: str) -> int:
    """``test*`` methods defined in the file (before parameterized expansion)."""
    tree = ast.parse(source)
    return sum(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
               and node.name.startswith("test") for node in ast.walk(tree))


def test_ids(source: str) -> list[str]:
    """``Class::test_name`` of each test method (before parameterized expansion)."""
    ids = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            ids += [f"{node.name}::{item.name}" for item in node.body
                    if isinstance(item, ast.FunctionDef) and item.name.startswith("test")]
    return ids


def extract(sdist: Path, run_dir: Path) -> dict[str, str]:
    """Writes the claimed test files (rewritten) under ``run_dir``; returns
    ``{relative path: original source}`` for every claimed file."""
    prefix = sdist.name.removesuffix(".tar.gz") + "/keras/src/"
    sources = {}
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            if not member.isfile() or not member.name.startswith(prefix):
                continue
            relative = member.name[len(prefix):]
            if any(fnmatch.fnmatch(relative, glob) and relative.count("/") == glob.count("/")
                   for glob in CLAIMED):
                handle = archive.extractfile(member)
                assert handle is not None
                sources[relative] = handle.read().decode("utf-8")
    if not sources:
        raise SystemExit(f"no claimed test files found in {sdist}")
    for relative, source in sources.items():
        target = run_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(rewrite(source))
    return sources
