// event_loop.cc: the PD's C runtime on seL4: the variables the tool patches,
// the IPC buffer pointer, and the loop that turns kernel messages into calls
// of the program's entry points.
//
// _start (aarch64/crt0.S) calls microkit_main on the stack the initial task
// set up (pd_abi.h). The loop waits on the input capability (slot
// MICROKIT_PD_SLOT_INPUT: the PD's endpoint, or its notification when it has
// no endpoint; the notification is bound to the TCB either way) and reads the
// badge as pd_abi.h defines: bit 63 clear = notification bits (one per
// channel), bit 63 set = a message on the endpoint, a fault when bit 62 is
// set, else a protected procedure call. MCS kernel: each receive names the
// PD's Reply object (slot MICROKIT_PD_SLOT_REPLY) and a pending reply or
// deferred signal is sent by the same system call as the next receive.
#include "internal.h"

// ---- Variables the tool patches (pd_abi.h). They live in .data, never
// .bss, so every patch lands in file bytes of the image. ----
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
static_assert(MICROKIT_MAX_CHANNEL_ID == MICROKIT_PD_MAX_CHANNEL_ID, "microkit.h and pd_abi.h agree");
static_assert(seL4_WordBits == 64, "badges and masks are 64-bit");

// Default entry points: a program without PPC channels or children need not
// define them; reaching one anyway means the plan and the program disagree.
extern "C" __attribute__((weak)) microkit_msginfo microkit_protected(microkit_channel ch,
                                                                     microkit_msginfo msginfo) {
  microkit_dbg_puts(microkit_name);
  microkit_dbg_puts(" is missing the 'protected' entry point\n");
  microkit_internal_crash(seL4_NoError);
  return seL4_MessageInfo_new(0, 0, 0, 0);
}

extern "C" __attribute__((weak)) seL4_Bool fault(microkit_child child, microkit_msginfo msginfo,
                                                 microkit_msginfo* reply_msginfo) {
  microkit_dbg_puts(microkit_name);
  microkit_dbg_puts(" is missing the 'fault' entry point\n");
  microkit_internal_crash(seL4_NoError);
  return seL4_False;
}

namespace {

using InitFunc = void (*)();
extern "C" InitFunc __init_array_start[];  // microkit.ld
extern "C" InitFunc __init_array_end[];

// Static constructors of C++ programs (and C __attribute__((constructor))).
void run_init_funcs() {
  for (InitFunc* f = __init_array_start; f != __init_array_end; ++f) (*f)();
}

// Sends the deferred signal on its own (before a reply, which has no
// combined send-and-reply-and-receive system call).
void flush_deferred_signal() {
  if (!microkit_have_signal) return;
  seL4_Send(microkit_signal_cap, microkit_signal_msg);
  microkit_have_signal = seL4_False;
}

// Each set bit is one channel, lowest first.
void dispatch_notifications(seL4_Word bits) {
  while (bits != 0) {
    notified(static_cast<microkit_channel>(__builtin_ctzll(bits)));
    bits &= bits - 1;
  }
}

// An IRQ may have fired before its handler was bound (seL4 issue 1536), so
// every IRQ is acknowledged once before the first receive.
void ack_all_irqs() {
  for (seL4_Word bits = microkit_irqs; bits != 0; bits &= bits - 1) {
    microkit_irq_ack(static_cast<microkit_channel>(__builtin_ctzll(bits)));
  }
}

struct Pending {
  bool have_reply = false;
  seL4_MessageInfo_t reply = seL4_MessageInfo_new(0, 0, 0, 0);
};

// Replies (if a reply is pending) or sends the deferred signal (if any),
// then blocks on the input capability. Returns the message and its badge.
seL4_MessageInfo_t wait(const Pending& pending, seL4_Word* badge) {
  if (pending.have_reply) {
    flush_deferred_signal();
    return seL4_ReplyRecv(MICROKIT_PD_SLOT_INPUT, pending.reply, badge, MICROKIT_PD_SLOT_REPLY);
  }
  if (microkit_have_signal) {
    microkit_have_signal = seL4_False;
    return seL4_NBSendRecv(microkit_signal_cap, microkit_signal_msg, MICROKIT_PD_SLOT_INPUT, badge,
                           MICROKIT_PD_SLOT_REPLY);
  }
  return seL4_Recv(MICROKIT_PD_SLOT_INPUT, badge, MICROKIT_PD_SLOT_REPLY);
}

// Calls the entry point the badge names; returns what to reply, if anything.
Pending dispatch(seL4_Word badge, seL4_MessageInfo_t tag) {
  Pending next;
  if ((badge >> MICROKIT_PD_BADGE_ENDPOINT_BIT) == 0) {
    dispatch_notifications(badge);
    return next;
  }
  auto id = static_cast<unsigned int>(badge & MICROKIT_PD_BADGE_ID_MASK);
  if ((badge >> MICROKIT_PD_BADGE_FAULT_BIT) & 1u) {
    next.have_reply = fault(id, tag, &next.reply) != seL4_False;
    return next;
  }
  next.reply = microkit_protected(id, tag);
  next.have_reply = true;
  return next;
}

[[noreturn]] void handler_loop() {
  ack_all_irqs();
  Pending pending;
  for (;;) {
    seL4_Word badge = 0;
    seL4_MessageInfo_t tag = wait(pending, &badge);
    pending = dispatch(badge, tag);
  }
}

}  // namespace

// Steps: 1. static constructors; 2. the program's init(); 3. a passive PD
// tells the monitor (deferred, so it is already waiting when the monitor
// takes its scheduling context away); 4. the event loop, forever.
extern "C" [[noreturn]] void microkit_main() {
  run_init_funcs();
  init();
  if (microkit_passive) {
    microkit_have_signal = seL4_True;
    microkit_signal_msg = seL4_MessageInfo_new(0, 0, 0, 0);
    microkit_signal_cap = MICROKIT_PD_SLOT_MONITOR_EP;
  }
  handler_loop();
}
