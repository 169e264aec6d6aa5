#!/usr/bin/env bash
# Detection benchmark: recall per family and look-alikes flagged on the labelled corpus
# (generated at run time with fixed seeds, see tests/corpus), then the findings on clean real
# code: the vendored crates' sources in cargo's registry and this repository's history.
# Every finding on the clean corpora is a false positive unless it is a credential in a test
# fixture. Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --example detect_bench
cargo build --release --quiet
bin=target/release/hushguard

# Clean corpora: the directories given (a clone of cargo or ripgrep, say), else the registry's.
if [ $# -eq 0 ]; then
  set -- "$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/ | head -1)"
fi
echo "== labelled corpus, then the clean corpus $*"
target/release/examples/detect_bench "$@"

summarise() { # findings per rule, and the first few by path
  python3 -c '
import json, sys, collections
d = json.load(sys.stdin)
f = d["findings"]
files = d["summary"]["files_scanned"]
print(f"findings: {len(f)} in {files} files")
for rule, n in collections.Counter(x["rule_id"] for x in f).most_common():
    print(f"  {n:5}  {rule}")
for x in f[:int(sys.argv[1])]:
    print("  %s:%s  %s" % (x["path"], x["line"], x["rule_id"]))
' "${SHOW:-20}"
}

echo "== clean corpus: this repository's history (audit)"
"$bin" audit --no-policy --format json 2>/dev/null | summarise || true

# The same clean corpora one directory at a time (size, files scanned, findings by rule), through
# the binary: `bash bench/clean.sh DIR...` does this alone, BASE=older-binary adds a before column.
echo "== clean corpora, one directory at a time"
bash bench/clean.sh "$@"
