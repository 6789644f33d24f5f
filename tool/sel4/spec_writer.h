// spec_writer: turns a Plan and its seL4 plan (plan/sel4_plan.h) into the
// spec bytes the initial task executes (runtime/shared/initialiser_spec.h,
// docs/initialiser.md).
//
// It decides nothing about objects or addresses, only the order of steps and
// the root-CNode slot each new cap goes to (handed out from the predicted
// bootinfo `empty` region, in step order):
//   1. Retype: every untyped's objects in ascending address order (runs of
//      the same kind and size become one step with a count, at most the
//      kernel's RETYPE_FAN_OUT_LIMIT), padding included, so seL4's
//      watermark puts each object at its planned paddr;
//   2. per PD: ASID assignment, page tables (top level first), frames
//      (a frame's first mapping uses its own cap, later ones a Copy; frames
//      of the user image are always copied because the initial task keeps
//      its originals mapped);
//   3. caps into each PD's CNode (Copy, or Mint when badged), IRQ handlers
//      (issued into the root CNode, bound to the badged notification, acked,
//      then copied to the PD);
//   4. threads: scheduling context, TCB configuration, priorities and fault
//      endpoint, registers, bound notification, flags (fpu) and domain; then
//      every TCB resumed;
//   5. the domain schedule, when there is one (the kernel switches to it at
//      once, so it comes last); durations become timer ticks at the
//      package's TIMER_FREQUENCY.
// Running out of root CNode slots is an error with the numbers, naming the
// PDs and MRs that take the most; so is a spec past the initialiser's
// table bounds (kMaxPds, kMaxSteps).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "kernel/boot_emulation.h"
#include "plan/plan.h"
#include "plan/sel4_plan.h"
#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::sel4 {

struct SpecInputs {
  const plan::Plan* plan = nullptr;
  const plan::Sel4Plan* sel4 = nullptr;
  const kernel::BootResult* boot = nullptr;
  const kernel::KernelPackage* package = nullptr;
  uint64_t user_image_paddr = 0;  // physical address of user image frame 0
  uint64_t user_image_vaddr = 0;  // its virtual address in the initial task
  const sdf::SystemDescription* sdf = nullptr;  // optional: locations for diagnostics
  // Optional, parallel to the plan's PDs: each PD's fault symbol table
  // (runtime/shared/fault_symbols.h), empty for none. Appended as is.
  const std::vector<std::vector<uint8_t>>* fault_symbols = nullptr;
};

std::optional<std::vector<uint8_t>> write_spec(const SpecInputs& in, Diagnostics& diags);

// seL4_CNode_CapData_new(guard 0, guard_size) for a PD's CNode cap: the
// guard word TCB_Configure applies so that a CPtr is a slot number.
uint64_t pd_cnode_cap_data();

}  // namespace microkit::sel4
