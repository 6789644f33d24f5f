// event_loop.cc: what a PD's thread does on seL4 from its first instruction
// after crt0 to the end of time, written from the manual's description of
// a protection domain (chapter "Concepts", section "Protection domains").
//
// A PD's life has two phases. Start-up: the per-life state is reset, static
// constructors run, then the program's init(). Serving: forever, the thread
// blocks on its input capability (pd_abi.h: the PD's endpoint, or its bound
// notification when it has none), turns what arrived into one Event, gives
// the Event to the entry point it is for, and takes that entry point's
// answer (a reply, or nothing) into the next blocking system call.
//
// Passive PDs need nothing here. The initial task binds a passive PD's
// scheduling context to the PD's notification at boot while the context
// still drives the PD's TCB (docs/initialiser.md). The first blocking
// receive after init() then hands the context to the notification in the
// kernel (it is returned when a thread blocks on a notification whose
// context it is running on); a signal that arrived during init() is
// received by that same call, on the PD's own context, and handled. Nothing
// is reported to the monitor, so there is no window in which a signal can
// be lost, on one core or on several.
#include "internal.h"
#include "trace_ring.h"

// ---- Variables the tool patches (pd_abi.h). In .data, never .bss, so
// every patch lands in file bytes of the image. ----
#define MICROKIT_PATCHED __attribute__((section(".data.microkit_patched"), used))
extern "C" {
MICROKIT_PATCHED char microkit_name[MICROKIT_PD_NAME_LENGTH];
MICROKIT_PATCHED seL4_Bool microkit_passive;
MICROKIT_PATCHED seL4_Word microkit_irqs;
MICROKIT_PATCHED seL4_Word microkit_notifications;
MICROKIT_PATCHED seL4_Word microkit_pps;
MICROKIT_PATCHED seL4_Word microkit_ioports;

// Read by the tool to refuse a program built against another layout.
__attribute__((used)) extern const uint64_t microkit_pd_abi_version = MICROKIT_PD_ABI_VERSION;

// crt0 loads sp from here on every start (a fresh stack after a restart).
__attribute__((used)) extern const seL4_Word microkit_stack_top = MICROKIT_PD_STACK_TOP(seL4_UserVSpaceTop);

// The one signal a handler may defer (microkit_deferred_notify/irq_ack);
// it travels with the next blocking system call.
seL4_Bool microkit_have_signal = seL4_False;
seL4_CPtr microkit_signal_cap;
seL4_MessageInfo_t microkit_signal_msg;
}

// libsel4 reaches the IPC buffer through this pointer (libsel4 is built
// without thread-local storage). The initial task maps the buffer here.
seL4_IPCBuffer* __sel4_ipc_buffer =
    reinterpret_cast<seL4_IPCBuffer*>(MICROKIT_PD_IPC_BUFFER_VADDR(seL4_UserVSpaceTop));

static_assert(sizeof(microkit_name) == MICROKIT_PD_NAME_BYTES, "tool writes 64 name bytes");
static_assert(sizeof(microkit_passive) == 1 && sizeof(microkit_irqs) == 8, "pd_abi.h symbol sizes");
static_assert(sizeof(seL4_IPCBuffer) <= MICROKIT_PD_PAGE_SIZE, "the IPC buffer is one page");
static_assert(MICROKIT_MAX_CHANNEL_ID <= MICROKIT_PD_MAX_CHANNEL_ID, "microkit.h ids fit pd_abi.h tables");
static_assert(seL4_WordBits == 64, "badges and masks are 64-bit");
static_assert(MICROKIT_PD_STACK_TOP(seL4_UserVSpaceTop) % 16 == 0, "AAPCS64 wants sp 16-aligned");

namespace {

using microkit::pd_abi::BadgeKind;

// The program defines only the entry points its system description needs
// (the manual: `protected` with PPC channels, `fault` with children). If
// one it lacks is reached anyway, the program and the system disagree:
// say so and stop this PD.
[[noreturn]] void entry_point_missing(const char* entry, unsigned int id) {
  microkit_dbg_puts(microkit_name);
  microkit_dbg_puts(": libmicrokit: no '");
  microkit_dbg_puts(entry);
  microkit_dbg_puts("' entry point in this program, but an event for id ");
  microkit_dbg_put32(id);
  microkit_dbg_puts(" arrived\n");
  microkit_internal_crash(seL4_IllegalOperation);
  for (;;) __builtin_trap();
}

}  // namespace

