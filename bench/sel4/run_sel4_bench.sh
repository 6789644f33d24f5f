#!/bin/bash
# run_sel4_bench.sh: the seL4 boot and IPC benchmark on QEMU virt (AArch64).
# Builds the PD programs of bench/sel4/pds with an SDK's libmicrokit (the way
# examples/*/Makefile does), builds the image of bench/sel4/ipc.system with
# the SDK's microkit, boots it with `-icount shift=0,sleep=off` (one guest
# instruction = one ns of virtual time; deterministic, see bench/README.md)
# and prints instruction counts and the libmicrokit / raw seL4 ratios. A
# benchmark: it asserts no timing; it fails only if the system does not
# build or does not report.
#
#   run_sel4_bench.sh --sdk <sdk dir> --workdir <dir>
#       [--config "debug release"]   kernel configurations, each measured
#       [--boot-points]              also trace the boot (one more, slow run:
#                                    about a minute) for kernel and initial
#                                    task entry (and, on RISC-V, for the PDs'
#                                    init() rows)
#       [--toolchain aarch64-linux-gnu] [--timeout 120]
#       [--board qemu_virt_aarch64|qemu_virt_riscv64|x86_64_generic]
#       [--trace]                    also a trace build: every PD linked against
#                                    libmicrokit_trace.a and the image built with
#                                    --trace (the event timeline's cost;
#                                    docs/tracing.md), beside the plain build
#       [--profile HZ]               also a profiled build: <profiler
#                                    frequency="HZ"> (docs/profiling.md;
#                                    configs default to benchmark, the only
#                                    one it runs on), beside the plain build.
#                                    The profiler owns the UART, so every build
#                                    of the run prints through QEMU's
#                                    semihosting instead (bench.h)
#       [--rounds N]                 round trips per figure (default 1000)
#       [--smp]                      the multicore benchmark instead (smp.system
#                                    on QEMU -smp 4; configs default to the
#                                    board's smp-* packages): same-core against
#                                    cross-core PPC and notification
#
# RISC-V: the PDs' clock is the Goldfish RTC with `-rtc clock=vm` (virtual
# ns = guest instructions; bench.h), mapped into every PD; the toolchain
# defaults to riscv64-linux-gnu, the release UART is the NS16550.
# x86-64: the PDs' clock is the TSC (QEMU's virtual clock under -icount);
# debug kernels only (release output would need an I/O port); the image
# boots as the manual says (-kernel sel4_32.elf -initrd loader.img).
#
# Each configuration boots twice: servers with their own scheduling contexts
# (PPCs and notifications), then passive servers (PPCs only: with MCS only
# a call to a passive server can take seL4's IPC fastpath).
#
# debug: the PDs print with seL4_DebugPutChar. release: the kernel cannot
# print, so the PL011 is mapped into the PDs (the bench:uart markers of
# ipc.system) and they write it directly.
set -u
here=$(cd "$(dirname "$0")" && pwd)
sdk= workdir= configs="debug release" toolchain= timeout=120 boot_points=0
board=qemu_virt_aarch64 smp=0 configs_given=0 variants=() profile_hz= rounds=
while [ $# -gt 0 ]; do
  case "$1" in
    --sdk) sdk=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --config) configs=$2 configs_given=1; shift 2 ;;
    --smp) smp=1; shift ;;
    --trace) variants+=(trace); shift ;;
    --profile) variants+=(profile) profile_hz=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --toolchain) toolchain=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --boot-points) boot_points=1; shift ;;
    --board) board=$2; shift 2 ;;
    *) echo "run_sel4_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$sdk" ] && [ -n "$workdir" ] || { echo "usage: run_sel4_bench.sh --sdk DIR --workdir DIR [--config \"debug release\"] [--boot-points]" >&2; exit 2; }
