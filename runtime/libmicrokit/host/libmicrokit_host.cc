// The host port of libmicrokit: a PD program's C runtime on Linux.
//
// It owns main(): the PD program only provides the Microkit entry points.
// Start-up (start_up, then main): map the control page the launcher shares
// with this process, map the PD's memory regions at the SDF's vaddrs with
// the SDF's rights, install the fault handler, enter the sandbox; then write
// the setvar values, tell the launcher we are ready, and run the event loop
// on a stack of the SDF's stack_size. Every libmicrokit call is a request
// to the launcher over the control page (see host_abi.h); the launcher
// plays the seL4 kernel.
//
// Before any code of the PD program runs (its C++ static constructors
// included), a constructor of the runtime does the start-up that needs
// system calls and then confines the process (sandbox.h): from then on a
// system call outside the allow-list raises SIGSYS, a fault like any other.
//
// A fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS) is caught on an
// alternate stack, reported to the launcher with the pc, address and a
// backtrace, and the PD parks in the handler until the launcher says to
// resume (retry the instruction) or restart (jump to an entry on a fresh
// stack, memory preserved).
#include <elf.h>
#include <errno.h>
#include <execinfo.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unwind.h>
#include <unistd.h>

#include "host_abi.h"
#include "microkit.h"
#include "trace_ring.h"
#include "profile_format.h"
#include "sandbox.h"

using namespace microkit::host_abi;

// Built with AddressSanitizer? (GCC defines the first, Clang has the second.)
#if defined(__SANITIZE_ADDRESS__)
#define MICROKIT_HOST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MICROKIT_HOST_ASAN 1
#endif
#endif

#if defined(MICROKIT_HOST_ASAN)
// ASan builds: while ASan writes its report, a call the sandbox forbids (it
// may look for /proc/self/maps or a symbolizer) fails with EPERM instead of
// faulting, so the report comes out whole; the PD is then reported as
// exited, as before. Nothing else is relaxed. (__asan_on_error is ASan's
// hook, called as a report begins.)
volatile sig_atomic_t in_sanitizer_report;
extern "C" void __asan_on_error() { in_sanitizer_report = 1; }
// LeakSanitizer's check at exit stops the world with a tracer thread and
// ptrace, which the sandbox forbids; a PD never exits normally anyway.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }

// ASan must be told when we move to another stack for good (the Microkit
// stack at start-up and at every restart): start before, finish after.
extern "C" void __sanitizer_start_switch_fiber(void**, const void*, size_t);
extern "C" void __sanitizer_finish_switch_fiber(void*, const void**, size_t*);
extern "C" void __asan_unpoison_memory_region(const volatile void*, size_t);
extern "C" void* __asan_region_is_poisoned(void*, size_t);
#endif

// The marker the launcher looks for to tell a host PD program from anything
// else (a program built for seL4, or a plain Linux program).
extern "C" {
__attribute__((used, section(".microkit_host"))) const char microkit_host_marker[] =
    "microkit-host-abi-1";
char microkit_name[MICROKIT_PD_NAME_LENGTH];
volatile int microkit_host_gdb_wait = 1;

#if defined(MICROKIT_TRACE)
// The event timeline's ring (trace_ring.h), patched at start-up like setvar.
uint64_t microkit_trace_buffer;
uint64_t microkit_trace_size;
#endif
// The launcher writes every PD's ring to the trace file at the end of the
// run, so there is nothing to print here.
void microkit_trace_dump(void) {}

// The optional entry points have weak defaults so programs need not define them.
__attribute__((weak)) microkit_msginfo microkit_protected(microkit_channel ch,
                                                          microkit_msginfo) {
  fprintf(stderr, "%s: protected() called on channel %u but the program has none\n",
          microkit_name, ch);
  return microkit_msginfo_new(0, 0);
}
__attribute__((weak)) seL4_Bool fault(microkit_child child, microkit_msginfo,
                                      microkit_msginfo*) {
  fprintf(stderr, "%s: fault() called for child %u but the program has none\n", microkit_name,
          child);
  return seL4_False;
}
}

#if defined(MICROKIT_TRACE)
namespace microkit::trace {
uint64_t now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
uint64_t ticks_per_second() { return 1000000000ull; }
}  // namespace microkit::trace
#endif

