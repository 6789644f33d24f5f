// dbg.cc: debug console output and the failure path.
//
// In a kernel built with CONFIG_PRINTING (the debug configurations) each
// character is one seL4_DebugPutChar system call; otherwise (release,
// benchmark) output is dropped, so programs may print unconditionally.
// Under `microkit build --gdb-stub` a PD whose faults go to the debugger
// sends its text to the debugger instead, which hands it to GDB on the
// one UART (gdb_abi.h, "Console output").
#include "gdb_abi.h"
#include "internal.h"
#include "put_number.h"

extern "C" {
// Patched to 1 by the tool (gdb_abi.h); in .data so that the patch lands in file bytes.
__attribute__((section(".data.microkit_patched"), used)) seL4_Bool microkit_gdb_console;
}

namespace {

constexpr seL4_Word kConsoleWords = MICROKIT_GDB_CONSOLE_CHUNK / sizeof(seL4_Word);

// One chunk to the debugger. The message registers the call uses are saved
// and restored: a handler may print between setting up its reply and returning.
void console_chunk(const char* s, seL4_Word n) {
  seL4_Word saved[1 + kConsoleWords];
  seL4_Word words = (n + sizeof(seL4_Word) - 1) / sizeof(seL4_Word);
  for (seL4_Word i = 0; i <= words; ++i) saved[i] = seL4_GetMR(static_cast<int>(i));
  seL4_SetMR(0, n);
  for (seL4_Word w = 0; w < words; ++w) {
    seL4_Word v = 0;
    for (seL4_Word b = 0; b < sizeof(seL4_Word) && w * sizeof(seL4_Word) + b < n; ++b)
      v |= seL4_Word(static_cast<uint8_t>(s[w * sizeof(seL4_Word) + b])) << (8 * b);
    seL4_SetMR(static_cast<int>(1 + w), v);
  }
  seL4_Call(MICROKIT_PD_SLOT_FAULT_EP, seL4_MessageInfo_new(MICROKIT_GDB_CONSOLE_LABEL, 0, 0, 1 + words));
  for (seL4_Word i = 0; i <= words; ++i) seL4_SetMR(static_cast<int>(i), saved[i]);
}

void console_send(const char* s, seL4_Word n) {
  while (n > 0) {
    seL4_Word m = n < MICROKIT_GDB_CONSOLE_CHUNK ? n : MICROKIT_GDB_CONSOLE_CHUNK;
    console_chunk(s, m);
    s += m;
    n -= m;
  }
}

}  // namespace

extern "C" {

void microkit_dbg_putc(int c) {
  if (microkit_gdb_console) {
    char ch = static_cast<char>(c);
    return console_send(&ch, 1);
  }
#if defined(CONFIG_PRINTING)
  seL4_DebugPutChar(static_cast<char>(c));
#else
  (void)c;
#endif
}

void microkit_dbg_puts(const char* s) {
  if (microkit_gdb_console) {
    seL4_Word n = 0;
    while (s[n] != '\0') ++n;
    return console_send(s, n);
  }
#if defined(CONFIG_PRINTING)
  for (; *s != '\0'; ++s) seL4_DebugPutChar(*s);
#else
  (void)s;
#endif
}

#if !defined(MICROKIT_TRACE)
// The ordinary library records nothing, so there is nothing to dump.
void microkit_trace_dump(void) {}
#endif

// Decimal, no leading zeros.
void microkit_dbg_put32(seL4_Uint32 x) { microkit::shared::put_decimal(x, microkit_dbg_putc); }

void microkit_dbg_put8(seL4_Uint8 x) { microkit_dbg_put32(x); }

// libsel4's failed debug check (seL4_DebugAssert): "<pd>: libsel4 check
// failed: <expression> in <function> (<file name>:<line>)", then the PD
// stops. Only the file's last component is printed: the rest is the SDK's
// location on the machine that built the program.
__attribute__((weak)) void __assert_fail(const char* str, const char* file, int line, const char* function) {
  const char* name = file;
  for (const char* p = file; *p != '\0'; ++p)
    if (*p == '/') name = p + 1;
  microkit_dbg_puts(microkit_name);
  microkit_dbg_puts(": libsel4 check failed: ");
  microkit_dbg_puts(str);
  microkit_dbg_puts(" in ");
  microkit_dbg_puts(function);
  microkit_dbg_puts(" (");
  microkit_dbg_puts(name);
  microkit_dbg_putc(':');
  microkit_dbg_put32(static_cast<seL4_Uint32>(line));
  microkit_dbg_puts(")\n");
  microkit_internal_crash(seL4_InvalidArgument);
  for (;;) __builtin_trap();
}

}  // extern "C"

namespace microkit::sel4 {

void report_bad_id(const char* call, const char* what, unsigned int id) {
  microkit_dbg_puts(microkit_name);
  microkit_dbg_putc(' ');
  microkit_dbg_puts(call);
  microkit_dbg_puts(": invalid ");
  microkit_dbg_puts(what);
  microkit_dbg_puts(" '");
  microkit_dbg_put32(id);
  microkit_dbg_puts("'\n");
}

// If a fault handler resumes the PD after the crash, trap again rather
// than return into a call whose invariant is broken.
[[noreturn]] void fail(const char* step, seL4_Error err) {
  microkit_dbg_puts(microkit_name);
  microkit_dbg_puts(": ");
  microkit_dbg_puts(step);
  microkit_dbg_puts(" failed, seL4 error ");
  microkit_dbg_put32(static_cast<seL4_Uint32>(err));
  microkit_dbg_putc('\n');
  microkit_internal_crash(err);
  for (;;) __builtin_trap();
}

}  // namespace microkit::sel4
