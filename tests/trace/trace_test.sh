#!/bin/bash
# trace_test.sh: the event timeline's tests (tests/trace/CMakeLists.txt).
#
#   trace_test.sh host MICROKIT TRACE_SUMMARY SYSTEM PROGRAM_DIR EXPECTED
#       run SYSTEM on the host with --trace-json; its summary must equal EXPECTED
#   trace_test.sh refused MICROKIT SYSTEM PROGRAM_DIR
#       --trace with untraced programs must fail with trace-library-missing
#   trace_test.sh qemu TRACE_SUMMARY SDK KERNEL_PKG BOARD EXAMPLE_DIR WORK_DIR EXPECTED DONE_LINE
#       build the example with its Makefile against SDK's BOARD/debug trace
#       library, with --trace; boot it as `make run` does (`microkit run`, the
#       board file's QEMU command) until DONE_LINE and the output settle;
#       `microkit trace` the serial log; the summary must equal EXPECTED
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
  qemu)
    . "$(dirname "$0")/../qemu/settle.sh"
    . "$(dirname "$0")/../qemu/make_run.sh"
    skip() { echo "SKIP: $*"; exit 77; }
    summary=$1 sdk=$2 pkg=$3 board=$4 example=$5 work=$6 expected=$7 done_line=$8
    [ -f "$pkg/bin/kernel.elf" ] || skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
    [ -f "$sdk/board/$board/debug/lib/libmicrokit_trace.a" ] || skip "the SDK $sdk has no $board/debug trace library (run 'ninja sdk')"
    board_facts "$sdk" "$board"
    command -v $arch-linux-gnu-gcc >/dev/null || skip "no $arch-linux-gnu-gcc"
    rm -rf "$work" && mkdir -p "$work"
    # The example's own Makefile; only the library and a tool flag differ.
    vars=(BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD=$board MICROKIT_CONFIG=debug
          TOOLCHAIN=$arch-linux-gnu "LIBS=-lmicrokit_trace -Tmicrokit.ld")
    (cd "$example" && make "${vars[@]}" "MICROKIT_TOOL=$sdk/bin/microkit --trace" all) >"$work/make.log" 2>&1 ||
      { cat "$work/make.log"; fail "make with the trace library and --trace failed"; }
    # boot_and_watch counts these lines: the one line that says the run is done.
    actual_lines() { grep -F -- "$done_line" "$work/uart.log"; }
    boot_and_watch "$example" "$work/uart.log" "$work/qemu.err" 1 60 "--trace" "${vars[@]}"
    grep -q "$done_line" "$work/uart.log" || { cat "$work/uart.log"; fail "the system never printed '$done_line'"; }
    system=$(basename "$example").system  # or, per board, <example>-<board>.system
    [ -f "$example/$(basename "$example")-$board.system" ] && system=$(basename "$example")-$board.system
    (cd "$example" && "$sdk/bin/microkit" trace "$system" --board $board \
        --config debug --trace-log "$work/uart.log" --trace-json "$work/trace.json") >"$work/trace.log" 2>&1 ||
      { cat "$work/trace.log"; fail "microkit trace failed on the serial log"; }
    "$summary" "$work/trace.json" >"$work/summary.txt" || fail "trace_summary could not read the trace"
    diff -u "$expected" "$work/summary.txt" || fail "the seL4 trace differs from $expected"
    echo "the seL4 trace of $(basename "$example") has the expected events and flows" ;;
  *) fail "unknown mode $mode" ;;
esac
