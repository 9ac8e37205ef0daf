#!/usr/bin/env bash
# make fuzz, once the programs are built: runs each libFuzzer program for SECONDS and prints one
# line of libFuzzer's final statistics for it (executions, coverage, corpus).
#
#   tests/fuzz/run.sh FUZZ_BUILD SECONDS TARGET...
#
# FUZZ_BUILD/TARGET_fuzz runs on FUZZ_BUILD/corpus/TARGET: the seeds of tests/fuzz/corpus/TARGET and
# the inputs of tests/fuzz/regressions/TARGET, copied there, plus whatever earlier runs added (the
# repository's corpus is never written to), with the words of tests/fuzz/TARGET.dict to try. Its
# output goes to FUZZ_BUILD/TARGET.log, an input it crashes on to FUZZ_BUILD/crashes/TARGET/.
# Exit status 1 when any program crashed (or timed out, or ran out of memory); every target runs
# either way.
set -euo pipefail
build=$1 seconds=$2
shift 2
fuzz=$(dirname "$0")
crashed=0

for target in "$@"; do
  corpus=$build/corpus/$target crashes=$build/crashes/$target log=$build/$target.log
  mkdir -p "$corpus" "$crashes"
  for seeds in "$fuzz/corpus/$target" "$fuzz/regressions/$target"; do
    [ -d "$seeds" ] || continue
    find "$seeds" -maxdepth 1 -type f ! -name README.md -exec cp {} "$corpus/" \;
  done
  echo "fuzz $target: $seconds s on $(find "$corpus" -type f | wc -l) inputs (log: $log)"
  dictionary=()
  [ -f "$fuzz/$target.dict" ] && dictionary=(-dict="$fuzz/$target.dict")
  status=0
  "$build/${target}_fuzz" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    "${dictionary[@]}" -artifact_prefix="$crashes/" "$corpus" > "$log" 2>&1 || status=$?

  # libFuzzer's last status line, "#N DONE cov: C ft: F corp: K/SIZE lim: L exec/s: E rss: R",
  # its "Done N runs in S second(s)" and its closing "stat::name: value" lines.
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  field() { sed -n "s/.* $1: \([^ ]*\).*/\1/p" <<< "$last"; }
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
  summary="$(stat number_of_executed_units) executions${took:+ in $took s}"
  summary+=" ($(stat average_exec_per_sec)/s)"
  if [ -n "$last" ]; then
    corp=$(field corp)
    summary+=", cov: $(field cov), ft: $(field ft), corpus: ${corp%%/*} inputs (${corp#*/})"
  fi
  summary+=", $(stat new_units_added) new, peak rss $(stat peak_rss_mb) MB"
  if [ "$status" -eq 0 ]; then
    echo "fuzz $target: $summary; no crash"
    continue
  fi

  crashed=1
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  echo "fuzz $target: CRASH (libFuzzer exited with $status) after $summary"
  # The report: from the first line that says what went wrong to the input's bytes ("MS: ..."),
  # which the artifact holds.
  what='terminate called|runtime error:|==ERROR:|ERROR: libFuzzer|ALARM|out-of-memory'
  first=$(grep -n -m 1 -E "$what" "$log" | cut -d: -f1 || true)
  sed -n "${first:-1},\$p" "$log" | sed '/^MS: /,$d' | head -n 40 | sed 's/^/    /'
  if [ -n "$artifact" ]; then
    echo "  the input: $artifact; rerun it: $build/${target}_fuzz $artifact"
    echo "  keep it as a regression test (tests/fuzz/README.md), which make test-tools replays:"
    echo "    mkdir -p tests/fuzz/regressions/$target &&"
    echo "      cp $artifact tests/fuzz/regressions/$target/"
  else
    echo "  libFuzzer saved no input; $log has its whole output"
  fi
done
exit $crashed
