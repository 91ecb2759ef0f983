#!/usr/bin/env bash
# Fuzz the two inputs that come from outside: transaction logs (summary_data_from_transaction_data)
# and model files (load_model), with atheris (libFuzzer for Python), each for a bounded time.
# A target fails on any exception other than a ValueError/TypeError with a message, on a
# crash, or on a hang (-timeout). New inputs go to a temporary directory; the seed corpus in
# tests/fuzz/corpus is read, never written. Crash inputs are kept in build/fuzz/.
#   FUZZ_SECONDS=45 (per target)   FUZZ_TARGETS="summary model_files"
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-45}
TARGETS=${FUZZ_TARGETS:-"summary model_files"}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p build/fuzz
status=0
summary=""
for t in $TARGETS; do
  echo "== fuzz $t (${SECONDS_PER_TARGET} s)"
  mkdir -p "$work/$t"
  log="build/fuzz/$t.log"
  # -timeout: seconds per input before libFuzzer calls it a hang; -rss_limit_mb: a leak or a
  # huge allocation counts as a failure too
  if "$PYTHON" "tests/fuzz/fuzz_$t.py" "$work/$t" "tests/fuzz/corpus/$t" \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=3072 \
      -artifact_prefix="build/fuzz/$t-" -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
    grep -v '^INFO: Instrumenting' "$log" | tail -60
  fi
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log" | tail -1)
  summary+="$(printf '%-12s %-7s %s' "$t" "$result" "${runs:-(no run count: see $log)}")"$'\n'
done
printf '%s' "$summary"
exit $status
