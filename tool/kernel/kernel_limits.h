// kernel_limits: the SDF limits a kernel package imposes, as board::Limits.
//
// Some SDF rules depend on how the kernel was configured, not on the board:
// how many cores it runs (MAX_NUM_NODES: a `cpu` beyond them has no
// scheduling control), how many domains and domain schedule entries exist (NUM_DOMAINS,
// NUM_DOMAIN_SCHEDULES), whether PDs may make SMC calls (ALLOW_SMC_CALLS),
// which interrupt numbers the kernel hands out (its maxIRQ, read off the size
// of its IRQ state table in kernel.elf, minus the interrupts it keeps for
// itself: its timer and, in hypervisor mode, the virtual GIC maintenance and
// virtual timer interrupts) and the timer frequency that turns a domain
// schedule's microseconds into ticks. The driver applies these to the
// configuration's limits before validating, so `microkit check` and a build
// refuse the same things with the same file:line:col.
#pragma once

#include "board/board.h"
#include "kernel/kernel_package.h"

namespace microkit::kernel {

// The interrupts the kernel keeps for itself on `pkg`'s platform.
std::vector<board::ReservedIrq> reserved_irqs(const KernelPackage& pkg);

// The largest interrupt number a PD may ask for, when the package says.
std::optional<uint64_t> max_irq(const KernelPackage& pkg);

// Overwrites the kernel-dependent fields of `limits` with `pkg`'s values.
void apply_kernel_limits(const KernelPackage& pkg, board::Limits& limits);

}  // namespace microkit::kernel
