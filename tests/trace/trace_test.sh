#!/bin/bash
# trace_test.sh: the event timeline's tests (tests/trace/CMakeLists.txt).
#
#   trace_test.sh host MICROKIT TRACE_SUMMARY SYSTEM PROGRAM_DIR EXPECTED
#       run SYSTEM on the host with --trace-json; its summary must equal EXPECTED
#   trace_test.sh refused MICROKIT SYSTEM PROGRAM_DIR
#       --trace with untraced programs must fail with trace-library-missing
#
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
set -u
fail() { echo "FAIL: $*"; exit 1; }

mode=$1
shift
case "$mode" in
  host)
    microkit=$1 summary=$2 system=$3 dir=$4 expected=$5
    out=$dir/trace.json
    rm -f "$out"
    (cd "$(dirname "$system")" && "$microkit" run "$(basename "$system")" --board host \
        --search-path "$dir" --trace-json "$out") >"$dir/run.log" 2>&1 ||
      { cat "$dir/run.log"; fail "microkit run --trace-json failed"; }
    [ -s "$out" ] || fail "no trace written to $out"
    "$summary" "$out" >"$dir/summary.txt" || fail "trace_summary could not read $out"
    diff -u "$expected" "$dir/summary.txt" || fail "the trace differs from $expected"
    echo "the trace of $(basename "$system") has the expected events and flows" ;;
  refused)
    microkit=$1 system=$2 dir=$3
    log=$(mktemp)
    (cd "$(dirname "$system")" && "$microkit" run "$(basename "$system")" --board host \
        --search-path "$dir" --trace) >"$log" 2>&1 && { cat "$log"; fail "--trace with untraced programs was accepted"; }
    grep -q "error: --trace: the program 'server.elf' of protection domain 'server' was not linked against the trace build" "$log" ||
      { cat "$log"; rm -f "$log"; fail "no trace-library-missing error for 'server'"; }
    grep -q "ping-pong.system:[0-9]*:[0-9]*" "$log" || { cat "$log"; rm -f "$log"; fail "the error has no file:line:col"; }
    rm -f "$log"
    echo "untraced programs refused at their <program_image>" ;;
  *) fail "unknown mode $mode" ;;
esac
