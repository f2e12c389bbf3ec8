#!/usr/bin/env bash
# Runs every fuzz target of a HOMEO_FUZZ build for FUZZ_SECONDS each, starting from its seed
# corpus (fuzz/corpus/<target>/, read only) and keeping what it finds in
# <build>/fuzz/work/<target>/. A crash, leak, sanitizer report or timeout leaves its input in
# <build>/fuzz/artifacts/<target>/ and makes the script fail once every target has run.
#   fuzz/run.sh BUILD_DIR [TARGET ...]      (default: every target in BUILD_DIR/fuzz/targets.txt)
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:?usage: fuzz/run.sh BUILD_DIR [TARGET ...]}
shift
seconds=${FUZZ_SECONDS:-60}
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets <"$build/fuzz/targets.txt"; fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
printf '%-14s %10s %10s %8s %s\n' target runs exec/s corpus result
for t in "${targets[@]}"; do
  [ -n "$t" ] || continue
  work="$build/fuzz/work/$t"
  artifacts="$build/fuzz/artifacts/$t"
  mkdir -p "$work" "$artifacts"
  # Line-oriented inputs need no more than a few KiB; detection looks at 50 lines.
  max_len=4096
  case "$t" in detect | config) max_len=16384 ;; esac
  log="$build/fuzz/$t.log"
  result=ok
  if ! "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
      "$work" "fuzz/corpus/$t" >"$log" 2>&1; then
    result="FAILED (see $log)"
    failed+=("$t")
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "$work" -type f | wc -l)
  printf '%-14s %10s %10s %8s %s\n' "$t" "${runs:--}" "${eps:--}" "$corpus" "$result"
done

if [ ${#failed[@]} -gt 0 ]; then
  for t in "${failed[@]}"; do
    echo; echo "=== $t"; grep -E -A30 'ERROR:|runtime error|SUMMARY|Test unit written' \
      "$build/fuzz/$t.log" | head -60
  done
  exit 1
fi
