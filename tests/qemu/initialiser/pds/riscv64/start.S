/*
 * start.S: RISC-V 64 entry of a test PD. The initial task set pc here and
 * sp to the stack top (pd_abi.h), so there is nothing to prepare.
 */
    .section .text.start, "ax"
    .global _start
_start:
    call    pd_main
1:  j       1b

    .section .note.GNU-stack, "", @progbits
