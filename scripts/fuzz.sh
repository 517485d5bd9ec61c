#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang under ASan and UBSan into build-fuzz/,
# then runs them on their seed corpora for ${FUZZ_SECONDS:-60} seconds in all: half for
# gateway_fuzz (acdd's gateway side), a quarter for gateway_line_fuzz (the gateway line parser
# against its reference), a quarter for netstring_fuzz (acd-kamailio's evapi side). Exits non-zero when one finds a crash or a violated property; the input that did it is
# left in build-fuzz/artifacts/.
#
#   scripts/fuzz.sh                          # build, fuzz 60 s
#   FUZZ_SECONDS=600 scripts/fuzz.sh         # longer
#   scripts/fuzz.sh build-fuzz/artifacts/crash-...   # build, run those inputs once (reproduce)
#   FUZZ_TARGET=netstring_fuzz scripts/fuzz.sh build-fuzz/artifacts/crash-...   # another one
#
# docs/fuzzing.md says what is fuzzed and how to add a seed.
source "$(dirname "$0")/setup.sh"
FUZZ_PACKAGES=(clang libclang-rt-14-dev llvm-14)
ensure_packages "${FUZZ_PACKAGES[@]}"

FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}

cmake -S "$ROOT" -B "$FUZZ_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACD_FUZZ=ON \
  -DACD_BUILD_TESTS=OFF -DACD_BUILD_BENCH=OFF -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$FUZZ_BUILD_DIR" --target gateway_fuzz gateway_line_fuzz netstring_fuzz -j "$(nproc)"

# Readable stacks when a sanitizer or a violated property stops the run.
for s in llvm-symbolizer llvm-symbolizer-14; do
  if command -v "$s" >/dev/null; then
    export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v "$s")}
    break
  fi
done
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [ $# -gt 0 ]; then
  exec "$FUZZ_BUILD_DIR/tests/fuzz/${FUZZ_TARGET:-gateway_fuzz}" "$@"
fi

TOTAL=${FUZZ_SECONDS:-60}
CHECKS=0

# fuzz NAME SECONDS: every seed of tests/fuzz/corpus/NAME first, then SECONDS of fuzzing.
fuzz() {
  local name=$1 seconds=$2
  local fuzzer=$FUZZ_BUILD_DIR/tests/fuzz/${name}_fuzz
  local seeds=$ROOT/tests/fuzz/corpus/$name
  # Every seed first, whole and once: regression inputs (regress-*) stay checked whatever the
  # fuzzing below does with them (libFuzzer cuts seeds down to -max_len).
  if ! "$fuzzer" "$seeds"/* >"$FUZZ_BUILD_DIR/$name-seeds.log" 2>&1; then
    cat "$FUZZ_BUILD_DIR/$name-seeds.log"
    echo "fuzz: a seed of tests/fuzz/corpus/$name fails (see above)" >&2
    exit 1
  fi
  local count
  count=$(find "$seeds" -type f | wc -l)
  echo "fuzz: $count seeds of $name pass"
  # New inputs go to a working corpus in the build directory: the seeds in the repository are
  # only read (libFuzzer writes to its first corpus directory only). Inputs stay under 8 KiB,
  # which keeps runs fast; lines at and over the 64 KiB cap are covered by the seeds and the
  # unit tests.
  mkdir -p "$FUZZ_BUILD_DIR/corpus/$name" "$FUZZ_BUILD_DIR/artifacts"
  "$fuzzer" "$FUZZ_BUILD_DIR/corpus/$name" "$seeds" \
    -dict="$ROOT/tests/fuzz/$name.dict" \
    -max_total_time="$seconds" \
    -max_len=8192 \
    -timeout=10 \
    -rss_limit_mb=4096 \
    -print_final_stats=1 \
    -artifact_prefix="$FUZZ_BUILD_DIR/artifacts/"
  echo "fuzz: $name: no crash and no violated property in $seconds s"
  CHECKS=$((CHECKS + count + 1))
}

fuzz gateway $((TOTAL / 2))
fuzz gateway_line $((TOTAL / 4))
fuzz netstring $((TOTAL - TOTAL / 2 - TOTAL / 4))
# The closing line CI reads: each seed, and each timed run, is one check.
echo "fuzz: $CHECKS passed, 0 failed"
