#!/usr/bin/env bash
# Findings on clean corpora, one directory at a time: for each DIR, its size (regular files, MB),
# the files hushguard scanned, its findings by rule and the first few by path and line. Every
# finding on clean real code is a false positive unless it is a credential in a test fixture.
# With BASE=/path/to/an/older/hushguard, the same for that build beside it (before and after).
#   bash bench/clean.sh DIR...          (e.g. a language's standard library, node_modules, /usr/share)
# Needs python3. SHOW=N prints N findings per directory (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: bench/clean.sh DIR..." >&2; exit 2; }
cargo build --release --quiet
bins=("target/release/hushguard")
[ -n "${BASE:-}" ] && bins=("$BASE" "${bins[@]}")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for dir in "$@"; do
  python3 -c '
import os, sys
n = b = 0
for root, dirs, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(root, f)
        if os.path.isfile(p) and not os.path.islink(p):
            n += 1
            b += os.path.getsize(p)
print(f"== {sys.argv[1]}: {n} files, {b / 1e6:.0f} MB")
' "$dir"
  for bin in "${bins[@]}"; do
    start=$(date +%s)
    # Exit code 1 means findings; 2 an error on some file (reported on stderr, counted below).
    "$bin" scan --no-ignore --format json "$dir" >"$out/r.json" 2>"$out/err" || true
    python3 -c '
import json, sys, collections
d = json.load(open(sys.argv[1]))
f = d["findings"]
errors = sum(1 for l in open(sys.argv[2]) if l.strip())
scanned = d["summary"]["files_scanned"]
print(f"  {sys.argv[3]}: {len(f)} findings in {scanned} files scanned, {sys.argv[4]} s, {errors} error lines")
for rule, n in collections.Counter(x["rule_id"] for x in f).most_common():
    print(f"    {n:5}  {rule}")
for x in f[:int(sys.argv[5])]:
    print("    %s:%s  %s" % (x["path"], x["line"], x["rule_id"]))
' "$out/r.json" "$out/err" "$bin" "$(($(date +%s) - start))" "${SHOW:-10}"
  done
done
