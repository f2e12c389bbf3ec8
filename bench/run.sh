#!/usr/bin/env bash
# bench/run.sh BUILD_DIR: whole-process benchmarks of homeostasisd (what `make bench` runs).
#
# Generates a deterministic corpus once (bench/out/corpus, BENCH_SIZE bytes, default 1G), runs
# the Google Benchmark micro-benchmarks, then measures on the corpus:
#   cat FILES > /dev/null                         lower bound: reading the bytes
#   grep -c ERROR FILES                           a trivial line scan
#   homeostasisd parse --min-level ERROR FILES    one-shot parsing; its record count must
#                                                 equal expected.tsv
#   homeostasisd run --config ...                 the daemon draining the corpus as a backlog
# and prints CPU seconds, wall seconds, MB/s, lines/s and peak RSS of each, with ratios to cat
# and grep -c; the same lands in bench/out/results.tsv. Exits non-zero when anything fails or
# a record count differs from the corpus's expected count.
#
# Environment: BENCH_SIZE (bytes, K/M/G suffixes allowed; default 1G), BENCH_SEED (default 1),
# BENCH_RUN_TIMEOUT (seconds the daemon may take to write every record; default scales with
# BENCH_SIZE).
set -euo pipefail

die() {
  echo "bench: FAILED: $*" >&2
  exit 1
}

[ $# -eq 1 ] || die "usage: bench/run.sh BUILD_DIR"
[ -d "$1" ] || die "build directory '$1' does not exist (run 'make build' first)"
BUILD_DIR=$(cd "$1" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/out
CORPUS=$OUT/corpus
BIN=$BUILD_DIR/homeostasisd
GEN=$BUILD_DIR/homeo_gen_corpus
MICRO=$BUILD_DIR/homeo_micro_bench
TIME=/usr/bin/time

SIZE=$(numfmt --from=iec "${BENCH_SIZE:-1G}" 2>/dev/null) ||
  die "BENCH_SIZE='${BENCH_SIZE:-}' is not a size (examples: 1073741824, 200M, 1G)"
[ "$SIZE" -gt 0 ] || die "BENCH_SIZE must be positive"
SEED=${BENCH_SEED:-1}
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-$((60 + SIZE / 5000000))}
FILES=(app.jsonl python.log bracket.log syslog.log)

[ -x "$TIME" ] || die "$TIME not found: install the Debian package 'time' (make deps does)"
[ -x "$GEN" ] || die "$GEN not found: build with -DHOMEO_BUILD_BENCH=ON (the default)"
[ -x "$MICRO" ] || die "$MICRO not found: build with -DHOMEO_BUILD_BENCH=ON (the default)"
[ -x "$BIN" ] || die "$BIN not found: build the daemon first (make build)"
mkdir -p "$OUT"

mib() { awk -v b="$1" 'BEGIN { printf "%.0f MiB", b / 1048576 }'; }
now() { date +%s.%N; }

# Fails unless the file system of bench/out has `need` bytes available.
require_space() {
  local need=$1 what=$2 avail
  avail=$(df -PB1 "$OUT" | awk 'NR == 2 { print $4 }')
  if [ "$avail" -lt "$need" ]; then
    die "not enough disk space in $OUT for $what: need $(mib "$need"), $(mib "$avail") available" \
      "(lower BENCH_SIZE or free space)"
  fi
}

# --- corpus -----------------------------------------------------------------------------------
# Cached: regenerated when missing, or when the generator's source, the size or the seed changed.
stamp="size=$SIZE seed=$SEED gen=$(sha256sum "$ROOT/bench/gen_corpus.cc" | cut -c1-16)"
corpus_ok=1
if [ ! -f "$CORPUS/.stamp" ] || [ "$(cat "$CORPUS/.stamp")" != "$stamp" ]; then corpus_ok=0; fi
for f in "${FILES[@]}" expected.tsv; do [ -f "$CORPUS/$f" ] || corpus_ok=0; done
if [ "$corpus_ok" -eq 0 ]; then
  rm -rf "$CORPUS"
  # The corpus, plus room for the records the runs below write.
  require_space $((SIZE + SIZE / 2 + (256 << 20))) "a $(mib "$SIZE") corpus and the outputs"
  echo "bench: generating a $(mib "$SIZE") corpus (seed $SEED) in $CORPUS"
  "$TIME" -f '%e %U %S' -o "$OUT/gen.time" "$GEN" --out "$CORPUS" --size "$SIZE" --seed "$SEED" ||
    die "corpus generation failed"
  read -r gwall guser gsys <"$OUT/gen.time"
  awk -v b="$SIZE" -v w="$gwall" -v u="$guser" -v s="$gsys" 'BEGIN {
    printf "bench: generated in %.2f s wall, %.2f CPU-s (%.0f MB/s)\n", w, u + s, b / 1e6 / (w > 0 ? w : 0.01) }'
  echo "$stamp" >"$CORPUS/.stamp"
