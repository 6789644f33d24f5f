# make_run.sh: sourced by the boot tests that boot a system the way a user
# does, with its Makefile's `make run`, that is `microkit run` with the QEMU
# command of the board file (boards/<board>.json, "qemu"). Needs settle.sh.
#
# board_facts SDK BOARD: sets `arch` (for the Debian cross toolchain) and
#   `qemu_program` from the board file the SDK ships; skips (exit 77, with
#   skip()) when the board has no QEMU command or that QEMU is missing.
# boot_and_watch DIR LOG ERR WANT LIMIT RUN_ARGS MAKE_VARS...: runs
#   `make -s MAKE_VARS... RUN_ARGS=RUN_ARGS run` in DIR, in a process group
#   of its own, its output in LOG and ERR, until the caller's actual_lines
#   function prints WANT lines (then until the output settles, so that a
#   late line still shows), the run ends, or LIMIT seconds pass; then stops
#   the whole group (make, microkit, QEMU). Sets timed_out (1 or 0).

board_facts() {
  local board_file=$1/share/microkit/boards/$2.json
  [ -f "$board_file" ] || skip "the SDK has no board file $board_file"
  arch=$(sed -n 's/^ *"arch": *"\([^"]*\)".*/\1/p' "$board_file")
  qemu_program=$(sed -n 's/.*"qemu": *{ *"command": *\[ *"\([^"]*\)".*/\1/p' "$board_file")
  [ -n "$qemu_program" ] || skip "$2 has no QEMU command in its board file"
  command -v "$qemu_program" >/dev/null || skip "no $qemu_program"
}

boot_and_watch() {
  local dir=$1 log=$2 err=$3 want=$4 limit=$5 run_args=$6
  shift 6
  (cd "$dir" && exec setsid make -s "$@" RUN_ARGS="--timeout $((limit + 30)) $run_args" run) \
    </dev/null >"$log" 2>"$err" &
  local pid=$! end=$((SECONDS + limit))
  timed_out=1
  while [ $SECONDS -lt $end ]; do
    if [ "$(actual_lines | wc -l)" -ge "$want" ]; then
      settle "$log" $pid  # anything printed after the expected lines must show up too
      timed_out=0
      break
    fi
    kill -0 $pid 2>/dev/null || { timed_out=0; break; }
    sleep 0.5
  done
  kill -- -$pid 2>/dev/null
  wait $pid 2>/dev/null
}
