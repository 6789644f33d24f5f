/* microkit.h: the public libmicrokit API, as the Microkit manual defines it.
 *
 * One header for every port. A protection domain's program includes it and
 * provides the entry points (init, notified, and where needed protected and
 * fault); the library provides the calls below. The same source compiles for
 * seL4 (this header then includes <sel4/sel4.h> and the calls become seL4
 * system calls) and for the host platform (MICROKIT_HOST defined: each PD is
 * a Linux process and every call goes to the host launcher, which plays the
 * kernel; see docs/host-platform.md).
 *
 * Works from C (C99 and later) and C++ (all declarations are extern "C").
 * `protected` is a C++ keyword, so C++ programs define the protected entry
 * point as `microkit_protected`, which this header binds to the same symbol
 * (`protected`) that a C program defines.
 *
 * Invariants shared by all ports: channel identifiers are 0..62; message
 * registers are 0..63; a message's label is 52 bits and its count at most 64.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#if defined(MICROKIT_HOST)
/* The host port has no libsel4: it defines the few seL4 types that the
 * Microkit API uses, with the same widths and the same message-info layout
 * (label 63..12, caps-unwrapped 11..9, extra caps 8..7, length 6..0). */
typedef uint64_t seL4_Word;
typedef uint64_t seL4_CPtr;
typedef uint8_t seL4_Uint8;
typedef uint16_t seL4_Uint16;
typedef uint32_t seL4_Uint32;
typedef uint64_t seL4_Uint64;
typedef int8_t seL4_Bool;
#define seL4_True ((seL4_Bool)1)
#define seL4_False ((seL4_Bool)0)
#define seL4_CapNull ((seL4_CPtr)0)
typedef struct seL4_MessageInfo { seL4_Word words[1]; } seL4_MessageInfo_t;

/* seL4 fault labels (MCS kernel, x86-64) that the host port reports. */
#define seL4_Fault_NullFault 0
#define seL4_Fault_CapFault 1
#define seL4_Fault_UnknownSyscall 2
#define seL4_Fault_UserException 3
#define seL4_Fault_Timeout 5
#define seL4_Fault_VMFault 6
/* Message registers of a VM fault and of a user exception (seL4 x86-64). */
#define seL4_VMFault_IP 0
#define seL4_VMFault_Addr 1
#define seL4_VMFault_PrefetchFault 2
#define seL4_VMFault_FSR 3
#define seL4_VMFault_Length 4
#define seL4_UserException_FaultIP 0
#define seL4_UserException_SP 1
#define seL4_UserException_FLAGS 2
#define seL4_UserException_Number 3
#define seL4_UserException_Code 4
#define seL4_UserException_Length 5
#define seL4_CapFault_IP 0
#define seL4_CapFault_Addr 1
#define seL4_CapFault_InRecvPhase 2
#define seL4_CapFault_LookupFailureType 3
#define seL4_CapFault_Length 4
/* An unknown system call (on the host: a Linux system call the PD's sandbox
 * forbids): the registers at the call, in seL4 x86-64's order; Syscall is
 * the Linux system call number and FaultIP the syscall instruction. */
#define seL4_UnknownSyscall_RAX 0
#define seL4_UnknownSyscall_RBX 1
#define seL4_UnknownSyscall_RCX 2
#define seL4_UnknownSyscall_RDX 3
#define seL4_UnknownSyscall_RSI 4
#define seL4_UnknownSyscall_RDI 5
#define seL4_UnknownSyscall_RBP 6
#define seL4_UnknownSyscall_R8 7
#define seL4_UnknownSyscall_R9 8
#define seL4_UnknownSyscall_R10 9
#define seL4_UnknownSyscall_R11 10
#define seL4_UnknownSyscall_R12 11
#define seL4_UnknownSyscall_R13 12
#define seL4_UnknownSyscall_R14 13
#define seL4_UnknownSyscall_R15 14
#define seL4_UnknownSyscall_FaultIP 15
#define seL4_UnknownSyscall_SP 16
#define seL4_UnknownSyscall_FLAGS 17
#define seL4_UnknownSyscall_Syscall 18
#define seL4_UnknownSyscall_Length 19
#else
/* libsel4's headers are C: from C++ their declarations (__assert_fail,
 * which libsel4's debug checks call, among them) need C linkage too. */
