/* pd_abi.h: the contract between the tool, the initial task and libmicrokit
 * about what a protection domain finds when it starts on seL4.
 *
 * One definition, three readers: the tool's seL4 planner (host C++20) puts
 * every capability into the slot named here and patches the variables named
 * here into each program image; the initial task (freestanding C++) builds
 * the objects the plan describes; libmicrokit (freestanding, C API) relies on
 * both. Changing any number below changes the ABI: bump
 * MICROKIT_PD_ABI_VERSION, which libmicrokit stores in every PD image
 * (symbol `microkit_pd_abi_version`) so the tool can refuse a program built
 * against another layout.
 *
 * Invariants (checked by the static_asserts at the end):
 *   - The PD's CSpace is ONE CNode of 2^MICROKIT_PD_CNODE_BITS slots whose
 *     capability has guard 0 of size (64 - MICROKIT_PD_CNODE_BITS), so a
 *     CPtr is simply a slot number.
 *   - Each table (notifications, PPC endpoints, IRQs, children, VM TCBs,
 *     vCPUs, I/O ports) has MICROKIT_PD_TABLE_SIZE = 64 slots, indexed by id;
 *     tables do not overlap and all end inside the CNode.
 *   - Channel ids are 0..62: a notification badge is 1 << receiver's id, so
 *     bits 0..62 can be channels and bit 63 never is. Badges that arrive on
 *     the PD's endpoint (PPC and fault) always have bit 63 set; bit 62 then
 *     tells a fault from a protected procedure call. (The official Microkit
 *     uses bit 62 alone for faults and so can only have channels 0..61.)
 *   - The IPC buffer is the page holding seL4_UserVSpaceTop; a guard page
 *     sits below it; the stack ends below that guard and grows down.
 *
 * Works from C (C99; static asserts need C11 or C++) and C++, hosted or
 * freestanding: it includes only <stdint.h>.
 */
#ifndef MICROKIT_PD_ABI_H
#define MICROKIT_PD_ABI_H

#include <stdint.h>

/* Version 2: passive PDs send the monitor nothing after init() (their
 * scheduling context is bound to their notification at boot and the kernel
 * hands it over), and every start at _start takes sp from the stack top. */
#define MICROKIT_PD_ABI_VERSION 2u

/* ---- CSpace: one CNode, CPtr == slot ---- */
#define MICROKIT_PD_CNODE_BITS 10u
#define MICROKIT_PD_CNODE_SLOTS (1u << MICROKIT_PD_CNODE_BITS)
#define MICROKIT_PD_CNODE_GUARD_BITS (64u - MICROKIT_PD_CNODE_BITS) /* guard value 0 */

/* Single slots. Slot 0 stays empty (seL4_CapNull). */
#define MICROKIT_PD_SLOT_INPUT 1u        /* the PD's endpoint if it has one, else its notification */
#define MICROKIT_PD_SLOT_FAULT_EP 2u     /* reserved: where this PD's faults go (badged, see below) */
#define MICROKIT_PD_SLOT_VSPACE 3u       /* the PD's VSpace (top-level page table) */
#define MICROKIT_PD_SLOT_REPLY 4u        /* the PD's MCS Reply object */
#define MICROKIT_PD_SLOT_MONITOR_EP 5u   /* passive PDs: monitor endpoint, badge = monitor badge */
#define MICROKIT_PD_SLOT_TCB 6u          /* the PD's own TCB (benchmark configuration, <cap_tcb>) */
#define MICROKIT_PD_SLOT_ARM_SMC 7u      /* smc="true" on ARM: the SMC capability */
#define MICROKIT_PD_SLOT_SC 8u           /* the PD's own scheduling context (when planned) */
#define MICROKIT_PD_SLOT_NOTIFICATION 9u /* the PD's own notification (bound to its TCB) */