namespace {

ControlPage* cp;

// PD programs are position-independent executables: the tool knows link-time
// addresses (from the ELF symtab); this is what the loader added to them
// (a fixed address with ASLR off, as the launcher runs PDs:
// docs/host-platform.md, "Address space").
extern "C" const char __ehdr_start[];
uint64_t load_bias() { return (uint64_t)__ehdr_start; }
uint32_t seen_to_pd;
uint32_t deferred_kind = kDeferNone;
uint64_t deferred_ch;
char* stack_top;  // the Microkit stack (the SDF's stack_size), reused by restarts

[[noreturn]] void die(const char* step) {
  fprintf(stderr, "microkit-host runtime: %s failed\n", step);
  _exit(125);
}

long futex(uint32_t* addr, int op, uint32_t val) {
  return syscall(SYS_futex, addr, op, val, nullptr, nullptr, 0);
}

// Hands the page to the launcher and waits until it hands it back.
// Async-signal-safe: only atomics and system calls.
volatile sig_atomic_t in_kernel;  // inside handover: a preemption is moot
bool direct_entry;  // this entry began by a direct hand-off, and the launcher has not seen it

void hand_to_launcher(uint32_t req) {
  in_kernel = 1;
  direct_entry = false;
  cp->req = req;
  hand_over(&cp->to_launcher);
}

// True once the launcher has handed the page back (its event is in it).
bool launcher_answered() {
  uint32_t now = __atomic_load_n(&cp->to_pd, __ATOMIC_ACQUIRE);
  if (now == seen_to_pd) return false;
  seen_to_pd = now;
  in_kernel = 0;
  return true;
}

void handover(uint32_t req) {
  hand_to_launcher(req);
  while (!launcher_answered()) sleep_while(&cp->to_pd, seen_to_pd, nullptr);
}

void restart_at(uint64_t entry);

// A kernel entry from ordinary code: flush output first so that the launcher
// sees everything this PD printed before the event it causes.
void kernel_call(uint32_t req) {
  fflush(stdout);
  fflush(stderr);
  handover(req);
  if (cp->ev == kEvRestart) restart_at(cp->ev_arg0);
}

[[noreturn]] void illegal(uint64_t what, uint64_t arg, void* pc) {
  cp->arg0 = what;
  cp->arg1 = arg;
  cp->fault_pc = (uint64_t)pc;
  kernel_call(kReqIllegal);
  // Resumed after an illegal call: seL4 would retry the call and fault again.
  for (;;) kernel_call(kReqIllegal);
}

// notified() for each set bit, lowest channel first; in the trace build
// bracketed by events (an <irq> channel's as irq delivery).
void deliver_notifications(uint64_t bits) {
  for (unsigned ch = 0; ch < 64; ++ch) {
    if (bits & (1ull << ch)) microkit::trace::notified_traced(ch, (cp->irq_mask >> ch) & 1u);
  }
}

microkit_msginfo traced_protected(microkit_channel ch, microkit_msginfo in) {
  MICROKIT_TRACE_EVENT(ProtectedBegin, ch, microkit_msginfo_get_label(in));
  microkit_msginfo out = microkit_protected(ch, in);
  MICROKIT_TRACE_EVENT(ProtectedEnd, ch, microkit_msginfo_get_label(out));
  return out;
}

#if defined(MICROKIT_TRACE)
uint64_t lives;  // which life this is (1 at start-up); restarts keep memory
#endif

void traced_init() {
#if defined(MICROKIT_TRACE)
  microkit::trace::ring_start();
  MICROKIT_TRACE_EVENT(InitBegin, 0, ++lives);
  init();
  MICROKIT_TRACE_EVENT(InitEnd, 0, lives);
#else
  init();
#endif
}

// ---- Free-running mode (see host_abi.h) ------------------------------------
// PDs notify and call each other directly through Endpoint pages; nothing
// here is deterministic, and priorities are left to the Linux scheduler.

Endpoint* own_ep;
Endpoint* peer_ep[64];

void* map_page(int fd);
Endpoint* map_endpoint(int fd) { return (Endpoint*)map_page(fd); }

void free_setup() {
  own_ep = map_endpoint(cp->own_ep_fd);
  for (unsigned ch = 0; ch < 64; ++ch)
    if (cp->channels[ch].used && cp->channels[ch].ep_fd >= 0)
      peer_ep[ch] = map_endpoint(cp->channels[ch].ep_fd);
}

void bump(uint32_t* word) {
  __atomic_fetch_add(word, 1, __ATOMIC_SEQ_CST);
  futex(word, FUTEX_WAKE, 1);
}

bool free_notify(uint64_t ch) {
  if (ch >= 64 || !peer_ep[ch] || !(cp->channels[ch].flags & kChNotify)) return false;
  __atomic_fetch_or(&peer_ep[ch]->pending, 1ull << cp->channels[ch].peer_id, __ATOMIC_SEQ_CST);
  bump(&peer_ep[ch]->wake);
  return true;
}

void lock(uint32_t* l) {
  while (__atomic_exchange_n(l, 1u, __ATOMIC_ACQUIRE) != 0) futex(l, FUTEX_WAIT, 1);
}

void unlock(uint32_t* l) {
  __atomic_store_n(l, 0u, __ATOMIC_RELEASE);
  futex(l, FUTEX_WAKE, 1);
}

uint64_t count_of(uint64_t info) {
  uint64_t n = info & 0x7f;
  return n > kMaxMrs ? kMaxMrs : n;
}

// The whole PPC holds the callee's call_lock, so calls to one PD queue there.
bool free_ppcall(uint64_t ch, uint64_t info, uint64_t* reply) {
  if (ch >= 64 || !peer_ep[ch] || !(cp->channels[ch].flags & kChPpcall)) return false;
  Endpoint* ep = peer_ep[ch];
  lock(&ep->call_lock);
  memcpy(ep->call_mrs, cp->mrs, count_of(info) * 8);
  ep->call_msginfo = info;
  ep->call_badge = cp->channels[ch].peer_id;
  __atomic_store_n(&ep->call_state, 1u, __ATOMIC_RELEASE);
  bump(&ep->wake);
  uint32_t st;
  while ((st = __atomic_load_n(&ep->call_state, __ATOMIC_ACQUIRE)) != 2)
    futex(&ep->call_state, FUTEX_WAIT, st);
  *reply = ep->call_msginfo;
  memcpy(cp->mrs, ep->call_mrs, count_of(*reply) * 8);
  __atomic_store_n(&ep->call_state, 0u, __ATOMIC_RELEASE);
  unlock(&ep->call_lock);
  return true;
}

void free_deferred() {
  if (deferred_kind == kDeferNotify) free_notify(deferred_ch);
  deferred_kind = kDeferNone;  // IRQs do not exist in free-running mode
}

void free_serve_call() {
  memcpy(cp->mrs, own_ep->call_mrs, count_of(own_ep->call_msginfo) * 8);
  microkit_msginfo out = traced_protected((microkit_channel)own_ep->call_badge,
                                          microkit_msginfo{{own_ep->call_msginfo}});
  free_deferred();  // as on seL4: the deferred operation, then the reply
  memcpy(own_ep->call_mrs, cp->mrs, count_of(out.words[0]) * 8);
  own_ep->call_msginfo = out.words[0];
  __atomic_store_n(&own_ep->call_state, 2u, __ATOMIC_RELEASE);
  futex(&own_ep->call_state, FUTEX_WAKE, 1);
}

// Notifications first (as seL4's bound notification), then a waiting call.
[[noreturn]] void free_event_loop() {
  for (;;) {
    free_deferred();
    uint32_t seq = __atomic_load_n(&own_ep->wake, __ATOMIC_ACQUIRE);
    uint64_t bits = __atomic_exchange_n(&own_ep->pending, 0ull, __ATOMIC_ACQ_REL);
    if (bits) {
      deliver_notifications(bits);
      continue;
    }
    if (__atomic_load_n(&own_ep->call_state, __ATOMIC_ACQUIRE) == 1) {
      free_serve_call();
      continue;
    }
    fflush(stdout);
    __atomic_store_n(&own_ep->idle, 1u, __ATOMIC_SEQ_CST);
    futex(&own_ep->wake, FUTEX_WAIT, seq);
    __atomic_store_n(&own_ep->idle, 0u, __ATOMIC_SEQ_CST);
  }
}

void handle_event();

// ---- Direct hand-offs (deterministic mode; host_abi.h, Link) ---------------
// The low end of a channel's Link enters the high end directly when the
// launcher offered it; the high end hands the CPU back when its entry point
// returns with nothing the launcher must see. Either way the order of
// events is the launcher's: it books an entry it did not see as soon as the
// entered PD makes a request of its own.

Link* link_of[64];             // this PD's Link pages, by channel
uint32_t high_seen[64];        // the to_high values this PD (the high end) has served
futex_waitv idle_words[65];    // what an idle PD sleeps on: to_pd, then its high ends' to_high
uint8_t idle_word_ch[65];
unsigned idle_word_count = 1;

void* map_page(int fd) {
  void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) die("mapping a link or endpoint page");
  close(fd);
  return p;
}

