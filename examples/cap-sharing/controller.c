/*
 * controller: uses the capabilities cap-sharing.system puts in its CSpace
 * (slots.h) to act on the worker's thread directly:
 *   - it suspends the worker's TCB, so a notification stays pending;
 *   - it reads the suspended worker's saved registers;
 *   - it reads the worker's scheduling context's consumed time;
 *   - it lowers the worker's priority below its own (its own TCB cap is the
 *     authority: its maximum controlled priority is its priority, 40);
 *   - it resumes the worker, which then takes the pending notification only
 *     once the controller's init returns.
 * The order of the lines on the serial port shows each step took effect.
 */
#include <microkit.h>

#include "slots.h"

#define WORKER_TCB microkit_cspace_root_slot_to_cptr(SLOT_WORKER_TCB)
#define WORKER_SC microkit_cspace_root_slot_to_cptr(SLOT_WORKER_SC)
#define CONTROLLER_TCB microkit_cspace_root_slot_to_cptr(SLOT_CONTROLLER_TCB)

#define WORKER_STACK_SIZE 0x2000 /* the default stack_size */

static void put_dec(seL4_Word v)
{
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) microkit_dbg_putc(digits[--n]);
}

/* Says whether an invocation worked; returns whether it did. */
static int check(const char *what, seL4_Error err)
{
    microkit_dbg_puts("controller: ");
    microkit_dbg_puts(what);
    if (err == seL4_NoError) {
        microkit_dbg_puts(": ok\n");
        return 1;
    }
    microkit_dbg_puts(": FAILED with seL4 error ");
    put_dec((seL4_Word)err);
    microkit_dbg_puts("\n");
    return 0;
}

/* The slot-to-CPtr mapping of the manual: user slot n is CNode slot 458 + n. */
static void show_slots(void)
{
    microkit_dbg_puts("controller: worker TCB in slot 1 = cptr ");
    put_dec(WORKER_TCB);
    microkit_dbg_puts("; slots 0 and 128 = cptrs ");
    put_dec(microkit_cspace_root_slot_to_cptr(0));
    microkit_dbg_puts(" and ");
    put_dec(microkit_cspace_root_slot_to_cptr(MICROKIT_MAX_USER_CAPS));
    microkit_dbg_puts(" (seL4_CapNull: out of range)\n");
}

/* The suspended worker is blocked in libmicrokit's event loop: its saved
 * stack pointer must lie inside its stack (pd_abi.h places the stack just
 * below the IPC buffer at the top of the address space). */
static void read_worker_registers(void)
{
    seL4_UserContext regs;
    seL4_Error err = seL4_TCB_ReadRegisters(WORKER_TCB, seL4_False, 0,
                                            sizeof regs / sizeof(seL4_Word), &regs);
    if (!check("reading the suspended worker's registers", err)) return;
    seL4_Word top = MICROKIT_PD_STACK_TOP(seL4_UserVSpaceTop);
    seL4_Word bottom = MICROKIT_PD_STACK_BOTTOM(seL4_UserVSpaceTop, WORKER_STACK_SIZE);
#if defined(CONFIG_ARCH_X86_64)
    /* Blocked in a system call, libsel4's x86-64 stub keeps the stack
     * pointer in rbx across the syscall instruction and the kernel does not
     * save rsp on that entry path (handle_fastsyscall); preempted by the
     * timer in user mode (its budget can run out while it prints on a slow
     * QEMU), rsp is saved and rbx is whatever the code left there. */
    int inside = (regs.rsp > bottom && regs.rsp <= top) || (regs.rbx > bottom && regs.rbx <= top);
#else
    int inside = regs.sp > bottom && regs.sp <= top;
#endif
    microkit_dbg_puts(inside ? "controller: its stack pointer lies in its stack\n"
                             : "controller: its stack pointer is OUTSIDE its stack\n");
}

void init(void)
{
    show_slots();
    microkit_dbg_puts("controller: notifying the worker\n");
    microkit_notify(WORKER_CHANNEL); /* the worker (priority 50) runs now */

    if (!check("suspending the worker through its TCB cap", seL4_TCB_Suspend(WORKER_TCB))) return;
    microkit_notify(WORKER_CHANNEL);
    microkit_dbg_puts("controller: notified the suspended worker; it stays silent\n");
    read_worker_registers();

    seL4_SchedContext_Consumed_t consumed = seL4_SchedContext_Consumed(WORKER_SC);
    check("reading the worker's consumed time through its SC cap", consumed.error);

    check("lowering the worker's priority from 50 to 30",
          seL4_TCB_SetPriority(WORKER_TCB, CONTROLLER_TCB, WORKER_LOWERED_PRIORITY));
    check("resuming the worker", seL4_TCB_Resume(WORKER_TCB));
    microkit_dbg_puts("controller: init done; the worker runs once I wait\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
