#!/usr/bin/env bash
# Builds acdd and runs it on config/acdd.json (state under ./var, sockets local).
source "$(dirname "$0")/setup.sh"
ensure_packages
build
mkdir -p "$ROOT/var"
exec "$BUILD_DIR/src/acdd" -c "$ROOT/config/acdd.json" "$@"
