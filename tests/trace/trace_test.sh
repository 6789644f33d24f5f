#!/bin/bash
# trace_test.sh: the event timeline's tests (tests/trace/CMakeLists.txt).
#
#   trace_test.sh host MICROKIT TRACE_SUMMARY SYSTEM PROGRAM_DIR EXPECTED
#       run SYSTEM on the host with --trace-json; its summary must equal EXPECTED
#   trace_test.sh refused MICROKIT SYSTEM PROGRAM_DIR
#       --trace with untraced programs must fail with trace-library-missing
#   trace_test.sh qemu TRACE_SUMMARY SDK KERNEL_PKG EXAMPLE_DIR WORK_DIR EXPECTED DONE_LINE
#       build the example with its Makefile against SDK's qemu_virt_aarch64/debug
#       trace library, with --trace; boot it until DONE_LINE and the output
#       settle; `microkit trace` the serial log; the summary must equal EXPECTED
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
    skip() { echo "SKIP: $*"; exit 77; }
    summary=$1 sdk=$2 pkg=$3 example=$4 work=$5 expected=$6 done_line=$7
    board=qemu_virt_aarch64
    [ -f "$pkg/bin/kernel.elf" ] || skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
    [ -f "$sdk/board/$board/debug/lib/libmicrokit_trace.a" ] || skip "the SDK $sdk has no $board/debug trace library (run 'ninja sdk')"
    command -v qemu-system-aarch64 >/dev/null || skip "no qemu-system-aarch64"
    command -v aarch64-linux-gnu-gcc >/dev/null || skip "no aarch64-linux-gnu-gcc"
    rm -rf "$work" && mkdir -p "$work"
    # The example's own Makefile; only the library and a tool flag differ.
    (cd "$example" && make BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD=$board \
        MICROKIT_CONFIG=debug TOOLCHAIN=aarch64-linux-gnu "LIBS=-lmicrokit_trace -Tmicrokit.ld" \
        "MICROKIT_TOOL=$sdk/bin/microkit --trace" all) >"$work/make.log" 2>&1 ||
      { cat "$work/make.log"; fail "make with the trace library and --trace failed"; }
    qemu-system-aarch64 -machine virt,virtualization=on -cpu cortex-a53 -m size=2G -nographic \
      -serial mon:stdio -device loader,file="$work/build/loader.img",addr=0x70000000,cpu-num=0 \
      </dev/null >"$work/uart.log" 2>"$work/qemu.err" &
    qemu=$!
    end=$((SECONDS + 60))
    while [ $SECONDS -lt $end ] && ! grep -q "$done_line" "$work/uart.log"; do
      kill -0 $qemu 2>/dev/null || break
      sleep 0.5
    done
    settle "$work/uart.log" $qemu
    kill $qemu 2>/dev/null
    wait $qemu 2>/dev/null
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
