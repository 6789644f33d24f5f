// x86-64 boot files: what a multiboot loader (QEMU's -kernel/-initrd, GRUB)
// is given.
//
// seL4 on x86 is booted by a multiboot loader: the kernel ELF is the
// "kernel", and the first module is the initial task as an ELF, which the
// kernel loads itself (load_boot_module in src/arch/x86/kernel/boot_sys.c):
// it copies every PT_LOAD segment to one physical run right after the
// kernel image (at ki_end), maps it at the segments' virtual addresses, and
// hands out one frame cap per page, in order. So the tool's user image
// (initial task, spec, PD programs, prefill) is written as one ELF whose
// single PT_LOAD segment is the whole user image.
//
// QEMU's multiboot loader refuses 64-bit ELF files, so the kernel is also
// written as ELF32: same bytes, each segment at its physical address (the
// kernel's multiboot entry runs in 32-bit mode with paging off).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "elf/elf_file.h"
#include "support/diagnostics.h"

namespace microkit::arch::x86_64 {

// An ELF64 x86-64 executable with one PT_LOAD segment: `bytes` at `vaddr`
// (page aligned), loaded (p_paddr) at `paddr`; entry `entry`. Trailing zero
// bytes are left to memsz, so they take no room in the file.
std::vector<uint8_t> boot_module_elf(uint64_t vaddr, uint64_t paddr, uint64_t entry,
                                     const std::vector<uint8_t>& bytes);

// The kernel as an ELF32 i386 executable for a multiboot loader: each
// PT_LOAD segment at its physical address (p_vaddr = p_paddr), the entry
// point kept (it is a physical address below 4 GiB). An address or size
// that does not fit in 32 bits is an error naming the kernel file.
std::optional<std::vector<uint8_t>> kernel_elf32(const elf::ElfFile& kernel, Diagnostics& diags);

}  // namespace microkit::arch::x86_64
