/*
 * start.S: RISC-V 64 entry of the initial task. seL4 starts the initial
 * thread with a0 = the BootInfo frame's address and no stack: make one (in
 * .bss, which the loader zeroed) and call initialiser_main(bootinfo), which
 * never returns. No __global_pointer$ is defined, so gp needs no value.
 */
    .section .text.start, "ax"
    .global _start
_start:
    la      sp, __stack_top
    call    initialiser_main
1:  j       1b

    .section .note.GNU-stack, "", @progbits
