#!/usr/bin/env bash
# The largest input of each class of issue 13's hostile inputs, timed with a release build: for each,
# the input's size, the wall time, the peak resident memory (GNU time's %M) and the exit code.
#
#   quadratic passes   1 MB and 4 MB of `password = "…"` lines, staged
#                      one 4 MB line with an AWS-shaped key id every 4 KB, staged
#                      a 2 MB minified bundle, staged
#                      SECURITY.md with 2,000 and 20,000 placeholder lines (`policy`)
#   unbounded input    `scan -` of /dev/zero (read up to the size limit plus one byte)
#   resource flags     `scan --staged --threads 20000`; `rules check` of 100,000 rules
#   decoding           one 100 MB base64 line (`scan PATH`, size limit raised)
#   large blobs        an edit to a 50 MB and a 200 MB file, `--staged` and `--range` (size limit
#                      raised): the peak against the file's size
#
# Every secret-shaped value is made here at run time; nothing is kept. Needs GNU time
# (/usr/bin/time; `apt-get install -y time`) and awk.
#
# Usage: bench/hostile.sh [--no-build]
# Environment: BENCH_DIR (default: a new temporary directory, removed at the end),
#              BENCH_LARGE (sizes in MB of the large-blob class, default "50 200"),
#              BENCH_BIN (another build to time instead, e.g. an older release).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
build=1
for arg in "$@"; do
    case "$arg" in
        --no-build) build=0 ;;
        *) echo "usage: bench/hostile.sh [--no-build]" >&2; exit 2 ;;
    esac
done
if [[ $build == 1 ]]; then
    (cd "$here" && cargo build --release --quiet)
fi
bin="${BENCH_BIN:-${CARGO_TARGET_DIR:-$here/target}/release/hushguard}"
[[ -x "$bin" ]] || { echo "no release build at $bin (run cargo build --release)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "needs GNU time at /usr/bin/time" >&2; exit 2; }

if [[ -n "${BENCH_DIR:-}" ]]; then
    work="$BENCH_DIR"
    mkdir -p "$work"
else
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
fi
large_sizes="${BENCH_LARGE:-50 200}"

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.test
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.test
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES

# A fresh repository with one commit, in $work/$1.
fresh() {
    local r="$work/$1"
    rm -rf "$r"
    git init -q -b main "$r"
    printf '# bench\n' > "$r/README.md"
    git -C "$r" add -A
    git -C "$r" commit -q -m init
    echo "$r"
}

# Lines of `password = "<20 letters and digits>"` up to $1 bytes.
passwords() {
    awk -v n="$1" 'BEGIN { srand(1); a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        while (size < n) { v = ""; for (i = 0; i < 20; i++) v = v substr(a, int(rand() * 62) + 1, 1);
            line = "password = \"" v "\""; print line; size += length(line) + 1 } }'
}

# One line of $1 bytes: 4,000 filler bytes, then an AWS-shaped key id, again and again.
key_line() {
    awk -v n="$1" 'BEGIN { srand(2); a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; pad = sprintf("%4000s", ""); gsub(/ /, "x", pad);
        while (size < n) { k = "AKIA"; for (i = 0; i < 16; i++) k = k substr(a, int(rand() * 32) + 1, 1);
            printf "%s %s ", pad, k; size += 4000 + 22 } print "" }'
}

# A minified bundle of $1 bytes on one line (no secrets).
bundle() {
    awk -v n="$1" 'BEGIN { srand(3); while (size < n) { s = sprintf("function f%d(a,b){var c=a+b*%d;return c>%d?\"k%d\":null};", i, i, int(rand() * 1000), i);
        printf "%s", s; size += length(s); i++ } print "" }'
}

# $1 MB of source-like text lines (words and numbers).
text_mb() {
    awk -v n="$(( $1 * 1000000 ))" 'BEGIN { srand(4); split("alpha config value return let import data self", w, " ");
        while (size < n) { l = ""; for (i = 0; i < 10; i++) l = l w[int(rand() * 8) + 1] " "; l = l "= " int(rand() * 1e9);
            print l; size += length(l) + 1 } }'
}

