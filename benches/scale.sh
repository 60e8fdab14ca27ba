#!/usr/bin/env bash
# How threatline scales with the tree: benches/compare.sh at each size, in one table, with
# the growth of each time from the first size (linear is 10x for 10x the files).
#
#   benches/scale.sh [--runs R] [--work DIR] [SIZE...]     (default sizes: 20000 200000)
#
# Generating a tree takes about 20 s per 100,000 files and 2.5 MB per 1,000 files
# (check `df -h` under --work first: 500,000 files are 1.3 GB). The binary is built once.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5 work=${TMPDIR:-/tmp}/threatline-bench sizes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) sizes+=("$1"); shift ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(20000 200000)
if [ -z "${THREATLINE_BIN:-}" ]; then
  cargo build --release --quiet
  export THREATLINE_BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/threatline
fi
summaries=()
for n in "${sizes[@]}"; do
  out=$(benches/compare.sh --files "$n" --runs "$runs" --work "$work")
  echo "$out"
  summaries+=("$(grep '^summary: ' <<<"$out")")
done
python3 - "${summaries[@]}" <<'PY'
import sys
rows = [dict(kv.split("=") for kv in s.split()[1:]) for s in sys.argv[1:]]
first = rows[0]
print()
print("| files | rg | cold | warm | cold/rg (cpu) | warm/rg (cpu) | peak RSS rg / cold / warm | cache | growth cold / warm |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    f = lambda k: float(r[k])
    print(f"| {int(r['files']):,} | {f('rg_ms'):.0f} ms | {f('cold_ms'):.0f} ms | {f('warm_ms'):.0f} ms "
          f"| {f('cold_ms') / f('rg_ms'):.2f}x ({f('cold_cpu_ms') / f('rg_cpu_ms'):.2f}x) "
          f"| {f('warm_ms') / f('rg_ms'):.2f}x ({f('warm_cpu_ms') / f('rg_cpu_ms'):.2f}x) "
          f"| {f('rg_rss_mb'):.0f} / {f('cold_rss_mb'):.0f} / {f('warm_rss_mb'):.0f} MB | {f('cache_mb'):.1f} MB "
          f"| {f('cold_ms') / float(first['cold_ms']):.1f}x / {f('warm_ms') / float(first['warm_ms']):.1f}x |")
PY
