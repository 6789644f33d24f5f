/* gdb_abi.h: the contract between the tool and the debugger PD that
 * `microkit build --gdb` adds to a system (docs/debugging.md, "GDB on a live system").
 *
 * The tool decides everything; the debugger reads it:
 *   - Targets: every PD of the system but the debugger, numbered 0..n-1 in
 *     plan order. GDB sees target k as process k+1 with one thread (k+1.1).
 *   - Capabilities in the debugger's CSpace: target k's TCB at
 *     MICROKIT_GDB_SLOT_TCB(k), its VSpace at MICROKIT_GDB_SLOT_VSPACE(k),
 *     its CSpace root CNode at MICROKIT_GDB_SLOT_CNODE(k) (minted with the
 *     guard that makes a slot number a CPtr at depth 64), and the
 *     debugger's own CNode at MICROKIT_GDB_SLOT_SELF_CNODE, with an empty
 *     MICROKIT_GDB_SLOT_SCRATCH beside it (the debugger has no children,
 *     no vCPUs and no I/O ports, so those tables are free). The profiler,
 *     which shares this table, gets only the TCBs.
 *   - Memory: target k's pages in [0, 1 GiB) and in the top 1 GiB of its
 *     address space (stack, IPC buffer) are mapped read-write into the
 *     debugger at a window of its own (MICROKIT_GDB_WINDOW); every mapped
 *     range is listed in the table, so the debugger touches nothing else.
 *   - Faults: a target without a parent faults to the debugger's endpoint
 *     with the fault badge of child id k; a target with a parent keeps it.
 *   - The table below, patched by the tool into the debugger's image at
 *     symbol MICROKIT_GDB_SYM_TABLE: names, scheduling parameters, ranges
 *     (with the memory region each maps, which tells shared pages from
 *     private ones),
 *     the CSpace listings `monitor cspace` prints, and what that command
 *     checks in the kernel: each target's planned slots with the seL4
 *     capability type (cap_get_capType's tag, seL4_DebugCapIdentify's
 *     answer) the plan puts there, and the names of the tags.
 *
 * Works from C++ (host and freestanding); includes only <stdint.h>.
 */
#ifndef MICROKIT_GDB_ABI_H
#define MICROKIT_GDB_ABI_H

#include <stdint.h>

#include "pd_abi.h"

#define MICROKIT_GDB_SYM_TABLE "microkit_gdb_table"

/* Console output of a PD under the debugger: libmicrokit's variable
 * MICROKIT_GDB_SYM_CONSOLE (seL4_Bool, patched to 1 by the tool for every
 * target whose faults go to the debugger) makes microkit_dbg_puts/putc send
 * the text to the debugger instead of the kernel's console: a seL4_Call on
 * the PD's fault endpoint with label MICROKIT_GDB_CONSOLE_LABEL, MR0 = the
 * byte count (at most MICROKIT_GDB_CONSOLE_CHUNK), MR1.. = the bytes, eight
 * per word, little-endian. The debugger forwards them to GDB as 'O'
 * packets and replies at once. */
#define MICROKIT_GDB_SYM_CONSOLE "microkit_gdb_console"
#define MICROKIT_GDB_CONSOLE_LABEL 0x636f6eu /* "con": no seL4 fault label; fits the 52-bit label */
#define MICROKIT_GDB_CONSOLE_CHUNK 256u
#define MICROKIT_GDB_TABLE_MAGIC 0x4244474du /* "MGDB" */
#define MICROKIT_GDB_TABLE_VERSION 2u

#define MICROKIT_GDB_MAX_TARGETS 62u
#define MICROKIT_GDB_MAX_RANGES 512u
#define MICROKIT_GDB_TEXT_BYTES 32768u
#define MICROKIT_GDB_NAME_BYTES 64u
#define MICROKIT_GDB_MAX_CAP_CHECKS 4096u
#define MICROKIT_GDB_CAP_TAGS 32u /* seL4's capability tags have 5 bits */
#define MICROKIT_GDB_CAP_NAME_BYTES 16u

#define MICROKIT_GDB_SLOT_TCB(k) (MICROKIT_PD_BASE_CHILD_TCB + (k))
#define MICROKIT_GDB_SLOT_VSPACE(k) (MICROKIT_PD_BASE_VM_TCB + (k))
#define MICROKIT_GDB_SLOT_CNODE(k) (MICROKIT_PD_BASE_VCPU + (k))
#define MICROKIT_GDB_SLOT_SELF_CNODE MICROKIT_PD_BASE_IOPORT
#define MICROKIT_GDB_SLOT_SCRATCH (MICROKIT_PD_BASE_IOPORT + 1u)

/* The debugger's channels: the UART's receive interrupt. */
#define MICROKIT_GDB_UART_IRQ_CHANNEL 0u
/* Where the UART's registers are mapped in the debugger. */
#define MICROKIT_GDB_UART_VADDR 0x10000000u

