#!/usr/bin/env bash
# CI: a newcomer's first `make run`, on a clean clone of the committed tree, without a compiler
# cache. Checks that its package step asks only for what the daemon and its build need, that
# its build step builds the daemon and no test, benchmark or fuzz target, and that the daemon
# then prints a record; prints the seconds from `make run` to that first record.
#   bash .ci/first-run.sh [REPOSITORY [REF]]    (default: this repository's HEAD)
# Needs only bash, git, make and coreutils: it runs before anything else is installed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=${1:-$here}
ref=${2:-HEAD}

fail() { echo "first-run: FAILED: $*" >&2; exit 1; }

dir=$(mktemp -d /tmp/homeostasisd-first-run.XXXXXX)
pgid=""
cleanup() {
  if [ -n "$pgid" ]; then kill -TERM -- "-$pgid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

git clone -q --no-checkout "$repo" "$dir/src"
git -C "$dir/src" checkout -q --detach "$ref"
src=$dir/src
echo "first-run: $(git -C "$src" log -1 --format='%h %s')"

# What `make run` may install: the compiler, CMake and the daemon's libraries, none of the
# tests' frameworks, servers or tools.
run_list=$(bash "$src/scripts/install-deps.sh" --list run)
test_list=$(bash "$src/scripts/install-deps.sh" --list test)
for p in catch2 libbenchmark-dev clang-14 rabbitmq-server postgresql python3 prometheus lintian; do
  grep -qx "$p" <<<"$test_list" || fail "install-deps.sh test does not install $p"
  ! grep -qx "$p" <<<"$run_list" || fail "make run would install $p, which only the tests need"
done
for p in build-essential cmake libboost1.81-dev librdkafka-dev; do
  grep -qx "$p" <<<"$run_list" || fail "make run would not install $p"
done

missing=$(while read -r p; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
done <<<"$run_list")

# `make run` in a session of its own (so it can be stopped whole), stdout through a FIFO so the
# first record is seen the moment it is printed.
mkfifo "$dir/stdout"
start=$(date +%s%N)
CCACHE_DISABLE=1 setsid make -C "$src" run >"$dir/stdout" 2>"$dir/stderr" </dev/null &
make_pid=$!
pgid=$make_pid
exec 3<"$dir/stdout"
first=""
while IFS= read -r -t 3600 line <&3; do
  case $line in
    '{'*) first=$line; break ;;
    *) echo "$line" >>"$dir/build.log" ;;
  esac
done
end=$(date +%s%N)
if [ -z "$first" ]; then
  tail -n 30 "$dir/build.log" "$dir/stderr" >&2 || true
  fail "make run printed no record"
fi
kill -TERM -- "-$pgid"
wait "$make_pid" 2>/dev/null || true
pgid=""
exec 3<&-
seconds=$(( (end - start) / 1000000000 ))

case $first in
  *'"error_id"'*) ;;
  *) fail "the first line is not an error record: $first" ;;
esac

# The build directory holds the daemon and nothing a test, benchmark or fuzz target built.
build=$src/build
[ -x "$build/homeostasisd" ] || fail "no build/homeostasisd"
grep -q '^HOMEO_BUILD_TESTS:BOOL=OFF$' "$build/CMakeCache.txt" ||
  fail "make run configured the tests (HOMEO_BUILD_TESTS is not OFF)"
objects=$(find "$build" -name '*.o' \( -path '*/tests/*' -o -path '*/fuzz/*' -o -path '*/bench/*' \) | head -n 5)
[ -z "$objects" ] || fail "make run compiled test, fuzz or benchmark sources: $objects"
executables=$(find "$build" -type f -perm -u+x ! -path '*/CMakeFiles/*' -printf '%P\n' |
  while read -r f; do
    [ "$(head -c 4 "$build/$f" | od -An -c | tr -d ' ')" = '177ELF' ] && echo "$f"
  done)
[ "$executables" = homeostasisd ] ||
  fail "make run built executables besides homeostasisd: $(echo $executables)"

if [ -z "$missing" ]; then
  installed="its packages were installed already"
else
  installed="it installed $(wc -l <<<"$missing") missing packages first"
fi
echo "first-run: make run printed its first record after ${seconds} s" \
  "($(nproc) cores, no compiler cache; $installed)"
echo "first-run: built only homeostasisd; make run's packages: $(echo $run_list)"