void link_setup() {
  for (unsigned ch = 0; ch < 64; ++ch) {
    const ChannelEntry& c = cp->channels[ch];
    if (!c.used || c.link_role == kLinkNone || c.ep_fd < 0) continue;
    link_of[ch] = (Link*)map_page(c.ep_fd);
    if (c.link_role != kLinkHigh) continue;
    high_seen[ch] = __atomic_load_n(&link_of[ch]->to_high, __ATOMIC_ACQUIRE);
    idle_word_ch[idle_word_count++] = (uint8_t)ch;
  }
}

// Everything this PD printed has reached the launcher (its pipe is empty),
// so a hand-off cannot reorder output lines.
bool output_delivered() {
  fflush(stdout);
  fflush(stderr);
  int unread = 0;
  return ioctl(1, FIONREAD, &unread) == 0 && unread == 0;
}

bool direct_offered(uint64_t mask, microkit_channel ch) {
  return ch < 64 && ((mask >> ch) & 1u) && link_of[ch] && cp->queued_notify_count == 0 &&
         output_delivered();
}

// Enters the high end of channel ch's link with the message already in the
// link. True when it handed the CPU back directly (its answer is in the
// link); false when the launcher took over (the answer came as an event).
bool enter_directly(microkit_channel ch, uint32_t kind) {
  Link* l = link_of[ch];
  l->kind = kind;
  cp->direct_ch = ch;
  cp->direct_kind = kind;
  in_kernel = 1;
  __atomic_store_n(&cp->direct_active, 1u, __ATOMIC_RELEASE);
  uint32_t back = __atomic_load_n(&l->to_low, __ATOMIC_ACQUIRE);
  hand_over(&l->to_high);
  for (;;) {
    if (__atomic_load_n(&l->to_low, __ATOMIC_ACQUIRE) != back) {
      __atomic_store_n(&cp->direct_active, 0u, __ATOMIC_RELEASE);
      __atomic_store_n(&cp->runs, cp->runs + 1, __ATOMIC_RELEASE);
      in_kernel = 0;
      return true;
    }
    if (launcher_answered()) {
      if (cp->ev == kEvRestart) restart_at(cp->ev_arg0);
      return false;
    }
    futex_waitv w[2] = {waiter(&l->to_low, back), waiter(&cp->to_pd, seen_to_pd)};
    sleep_while_any(w, 2, nullptr);
  }
}

// The notifies this entry queued all go back to the low end of `ch`.
bool queued_only_to(microkit_channel ch) {
  for (uint32_t i = 0; i < cp->queued_notify_count && i < kMaxQueuedNotifies; ++i)
    if (cp->queued_notify[i] != ch) return false;
  return true;
}

// The high end: runs the entry the low end of `ch` asked for, then hands
// the CPU back directly if the launcher need not see this return (true),
// else leaves the return (reply and deferred operation) for the launcher.
// An entry the launcher did not offer (enter_*_mask) is ignored (true).
bool serve_directly(microkit_channel ch) {
  Link* l = link_of[ch];
  high_seen[ch] = __atomic_load_n(&l->to_high, __ATOMIC_ACQUIRE);
  bool call = l->kind == kDirectCall;
  uint64_t allowed = call ? cp->enter_call_mask : l->kind == kDirectNotify ? cp->enter_notify_mask : 0;
  if (!((allowed >> ch) & 1u)) return true;  // not offered: a peer out of turn, ignored
  __atomic_store_n(&cp->runs, cp->runs + 1, __ATOMIC_RELEASE);
  direct_entry = true;
  in_kernel = 0;
  cp->reply_valid = 0;
  if (call) {
    uint64_t info = l->msginfo;
    memcpy(cp->mrs, l->mrs, count_of(info) * 8);
    cp->reply_msginfo = traced_protected(ch, microkit_msginfo{{info}}).words[0];
    cp->reply_valid = 1;
  } else {
    deliver_notifications(1ull << ch);
  }
  if (!direct_entry || deferred_kind != kDeferNone || !queued_only_to(ch) || !output_delivered())
    return false;
  in_kernel = 1;
  direct_entry = false;
  l->back = cp->queued_notify_count ? 1 : 0;
  cp->queued_notify_count = 0;
  if (call) {
    l->msginfo = cp->reply_msginfo;
    memcpy(l->mrs, cp->mrs, count_of(cp->reply_msginfo) * 8);
  }
  hand_over(&l->to_low);
  return true;
}

