#!/usr/bin/env bash
# bench/run.sh BUILD_DIR: whole-process benchmarks of homeostasisd (what `make bench` runs).
#
# Runs the Google Benchmark micro-benchmarks, then, for each corpus size (BENCH_SIZES, default
# "100M 1G"; a deterministic corpus generated once per size in bench/out/corpus-SIZE), measures:
#   cat FILES > /dev/null                        reading the bytes (mean of up to 10 runs)
#   grep -c ERROR FILES                          a trivial line scan (the same)
#   grep -E LEVELS FILES > FILE                  the error headers of every format, into a file
#   homeostasisd parse --min-level ERROR FILES   one-shot parsing
#   homeostasisd run --config ...                the daemon draining the corpus as a backlog,
#                                                with scrubbing and without
#   rsyslogd (imfile -> filter -> omfile)        the peer, pinned to one core, when installed
# and prints CPU seconds, wall seconds and peak RSS of each, the sizes side by side, then the
# issue's targets beside the measured ratios. Every record of parse and run must begin where
# the corpus's expected.offsets says one begins, and there must be no other: the bench fails
# otherwise (a wrong parser cannot post a good speed). Results land in bench/out/results.tsv.
#
# BENCH_MODE=live measures instead the write-to-delivery latency of error records while the
# daemon follows files being written (homeo_live_bench: BENCH_LIVE_RATE lines/s, default
# 50000, 1% errors, for BENCH_LIVE_SECONDS, default 20, with BENCH_LIVE_MAX_WAIT_MS, default
# 1000, as batch.max_wait_ms).
#
# Environment: BENCH_SIZES (sizes, K/M/G suffixes; default "100M 1G"), BENCH_SIZE (one size,
# for BENCH_SIZES), BENCH_SEED (default 1), BENCH_RUN_TIMEOUT (seconds the daemon and the peer
# may take to write every record; default scales with the size).
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
BIN=$BUILD_DIR/homeostasisd
GEN=$BUILD_DIR/homeo_gen_corpus
MICRO=$BUILD_DIR/homeo_micro_bench
TIME=/usr/bin/time
RSYSLOGD=$(command -v rsyslogd || true)

SIZES=()
for s in ${BENCH_SIZES:-${BENCH_SIZE:-100M 1G}}; do
  n=$(numfmt --from=iec "$s" 2>/dev/null) ||
    die "'$s' is not a size (examples: 104857600, 100M, 1G)"
  [ "$n" -gt 0 ] || die "sizes must be positive"
  SIZES+=("$n")
done
SEED=${BENCH_SEED:-1}
FILES=(app.jsonl python.log bracket.log syslog.log java.log)

[ -x "$TIME" ] || die "$TIME not found: install the Debian package 'time' (make deps does)"
[ -x "$GEN" ] || die "$GEN not found: build with -DHOMEO_BUILD_BENCH=ON (the default)"
[ -x "$MICRO" ] || die "$MICRO not found: build with -DHOMEO_BUILD_BENCH=ON (the default)"
[ -x "$BIN" ] || die "$BIN not found: build the daemon first (make build)"
mkdir -p "$OUT"

mib() { awk -v b="$1" 'BEGIN { printf "%.0f MiB", b / 1048576 }'; }
label() { numfmt --to=iec --format=%.0f "$1" | sed -E 's/([KMG])$/ \1iB/'; }
now() { date +%s.%N; }
mean() { awk -v t="$1" -v n="$2" 'BEGIN { printf "%.3f", t / n }'; }

# Fails unless the file system of bench/out has `need` bytes available.
require_space() {
  local need=$1 what=$2 avail
  avail=$(df -PB1 "$OUT" | awk 'NR == 2 { print $4 }')
  if [ "$avail" -lt "$need" ]; then
    die "not enough disk space in $OUT for $what: need $(mib "$need"), $(mib "$avail") available" \
      "(lower BENCH_SIZES or free space)"
  fi
}