else
  echo "bench: reusing the corpus in $CORPUS ($stamp)"
  require_space $((SIZE / 2 + (256 << 20))) "the outputs"
fi

PATHS=()
for f in "${FILES[@]}"; do PATHS+=("$CORPUS/$f"); done
BYTES=$(stat -c %s "${PATHS[@]}" | awk '{ n += $1 } END { print n }')
LINES=$(awk -F'\t' 'NR > 1 { n += $2 } END { print n + 0 }' "$CORPUS/expected.tsv")
EXPECTED=$(awk -F'\t' 'NR > 1 { n += $3 } END { print n + 0 }' "$CORPUS/expected.tsv")
echo "bench: corpus: $(mib "$BYTES"), $LINES lines, $EXPECTED records at ERROR or above"
sed 's/^/  /' "$CORPUS/expected.tsv" | tr '\t' ' '

# --- results ----------------------------------------------------------------------------------
R_NAME=() R_CPU=() R_WALL=() R_RSS=() R_RECORDS=() R_NOTE=()
add_result() {  # name cpu_s wall_s peak_rss_kb records note
  R_NAME+=("$1") R_CPU+=("$2") R_WALL+=("$3") R_RSS+=("$4") R_RECORDS+=("$5") R_NOTE+=("$6")
}

print_results() {
  local cat_cpu="" grep_cpu="" cat_wall="" grep_wall="" i
  for i in "${!R_NAME[@]}"; do
    [ "${R_NAME[$i]}" = "cat" ] && cat_cpu=${R_CPU[$i]} cat_wall=${R_WALL[$i]}
    [ "${R_NAME[$i]}" = "grep -c" ] && grep_cpu=${R_CPU[$i]} grep_wall=${R_WALL[$i]}
  done
  local tsv=$OUT/results.tsv
  printf 'name\tcpu_s\twall_s\tmb_per_s\tlines_per_s\tpeak_rss_kb\trecords\texpected\tcpu_x_cat\tcpu_x_grep\twall_x_cat\twall_x_grep\tnote\n' >"$tsv"
  echo
  printf '%-14s %9s %9s %9s %12s %11s %9s  %s\n' "" "CPU-s" "wall-s" "MB/s" "lines/s" \
    "peak RSS" "records" "note"
  for i in "${!R_NAME[@]}"; do
    awk -F'\t' -v OFS='\t' -v name="${R_NAME[$i]}" -v cpu="${R_CPU[$i]}" -v wall="${R_WALL[$i]}" \
      -v rss="${R_RSS[$i]}" -v rec="${R_RECORDS[$i]}" -v note="${R_NOTE[$i]}" -v bytes="$BYTES" \
      -v lines="$LINES" -v expected="$EXPECTED" -v ccpu="$cat_cpu" -v gcpu="$grep_cpu" \
      -v cwall="$cat_wall" -v gwall="$grep_wall" -v tsv="$tsv" '
      function ratio(a, b) { return (b == "" || b + 0 <= 0) ? "n/a" : sprintf("%.1f", a / b) }
      BEGIN {
        w = wall > 0 ? wall : 0.001
        mbs = sprintf("%.1f", bytes / 1e6 / w)
        lps = sprintf("%.0f", lines / w)
        printf "%-14s %9.2f %9.2f %9s %12s %8.1f MiB %9s  %s\n", name, cpu, wall, mbs, lps,
          rss / 1024, rec, note
        print name, sprintf("%.2f", cpu), sprintf("%.2f", wall), mbs, lps, rss, rec,
          (rec == "-" ? "-" : expected), ratio(cpu, ccpu), ratio(cpu, gcpu), ratio(wall, cwall),
          ratio(wall, gwall), note >> tsv
      }'
  done
  echo
  for i in "${!R_NAME[@]}"; do
    case "${R_NAME[$i]}" in cat) continue ;; esac
    awk -v name="${R_NAME[$i]}" -v cpu="${R_CPU[$i]}" -v wall="${R_WALL[$i]}" -v ccpu="$cat_cpu" \
      -v gcpu="$grep_cpu" -v cwall="$cat_wall" -v gwall="$grep_wall" '
      function ratio(a, b, what) { return (b == "" || b + 0 <= 0) ? "n/a (" what " too fast to time)" : sprintf("%.1fx %s", a / b, what) }
      BEGIN {
        if (name == "grep -c") {
          printf "%s: %.2f CPU-s = %s;  %.2f wall-s = %s\n", name, cpu, ratio(cpu, ccpu, "cat"),
            wall, ratio(wall, cwall, "cat")
        } else {
          printf "%s: %.2f CPU-s = %s, %s;  %.2f wall-s = %s, %s\n", name, cpu,
            ratio(cpu, ccpu, "cat"), ratio(cpu, gcpu, "grep -c"), wall, ratio(wall, cwall, "cat"),
            ratio(wall, gwall, "grep -c")
        }
      }'
  done
  echo
  echo "bench: results in $tsv; micro-benchmarks in $OUT/micro.json"
}