// The channel a low end entered this PD on, if one did.
int direct_entry_waiting() {
  for (unsigned i = 1; i < idle_word_count; ++i) {
    unsigned ch = idle_word_ch[i];
    if (__atomic_load_n(&link_of[ch]->to_high, __ATOMIC_ACQUIRE) != high_seen[ch]) return (int)ch;
  }
  return -1;
}

// The notifications the launcher lets this PD take without a hand-over at
// this return (host_abi.h, `fast_pending`), or 0. Nothing this entry did
// may change the launcher's decision: no deferred operation, no queued
// notify. A preemption inside the take is moot (in_kernel), as in handover.
uint64_t take_fast_notifications() {
  if (deferred_kind != kDeferNone || cp->queued_notify_count != 0) return 0;
  in_kernel = 1;
  uint64_t bits = cp->fast_pending;
  cp->fast_pending = 0;
  if (bits) cp->fast_taken = 1;
  if (cp->may_take_own) {  // and those peers handed back directly
    bits |= cp->direct_pending;
    cp->direct_pending = 0;
  }
  in_kernel = 0;
  return bits;
}

// An entry point returned: take what may be taken without the launcher,
// then return to it (with any deferred operation and any reply) and wait
// for its next event, serving direct entries meanwhile.
void return_and_wait() {
  for (;;) {
    while (uint64_t bits = take_fast_notifications()) deliver_notifications(bits);
    cp->arg0 = deferred_kind;
    cp->arg1 = deferred_ch;
    deferred_kind = kDeferNone;
    fflush(stdout);
    fflush(stderr);
    hand_to_launcher(kReqRecv);
    for (;;) {
      if (launcher_answered()) {
        if (cp->ev == kEvRestart) restart_at(cp->ev_arg0);
        return;
      }
      int ch = direct_entry_waiting();
      if (ch >= 0 && !serve_directly((microkit_channel)ch)) break;  // the launcher must see it
      if (ch >= 0) continue;
      if (idle_word_count == 1) {  // no link enters this PD: the launcher's word alone
        sleep_while(&cp->to_pd, seen_to_pd, nullptr);
        continue;
      }
      idle_words[0] = waiter(&cp->to_pd, seen_to_pd);
      for (unsigned i = 1; i < idle_word_count; ++i)
        idle_words[i] = waiter(&link_of[idle_word_ch[i]]->to_high, high_seen[idle_word_ch[i]]);
      sleep_while_any(idle_words, idle_word_count, nullptr);
    }
  }
}

// The event loop: handle the event in hand, return, get the next event.
[[noreturn]] void event_loop() {
  for (;;) {
    cp->reply_valid = 0;
    handle_event();
    return_and_wait();
  }
}

void handle_event() {
  switch (cp->ev) {
    case kEvInit:
      traced_init();
      return;
    case kEvNotified:
      deliver_notifications(cp->ev_arg0);
      return;
    case kEvProtected: {
      microkit_msginfo in{{cp->msginfo}};
      microkit_msginfo out = traced_protected((microkit_channel)cp->ev_arg0, in);
      cp->reply_msginfo = out.words[0];
      cp->reply_valid = 1;
      return;
    }
    case kEvFault: {
      microkit_msginfo in{{cp->msginfo}};
      microkit_msginfo reply = microkit_msginfo_new(0, 0);
      MICROKIT_TRACE_EVENT(FaultBegin, cp->ev_arg0, microkit_msginfo_get_label(in));
      seL4_Bool ok = fault((microkit_child)cp->ev_arg0, in, &reply);
      MICROKIT_TRACE_EVENT(FaultEnd, cp->ev_arg0, ok ? 1 : 0);
      cp->reply_msginfo = reply.words[0];
      cp->reply_valid = ok ? 1 : 0;
      return;
    }
    default:
      return;
  }
}

// Where a restarted PD begins, on a fresh Microkit stack.
void arrived_on_new_stack() {
#if defined(MICROKIT_HOST_ASAN)
  __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
#endif
}

void leaving_for_microkit_stack() {
#if defined(MICROKIT_HOST_ASAN)
  size_t size = cp->stack_size ? cp->stack_size : 0x2000;
  // Frames abandoned on it (by a restart) leave poisoned redzones behind.
  __asan_unpoison_memory_region(stack_top - size, size);
  __sanitizer_start_switch_fiber(nullptr, stack_top - size, size);
#endif
}

extern "C" [[noreturn]] void microkit_host_restart_entry(uint64_t entry) {
  arrived_on_new_stack();
  deferred_kind = kDeferNone;
  // Addresses below the load address are link-time (ELF) addresses.
  if (entry != 0 && entry < load_bias()) entry += load_bias();
  if (entry != 0 && entry != getauxval(AT_ENTRY)) ((void (*)(void))entry)();
  cp->ev = kEvInit;  // the program's own start: init(), then events
  event_loop();
}