# The error headers of each format of the corpus as one POSIX extended regex: what a
# level-aware grep or a syslog daemon's filter looks for. Syslog's severity is the PRI modulo 8.
syslog_pri=$(awk 'BEGIN { for (n = 0; n < 192; n++) if (n % 8 < 4) s = s (s == "" ? "" : "|") n; print s }')
RE_JSON='"levelname": "(ERROR|CRITICAL)"|"level":(50|60),|"level":"(error|fatal|panic|ERROR)"'
RE_PYTHON='^[^ ]+ [^ ]+ - [^ ]+ - (ERROR|CRITICAL) - '
RE_BRACKET='^\[(ERROR|CRITICAL)\]'
RE_SYSLOG="^<($syslog_pri)>"
RE_JAVA='^[0-9-]+ [0-9:.]+ (\[[^]]*\] ERROR|ERROR [0-9]+ ---)|^Exception in thread '
RE_LEVELS="$RE_JSON|$RE_PYTHON|$RE_BRACKET|$RE_SYSLOG|$RE_JAVA"
# Where an event begins in the files whose events span lines (imfile's startmsg.regex).
START_PYTHON='^[0-9]{4}-[0-9]{2}-[0-9]{2} '
START_JAVA='^([0-9]{4}-[0-9]{2}-[0-9]{2} |Exception in thread )'

# --- live mode -------------------------------------------------------------------------------
if [ "${BENCH_MODE:-backlog}" = live ]; then
  LIVE=$BUILD_DIR/homeo_live_bench
  [ -x "$LIVE" ] || die "$LIVE not found: build with -DHOMEO_BUILD_BENCH=ON (the default)"
  rm -rf "$OUT/live"
  echo "bench: live: the daemon follows files being written (bench/live_bench.cc)"
  "$LIVE" --bin "$BIN" --dir "$OUT/live" --rate "${BENCH_LIVE_RATE:-50000}" \
    --seconds "${BENCH_LIVE_SECONDS:-20}" --max-wait-ms "${BENCH_LIVE_MAX_WAIT_MS:-1000}" ||
    die "live: see $OUT/live/daemon.stderr"
  exit 0
fi
[ "${BENCH_MODE:-backlog}" = backlog ] || die "BENCH_MODE is backlog (the default) or live"

# --- micro-benchmarks -------------------------------------------------------------------------
if [ "${BENCH_MICRO:-1}" != 0 ]; then
  echo "bench: micro-benchmarks (homeo_micro_bench --benchmark_min_time=0.2)"
  "$MICRO" --benchmark_min_time=0.2 --benchmark_out="$OUT/micro.json" \
    --benchmark_out_format=json 2>&1 | tee "$OUT/micro.txt" ||
    die "homeo_micro_bench failed"
fi

# --- results ----------------------------------------------------------------------------------
ROWS=(cat "grep -c" "grep -E" parse run "run, no scrub" rsyslog)
declare -A CPU WALL RSS RECORDS NOTE
FAILURES=()

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

record() {  # size row cpu wall rss_kb records note
  CPU[$1,$2]=$3 WALL[$1,$2]=$4 RSS[$1,$2]=$5 RECORDS[$1,$2]=$6 NOTE[$1,$2]=$7
}

# "file<TAB>offset" of every record in a JSON lines output, sorted.
record_starts() {
  grep -o '"source":{"path":"[^"]*","offset":[0-9]*' "$1" |
    sed -E 's#^.*/([^/"]+)","offset":#\1\t#' | LC_ALL=C sort
}

# Whether the records of output $1 begin exactly where the corpus's records do; sets CHECK.
check_records() {
  local out=$1 corpus=$2 got
  got=$(record_starts "$out" | tee "$out.starts" | wc -l)
  if LC_ALL=C sort "$corpus/expected.offsets" | cmp -s - "$out.starts"; then
    CHECK=ok
    return 0
  fi
  local missing extra
  missing=$(LC_ALL=C sort "$corpus/expected.offsets" | LC_ALL=C comm -23 - "$out.starts" | wc -l)
  extra=$(LC_ALL=C sort "$corpus/expected.offsets" | LC_ALL=C comm -13 - "$out.starts" | wc -l)
  CHECK="WRONG: $got records, $missing missing, $extra not in the corpus"
  return 1
}

