#!/usr/bin/env bash
# Directory-scan benchmark: hushguard on a corpus of real code (default: the sources of the
# vendored crates in cargo's registry) against the floor of reading every file once
# (`rg -uuu` searching for a literal that never occurs), and the full rule set against the
# keyword prefilter alone. Prints MB/s, files/s and the ratios. Needs ripgrep and hyperfine
# (apt-get install ripgrep hyperfine). With BENCH_BEFORE=/path/to/an/older/hushguard, that build is
# timed too, in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/ | head -1)}
cargo build --release --quiet
bin=target/release/hushguard
runs=${RUNS:-10}

json=$("$bin" scan "$corpus" --format json --threads 1 || true)
bytes=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["bytes_scanned"])')
files=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["files_scanned"])')
findings=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["findings"])')
echo "corpus: $corpus ($files files, $((bytes / 1000000)) MB); findings there: $findings"

mean() { # mean wall time in seconds of a command, via hyperfine
  hyperfine -N -i --warmup 2 --runs "$runs" --export-json /tmp/hg-bench.json "$1" >/dev/null 2>&1
  python3 -c 'import json; print(json.load(open("/tmp/hg-bench.json"))["results"][0]["mean"])'
}

t_floor=$(mean "rg -uuu --no-messages zzqqxxyyneverthereqq $corpus")
t_all=$(mean "$bin scan $corpus -o /dev/null")
t_one=$(mean "$bin scan $corpus --threads 1 -o /dev/null")
t_pre=$(mean "$bin scan $corpus --threads 1 --prefilter-only -o /dev/null")
t_start=$(mean "$bin scan /dev/null")
if [[ -n "${BENCH_BEFORE:-}" ]]; then
  b_all=$(mean "$BENCH_BEFORE scan $corpus -o /dev/null")
  b_one=$(mean "$BENCH_BEFORE scan $corpus --threads 1 -o /dev/null")
  b_start=$(mean "$BENCH_BEFORE scan /dev/null")
  python3 - "$bytes" "$t_floor" "$b_all" "$b_one" "$b_start" "$(nproc)" <<'PY'
import sys
b, floor, allc, one, start, cores = map(float, sys.argv[1:])
mb = b / 1e6
print(f"before, all {int(cores)} cores:          {allc*1e3:8.1f} ms  {mb/allc:7.0f} MB/s  {allc/floor:5.1f}x the floor")
print(f"before, 1 core:                {one*1e3:8.1f} ms  {mb/one:7.0f} MB/s per core")
print(f"before, start-up:              {start*1e3:8.1f} ms")
PY
fi

python3 - "$bytes" "$files" "$t_floor" "$t_all" "$t_one" "$t_pre" "$t_start" "$(nproc)" <<'PY'
import sys
b, f, floor, allc, one, pre, start, cores = map(float, sys.argv[1:])
mb = b / 1e6
print(f"rg -uuu floor (all cores):     {floor*1e3:8.1f} ms")
print(f"hushguard, all {int(cores)} cores:       {allc*1e3:8.1f} ms  {mb/allc:7.0f} MB/s  {f/allc:8.0f} files/s  {allc/floor:5.1f}x the floor")
print(f"hushguard, 1 core:             {one*1e3:8.1f} ms  {mb/one:7.0f} MB/s per core")
print(f"prefilter only, 1 core:        {pre*1e3:8.1f} ms  (full rule set costs {one/pre:4.2f}x the prefilter)")
print(f"start-up (scan of /dev/null):  {start*1e3:8.1f} ms")
PY
