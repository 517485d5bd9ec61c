#!/bin/sh
# `systemd-analyze verify` on config/acdd.service, with its programs replaced by the built ones
# (verify checks that every Exec*= program exists) and the manual pages of Documentation= on
# MANPATH. Exits 77 (skipped) when systemd-analyze or man is missing.
# Usage: unit_verify_test.sh UNIT ACDD ACDCTL MAN_DIR [ACD_KAMAILIO]
set -eu
UNIT=$1
ACDD=$2
ACDCTL=$3
MAN_DIR=$4  # holds man8/acdd.8.gz, man8/acdctl.8.gz and man8/acd-kamailio.8.gz
BRIDGE=${5:-/usr/bin/acd-kamailio}

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "SKIPPED: systemd-analyze is not installed (apt-get install systemd)"
    exit 77
fi
if ! command -v man >/dev/null 2>&1; then
    echo "SKIPPED: man is not installed (apt-get install man-db): verify checks Documentation="
    exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/acdd-unit-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
NAME=$(basename "$UNIT")
sed -e "s#/usr/bin/acdd #$ACDD #g" -e "s#/usr/bin/acdctl #$ACDCTL #g" \
    -e "s#/usr/bin/acd-kamailio #$BRIDGE #g" "$UNIT" >"$TMP/$NAME"
if grep -q '/usr/bin/' "$TMP/$NAME"; then
    echo "FAIL: a program the test does not know: $(grep '/usr/bin/' "$TMP/$NAME")"
    exit 1
fi

# verify prints its complaints (and returns non-zero for errors); a warning is a failure too.
if ! out=$(MANPATH="$MAN_DIR" SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$TMP/$NAME" 2>&1); then
    echo "FAIL: systemd-analyze verify:"
    echo "$out"
    exit 1
fi
if [ -n "$out" ]; then
    echo "FAIL: systemd-analyze verify complains:"
    echo "$out"
    exit 1
fi
echo "ok: systemd-analyze verify $(systemd-analyze --version | head -n 1)"