# State of a child process from /proc (Z or missing: it has exited).
proc_state() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  s=${s##*) }
  echo "${s%% *}"
}

# Starts a long-running command ($3...) writing its records into file $2, waits until that file
# holds `expected` lines, reads CPU and peak RSS from /proc, then stops it with SIGTERM. Sets
# D_CPU, D_WALL, D_RSS, D_LINES and D_ERROR (empty when everything went well).
DAEMON_PID=""
drain() {
  local expected=$1 out_file=$2 timeout=$3 log=$4
  shift 4
  D_ERROR="" D_CPU=0 D_WALL=0 D_RSS=0 D_LINES=0
  local out_off=0 t0 t1 deadline state
  count_output() {
    local size
    size=$(stat -c %s "$out_file" 2>/dev/null || echo 0)
    if [ "$size" -gt "$out_off" ]; then
      D_LINES=$((D_LINES + $(dd if="$out_file" iflag=skip_bytes,count_bytes bs=1M \
        skip="$out_off" count=$((size - out_off)) status=none | tr -cd '\n' | wc -c)))
      out_off=$size
    fi
  }
  t0=$(now)
  "$@" >"$log.stdout" 2>"$log.stderr" &
  DAEMON_PID=$!
  deadline=$(awk -v t="$t0" -v d="$timeout" 'BEGIN { printf "%d", t + d }')
  while :; do
    state=$(proc_state "$DAEMON_PID")
    if [ -z "$state" ] || [ "$state" = "Z" ]; then
      local rc=0
      wait "$DAEMON_PID" || rc=$?
      DAEMON_PID=""
      count_output
      D_ERROR="exited early with status $rc ($D_LINES of $expected records)"
      return 0
    fi
    count_output
    [ "$D_LINES" -ge "$expected" ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then
      D_ERROR="timeout: $D_LINES of $expected records after ${timeout}s"
      break
    fi
    sleep 0.2
  done
  t1=$(now)
  local stat_line rss ticks
  stat_line=$(cat "/proc/$DAEMON_PID/stat" 2>/dev/null || true)
  rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$DAEMON_PID/status" 2>/dev/null || true)
  if [ -n "$stat_line" ] && [ -n "$rss" ]; then
    read -r -a st <<<"${stat_line##*) }"
    ticks=$(getconf CLK_TCK)
    D_CPU=$(awk -v u="${st[11]}" -v s="${st[12]}" -v t="$ticks" 'BEGIN { printf "%.2f", (u + s) / t }')
    D_RSS=$rss
  fi
  D_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  kill -TERM "$DAEMON_PID" 2>/dev/null || true
  local stop_deadline=$(($(date +%s) + 30))
  while state=$(proc_state "$DAEMON_PID") && [ -n "$state" ] && [ "$state" != "Z" ]; do
    if [ "$(date +%s)" -ge "$stop_deadline" ]; then
      kill -KILL "$DAEMON_PID" 2>/dev/null || true
      [ -z "$D_ERROR" ] && D_ERROR="did not exit within 30 s of SIGTERM"
      break
    fi
    sleep 0.1
  done
  local rc=0
  wait "$DAEMON_PID" || rc=$?
  DAEMON_PID=""
  count_output
  if [ -z "$D_ERROR" ] && [ "$rc" -ne 0 ]; then D_ERROR="exit status $rc on SIGTERM"; fi
  return 0
}

TMP=""
cleanup() {
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
  fi
  [ -n "$TMP" ] && rm -rf "$TMP"
  return 0
}
trap cleanup EXIT

daemon_config() {  # state_dir output scrub(true|false) paths...
  local state=$1 output=$2 scrub=$3
  shift 3
  echo "service: bench"
  echo "state_dir: \"$state\""
  echo "min_level: ERROR"
  echo "inputs:"
  echo "  - paths:"
  for p in "$@"; do echo "      - \"$p\""; done
  echo "    format: auto"
  echo "    read_from: beginning"
  echo "batch:"
  echo "  max_records: 5000"
  echo "throttle:"  # the whole pipeline for every error, as the baselines read every line
  echo "  enabled: false"
  echo "transports:"
  echo "  - type: file"
  echo "    path: \"$output\""
  echo "metrics:"
  echo "  enabled: false"
  echo "scrub:"
  echo "  enabled: $scrub"
}

# RainerScript string constants: in a script expression, and as an object's parameter.
rs_string() { printf "'%s'" "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")"; }
rs_param() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }

rsyslog_config() {  # work_dir output corpus
  local work=$1 output=$2 corpus=$3
  echo "global(workDirectory=\"$work\")"
  echo "module(load=\"imfile\" mode=\"inotify\" readTimeout=\"1\")"
  echo "template(name=\"message\" type=\"string\" string=\"%msg%\\n\")"
  echo "ruleset(name=\"errors\") {"
  echo "  if re_match(\$msg, $(rs_string "$RE_LEVELS")) then"
  echo "    action(type=\"omfile\" file=\"$output\" template=\"message\")"
  echo "}"
  for f in "${FILES[@]}"; do
    local start=""
    case "$f" in
      python.log) start=" startmsg.regex=$(rs_param "$START_PYTHON")" ;;
      java.log) start=" startmsg.regex=$(rs_param "$START_JAVA")" ;;
    esac
    echo "input(type=\"imfile\" file=\"$corpus/$f\" tag=\"${f%%.*}\" ruleset=\"errors\"$start)"
  done
}

# --- one corpus size --------------------------------------------------------------------------
bench_size() {
  local size=$1 corpus=$OUT/corpus-$1 run_timeout=${BENCH_RUN_TIMEOUT:-$((60 + $1 / 5000000))}
  echo
  echo "bench: ===== $(label "$size") corpus ====="
  # Cached: regenerated when missing, or when the generator's source or the seed changed.
  local stamp corpus_ok=1
  stamp="size=$size seed=$SEED gen=$(sha256sum "$ROOT/bench/gen_corpus.cc" | cut -c1-16)"
  if [ ! -f "$corpus/.stamp" ] || [ "$(cat "$corpus/.stamp")" != "$stamp" ]; then corpus_ok=0; fi
  for f in "${FILES[@]}" expected.tsv expected.offsets; do [ -f "$corpus/$f" ] || corpus_ok=0; done
  if [ "$corpus_ok" -eq 0 ]; then
    rm -rf "$corpus"
    # The corpus, plus room for the records the runs below write.
    require_space $((size + size / 2 + (256 << 20))) "a $(mib "$size") corpus and the outputs"
    echo "bench: generating a $(mib "$size") corpus (seed $SEED) in $corpus"
    "$TIME" -f '%e %U %S' -o "$OUT/gen.time" "$GEN" --out "$corpus" --size "$size" \
      --seed "$SEED" || die "corpus generation failed"
    local gwall guser gsys
    read -r gwall guser gsys <"$OUT/gen.time"
    awk -v b="$size" -v w="$gwall" -v u="$guser" -v s="$gsys" 'BEGIN {
      printf "bench: generated in %.2f s wall, %.2f CPU-s (%.0f MB/s)\n", w, u + s, b / 1e6 / (w > 0 ? w : 0.01) }'
    echo "$stamp" >"$corpus/.stamp"
  else
    echo "bench: reusing the corpus in $corpus ($stamp)"
    require_space $((size / 2 + (256 << 20))) "the outputs"
  fi

  local paths=() f
  for f in "${FILES[@]}"; do paths+=("$corpus/$f"); done
  local bytes lines expected
  bytes=$(stat -c %s "${paths[@]}" | awk '{ n += $1 } END { print n }')
  lines=$(awk -F'\t' 'NR > 1 { n += $2 } END { print n + 0 }' "$corpus/expected.tsv")
  expected=$(awk -F'\t' 'NR > 1 { n += $3 } END { print n + 0 }' "$corpus/expected.tsv")
  echo "bench: corpus: $(mib "$bytes"), $lines lines, $expected records at ERROR or above"
  sed 's/^/  /' "$corpus/expected.tsv" | tr '\t' ' '
  local o=$OUT/$(label "$size" | tr -d ' ')
  mkdir -p "$o"

  cat "${paths[@]}" >/dev/null # warm the page cache: every run below reads from memory
  echo "bench: baselines"
  # cat and grep -c take a few hundredths of a second on 100 MiB, at the timer's resolution:
  # they run several times over a small corpus, and the mean is what counts.
  local reps=$(((1 << 30) / size))
  [ "$reps" -ge 1 ] || reps=1
  [ "$reps" -le 10 ] || reps=10
  local loop='for i in $(seq "$0"); do "$@" || exit 2; done'
  measure /dev/null "$o/cat.stderr" bash -c "$loop" "$reps" cat "${paths[@]}"
  [ "$M_RC" -eq 0 ] || die "cat failed"
  record "$size" cat "$(mean "$M_CPU" "$reps")" "$(mean "$M_WALL" "$reps")" "$M_RSS" - \
    "$([ "$reps" -gt 1 ] && echo "mean of $reps")"
  measure "$o/grep.out" "$o/grep.stderr" bash -c 'for i in $(seq "$0"); do "$@"; done; [ $? -le 1 ]' \
    "$reps" grep -c ERROR "${paths[@]}"
  [ "$M_RC" -eq 0 ] || die "grep failed"
  record "$size" "grep -c" "$(mean "$M_CPU" "$reps")" "$(mean "$M_WALL" "$reps")" "$M_RSS" - \
    "$(awk -F: '{ n += $NF } END { print n / '"$reps"' }' "$o/grep.out") lines"
  measure "$o/grep-levels.out" "$o/grep-levels.stderr" grep -E -h "$RE_LEVELS" "${paths[@]}"
  [ "$M_RC" -le 1 ] || die "grep -E failed"
  record "$size" "grep -E" "$M_CPU" "$M_WALL" "$M_RSS" - "$(wc -l <"$o/grep-levels.out") headers"

  echo "bench: homeostasisd parse --min-level ERROR (${#FILES[@]} files)"
  measure "$o/parse.jsonl" "$o/parse.stderr" "$BIN" parse --min-level ERROR "${paths[@]}"
  local n
  n=$(wc -l <"$o/parse.jsonl")
  if [ "$M_RC" -ne 0 ]; then
    tail -n 20 "$o/parse.stderr" | sed 's/^/  /' >&2
    record "$size" parse "$M_CPU" "$M_WALL" "$M_RSS" "$n" "exit status $M_RC"
    FAILURES+=("$(label "$size"): homeostasisd parse exited with status $M_RC")
  elif check_records "$o/parse.jsonl" "$corpus"; then
    record "$size" parse "$M_CPU" "$M_WALL" "$M_RSS" "$n" ok
  else
    record "$size" parse "$M_CPU" "$M_WALL" "$M_RSS" "$n" "$CHECK"
    FAILURES+=("$(label "$size"): parse: $CHECK (records per file below)")
    awk -F'\t' 'NR > 1 { print $1, $3 }' "$corpus/expected.tsv" | while read -r f want; do
      echo "  $f: $(grep -c -P "^$f\t" "$o/parse.jsonl.starts" || true) records, $want expected"
    done >&2
  fi
  sed 's/^/  /' "$o/parse.stderr" | tail -n 6

  local row scrub
  for row in run "run, no scrub"; do
    scrub=true
    [ "$row" = run ] || scrub=false
    echo "bench: homeostasisd $row: draining the corpus as a backlog (timeout ${run_timeout}s)"
    TMP=$(mktemp -d "$OUT/run.XXXXXX")
    daemon_config "$TMP/state" "$TMP/errors.jsonl" "$scrub" "${paths[@]}" >"$TMP/config.yaml"
    cp "$TMP/config.yaml" "$o/$row.config.yaml"
    drain "$expected" "$TMP/errors.jsonl" "$run_timeout" "$o/$row" \
      "$BIN" run --config "$TMP/config.yaml"
    if [ -n "$D_ERROR" ]; then
      tail -n 20 "$o/$row.stderr" | sed 's/^/  /' >&2
      record "$size" "$row" "$D_CPU" "$D_WALL" "$D_RSS" "$D_LINES" "$D_ERROR"
      FAILURES+=("$(label "$size"): homeostasisd $row: $D_ERROR")
    elif check_records "$TMP/errors.jsonl" "$corpus"; then
      record "$size" "$row" "$D_CPU" "$D_WALL" "$D_RSS" "$D_LINES" ok
    else
      record "$size" "$row" "$D_CPU" "$D_WALL" "$D_RSS" "$D_LINES" "$CHECK"
      FAILURES+=("$(label "$size"): homeostasisd $row: $CHECK")
    fi
    rm -rf "$TMP"
    TMP=""
  done

  if [ -z "$RSYSLOGD" ]; then
    record "$size" rsyslog 0 0 0 - "not installed (scripts/install-deps.sh bench)"
  else
    echo "bench: rsyslogd, imfile -> filter -> omfile, pinned to one core (timeout ${run_timeout}s)"
    TMP=$(mktemp -d "$OUT/rsyslog.XXXXXX")
    mkdir "$TMP/work"
    rsyslog_config "$TMP/work" "$TMP/errors.log" "$corpus" >"$TMP/rsyslog.conf"
    cp "$TMP/rsyslog.conf" "$o/rsyslog.conf"
    if ! "$RSYSLOGD" -N1 -f "$TMP/rsyslog.conf" >"$o/rsyslog.check" 2>&1; then
      sed 's/^/  /' "$o/rsyslog.check" >&2
      die "rsyslogd rejects the bench's config ($o/rsyslog.conf)"
    fi
    drain "$expected" "$TMP/errors.log" "$run_timeout" "$o/rsyslog" \
      taskset -c 0 "$RSYSLOGD" -n -f "$TMP/rsyslog.conf" -i "$TMP/rsyslogd.pid"
    # A peer's trouble is reported, not fatal: it measures nothing of ours.
    record "$size" rsyslog "$D_CPU" "$D_WALL" "$D_RSS" "$D_LINES" "${D_ERROR:-ok}"
    rm -rf "$TMP"
    TMP=""
  fi
}

