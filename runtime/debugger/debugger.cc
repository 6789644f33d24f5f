// debugger.cc: the debugger PD that `microkit build --gdb` adds to a system
// (docs/debugging.md, "GDB on a live system"). The target half of the GDB stub: registers,
// memory, breakpoints and stops of the other PDs, on seL4.
//
// How it runs (single core; the tool refuses --gdb on SMP configurations):
//   - it has the highest priority of the system, so while it polls the
//     UART nothing else runs: the whole system is stopped exactly while
//     GDB has control (all-stop mode without suspending anyone);
//   - init(): the system starts stopped; GDB connects and continues;
//   - notified(): the UART's receive interrupt while the system runs; a
//     Ctrl-C (0x03) stops the system;
//   - fault(): a target without a parent faulted (breakpoint, step,
//     watchpoint or a real fault); it is reported to GDB, and the reply
//     (when GDB resumes) restarts the target, stepping or not.
// Everything it knows about the system is in the table the tool patched in
// (runtime/shared/gdb_abi.h); the capabilities are where that header says.
#include <microkit.h>

#include "gdb_abi.h"
#include "runtime/debugger/stub.h"
#include "runtime/debugger/target.h"

#define MICROKIT_GDB_PATCHED __attribute__((section(".data.microkit_patched"), used))
extern "C" {
MICROKIT_GDB_PATCHED microkit::gdb_abi::Table microkit_gdb_table;
}

namespace microkit::gdb {
namespace {

const gdb_abi::Table& table() { return microkit_gdb_table; }

// ---- the PL011 UART ----
constexpr uint64_t kUartDr = 0x00, kUartFr = 0x18, kUartImsc = 0x38, kUartIcr = 0x44;
constexpr uint32_t kFrRxEmpty = 1u << 4, kFrTxFull = 1u << 5;
constexpr uint32_t kIntRx = 1u << 4, kIntRxTimeout = 1u << 6;

volatile uint32_t& uart(uint64_t reg) {
  return *reinterpret_cast<volatile uint32_t*>(uint64_t{MICROKIT_GDB_UART_VADDR} + reg);
}

void uart_put(char c) {
  while ((uart(kUartFr) & kFrTxFull) != 0) {
  }
  uart(kUartDr) = uint8_t(c);
}

int uart_get() {
  if ((uart(kUartFr) & kFrRxEmpty) != 0) return -1;
  return int(uart(kUartDr) & 0xff);
}

void uart_init() {
  uart(kUartIcr) = 0x7ff;
  uart(kUartImsc) = uart(kUartImsc) | kIntRx | kIntRxTimeout;
}

Stub stub(uart_put);

// ---- targets ----
seL4_CPtr tcb(uint32_t k) { return MICROKIT_GDB_SLOT_TCB(k); }
seL4_CPtr vspace(uint32_t k) { return MICROKIT_GDB_SLOT_VSPACE(k); }

// The mapped range of target k that holds addr, or null.
const gdb_abi::Range* range_of(uint32_t k, uint64_t addr) {
  for (uint32_t i = 0; i < table().range_count; ++i) {
    const gdb_abi::Range& r = table().ranges[i];
    if (r.target == k && addr >= r.vaddr && addr - r.vaddr < r.size) return &r;
  }
  return nullptr;
}

// The debugger's address of target k's byte at addr, or null when unmapped.
volatile uint8_t* window(uint32_t k, uint64_t addr) {
  if (range_of(k, addr) == nullptr) return nullptr;
  uint64_t a = gdb_abi::window_address(k, addr, table().user_top);
  return a == 0 ? nullptr : reinterpret_cast<volatile uint8_t*>(a);
}

}  // namespace

uint32_t target_count() { return table().target_count; }
const char* target_name(uint32_t k) { return table().targets[k].name; }

bool read_registers(uint32_t k, uint64_t regs[kRegCount]) {
  seL4_UserContext c{};
  if (seL4_TCB_ReadRegisters(tcb(k), seL4_False, 0, sizeof(c) / sizeof(seL4_Word), &c) != seL4_NoError)
    return false;
  const uint64_t x[31] = {c.x0,  c.x1,  c.x2,  c.x3,  c.x4,  c.x5,  c.x6,  c.x7,  c.x8,  c.x9,  c.x10,
                          c.x11, c.x12, c.x13, c.x14, c.x15, c.x16, c.x17, c.x18, c.x19, c.x20, c.x21,
                          c.x22, c.x23, c.x24, c.x25, c.x26, c.x27, c.x28, c.x29, c.x30};
  for (unsigned r = 0; r < 31; ++r) regs[r] = x[r];
  regs[kRegSp] = c.sp;
  regs[kRegPc] = c.pc;
  regs[kRegCpsr] = c.spsr & 0xffffffffu;
  return true;
}

bool write_registers(uint32_t k, const uint64_t regs[kRegCount]) {
  seL4_UserContext c{};
  if (seL4_TCB_ReadRegisters(tcb(k), seL4_False, 0, sizeof(c) / sizeof(seL4_Word), &c) != seL4_NoError)
    return false;
  seL4_Word* x[31] = {&c.x0,  &c.x1,  &c.x2,  &c.x3,  &c.x4,  &c.x5,  &c.x6,  &c.x7,  &c.x8,  &c.x9,  &c.x10,
                      &c.x11, &c.x12, &c.x13, &c.x14, &c.x15, &c.x16, &c.x17, &c.x18, &c.x19, &c.x20, &c.x21,
                      &c.x22, &c.x23, &c.x24, &c.x25, &c.x26, &c.x27, &c.x28, &c.x29, &c.x30};
  for (unsigned r = 0; r < 31; ++r) *x[r] = regs[r];
  c.sp = regs[kRegSp];
  c.pc = regs[kRegPc];
  c.spsr = (c.spsr & ~uint64_t{0xffffffff}) | (regs[kRegCpsr] & 0xffffffffu);
  return seL4_TCB_WriteRegisters(tcb(k), seL4_False, 0, sizeof(c) / sizeof(seL4_Word), &c) == seL4_NoError;
}

bool read_memory(uint32_t k, uint64_t addr, uint8_t* out, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    volatile uint8_t* p = window(k, addr + i);
    if (p == nullptr) return false;
    out[i] = *p;
  }
  return true;
}

