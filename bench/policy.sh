#!/usr/bin/env bash
# Benchmark `hushguard policy` on a large repository.
#
# Builds (once, cached in $BENCH_DIR) a repository of $BENCH_FILES files (default 50000; 2% of
# them package.json files) and $BENCH_COMMITS commits (default 3000, each editing a few files).
# The root commit adds an undated SECURITY.md; the last commit gives it a "Last updated" date.
# Then times, with hyperfine (release build):
#   - the floor: `hushguard policy` in a one-file repository (process start, configuration, rules),
#   - the working tree, `--staged` and `--rev HEAD` on the large repository (dated policy),
#   - `--rev HEAD~1`: the undated policy, whose age comes from walking the whole history back to
#     the root commit (the worst case of the history lookup),
#   - `--config` with the file rules disabled, to show what the tracked-file check costs,
#   - and `--config` with a content-conditioned rule of its own on every `*.json` (the built-in
#     service-account rule skips package.json by name), to show what reading 1,000 files costs.
#
# Usage: bench/policy.sh [--rebuild]
# Environment: BENCH_DIR (default /tmp/hushguard-policy-bench), BENCH_FILES, BENCH_COMMITS,
#              BENCH_RUNS (hyperfine --runs, default 30).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/hushguard-policy-bench}"
BENCH_FILES="${BENCH_FILES:-50000}"
BENCH_COMMITS="${BENCH_COMMITS:-3000}"
BENCH_RUNS="${BENCH_RUNS:-30}"
repo="$BENCH_DIR/repo"
small="$BENCH_DIR/small"

if [[ "${1:-}" == "--rebuild" ]]; then
    rm -rf "$repo" "$small"
fi
if ! command -v hyperfine >/dev/null; then
    echo "installing hyperfine" >&2
    apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null
fi

(cd "$here" && cargo build --release --quiet)
bin="$here/target/release/hushguard"

if [[ ! -f "$repo/.bench-complete" ]]; then
    echo "building $repo: $BENCH_FILES files, $BENCH_COMMITS commits…" >&2
    rm -rf "$repo"
    mkdir -p "$repo"
    git -C "$repo" init -q -b main
    python3 - "$BENCH_FILES" "$BENCH_COMMITS" <<'PY' | git -C "$repo" fast-import --quiet
import random, sys

files, commits = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(5)
out = sys.stdout.buffer

POLICY = """# Security Policy

## Supported Versions

| Version | Supported          |
| ------- | ------------------ |
| 2.x     | :white_check_mark: |
| < 2.0   | :x:                |

## Reporting a Vulnerability

Email security@bench-project.dev or use GitHub's private vulnerability reporting.
See [the contributing guide](CONTRIBUTING.md) and [the docs](docs/).
"""

def path(i):
    if i % 50 == 0:
        return f"packages/p{i // 50:04d}/package.json"
    return f"src/m{i % 97:02d}/d{(i // 97) % 23:02d}/f{i:06d}.rs"

def body(i, rev):
    if i % 50 == 0:
        return f'{{"name": "p{i}", "version": "1.{rev}.0"}}\n'.encode()
    return f"// file {i} revision {rev}\npub fn f{i}() -> u32 {{ {rev} }}\n".encode()

def blob(data):
    out.write(b"data %d\n" % len(data))
    out.write(data)
    out.write(b"\n")

def commit(n, changes):
    t = 1_600_000_000 + n * 3600
    msg = f"commit {n}".encode()
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Bench <bench@bench.invalid> %d +0000\n" % t)
    blob(msg)
    for p, data in changes:
        out.write(b"M 100644 inline " + p.encode() + b"\n")
        blob(data)
    out.write(b"\n")

first = [(path(i), body(i, 0)) for i in range(files)]
first += [
    ("Cargo.toml", b'[package]\nname = "bench"\nversion = "2.4.1"\n'),
    ("CONTRIBUTING.md", b"# Contributing\n"),
    ("docs/index.md", b"# Docs\n"),
    ("SECURITY.md", POLICY.encode()),
]
commit(1, first)
for n in range(2, commits):
    commit(n, [(path(i), body(i, n)) for i in rng.sample(range(files), 3)])
commit(commits, [("SECURITY.md", (POLICY + "\nLast updated: 2026-08-15\n").encode())])
PY
    git -C "$repo" reset -q --hard main
    git -C "$repo" gc -q
    touch "$repo/.bench-complete"
fi

if [[ ! -d "$small/.git" ]]; then
    mkdir -p "$small"
    git -C "$small" init -q -b main
    printf '# Security\n\nEmail security@bench-project.dev\n\nLast updated: 2026-08-15\n' > "$small/SECURITY.md"
    git -C "$small" add SECURITY.md
    git -C "$small" -c user.name=b -c user.email=b@bench.invalid commit -q -m init
fi

no_file_rules="$BENCH_DIR/no-file-rules.toml"
rule_ids=$("$bin" rules --format json | python3 -c '
import json, sys
print(",".join(json.dumps(r["id"]) for r in json.load(sys.stdin) if r.get("kind") == "file"))')
printf '[rules]\ndisable = [%s]\n' "$rule_ids" > "$no_file_rules"
json_rule="$BENCH_DIR/json-content-rule.toml"
cat > "$json_rule" <<'TOML'
[[rule]]
id = "bench.json-content"
description = "A content-conditioned file rule on every .json file"
kind = "file"
paths = ["*.json"]
keywords = ["service_account"]
regex = '"type"\s*:\s*"service_account"'
TOML

echo "repository: $(git -C "$repo" ls-files | wc -l) tracked files, $(git -C "$repo" rev-list --count HEAD) commits" >&2
for args in "policy --today 2026-10-01" "policy --staged --today 2026-10-01" "policy --rev HEAD~1 --today 2026-10-01"; do
    "$bin" $args "$repo" >/dev/null 2>&1 || true
done
echo "undated policy at HEAD~1: $("$bin" policy --rev HEAD~1 --today 2026-10-01 --format json "$repo" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([f["message"] for f in d["findings"] if f["rule_id"] == "security-policy.stale"] or "no stale finding")')" >&2

hyperfine --warmup 3 --runs "$BENCH_RUNS" -N -i \
    -n "floor: one-file repository" "$bin policy --today 2026-10-01 $small" \
    -n "working tree (dated)" "$bin policy --today 2026-10-01 $repo" \
    -n "index, staged (dated)" "$bin policy --staged --today 2026-10-01 $repo" \
    -n "commit HEAD (dated)" "$bin policy --rev HEAD --today 2026-10-01 $repo" \
    -n "commit HEAD~1 (undated: history walk)" "$bin policy --rev HEAD~1 --today 2026-10-01 $repo" \
    -n "working tree, file rules disabled" "$bin policy --today 2026-10-01 --config $no_file_rules $repo" \
    -n "working tree, a content rule reading every .json" "$bin policy --today 2026-10-01 --config $json_rule $repo"