#ifdef __cplusplus
extern "C" {
#endif
#include <sel4/sel4.h>
#if defined(CONFIG_ARCH_X86_64)
#include <sel4/arch/vmenter.h> /* SEL4_VMENTER_*: a VM exit's message registers (CONFIG_VTX) */
#endif
#ifdef __cplusplus
}
#endif
#include "pd_abi.h" /* the seL4 PD CSpace layout (runtime/shared/pd_abi.h) */
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned int microkit_channel;
typedef unsigned int microkit_child;
typedef unsigned int microkit_ioport;
typedef seL4_MessageInfo_t microkit_msginfo;

#define MICROKIT_MAX_CHANNELS 63
#define MICROKIT_MAX_CHANNEL_ID (MICROKIT_MAX_CHANNELS - 1)
#define MICROKIT_MAX_MRS 64
#define MICROKIT_PD_NAME_LENGTH 64

/* ---- Entry points the program provides ---- */
void init(void);
void notified(microkit_channel ch);
#ifdef __cplusplus
microkit_msginfo microkit_protected(microkit_channel ch, microkit_msginfo msginfo)
    __asm__("protected");
#else
microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo);
#endif
seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo);

/* The PD's name from the system description, NUL-terminated. */
extern char microkit_name[MICROKIT_PD_NAME_LENGTH];

/* ---- Messages (pure functions) ----
 * On seL4 they are libsel4's message-info functions, so a debug build
 * checks label (52 bits) and count (7 bits) as the official library does
 * (a failed check calls __assert_fail). The host port has no libsel4: it
 * keeps the same bits and drops the rest. */
static inline microkit_msginfo microkit_msginfo_new(seL4_Word label, seL4_Uint16 count)
{
#if defined(MICROKIT_HOST)
    microkit_msginfo m;
    m.words[0] = ((label & 0xfffffffffffffull) << 12) | ((seL4_Word)count & 0x7fu);
    return m;
#else
    return seL4_MessageInfo_new(label, 0, 0, count);
#endif
}

static inline seL4_Word microkit_msginfo_get_label(microkit_msginfo msginfo)
{
    return msginfo.words[0] >> 12;
}

static inline seL4_Word microkit_msginfo_get_count(microkit_msginfo msginfo)
{
    return msginfo.words[0] & 0x7fu;
}

/* ---- Calls ---- */
microkit_msginfo microkit_ppcall(microkit_channel ch, microkit_msginfo msginfo);
void microkit_notify(microkit_channel ch);
void microkit_irq_ack(microkit_channel ch);
void microkit_deferred_notify(microkit_channel ch);
void microkit_deferred_irq_ack(microkit_channel ch);
void microkit_pd_restart(microkit_child pd, seL4_Word entry_point);
void microkit_pd_stop(microkit_child pd);
void microkit_pd_resume(microkit_child pd);
void microkit_mr_set(seL4_Uint8 mr, seL4_Word value);
seL4_Word microkit_mr_get(seL4_Uint8 mr);

/* ---- Faults, decoded (a parent's fault(); docs/debugging.md) ----
 * microkit_fault_decode reads the fault message a parent's fault() was
 * given (its label and message registers: call it before writing any MR)
 * and says what happened in words that are the same on every architecture:
 * AArch64, RISC-V 64 and x86-64 on seL4, and the host port. */
typedef enum microkit_fault_kind {
    MICROKIT_FAULT_UNKNOWN = 0,         /* not a fault label this library knows */
    MICROKIT_FAULT_VM = 1,              /* a memory access the PD's mappings do not allow */
    MICROKIT_FAULT_CAP = 2,             /* an invalid capability invoked */
    MICROKIT_FAULT_USER_EXCEPTION = 3,  /* an instruction the CPU refused */
    MICROKIT_FAULT_UNKNOWN_SYSCALL = 4, /* a system call seL4 does not have */
    MICROKIT_FAULT_TIMEOUT = 5,         /* MCS: the budget ran out (timeout faults) */
    MICROKIT_FAULT_DEBUG_EXCEPTION = 6, /* hardware breakpoint, watchpoint or step */
    MICROKIT_FAULT_VCPU = 7             /* a virtual machine's vCPU event (for a VMM) */
} microkit_fault_kind;

