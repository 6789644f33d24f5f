// plan_sel4 for RISC-V 64, on the facts of the real qemu_virt_riscv64 debug
// build (MICROKIT_SHARED_DIR): what differs from AArch64 (the user address
// space ends at seL4_UserTop - 1, Sv39 has three levels and a 4 KiB VSpace).
// The boot test of the same plans is qemu.example.riscv64.*.
#include <gtest/gtest.h>

#include "kernel/test_facts.h"
#include "plan/sel4_plan.h"
#include "runtime/shared/pd_abi.h"

namespace microkit::plan {
namespace {

// User image right after the kernel (ki_end 0xffffffff80238000 -> 0x80238000).
constexpr uint64_t kUserImage = 0x80238000;

struct World {
  kernel::KernelPackage pkg;
  kernel::BootFacts facts;
  kernel::BootResult boot;
};

bool load(World& w, Diagnostics& d) {
  auto pkg = kernel::load_kernel_package(kernel::test_support::facts_dir("qemu_virt_riscv64"), d);
  if (!pkg) return false;
  w.pkg = *pkg;
  auto facts = kernel::boot_facts(w.pkg, d);
  if (!facts) return false;
  w.facts = *facts;
  kernel::BootInputs in;
  in.user_image = {kUserImage, kUserImage + 0x200000};
  in.user_image_vaddr = 0x200000;
  auto boot = kernel::emulate_boot(w.facts, in, d);
  if (!boot) return false;
  w.boot = *boot;
  return true;
}

std::string describe(const Diagnostics& d) {
  std::string out;
  for (const auto& x : d.all()) out += render(x) + "\n";
  return out;
}

TEST(Sel4PlanRiscv64, OnePdUsesTheSv39UserTop) {
  World w;
  Diagnostics d;
  ASSERT_TRUE(load(w, d)) << describe(d);
  ASSERT_EQ(w.pkg.sizes.user_top, 0x3ffffff000u);  // libsel4's seL4_UserTop
  Plan plan;
  Pd pd;
  pd.name = "hello";
  pd.channels.resize(63);
  plan.pds.push_back(pd);
  Sel4Inputs in;
  in.package = &w.pkg;
  in.facts = &w.facts;
  in.boot = &w.boot;
  PdImage img;
  img.entry = 0x200000;
  img.pages.push_back({0x200000, kUserImage + 0x100000, true, false, true});
  in.pd_images.push_back(img);
  auto sp = plan_sel4(plan, in, d);
  ASSERT_TRUE(sp) << describe(d);
  const PdObjects& po = sp->pds[0];
  // seL4_UserVSpaceTop = seL4_UserTop - 1, as libmicrokit computes it
  // (MICROKIT_PD_IPC_BUFFER_VADDR / MICROKIT_PD_STACK_TOP of it).
  EXPECT_EQ(po.ipc_buffer_vaddr, 0x3fffffe000u);
  EXPECT_EQ(po.stack_top, 0x3fffffd000u);
  EXPECT_EQ(po.ipc_buffer_vaddr, pd_abi::ipc_buffer_vaddr(0x3ffffff000u - 1));
  // A VSpace is one 4 KiB table; the image (GiB 0) and the stack (GiB 255)
  // each need a 1 GiB-level and a 2 MiB-level table: four in all.
  EXPECT_EQ(sp->objects[po.vspace].size_bits, 12u);
  size_t tables = 0;
  for (const PageTableSlot& pt : po.page_tables) {
    ++tables;
    EXPECT_TRUE(pt.covers_bits == 30 || pt.covers_bits == 21) << pt.covers_bits;
  }
  EXPECT_EQ(tables, 4u);
}

}  // namespace
}  // namespace microkit::plan