# A token of the GitHub shape, made now.
token() {
    awk 'BEGIN { srand(5); a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"; t = "gh" "p_";
        for (i = 0; i < 36; i++) t = t substr(a, int(rand() * 62) + 1, 1); print t }'
}

printf '%-52s %12s %9s %11s %5s\n' "class" "input" "wall s" "peak MB" "exit"
# Run the command after $1 (the row's label) and $2 (its input's size) in $dir; print one row.
row() {
    local label="$1" size="$2"
    shift 2
    local out rc
    out="$(cd "$dir" && { /usr/bin/time -f '%e %M' -o "$work/.time" "$bin" "$@" < "${stdin:-/dev/null}" > /dev/null 2>&1; echo $?; })"
    rc="$out"
    # GNU time writes "Command exited with non-zero status N" first when the command fails.
    read -r secs kib < <(tail -n 1 "$work/.time")
    awk -v l="$label" -v s="$size" -v t="$secs" -v k="$kib" -v c="$rc" \
        'BEGIN { printf "%-52s %12s %9.2f %11.1f %5s\n", l, s, t, k / 1024, c }'
}

for mb in 1 4; do
    dir="$(fresh passwords-$mb)"
    passwords $(( mb * 1000000 )) > "$dir/passwords.txt"
    git -C "$dir" add -A
    row "password lines, scan --staged" "$mb MB" scan --staged
done

dir="$(fresh keys)"
key_line 4000000 > "$dir/bundle.min.js"
git -C "$dir" add -A
row "one line, an AWS key id every 4 KB, --staged" "4 MB" scan --staged

dir="$(fresh bundle)"
bundle 2000000 > "$dir/app.min.js"
git -C "$dir" add -A
row "minified bundle, scan --staged" "2 MB" scan --staged

for n in 2000 20000; do
    dir="$(fresh policy-$n)"
    {
        printf '# Security\n\nReport to security@acme.test.\n\n'
        awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "Lorem ipsum [your email %d] TODO <your name> %d\n", i, i }'
    } > "$dir/SECURITY.md"
    row "policy, placeholder lines" "$n lines" policy --today 2026-01-01
done

dir="$(fresh stdin)"
stdin=/dev/zero row "scan - of /dev/zero (the 10 MiB limit)" "unbounded" scan -
unset stdin

dir="$(fresh threads)"
printf 'a\n' > "$dir/a.txt"; git -C "$dir" add -A; git -C "$dir" commit -q -m a
printf 'b\n' > "$dir/b.txt"; git -C "$dir" add -A; git -C "$dir" commit -q -m b
printf 'TOKEN=%s\n' "$(token)" > "$dir/app.env"; git -C "$dir" add -A
row "scan --staged --threads 20000 (3 commits)" "1 file" scan --staged --threads 20000

dir="$(fresh rules)"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "[[rule]]\nid = \"t.r%d\"\ndescription = \"d\"\nkeywords = [\"kw%d\"]\nregex = '\''kw%d[0-9]{8}'\''\n", i, i, i }' > "$dir/rules.toml"
row "rules check, 100,000 rules" "$(( $(wc -c < "$dir/rules.toml") / 1000000 )) MB" rules check rules.toml

dir="$(fresh base64)"
head -c 75000000 /dev/urandom | base64 -w 0 > "$dir/blob.b64"
row "one base64 line, scan PATH" "100 MB" scan --max-file-size 200000000 blob.b64

for mb in $large_sizes; do
    dir="$(fresh large-$mb)"
    text_mb "$mb" > "$dir/large.txt"
    git -C "$dir" add -A
    git -C "$dir" commit -q -m large
    printf 'token = "%s"\n' "$(token)" >> "$dir/large.txt"
    git -C "$dir" add -A
    limit=$(( (mb + 10) * 1000000 ))
    row "an edit to a large file, scan --staged" "$mb MB" scan --staged --max-file-size "$limit"
    git -C "$dir" commit -q --no-verify -m edit
    row "an edit to a large file, scan --range HEAD" "$mb MB" scan --range HEAD --max-file-size "$limit"
    rm -rf "$dir"
done
