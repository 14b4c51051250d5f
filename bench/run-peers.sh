#!/usr/bin/env bash
# Times the non-Rust peer (pydifact) on the same synthetic PAXLST traffic the Rust benchmark
# uses: generate_paxlst(10_000_000, seed 2026), written by gen-paxlst.
#
#   bench/run-peers.sh           # pydifact on the 10 MB file, 3 runs (about a minute)
#   bench/run-peers.sh --quick   # on a 1 MB file instead (the first interchanges of the same stream)
#
# The venv (bench/.venv) and the data (bench/data) are made here and are not committed.
set -euo pipefail

PYDIFACT_VERSION=0.2.3
SEED=2026

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
venv="$here/.venv"
data="$here/data"

bytes=10000000
name=paxlst-10MB.edi
case "${1:-}" in
  --quick) bytes=1000000; name=paxlst-1MB.edi ;;
  "") ;;
  *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('pydifact') != '$PYDIFACT_VERSION')" 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pydifact==$PYDIFACT_VERSION"
fi

(cd "$root" && cargo build --quiet --release -p passage-bench --bin gen-paxlst)
target_dir="${CARGO_TARGET_DIR:-$root/target}"
mkdir -p "$data"
"$target_dir/release/gen-paxlst" --bytes "$bytes" --seed "$SEED" --out "$data/$name"

echo "python: $("$venv/bin/python" --version 2>&1), pydifact $PYDIFACT_VERSION"
"$venv/bin/python" "$here/peers/pydifact_bench.py" "$data/$name" --repeat 3 --no-validate
