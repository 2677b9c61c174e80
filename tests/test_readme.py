"""The README's "Use" examples run as written (a stale example is a broken promise)."""
import pathlib
import re

import numpy as np

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_use_section_examples_run():
    text = README.read_text()
    use = text[text.index("## Use"):text.index("## How the numbers match keras")]
    blocks = re.findall(r"```python\n(.*?)```", use, re.S)
    assert len(blocks) >= 2
    namespace: dict = {}
    exec(compile("\n".join(blocks), str(README), "exec"), namespace)  # noqa: S102
    x, y, keras = namespace["x"], namespace["y"], namespace["keras"]
    # the functional model trains on its two outputs, the subclassed one with its own step
    history = namespace["model"].fit(x, [y, y], epochs=2, verbose=0).history
    assert {"loss", "out_loss", "aux_loss", "out_accuracy"} <= set(history)
    custom = namespace["TwoLayers"]()
    custom.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    logs = custom.fit(x, y, epochs=2, verbose=0).history
    assert set(logs) == {"loss", "accuracy"} and np.all(np.array(logs["loss"]) > 0)
    assert isinstance(custom, keras.Model)
