#!/usr/bin/env bash
# Whole-process benchmark: threatline against ripgrep on the same generated tree, in the
# same run, so the ratio means something on a noisy machine.
#
#   benches/compare.sh [--files N] [--share S] [--decoy D] [--dialect threatspec|gal] [--runs R]
#
# --decoy D puts foreign `@` forms (Java annotations, decorators, Javadoc tags, `// @flow`,
# emails) into that share of the unannotated files; `--share 0 --decoy 0.4` is the tree with
# no annotation at all, where threatline should cost what reading costs.
#
# Needs python3, rg, hyperfine and GNU time (/usr/bin/time; Debian: ripgrep, hyperfine,
# time). The corpus generator is ../shared/bench/gen_corpus.py unless GEN_CORPUS says
# otherwise. Prints wall times, the ratios to rg (cold: no cache; warm: a primed cache),
# throughput, peak RSS, and the annotations found against the corpus's CORPUS.json.
set -euo pipefail
cd "$(dirname "$0")/.."

files=20000 share=0.05 decoy=0 dialect=threatspec runs=10
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files=$2; shift 2 ;;
    --share) share=$2; shift 2 ;;
    --decoy) decoy=$2; shift 2 ;;
    --dialect) dialect=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
gen=${GEN_CORPUS:-../shared/bench/gen_corpus.py}
for tool in python3 rg hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done

cargo build --release --quiet
bin=$PWD/target/release/threatline
work=${TMPDIR:-/tmp}/threatline-bench
tree=$work/tree-$files-$share-$decoy-$dialect
cache=$work/cache
mkdir -p "$work"
[ -f "$tree/CORPUS.json" ] || python3 "$gen" "$tree" --files "$files" --annotated-share "$share" --decoy-share "$decoy" --dialect "$dialect" >/dev/null

# Prime the warm cache, outside the measurement.
rm -rf "$cache"
"$bin" check "$tree" --cache-dir "$cache" --format json -o /dev/null || true
sleep 2  # past the cache's racy window, as a later commit would be

hyperfine -N -i --warmup 2 --runs "$runs" --export-json "$work/times.json" \
  -n rg "rg -c '@(mitigates|exposes|connects|flows)' $tree" \
  -n cold "$bin check $tree --no-cache --format json -o /dev/null" \
  -n warm "$bin check $tree --cache-dir $cache --format json -o /dev/null" >/dev/null

rss=$( { /usr/bin/time -v "$bin" check "$tree" --no-cache --format json -o /dev/null; } 2>&1 >/dev/null \
  | awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' || true)
stats=$("$bin" scan "$tree" --no-cache --stats -o /dev/null 2>&1 | tail -n 1 || true)

python3 - "$work/times.json" "$tree/CORPUS.json" "$rss" "$stats" <<'PY'
import json, re, sys
times = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
corpus = json.load(open(sys.argv[2]))
rss_kb, stats = int(sys.argv[3] or 0), sys.argv[4]
rg = times["rg"]["mean"]
print(f"tree: {corpus['files']} files, {corpus['bytes'] / 1e6:.1f} MB, {corpus['annotated_files']} annotated")
for name in ("rg", "cold", "warm"):
    t = times[name]
    print(f"  {name:5} {t['mean'] * 1000:8.1f} ms ± {t['stddev'] * 1000:5.1f}   {t['mean'] / rg:5.2f}x rg")
print(f"  cold throughput {corpus['bytes'] / 1e6 / times['cold']['mean']:.1f} MB/s, peak RSS {rss_kb / 1024:.1f} MB")
found = {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", stats.split("annotations:")[-1])}
want = {"mitigates": corpus["mitigations"], "exposes": corpus["exposures"], "connects": corpus["connections"]}
missing = {k: want[k] - found.get(k, 0) for k in want if found.get(k, 0) != want[k]}
print(f"  annotations found: {found}; expected {want}; {'all found' if not missing else f'MISSING {missing}'}")
PY
