/*
 * start.S: x86-64 entry of the test root task. seL4 starts the initial
 * thread with rdi = the BootInfo frame's address (the first argument
 * register) and no stack: make one (in .bss, which the kernel zeroed) and
 * call root_task_main(bootinfo); the call leaves rsp = 16n + 8 at entry,
 * as the ABI wants.
 */
    .section .text.start, "ax"
    .global _start
_start:
    leaq    __stack_top(%rip), %rsp
    call    root_task_main
1:  jmp     1b

    .section .note.GNU-stack, "", @progbits
