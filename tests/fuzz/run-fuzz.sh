#!/bin/sh
# Runs fuzz-log-reader for a bounded time from a seed corpus made of
# test-log-reader's fixtures.  Usage: run-fuzz.sh FUZZER SEEDER WORKDIR [SECONDS]
set -eu
fuzzer=$1 seeder=$2 work=$3 seconds=${4:-${SB_FUZZ_SECONDS:-60}}
mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts"
SB_FUZZ_SEED_DIR="$work/seeds" "$seeder"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -error_exitcode=1 -rss_limit_mb=2048 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "$work/seeds"
