#!/usr/bin/env bash
# Benchmark `hushguard audit` on a realistic history repository.
#
# Builds (once, cached in $BENCH_DIR) a repository from the sources of the vendored crates in
# ~/.cargo/registry/src: a few thousand commits that add crates, edit files, rename files and whole
# directories, merge feature branches, leave some branches unmerged and tag releases. Then prints:
#   - the floor: `git cat-file --batch-all-objects --batch --unordered > /dev/null`
#     (inflate every object once, in pack order),
#   - `git log --all -p > /dev/null` (what line-diff based scanners build on),
#   - `hushguard audit` with all cores and with --threads 1,
#   - hushguard audit with every rule disabled: the walk and the reads alone,
#   - the CPU time and peak RSS of each run (GNU time).
#
# Usage: bench/audit.sh [--rebuild] [--build-only]
# Environment: BENCH_DIR (default /tmp/hushguard-bench), BENCH_COMMITS (default 4000),
#              BENCH_RUNS (default 3: the best of N runs is reported).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/hushguard-bench}"
BENCH_COMMITS="${BENCH_COMMITS:-4000}"
BENCH_RUNS="${BENCH_RUNS:-3}"
repo="$BENCH_DIR/repo"

if [[ ! -x /usr/bin/time ]]; then
    echo "installing GNU time for peak RSS figures" >&2
    apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

src_root="$(ls -d "$HOME"/.cargo/registry/src/*/ | head -1)"
for arg in "$@"; do
    case "$arg" in
        --rebuild) rm -rf "$repo" ;;
        --build-only) build_only=1 ;;
        *) echo "usage: bench/audit.sh [--rebuild] [--build-only]" >&2; exit 2 ;;
    esac
done

if [[ ! -f "$repo/.bench-complete" ]]; then
    echo "building the history repository in $repo from $src_root ($BENCH_COMMITS commits)…" >&2
    rm -rf "$repo"
    mkdir -p "$repo"
    git -C "$repo" init -q -b main
    started=$(date +%s)
    python3 - "$src_root" "$BENCH_COMMITS" <<'PY' | git -C "$repo" -c core.bigFileThreshold=512m fast-import --quiet
import os, random, sys

src_root, total = sys.argv[1], int(sys.argv[2])
rng = random.Random(20240601)
out = sys.stdout.buffer

crates = sorted(d for d in os.listdir(src_root) if os.path.isdir(os.path.join(src_root, d)))
rng.shuffle(crates)