// Sets rsp to `top` and calls fn(arg); fn never returns. Its unwind
// information marks the return address undefined, so backtraces (glibc's,
// gdb's) end cleanly at the bottom of the Microkit stack instead of reading
// past its top.
extern "C" [[noreturn]] void microkit_host_run_on_stack(char* top, void (*fn)(uint64_t),
                                                        uint64_t arg);
__asm__(
    ".text\n"
    ".globl microkit_host_run_on_stack\n"
    ".type microkit_host_run_on_stack, @function\n"
    "microkit_host_run_on_stack:\n"
    "  .cfi_startproc\n"
    "  .cfi_undefined rip\n"
    "  mov %rdi, %rsp\n"
    "  xor %ebp, %ebp\n"
    "  mov %rdx, %rdi\n"
    "  call *%rsi\n"
    "  ud2\n"
    "  .cfi_endproc\n"
    ".size microkit_host_run_on_stack, .-microkit_host_run_on_stack\n");

[[noreturn]] void switch_stack(char* top, void (*fn)(uint64_t), uint64_t arg) {
  leaving_for_microkit_stack();
  microkit_host_run_on_stack(top, fn, arg);
}

void restart_at(uint64_t entry) {
  switch_stack(stack_top, (void (*)(uint64_t))microkit_host_restart_entry, entry);
}

#if defined(MICROKIT_HOST_ASAN)
_Unwind_Reason_Code record_frame(struct _Unwind_Context* ctx, void*) {
  if (cp->backtrace_count >= kMaxBacktrace) return _URC_END_OF_STACK;
  cp->backtrace[cp->backtrace_count++] = (uint64_t)_Unwind_GetIP(ctx);
  return _URC_NO_REASON;
}

// Under ASan, glibc's backtrace() is not safe in a fault handler; PD code is
// built with frame pointers, so walk them (only inside the Microkit stack).
// A forbidden system call stops inside the C library, which has no frame
// pointers but has unwind tables, and at a point where no lock the unwinder
// needs is held: that one is unwound by the tables.
void record_backtrace(int sig, const ucontext_t* uc) {
  if (sig == SIGSYS) {
    cp->backtrace_count = 0;
    _Unwind_Backtrace(record_frame, nullptr);
    return;
  }
  const greg_t* g = uc->uc_mcontext.gregs;
  uint64_t n = 0;
  cp->backtrace[n++] = (uint64_t)g[REG_RIP];
  auto* fp = (uint64_t*)g[REG_RBP];
  char* low = stack_top - (cp->stack_size ? cp->stack_size : 0x2000);
  while (n < kMaxBacktrace && (char*)fp >= low && (char*)(fp + 2) <= stack_top) {
    cp->backtrace[n++] = fp[1];
    if ((uint64_t*)fp[0] <= fp) break;
    fp = (uint64_t*)fp[0];
  }
  cp->backtrace_count = n;
}
#else
void record_backtrace(int, const ucontext_t*) {
  void* frames[kMaxBacktrace];
  int n = backtrace(frames, (int)kMaxBacktrace);
  cp->backtrace_count = n > 0 ? (uint64_t)n : 0;
  for (int i = 0; i < n; ++i) cp->backtrace[i] = (uint64_t)frames[i];
}
#endif

