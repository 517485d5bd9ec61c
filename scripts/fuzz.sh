#!/usr/bin/env bash
# Builds the libFuzzer target (tests/fuzz) with clang under ASan and UBSan into build-fuzz/, then
# runs it for ${FUZZ_SECONDS:-60} seconds on the seed corpus. Exits non-zero when it finds a
# crash or a violated property; the input that did it is left in build-fuzz/artifacts/.
#
#   scripts/fuzz.sh                          # build, fuzz 60 s
#   FUZZ_SECONDS=600 scripts/fuzz.sh         # longer
#   scripts/fuzz.sh build-fuzz/artifacts/crash-...   # build, run those inputs once (reproduce)
#
# docs/fuzzing.md says what is fuzzed and how to add a seed.
source "$(dirname "$0")/setup.sh"
FUZZ_PACKAGES=(clang libclang-rt-14-dev llvm-14)
ensure_packages "${FUZZ_PACKAGES[@]}"

FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
SEEDS=$ROOT/tests/fuzz/corpus/gateway

cmake -S "$ROOT" -B "$FUZZ_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACD_FUZZ=ON \
  -DACD_BUILD_TESTS=OFF -DACD_BUILD_BENCH=OFF -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$FUZZ_BUILD_DIR" --target gateway_fuzz -j "$(nproc)"

# Readable stacks when a sanitizer or a violated property stops the run.
for s in llvm-symbolizer llvm-symbolizer-14; do
  if command -v "$s" >/dev/null; then
    export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v "$s")}
    break
  fi
done
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

FUZZER=$FUZZ_BUILD_DIR/tests/fuzz/gateway_fuzz
if [ $# -gt 0 ]; then
  exec "$FUZZER" "$@"
fi

# Every seed first, whole and once: regression inputs (regress-*) stay checked whatever the
# fuzzing below does with them (libFuzzer cuts seeds down to -max_len).
if ! "$FUZZER" "$SEEDS"/* >"$FUZZ_BUILD_DIR/seeds.log" 2>&1; then
  cat "$FUZZ_BUILD_DIR/seeds.log"
  echo "fuzz: a seed of tests/fuzz/corpus/gateway fails (see above)" >&2
  exit 1
fi
SEED_COUNT=$(find "$SEEDS" -type f | wc -l)
echo "fuzz: $SEED_COUNT seeds pass"

# New inputs go to a working corpus in the build directory: the seeds in the repository are only
# read (libFuzzer writes to its first corpus directory only). Inputs stay under 8 KiB, which
# keeps runs fast; lines at and over the 64 KiB cap are covered by the seeds and framing_test.
mkdir -p "$FUZZ_BUILD_DIR/corpus/gateway" "$FUZZ_BUILD_DIR/artifacts"
"$FUZZER" "$FUZZ_BUILD_DIR/corpus/gateway" "$SEEDS" \
  -dict="$ROOT/tests/fuzz/gateway.dict" \
  -max_total_time="${FUZZ_SECONDS:-60}" \
  -max_len=8192 \
  -timeout=10 \
  -rss_limit_mb=4096 \
  -print_final_stats=1 \
  -artifact_prefix="$FUZZ_BUILD_DIR/artifacts/"
echo "fuzz: no crash and no violated property in ${FUZZ_SECONDS:-60} s"
# The closing line CI reads: each seed, and the timed run, is one check.
echo "fuzz: $((SEED_COUNT + 1)) passed, 0 failed"