/* Tables: slot = base + id, each MICROKIT_PD_TABLE_SIZE long. */
#define MICROKIT_PD_TABLE_SIZE 64u
#define MICROKIT_PD_BASE_NOTIFICATION 10u  /* + channel id: the peer's notification, badged */
#define MICROKIT_PD_BASE_PPC_ENDPOINT 74u  /* + channel id: the peer's endpoint, badged */
#define MICROKIT_PD_BASE_IRQ 138u          /* + channel id: IRQHandler */
#define MICROKIT_PD_BASE_CHILD_TCB 202u    /* + child id: the child PD's TCB */
#define MICROKIT_PD_BASE_VM_TCB 266u       /* + vcpu id: the VM TCB of that vCPU */
#define MICROKIT_PD_BASE_VCPU 330u         /* + vcpu id: the ARM VCPU object */
#define MICROKIT_PD_BASE_IOPORT 394u       /* + ioport id: x86 I/O port range */
#define MICROKIT_PD_BASE_USER_CAPS 458u    /* + <cspace> slot (1..127): <cap_tcb/sc/vspace> */
#define MICROKIT_PD_MAX_USER_CAPS 128u     /* user slots are 1..MAX-1; 0 is reserved */
#define MICROKIT_PD_SLOTS_END (MICROKIT_PD_BASE_USER_CAPS + MICROKIT_PD_MAX_USER_CAPS)
/* User slot 0 is the tool's (no <cspace> grant may name it). Parents in debug
 * configurations: the initial task's endpoint, report badge. libmicrokit
 * sends each child's fault there first, so the initial task prints the
 * child's fault report; then it calls fault(). Empty elsewhere. */
#define MICROKIT_PD_SLOT_FAULT_REPORT (MICROKIT_PD_BASE_USER_CAPS + 0u)

/* Ids accepted by the tables above (the SDF validator's limits). */
#define MICROKIT_PD_MAX_CHANNEL_ID 62u
#define MICROKIT_PD_MAX_CHILD_ID 62u
#define MICROKIT_PD_MAX_VCPU_ID 61u
#define MICROKIT_PD_MAX_IOPORT_ID 62u

/* ---- Badges ----
 * notification cap for channel (A's id a -> B's id b): B's notification, badge 1 << b
 * IRQ of channel c: the IRQHandler signals the PD's notification with badge 1 << c
 * PPC cap (A's id a -> B's id b): B's endpoint, badge ENDPOINT_BIT | b
 * fault of child/vCPU k: the parent's endpoint, badge ENDPOINT_BIT | FAULT_BIT | k
 * monitor endpoint of the PD with plan index i: badge i + 1 (0 means "no PD")
 * fault report endpoint of the parent with plan index p: REPORT_BIT | (p + 1).
 *   A report message is the child's fault message (label and MRs) with
 *   one more MR, the child id; the initial task finds the child by its
 *   report key, REPORT_KEY(p, child id) (the PD table's fault_badge). */
#define MICROKIT_PD_BADGE_ENDPOINT_BIT 63u
#define MICROKIT_PD_BADGE_FAULT_BIT 62u
#define MICROKIT_PD_BADGE_ID_MASK 0x3fu /* channel id of a PPC, child or vCPU id of a fault */

#define MICROKIT_PD_NOTIFICATION_BADGE(ch) ((uint64_t)1 << (ch))
#define MICROKIT_PD_PPC_BADGE(ch) (((uint64_t)1 << MICROKIT_PD_BADGE_ENDPOINT_BIT) | (uint64_t)(ch))
#define MICROKIT_PD_FAULT_BADGE(child)                                                     \
    (((uint64_t)1 << MICROKIT_PD_BADGE_ENDPOINT_BIT) | ((uint64_t)1 << MICROKIT_PD_BADGE_FAULT_BIT) | \
     (uint64_t)(child))
#define MICROKIT_PD_MONITOR_BADGE(pd_index) ((uint64_t)(pd_index) + 1u)
#define MICROKIT_PD_BADGE_REPORT_BIT 61u
#define MICROKIT_PD_REPORT_BADGE(parent_index) \
    (((uint64_t)1 << MICROKIT_PD_BADGE_REPORT_BIT) | MICROKIT_PD_MONITOR_BADGE(parent_index))