// The general registers in seL4 x86-64's fault message order (FaultRegister).
constexpr int kGregOfSlot[15] = {REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI,
                                 REG_RDI, REG_RBP, REG_R8,  REG_R9,  REG_R10,
                                 REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

// A forbidden system call (SIGSYS from the sandbox's filter) stops at the
// syscall instruction, as seL4 reports an unknown syscall (FaultIP is the
// instruction, so resuming unchanged makes the call again).
constexpr greg_t kSyscallInsnSize = 2;

void record_fault(int sig, siginfo_t* si, ucontext_t* uc) {
  greg_t* g = uc->uc_mcontext.gregs;
  bool syscall_fault = sig == SIGSYS;
  record_backtrace(sig, uc);
  if (syscall_fault) {
    for (uint64_t i = 0; i < cp->backtrace_count; ++i)
      if (cp->backtrace[i] == (uint64_t)g[REG_RIP]) cp->backtrace[i] -= kSyscallInsnSize;
    g[REG_RIP] -= kSyscallInsnSize;
  }
  cp->fault_signal = (uint64_t)sig;
  cp->fault_code = (uint64_t)si->si_code;
  cp->fault_addr = (uint64_t)si->si_addr;
  cp->fault_pc = (uint64_t)g[REG_RIP];
  cp->fault_sp = (uint64_t)g[REG_RSP];
  cp->fault_flags = (uint64_t)g[REG_EFL];
  cp->fault_err = (uint64_t)g[REG_ERR];
  cp->fault_trapno = syscall_fault ? (uint64_t)si->si_syscall : (uint64_t)g[REG_TRAPNO];
  for (int i = 0; i < 15; ++i) cp->fault_gpr[i] = (uint64_t)g[kGregOfSlot[i]];
}

// The registers a parent's fault reply set (kEvResume's mask of
// FaultRegister slots, host_abi.h), as seL4 x86-64 writes them: general
// registers, pc, sp, and of the flags only those the program may change
// (arithmetic flags and the direction flag; seL4 keeps the rest).
void apply_reply_registers(ucontext_t* uc, uint64_t mask) {
  constexpr greg_t kUserFlags = 0xcd5;  // CF PF AF ZF SF DF OF
  greg_t* g = uc->uc_mcontext.gregs;
  for (int i = 0; i < 15; ++i)
    if (mask & (1ull << i)) g[kGregOfSlot[i]] = (greg_t)cp->fault_gpr[i];
  if (mask & (1ull << kRegPc)) g[REG_RIP] = (greg_t)cp->fault_pc;
  if (mask & (1ull << kRegSp)) g[REG_RSP] = (greg_t)cp->fault_sp;
  if (mask & (1ull << kRegFlags))
    g[REG_EFL] = (g[REG_EFL] & ~kUserFlags) | ((greg_t)cp->fault_flags & kUserFlags);
}

bool refuse_during_sanitizer_report(int sig, ucontext_t* uc) {
#if defined(MICROKIT_HOST_ASAN)
  if (sig == SIGSYS && in_sanitizer_report) {
    uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
    return true;
  }
#else
  (void)sig, (void)uc;
#endif
  return false;
}

// Hands the page over with `req` from a signal handler and returns when the
// interrupted code is to go on (as it was, with registers a fault reply
// set, or at a restart entry).
void park(ucontext_t* uc, uint32_t req) {
  for (;;) {
    handover(req);
    if (cp->ev == kEvContinue) return;  // after a preemption
    if (cp->ev == kEvResume) {  // retry, or go on where the parent's reply says
      apply_reply_registers(uc, cp->ev_arg0);
      return;
    }
    if (cp->ev == kEvRestart) {
      // Return from the handler into the restart entry: sigreturn restores
      // the signal mask, so a later fault is caught again.
      leaving_for_microkit_stack();
      greg_t* g = uc->uc_mcontext.gregs;
      g[REG_RIP] = (greg_t)microkit_host_restart_entry;
      g[REG_RSP] = (greg_t)(stack_top - 8);
      g[REG_RDI] = (greg_t)cp->ev_arg0;
      g[REG_RBP] = 0;
      return;
    }
  }
}

void on_fault(int sig, siginfo_t* si, void* ctx) {
  auto* uc = (ucontext_t*)ctx;
  if (refuse_during_sanitizer_report(sig, uc)) return;
  record_fault(sig, si, uc);
  park(uc, kReqFault);
}

// The launcher's kPreemptSignal: the budget ran out during this run. Inside
// handover (the PD was entering the kernel anyway) it changes nothing; the
// launcher sends it again while the run goes on.
void on_preempt(int, siginfo_t*, void* ctx) {
  if (in_kernel) return;
  park((ucontext_t*)ctx, kReqPreempted);
}

void map_regions() {
  for (uint64_t i = 0; i < cp->map_count && i < kMaxMaps; ++i) {
    const MapEntry& m = cp->maps[i];
    void* want = (void*)m.vaddr;
    void* got = mmap(want, m.size, (int)m.prot, MAP_SHARED | MAP_FIXED_NOREPLACE, m.fd, 0);
    if (got != want) {
      fprintf(stderr,
              "microkit-host runtime: cannot map %#llx bytes at vaddr %#llx (it clashes with "
              "the program or is outside the address space)\n",
              (unsigned long long)m.size, (unsigned long long)m.vaddr);
      _exit(124);
    }
    close(m.fd);
  }
}

// The number of bytes to write for a setvar. Under ASan a global's symbol
// size includes its redzone (a uint32_t shows as 32 bytes), so the tool's
// size can be too large: take the largest that ASan says is the variable's.
uint64_t patch_size(void* at, uint64_t size) {
#if defined(MICROKIT_HOST_ASAN)
  while (size > 1 && __asan_region_is_poisoned(at, size)) size /= 2;
#else
  (void)at;
#endif
  return size;
}

void apply_patches() {
  for (uint64_t i = 0; i < cp->patch_count && i < kMaxPatches; ++i) {
    const PatchEntry& p = cp->patches[i];
    void* at = (void*)(load_bias() + p.vaddr);
    switch (patch_size(at, p.size)) {
      case 1: *(volatile uint8_t*)at = (uint8_t)p.value; break;
      case 2: *(volatile uint16_t*)at = (uint16_t)p.value; break;
      case 4: *(volatile uint32_t*)at = (uint32_t)p.value; break;
      default: *(volatile uint64_t*)at = p.value; break;
    }
  }
}

void install_fault_handlers() {
  static char altstack[64 * 1024];
  stack_t ss{};
  ss.ss_sp = altstack;
  ss.ss_size = sizeof altstack;
  if (sigaltstack(&ss, nullptr) != 0) die("sigaltstack");
#if !defined(MICROKIT_HOST_ASAN)
  void* warm[2];
  backtrace(warm, 2);  // loads the unwinder now, not inside the handler
#endif
  struct sigaction sa {};
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, kPreemptSignal);  // a preemption waits for the fault's end
  const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS};
  for (int sig : sigs) sigaction(sig, &sa, nullptr);
  struct sigaction pre {};
  pre.sa_sigaction = on_preempt;
  pre.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&pre.sa_mask);
  sigaction(kPreemptSignal, &pre, nullptr);
}

// ---- The profiler (profile_format.h) -----------------------------------------
// With <profiler frequency> in the SDF the launcher hands each PD a sample
// buffer; a SIGPROF timer on this process's CPU time records where it was.

namespace prof = microkit::profile;
prof::ProfileHeader* profile;
uint64_t profile_cpu_start_ns;  // the process's CPU time when the timer was armed

prof::Sample* profile_samples() { return reinterpret_cast<prof::Sample*>(profile + 1); }

