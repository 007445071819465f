#!/usr/bin/env bash
# Install the built wheel into a fresh virtualenv outside the checkout and use it as a
# stranger would: import, the CLI (version, demo into a temporary folder), a drawing and the
# compiled engine.  A file missing from the wheel fails here, not on a user's machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
wheel="$(ls "$root"/dist/gradient_circuits-*.whl | head -n 1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --upgrade pip
"$work/venv/bin/python" -m pip install --quiet "$wheel[fast]"
cd "$work"   # nothing of the checkout is importable from here
"$work/venv/bin/circuits" --version
"$work/venv/bin/circuits" demo --out "$work/figures" > "$work/demo.txt"
CIRCUITS_CACHE_DIR="$work/cache" "$work/venv/bin/python" - "$root" <<'PY'
import pathlib, sys
import numpy as np
import circuits
root = pathlib.Path(sys.argv[1]).resolve()
where = pathlib.Path(circuits.__file__).resolve()
assert root not in where.parents, f"imported the checkout ({where}), not the wheel"
assert (where.parent / "py.typed").exists(), "py.typed is missing from the wheel"
f = circuits.parse("(x - 3*y - 3*z + 5)**2 + (x - 2*y - 2*z)**2 + (x + y - 5*z - 3)**2")
g = circuits.backward(f)
assert list(g.evaluate(x=1, y=2, z=3).values()) == [-66, 60, 240], g.evaluate(x=1, y=2, z=3)
circuits.render(g, "backward.svg")
assert pathlib.Path("backward.svg").read_text().lstrip().startswith("<?xml")
fast = circuits.compile(g)
out = fast.array(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
assert out.tolist() == [[-66.0, 60.0, 240.0], [4.0, -36.0, 0.0]], out.tolist()
print("wheel smoke test passed:", where.parent)
PY
test -s "$work/demo.txt"
ls "$work/figures"/*.svg > /dev/null