#define MICROKIT_PD_REPORT_KEY(parent_index, child) \
    (MICROKIT_PD_REPORT_BADGE(parent_index) | (((uint64_t)(child) + 1u) << 16))

/* ---- Symbols the tool patches into every PD image (names, sizes) ----
 * Each lives in the initialised data of the image (never .bss) so that the
 * patch lands in file bytes; libmicrokit defines all of them. */
#define MICROKIT_PD_SYM_NAME "microkit_name"                   /* char[64], NUL-terminated */
#define MICROKIT_PD_NAME_BYTES 64u
#define MICROKIT_PD_SYM_PASSIVE "microkit_passive"             /* seL4_Bool (1 byte), 1 if passive */
#define MICROKIT_PD_SYM_IRQS "microkit_irqs"                   /* seL4_Word: bit c = channel c is an IRQ */
#define MICROKIT_PD_SYM_NOTIFICATIONS "microkit_notifications" /* seL4_Word: bit c = may notify on c */
#define MICROKIT_PD_SYM_PPS "microkit_pps"                     /* seL4_Word: bit c = may ppcall on c */
#define MICROKIT_PD_SYM_IOPORTS "microkit_ioports"             /* seL4_Word: bit i = I/O port id i */
/* x86 VT-x VMMs: the id of the vCPU bound to the PD's thread (the child of
 * fault() for a VM exit); patched only when the program defines it. */
#define MICROKIT_PD_SYM_X86_VCPU_ID "microkit_x86_vcpu_id"     /* seL4_Word */
/* Read (not patched) by the tool: the value of MICROKIT_PD_ABI_VERSION the
 * program was built with (uint64_t). */
#define MICROKIT_PD_SYM_ABI_VERSION "microkit_pd_abi_version"
/* The libsel4 IPC-buffer pointer; libmicrokit initialises it to
 * MICROKIT_PD_IPC_BUFFER_VADDR(seL4_UserVSpaceTop), so the tool need not patch it. */
#define MICROKIT_PD_SYM_IPC_BUFFER "__sel4_ipc_buffer"

/* ---- Virtual memory of a PD ----
 * The program is linked at MICROKIT_PD_IMAGE_BASE (microkit.ld). From the
 * top of the user address space down:
 *   [ipc_buffer, ipc_buffer + 4K)          IPC buffer (TCB's buffer address)
 *   [stack_top, ipc_buffer)                guard page, never mapped
 *   [stack_top - stack_size, stack_top)    stack, 4K pages, read-write, never execute
 * The TCB starts with pc = ELF entry (_start), sp = stack_top (16-aligned).
 * SDF maps must end at or below the stack bottom. user_vspace_top is the
 * kernel's seL4_UserVSpaceTop (inclusive: the last user address). */
#define MICROKIT_PD_PAGE_SIZE 0x1000u
#define MICROKIT_PD_IMAGE_BASE 0x200000u
#define MICROKIT_PD_IPC_BUFFER_VADDR(user_vspace_top) \
    ((uint64_t)(user_vspace_top) & ~(uint64_t)(MICROKIT_PD_PAGE_SIZE - 1u))
#define MICROKIT_PD_STACK_TOP(user_vspace_top) \
    (MICROKIT_PD_IPC_BUFFER_VADDR(user_vspace_top) - MICROKIT_PD_PAGE_SIZE)
#define MICROKIT_PD_STACK_BOTTOM(user_vspace_top, stack_size) \
    (MICROKIT_PD_STACK_TOP(user_vspace_top) - (uint64_t)(stack_size))