// The interrupted pc, then return addresses from the frame records (rbp
// chain) while they stay inside the Microkit stack; async-signal-safe.
void on_profile_tick(int, siginfo_t*, void* ctx) {
  if (profile->count >= profile->capacity) {
    profile->dropped = profile->dropped + 1;
    return;
  }
  const greg_t* g = ((ucontext_t*)ctx)->uc_mcontext.gregs;
  prof::Sample& s = profile_samples()[profile->count];
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  s.time = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
  s.pcs[0] = (uint64_t)g[REG_RIP];
  uint32_t depth = 1;
  char* low = stack_top - (cp->stack_size ? cp->stack_size : 0x2000);
  auto* fp = (uint64_t*)g[REG_RBP];
  while (depth < prof::kMaxDepth && (char*)fp >= low && (char*)(fp + 2) <= stack_top && fp[1] != 0) {
    s.pcs[depth++] = fp[1];
    if ((uint64_t*)fp[0] <= fp) break;
    fp = (uint64_t*)fp[0];
  }
  s.depth = depth;
  __atomic_store_n(&profile->count, profile->count + 1, __ATOMIC_RELEASE);
  // Linux checks CPU-time timers at its tick (CONFIG_HZ, often 250), so a
  // faster rate is not met: say the rate that was, samples per CPU second.
  timespec cpu;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
  uint64_t cpu_ns = (uint64_t)cpu.tv_sec * 1000000000ull + (uint64_t)cpu.tv_nsec;
  if (cpu_ns > profile_cpu_start_ns)
    profile->hz = (profile->count * 1000000000ull + (cpu_ns - profile_cpu_start_ns) / 2) /
                  (cpu_ns - profile_cpu_start_ns);
}

void start_profiler() {
  const char* fd_text = getenv(prof::kFdEnv);
  const char* hz_text = getenv(prof::kHzEnv);
  if (!fd_text || !hz_text) return;
  int fd = atoi(fd_text);
  void* at = mmap(nullptr, prof::kBufferBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  uint64_t hz = strtoull(hz_text, nullptr, 10);
  if (at == MAP_FAILED || hz == 0) die("mapping the profiler's sample buffer");
  profile = (prof::ProfileHeader*)at;
  profile->capacity = prof::capacity_of(prof::kBufferBytes);
  profile->hz = hz;
  profile->load_bias = load_bias();
  profile->magic = prof::kMagic;
  struct sigaction sa {};
  sa.sa_sigaction = on_profile_tick;
  sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGPROF, &sa, nullptr);
  timespec cpu;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
  profile_cpu_start_ns = (uint64_t)cpu.tv_sec * 1000000000ull + (uint64_t)cpu.tv_nsec;
  itimerval every{};
  every.it_interval.tv_sec = (time_t)(1 / hz);
  every.it_interval.tv_usec = (suseconds_t)(hz == 1 ? 0 : 1000000 / hz);
  every.it_value = every.it_interval;
  setitimer(ITIMER_PROF, &every, nullptr);
}

// The Microkit stack, with an unmapped guard page below it so that an
// overflow is a fault, as on seL4.
void make_stack() {
  size_t size = cp->stack_size ? cp->stack_size : 0x2000;
  size_t guard = 4096;
  char* base = (char*)mmap(nullptr, size + guard, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) die("allocating the stack");
  mprotect(base, guard, PROT_NONE);
  stack_top = base + guard + size;
}

[[noreturn]] void first_entry(uint64_t) {
  arrived_on_new_stack();
  if (cp->ev == kEvRestart) microkit_host_restart_entry(cp->ev_arg0);
  if (cp->free_running) {
    handle_event();  // init()
    free_event_loop();
  }
  event_loop();
}

// As the seL4 port checks its tool-patched masks: a call on a channel the
// PD may not use prints "<pd> <call>: invalid channel given '<ch>'" and
// does nothing (microkit_ppcall returns an empty message).
bool channel_allowed(uint64_t mask, microkit_channel ch, const char* call) {
  if (ch <= MICROKIT_MAX_CHANNEL_ID && ((mask >> ch) & 1u) != 0) return true;
  printf("%s %s: invalid channel given '%u'\n", microkit_name, call, ch);
  return false;
}

}  // namespace

