"""Writes tests/slow_tests.txt from a timed pytest run.

    .venv/bin/python -m pytest -q -m "not slow" --durations=0 -p no:cacheprovider > times.txt
    .venv/bin/python tests/list_slow_tests.py times.txt [threshold seconds, default 0.5]

Every test whose setup, call or teardown took more than the threshold is listed (parametrized
tests by their base name), merged with the list already there.
"""
import pathlib
import re
import sys

LIST = pathlib.Path(__file__).with_name("slow_tests.txt")


def main(times: str, threshold: float = 0.5) -> None:
    found = set()
    for line in pathlib.Path(times).read_text().splitlines():
        match = re.match(r"\s*([\d.]+)s (?:call|setup|teardown)\s+(\S+)", line)
        if match and float(match.group(1)) > threshold:
            found.add(match.group(2).split("[")[0])
    old = {line.strip() for line in LIST.read_text().splitlines()
           if line.strip() and not line.startswith("#")} if LIST.exists() else set()
    header = "# Tests over ~0.5 s on the 2-core machine; conftest.py marks them slow.\n"
    LIST.write_text(header + "".join(f"{t}\n" for t in sorted(found | old)))
    print(f"{len(found | old)} slow tests listed in {LIST}")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.5)
