#!/usr/bin/env bash
# The same-run comparison of our matcher with rapidfuzz and nomenklatura logic-v2
# (bench/RESULTS.md, "Screening: peers in the same run").
#
#   bench/screening_peers/run.sh [corpus dir] [negatives step]
#
# corpus dir defaults to ../shared/corpus (beside the repository); step 50 = 1,000 of the 50,000
# non-listed people. The venv (bench/screening_peers/.venv, git-ignored) and the exported JSON lines
# (/tmp/screening-peers) are made here and are not committed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="${1:-$root/../shared/corpus}"
step="${2:-50}"
work="${SCREENING_PEERS_WORK:-/tmp/screening-peers}"
venv="$here/.venv"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/target-peers}"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q -r "$here/requirements.txt"
mkdir -p "$work"

cd "$root"
cargo build --release -p screening --example export_lists --example screen_csv
ex="$CARGO_TARGET_DIR/release/examples"
"$ex/export_lists" "$corpus/watchlists" "$work/entries.jsonl" \
  "$corpus/screening-eval" "$step" "$work/queries.jsonl"
for nat in "" "--nationality"; do
  tag="${nat:+-nat}"
  "$ex/screen_csv" "$corpus/watchlists" "$corpus/screening-eval" "$step" $nat \
    --out "$work/ours$tag.jsonl" | tee "$work/ours$tag.txt"
  skip=""
  [ -n "$nat" ] && skip="--skip-rapidfuzz"
  "$venv/bin/python" "$here/peers.py" --entries "$work/entries.jsonl" \
    --queries "$work/queries.jsonl" $nat $skip --out-dir "$work/peers$tag" \
    --ours "$work/ours$tag.jsonl" | tee "$work/peers$tag.txt"
done