def crate_files(crate):
    base = os.path.join(src_root, crate)
    files = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for f in sorted(filenames):
            if not f.endswith((".rs", ".toml", ".md")):
                continue
            p = os.path.join(dirpath, f)
            try:
                if os.path.getsize(p) > 400_000:
                    continue
                with open(p, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            files.append((os.path.relpath(p, base), data))
    return files

mark = 0
def next_mark():
    global mark
    mark += 1
    return mark

clock = 1_500_000_000
def commit(ref, message, changes, parents):
    """changes: list of (path, bytes|None); returns the commit mark."""
    global clock
    clock += rng.randint(60, 7200)
    m = next_mark()
    who = rng.choice(["Ada Lovelace <ada@example.org>", "Grace Hopper <grace@example.org>",
                      "Alan Turing <alan@example.org>", "Edsger Dijkstra <ewd@example.org>"])
    msg = message.encode()
    out.write(b"commit %s\nmark :%d\nauthor %s %d +0000\ncommitter %s %d +0000\ndata %d\n%s\n"
              % (ref.encode(), m, who.encode(), clock, who.encode(), clock, len(msg), msg))
    if parents:
        out.write(b"from :%d\n" % parents[0])
        for p in parents[1:]:
            out.write(b"merge :%d\n" % p)
    for path, data in changes:
        if data is None:
            out.write(b"D %s\n" % path.encode())
        else:
            out.write(b"M 100644 inline %s\ndata %d\n" % (path.encode(), len(data)))
            out.write(data)
            out.write(b"\n")
    out.write(b"\n")
    return m

def edit(data):
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        i = rng.randrange(len(lines) + 1)
        if op < 0.45 and lines:
            j = min(len(lines), i + 1)
            lines[i:j] = [b"    // revised: " + str(rng.randrange(10**6)).encode()]
        elif op < 0.8:
            k = rng.randrange(len(lines)) if lines else 0
            lines[i:i] = lines[k:k + rng.randint(1, 6)] or [b"// new"]
        elif lines:
            del lines[i:i + rng.randint(1, 5)]
    return b"\n".join(lines)

state = {}          # path -> bytes on main
tip = None
pending = list(crates)
n = 0
tag_no = 0
while n < total:
    r = rng.random()
    if pending and (not state or r < 0.08):
        crate = pending.pop()
        files = crate_files(crate)
        if not files:
            continue
        changes = [("vendor/%s/%s" % (crate, p), d) for p, d in files]
        for p, d in changes:
            state[p] = d
        tip = commit("refs/heads/main", "Add %s" % crate, changes, [tip] if tip else [])
        n += 1
    elif r < 0.12 and len(state) > 10:
        # rename a file, or a whole directory
        paths = sorted(state)
        p = rng.choice(paths)
        if rng.random() < 0.5:
            d = os.path.dirname(p)
            moved = [q for q in paths if q.startswith(d + "/")]
            nd = d.replace("vendor/", "libs/", 1) if d.startswith("vendor/") else d + "-moved"
            changes = []
            for q in moved:
                nq = nd + q[len(d):]
                if nq in state:
                    continue
                changes.append((q, None))
                changes.append((nq, state[q]))
                state[nq] = state.pop(q)
            if not changes:
                continue
            tip = commit("refs/heads/main", "Move %s to %s" % (d, nd), changes, [tip])
        else:
            np_ = os.path.join(os.path.dirname(p), "renamed_" + os.path.basename(p))
            if np_ in state:
                continue
            state[np_] = edit(state.pop(p)) if rng.random() < 0.5 else state.pop(p)
            tip = commit("refs/heads/main", "Rename %s" % p, [(p, None), (np_, state[np_])], [tip])
        n += 1
    elif r < 0.20 and len(state) > 50:
        # a feature branch: a few commits on disjoint files, then a merge (or left unmerged)
        paths = sorted(state)
        touched = rng.sample(paths, min(len(paths), rng.randint(3, 12)))
        branch_state = {}
        btip = tip
        name = "refs/heads/feature-%d" % n
        for i in range(rng.randint(2, 6)):
            ch = []
            for p in rng.sample(touched, min(len(touched), rng.randint(1, 3))):
                branch_state[p] = edit(branch_state.get(p, state[p]))
                ch.append((p, branch_state[p]))
            btip = commit(name, "Feature work %d.%d" % (n, i), ch, [btip])
            n += 1
        others = [p for p in paths if p not in touched]
        for i in range(rng.randint(0, 3)):
            ch = []
            for p in rng.sample(others, min(len(others), rng.randint(1, 3))):
                state[p] = edit(state[p])
                ch.append((p, state[p]))
            tip = commit("refs/heads/main", "Fix %d.%d" % (n, i), ch, [tip])
            n += 1
        if rng.random() < 0.85:
            state.update(branch_state)
            tip = commit("refs/heads/main", "Merge feature-%d" % n,
                         sorted(branch_state.items()), [tip, btip])
            n += 1
    else:
        paths = sorted(state)
        ch = []
        for p in rng.sample(paths, min(len(paths), rng.randint(1, 5))):
            if rng.random() < 0.03:
                ch.append((p, None))
                del state[p]
            else:
                state[p] = edit(state[p])
                ch.append((p, state[p]))
        tip = commit("refs/heads/main", "Edit %d" % n, ch, [tip])
        n += 1
    if n // 250 > tag_no:
        tag_no = n // 250
        out.write(b"reset refs/tags/v0.%d.0\nfrom :%d\n\n" % (tag_no, tip))
out.write(b"done\n")
PY
    git -C "$repo" checkout -q main
    echo "fast-import done in $(( $(date +%s) - started ))s; repacking (git repack -adf)…" >&2
    git -C "$repo" repack -adfq
    git -C "$repo" prune-packed
    touch "$repo/.bench-complete"
    echo "repository built in $(( $(date +%s) - started ))s" >&2
fi

if [[ -n "${build_only:-}" ]]; then
    exit 0
fi

echo "== repository"
echo "commits: $(git -C "$repo" rev-list --all | wc -l), objects: $(git -C "$repo" count-objects -v | awk '/^in-pack/ {print $2}'), pack size: $(du -sh "$repo/.git/objects/pack" | cut -f1), refs: $(git -C "$repo" for-each-ref | wc -l)"

echo "== building hushguard (release)" >&2
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
hg="${CARGO_TARGET_DIR:-$here/target}/release/hushguard"

# best wall time of $BENCH_RUNS runs (s), the CPU time (user+sys, s) of that run, and the peak RSS (MB)
measure() {
    local best="" cpu="" rss="" t u s m
    for _ in $(seq "$BENCH_RUNS"); do
        /usr/bin/time -f "%e %U %S %M" -o "$BENCH_DIR/time.txt" "$@" >/dev/null 2>"$BENCH_DIR/stderr.txt" || true
        read -r t u s m <"$BENCH_DIR/time.txt"
        if [[ -z "$best" ]] || awk "BEGIN {exit !($t < $best)}"; then
            best=$t
            cpu=$(awk "BEGIN {printf \"%.2f\", $u + $s}")
        fi
        if [[ -z "$rss" ]] || (( m > rss )); then rss=$m; fi
    done
    printf "%s %s %s" "$best" "$cpu" "$(( rss / 1024 ))"
}

cd "$repo"
# warm the page cache
cat .git/objects/pack/* >/dev/null

read -r floor floor_cpu floor_rss <<<"$(measure git cat-file --batch-all-objects --batch --unordered)"
read -r logp logp_cpu logp_rss <<<"$(measure git log --all -p)"
read -r all all_cpu all_rss <<<"$(measure "$hg" audit --no-policy --format json --progress never)"
read -r one one_cpu one_rss <<<"$(measure "$hg" audit --no-policy --format json --progress never --threads 1)"
# The same walk and reads with every rule disabled: what the history machinery costs without the matcher.
"$hg" rules --format json | python3 -c 'import json,sys; fams=sorted({r["id"].split(".")[0] for r in json.load(sys.stdin)}); print("[rules]\ndisable = " + json.dumps(fams))' >"$BENCH_DIR/no-rules.toml"
read -r bare bare_cpu bare_rss <<<"$(measure "$hg" audit --no-policy --format json --progress never --config "$BENCH_DIR/no-rules.toml")"

"$hg" audit --no-policy --format json --progress never >"$BENCH_DIR/report.json" || true
summary=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(", ".join(f"{k}={s[k]}" for k in ("commits","blobs","files_scanned","bytes_scanned","skipped","findings") if k in s))' "$BENCH_DIR/report.json")

ratio() { awk "BEGIN {printf \"%.2f\", $1 / $2}"; }
echo "== results (best of $BENCH_RUNS, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg))"
printf "%-62s %8s %8s %8s\n" "" "wall" "cpu" "max RSS"
row() { printf "%-62s %7ss %7ss %5s MB\n" "$1" "$2" "$3" "$4"; }
row "git cat-file --batch-all-objects --batch --unordered (floor)" "$floor" "$floor_cpu" "$floor_rss"
row "git log --all -p" "$logp" "$logp_cpu" "$logp_rss"
row "hushguard audit (all cores)" "$all" "$all_cpu" "$all_rss"
row "hushguard audit --threads 1" "$one" "$one_cpu" "$one_rss"
row "hushguard audit, every rule disabled (walk + reads only)" "$bare" "$bare_cpu" "$bare_rss"
echo "hushguard / floor:        $(ratio "$all" "$floor")x wall   (target <= 1.5x)"
echo "git log -p / hushguard:   $(ratio "$logp" "$all")x wall   (target >= 2x)"
echo "--threads 1 / all cores:  $(ratio "$one" "$all")x wall"
echo "walk + reads / floor:     $(ratio "$bare" "$floor")x wall"
echo "audit summary: $summary"
