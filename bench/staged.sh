#!/usr/bin/env bash
# Benchmark `hushguard scan --staged`, the pre-commit hook's whole job, on a large repository.
#
# Builds (once, cached in $BENCH_DIR) a repository of $BENCH_FILES tracked text files (default
# 50000, in 50 x 20 directories) with one commit, then stages a 5-file change (4 edits in different
# directories and 1 new file; no secrets, the common case) and times, with a release build:
#   - `hushguard scan --staged`
#   - `git diff --cached --quiet` (the floor: git comparing the same index with HEAD)
# and prints both (medians, and the fastest runs) and the ratio. Target: under 20 ms and within 2x
# of git. With BENCH_BEFORE=/path/to/an/older/hushguard, that build is timed in the same run. On a busy machine the medians wander; the fastest runs show the cost of each tool.
# Uses hyperfine when installed (`apt-get install -y hyperfine`), else a loop timed with date +%s%N
# (the median of the runs is reported).
#
# Usage: bench/staged.sh [--rebuild] [--no-build]
# Environment: BENCH_DIR (default /tmp/hushguard-staged-bench), BENCH_FILES (default 50000),
#              BENCH_RUNS (default 50), BENCH_BEFORE (an older build to compare with).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/hushguard-staged-bench}"
BENCH_FILES="${BENCH_FILES:-50000}"
BENCH_RUNS="${BENCH_RUNS:-50}"
repo="$BENCH_DIR/repo"
build=1
for arg in "$@"; do
    case "$arg" in
        --rebuild) rm -rf "$BENCH_DIR" ;;
        --no-build) build=0 ;;
        *) echo "usage: bench/staged.sh [--rebuild] [--no-build]" >&2; exit 2 ;;
    esac
done

if [[ $build == 1 ]]; then
    (cd "$here" && cargo build --release --quiet)
fi
bin="${CARGO_TARGET_DIR:-$here/target}/release/hushguard"
[[ -x "$bin" ]] || { echo "no release build at $bin (run cargo build --release)" >&2; exit 2; }

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.test
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.test
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE

if [[ ! -f "$repo/.built" ]]; then
    echo "building a repository of $BENCH_FILES files in $repo ..." >&2
    rm -rf "$repo"
    mkdir -p "$repo"
    git -C "$repo" init -q -b main .
    per_dir=$(( (BENCH_FILES + 999) / 1000 ))
    n=0
    for a in $(seq -w 0 49); do
        for b in $(seq -w 0 19); do
            d="$repo/pkg$a/mod$b"
            mkdir -p "$d"
            for c in $(seq 1 "$per_dir"); do
                (( n < BENCH_FILES )) || break
                printf '// file %d of the benchmark repository\nfn item_%d() -> u32 {\n    let value = %d;\n    value * 2 + 1\n}\n' \
                    "$n" "$n" "$n" > "$d/f$c.rs"
                n=$(( n + 1 ))
            done
        done
    done
    git -C "$repo" add -A
    git -C "$repo" commit -q -m "generated tree"
    touch "$repo/.built"
    echo ".built" > "$repo/.git/info/exclude"
fi

cd "$repo"
git reset -q --hard HEAD
git clean -qfdx -e .built
tracked=$(git ls-files | wc -l)
# The 5-file change: 4 edits in different directories and one new file.
for f in pkg00/mod00/f1.rs pkg12/mod03/f7.rs pkg25/mod10/f20.rs pkg49/mod19/f2.rs; do
    printf '// edited for the benchmark\n' >> "$f"
done
printf 'pub fn added() -> &'"'"'static str {\n    "a new file"\n}\n' > pkg30/mod05/new_file.rs
git add pkg00/mod00/f1.rs pkg12/mod03/f7.rs pkg25/mod10/f20.rs pkg49/mod19/f2.rs pkg30/mod05/new_file.rs
staged=$(git diff --cached --name-only | wc -l)

out="$("$bin" scan --staged; echo "exit=$?")"
[[ "$out" == "exit=0" ]] || { echo "unexpected output from hushguard: $out" >&2; exit 2; }

echo "repository: $tracked tracked files, $staged staged changes; hushguard: $bin"
if command -v hyperfine >/dev/null; then
    json="$BENCH_DIR/staged.json"
    before=()
    if [[ -n "${BENCH_BEFORE:-}" ]]; then
        before=(-n "before: hushguard scan --staged" "$BENCH_BEFORE scan --staged")
    fi
    hyperfine -N -i --warmup 5 --runs "$BENCH_RUNS" --export-json "$json" \
        -n "hushguard scan --staged" "$bin scan --staged" \
        -n "git diff --cached --quiet" "git diff --cached --quiet" "${before[@]}" >&2
    if [[ -n "${BENCH_BEFORE:-}" ]]; then
        python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
for x in (r[2], r[0]):
    print("%-34s median %6.2f ms, fastest %6.2f ms, CPU (user+sys) %6.2f ms" % (
        x["command"], x["median"] * 1e3, x["min"] * 1e3, (x["user"] + x["system"]) * 1e3))' "$json"
    fi
    read -r hg git_t hg_min git_min hg_cpu git_cpu < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ms = lambda x: x * 1000
print(*(ms(v) for v in (r[0]["median"], r[1]["median"], r[0]["min"], r[1]["min"],
                        r[0]["user"] + r[0]["system"], r[1]["user"] + r[1]["system"])))' "$json")
    how="hyperfine median of $BENCH_RUNS runs"
    awk -v a="$hg_min" -v b="$git_min" 'BEGIN { printf "fastest runs: hushguard %.2f ms, git %.2f ms, ratio %.2f x\n", a, b, a / b }'
    awk -v a="$hg_cpu" -v b="$git_cpu" 'BEGIN { printf "CPU time (user+sys, mean): hushguard %.2f ms, git %.2f ms, ratio %.2f x\n", a, b, a / b }'
else
    median_ms() {
        local t0 t1 i samples=()
        for i in $(seq 1 "$BENCH_RUNS"); do
            t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N)
            samples+=( $(( t1 - t0 )) )
        done
        printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1e6}'
    }
    hg=$(median_ms "$bin" scan --staged)
    git_t=$(median_ms git diff --cached --quiet)
    how="median of $BENCH_RUNS runs (date +%s%N)"
fi
awk -v hg="$hg" -v g="$git_t" -v how="$how" 'BEGIN {
    printf "hushguard scan --staged    %7.2f ms\n", hg
    printf "git diff --cached --quiet  %7.2f ms\n", g
    printf "ratio                      %7.2f x   (%s)\n", hg / g, how
    printf "target: under 20 ms (%s), within 2x of git (%s)\n", (hg < 20 ? "met" : "NOT met"), (hg / g <= 2 ? "met" : "NOT met")
}'