for size in "${SIZES[@]}"; do bench_size "$size"; done

# --- report -----------------------------------------------------------------------------------
fmt_row() {  # size row -> "cpu wall rss ratio ratio" cells
  local s=$1 r=$2
  awk -v cpu="${CPU[$s,$r]}" -v wall="${WALL[$s,$r]}" -v rss="${RSS[$s,$r]}" \
    -v gcpu="${CPU[$s,grep -c]}" -v cwall="${WALL[$s,cat]}" '
    function ratio(a, b) { return (b + 0 <= 0) ? "n/a" : sprintf("%.1fx", a / b) }
    BEGIN {
      printf " %7.3f %7.3f %7.1f %7s %7s", cpu, wall, rss / 1024, ratio(cpu, gcpu), ratio(wall, cwall)
    }'
}

echo
printf '%-16s' ""
for s in "${SIZES[@]}"; do printf ' | %-39s' "$(label "$s")"; done
echo
printf '%-16s' ""
for s in "${SIZES[@]}"; do printf ' | %7s %7s %7s %7s %7s' "CPU s" "wall s" "RSS MiB" "CPU/grp" "wall/ct"; done
printf '   %s\n' "records"
for r in "${ROWS[@]}"; do
  label_r=$r
  [ "$r" = rsyslog ] && label_r="rsyslog (1 core)"
  printf '%-16s' "$label_r"
  notes=""
  for s in "${SIZES[@]}"; do
    printf ' |'
    fmt_row "$s" "$r"
    note=${NOTE[$s,$r]}
    [ "${RECORDS[$s,$r]}" = - ] || note="${RECORDS[$s,$r]} $note"
    notes="$notes${notes:+;  }$note"
  done
  printf '   %s\n' "$notes"
