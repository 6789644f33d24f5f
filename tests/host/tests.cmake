# The host-platform rule tests. Each EXPECT regex must match in order.

# Rights: a write to a read-only map and a jump into a map without x are VM
# faults (label 6) at the map's address, the second an instruction fetch.
# A PPC without pp and a notify, IRQ ack or deferred notify on a channel the
# PD does not have are refused as libmicrokit on seL4 refuses them: the same
# line, no fault, and the PPC returns an empty message (MRs untouched).
host_test(rights rights.system 0
  EXPECT "parent: fault child=1 label=6 addr=0x4000000 prefetch=0"
         "parent: fault child=2 label=6 addr=0x5000000 prefetch=1"
         "bad_call microkit_ppcall: invalid channel given '5'\n\\[bad_call\\] refused ppcall returned label=0 count=0 mr0=77"
         "bad_notify microkit_notify: invalid channel given '9'\n\\[bad_notify\\] bad_notify microkit_irq_ack: invalid channel given '9'\n\\[bad_notify\\] bad_notify microkit_deferred_notify: invalid channel given '9'\n\\[bad_notify\\] refused notify returned"
  REJECT "wrote to a read-only map" "executed a non-executable map" "fault child=3" "fault child=4")

# PPC: label and registers to the server and back; the client waits.
host_test(ppc ppc.system 0
  EXPECT "server: protected ch=6 label=42 count=3\n\\[client\\] client: reply label=43 count=1 mr0=6"
         "server: notified 6\n\\[client\\] client: notified the server")

# A PPC without pp on that channel end is refused in the caller (rights test
# covers it); the callee never runs.
host_test(ppc_needs_pp rights.system 0
  EXPECT "refused ppcall returned label=0" REJECT "peer: protected")

# A parent's fault reply sets the registers of a user exception as seL4's
# does (FaultIP here): the child goes on after its ud2 instead of retrying it.
host_test(fault_reply_sets_pc fault_reply.system 0
  EXPECT "trapper: executing ud2"
         "skipper: fault child=1 label=3 number=6"
         "trapper: resumed after ud2 at the pc the parent chose"
  REJECT "skipper: fault child=1 label=3 number=6[^$]*skipper: fault")

# Coalescing: 3 + 2 notifications arrive as one notified() per channel,
# lowest channel first; a higher-priority receiver preempts the sender.
host_test(coalescing notify.system 0
  EXPECT "sender: notified receiver 5 times\n\\[urgent\\] urgent: notified 0\n\\[sender\\] sender: done"
         "receiver: notified 3\n\\[receiver\\] receiver: notified 4\nmicrokit-host: PASS"
  REJECT "notified 3\n[^\n]*notified 3")

# Restart keeps memory: the boot counter (a global) and the shared MR survive.
host_test(restart restart.system 0
  EXPECT "boot 1 \\(shared counter 1\\)" "fault child=7 label=6 addr=0x10"
         "boot 2 \\(shared counter 2\\)" "boot 3 \\(shared counter 3\\)" "up after 3 boots")

# A fault without a parent is reported with a symbolised backtrace; the
# others keep running; the run fails.
host_test(orphan_fault orphan.system 1
  EXPECT "fault in PD 'crasher': VM fault \\(signal 11\\) address=0x10"
         "#0 crash_here at [^\n]*child.c"
         "client: reply label=43 count=1 mr0=6"
         "FAIL quiescent at t=0 ns \\(1 unhandled fault\\)")

# crash_dump on the host: a fault without a parent also writes a native
# core file of the stopped PD process (gdb's gcore; docs/debugging.md).
if(MICROKIT_HOST_PD_SANITIZE)
  # An ASan-built PD maps tens of GiB (shadow, allocator): no core, saying why.
  host_test(crash_dump_core crash_dump.system 1
    EXPECT "fault in PD 'crasher': VM fault \\(signal 11\\) address=0x10"
           "PD 'crasher': no core file: the process maps [0-9]+ GiB \\(a sanitizer build\\?\\)"
    REJECT "core file crasher.core written")
else()
  host_test(crash_dump_core crash_dump.system 1
    EXPECT "fault in PD 'crasher': VM fault \\(signal 11\\) address=0x10"
           "PD 'crasher': core file crasher.core written"
    REJECT "no core file")
endif()

# Determinism: three runs of a ring with many interleavings print the same.
host_test(determinism mesh.system 0 RUNS 3 EXPECT "m4: init" "PASS quiescent")

# Timer IRQs: periodic, acked each time (once deferred), virtual time.
host_test(timer_irq timer.system 0
  EXPECT "tick 1 on 4 now=1000000 count=1" "tick 2 on 4 now=2000000 count=2"
         "tick 3 on 4 now=3000000 count=3" "PASS quiescent at t=3000000 ns")

