#!/usr/bin/env bash
# Benchmark the pre-receive hook: how long `hushguard scan --pre-receive` takes inside a real
# `git push` into a bare repository, objects in git's quarantine and all.
#
# The hook is a wrapper that times hushguard (wall clock from process start to exit, as the server
# sees it, and CPU time from getrusage, which a loaded machine inflates less) and then always
# refuses the push, so the same push can be repeated: nothing lands, git
# drops the quarantine each time. Two pushes:
#   - small: 3 commits (a few files edited and added) onto a branch the server has;
#   - large: 1,000 commits of a real history (rust-lang/cargo, from the bundle in
#     ../shared/histories or $BENCH_BUNDLE): the server has main as it was 1,000 commits earlier,
#     the push brings it up to date.
# For each, the time of the same push with a hook that refuses at once is the baseline (git's own
# work); the figures are hushguard's time inside the hook.
#
# Usage: bench/prereceive.sh
# Environment: BENCH_DIR (default /tmp/hushguard-bench-prereceive), BENCH_RUNS (default 5: the
#              median and the fastest are reported), BENCH_BUNDLE, BENCH_COMMITS (default 1000),
#              HUSHGUARD (default target/release/hushguard, built if missing).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/hushguard-bench-prereceive}"
BENCH_RUNS="${BENCH_RUNS:-5}"
BENCH_COMMITS="${BENCH_COMMITS:-1000}"
BENCH_BUNDLE="${BENCH_BUNDLE:-$here/../shared/histories/rust-lang-cargo.bundle}"
HUSHGUARD="${HUSHGUARD:-$here/target/release/hushguard}"

if [[ ! -x "$HUSHGUARD" ]]; then
    (cd "$here" && cargo build --release --quiet)
fi
[[ -f "$BENCH_BUNDLE" ]] || { echo "no bundle at $BENCH_BUNDLE (set BENCH_BUNDLE)" >&2; exit 2; }

# An isolated git configuration.
export HOME="$BENCH_DIR/home"
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL="$HOME/.gitconfig"
rm -rf "$BENCH_DIR"
mkdir -p "$HOME"
git config --global user.name "Bench"
git config --global user.email "bench@example.invalid"
git config --global init.defaultBranch main

log="$BENCH_DIR/times"

# The hook's timer: runs hushguard on the hook's input, appends "wall_ms cpu_ms exit" to the log
# (CPU time of the child from getrusage, in microseconds' resolution).
cat >"$BENCH_DIR/timer.py" <<'PY'
import resource, subprocess, sys, time
exe, log, report = sys.argv[1:4]
data = sys.stdin.buffer.read()
start = time.perf_counter()
with open(report, "wb") as out:
    code = subprocess.run([exe, "scan", "--pre-receive"], input=data, stdout=out,
                          stderr=subprocess.STDOUT).returncode
wall = time.perf_counter() - start
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(log, "a") as f:
    f.write(f"{wall * 1000:.1f} {(ru.ru_utime + ru.ru_stime) * 1000:.1f} {code}\n")
sys.exit(1)
PY

# install_hook BARE MODE: MODE `hushguard` times hushguard, `none` refuses at once.
install_hook() {
    local bare="$1" mode="$2"
    if [[ "$mode" == hushguard ]]; then
        printf '#!/bin/sh\nexec python3 %q %q %q %q\n' "$BENCH_DIR/timer.py" "$HUSHGUARD" "$log" \
            "$BENCH_DIR/last-report" >"$bare/hooks/pre-receive"
    else
        printf '#!/bin/sh\ncat >/dev/null\nexit 1\n' >"$bare/hooks/pre-receive"
    fi
    chmod +x "$bare/hooks/pre-receive"
}

# stats FILE: median and fastest of the millisecond figures in FILE.
stats() {
    sort -n "$1" | awk '{ a[NR] = $1 } END {
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
        printf "median %.1f ms, fastest %.1f ms (%d runs)", m, a[1], NR }'
}