bool write_memory(uint32_t k, uint64_t addr, const uint8_t* in, size_t len) {
  for (size_t i = 0; i < len; ++i)
    if (window(k, addr + i) == nullptr) return false;
  for (size_t i = 0; i < len; ++i) *window(k, addr + i) = in[i];
  // The target may execute these bytes (a breakpoint): make its instruction
  // fetches see them (clean to the point of unification, invalidate I-cache).
  seL4_ARM_VSpace_Unify_Instruction(vspace(k), addr, addr + len);
  return true;
}

unsigned hw_breakpoint_slots() { return seL4_NumExclusiveBreakpoints; }

bool set_hw_breakpoint(uint32_t k, unsigned slot, uint64_t addr) {
  return seL4_TCB_SetBreakpoint(tcb(k), uint16_t(seL4_FirstBreakpoint + slot), addr, seL4_InstructionBreakpoint,
                                0, seL4_BreakOnRead) == seL4_NoError;
}

bool clear_hw_breakpoint(uint32_t k, unsigned slot) {
  return seL4_TCB_UnsetBreakpoint(tcb(k), uint16_t(seL4_FirstBreakpoint + slot)) == seL4_NoError;
}

unsigned watchpoint_slots() { return seL4_NumExclusiveWatchpoints; }

namespace {
seL4_Word access_of(WatchKind kind) {
  switch (kind) {
    case WatchKind::Write: return seL4_BreakOnWrite;
    case WatchKind::Read: return seL4_BreakOnRead;
    case WatchKind::Access: return seL4_BreakOnReadWrite;
  }
  return seL4_BreakOnReadWrite;
}
uint16_t watch_bp(unsigned slot) { return uint16_t(seL4_FirstWatchpoint + slot); }
}  // namespace

// A watchpoint is set in the one target GDB asked for: GDB scopes
// watchpoints to an inferior's program space and ignores a hit reported in
// another inferior's thread, so a watchpoint on a shared memory region is
// set from the inferior of the PD whose accesses are to be caught.
bool set_watchpoint(uint32_t k, unsigned slot, uint64_t addr, unsigned size, WatchKind kind) {
  return seL4_TCB_SetBreakpoint(tcb(k), watch_bp(slot), addr, seL4_DataBreakpoint, size, access_of(kind)) ==
         seL4_NoError;
}

