# expect_lines.sh: sourced by the boot tests that look for lines in QEMU's
# serial output rather than compare all of it (initialiser/initialiser_test.sh,
# x86_64/x86_boot_test.sh). Needs settle.sh and serial_lines.sh
# (the texts are looked for in serial_text).
#
# The caller fills the arrays `expects` (texts that must appear, each after
# the one before it) and `forbids` (texts that must not appear), then:
# watch_expected LOG PID TIMEOUT: waits until every expected text has
#   appeared in order (then until the output settles, so that a forbidden
#   late line still shows), QEMU (PID) exits, or TIMEOUT seconds pass; then
#   stops QEMU. Sets status: 0 when all appeared, in order.
# report_expected LOG: prints the log, fails for each forbidden text seen
#   and for missing expected ones, and exits 0 (PASS) or 1.

# Every expected text, each after the one before it.
in_order() {
  local rest e
  rest=$(serial_text "$1")
  for e in "${expects[@]}"; do
    case "$rest" in
      *"$e"*) rest=${rest#*"$e"} ;;
      *) return 1 ;;
    esac
  done
}

watch_expected() {
  local log=$1 pid=$2 deadline=$((SECONDS + $3))
  status=1
  while [ $SECONDS -lt $deadline ]; do
    if in_order "$log"; then status=0; break; fi
    kill -0 "$pid" 2>/dev/null || { in_order "$log" && status=0; break; }
    sleep 0.2
  done
  [ $status -eq 0 ] && settle "$log" "$pid"
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

report_expected() {
  local log=$1 f
  echo "---- serial ----"
  tr -d '\r' <"$log"
  echo "----------------"
  for f in "${forbids[@]}"; do
    if serial_text "$log" | grep -qF -- "$f"; then echo "FAIL: saw what must not appear: $f"; status=1; fi
  done
  if [ $status -ne 0 ]; then
    for f in "${expects[@]}"; do
      serial_text "$log" | grep -qF -- "$f" || echo "FAIL: never saw: $f"
    done
    echo "FAIL (the expected lines must appear in the order given)"
    exit 1
  fi
  echo "PASS"
}
