/*
 * start.S: x86-64 entry of a test PD (tests/qemu/initialiser/pds). The
 * initial task set rip here and rsp to the 16-aligned stack top (pd_abi.h);
 * the call leaves rsp = 16n + 8 at pd_main, as the ABI wants.
 */
    .section .text.start, "ax"
    .global _start
_start:
    call    pd_main
1:  jmp     1b

    .section .note.GNU-stack, "", @progbits
