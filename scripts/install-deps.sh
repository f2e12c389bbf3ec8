#!/usr/bin/env bash
# Installs the Debian packages one task needs, and only the missing ones, so `make run` and
# `make test` work on a fresh Debian bookworm machine:
#   scripts/install-deps.sh run      build the daemon and run it (`make run`)
#   scripts/install-deps.sh deb      the same, plus what builds the .deb (`make deb`)
#   scripts/install-deps.sh fuzz     the same as run, plus clang and its fuzzing runtime
#   scripts/install-deps.sh test     everything: the tests' servers and tools too (`make test`)
#   scripts/install-deps.sh bench    the same as test, plus rsyslog, the bench's peer (`make bench`)
#   scripts/install-deps.sh --list TASK   print TASK's packages, one a line, install nothing
set -euo pipefail

# The compiler, CMake and the libraries the daemon links: all `make run` needs. tzdata gives
# the daemon its time zones; git names the commit in `homeostasisd --version`.
run_packages=(
  build-essential cmake pkg-config git tzdata
  libboost1.81-dev libre2-dev libsimdjson-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
  librdkafka-dev librabbitmq-dev libsystemd-dev zlib1g-dev libssl-dev libpq-dev libsqlite3-dev
)
# dpkg-shlibdeps (the package's Depends) comes with dpkg-dev.
deb_packages=(dpkg-dev)
fuzz_packages=(clang-14 libclang-rt-14-dev)
# The test frameworks, the servers the integration tests start on loopback, and the tools
# they check the package, the unit, the man page, the dashboard and the alert rules with
# (systemd-journal-remote writes the journal files the journald input reads).
test_only_packages=(
  catch2 libbenchmark-dev
  python3 python3-jsonschema python3-prometheus-client python3-pika rabbitmq-server postgresql
  openssl logrotate systemd time groff-base lintian prometheus bash-completion
  systemd-journal-remote
)
# The peer `make bench` measures beside the daemon (imfile -> filter -> omfile on the same
# corpus). Its package enables the system's rsyslog service where systemd runs.
bench_only_packages=(rsyslog)

usage() {
  echo "usage: $0 [--list] run|deb|fuzz|test|bench" >&2
  exit 64
}

list=""
if [ "${1:-}" = "--list" ]; then
  list=yes
  shift
fi
[ $# -eq 1 ] || usage
case "$1" in
  run) packages=("${run_packages[@]}") ;;
  deb) packages=("${run_packages[@]}" "${deb_packages[@]}") ;;
  fuzz) packages=("${run_packages[@]}" "${fuzz_packages[@]}") ;;
  test) packages=("${run_packages[@]}" "${deb_packages[@]}" "${fuzz_packages[@]}"
                  "${test_only_packages[@]}") ;;
  bench) packages=("${run_packages[@]}" "${deb_packages[@]}" "${fuzz_packages[@]}"
                   "${test_only_packages[@]}" "${bench_only_packages[@]}") ;;
  *) usage ;;
esac
if [ -n "$list" ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