# Without irq_ack no second IRQ is delivered; the system then goes quiet.
host_test(irq_needs_ack timer_lazy.system 0
  EXPECT "tick 1 on 4 now=1000000 count=1\nmicrokit-host: PASS quiescent at t=2000000 ns"
  REJECT "tick 2")

# A passive server runs init(), then only when called or notified.
host_test(passive_server passive.system 0
  EXPECT "server: init\n\\[client_b\\] client_b: init\n\\[server\\] server: protected ch=3"
         "client_a: init\n\\[server\\] server: protected ch=2")

# Every setvar form and prefill.
host_test(setvar setvar.system 0
  EXPECT "buf vaddr=0x4000000 size=0x2000 paddr_nonzero=1"
         "data vaddr=0x5000000 size=0x1000 prefill=13 text=hello"
         "ids ch=3 irq=7 child=12 small=4 dev=0xfe000000")

# A program not linked against the host libmicrokit is refused by name.
host_test(wrong_platform wrong_platform.system 2
  EXPECT "PD 'impostor': program '[^']*plain' is not linked against the host libmicrokit"
         "FAIL the system could not be set up")

# A PD that never returns from init() is named by the watchdog (status 3).
host_test(watchdog watchdog.system 3 FLAGS "--watchdog 1"
  EXPECT "FAIL watchdog: PD 'spinner' did not return from init\\(\\) within 1 s")

# Virtual-time limit: a periodic timer that never stops ends at --until.
host_test(time_limit timer_lazy.system 0 FLAGS "--until 500000"
  EXPECT "PASS time limit 500000 ns reached" REJECT "tick 1")

# The same limits as options of `microkit run` (not $MICROKIT_HOST_FLAGS).
host_test(time_limit_option timer_lazy.system 0 ARGS "--until 500000"
  EXPECT "PASS time limit 500000 ns reached" REJECT "tick 1")
host_test(watchdog_option watchdog.system 3 ARGS "--watchdog 1"
  EXPECT "FAIL watchdog: PD 'spinner' did not return from init\\(\\) within 1 s")

# pd_stop/pd_resume: no delivery while stopped; delivery at resume.
host_test(stop_resume stop_resume.system 0
  EXPECT "kid: init" "stopper: notified the stopped child\n\\[kid\\] kid: notified 6\n\\[stopper\\] stopper: resumed the child")

# The serial device: TX lines, and RX input (--serial-input) with its IRQ.
host_test(serial serial.system 0
  FLAGS "--serial-input ${CMAKE_CURRENT_SOURCE_DIR}/systems/serial-input.txt"
  EXPECT "\\[serial\\] hello serial\n" "\\[console\\] got 15 bytes on channel 3\n"
         "\\[serial\\] ECHO ME\n\\[serial\\] AND ME\nmicrokit-host: PASS quiescent")

# --serial-input as an option of `microkit run`: relative to its folder.
host_test(serial_option serial.system 0 ARGS "--serial-input serial-input.txt"
  EXPECT "\\[console\\] got 15 bytes on channel 3\n" "\\[serial\\] ECHO ME\n")

# A bad option value stops `microkit run` before the launcher starts
# (tool/driver/options_test.cc holds the message).
host_test(bad_option_value timer_lazy.system 1 ARGS "--until 5ms" REJECT "microkit-host")

# microkit_host_exit(7): status 7, FAIL line naming the PD; nothing runs after.
host_test(host_exit exit.system 7
  EXPECT "ending the run\nmicrokit-host: FAIL microkit_host_exit\\(7\\) by 'exiter'"
  REJECT "after: init")

# Misuse: exit() from a PD is reported; message register 64 is a cap fault.
host_test(misuse misuse.system 1
  EXPECT "PD 'quitter' exited with status 0" "parent: fault child=1 label=1 id=64"
         "after: init" "FAIL quiescent at t=0 ns \\(1 unhandled fault\\)"
  REJECT "set message register 64")

# C++ PD programs: the protected entry point is microkit_protected.
host_test(cxx_server ppc_cxx.system 0
  EXPECT "server: C\\+\\+ init" "server: C\\+\\+ server got label 42 on 6\n\\[client\\] client: reply label=7 count=1 mr0=60")

# Free-running mode: PDs run at once and call/notify each other directly.
# The order of lines between PDs is not fixed; only the results are.
host_test(free_running_ppc ppc.system 0 FLAGS "--free-running"
  EXPECT "client: reply label=43 count=1 mr0=6" "PASS quiescent \\(free-running\\)")
host_test(free_running_ppc_option ppc.system 0 ARGS "--free-running"
  EXPECT "client: reply label=43 count=1 mr0=6" "PASS quiescent \\(free-running\\)")
host_test(free_running_mesh mesh.system 0 FLAGS "--free-running"
  EXPECT "m0: event 1" "PASS quiescent \\(free-running\\)")

# PD threads carry their PD's name (as on debug seL4 kernels), cut to the
# 15 bytes Linux keeps.
host_test(thread_names names.system 0
  EXPECT "named_short: my thread is called 'named_short'"
         "named_longer_than_fifteen: my thread is called 'named_longer_th'")

