/* crt0.S: the PD's entry point on x86-64 (the ELF entry, first in .text).
 *
 * As on AArch64 (aarch64/crt0.S): every start at _start runs on a fresh
 * stack, rsp loaded from libmicrokit's microkit_stack_top (the 16-aligned
 * stack top of runtime/shared/pd_abi.h), whatever rsp the thread had, so a
 * child restarted by its parent does not keep the stack its fault left in
 * use. The call pushes the return address, so microkit_main sees
 * rsp = 16n + 8 as the System V ABI wants. microkit_main never returns; if
 * it did, the PD traps (ud2: an invalid-opcode user exception its fault
 * handler reports).
 * Unwind information (.debug_frame): _start is the outermost frame; its
 * return address is undefined, so debuggers stop there instead of walking
 * into garbage ("Backtrace stopped" rather than "corrupt stack").
 */
    .section .text.start, "ax", @progbits
    .global _start
    .type _start, @function
_start:
    .cfi_sections .debug_frame
    .cfi_startproc
    .cfi_undefined rip
    movq    microkit_stack_top(%rip), %rsp
    xorl    %ebp, %ebp          /* end of the frame-pointer chain */
    call    microkit_main
1:  ud2
    jmp     1b
    .cfi_endproc
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
