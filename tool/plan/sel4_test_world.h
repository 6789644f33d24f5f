// Test support (not part of the tool): a small seL4 world for planning tests.
//
// Loads the qemu_virt_aarch64 debug facts of ../shared (kernel/test_facts.h)
// and emulates the kernel's boot for a 2 MiB user image at
// kTestUserImagePaddr, so that a test only adds its Plan and plans on top.
#pragma once

#include <cstdint>
#include <string>

#include "kernel/boot_emulation.h"
#include "kernel/kernel_package.h"
#include "kernel/test_facts.h"
#include "plan/plan.h"
#include "plan/sel4_plan.h"

namespace microkit::plan::test_support {

inline constexpr uint64_t kTestUserImagePaddr = 0x60400000;
inline constexpr uint64_t kTestUserImageVaddr = 0x200000;

struct Sel4TestWorld {
  kernel::KernelPackage pkg;
  kernel::BootFacts facts;
  kernel::BootResult boot;
  Plan plan;
  Sel4Plan sp;
};

// Fills pkg, facts and boot; false (with diagnostics) if the facts are missing.
inline bool load_test_kernel(Sel4TestWorld& w, Diagnostics& d) {
  auto pkg = kernel::load_kernel_package(
      kernel::test_support::facts_dir("qemu_virt_aarch64"), d);
  if (!pkg) return false;
  w.pkg = *pkg;
  auto facts = kernel::boot_facts(w.pkg, d);
  if (!facts) return false;
  w.facts = *facts;
  kernel::BootInputs in;
  in.user_image = {kTestUserImagePaddr, kTestUserImagePaddr + 0x200000};
  in.user_image_vaddr = kTestUserImageVaddr;
  auto boot = kernel::emulate_boot(w.facts, in, d);
  if (!boot) return false;
  w.boot = *boot;
  return true;
}

// Planner inputs for w.plan: each PD a one-page program in the user image.
inline Sel4Inputs test_sel4_inputs(const Sel4TestWorld& w) {
  Sel4Inputs si;
  si.package = &w.pkg;
  si.facts = &w.facts;
  si.boot = &w.boot;
  for (size_t i = 0; i < w.plan.pds.size(); ++i) {
    PdImage img;
    img.entry = 0x200000;
    img.pages.push_back({0x200000, kTestUserImagePaddr + 0x100000 + i * 0x1000, true, false, true});
    si.pd_images.push_back(img);
  }
  return si;
}

}  // namespace microkit::plan::test_support