fail_after_results() {
  print_results
  echo >&2
  echo "bench: FAILED: $*" >&2
  exit 1
}

# Runs a command under GNU time; sets M_WALL, M_CPU, M_RSS (KiB) and M_RC.
measure() {
  local stdout=$1 stderr=$2
  shift 2
  M_RC=0
  "$TIME" -f '%e %U %S %M' -o "$OUT/last.time" "$@" >"$stdout" 2>"$stderr" || M_RC=$?
  local wall user sys rss
  read -r wall user sys rss < <(tail -n 1 "$OUT/last.time")
  M_WALL=$wall
  M_CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  M_RSS=$rss
}

# --- micro-benchmarks -------------------------------------------------------------------------
echo
echo "bench: micro-benchmarks (homeo_micro_bench --benchmark_min_time=0.2)"
"$MICRO" --benchmark_min_time=0.2 --benchmark_out="$OUT/micro.json" \
  --benchmark_out_format=json 2>&1 | tee "$OUT/micro.txt" ||
  die "homeo_micro_bench failed"

# --- baselines --------------------------------------------------------------------------------
cat "${PATHS[@]}" >/dev/null # warm the page cache: every run below reads from memory
echo
echo "bench: baselines"
measure /dev/null "$OUT/cat.stderr" cat "${PATHS[@]}"
[ "$M_RC" -eq 0 ] || die "cat failed"
add_result "cat" "$M_CPU" "$M_WALL" "$M_RSS" "-" ""
measure "$OUT/grep.out" "$OUT/grep.stderr" grep -c ERROR "${PATHS[@]}"
[ "$M_RC" -le 1 ] || die "grep failed"
add_result "grep -c" "$M_CPU" "$M_WALL" "$M_RSS" "-" "$(awk -F: '{ n += $NF } END { print n + 0 }' "$OUT/grep.out") lines"

# --- homeostasisd parse -----------------------------------------------------------------------
echo "bench: homeostasisd parse --min-level ERROR (${#FILES[@]} files)"
measure "$OUT/parse.jsonl" "$OUT/parse.stderr" "$BIN" parse --min-level ERROR "${PATHS[@]}"
if [ "$M_RC" -ne 0 ]; then
  echo "bench: 'homeostasisd parse' exited with status $M_RC; its stderr:" >&2
  tail -n 20 "$OUT/parse.stderr" | sed 's/^/  /' >&2
  fail_after_results "homeostasisd parse failed (status $M_RC): is the parse command implemented?"
fi
echo "bench: parse summary (stderr):"
tail -n 20 "$OUT/parse.stderr" | sed 's/^/  /'
PARSE_RECORDS=$(wc -l <"$OUT/parse.jsonl")
if [ "$PARSE_RECORDS" -ne "$EXPECTED" ]; then
  add_result "parse" "$M_CPU" "$M_WALL" "$M_RSS" "$PARSE_RECORDS" "MISMATCH: expected $EXPECTED"
  {
    echo
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!!! parse produced $PARSE_RECORDS records, the corpus has $EXPECTED (expected.tsv)"
    echo "!!! records per file (by metadata.source.path) vs expected:"
    awk -F'\t' 'NR > 1 { print $1, $3 }' "$CORPUS/expected.tsv" | while read -r f want; do
      got=$(grep -c -F "/corpus/$f\"" "$OUT/parse.jsonl" || true)
      echo "!!!   $f: $got produced, $want expected"
    done
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  } >&2
  fail_after_results "parse record count differs from expected.tsv (speed not valid)"
fi
add_result "parse" "$M_CPU" "$M_WALL" "$M_RSS" "$PARSE_RECORDS" "ok"