# The board's QEMU, compiler flags, release UART and (RISC-V) clock device.
case "$board" in
  qemu_virt_aarch64)
    arch=aarch64 arch_cflags="-mstrict-align" uart_paddr=0x9000000 clock_mr= clock_map=
    loader_pc=70000000
    qemu_board=(-machine virt,virtualization=on -cpu cortex-a53)
    qemu_image() { echo "-device loader,file=$1,addr=0x70000000,cpu-num=0"; } ;;
  qemu_virt_riscv64)
    arch=riscv64 arch_cflags="-march=rv64imafdc_zicsr_zifencei -mabi=lp64d" uart_paddr=0x10000000
    loader_pc=90000000  # OpenSBI runs before it: count from here
    clock_mr='<memory_region name="rtc" size="0x1000" phys_addr="0x101000" />'
    clock_map='<map mr="rtc" vaddr="0x3001000" perms="rw" cached="false" setvar_vaddr="bench_rtc" />'
    qemu_board=(-machine virt -rtc clock=vm)
    qemu_image() { echo "-kernel $1"; } ;;
  x86_64_generic)
    arch=x86_64 arch_cflags="-march=x86-64 -mtune=generic" uart_paddr= clock_mr= clock_map=
    qemu_board=(-cpu qemu64,+fsgsbase,+pdpe1gb,+xsaveopt,+xsave)
    qemu_image() { echo "-kernel $(dirname "$1")/sel4_32.elf -initrd $1"; }
    [ "$configs" = debug ] || { echo "x86_64_generic: debug only (release output needs an I/O port)"; configs=debug; } ;;
  *) echo "run_sel4_bench.sh: no QEMU command for $board" >&2; exit 2 ;;
esac
[ -n "$toolchain" ] || toolchain=$arch-linux-gnu
semihosting=()
if [ -n "$profile_hz" ]; then
  [ $arch = aarch64 ] || { echo "--profile: the seL4 profiler exists for AArch64 only" >&2; exit 2; }
  [ $configs_given = 1 ] || configs=benchmark
  semihosting=(-semihosting-config enable=on,target=native,userspace=on)
