// `microkit check` with a kernel package: the rules that depend on the
// kernel's configuration (kernel/kernel_limits.h) and the memory estimate
// (driver/check.h) refuse what a build would refuse, at the same place.
// The kernel package is the facts folder of a real qemu_virt_aarch64 build
// ($MICROKIT_SHARED_DIR/sel4-16.0.0), found through $MICROKIT_KERNEL_ROOT
// as a build would find it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "driver/check.h"
#include "driver/driver.h"
#include "driver/driver_test_support.h"
#include "sdf/parse.h"

namespace microkit::driver {
namespace {

using namespace test_support;

const std::string kFactsRoot = std::string(MICROKIT_SHARED_DIR) + "/sel4-16.0.0";

// Sets $MICROKIT_KERNEL_ROOT (and clears $MICROKIT_SDK) for one test.
class WithKernelRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kFactsRoot + "/qemu_virt_aarch64/debug/gen_config.json"))
      GTEST_SKIP() << "no kernel facts at " << kFactsRoot;
    save("MICROKIT_KERNEL_ROOT", root_);
    save("MICROKIT_SDK", sdk_);
    setenv("MICROKIT_KERNEL_ROOT", kFactsRoot.c_str(), 1);
    unsetenv("MICROKIT_SDK");
  }
  void TearDown() override {
    restore("MICROKIT_KERNEL_ROOT", root_);
    restore("MICROKIT_SDK", sdk_);
  }
  Result check(const std::string& system) {
    dir_.write("s.system", system);
    dir_.write("a.elf", program_elf(EM_AARCH64));
    return run_command({"check", "s.system", "--board", "qemu_virt_aarch64"}, env_in(dir_));
  }

  TempDir dir_;

 private:
  static void save(const char* name, std::optional<std::string>& slot) {
    if (const char* v = std::getenv(name)) slot = v;
  }
  static void restore(const char* name, const std::optional<std::string>& slot) {
    if (slot) setenv(name, slot->c_str(), 1);
    else unsetenv(name);
  }
  std::optional<std::string> root_, sdk_;
};

std::string one_irq(int irq) {
  return "<system>\n  <protection_domain name=\"a\">\n    <program_image path=\"a.elf\" />\n"
         "    <irq irq=\"" + std::to_string(irq) + "\" id=\"0\" />\n  </protection_domain>\n</system>\n";
}

TEST_F(WithKernelRoot, CheckRefusesTheKernelsOwnTimerInterrupt) {
  std::string text = one_irq(26);
  Result r = check(text);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("s.system:" + at(loc_of(text, "irq=\"26")) + ": error: interrupt 26 is the kernel's own timer"),
            std::string::npos) << r.err;
  EXPECT_EQ(check(one_irq(33)).exit_code, 0);
}