/* Windows: target k's address a is at debugger address
 *   BASE + k * SPAN + a                        for a < HALF
 *   BASE + k * SPAN + HALF + (a - (top+1-HALF)) for a in the top HALF,
 * where top is the last user address (seL4_UserVSpaceTop). */
#define MICROKIT_GDB_WINDOW_BASE (UINT64_C(1) << 38)
#define MICROKIT_GDB_WINDOW_HALF (UINT64_C(1) << 30)
#define MICROKIT_GDB_WINDOW_SPAN (UINT64_C(2) << 30)

#ifdef __cplusplus
namespace microkit::gdb_abi {

// The debugger address of target k's address a, or 0 when no window covers it.
constexpr uint64_t window_address(uint64_t k, uint64_t a, uint64_t user_top) {
  uint64_t base = MICROKIT_GDB_WINDOW_BASE + k * MICROKIT_GDB_WINDOW_SPAN;
  uint64_t top_start = user_top + 1 - MICROKIT_GDB_WINDOW_HALF;
  if (a < MICROKIT_GDB_WINDOW_HALF) return base + a;
  if (a >= top_start && a <= user_top) return base + MICROKIT_GDB_WINDOW_HALF + (a - top_start);
  return 0;
}

struct Target {
  char name[MICROKIT_GDB_NAME_BYTES];  // NUL-terminated
  uint64_t priority;
  uint64_t budget_us;
  uint64_t period_us;
  uint32_t passive;      // 1 if passive
  uint32_t parent;       // target number of its parent + 1; 0 = faults come to the debugger
  uint32_t cspace_text;  // offset in Table::text of its CSpace listing
  uint32_t cspace_size;  // bytes of it
  uint32_t check_first;  // its planned capabilities: Table::checks[check_first, +check_count)
  uint32_t check_count;
};

// A planned capability `monitor cspace` checks: its slot and seL4 type tag.
struct CapCheck {
  uint16_t slot;
  uint8_t tag;
  uint8_t reserved;
};

// A mapped range of a target, present in the debugger's window.
struct Range {
  uint32_t target;
  uint32_t mr;  // memory region index + 1; 0 for program, stack and IPC buffer pages
  uint64_t vaddr;
  uint64_t size;
};

struct Table {
  uint32_t magic;    // MICROKIT_GDB_TABLE_MAGIC once patched
  uint32_t version;  // MICROKIT_GDB_TABLE_VERSION
  uint32_t target_count;
  uint32_t range_count;
  uint64_t user_top;  // seL4_UserVSpaceTop of every target
  Target targets[MICROKIT_GDB_MAX_TARGETS];
  Range ranges[MICROKIT_GDB_MAX_RANGES];  // by target, then vaddr
  char text[MICROKIT_GDB_TEXT_BYTES];
  uint32_t check_count;
  uint32_t reserved;
  CapCheck checks[MICROKIT_GDB_MAX_CAP_CHECKS];  // by target, then slot
  char cap_names[MICROKIT_GDB_CAP_TAGS][MICROKIT_GDB_CAP_NAME_BYTES];  // by tag; "" = unknown
};

static_assert(sizeof(Target) == 112, "gdb_abi Target layout");
static_assert(sizeof(CapCheck) == 4, "gdb_abi CapCheck layout");
static_assert(MICROKIT_PD_CNODE_SLOTS <= 0x10000, "a slot fits CapCheck::slot");
static_assert(MICROKIT_GDB_CONSOLE_LABEL < (UINT64_C(1) << 52), "a message label has 52 bits");
static_assert(MICROKIT_GDB_CONSOLE_CHUNK % 8 == 0 && MICROKIT_GDB_CONSOLE_CHUNK / 8 + 1 <= 120,
              "a console chunk fits the message registers");
static_assert(sizeof(Range) == 24, "gdb_abi Range layout");
static_assert(sizeof(Table) == 24 + 62 * 112 + 512 * 24 + 32768 + 8 + 4096 * 4 + 32 * 16, "gdb_abi Table layout");
static_assert(MICROKIT_GDB_MAX_TARGETS <= MICROKIT_PD_TABLE_SIZE, "a TCB and a VSpace slot per target");
static_assert(window_address(0, 0x200000, 0xffffffffff) == MICROKIT_GDB_WINDOW_BASE + 0x200000);
static_assert(window_address(1, 0xfffffff000, 0xffffffffff) ==
              MICROKIT_GDB_WINDOW_BASE + 2 * MICROKIT_GDB_WINDOW_SPAN - 0x1000);
static_assert(window_address(0, MICROKIT_GDB_WINDOW_HALF, 0xffffffffff) == 0);

}  // namespace microkit::gdb_abi
#endif

#endif /* MICROKIT_GDB_ABI_H */
