#!/usr/bin/env python3
"""The layers point inward: fails when a file under src/ includes a folder its layer must not depend on.

    check_layers.py SRC_DIR      check the tree; print each offending include; exit 1 if any
    check_layers.py --self-test  show that a forbidden include in a scratch tree is caught

The rules (README, "Layout"): the domain is plain rules with no I/O; services are the use cases over the ports;
views render pages from domain values; the API layer talks to services and ports, never to a chosen adapter. Only app/ (and the CLI) picks adapters.
"""
import re
import sys
import tempfile
from pathlib import Path

FORBIDDEN = {
    "domain": ["http", "app", "api", "adapters", "services", "jobs", "auth", "ops", "lambda"],
    "services": ["http", "app", "api", "adapters", "jobs", "ops", "lambda"],
    "views": ["http", "app", "api", "adapters", "services", "jobs", "ops", "lambda"],
    "api": ["adapters"],
    "ports": ["http", "app", "api", "adapters", "services", "jobs"],
}
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"/]+)/')


def violations(src: Path):
    for layer, forbidden in FORBIDDEN.items():
        for path in sorted((src / layer).rglob("*")):
            if path.suffix not in (".cpp", ".hpp", ".h"):
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                match = INCLUDE.match(line)
                if match and match.group(1) in forbidden:
                    yield f"{path.relative_to(src.parent)}:{number}: {layer}/ must not include {match.group(1)}/"


def self_test():
    with tempfile.TemporaryDirectory() as scratch:
        src = Path(scratch) / "src"
        (src / "domain").mkdir(parents=True)
        (src / "api").mkdir()
        (src / "domain" / "rule.hpp").write_text('#include "domain/other.hpp"\n#include "util/json.hpp"\n')
        (src / "api" / "route.cpp").write_text('#include "services/batch_service.hpp"\n')
        if list(violations(src)):
            print("self-test: a clean tree was reported")
            return 1
        (src / "domain" / "rule.cpp").write_text('#include <string>\n  #include "http/errors.hpp"\n')
        (src / "api" / "route.cpp").write_text('#include "adapters/fs/fs_blob_store.hpp"\n')
        found = list(violations(src))
        expected = ["src/domain/rule.cpp:2: domain/ must not include http/",
                    "src/api/route.cpp:1: api/ must not include adapters/"]
        if sorted(found) != sorted(expected):
            print("self-test: expected", expected, "got", found)
            return 1
    print("self-test: forbidden includes are caught, allowed ones pass")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    found = list(violations(Path(sys.argv[1])))
    for line in found:
        print(line)
    if found:
        return 1
    print("layers: no forbidden include")
    return 0


if __name__ == "__main__":
    sys.exit(main())
