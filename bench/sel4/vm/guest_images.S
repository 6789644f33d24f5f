/* guest_images.S: the bench guest (guest.bin) and its DTB, linked into bench_vmm.elf. */
#define IMAGE(name, path)        \
    .section .rodata.name, "a"; \
    .balign 4096;                \
    .global name;                \
name:                            \
    .incbin path;                \
    .global name##_end;          \
name##_end:

IMAGE(guest_kernel, GUEST_KERNEL)
IMAGE(guest_dtb, GUEST_DTB)