fi
# What one boot runs: the system, its PD programs, the lines that end it.
system=ipc.system pds="mk_server mk_client raw_server raw_client" cores=1
clock=(-icount shift=0,sleep=off)
done_lines=("bench: raw done" "bench: mk done")
if [ $smp = 1 ]; then
  system=smp.system pds="mk_server smp_client" cores=4
  # -icount runs the cores one after another in one thread, and seL4's SMP
  # boot does not get through that (the cores spin on the kernel lock in
  # turn; bench/README.md): real threads, so time is the host's.
  clock=()
  done_lines=("bench: near done" "bench: far done")
  if [ $configs_given = 0 ]; then
    configs="smp-debug smp-release"
    [ $arch = riscv64 ] && configs="smp-debug"  # the only RISC-V smp package built
    [ $arch = x86_64 ] && configs="smp-debug"   # release output needs an I/O port
  fi
  [ $boot_points = 0 ] || { echo "--boot-points: not with --smp (one core is traced)"; boot_points=0; }
  [ ${#variants[@]} = 0 ] || { echo "--trace, --profile: not with --smp" >&2; exit 2; }
fi
qemu=$(command -v qemu-system-$arch) || { echo "qemu-system-$arch is not installed" >&2; exit 1; }
command -v "$toolchain-gcc" >/dev/null || { echo "$toolchain-gcc is not installed (--toolchain)" >&2; exit 1; }
sdk=$(cd "$sdk" && pwd)
mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)

# build <config> <dir> <passive|active> <plain|trace|profile>: PD programs
# (the examples' flags), system, image. passive: both servers
# passive="true" (MCS IPC fastpath; PPCs only). trace: the trace library
# and --trace; profile: a <profiler> added to the system.
build() {
  local config=$1 dir=$2 board_dir=$sdk/board/$board/$1 pd passive_sed= variant=$4
  if [ "$3" = passive ]; then
    passive_sed='s|name="\([a-z]*_server\)" priority|name="\1" passive="true" priority|'
  fi
  [ -f "$board_dir/lib/libmicrokit.a" ] || { echo "no libmicrokit for $board/$config in $sdk" >&2; return 1; }
  local cflags="-nostdlib -ffreestanding -g -O3 -Wall -Wno-unused-function -Werror $arch_cflags -I$board_dir/include"
  [ -z "$passive_sed" ] || cflags="$cflags -DBENCH_PASSIVE"
  [ ${#semihosting[@]} = 0 ] || cflags="$cflags -DBENCH_SEMIHOSTING"
  [ -z "$rounds" ] || cflags="$cflags -DBENCH_ROUNDS=${rounds}u"
  local lib=-lmicrokit tool_flags=() profiler_sed=
  [ "$variant" != trace ] || { lib=-lmicrokit_trace; tool_flags=(--trace); }
  [ "$variant" != profile ] || profiler_sed="s|^<system>|<system><profiler frequency=\"$profile_hz\" />|"
  for pd in $pds; do
    "$toolchain-gcc" -c $cflags "$here/pds/$pd.c" -o "$dir/$pd.o" || return 1
    "$toolchain-ld" -L"$board_dir/lib" -z noexecstack "$dir/$pd.o" $lib -Tmicrokit.ld -o "$dir/$pd.elf" || return 1
  done
  local clock_sed="s|<!-- bench:clock-mr -->|$clock_mr|;s|<!-- bench:clock-map -->|$clock_map|"
  if grep -q '"PRINTING": true' "$board_dir/include/kernel/gen_config.json" 2>/dev/null ||
     [ ${#semihosting[@]} != 0 ]; then
    sed -e "$passive_sed" -e "$clock_sed" -e "$profiler_sed" "$here/$system" >"$dir/$system"
  else
    sed -e "$passive_sed" -e "$clock_sed" -e "s|<!-- bench:uart-mr -->|<memory_region name=\"uart\" size=\"0x1000\" phys_addr=\"$uart_paddr\" />|" \
        -e 's|<!-- bench:uart-map -->|<map mr="uart" vaddr="0x3000000" perms="rw" cached="false" setvar_vaddr="bench_uart" />|' \
        "$here/$system" >"$dir/$system"
  fi
  "$sdk/bin/microkit" "$dir/$system" "${tool_flags[@]}" --board $board --config "$config" --search-path "$dir" \
    -o "$dir/loader.img" -r "$dir/report.txt" >"$dir/tool.log" 2>&1 || { cat "$dir/tool.log" >&2; return 1; }
}

# all_done <log>: both pairs have reported (quietly false before QEMU writes it).
all_done() { grep -qs "${done_lines[0]}" "$1" && grep -qs "${done_lines[1]}" "$1"; }

# boot <dir> <log> [qemu options...]: runs until both pairs are done, or
# until the file $boot_stop_file has a line starting with $boot_stop_word
# and the UART log has $boot_stop_uart (the traced boot stops once it has
# its points and the PDs have printed what they read).
boot_stop_file= boot_stop_word= boot_stop_uart=
stopped_early() {
  [ -n "$boot_stop_file" ] && grep -q "^$boot_stop_word " "$boot_stop_file" 2>/dev/null &&
    grep -q "$boot_stop_uart" "$log.raw" 2>/dev/null
}
boot() {
  local dir=$1 log=$2
  shift 2
  "$qemu" "${qemu_board[@]}" -m size=2G -nographic \
    -smp $cores "${clock[@]}" "${semihosting[@]}" "$@" -serial mon:stdio \
    $(qemu_image "$dir/loader.img") </dev/null >"$log.raw" 2>&1 &
  local qemu_pid=$! deadline=$((SECONDS + timeout))
  while [ $SECONDS -lt $deadline ]; do
    all_done "$log.raw" && break
    stopped_early && break
    kill -0 $qemu_pid 2>/dev/null || break
    sleep 0.2
  done
  kill $qemu_pid 2>/dev/null
  wait $qemu_pid 2>/dev/null
  tr -d '\r' <"$log.raw" >"$log"
  all_done "$log" && return 0
  stopped_early && return 0
  echo "the system did not report in ${timeout}s; UART log: $log" >&2
  tail -20 "$log" >&2
  return 1
}

entry_of() { "$toolchain-readelf" -h "$1" | awk '/Entry point/ { sub(/^0x0*/, "", $4); print $4 }'; }

# probe_of <elf>: the address of the PD's first clock read in init():
# AArch64 the counter read (mrs cntpct_el0), RISC-V the first 32-bit load
# in init() (the RTC's TIME_LOW; bench.h).
probe_of() {
  if [ $arch = aarch64 ]; then
    "$toolchain-objdump" -d "$1" | awk '/mrs.*cntpct_el0/ { sub(/:$/, "", $1); print $1; exit }'
  else
    "$toolchain-objdump" -d "$1" |
      awk '/^[0-9a-f]+ <init>:/ { in_init = 1; next } /^$/ { in_init = 0 }
           in_init && $0 ~ /\tlwu?\t/ { sub(/:$/, "", $1); print $1; exit }'
  fi
}

# boot_points <config> <dir>: a second boot, one instruction per translation
# block (-singlestep) with every block execution logged (-d exec,nochain)
# into a pipe; awk counts executed instructions from the loader's first
# one (on RISC-V, OpenSBI runs before it) up to the first instruction of
# the kernel, of the initial task and of the first PD, and at mk_server's
# first clock read, which checks the count against the clock the PDs use
# (RISC-V: also at raw_server's, the next PD to read it, since the RTC's
# origin is not the loader's start and one reading alone proves nothing;
# raw_server is the second PD to start).
# Two log lines take back the block logged before them, which did not
# run: "Stopped execution" (icount budget or interrupt before the block)
# and "cpu_io_recompile: rewound" (a device access re-translated to be the
# block's last instruction, then run again).
boot_points() {
  local config=$1 dir=$2 board_dir=$sdk/board/$board/$1
  local kernel_pc init_pc pd_pc probe_pc probe2_pc
  kernel_pc=$(entry_of "$board_dir/elf/sel4.elf")
  init_pc=$(entry_of "$board_dir/elf/initialiser.elf")
  pd_pc=$(entry_of "$dir/mk_server.elf")
  probe_pc=$(probe_of "$dir/mk_server.elf")
  probe2_pc=$(probe_of "$dir/raw_server.elf")
  [ $arch = aarch64 ] && probe2_pc=none
  rm -f "$dir/exec.fifo"
  mkfifo "$dir/exec.fifo"
  awk -v l="$loader_pc" -v k="$kernel_pc" -v i="$init_pc" -v p="$pd_pc" -v c="$probe_pc" -v d="$probe2_pc" '
    /^Stopped execution/ || /^cpu_io_recompile: rewound/ { if (sl) n--; next }
    /^Trace/ {
      split($0, f, "/"); pc = f[2]; sub(/^0*/, "", pc)
      if (!sl) { if (pc != l) next; sl = 1 }
      if (si && pc == p) starts++  # every PD starts at the same entry
      if (!sk && pc == k) { sk = 1; print "kernel_entry", n }
      else if (sk && !si && pc == i) { si = 1; print "initial_task_entry", n }
      else if (si && !sp && pc == p) { sp = 1; print "first_pd_entry", n }
      else if (sp && !sc && pc == c) { sc = 1; print "probe", n; fflush() }
      else if (sc && !sd && starts >= 2 && pc == d) { sd = 1; print "probe2", n; fflush() }
      n++
    }' "$dir/exec.fifo" >"$dir/points.txt" &
  local awk_pid=$!
  boot_stop_file=$dir/points.txt boot_stop_word=probe2 boot_stop_uart="bench: init_rtc raw_server"
  [ $arch = aarch64 ] && boot_stop_word=probe boot_stop_uart="bench: init_end mk_server"
  boot "$dir" "$dir/uart-trace.log" -singlestep -d exec,nochain -D "$dir/exec.fifo"
  local rc=$?
  boot_stop_file=
  wait $awk_pid
  rm -f "$dir/exec.fifo"
  return $rc
}

value() { grep -m1 "^bench: $1 " "$2" | awk '{print $3}'; }
x100() { awk -v v="$1" 'BEGIN { printf "%.2f", v / 100 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
point() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

report() {
  local config=$1 dir=$2 log=$2/uart.log
  echo "== $board $config kernel, QEMU -icount shift=0,sleep=off: guest instructions"
  echo
  if [ $arch = aarch64 ]; then
    echo "boot, from the loader's first instruction (CPU reset):"
  else
    echo "boot, from the loader's first instruction (after OpenSBI):"
  fi
  if [ -f "$dir/points.txt" ]; then
    local k i p probe counter
    k=$(point kernel_entry "$dir/points.txt") i=$(point initial_task_entry "$dir/points.txt")
    p=$(point first_pd_entry "$dir/points.txt") probe=$(point probe "$dir/points.txt")
    printf "  %-30s %12d\n" "kernel entry" "$k" "initial task entry" "$i" "initial task done (1st PD runs)" "$p"
    printf "  %-30s %12d  (%.1f%% of boot to the first PD)\n" "  of which the initial task" $((p - i)) \
      "$(awk -v a=$((p - i)) -v b="$p" 'BEGIN { print 100 * a / b }')"
    if [ $arch = aarch64 ]; then
      counter=$(grep -m1 "^bench: init_end mk_server " "$log" | awk '{print $4}')
      printf "  %-30s %12d  (trace; the counter said %d, tick = 16)\n" "  check: mk_server counter read" "$probe" "$counter"
    else
      # The RTC minus the trace at mk_server's read is the RTC's origin in
      # the traced run; raw_server's read must give the same (RTC = virtual
      # ns = instructions). Each run has its own origin (the host's clock).
      local rtc1 rtc2 probe2 origin trace_log=$dir/uart-trace.log
      rtc1=$(grep -m1 "^bench: init_rtc mk_server " "$trace_log" | awk '{print $4}')
      rtc2=$(grep -m1 "^bench: init_rtc raw_server " "$trace_log" | awk '{print $4}')
      probe2=$(point probe2 "$dir/points.txt")
      origin=$((rtc1 - probe))
      printf "  %-30s %12d  (trace; the RTC, less its origin from mk_server's read, said %d)\n" \
        "  check: raw_server RTC read" "$probe2" $((rtc2 - origin))
      # bash, not awk: the RTC's ns since 1970 do not fit a double exactly.
      local key pd rtc
      while read -r _ key pd rtc; do
        printf "  %-30s %12d\n" "$pd in init()" $((rtc - origin))
      done < <(grep "^bench: init_rtc " "$trace_log")
    fi
  fi
  grep "^bench: init_end " "$log" | awk '{printf "  %-30s %12d\n", $3 " in init()", $4}'
  echo
  local mk_ppc raw_ppc mk_ntfn raw_ntfn
  mk_ppc=$(value mk_ppc_x100 "$log") raw_ppc=$(value raw_ppc_x100 "$log")
  mk_ntfn=$(value mk_notify_x100 "$log") raw_ntfn=$(value raw_notify_x100 "$log")
  printf "  %-36s %12s %12s %8s\n" "IPC, per round trip (mean of ${rounds:-1000})" "libmicrokit" "raw seL4" "ratio"
  printf "  %-36s %12s %12s %7sx\n" "PPC: ppcall / seL4_Call+ReplyRecv" "$(x100 "$mk_ppc")" "$(x100 "$raw_ppc")" "$(ratio "$mk_ppc" "$raw_ppc")"
  printf "  %-36s %12s %12s %7sx\n" "notification there and back" "$(x100 "$mk_ntfn")" "$(x100 "$raw_ntfn")" "$(ratio "$mk_ntfn" "$raw_ntfn")"
  if [ -f "$dir-passive/uart.log" ]; then
    local active_ppc=$mk_ppc
    mk_ppc=$(value mk_ppc_x100 "$dir-passive/uart.log") raw_ppc=$(value raw_ppc_x100 "$dir-passive/uart.log")
    printf "  %-36s %12s %12s %7sx\n" "PPC, servers passive=\"true\"" "$(x100 "$mk_ppc")" "$(x100 "$raw_ppc")" "$(ratio "$mk_ppc" "$raw_ppc")"
    # A passive server hands its scheduling context to its notification in
    # the kernel when it first blocks (nothing is printed); only then can a
    # call take the MCS fastpath, so a row not clearly below the first one
    # means the servers kept their scheduling contexts.
    if awk -v p="$mk_ppc" -v a="$active_ppc" 'BEGIN { exit !(p < 0.8 * a) }'; then
      echo "  (passive calls are well below the active ones: the MCS fastpath)"
    else
      echo "  (NOTE: passive calls are not faster than active ones: the servers seem to"
      echo "   have kept their scheduling contexts, so that row is not the fastpath)"
    fi
  fi
  echo "  (goal: ratio <= 1.2)  UART log: $log"
  echo
}

# report_smp <config> <dir>: same core against cross core, active servers
# and passive ones, each round trip timed alone (smp_client.c).
report_smp() {
  local config=$1 dir=$2 log=$2/uart.log plog=$2-passive/uart.log
  echo "== $board $config kernel, QEMU -smp 4, one host thread per core (no -icount):"
  echo "   ns of the guest's clock, which follows the host's; each of 200 round trips"
  echo "   timed alone (the minimum is the one least disturbed by the host)"
  echo
  printf "  %-30s %10s %10s %8s %10s %10s %8s\n" "round trip" "same min" "cross min" "ratio" \
    "same med" "cross med" "ratio"
  row() {
    local what=$1 key=$2 file=$3 nmin fmin nmed fmed
    nmin=$(value near_${key}_min "$file") fmin=$(value far_${key}_min "$file")
    nmed=$(value near_${key}_median "$file") fmed=$(value far_${key}_median "$file")
    printf "  %-30s %10s %10s %7sx %10s %10s %7sx\n" "$what" "$nmin" "$fmin" "$(ratio "$fmin" "$nmin")" \
      "$nmed" "$fmed" "$(ratio "$fmed" "$nmed")"
  }
  row "PPC (microkit_ppcall)" ppc "$log"
  row "notification there and back" notify "$log"
  [ -f "$plog" ] && row "PPC, servers passive=\"true\"" ppc "$plog"
  echo "  UART logs: $log, $plog"
  echo
}

# report_variant <variant> <plain dir> <variant dir>: each round trip of the
# plain build beside the same in the trace or profiled build of this run
# (each the mean of the same round trips, so the ratio is the cost).
report_variant() {
  local variant=$1 plain=$2 with=$3 what
  case $variant in
    trace) what="the trace build (libmicrokit_trace.a, --trace)" ;;
    profile) what="<profiler frequency=\"$profile_hz\">" ;;
  esac
  echo "  with $what, against the plain build of this run:"
  printf "  %-36s %12s %12s %8s\n" "round trip (mean of ${rounds:-1000})" "plain" "$variant" "ratio"
  vrow() {
    local label=$1 key=$2 suffix=$3 a b
    a=$(value "$key" "$plain$suffix/uart.log") b=$(value "$key" "$with$suffix/uart.log")
    [ -n "$a" ] && [ -n "$b" ] || return 0
    printf "  %-36s %12s %12s %7sx\n" "$label" "$(x100 "$a")" "$(x100 "$b")" "$(ratio "$b" "$a")"
  }
  vrow "PPC: microkit_ppcall" mk_ppc_x100 ""
  vrow "PPC: seL4_Call+ReplyRecv (raw)" raw_ppc_x100 ""
  vrow "notification: libmicrokit" mk_notify_x100 ""
  vrow "notification: seL4_Signal+Wait (raw)" raw_notify_x100 ""
  vrow "PPC, passive: microkit_ppcall" mk_ppc_x100 -passive
  vrow "PPC, passive: raw" raw_ppc_x100 -passive
  if [ "$variant" = profile ]; then
    echo "  samples on the UART in the whole active boot: $(grep -c '^microkit-profile [^ ]* s ' "$with/uart.log")"
  fi
  echo "  UART logs: $with/uart.log, $with-passive/uart.log"
  echo
}

# measure <config> <dir> <variant>: the active boot, then the passive one.
# False if the active one failed; a failed passive one only sets status.
measure() {
  local config=$1 dir=$2 variant=$3
  mkdir -p "$dir" "$dir-passive"
  rm -f "$dir/points.txt" "$dir-passive/uart.log"
  build "$config" "$dir" active "$variant" && boot "$dir" "$dir/uart.log" || return 1
  build "$config" "$dir-passive" passive "$variant" && boot "$dir-passive" "$dir-passive/uart.log" || status=1
  return 0
}

status=0
for config in $configs; do
  dir=$workdir/$config
  measure "$config" "$dir" plain || { status=1; continue; }
  if [ $boot_points = 1 ]; then boot_points "$config" "$dir" || { status=1; continue; }; fi
  if [ $smp = 1 ]; then report_smp "$config" "$dir"; continue; fi
  report "$config" "$dir"
  for variant in "${variants[@]}"; do
    measure "$config" "$dir-$variant" "$variant" || { status=1; continue; }
    report_variant "$variant" "$dir" "$dir-$variant"
  done
done
exit $status
