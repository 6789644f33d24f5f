/* The two worker programs, built by the Makefile before the loader and
 * embedded here as they are (ELF files, symbols kept for patching). */
    .section .rodata.programs, "a"
    .balign 8
    .global first_elf
first_elf:
    .incbin "first.elf"
    .global first_elf_end
first_elf_end:
    .balign 8
    .global second_elf
second_elf:
    .incbin "second.elf"
    .global second_elf_end
second_elf_end:

    .section .note.GNU-stack, "", %progbits
