"""Write docker-compose.yml and docker/config/ from gateway/topology/compose.py.

    .venv/bin/python docker/generate_compose.py           # write the files
    .venv/bin/python docker/generate_compose.py --check   # exit 1 if a file differs

The output is committed; tests/topology/test_compose.py fails when it drifts from this.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.topology.compose import CONFIG_DIR, generated_files  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    files = generated_files()
    stale = [
        path
        for path, text in files.items()
        if not (ROOT / path).exists() or (ROOT / path).read_text(encoding="utf-8") != text
    ]
    extra = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / CONFIG_DIR).rglob("*.toml")
        if str(path.relative_to(ROOT)) not in files
    )
    if args.check:
        for path in [*stale, *extra]:
            print(f"out of date: {path}")
        return 1 if stale or extra else 0
    for path in stale:
        target = ROOT / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(files[path], encoding="utf-8")
        print(f"wrote {path}")
    for path in extra:
        (ROOT / path).unlink()
        print(f"removed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
