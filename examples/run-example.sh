#!/usr/bin/env bash
# Runs homeostasisd in the foreground on the bundled example config (what `make run` does):
#   bash examples/run-example.sh build/homeostasisd
# The config's paths come from the environment, since the repository can live anywhere, and
# each run starts from a fresh state directory so that the example logs are read again from
# their beginning and a newcomer always sees records.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 PATH/TO/homeostasisd" >&2
  exit 64
fi
binary=$1
if [ ! -x "$binary" ]; then
  echo "$0: $binary is not an executable; build it first (make)" >&2
  exit 1
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")

examples=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Beside the binary (build/example-state, removed by `make clean`), or in /tmp when that
# folder is not ours to write. Tests pass an empty one of their own in HOMEO_EXAMPLE_STATE.
if [ -n "${HOMEO_EXAMPLE_STATE:-}" ]; then
  state=$HOMEO_EXAMPLE_STATE
  mkdir -p "$state"
elif [ -w "$(dirname "$binary")" ]; then
  state=$(dirname "$binary")/example-state
  rm -rf "$state"
  mkdir -p "$state"
else
  state=$(mktemp -d /tmp/homeostasisd-example.XXXXXX)
fi

export HOMEO_EXAMPLES="$examples"
export HOMEO_EXAMPLE_STATE="$state"

echo "homeostasisd: append a line to examples/logs/app.log to see it appear (Ctrl-C stops)" >&2
exec "$binary" run --config "$examples/config.yaml"