done
echo "(CPU/grp: CPU as a multiple of grep -c's; wall/ct: wall time as a multiple of cat's)"

# The issue's targets beside what was measured.
echo
printf '%-34s' "target"
for s in "${SIZES[@]}"; do printf ' | %-20s' "$(label "$s")"; done
echo
target_row() {  # title awk-expression-of(cpu,gcpu,...) -> value and verdict per size
  local title=$1 kind=$2 s
  printf '%-34s' "$title"
  for s in "${SIZES[@]}"; do
    awk -v kind="$kind" -v run="${CPU[$s,run]}" -v nos="${CPU[$s,run, no scrub]}" \
      -v parse="${CPU[$s,parse]}" -v gcpu="${CPU[$s,grep -c]}" -v wall="${WALL[$s,run]}" \
      -v cwall="${WALL[$s,cat]}" -v rss="${RSS[$s,run]}" -v rs="${CPU[$s,rsyslog]}" '
      function cell(v, ok) { printf " | %-20s", v " " (ok ? "met" : "not yet") }
      function na() { printf " | %-20s", "n/a (too fast)" }
      BEGIN {
        if (kind == "cpu") {
          if (gcpu > 0) cell(sprintf("%.1fx", run / gcpu), run / gcpu <= 8); else na()
        }
        if (kind == "wall") {
          if (cwall > 0) cell(sprintf("%.1fx", wall / cwall), wall / cwall <= 15); else na()
        }
        if (kind == "rss") { cell(sprintf("%.1f MiB", rss / 1024), rss <= 32 * 1024) }
        if (kind == "scrub") { v = run > 0 ? (run - nos) / run * 100 : 0; cell(sprintf("%.0f%%", v), v <= 5) }
        if (kind == "parse") { cell(sprintf("%.2f/%.2f s", parse, run), parse <= run) }
        if (kind == "peer") {
          if (rs > 0 && run > 0) printf " | %-20s", sprintf("%.1fx less CPU", rs / run); else na()
        }
      }'
  done
  echo
}
target_row "run CPU <= 8x grep -c" cpu
target_row "run wall <= 15x cat (2 cores)" wall
target_row "run peak RSS <= 32 MiB" rss
target_row "scrubbing <= 5% of run's CPU" scrub
target_row "parse CPU <= run CPU" parse
target_row "run vs rsyslog" peer