#ifdef __cplusplus
namespace microkit::pd_abi {

inline constexpr uint32_t kVersion = MICROKIT_PD_ABI_VERSION;
inline constexpr uint64_t kCNodeBits = MICROKIT_PD_CNODE_BITS;
inline constexpr uint64_t kCNodeGuardBits = MICROKIT_PD_CNODE_GUARD_BITS;

// The CPtr (== slot) of each table entry; callers have checked the id.
constexpr uint64_t notification_slot(uint64_t channel) { return MICROKIT_PD_BASE_NOTIFICATION + channel; }
constexpr uint64_t ppc_endpoint_slot(uint64_t channel) { return MICROKIT_PD_BASE_PPC_ENDPOINT + channel; }
constexpr uint64_t irq_slot(uint64_t channel) { return MICROKIT_PD_BASE_IRQ + channel; }
constexpr uint64_t child_tcb_slot(uint64_t child) { return MICROKIT_PD_BASE_CHILD_TCB + child; }
constexpr uint64_t vm_tcb_slot(uint64_t vcpu) { return MICROKIT_PD_BASE_VM_TCB + vcpu; }
constexpr uint64_t vcpu_slot(uint64_t vcpu) { return MICROKIT_PD_BASE_VCPU + vcpu; }
constexpr uint64_t ioport_slot(uint64_t ioport) { return MICROKIT_PD_BASE_IOPORT + ioport; }
constexpr uint64_t user_cap_slot(uint64_t slot) { return MICROKIT_PD_BASE_USER_CAPS + slot; }

constexpr uint64_t notification_badge(uint64_t channel) { return MICROKIT_PD_NOTIFICATION_BADGE(channel); }
constexpr uint64_t ppc_badge(uint64_t channel) { return MICROKIT_PD_PPC_BADGE(channel); }
constexpr uint64_t fault_badge(uint64_t child) { return MICROKIT_PD_FAULT_BADGE(child); }
constexpr uint64_t monitor_badge(uint64_t pd_index) { return MICROKIT_PD_MONITOR_BADGE(pd_index); }
constexpr uint64_t report_badge(uint64_t parent_index) { return MICROKIT_PD_REPORT_BADGE(parent_index); }
constexpr uint64_t report_key(uint64_t parent_index, uint64_t child) { return MICROKIT_PD_REPORT_KEY(parent_index, child); }
constexpr bool is_report_badge(uint64_t badge) { return (badge >> MICROKIT_PD_BADGE_REPORT_BIT) & 1; }
// The parent's plan index from its report badge.
constexpr uint64_t report_parent(uint64_t badge) { return (badge & 0xffffu) - 1u; }

// How libmicrokit reads a badge received on its input capability.
enum class BadgeKind { Notification, Ppc, Fault };
constexpr BadgeKind badge_kind(uint64_t badge) {
  if ((badge >> MICROKIT_PD_BADGE_ENDPOINT_BIT) == 0) return BadgeKind::Notification;
  if ((badge >> MICROKIT_PD_BADGE_FAULT_BIT) & 1) return BadgeKind::Fault;
  return BadgeKind::Ppc;
}
constexpr uint64_t badge_id(uint64_t badge) { return badge & MICROKIT_PD_BADGE_ID_MASK; }

constexpr uint64_t ipc_buffer_vaddr(uint64_t user_vspace_top) { return MICROKIT_PD_IPC_BUFFER_VADDR(user_vspace_top); }
constexpr uint64_t stack_top(uint64_t user_vspace_top) { return MICROKIT_PD_STACK_TOP(user_vspace_top); }
constexpr uint64_t stack_bottom(uint64_t user_vspace_top, uint64_t stack_size) {
  return MICROKIT_PD_STACK_BOTTOM(user_vspace_top, stack_size);
}

// ---- Layout invariants ----
constexpr bool table_fits(uint64_t base, uint64_t next) { return base + MICROKIT_PD_TABLE_SIZE <= next; }
static_assert(MICROKIT_PD_SLOT_NOTIFICATION < MICROKIT_PD_BASE_NOTIFICATION, "single slots precede the tables");
static_assert(table_fits(MICROKIT_PD_BASE_NOTIFICATION, MICROKIT_PD_BASE_PPC_ENDPOINT));
static_assert(table_fits(MICROKIT_PD_BASE_PPC_ENDPOINT, MICROKIT_PD_BASE_IRQ));
static_assert(table_fits(MICROKIT_PD_BASE_IRQ, MICROKIT_PD_BASE_CHILD_TCB));
static_assert(table_fits(MICROKIT_PD_BASE_CHILD_TCB, MICROKIT_PD_BASE_VM_TCB));
static_assert(table_fits(MICROKIT_PD_BASE_VM_TCB, MICROKIT_PD_BASE_VCPU));
static_assert(table_fits(MICROKIT_PD_BASE_VCPU, MICROKIT_PD_BASE_IOPORT));
static_assert(table_fits(MICROKIT_PD_BASE_IOPORT, MICROKIT_PD_BASE_USER_CAPS));
static_assert(MICROKIT_PD_SLOTS_END <= MICROKIT_PD_CNODE_SLOTS, "every slot fits in the CNode");
static_assert(MICROKIT_PD_CNODE_BITS + MICROKIT_PD_CNODE_GUARD_BITS == 64, "CPtr resolves in one level");
static_assert(MICROKIT_PD_MAX_CHANNEL_ID < MICROKIT_PD_BADGE_ENDPOINT_BIT, "channel bits never reach bit 63");
static_assert(MICROKIT_PD_MAX_CHANNEL_ID < MICROKIT_PD_TABLE_SIZE && MICROKIT_PD_MAX_CHILD_ID < MICROKIT_PD_TABLE_SIZE &&
              MICROKIT_PD_MAX_VCPU_ID < MICROKIT_PD_TABLE_SIZE && MICROKIT_PD_MAX_IOPORT_ID < MICROKIT_PD_TABLE_SIZE);
static_assert(MICROKIT_PD_BADGE_ID_MASK >= MICROKIT_PD_MAX_CHANNEL_ID && MICROKIT_PD_BADGE_ID_MASK >= MICROKIT_PD_MAX_CHILD_ID);
static_assert(badge_kind(notification_badge(MICROKIT_PD_MAX_CHANNEL_ID)) == BadgeKind::Notification);
static_assert(badge_kind(notification_badge(0) | notification_badge(62)) == BadgeKind::Notification);
static_assert(badge_kind(ppc_badge(MICROKIT_PD_MAX_CHANNEL_ID)) == BadgeKind::Ppc);
static_assert(badge_kind(fault_badge(MICROKIT_PD_MAX_CHILD_ID)) == BadgeKind::Fault);
static_assert(badge_id(fault_badge(MICROKIT_PD_MAX_CHILD_ID)) == MICROKIT_PD_MAX_CHILD_ID);
static_assert(badge_id(ppc_badge(MICROKIT_PD_MAX_CHANNEL_ID)) == MICROKIT_PD_MAX_CHANNEL_ID);
static_assert(report_parent(report_badge(63)) == 63 && !is_report_badge(monitor_badge(63)));
static_assert(report_key(63, MICROKIT_PD_MAX_CHILD_ID) != report_key(62, MICROKIT_PD_MAX_CHILD_ID));
static_assert(is_report_badge(report_key(0, 0)) && report_key(0, 0) != report_badge(0), "a key is never a badge");
static_assert(ipc_buffer_vaddr(0xffffffffffull) == 0xfffffff000ull, "aarch64 hyp, 40-bit PA");
static_assert(stack_top(0xffffffffffull) == 0xffffffe000ull, "one guard page under the IPC buffer");
static_assert(stack_top(0xffffffffffull) % 16 == 0, "AArch64 needs a 16-aligned sp");

}  // namespace microkit::pd_abi
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(MICROKIT_PD_SLOTS_END <= MICROKIT_PD_CNODE_SLOTS, "every slot fits in the CNode");
_Static_assert(MICROKIT_PD_MAX_CHANNEL_ID < MICROKIT_PD_BADGE_ENDPOINT_BIT, "channel bits never reach bit 63");
#endif

#endif /* MICROKIT_PD_ABI_H */