extern "C" __attribute__((weak)) microkit_msginfo microkit_protected(microkit_channel ch, microkit_msginfo) {
  entry_point_missing("protected", ch);
}

extern "C" __attribute__((weak)) seL4_Bool fault(microkit_child child, microkit_msginfo, microkit_msginfo*) {
  entry_point_missing("fault", child);
}

namespace {

// One thing the kernel delivered, already told apart by its badge.
struct Event {
  BadgeKind kind;
  seL4_Word channels;  // Notification: bit c = channel c signalled
  unsigned int id;     // Ppc: channel; Fault: child id
  seL4_MessageInfo_t tag;
  bool vm_exit = false;  // x86 VT-x: the Fault is an exit of the PD's own vCPU
};

// What the entry point wants sent back with the next blocking call.
struct Answer {
  bool reply = false;
  seL4_MessageInfo_t tag = seL4_MessageInfo_new(0, 0, 0, 0);
};

Event event_from(seL4_Word badge, seL4_MessageInfo_t tag) {
  Event e{microkit::pd_abi::badge_kind(badge), 0, 0, tag};
  if (e.kind == BadgeKind::Notification)
    e.channels = badge;
  else
    e.id = static_cast<unsigned int>(microkit::pd_abi::badge_id(badge));
  return e;
}

// Lowest channel first, each once, as the manual's notified() describes.
void deliver_notifications(seL4_Word channels) {
  for (; channels != 0; channels &= channels - 1) {
    unsigned int ch = microkit::sel4::lowest_set_bit(channels);
    microkit::trace::notified_traced(ch, ((microkit_irqs >> ch) & 1u) != 0);
  }
}

#if defined(CONFIG_DEBUG_BUILD)
// Debug configurations: the initial task prints a child's fault report
// (docs/debugging.md) before fault() sees the fault. The tool puts its
// endpoint in MICROKIT_PD_SLOT_FAULT_REPORT of parents only (not with
// --gdb-stub); a vCPU's fault (no child TCB under its id) is the VMM's.
// The message is the fault's, plus the child id; fault() then finds the
// fault's message registers as the kernel wrote them.
void report_child_fault(const Event& e) {
  constexpr seL4_Word kMaxSaved = 32;  // longer than any fault message
  seL4_Word length = seL4_MessageInfo_get_length(e.tag);
  if (e.vm_exit || length >= kMaxSaved) return;
  if (seL4_DebugCapIdentify(MICROKIT_PD_SLOT_FAULT_REPORT) == 0) return;
  if (seL4_DebugCapIdentify(microkit::pd_abi::child_tcb_slot(e.id)) == 0) return;
  seL4_Word saved[kMaxSaved];
  for (seL4_Word i = 0; i < length; ++i) saved[i] = seL4_GetMR(i);
  seL4_SetMR(length, e.id);
  seL4_Call(MICROKIT_PD_SLOT_FAULT_REPORT, seL4_MessageInfo_new(seL4_MessageInfo_get_label(e.tag), 0, 0, length + 1));
  for (seL4_Word i = 0; i < length; ++i) seL4_SetMR(i, saved[i]);
}
#else
void report_child_fault(const Event&) {}
#endif

Answer deliver(const Event& e) {
  Answer a;
  switch (e.kind) {
    case BadgeKind::Notification:
      deliver_notifications(e.channels);
      break;
    case BadgeKind::Ppc:
      MICROKIT_TRACE_EVENT(ProtectedBegin, e.id, seL4_MessageInfo_get_label(e.tag));
      a.tag = microkit_protected(e.id, e.tag);
      a.reply = true;
      MICROKIT_TRACE_EVENT(ProtectedEnd, e.id, seL4_MessageInfo_get_label(a.tag));
      break;
    case BadgeKind::Fault:
      report_child_fault(e);
      MICROKIT_TRACE_EVENT(FaultBegin, e.id, seL4_MessageInfo_get_label(e.tag));
      a.reply = fault(e.id, e.tag, &a.tag) != seL4_False;
      MICROKIT_TRACE_EVENT(FaultEnd, e.id, a.reply ? 1 : 0);
#if defined(CONFIG_VTX)
      // A VM exit has no one to reply to; fault() returning false keeps the guest stopped.
      if (e.vm_exit) {
        if (!a.reply) microkit_vcpu_x86_off();
        a.reply = false;
      }
#endif
      break;
  }
  return a;
}

// Takes the deferred signal, if one is waiting.
bool take_deferred(seL4_CPtr* cap, seL4_MessageInfo_t* msg) {
  if (!microkit_have_signal) return false;
  microkit_have_signal = seL4_False;
  *cap = microkit_signal_cap;
  *msg = microkit_signal_msg;
  return true;
}

// The one blocking system call per event: it carries the reply or the
// deferred signal out and brings the next message in. seL4 has no call
// that replies, signals and receives at once, so with both pending the
// signal goes first on its own (a Send to a notification or IRQ handler
// never blocks).
seL4_MessageInfo_t next_message(const Answer& answer, seL4_Word* badge) {
#if defined(MICROKIT_TRACE)
  microkit_trace_dump();  // what this PD recorded since it last blocked
#endif
  seL4_CPtr cap = seL4_CapNull;
  seL4_MessageInfo_t msg;
  bool have_signal = take_deferred(&cap, &msg);
  if (answer.reply) {
    if (have_signal) seL4_Send(cap, msg);
    return seL4_ReplyRecv(MICROKIT_PD_SLOT_INPUT, answer.tag, badge, MICROKIT_PD_SLOT_REPLY);
  }
  if (have_signal) return seL4_NBSendRecv(cap, msg, MICROKIT_PD_SLOT_INPUT, badge, MICROKIT_PD_SLOT_REPLY);
  return seL4_Recv(MICROKIT_PD_SLOT_INPUT, badge, MICROKIT_PD_SLOT_REPLY);
}

#if defined(CONFIG_VTX)
// With its vCPU on, the PD runs the guest instead of waiting: seL4_VMEnter
// returns on a VM exit (a fault of child microkit_x86_vcpu_id) or on a
// notification. VMEnter carries nothing out, so the reply and the deferred
// signal are sent first.
Event guest_event(const Answer& answer) {
#if defined(MICROKIT_TRACE)
  microkit_trace_dump();  // as before any blocking call (next_message)
#endif
  if (answer.reply) seL4_Send(MICROKIT_PD_SLOT_REPLY, answer.tag);
  seL4_CPtr cap = seL4_CapNull;
  seL4_MessageInfo_t msg;
  if (take_deferred(&cap, &msg)) seL4_Send(cap, msg);
  seL4_Word badge = 0;
  if (!microkit::sel4::x86::vm_enter(&badge)) return event_from(badge, seL4_MessageInfo_new(0, 0, 0, 0));
  Event e{BadgeKind::Fault, 0, static_cast<unsigned int>(microkit_x86_vcpu_id),
          seL4_MessageInfo_new(0, 0, 0, SEL4_VMENTER_NUM_FAULT_MSGS), true};
  return e;
}
#endif

Event next_event(const Answer& answer) {
#if defined(CONFIG_VTX)
  if (microkit_x86_vcpu_state.is_on) return guest_event(answer);
#endif
  seL4_Word badge = 0;
  seL4_MessageInfo_t tag = next_message(answer, &badge);
  return event_from(badge, tag);
}

[[noreturn]] void serve() {
  Answer answer;
  for (;;) answer = deliver(next_event(answer));
}

// An interrupt that fired before its handler had a notification is never
// delivered until acknowledged (seL4 issue 1536): acknowledge each of this
// PD's IRQs once before serving.
void unmask_irqs() {
  for (seL4_Word bits = microkit_irqs; bits != 0; bits &= bits - 1)
    seL4_IRQHandler_Ack(MICROKIT_PD_BASE_IRQ + microkit::sel4::lowest_set_bit(bits));
}

using Constructor = void (*)();
extern "C" Constructor __init_array_start[];  // microkit.ld
extern "C" Constructor __init_array_end[];

// A restart (microkit_pd_restart at _start) begins a new life: nothing
// deferred in the previous one is sent on its behalf.
void start_life() {
  microkit_have_signal = seL4_False;
#if defined(MICROKIT_TRACE)
  microkit::trace::ring_start();
  microkit_trace_dump();  // what the previous life recorded before it faulted
#endif
  for (Constructor* c = __init_array_start; c != __init_array_end; ++c) (*c)();
}

#if defined(MICROKIT_TRACE)
// Which life this is (1 at boot); .bss is not cleared by a restart.
seL4_Word lives;
#endif

}  // namespace

// Called by crt0 on a fresh stack: 1. reset and construct; 2. init();
// 3. serve events forever.
extern "C" [[noreturn]] void microkit_main() {
  start_life();
  MICROKIT_TRACE_EVENT(InitBegin, 0, ++lives);
  init();
  MICROKIT_TRACE_EVENT(InitEnd, 0, lives);
  unmask_irqs();
  serve();
}
