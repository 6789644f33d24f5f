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

// `monitor cspace PD`: the tool's listing, each capability checked to be
// present in the kernel where the debugger can ask (its TCB and VSpace).
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
  seL4_UserContext c{};
  bool tcb_live = seL4_TCB_ReadRegisters(tcb(uint32_t(k)), seL4_False, 0, 1, &c) == seL4_NoError;
  say(out, ctx, tcb_live ? "kernel: its TCB answers (the debugger holds a copy)\n"
                         : "kernel: its TCB does not answer: the listing may not be what runs\n");
  return true;
}

// `monitor sched`: every target's scheduling parameters and where it is.
bool monitor_sched(TextSink out, void* ctx) {
  for (uint32_t k = 0; k < target_count(); ++k) {
    const gdb_abi::Target& t = table().targets[k];
    say(out, ctx, t.name);
    say(out, ctx, ": priority ");
    say_dec(out, ctx, t.priority);
    say(out, ctx, ", budget ");
    say_dec(out, ctx, t.budget_us);
    say(out, ctx, " us, period ");
    say_dec(out, ctx, t.period_us);
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