TEST_F(WithKernelRoot, CheckFindsAMemoryShortfallInTheUsersTerms) {
  std::string text =
      "<system>\n  <memory_region name=\"frames\" size=\"0x60000000\" page_size=\"0x200000\" />\n"
      "  <memory_region name=\"cache\" size=\"0x30000000\" page_size=\"0x200000\" />\n"
      "  <protection_domain name=\"a\">\n    <program_image path=\"a.elf\" />\n"
      "    <map mr=\"frames\" vaddr=\"0x40000000\" />\n    <map mr=\"cache\" vaddr=\"0x100000000\" />\n"
      "  </protection_domain>\n</system>\n";
  Result r = check(text);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  // At the largest region's size, naming the regions and the board's RAM in MiB.
  EXPECT_NE(r.err.find("s.system:" + at(loc_of(text, "size=\"0x60000000")) + ": error: the system needs at least"),
            std::string::npos) << r.err;
  EXPECT_NE(r.err.find("has 1536 MiB"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'frames' 1536 MiB, 'cache' 768 MiB"), std::string::npos) << r.err;
}

TEST(HostChecks, OnlyTheDeviceModelsInterruptsAreAccepted) {
  TempDir dir;
  dir.write("a.elf", program_elf());
  for (int irq : {1, 2, 3, 33, 0}) {
    dir.write("s.system", one_irq(irq));
    Result r = run_command({"check", "s.system", "--board", "host"}, env_in(dir));
    EXPECT_EQ(r.exit_code, irq == 1 || irq == 2 ? 0 : 1) << irq << "\n" << r.err;
    if (irq > 2) {
      EXPECT_NE(r.err.find("is above the largest this platform delivers (2)"), std::string::npos) << r.err;
    }
  }
}

std::optional<sdf::SystemDescription> vm_system(const std::string& text, Diagnostics& parse) {
  return sdf::parse(text, "s.system", parse);
}

const char* kVmSystem =
    "<system>\n  <protection_domain name=\"vmm\">\n    <program_image path=\"a.elf\" />\n"
    "    <virtual_machine name=\"linux\">\n      <vcpu id=\"0\" />\n    </virtual_machine>\n"
    "  </protection_domain>\n</system>\n";

// x86_64_generic_vtx's kernel (VT-x) takes a VM; x86_64_generic's does not.
TEST(BackendSupport, VirtualMachinesNeedAVtxKernelOnX86) {
  Diagnostics parse;
  auto sd = vm_system(kVmSystem, parse);
  ASSERT_TRUE(sd);
  board::Board board;
  board.arch = board::Arch::X86_64;
  board.hypervisor = true;  // x86_64_generic_vtx
  kernel::KernelPackage vtx;
  vtx.config.hypervisor = true;
  Diagnostics accepted;
  check_backend_support(*sd, board, &vtx, accepted);
  EXPECT_TRUE(errors(accepted).empty());
  kernel::KernelPackage plain;
  Diagnostics refused;
  check_backend_support(*sd, board, &plain, refused);
  EXPECT_EQ(errors(refused),
            std::vector<std::string>{"vm-kernel-without-hypervisor " + at(loc_of(kVmSystem, "<virtual_machine"))});
}

TEST(BackendSupport, VirtualMachinesNeedAHypervisorKernelOnAArch64) {
  Diagnostics parse;
  auto sd = vm_system(kVmSystem, parse);
  ASSERT_TRUE(sd);
  board::Board board;
  board.arch = board::Arch::AArch64;
  board.hypervisor = true;  // the board says so; the package decides
  kernel::KernelPackage el1;
  el1.config.hypervisor = false;
  Diagnostics refused;
  check_backend_support(*sd, board, &el1, refused);
  EXPECT_EQ(errors(refused),
            std::vector<std::string>{"vm-kernel-without-hypervisor " + at(loc_of(kVmSystem, "<virtual_machine"))});
  kernel::KernelPackage hyp;
  hyp.config.hypervisor = true;
  Diagnostics accepted;
  check_backend_support(*sd, board, &hyp, accepted);
  EXPECT_TRUE(errors(accepted).empty());
  // A board without hypervisor: the validator's vm-not-supported says it once.
  board.hypervisor = false;
  Diagnostics once;
  check_backend_support(*sd, board, &el1, once);
  EXPECT_TRUE(errors(once).empty());
}

TEST(CheckPlans, ASetvarNamingAMissingSymbolIsFoundByCheck) {
  TempDir dir;
  dir.write("a.elf", program_elf());
  std::string text =
      "<system>\n  <memory_region name=\"m\" size=\"0x1000\" />\n"
      "  <protection_domain name=\"a\">\n    <program_image path=\"a.elf\" />\n"
      "    <map mr=\"m\" vaddr=\"0x4000000\" setvar_vaddr=\"microkit_nme\" />\n"
      "  </protection_domain>\n</system>\n";
  dir.write("s.system", text);
  Result r = run_command({"check", "s.system", "--board", "host"}, env_in(dir));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("s.system:" + at(loc_of(text, "setvar_vaddr")) + ": error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'microkit_name'?"), std::string::npos) << r.err;
}

TEST(MemoryFits, UnknownRamChecksNothingAndFixedAddressesAreNotCounted) {
  Diagnostics parse;
  auto sd = sdf::parse(
      "<system>\n  <memory_region name=\"dev\" size=\"0x80000000\" phys_addr=\"0x10000000\" />\n"
      "  <protection_domain name=\"a\"><program_image path=\"a.elf\" /></protection_domain>\n</system>\n",
      "s.system", parse);
  ASSERT_TRUE(sd);
  board::Board board;
  board.name = "b";
  Diagnostics diags;
  check_memory_fits(*sd, board, RamFacts{}, diags);
  EXPECT_TRUE(diags.empty());
  check_memory_fits(*sd, board, RamFacts{uint64_t{1} << 30, 4 << 20}, diags);
  EXPECT_TRUE(diags.empty()) << "a region at a fixed physical address may be a device";
}

}  // namespace
}  // namespace microkit::driver
