# settle.sh: sourced by the QEMU boot test scripts.
#
# settle LOG PID [QUIET] [MAX]: once a test has seen the lines it expects,
# waits until QEMU (PID) has written nothing more to LOG for QUIET seconds
# (default 2), at most MAX seconds (default 30), or until it has exited. A
# fixed pause either cut a slow line in half on a loaded machine or let a
# late fault go unseen; waiting for the output to settle does neither.
settle() {
  local log=$1 pid=$2 quiet=${3:-2} max=${4:-30}
  local end=$((SECONDS + max)) last=-1 size still=0
  while [ $SECONDS -lt $end ] && kill -0 "$pid" 2>/dev/null; do
    size=$(stat -c %s "$log" 2>/dev/null || echo 0)
    if [ "$size" = "$last" ]; then
      still=$((still + 1))
      [ $still -ge $((quiet * 4)) ] && return 0
    else
      still=0
      last=$size
    fi
    sleep 0.25
  done
}
