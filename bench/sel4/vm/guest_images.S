/* guest_images.S: a guest's kernel Image, device tree and initrd, linked
 * into the VMM program. run_vm_bench.sh passes their paths (GUEST_KERNEL,
 * GUEST_DTB, GUEST_INITRD). 8-byte alignment lets the VMM copy by words. */
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
#ifdef GUEST_INITRD /* optional: bench/sel4/vm's guest has none */
IMAGE(guest_initrd, GUEST_INITRD)
#endif
