/*
 * start.S: RISC-V 64 entry of the test root task. seL4 starts the initial
 * thread with a0 = the BootInfo frame's address and no stack: make one (in
 * .bss, which the loader zeroed) and call root_task_main(bootinfo).
 */
    .section .text.start, "ax"
    .global _start
_start:
    la      sp, __stack_top
    call    root_task_main
1:  j       1b

    .section .note.GNU-stack, "", @progbits