extern "C" {

microkit_msginfo microkit_ppcall(microkit_channel ch, microkit_msginfo msginfo) {
  if (!channel_allowed(cp->pp_mask, ch, "microkit_ppcall")) return microkit_msginfo_new(0, 0);
  MICROKIT_TRACE_EVENT(PpcCall, ch, microkit_msginfo_get_label(msginfo));
  microkit_msginfo reply{{0}};
  if (cp->free_running) {
    if (!free_ppcall(ch, msginfo.words[0], &reply.words[0])) illegal(2, ch, __builtin_return_address(0));
  } else if (direct_offered(cp->direct_call_mask, ch)) {
    Link* l = link_of[ch];
    cp->arg0 = ch;
    cp->msginfo = l->msginfo = msginfo.words[0];
    cp->fault_pc = (uint64_t)__builtin_return_address(0);
    memcpy(l->mrs, cp->mrs, count_of(msginfo.words[0]) * 8);
    if (enter_directly(ch, kDirectCall)) {
      reply.words[0] = l->msginfo;
      memcpy(cp->mrs, l->mrs, count_of(reply.words[0]) * 8);
      if (l->back) cp->direct_pending |= 1ull << ch;
    } else {
      reply.words[0] = cp->msginfo;
    }
  } else {
    cp->arg0 = ch;
    cp->msginfo = msginfo.words[0];
    cp->fault_pc = (uint64_t)__builtin_return_address(0);
    kernel_call(kReqPpcall);
    reply.words[0] = cp->msginfo;
  }
  MICROKIT_TRACE_EVENT(PpcReturn, ch, microkit_msginfo_get_label(reply));
  return reply;
}

static void simple_call(uint32_t req, uint64_t a0, uint64_t a1, void* pc) {
  cp->arg0 = a0;
  cp->arg1 = a1;
  cp->fault_pc = (uint64_t)pc;
  kernel_call(req);
}

void microkit_notify(microkit_channel ch) {
  if (!channel_allowed(cp->notify_mask, ch, "microkit_notify")) return;
  MICROKIT_TRACE_EVENT(Notify, ch, 0);
  if (cp->free_running) {
    if (!free_notify(ch)) illegal(3, ch, __builtin_return_address(0));
    return;
  }
  if (((cp->quiet_notify_mask >> ch) & 1u) && cp->queued_notify_count < kMaxQueuedNotifies) {
    cp->queued_notify[cp->queued_notify_count++] = (uint8_t)ch;
    return;
  }
  if (direct_offered(cp->direct_notify_mask, ch)) {
    cp->arg0 = ch;
    cp->fault_pc = (uint64_t)__builtin_return_address(0);
    if (enter_directly(ch, kDirectNotify) && link_of[ch]->back) cp->direct_pending |= 1ull << ch;
    return;
  }
  simple_call(kReqNotify, ch, 0, __builtin_return_address(0));
}
void microkit_irq_ack(microkit_channel ch) {
  if (!channel_allowed(cp->irq_mask, ch, "microkit_irq_ack")) return;
  MICROKIT_TRACE_EVENT(IrqAck, ch, 0);
  simple_call(kReqIrqAck, ch, 0, __builtin_return_address(0));
}
void microkit_deferred_notify(microkit_channel ch) {
  if (!channel_allowed(cp->notify_mask, ch, "microkit_deferred_notify")) return;
  MICROKIT_TRACE_EVENT(DeferredNotify, ch, 0);
  deferred_kind = kDeferNotify;
  deferred_ch = ch;
}
void microkit_deferred_irq_ack(microkit_channel ch) {
  if (!channel_allowed(cp->irq_mask, ch, "microkit_deferred_irq_ack")) return;
  MICROKIT_TRACE_EVENT(DeferredIrqAck, ch, 0);
  deferred_kind = kDeferIrqAck;
  deferred_ch = ch;
}
void microkit_pd_restart(microkit_child pd, seL4_Word entry_point) {
  MICROKIT_TRACE_EVENT(Restart, pd, 0);
  simple_call(kReqPdRestart, pd, entry_point, __builtin_return_address(0));
}
void microkit_pd_stop(microkit_child pd) {
  MICROKIT_TRACE_EVENT(Stop, pd, 0);
  simple_call(kReqPdStop, pd, 0, __builtin_return_address(0));
}
void microkit_pd_resume(microkit_child pd) {
  MICROKIT_TRACE_EVENT(Resume, pd, 0);
  simple_call(kReqPdResume, pd, 0, __builtin_return_address(0));
}

void microkit_mr_set(seL4_Uint8 mr, seL4_Word value) {
  if (mr >= kMaxMrs) illegal(1, mr, __builtin_return_address(0));
  cp->mrs[mr] = value;
}
seL4_Word microkit_mr_get(seL4_Uint8 mr) {
  if (mr >= kMaxMrs) illegal(1, mr, __builtin_return_address(0));
  return cp->mrs[mr];
}

void microkit_dbg_putc(int c) { putchar(c); }
void microkit_dbg_puts(const char* s) { fputs(s, stdout); }
void microkit_dbg_put8(seL4_Uint8 x) { printf("%u", (unsigned)x); }
void microkit_dbg_put32(seL4_Uint32 x) { printf("%u", (unsigned)x); }

void microkit_host_exit(int status) {
  for (;;) simple_call(kReqExit, (uint64_t)(uint32_t)status, 0, __builtin_return_address(0));
}

uint64_t microkit_host_time_ns(void) { return cp->time_ns; }

}  // extern "C"

namespace {

// Start-up, before the PD program's own constructors: 1. control page;
// 2. memory regions; 3. faults, output, stack, endpoints; 4. the sandbox.
// main() then writes the setvars (after the constructors, which could
// otherwise overwrite them), says it is ready and runs the first event.
__attribute__((constructor(101))) void start_up() {
  const char* fd_text = getenv(kControlFdEnv);
  if (!fd_text) return;  // not started by the launcher: main() says so
  int fd = atoi(fd_text);
  void* page = mmap(nullptr, kControlPageSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (page == MAP_FAILED) die("mapping the control page");
  close(fd);
  cp = (ControlPage*)page;
  if (cp->magic != kMagic || cp->version != kAbiVersion) die("checking the launcher's ABI version");
  seen_to_pd = __atomic_load_n(&cp->to_pd, __ATOMIC_ACQUIRE);
  memcpy(microkit_name, cp->name, sizeof microkit_name);
  microkit_name[sizeof microkit_name - 1] = 0;
  // The thread carries the PD's name (its first 15 bytes), as seL4 debug
  // kernels name PD threads: ps, top, gdb and core dumps show it.
  prctl(PR_SET_NAME, microkit_name, 0, 0, 0);
  map_regions();
  // A buffer of our own: glibc would otherwise fstat stdout at the first
  // printf, a call the sandbox forbids.
  static char stdout_buffer[BUFSIZ];
  setvbuf(stdout, stdout_buffer, _IOLBF, sizeof stdout_buffer);
  // `microkit-host --gdb PD` without gdbserver: wait here until gdb, attached
  // with -p, clears the flag.
  if (getenv("MICROKIT_HOST_STOP_FOR_GDB"))
    while (microkit_host_gdb_wait) usleep(10000);
  install_fault_handlers();
  make_stack();
  start_profiler();
  if (cp->free_running) free_setup();
  else link_setup();
  if (const char* failed = microkit::host_sandbox::enter()) die(failed);
}

}  // namespace

int main() {
  if (!cp) {
    fprintf(stderr,
            "this is a Microkit protection domain for the host platform; run it with "
            "`microkit run SYSTEM --board host`\n");
    return 2;
  }
  apply_patches();
  handover(kReqReady);
  switch_stack(stack_top, first_entry, 0);
}
