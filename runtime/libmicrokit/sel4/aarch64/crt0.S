/* crt0.S: the PD's entry point on AArch64 (the ELF entry, first in .text).
 *
 * Every start at _start runs on a fresh stack: sp is set here to the stack
 * top of runtime/shared/pd_abi.h (one guard page under the IPC buffer),
 * whatever sp the thread had. The initial task starts a PD with that sp
 * already, but a parent restarting a child (microkit_pd_restart) may write
 * only pc, and the child's sp is then wherever its fault left it: without
 * this, each restart would lose the stack in use at the fault.
 * libmicrokit's microkit_stack_top holds the address (computed from the
 * kernel's seL4_UserVSpaceTop), so this file needs no libsel4 header.
 * microkit_main never returns; if it did, the PD traps (a user exception
 * its fault handler reports).
 * Unwind information (.debug_frame): _start is the outermost frame; its
 * return address is undefined, so debuggers stop there instead of walking
 * into garbage ("Backtrace stopped" rather than "corrupt stack").
 */
    .section .text.start, "ax", %progbits
    .global _start
    .type _start, %function
_start:
    .cfi_sections .debug_frame
    .cfi_startproc
    .cfi_undefined x30
    adrp    x0, microkit_stack_top
    ldr     x0, [x0, :lo12:microkit_stack_top]
    mov     sp, x0
    mov     x29, #0             /* end of the frame-pointer chain */
    mov     x30, #0
    bl      microkit_main
1:  brk     #0
    b       1b
    .cfi_endproc
    .size _start, . - _start

    .section .note.GNU-stack, "", %progbits
