#!/usr/bin/env bash
# Installs every Debian package the build, the daemon and the tests need, and only the missing
# ones, so `make run` and `make test` work on a fresh Debian bookworm machine.
set -euo pipefail

packages=(
  build-essential cmake pkg-config dpkg-dev groff-base
  libboost1.81-dev libre2-dev libsimdjson-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
  librdkafka-dev librabbitmq-dev libsystemd-dev zlib1g-dev libssl-dev libpq-dev libsqlite3-dev
  catch2 libbenchmark-dev
  clang-14 libclang-rt-14-dev
  python3 python3-jsonschema python3-prometheus-client python3-pika rabbitmq-server postgresql
  openssl logrotate systemd time tzdata
)

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