# --- homeostasisd run: draining a backlog -----------------------------------------------------
echo "bench: homeostasisd run draining the corpus as a backlog (timeout ${RUN_TIMEOUT}s)"
TMP=$(mktemp -d "$OUT/run.XXXXXX")
DAEMON_PID=""
cleanup() {
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

{
  echo "service: bench"
  echo "state_dir: \"$TMP/state\""
  echo "min_level: ERROR"
  echo "inputs:"
  echo "  - paths:"
  for p in "${PATHS[@]}"; do echo "      - \"$p\""; done
  echo "    format: auto"
  echo "    read_from: beginning"
  echo "batch:"
  echo "  max_records: 5000"
  echo "transports:"
  echo "  - type: file"
  echo "    path: \"$TMP/errors.jsonl\""
  echo "metrics:"
  echo "  enabled: false"
} >"$TMP/config.yaml"
cp "$TMP/config.yaml" "$OUT/run.config.yaml"

# State of a child process from /proc (Z or missing: it has exited).
proc_state() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  s=${s##*) }
  echo "${s%% *}"
}
# Newlines in the output so far, counted incrementally so that polling stays cheap.
OUT_FILE=$TMP/errors.jsonl
out_off=0
out_lines=0
count_output() {
  local size
  size=$(stat -c %s "$OUT_FILE" 2>/dev/null || echo 0)
  if [ "$size" -gt "$out_off" ]; then
    out_lines=$((out_lines + $(dd if="$OUT_FILE" iflag=skip_bytes,count_bytes bs=1M \
      skip="$out_off" count=$((size - out_off)) status=none | tr -cd '\n' | wc -c)))
    out_off=$size
  fi
}

t0=$(now)
"$BIN" run --config "$TMP/config.yaml" >"$OUT/run.stdout" 2>"$OUT/run.stderr" &
DAEMON_PID=$!
deadline=$(awk -v t="$t0" -v d="$RUN_TIMEOUT" 'BEGIN { printf "%d", t + d }')
while :; do
  state=$(proc_state "$DAEMON_PID")
  if [ -z "$state" ] || [ "$state" = "Z" ]; then
    rc=0
    wait "$DAEMON_PID" || rc=$?
    DAEMON_PID=""
    echo "bench: the daemon exited early with status $rc; its stderr:" >&2
    tail -n 20 "$OUT/run.stderr" | sed 's/^/  /' >&2
    count_output
    fail_after_results "homeostasisd run exited before writing all records ($out_lines of $EXPECTED)"
  fi
  count_output
  [ "$out_lines" -ge "$EXPECTED" ] && break
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "bench: the daemon's stderr:" >&2
    tail -n 20 "$OUT/run.stderr" | sed 's/^/  /' >&2
    fail_after_results "timeout: after ${RUN_TIMEOUT}s the daemon had written $out_lines of" \
      "$EXPECTED records (BENCH_RUN_TIMEOUT raises the limit)"
  fi
  sleep 0.2
done
t1=$(now)

# CPU time and peak RSS, read while the process is still there.
stat_line=$(cat "/proc/$DAEMON_PID/stat" 2>/dev/null || true)
run_rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$DAEMON_PID/status" 2>/dev/null || true)
if [ -z "$stat_line" ] || [ -z "$run_rss" ]; then
  fail_after_results "the daemon exited before its CPU time could be read"
fi
read -r -a st <<<"${stat_line##*) }"
ticks=$(getconf CLK_TCK)
run_cpu=$(awk -v u="${st[11]}" -v s="${st[12]}" -v t="$ticks" 'BEGIN { printf "%.2f", (u + s) / t }')
run_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')

kill -TERM "$DAEMON_PID"
stop_deadline=$(($(date +%s) + 30))
while state=$(proc_state "$DAEMON_PID") && [ -n "$state" ] && [ "$state" != "Z" ]; do
  if [ "$(date +%s)" -ge "$stop_deadline" ]; then
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
    DAEMON_PID=""
    add_result "run" "$run_cpu" "$run_wall" "$run_rss" "$out_lines" "did not stop on SIGTERM"
    fail_after_results "homeostasisd run did not exit within 30 s of SIGTERM"
  fi
  sleep 0.1
done
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=""
count_output
if [ "$rc" -ne 0 ]; then
  add_result "run" "$run_cpu" "$run_wall" "$run_rss" "$out_lines" "exit status $rc on SIGTERM"
  tail -n 20 "$OUT/run.stderr" | sed 's/^/  /' >&2
  fail_after_results "homeostasisd run exited with status $rc after SIGTERM (expected 0)"
fi
if [ "$out_lines" -ne "$EXPECTED" ]; then
  add_result "run" "$run_cpu" "$run_wall" "$run_rss" "$out_lines" "MISMATCH: expected $EXPECTED"
  fail_after_results "the daemon wrote $out_lines records, the corpus has $EXPECTED"
fi
add_result "run" "$run_cpu" "$run_wall" "$run_rss" "$out_lines" "ok"

print_results
