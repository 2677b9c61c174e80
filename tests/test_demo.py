"""`make demo` runs `minikeras.demo`: the lecture's basic example, end to end."""
import re

import pytest

from minikeras import demo


@pytest.mark.slow
def test_demo_trains_the_lecture_example_and_writes_its_figure(tmp_path, capsys):
    assert demo.main(str(tmp_path)) == 0
    out = capsys.readouterr().out
    accuracies = [float(a) for a in re.findall(r"final loss [\d.]+, accuracy ([\d.]+)", out)]
    assert len(accuracies) == 4, out
    no_bias, with_bias, neuron_on_ring, network_on_ring = accuracies
    assert no_bias < 0.75 < 0.95 < with_bias  # without a bias the neuron is stuck at the origin
    assert neuron_on_ring < 0.75 < 0.95 < network_on_ring  # hidden layers separate the ring
    assert len(re.findall(r"epoch +\d+/\d+: loss", out)) >= 4 * 4  # progress while training
    assert (tmp_path / "demo.png").stat().st_size > 10_000
    digits = re.search(r"accuracy on \d+ digits it never saw: ([\d.]+)", out)
    assert digits and float(digits.group(1)) > 0.9, out  # the convnet generalizes