bool clear_watchpoint(uint32_t k, unsigned slot) {
  return seL4_TCB_UnsetBreakpoint(tcb(k), watch_bp(slot)) == seL4_NoError;
}

// ---- monitor commands ----
namespace {

bool same(const char* a, const char* b) {
  for (; *a != '\0' && *a == *b; ++a, ++b) {
  }
  return *a == *b;
}

void say(TextSink out, void* ctx, const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  out(s, n, ctx);
}

void say_dec(TextSink out, void* ctx, uint64_t v) {
  char digits[21];
  int n = 20;
  digits[n] = '\0';
  do {
    digits[--n] = char('0' + v % 10);
    v /= 10;
  } while (v != 0);
  say(out, ctx, digits + n);
}

// Text, then a number in decimal.
void say_then(TextSink out, void* ctx, const char* text, uint64_t v) {
  say(out, ctx, text);
  say_dec(out, ctx, v);
}

void say_hex(TextSink out, void* ctx, uint64_t v) {
  char s[19] = "0x";
  for (int i = 0; i < 16; ++i) s[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
  s[18] = '\0';
  say(out, ctx, s);
}

// The target named `name`, or -1.
int64_t target_named(const char* name) {
  for (uint32_t k = 0; k < target_count(); ++k)
    if (same(table().targets[k].name, name)) return k;
  return -1;
}

// ---- `monitor cspace PD`: the plan's listing, then the kernel's answer ----
// Each slot of the target's CNode is copied next to the debugger's own
// (CNode_Copy through the CNode cap the tool granted) and the copy's type
// asked of the kernel (seL4_DebugCapIdentify, debug kernels), then deleted:
// a copy leaves the target's slot as it was.
constexpr seL4_Word kDepth = 64;  // every CNode cap here makes a slot number a CPtr at depth 64
constexpr uint32_t kNullTag = 0;  // seL4's null capability on every architecture

enum class Held { Empty, Tag, NotCopied };
struct SlotAnswer {
  Held held;
  uint32_t tag;  // Held::Tag: the kernel's tag; Held::NotCopied: the seL4_Error
};

SlotAnswer kernel_slot(uint32_t k, seL4_Word slot) {
  seL4_CNode_Delete(MICROKIT_GDB_SLOT_SELF_CNODE, MICROKIT_GDB_SLOT_SCRATCH, kDepth);
  seL4_Error e = seL4_CNode_Copy(MICROKIT_GDB_SLOT_SELF_CNODE, MICROKIT_GDB_SLOT_SCRATCH, kDepth,
                                 MICROKIT_GDB_SLOT_CNODE(k), slot, kDepth, seL4_AllRights);
  if (e == seL4_FailedLookup) return {Held::Empty, 0};  // the source slot holds nothing
  if (e != seL4_NoError) return {Held::NotCopied, uint32_t(e)};  // e.g. an untyped with children
  uint32_t tag = seL4_DebugCapIdentify(MICROKIT_GDB_SLOT_SCRATCH);
  seL4_CNode_Delete(MICROKIT_GDB_SLOT_SELF_CNODE, MICROKIT_GDB_SLOT_SCRATCH, kDepth);
  return {Held::Tag, tag};
}

void say_tag(TextSink out, void* ctx, uint32_t tag) {
  if (tag < MICROKIT_GDB_CAP_TAGS && table().cap_names[tag][0] != '\0') {
    say(out, ctx, table().cap_names[tag]);
    return;
  }
  say_then(out, ctx, "tag ", tag);
}

void say_slot(TextSink out, void* ctx, seL4_Word slot) {
  say_then(out, ctx, "  slot ", slot);
  say(out, ctx, ": ");
}

struct Tally {
  uint32_t same = 0, differ = 0, unchecked = 0, unplanned = 0;
};

// The planned tag of target k's slot, or -1 when the plan leaves it empty.
int32_t planned_tag(uint32_t k, seL4_Word slot) {
  const gdb_abi::Target& t = table().targets[k];
  for (uint32_t i = t.check_first; i < t.check_first + t.check_count; ++i)
    if (table().checks[i].slot == slot) return table().checks[i].tag;
  return -1;
}

// One slot against the plan: a line for every difference.
void check_slot(uint32_t k, seL4_Word slot, TextSink out, void* ctx, Tally& n) {
  int32_t want = planned_tag(k, slot);
  SlotAnswer a = kernel_slot(k, slot);
  if (want < 0) {
    if (a.held == Held::Empty) return;
    ++n.unplanned;
    say_slot(out, ctx, slot);
    if (a.held == Held::Tag) say_tag(out, ctx, a.tag);
    say(out, ctx, a.held == Held::Tag ? ", not in the plan\n" : "a capability not in the plan\n");
    return;
  }
  if (a.held == Held::Tag && a.tag == uint32_t(want)) {
    ++n.same;
    return;
  }
  say_slot(out, ctx, slot);
  if (a.held == Held::NotCopied) {
    ++n.unchecked;
    say_then(out, ctx, "not checked (the kernel would not copy it: seL4 error ", a.tag);
    say(out, ctx, ")\n");
    return;
  }
  ++n.differ;
  if (a.held == Held::Empty) say(out, ctx, "empty");
  else say_tag(out, ctx, a.tag);
  say(out, ctx, ", the plan says ");
  say_tag(out, ctx, uint32_t(want));
  say(out, ctx, "\n");
}

void say_tally(TextSink out, void* ctx, const gdb_abi::Target& t, const Tally& n) {
  say_then(out, ctx, "kernel: ", n.same);
  say_then(out, ctx, " of ", t.check_count);
  say_then(out, ctx, " planned capabilities as planned, ", n.differ);
  say_then(out, ctx, " different, ", n.unchecked);
  say_then(out, ctx, " not checked; ", n.unplanned);
  say(out, ctx, " more slots in use\n");
}

bool monitor_cspace(const char* name, TextSink out, void* ctx) {
  int64_t k = target_named(name);
  if (k < 0) {
    say(out, ctx, "no protection domain named '");
    say(out, ctx, name);
    say(out, ctx, "'\n");
    return true;
  }
  const gdb_abi::Target& t = table().targets[k];
  out(table().text + t.cspace_text, t.cspace_size, ctx);
  if (seL4_DebugCapIdentify(MICROKIT_GDB_SLOT_CNODE(k)) == kNullTag) {
    say(out, ctx, "kernel: the debugger holds no CNode of this PD, so nothing was checked\n");
    return true;
  }
  say(out, ctx, "kernel (every slot, by seL4_DebugCapIdentify on a copy):\n");
  Tally n;
  for (seL4_Word slot = 1; slot < MICROKIT_PD_CNODE_SLOTS; ++slot) check_slot(uint32_t(k), slot, out, ctx, n);
  say_tally(out, ctx, t, n);
  return true;
}

// `monitor sched`: every target's scheduling parameters and where it is.
bool monitor_sched(TextSink out, void* ctx) {
  for (uint32_t k = 0; k < target_count(); ++k) {
    const gdb_abi::Target& t = table().targets[k];
    say(out, ctx, t.name);
    say_then(out, ctx, ": priority ", t.priority);
    say_then(out, ctx, ", budget ", t.budget_us);
    say_then(out, ctx, " us, period ", t.period_us);
    say(out, ctx, t.passive ? " us, passive" : " us");
    if (t.parent != 0) {
      say(out, ctx, ", faults go to its parent ");
      say(out, ctx, table().targets[t.parent - 1].name);
    }
    uint64_t regs[kRegCount];
    if (read_registers(k, regs)) {
      say(out, ctx, ", pc ");
      say_hex(out, ctx, regs[kRegPc]);
    }
    say(out, ctx, "\n");
  }
  return true;
}

}  // namespace

bool monitor_command(const char* command, TextSink out, void* ctx) {
  if (same(command, "sched") || same(command, "scheduler")) return monitor_sched(out, ctx);
  const char* prefix = "cspace ";
  const char* p = command;
  const char* q = prefix;
  while (*q != '\0' && *p == *q) ++p, ++q;
  if (*q == '\0') return monitor_cspace(p, out, ctx);
  say(out, ctx, "monitor commands: cspace PD (its capabilities, slot by slot), sched (scheduling state)\n");
  return true;
}

// ---- stops and resumes ----
namespace {

// Polls the UART (nothing else runs meanwhile) until GDB resumes.
Resume serve_gdb() {
  for (;;) {
    int c = uart_get();
    if (c < 0) continue;
    stub.feed(char(c));
    Resume r = stub.take_resume();
    if (r.kind != ResumeKind::None) return r;
  }
}

// Stepping of a target that is not the one replied to (it was preempted).
void configure_other(const Resume& r, int64_t replied) {
  if (r.kind == ResumeKind::Step && int64_t(r.target) != replied) seL4_TCB_ConfigureSingleStepping(tcb(r.target), 0, 1);
}

StopEvent stop_for_fault(uint32_t k, seL4_Word label) {
  StopEvent e;
  e.target = k;
  switch (label) {
    case seL4_Fault_DebugException: {
      seL4_Word reason = seL4_GetMR(seL4_DebugException_ExceptionReason);
      if (reason != seL4_DataBreakpoint) return e;
      seL4_Word bp = seL4_GetMR(seL4_DebugException_BreakpointNumber);
      e.why = StopEvent::Why::Watch;
      e.address = stub.watch_address(unsigned(bp - seL4_FirstWatchpoint), seL4_GetMR(seL4_DebugException_TriggerAddress));
      return e;
    }
    case seL4_Fault_VMFault: e.signal = kSigSegv; return e;
    case seL4_Fault_UserException: e.signal = kSigIll; return e;
    case seL4_Fault_CapFault: case seL4_Fault_UnknownSyscall: e.signal = kSigSys; return e;
    default: e.signal = kSigAlrm; return e;
  }
}

}  // namespace
}  // namespace microkit::gdb

