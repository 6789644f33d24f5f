/* crt0.S: the PD's entry point on RISC-V 64 (the ELF entry, first in .text).
 *
 * As on AArch64 (aarch64/crt0.S): every start at _start runs on a fresh
 * stack, sp loaded from libmicrokit's microkit_stack_top (the stack top of
 * runtime/shared/pd_abi.h), whatever sp the thread had, so a child
 * restarted by its parent does not keep the stack its fault left in use.
 * microkit.ld defines no __global_pointer$, so the linker never makes code
 * gp-relative and gp needs no value. microkit_main never returns; if it
 * did, the PD traps (ebreak: a user exception its fault handler reports).
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
    .cfi_undefined ra
    lla     t0, microkit_stack_top
    ld      sp, 0(t0)
    li      ra, 0               /* end of the call chain */
    li      s0, 0               /* and of the frame-pointer chain */
    call    microkit_main
1:  ebreak
    j       1b
    .cfi_endproc
    .size _start, . - _start

    .section .note.GNU-stack, "", %progbits
