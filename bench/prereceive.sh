#!/usr/bin/env bash
# Benchmark the pre-receive hook: how long `hushguard scan --pre-receive` takes inside a real
# `git push` into a bare repository, objects in git's quarantine and all.
#
# The hook is a wrapper that times hushguard (wall clock, process start to exit, as the server
# sees it) and then always refuses the push, so the same push can be repeated: nothing lands, git
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

# install_hook BARE MODE: MODE `hushguard` times hushguard, `none` refuses at once.
install_hook() {
    local bare="$1" mode="$2"
    if [[ "$mode" == hushguard ]]; then
        cat >"$bare/hooks/pre-receive" <<EOF
#!/bin/sh
input=\$(cat)
start=\$(date +%s%N)
printf '%s\n' "\$input" | '$HUSHGUARD' scan --pre-receive >"$BENCH_DIR/last-report" 2>&1
code=\$?
end=\$(date +%s%N)
echo "\$(( (end - start) / 1000 )) \$code" >>'$log'
exit 1
EOF
    else
        cat >"$bare/hooks/pre-receive" <<EOF
#!/bin/sh
cat >/dev/null
exit 1
EOF
    fi
    chmod +x "$bare/hooks/pre-receive"
}

# stats FILE: median and fastest of the microsecond figures in FILE, in ms.
stats() {
    sort -n "$1" | awk '{ a[NR] = $1 } END {
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
        printf "median %.1f ms, fastest %.1f ms (%d runs)", m / 1000, a[1] / 1000, NR }'
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
    install_hook "$bare" none
    for _ in $(seq "$BENCH_RUNS"); do
        local s e
        s=$(date +%s%N)
        git -C "$work" push -q origin "$@" >/dev/null 2>&1 || true
        e=$(date +%s%N)
        echo $(((e - s) / 1000)) >>"$wall"
    done
    printf '%-40s hushguard in the hook: %s; exit %s\n' "$name" "$(stats "$BENCH_DIR/hook")" \
        "$(tail -1 "$log" | cut -d' ' -f2)"
    printf '%-40s the same push, hook refusing at once: %s\n' "" "$(stats "$wall")"
}

echo "hushguard: $("$HUSHGUARD" --version); git: $(git --version); $(nproc) cores" >&2

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
base=$(git -C "$big_work" rev-list --first-parent "$tip" | sed -n "$((BENCH_COMMITS / 2))p")
# Walk back along the first parents until the push brings at least BENCH_COMMITS commits.
while [[ $(git -C "$big_work" rev-list --count "$base..$tip") -lt $BENCH_COMMITS ]]; do
    base=$(git -C "$big_work" rev-parse "$base~10")
done
count=$(git -C "$big_work" rev-list --count "$base..$tip")
git init -q --bare "$big_bare"
git -C "$big_work" push -q "$big_bare" "$base:refs/heads/main"
git -C "$big_work" remote add origin "$big_bare" 2>/dev/null || git -C "$big_work" remote set-url origin "$big_bare"
measure "large push ($count cargo commits)" "$big_work" "$big_bare" "$tip:refs/heads/main"
echo "last report of the large push (first lines):" >&2
head -5 "$BENCH_DIR/last-report" >&2 || true
