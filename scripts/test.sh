#!/usr/bin/env bash
# Builds acdd and runs every test. This is what CI runs (.ci/run).
source "$(dirname "$0")/setup.sh"
ensure_packages
build
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" --timeout 600
# The gateway line decoder under libFuzzer, ASan and UBSan for a bounded time (docs/fuzzing.md).
"$ROOT/scripts/fuzz.sh"