# measure NAME WORK BARE REFSPEC...: time the push BENCH_RUNS times, hook and git alone.
measure() {
    local name="$1" work="$2" bare="$3"
    shift 3
    local wall="$BENCH_DIR/wall"
    : >"$log"
    : >"$wall"
    install_hook "$bare" hushguard
    for _ in $(seq "$BENCH_RUNS"); do
        git -C "$work" push -q origin "$@" >/dev/null 2>&1 && { echo "the push landed" >&2; exit 2; }
    done
    cut -d' ' -f1 "$log" >"$BENCH_DIR/hook"
    cut -d' ' -f2 "$log" >"$BENCH_DIR/cpu"
    install_hook "$bare" none
    for _ in $(seq "$BENCH_RUNS"); do
        local s e
        s=$(date +%s%N)
        git -C "$work" push -q origin "$@" >/dev/null 2>&1 || true
        e=$(date +%s%N)
        echo $(((e - s) / 1000000)) >>"$wall"
    done
    printf '%-36s hushguard in the hook, wall: %s; exit %s\n' "$name" "$(stats "$BENCH_DIR/hook")" \
        "$(tail -1 "$log" | cut -d' ' -f3)"
    printf '%-36s hushguard in the hook, CPU (user+sys): %s\n' "" "$(stats "$BENCH_DIR/cpu")"
    printf '%-36s the whole push with a hook refusing at once, wall: %s\n' "" "$(stats "$wall")"
}

echo "$("$HUSHGUARD" --version); $(git --version); $(nproc) cores; load average $(cut -d" " -f1-3 /proc/loadavg)" >&2

# Small push: 3 commits onto a 200-file repository the server has.
small_bare="$BENCH_DIR/small.git"
small_work="$BENCH_DIR/small"
git init -q --bare "$small_bare"
git init -q "$small_work"
for i in $(seq 200); do
    mkdir -p "$small_work/src/m$((i % 20))"
    seq "$i" $((i + 80)) | sed 's/^/    let value = /; s/$/;/' >"$small_work/src/m$((i % 20))/f$i.rs"
done
git -C "$small_work" add -A
git -C "$small_work" commit -q -m "200 files"
git -C "$small_work" remote add origin "$small_bare"
git -C "$small_work" push -q origin main
for c in 1 2 3; do
    seq 1 40 | sed "s/^/fn edit_$c() -> u32 { /; s/\$/ }/" >>"$small_work/src/m$c/f$c.rs"
    printf 'config = "value %s"\n' "$c" >"$small_work/new-$c.toml"
    git -C "$small_work" add -A
    git -C "$small_work" commit -q -m "change $c"
done
measure "small push (3 commits, 6 files)" "$small_work" "$small_bare" main

# Large push: BENCH_COMMITS commits of the cargo history.
big_bare="$BENCH_DIR/cargo.git"
big_work="$BENCH_DIR/cargo-src.git"
git clone -q --bare "$BENCH_BUNDLE" "$big_work"
tip=$(git -C "$big_work" rev-parse HEAD)
# The first-parent ancestor of the tip nearest to BENCH_COMMITS commits back (bisection on the
# first-parent chain: the count of base..tip grows with the distance).
mapfile -t chain < <(git -C "$big_work" rev-list --first-parent "$tip")
lo=1
hi=$((${#chain[@]} - 1))
while ((lo < hi)); do
    mid=$(((lo + hi) / 2))
    if (($(git -C "$big_work" rev-list --count "${chain[$mid]}..$tip") < BENCH_COMMITS)); then
        lo=$((mid + 1))
    else
        hi=$mid
    fi
done
base=${chain[$lo]}
count=$(git -C "$big_work" rev-list --count "$base..$tip")
git init -q --bare "$big_bare"
git -C "$big_work" push -q "$big_bare" "$base:refs/heads/main"
git -C "$big_work" remote add origin "$big_bare" 2>/dev/null || git -C "$big_work" remote set-url origin "$big_bare"
measure "large push ($count cargo commits)" "$big_work" "$big_bare" "$tip:refs/heads/main"
echo "last report of the large push (first lines):" >&2
head -5 "$BENCH_DIR/last-report" >&2 || true
