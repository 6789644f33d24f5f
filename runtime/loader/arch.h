// arch.h: what the architecture-neutral loader (loader.cc) needs from the
// architecture port (aarch64/arch.cc). Each function either succeeds or
// stops through fail(); none returns an error.
#pragma once

#include <stdint.h>

#include "runtime/shared/loader_image.h"

namespace microkit::loader::arch {

// Exception level / privilege mode the loader was entered in (for logs).
unsigned current_level();
// What current_level() counts, for the progress line ("exception level: EL").
const char* level_label();

// Puts the CPU in the state the kernel expects before its MMU set-up: the
// right exception level, timers and interrupt controller.
void prepare_cpu(const loader_image::ImageHeader& h);

// Builds the boot page tables and turns the MMU and caches on.
// [image_start, image_end) is the loaded boot image (kept identity-mapped).
void enable_mmu(const loader_image::ImageHeader& h, uint64_t image_start, uint64_t image_end);

// SMP kernels: starts every other core (MICROKIT_LOADER_CORES in all); each
// prepares itself like the boot core, turns on the MMU with the boot core's
// tables and enters the kernel too. Returns once all have. Nothing to do
// for a single-core kernel.
void start_secondary_cores(const loader_image::ImageHeader& h);

// Enters the kernel with the boot-protocol registers. Never returns.
[[noreturn]] void enter_kernel(const loader_image::ImageHeader& h);

}  // namespace microkit::loader::arch