# The sandbox (docs/host-platform.md, "Containment"): each way out of a PD
# process faults before it has an effect, as an unknown syscall (label 2)
# with the Linux system call number: openat 257, clone 56 (fork), socket 41,
# mprotect 10, mmap 9 (executable), kill 62, openat of another PD's
# /proc/PID/mem. The file was not created (ABSENT), the launcher was not
# killed (PASS), the read-only MR is unchanged; a parent can answer a
# forbidden call as on seL4 (RAX, FaultIP) and the child goes on.
host_test(sandbox_escapes escape.system 0
  EXPECT "warden: child 1 faulted: label=2 syscall=257"
         "warden: child 2 faulted: label=2 syscall=56"
         "warden: child 3 faulted: label=2 syscall=41"
         "warden: child 4 faulted: label=2 syscall=10"
         "warden: child 5 faulted: label=2 syscall=9"
         "warden: child 6 faulted: label=2 syscall=62"
         "warden: child 7 faulted: label=2 syscall=257"
         "warden: child 8 faulted: label=2 syscall=257\n\\[try_emulated\\] emulated: open returned -1"
         "writer: the shared MR still reads 0"
         "PASS quiescent"
  REJECT "escaped" "warden: child 8 faulted[^\n]*\n[^\n]*warden: child 8"
  ABSENT escape-was-here.txt)

# A forbidden call in a PD without a parent is reported with the PD's name,
# the call and a backtrace into the PD's code.
host_test(sandbox_orphan escape_orphan.system 1
  EXPECT "fault in PD 'lone_open': forbidden system call openat \\(257\\)"
         "open_a_file at [^\n]*escape.c"
         "bystander: init"
         "FAIL quiescent at t=0 ns \\(1 unhandled fault\\)"
  REJECT "escaped"
  ABSENT escape-was-here.txt)

# Budgets and periods on virtual time (docs/host-platform.md, "Time"): an
# equal-priority spinner is preempted when its budget (1 ms by default) is
# used up and the other PD runs at t = 1 ms; a PD with a small budget is
# throttled (a lower priority runs at t = its budget) and still finishes.
host_test(budget_round_robin budget_round_robin.system 0
  EXPECT "polite: ran at t=1000000" "PASS microkit_host_exit\\(0\\) by 'polite'")
host_test(budget_throttle budget_throttle.system 0
  EXPECT "low: ran at t=200000" "worker: done \\(sum 105000000\\) at t=[1-9][0-9]*0000000\n"
         "PASS microkit_host_exit\\(0\\) by 'worker'")

# Direct hand-offs (docs/host-platform.md): a client calls and notifies a
# higher-priority server directly; in the middle of some of those entries
# the server prints, notifies a higher priority, queues a notify to a
# priority between the two, calls a deeper server, takes a fault its parent
# answers, or defers a notify. With and without direct hand-offs
# (--no-direct) the runs print the same, and the events come in the
# launcher's order.
host_same_test(direct_same direct.system
  EXPECT "server: call 2 prints\n\\[urgent\\] urgent: notified 2\n\\[middle\\] middle: notified 3\n\\[deep\\] deep: protected ch=4 label=7 mr0=4\n\\[boss\\] boss: fault child=1 label=1\n\\[urgent\\] urgent: notified 2\n\\[client\\] client: after 10 calls sum=11145"
         "server: pong 53 prints" "client: 60 notify round trips\nmicrokit-host: PASS quiescent at t=0 ns")
# The same for the systems of the other rule tests that call or notify a
# higher priority.
foreach(system ppc notify mesh restart passive fault_reply stop_resume rights timer)
  host_same_test(direct_same_${system} ${system}.system)
endforeach()
# A server entered directly that never returns is still named by the
# watchdog, whether it is preempted at the end of each budget meanwhile
# (the preemption books the direct entry) or its budget outlasts the
# watchdog (the launcher sees only the client's hand-off).
host_test(direct_watchdog direct_spin.system 3 FLAGS "--watchdog 1"
  EXPECT "FAIL watchdog: PD 'server' did not return from protected\\(\\) within 1 s")
host_test(direct_watchdog_unpreempted direct_spin_long.system 3 FLAGS "--watchdog 1"
  EXPECT "FAIL watchdog: PD 'server' did not return from protected\\(\\) within 1 s")
# A hostile PD maps its link page to the server before the runtime's
# start-up and enters the server through it while it is not running, once
# as a notification its end may not send and once as a call: the server
# ignores both (it accepts only entries the launcher offers), and still
# takes a legitimate notification afterwards.
host_test(direct_out_of_turn rogue.system 0
  EXPECT "sleeper: the rogue poked the server 2 times\n\\[server\\] server: notified 2\n\\[sleeper\\] sleeper: done"
  REJECT "server: protected" "server: notified 1" "made a request while")