typedef enum microkit_fault_access {
    MICROKIT_FAULT_ACCESS_NONE = 0,     /* not a memory access fault */
    MICROKIT_FAULT_ACCESS_READ = 1,
    MICROKIT_FAULT_ACCESS_WRITE = 2,
    MICROKIT_FAULT_ACCESS_EXECUTE = 3,  /* an instruction fetch */
    MICROKIT_FAULT_ACCESS_UNKNOWN = 4   /* a VM fault whose status word does not say */
} microkit_fault_access;

typedef struct microkit_fault {
    microkit_fault_kind kind;
    microkit_fault_access access;
    seL4_Word label;    /* the seL4 fault label, as received */
    seL4_Word pc;       /* the faulting instruction (0 for timeouts and vCPU events) */
    seL4_Word address;  /* VM fault: the address accessed; cap fault: the CPtr;
                           debug exception: the watchpoint's trigger address */
    seL4_Word status;   /* VM fault: ESR (AArch64), scause (RISC-V), error code (x86-64);
                           user exception: its code; unknown syscall: its number;
                           debug exception: the reason */
    seL4_Word number;   /* user exception: its number */
} microkit_fault;

/* Fills *fault from the fault message `msginfo` describes; returns false
 * (and kind MICROKIT_FAULT_UNKNOWN) for a label it does not know. */
seL4_Bool microkit_fault_decode(microkit_msginfo msginfo, microkit_fault *fault);
/* "VM fault", "cap fault", ... and "read", "write", "execute", ... */
const char *microkit_fault_kind_name(microkit_fault_kind kind);
const char *microkit_fault_access_name(microkit_fault_access access);

/* The event timeline (docs/tracing.md). In a program linked against the
 * trace build of libmicrokit (libmicrokit_trace.a) and a system built with
 * `microkit --trace`, prints the events recorded since the last dump on the
 * debug console (seL4 debug kernels; the trace library also does this each
 * time the PD blocks). Does nothing otherwise, and on the host platform,
 * where the launcher writes every PD's events at the end of the run. */
void microkit_trace_dump(void);

/* Debug console output (in the debug configuration on seL4; always on host). */
void microkit_dbg_putc(int c);
void microkit_dbg_puts(const char *s);
void microkit_dbg_put8(seL4_Uint8 x);
void microkit_dbg_put32(seL4_Uint32 x);

#if !defined(MICROKIT_HOST)
/* ---- seL4 port only (runtime/libmicrokit/sel4; docs/sel4-abi.md) ----
 * Names the official libmicrokit exposes beyond the manual's API, for
 * programs that use them. CSpace slots come from pd_abi.h; a CPtr is a slot. */
#define MONITOR_EP MICROKIT_PD_SLOT_MONITOR_EP
#define TCB_CAP MICROKIT_PD_SLOT_TCB
#define ARM_SMC_CAP MICROKIT_PD_SLOT_ARM_SMC
#define BASE_OUTPUT_NOTIFICATION_CAP MICROKIT_PD_BASE_NOTIFICATION
#define BASE_ENDPOINT_CAP MICROKIT_PD_BASE_PPC_ENDPOINT
#define BASE_IRQ_CAP MICROKIT_PD_BASE_IRQ
#define BASE_TCB_CAP MICROKIT_PD_BASE_CHILD_TCB
#define BASE_VM_TCB_CAP MICROKIT_PD_BASE_VM_TCB
#define BASE_VCPU_CAP MICROKIT_PD_BASE_VCPU
#define BASE_IOPORT_CAP MICROKIT_PD_BASE_IOPORT
#define BASE_USER_CAPS MICROKIT_PD_BASE_USER_CAPS
#define MICROKIT_MAX_USER_CAPS MICROKIT_PD_MAX_USER_CAPS
#define MICROKIT_MAX_IOPORT_ID MICROKIT_PD_MAX_IOPORT_ID
/* The PD's root CNode: 2^PD_ROOT_CAP_BITS slots (pd_abi.h: one CNode whose
 * guard makes a CPtr a slot number). */
#define PD_ROOT_CAP_BITS MICROKIT_PD_CNODE_BITS
#define PD_ROOT_CAP_SIZE (1ULL << PD_ROOT_CAP_BITS)

/* Written by the tool into the program image: bit c set = channel c is an
 * IRQ / may be notified / may be ppcalled; bit i = I/O port id i. */
