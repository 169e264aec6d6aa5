#!/usr/bin/env bash
# Benchmark `hushguard audit` on a real history: any repository path (bare or not).
#
# Prints wall time, CPU time (user+sys, and the system part) and peak RSS (GNU time) of:
#   - the floor: `git cat-file --batch-all-objects --batch --unordered > /dev/null`
#     (every object inflated once, in pack order, on one core),
#   - `git log --all -p > /dev/null` (what line-diff based scanners build on),
#   - `hushguard audit` with every rule disabled (a temporary configuration, outside the audited
#     repository, that disables every family): the walk and the blob reads alone,
#   - the full `hushguard audit`,
# then, for `--format jsonl`, when the first finding line arrives and when the report ends.
# The commands run side by side, in turn, RUNS times; the best wall time of each is reported with
# the CPU time of that run, and the highest peak RSS of all its runs.
#
# Usage: bench/history.sh REPO
# Environment: RUNS (default 3), HG (the hushguard binary; default: this checkout's release build),
#              HG_BEFORE (optional: another binary, measured side by side for a before/after row),
#              COPIES (optional: measure instead a history N times larger, built once from REPO
#              and kept in SCALE_DIR, default /tmp/hushguard-history-scale: N copies of REPO's
#              history side by side, each with its refs and paths under cN/ and one more line in
#              every blob, so commits, trees, blobs and paths all grow N times; each copy is one
#              pack as `git fast-import` writes it).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${RUNS:-3}"
if [[ $# -ne 1 || ! -d "$1" ]]; then
    echo "usage: bench/history.sh REPO" >&2
    exit 2
fi
repo="$(cd "$1" && pwd)"
git -C "$repo" rev-parse --git-dir >/dev/null

# COPIES=N: N re-rooted copies of the history in one repository (the packs of copies 1..N shared
# by hard links between the repositories of each size).
if [[ -n "${COPIES:-}" ]]; then
    scale="${SCALE_DIR:-/tmp/hushguard-history-scale}"
    mkdir -p "$scale"
    for k in $(seq "$COPIES"); do
        [[ -f "$scale/c$k.git/complete" ]] && continue
        echo "== importing copy $k of $repo into $scale/c$k.git" >&2
        rm -rf "$scale/c$k.git"
        git init -q --bare "$scale/c$k.git"
        git -C "$repo" fast-export --all --signed-tags=strip --tag-of-filtered-object=drop |
            python3 -c '
import sys
k = sys.argv[1].encode()
inp, out = sys.stdin.buffer, sys.stdout.buffer
suffix, pre, kind = b"\n# history copy " + k + b"\n", b"c" + k + b"/", None
def path(p):
    return b"\"" + pre + p[1:] if p.startswith(b"\"") else pre + p
for line in iter(inp.readline, b""):
    if line.startswith(b"data "):
        body = inp.read(int(line[5:]))
        if kind == b"blob":
            body += suffix
        out.write(b"data %d\n" % len(body) + body)
        continue
    word = line.split(b" ", 1)[0].rstrip(b"\n")
    if word in (b"blob", b"commit", b"tag", b"reset"):
        kind = word
    if line.startswith((b"commit refs/", b"reset refs/")):
        w, ref = line.rstrip(b"\n").split(b" ", 1)
        a, b, rest = ref.split(b"/", 2)
        line = b"%s %s/%s/%s%s\n" % (w, a, b, pre, rest)
    elif word == b"tag" and kind == b"tag":
        line = b"tag " + pre + line[4:]
    elif word == b"M":
        m, mode, ref, p = line.rstrip(b"\n").split(b" ", 3)
        line = b" ".join([m, mode, ref, path(p)]) + b"\n"
    elif word == b"D":
        line = b"D " + path(line[2:].rstrip(b"\n")) + b"\n"
    out.write(line)
' "$k" | git -C "$scale/c$k.git" fast-import --quiet
        touch "$scale/c$k.git/complete"
    done
    big="$scale/x$COPIES.git"
    if [[ ! -f "$big/complete" ]]; then
        rm -rf "$big"
        git init -q --bare "$big"
        for k in $(seq "$COPIES"); do
            ln "$scale/c$k.git"/objects/pack/* "$big/objects/pack/"
            git -C "$scale/c$k.git" for-each-ref --format='%(objectname) %(refname)'
        done | sort -k2 >"$big/packed-refs"
        git -C "$big" symbolic-ref HEAD "$(git -C "$repo" symbolic-ref HEAD | sed 's|^refs/heads/|refs/heads/c1/|')"
        touch "$big/complete"
    fi
    repo="$big"
fi

if [[ ! -x /usr/bin/time ]]; then
    echo "installing GNU time for peak RSS figures" >&2
    apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
if [[ -z "${HG:-}" ]]; then
    echo "== building hushguard (release)" >&2
    cargo build --release --quiet --manifest-path "$here/Cargo.toml"
    HG="${CARGO_TARGET_DIR:-$here/target}/release/hushguard"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Every family disabled: the audit still walks every tree and reads every blob.
"$HG" rules --format json | python3 -c 'import json,sys; fams=sorted({r["id"].split(".")[0] for r in json.load(sys.stdin)}); print("[rules]\ndisable = " + json.dumps(fams))' >"$work/no-rules.toml"

names=(floor logp bare full)
cmds=(
    "git cat-file --batch-all-objects --batch --unordered"
    "git log --all -p"
    "$HG audit --no-policy --format json --progress never --config $work/no-rules.toml"
    "$HG audit --no-policy --format json --progress never"
)
labels=(
    "git cat-file --batch-all-objects --batch --unordered (floor)"
    "git log --all -p"
    "hushguard audit, every rule disabled (walk + reads)"
    "hushguard audit"
)
if [[ -n "${HG_BEFORE:-}" ]]; then
    names+=(before)
    cmds+=("$HG_BEFORE audit --no-policy --format json --progress never")
    labels+=("hushguard audit (HG_BEFORE)")
fi
declare -A best cpu sys rss
cd "$repo"
cat "$(git rev-parse --git-path objects)"/pack/*.pack >/dev/null 2>&1 || true # warm the page cache
for _ in $(seq "$RUNS"); do
    for i in "${!names[@]}"; do
        n=${names[$i]}
        # shellcheck disable=SC2086 # the commands are word lists
        /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" ${cmds[$i]} >/dev/null 2>"$work/stderr.txt" || true
        # GNU time puts "Command exited with non-zero status N" first when the audit finds something.
        read -r t u s m < <(tail -n 1 "$work/time.txt")
        if [[ -z "${best[$n]:-}" ]] || awk "BEGIN {exit !($t < ${best[$n]})}"; then
            best[$n]=$t
            cpu[$n]=$(awk "BEGIN {printf \"%.2f\", $u + $s}")
            sys[$n]=$s
        fi
        if [[ -z "${rss[$n]:-}" ]] || ((m > ${rss[$n]})); then rss[$n]=$m; fi
    done
done

# --format jsonl: seconds until the first finding line, and until the end of the report.
stream=$(python3 - "$HG" <<'PY'
import subprocess, sys, time
start = time.monotonic()
p = subprocess.Popen([sys.argv[1], "audit", "--no-policy", "--format", "jsonl", "--progress", "never"],
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
first, n = None, 0
for line in p.stdout:
    if line.startswith(b'{"') and b'"type":"finding"' in line:
        n += 1
        if first is None:
            first = time.monotonic() - start
p.wait()
end = time.monotonic() - start
print(f"{n} findings; first line after {first:.2f} s of {end:.2f} s" if first is not None
      else f"no findings; report after {end:.2f} s")
PY
)

summary=$("$HG" audit --no-policy --format json --progress never | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print(", ".join(f"{k}={s[k]}" for k in ("commits","blobs","files_scanned","bytes_scanned","findings") if k in s))' || true)

ratio() { awk "BEGIN {printf \"%.2f\", $1 / $2}"; }
echo "== $repo: $(git rev-list --all | wc -l) commits, $(git count-objects -v | awk '/^in-pack/ {print $2}') objects"
echo "== best of $RUNS, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-62s %8s %8s %8s %8s\n" "" "wall" "cpu" "sys" "max RSS"
for i in "${!names[@]}"; do
    n=${names[$i]}
    printf "%-62s %7ss %7ss %7ss %5s MB\n" "${labels[$i]}" "${best[$n]}" "${cpu[$n]}" "${sys[$n]}" "$((rss[$n] / 1024))"
done
echo "audit / floor:          $(ratio "${best[full]}" "${best[floor]}")x wall, $(ratio "${cpu[full]}" "${cpu[floor]}")x cpu"
echo "walk + reads / floor:   $(ratio "${best[bare]}" "${best[floor]}")x wall, $(ratio "${cpu[bare]}" "${cpu[floor]}")x cpu"
if [[ -n "${HG_BEFORE:-}" ]]; then
    echo "before / after:         $(ratio "${best[before]}" "${best[full]}")x wall"
fi
echo "--format jsonl:         $stream"
echo "audit summary:          $summary"
