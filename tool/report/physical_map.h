// physical_map: where everything of an seL4 system sits in physical memory,
// for the diagram's second view (report/diagram.h).
//
// Built from what the image was made of (the same Sel4Plan, predicted boot
// and user-image layout as the image and the -r report), so it cannot drift
// from what boots: the kernel image, the initial task with its spec, each
// PD's program pages and each prefilled MR's pages in the user image, the
// initial task's own kernel objects, and per untyped the objects retyped from
// it (MR frames, each PD's kernel objects) and what stays free.
// Invariants: regions are sorted by start and do not overlap; every region
// lies inside one bank. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernel/boot_emulation.h"
#include "plan/plan.h"
#include "plan/sel4_plan.h"

namespace microkit::report {

struct PhysicalRegion {
  enum class Kind { Kernel, InitialTask, RootObjects, PdImage, PdObjects, MrFrames, SystemObjects, Free };
  Kind kind = Kind::Free;
  uint64_t start = 0, end = 0;  // [start, end)
  std::string label;
  std::optional<size_t> pd;  // index into Plan::pds
  std::optional<size_t> mr;  // index into Plan::mrs
};
const char* physical_kind_name(PhysicalRegion::Kind kind);

// One stretch of physical memory drawn as one bar: a RAM bank, or device
// memory holding fixed-address MRs.
struct PhysicalBank {
  uint64_t start = 0, end = 0;
  bool device = false;
  std::vector<PhysicalRegion> regions;  // sorted, inside [start, end)
};

struct PhysicalMap {
  std::vector<PhysicalBank> banks;  // ascending
  std::string note;                 // e.g. x86: addresses of an assumed machine
};

// What physical_map needs beyond the plans; addresses are physical.
struct PhysicalInputs {
  const plan::Plan* plan = nullptr;
  const plan::Sel4Plan* sp = nullptr;
  const kernel::BootResult* boot = nullptr;
  std::vector<kernel::Region> ram;  // the kernel's RAM regions (empty: use the untypeds)
  kernel::Region kernel;            // the kernel image after its boot-only part (untyped after boot)
  kernel::Region initial_task;      // the initial task and its spec (start of the user image)
  const std::vector<plan::PdImage>* pd_images = nullptr;              // parallel to Plan::pds
  const std::vector<std::vector<uint64_t>>* mr_prefill_pages = nullptr;  // parallel to Plan::mrs
};

PhysicalMap physical_map(const PhysicalInputs& in);

}  // namespace microkit::report