using namespace microkit::gdb;

void init() {
  uart_init();
  // The system starts stopped: nothing runs until GDB continues.
  Resume r = serve_gdb();
  configure_other(r, -1);
}

void notified(microkit_channel ch) {
  if (ch != MICROKIT_GDB_UART_IRQ_CHANNEL) return;
  for (int c; (c = uart_get()) >= 0;) stub.feed(char(c));
  microkit_irq_ack(ch);
  stub.take_resume();  // the system runs already
  if (!stub.take_interrupt()) return;
  StopEvent e;
  e.signal = kSigInt;
  e.target = stub.current_target();
  stub.report_stop(e);
  configure_other(serve_gdb(), -1);
}

namespace {

// A target's console text (gdb_abi.h): to GDB as output, and the target goes on.
void forward_console() {
  char text[MICROKIT_GDB_CONSOLE_CHUNK];
  seL4_Word n = seL4_GetMR(0);
  if (n > sizeof(text)) n = sizeof(text);
  for (seL4_Word i = 0; i < n; ++i)
    text[i] = char(seL4_GetMR(int(1 + i / sizeof(seL4_Word))) >> (8 * (i % sizeof(seL4_Word))));
  stub.console_output(text, n);
}

}  // namespace

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo* reply_msginfo) {
  seL4_Word label = seL4_MessageInfo_get_label(msginfo);
  if (label == MICROKIT_GDB_CONSOLE_LABEL) {
    forward_console();
    *reply_msginfo = seL4_MessageInfo_new(0, 0, 0, 0);
    return seL4_True;
  }
  bool single_step = label == seL4_Fault_DebugException &&
                     seL4_GetMR(seL4_DebugException_ExceptionReason) == seL4_SingleStep;
  stub.report_stop(stop_for_fault(child, label));
  Resume r = serve_gdb();
  configure_other(r, child);
  bool step = r.kind == ResumeKind::Step && r.target == child;
  if (single_step) {
    // The kernel reads the number of instructions to step from the reply.
    seL4_SetMR(0, step ? 1 : 0);
    *reply_msginfo = seL4_MessageInfo_new(0, 0, 0, 1);
    return seL4_True;
  }
  seL4_TCB_ConfigureSingleStepping(tcb(child), 0, step ? 1 : 0);
  *reply_msginfo = seL4_MessageInfo_new(0, 0, 0, 0);
  return seL4_True;
}