extern seL4_Word microkit_irqs;
extern seL4_Word microkit_notifications;
extern seL4_Word microkit_pps;
extern seL4_Word microkit_ioports;
/* The deferred signal, sent together with the next receive. */
extern seL4_Bool microkit_have_signal;
extern seL4_CPtr microkit_signal_cap;
extern seL4_MessageInfo_t microkit_signal_msg;

/* Stops the PD with a VM fault at address `err`, which its fault handler
 * reports (the official libmicrokit does the same). */
void microkit_internal_crash(seL4_Error err);

/* libsel4's debug checks (seL4_DebugAssert, on unless NDEBUG) call this
 * when one fails, e.g. seL4_MessageInfo_new with a label that does not fit.
 * libmicrokit defines it weak: it prints the check and where it failed,
 * then stops the PD like microkit_internal_crash. A program may define its
 * own. (Declared by <sel4/assert.h>, with this signature.) */
/* void __assert_fail(const char *str, const char *file, int line, const char *function); */

/* The CPtr of <cspace> slot `slot` (1..MICROKIT_MAX_USER_CAPS-1), else seL4_CapNull. */
seL4_CPtr microkit_cspace_root_slot_to_cptr(seL4_Word slot);

/* The PD's CSpace root as seL4 calls address it (docs/cspace.md): a CPtr is
 * a slot number, resolved with MICROKIT_CSPACE_DEPTH bits (the root CNode's
 * guard covers the bits above its MICROKIT_PD_CNODE_BITS). The tool never
 * puts a cap at or above MICROKIT_CSPACE_FIRST_FREE_SLOT. */
#define MICROKIT_CSPACE_DEPTH 64u
#define MICROKIT_CSPACE_ROOT_SLOTS MICROKIT_PD_CNODE_SLOTS
#define MICROKIT_CSPACE_FIRST_FREE_SLOT MICROKIT_PD_SLOTS_END
/* The CPtr of the PD's own CSpace root CNode when its <cspace> grants it
 * (<cap_cnode pd="this PD">), else seL4_CapNull; written by the tool. */
extern seL4_CPtr microkit_cspace_cnode;

#if defined(CONFIG_ARM_HYPERVISOR_SUPPORT)
void microkit_vcpu_restart(microkit_child vcpu, seL4_Word entry_point);
void microkit_vcpu_stop(microkit_child vcpu);
void microkit_vcpu_arm_inject_irq(microkit_child vcpu, seL4_Uint16 irq, seL4_Uint8 priority,
                                  seL4_Uint8 group, seL4_Uint8 index);
void microkit_vcpu_arm_ack_vppi(microkit_child vcpu, seL4_Word irq);
seL4_Word microkit_vcpu_arm_read_reg(microkit_child vcpu, seL4_Word reg);
void microkit_vcpu_arm_write_reg(microkit_child vcpu, seL4_Word reg, seL4_Word value);
#endif
#if defined(CONFIG_ALLOW_SMC_CALLS)
void microkit_arm_smc_call(seL4_ARM_SMCContext *args, seL4_ARM_SMCContext *response);
#endif
#if defined(CONFIG_ARCH_X86_64)
/* x86-64: I/O ports granted by <ioport> (ioport_id is its id; port_addr an
 * absolute port number inside the granted range). */
void microkit_x86_ioport_write_8(microkit_ioport ioport_id, seL4_Word port_addr, seL4_Word data);
void microkit_x86_ioport_write_16(microkit_ioport ioport_id, seL4_Word port_addr, seL4_Word data);
void microkit_x86_ioport_write_32(microkit_ioport ioport_id, seL4_Word port_addr, seL4_Word data);
seL4_Uint8 microkit_x86_ioport_read_8(microkit_ioport ioport_id, seL4_Word port_addr);
seL4_Uint16 microkit_x86_ioport_read_16(microkit_ioport ioport_id, seL4_Word port_addr);
seL4_Uint32 microkit_x86_ioport_read_32(microkit_ioport ioport_id, seL4_Word port_addr);
#endif
#if defined(CONFIG_ARCH_X86_64) && defined(CONFIG_VTX)
/* x86-64 with VT-x (x86_64_generic_vtx): a PD's virtual machine. Its one
 * vCPU is bound to the PD's own thread. While it is on, the PD enters the
 * guest (seL4_VMEnter) instead of waiting after each entry point returns; a
 * VM exit reaches fault(vcpu id, ...) with the exit's message registers
 * (SEL4_VMENTER_*), and a fault() that returns false turns the vCPU off.
 * The guest's rip, primary processor-based controls and entry interruption
 * info travel with each VMEnter: they are kept here, not in the VMCS. */