tsv=$OUT/results.tsv
printf 'size\tname\tcpu_s\twall_s\tpeak_rss_kb\trecords\tcpu_x_grep\twall_x_cat\tnote\n' >"$tsv"
for s in "${SIZES[@]}"; do
  for r in "${ROWS[@]}"; do
    awk -v OFS='\t' -v s="$s" -v r="$r" -v cpu="${CPU[$s,$r]}" -v wall="${WALL[$s,$r]}" \
      -v rss="${RSS[$s,$r]}" -v rec="${RECORDS[$s,$r]}" -v note="${NOTE[$s,$r]}" \
      -v gcpu="${CPU[$s,grep -c]}" -v cwall="${WALL[$s,cat]}" '
      function ratio(a, b) { return (b + 0 <= 0) ? "n/a" : sprintf("%.2f", a / b) }
      BEGIN { print s, r, cpu, wall, rss, rec, ratio(cpu, gcpu), ratio(wall, cwall), note }' >>"$tsv"
  done
done
echo
echo "bench: results in $tsv; micro-benchmarks in $OUT/micro.json"

if [ ${#FAILURES[@]} -gt 0 ]; then
  echo >&2
  for f in "${FAILURES[@]}"; do echo "bench: FAILED: $f" >&2; done
  exit 1
fi
