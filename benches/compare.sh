#!/usr/bin/env bash
# Whole-process benchmark: threatline against ripgrep on the same generated tree, in the
# same run, so the ratio means something on a noisy machine.
#
#   benches/compare.sh [--files N] [--share S] [--decoy D] [--dialect threatspec|gal] [--runs R]
#                      [--work DIR]
#
# --decoy D puts foreign `@` forms (Java annotations, decorators, Javadoc tags, `// @flow`,
# emails) into that share of the unannotated files; `--share 0 --decoy 0.4` is the tree with
# no annotation at all, where threatline should cost what reading costs.
#
# Trees and the cache go under --work (default ${TMPDIR:-/tmp}/threatline-bench): give each
# concurrent user their own. The binary is target/release/threatline ($CARGO_TARGET_DIR
# honoured), built first; THREATLINE_BIN names another and skips the build.
#
# Needs python3, rg, hyperfine and GNU time (/usr/bin/time; Debian: ripgrep, hyperfine,
# time). The corpus generator is ../shared/bench/gen_corpus.py unless GEN_CORPUS says
# otherwise. Prints wall times and CPU times (user + system) with their ratios to rg (cold:
# no cache; warm: a primed cache), throughput, the peak RSS of each, the cache's size, the
# load average, and the annotations found against the corpus's CORPUS.json; last, one
# `summary:` line for benches/scale.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

files=20000 share=0.05 decoy=0 dialect=threatspec runs=10
work=${TMPDIR:-/tmp}/threatline-bench
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files=$2; shift 2 ;;
    --share) share=$2; shift 2 ;;
    --decoy) decoy=$2; shift 2 ;;
    --dialect) dialect=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
gen=${GEN_CORPUS:-../shared/bench/gen_corpus.py}
for tool in python3 rg hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done

if [ -n "${THREATLINE_BIN:-}" ]; then
  bin=$THREATLINE_BIN
else
  cargo build --release --quiet
  bin=${CARGO_TARGET_DIR:-$PWD/target}/release/threatline
fi
tree=$work/tree-$files-$share-$decoy-$dialect
cache=$work/cache
mkdir -p "$work"
if [ ! -f "$tree/CORPUS.json" ]; then
  python3 "$gen" "$tree" --files "$files" --annotated-share "$share" --decoy-share "$decoy" --dialect "$dialect" >/dev/null
  sleep 2  # past the cache's racy window, as files are when a later run reads them
fi

# Prime the warm cache, outside the measurement.
rm -rf "$cache"
"$bin" check "$tree" --cache-dir "$cache" --format json -o /dev/null 2>/dev/null || true
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

rg_cmd=(rg -c '@(mitigates|exposes|connects|flows)' "$tree")
cold_cmd=("$bin" check "$tree" --no-cache --format json -o /dev/null)
warm_cmd=("$bin" check "$tree" --cache-dir "$cache" --format json -o /dev/null)
hyperfine -N -i --warmup 2 --runs "$runs" --export-json "$work/times.json" \
  -n rg "rg -c '@(mitigates|exposes|connects|flows)' $tree" \
  -n cold "${cold_cmd[*]}" \
  -n warm "${warm_cmd[*]}" >/dev/null

# Peak RSS of one run of each (kB).
peak() {
  "$@" >/dev/null 2>&1 || true
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}'
}
rss_rg=$(peak "${rg_cmd[@]}" || true)
rss_cold=$(peak "${cold_cmd[@]}" || true)
rss_warm=$(peak "${warm_cmd[@]}" || true)
cache_bytes=$(du -cb "$cache" 2>/dev/null | tail -n 1 | cut -f1)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
stats=$("$bin" scan "$tree" --no-cache --stats -o /dev/null 2>&1 | tail -n 1 || true)

python3 - "$work/times.json" "$tree/CORPUS.json" "$stats" "$rss_rg" "$rss_cold" "$rss_warm" \
  "$cache_bytes" "$load_before" "$load_after" <<'PY'
import json, re, sys
times = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
corpus = json.load(open(sys.argv[2]))
stats = sys.argv[3]
rss = dict(zip(("rg", "cold", "warm"), (int(x or 0) / 1024 for x in sys.argv[4:7])))
cache_mb = int(sys.argv[7] or 0) / 1e6
rg = times["rg"]["mean"]
cpu = {n: t["user"] + t["system"] for n, t in times.items()}
print(f"tree: {corpus['files']} files, {corpus['bytes'] / 1e6:.1f} MB, {corpus['annotated_files']} annotated")
print(f"load average {sys.argv[8]} before, {sys.argv[9]} after (2 cores: above 2, the machine was shared)")
print(f"  {'':5} {'wall':>10} {'':>9} {'ratio':>8}   {'cpu':>8} {'ratio':>8}   {'peak RSS':>9}")
for name in ("rg", "cold", "warm"):
    t = times[name]
    print(f"  {name:5} {t['mean'] * 1000:8.1f} ms ± {t['stddev'] * 1000:6.1f} {t['mean'] / rg:6.2f}x rg"
          f"   {cpu[name] * 1000:6.0f} ms {cpu[name] / cpu['rg']:6.2f}x rg   {rss[name]:6.1f} MB")
print(f"  cold throughput {corpus['bytes'] / 1e6 / times['cold']['mean']:.1f} MB/s; cache {cache_mb:.1f} MB")
found = {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", stats.split("annotations:")[-1])}
want = {"mitigates": corpus["mitigations"], "exposes": corpus["exposures"], "connects": corpus["connections"]}
missing = {k: want[k] - found.get(k, 0) for k in want if found.get(k, 0) != want[k]}
print(f"  annotations found: {found}; expected {want}; {'all found' if not missing else f'MISSING {missing}'}")
print("summary: " + " ".join([
    f"files={corpus['files']}",
    *(f"{n}_ms={times[n]['mean'] * 1000:.1f}" for n in ("rg", "cold", "warm")),
    *(f"{n}_cpu_ms={cpu[n] * 1000:.0f}" for n in ("rg", "cold", "warm")),
    *(f"{n}_rss_mb={rss[n]:.1f}" for n in ("rg", "cold", "warm")),
    f"cache_mb={cache_mb:.1f}",
    f"found={'all' if not missing else 'missing'}",
]))
PY