struct microkit_x86_vcpu_state {
    seL4_Bool is_on;
    seL4_Word rip;
    seL4_Word prim_proc_ctl;
    seL4_Word irq_info;
};
extern struct microkit_x86_vcpu_state microkit_x86_vcpu_state;
/* VMCS field encodings (Intel SDM, appendix B) of the three fields above. */
#define MICROKIT_VMX_GUEST_RIP 0x0000681E
#define MICROKIT_VMX_CONTROL_PRIMARY_PROCESSOR_CONTROLS 0x00004002
#define MICROKIT_VMX_CONTROL_ENTRY_INTERRUPTION_INFO 0x00004016
seL4_Word microkit_vcpu_x86_read_vmcs(microkit_child vcpu, seL4_Word field);
void microkit_vcpu_x86_write_vmcs(microkit_child vcpu, seL4_Word field, seL4_Word value);
seL4_Word microkit_vcpu_x86_read_msr(microkit_child vcpu, seL4_Word field);
void microkit_vcpu_x86_write_msr(microkit_child vcpu, seL4_Word field, seL4_Word value);
void microkit_vcpu_x86_enable_ioport(microkit_child vcpu, microkit_ioport ioport_id, seL4_Word port_addr,
                                     seL4_Word length);
void microkit_vcpu_x86_disable_ioport(microkit_child vcpu, seL4_Word port_addr, seL4_Word length);
void microkit_vcpu_x86_write_regs(microkit_child vcpu, seL4_VCPUContext *regs);
/* Whether the PD's own vCPU runs after each return from an entry point. */
void microkit_vcpu_x86_on(void);
void microkit_vcpu_x86_off(void);
#endif
#endif /* !MICROKIT_HOST */

#if defined(MICROKIT_HOST)
/* ---- Host platform only ---- */

/* Ends the whole run: the launcher stops every PD and exits with `status`
 * (0 prints "microkit-host: PASS", anything else "microkit-host: FAIL"). */
void microkit_host_exit(int status) __attribute__((noreturn));

/* Virtual time in nanoseconds (deterministic mode) as of this PD's last
 * entry into the launcher. The timer device reads the same clock. */
uint64_t microkit_host_time_ns(void);

/* Device models of the host board (docs/host-platform.md). Map an MR with
 * this phys_addr and size 0x1000 (cached="false") to reach the device; give
 * the driver PD an <irq> with this irq number. Register writes take effect
 * at the PD's next libmicrokit call or entry-point return. */
#define MICROKIT_HOST_TIMER_PADDR 0xfe000000ull
#define MICROKIT_HOST_TIMER_IRQ 1
#define MICROKIT_HOST_TIMER_NOW 0x00      /* R:  virtual time, ns */
#define MICROKIT_HOST_TIMER_TIMEOUT 0x08  /* RW: first expiry, ns after START */
#define MICROKIT_HOST_TIMER_PERIOD 0x10   /* RW: 0 one-shot, else period in ns */
#define MICROKIT_HOST_TIMER_CMD 0x18      /* W:  1 START, 2 STOP; reads 0 once done */
#define MICROKIT_HOST_TIMER_COUNT 0x20    /* R:  expiries so far */
#define MICROKIT_HOST_TIMER_CMD_START 1
#define MICROKIT_HOST_TIMER_CMD_STOP 2

#define MICROKIT_HOST_SERIAL_PADDR 0xfe001000ull
#define MICROKIT_HOST_SERIAL_IRQ 2
#define MICROKIT_HOST_SERIAL_TX_LEN 0x00  /* RW: bytes waiting in TX_BUF; 0 once sent */
#define MICROKIT_HOST_SERIAL_RX_LEN 0x08  /* RW: bytes waiting in RX_BUF; write 0 to consume */
#define MICROKIT_HOST_SERIAL_TX_BUF 0x100 /* 1024 bytes */
#define MICROKIT_HOST_SERIAL_RX_BUF 0x500 /* 1024 bytes */
#define MICROKIT_HOST_SERIAL_BUF_SIZE 1024
#endif

#ifdef __cplusplus
}
#endif
