"""The examples of the README and of the guide's "Use" page run as written (a stale example is a
broken promise)."""
import pathlib
import re

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
USE = ROOT / "docs" / "guide" / "use.md"


def test_use_section_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", USE.read_text(), re.S)
    assert len(blocks) >= 2
    namespace: dict = {}
    exec(compile("\n".join(blocks), str(USE), "exec"), namespace)  # noqa: S102
    x, y, keras = namespace["x"], namespace["y"], namespace["keras"]
    # the functional model trains on its two outputs, the subclassed one with its own step
    history = namespace["model"].fit(x, [y, y], epochs=2, verbose=0).history
    assert {"loss", "out_loss", "aux_loss", "out_accuracy"} <= set(history)
    custom = namespace["TwoLayers"]()
    custom.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    logs = custom.fit(x, y, epochs=2, verbose=0).history
    assert set(logs) == {"loss", "accuracy"} and np.all(np.array(logs["loss"]) > 0)
    assert isinstance(custom, keras.Model)


def test_readme_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) == 1
    namespace: dict = {}
    exec(compile(blocks[0].replace("epochs=50", "epochs=2"), str(README), "exec"),  # noqa: S102
         namespace)
    assert set(namespace["history"].history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
