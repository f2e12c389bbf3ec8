#!/usr/bin/env bash
# CI, as root on a disposable Debian bookworm machine: build the .deb (make deb), install it
# with dpkg, check that what it installed works, then remove and purge it.
# DEB_BUILD_DIR chooses the build directory (default build-deb).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "package-check: needs root (dpkg -i)" >&2
  exit 1
fi
step() { echo; echo "--- $*"; }
fail() { echo "package-check: FAILED: $*" >&2; exit 1; }

step "make deb"
log=$(mktemp)
make --no-print-directory deb 2>&1 | tee "$log"
deb=$(tail -n 1 "$log")
rm -f "$log"
[ -f "$deb" ] || fail "make deb did not print a package path (got '$deb')"
dpkg-deb --field "$deb" Package Version Architecture Section Priority Depends
dpkg-deb --contents "$deb" | awk '{print $1, $NF}'

step "lintian, and the install layout of the package build (tests/integration/test_package.py)"
HOMEO_BIN="$(dirname "$deb")/homeostasisd" HOMEO_DEB="$deb" python3 tests/integration/test_package.py

installed_before=""
if dpkg-query -W -f='${Status}' homeostasisd 2>/dev/null | grep -q "install ok installed"; then
  installed_before=yes
fi
cleanup() {
  if [ -z "$installed_before" ]; then dpkg --purge homeostasisd >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

step "dpkg -i"
dpkg -i "$deb"
version=$(dpkg-deb --field "$deb" Version)
dpkg-query -W -f='${Conffiles}\n' homeostasisd | grep -q '^ /etc/homeostasisd/config.yaml ' ||
  fail "/etc/homeostasisd/config.yaml is not a conffile"

step "homeostasisd version"
out=$(homeostasisd version)
echo "$out"
[ "$(command -v homeostasisd)" = /usr/bin/homeostasisd ] || fail "homeostasisd is not /usr/bin/homeostasisd"
[ "$(head -n 1 <<<"$out")" = "homeostasisd $version" ] ||
  fail "version says '$out', the package is $version"
[ -f /usr/share/bash-completion/completions/homeostasisd ] || fail "no bash completion"
[ -f /usr/share/homeostasisd/dashboards/homeostasisd.json ] || fail "no dashboard"
[ -f /usr/share/homeostasisd/rules/homeostasisd.rules.yml ] || fail "no alerting rules"
[ -f /usr/share/doc/homeostasisd/copyright ] || fail "no copyright file"

step "the user and the state directory (postinst)"
id homeostasisd
owner=$(stat -c '%U:%G %a' /var/lib/homeostasisd)
echo "/var/lib/homeostasisd $owner"
[ "$owner" = "homeostasisd:homeostasisd 750" ] || fail "/var/lib/homeostasisd is $owner"

step "homeostasisd check --config /etc/homeostasisd/config.yaml (as the service user)"
runuser -u homeostasisd -- homeostasisd check --config /etc/homeostasisd/config.yaml

step "systemd-analyze verify"
systemd-analyze verify /lib/systemd/system/homeostasisd.service
echo "verify: ok"

step "man page"
[ -f /usr/share/man/man8/homeostasisd.8.gz ] || fail "no man page"
zcat /usr/share/man/man8/homeostasisd.8.gz | groff -ww -man -Tutf8 2>&1 >/dev/null | { ! grep .; } ||
  fail "the man page renders with warnings"
echo "/usr/share/man/man8/homeostasisd.8.gz renders"

step "dpkg -r homeostasisd"
dpkg -r homeostasisd
[ ! -e /usr/bin/homeostasisd ] || fail "/usr/bin/homeostasisd is still there after dpkg -r"
[ ! -e /usr/lib/systemd/system/homeostasisd.service ] || fail "the unit is still there after dpkg -r"
[ -f /etc/homeostasisd/config.yaml ] || fail "dpkg -r removed the conffile (only purge should)"
dpkg --purge homeostasisd
[ ! -e /etc/homeostasisd/config.yaml ] || fail "dpkg --purge left the conffile"
[ ! -e /var/lib/homeostasisd ] || fail "dpkg --purge left /var/lib/homeostasisd"
if [ -n "$installed_before" ]; then
  echo "note: homeostasisd was installed before this check; it is now removed" >&2
fi

step "package check passed: $deb"
