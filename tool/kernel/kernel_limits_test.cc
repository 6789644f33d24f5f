// kernel_limits: the limits a kernel package imposes on an SDF, from the
// facts of real seL4 16.0.0 builds and from packages changed in code.
#include "kernel/kernel_limits.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace microkit::kernel {
namespace {

std::string facts(const std::string& config) {
  return std::string(MICROKIT_SHARED_DIR) + "/sel4-16.0.0/qemu_virt_aarch64/" + config;
}

KernelPackage load_or_fail(const std::string& dir) {
  Diagnostics diags;
  auto pkg = load_kernel_package(dir, diags);
  EXPECT_TRUE(pkg) << dir;
  return pkg ? *pkg : KernelPackage{};
}

std::vector<uint64_t> numbers(const std::vector<board::ReservedIrq>& irqs) {
  std::vector<uint64_t> out;
  for (const auto& r : irqs) out.push_back(r.irq);
  return out;
}

TEST(KernelLimits, OfficialDebugConfiguration) {
  if (!std::filesystem::exists(facts("debug"))) GTEST_SKIP() << "no facts at " << facts("debug");
  KernelPackage pkg = load_or_fail(facts("debug"));
  pkg.irq_table_entries = 160;  // intStateIRQTable of a qemu-arm-virt kernel: maxIRQ 159
  board::Limits limits;
  limits.max_domains = 1;  // whatever the board said is replaced
  limits.max_domain_schedule = 1;
  apply_kernel_limits(pkg, limits);
  EXPECT_EQ(limits.max_domains, 16u);
  EXPECT_EQ(limits.max_domain_schedule, 100u);
  EXPECT_EQ(limits.smc_calls, std::optional<bool>(true));
  EXPECT_EQ(limits.max_irq, std::optional<uint64_t>(159));
  EXPECT_EQ(limits.min_irq, std::optional<uint64_t>(16));
  EXPECT_EQ(limits.timer_frequency, std::optional<uint64_t>(62500000));
  // EL2 kernel: its hypervisor timer, the VGIC maintenance and virtual timer PPIs.
  EXPECT_EQ(numbers(limits.reserved_irqs), (std::vector<uint64_t>{26, 25, 27}));
  EXPECT_EQ(limits.kernel_package, facts("debug"));
}

TEST(KernelLimits, ComeFromTheConfigurationNotTheBoard) {
  if (!std::filesystem::exists(facts("debug"))) GTEST_SKIP() << "no facts at " << facts("debug");
  KernelPackage pkg = load_or_fail(facts("debug"));
  pkg.config.num_domains = 4;
  pkg.config.raw["NUM_DOMAIN_SCHEDULES"] = "7";
  pkg.config.raw["ALLOW_SMC_CALLS"] = "false";
  pkg.config.hypervisor = false;
  board::Limits limits;
  apply_kernel_limits(pkg, limits);
  EXPECT_EQ(limits.max_domains, 4u);
  EXPECT_EQ(limits.max_domain_schedule, 7u);
  EXPECT_EQ(limits.smc_calls, std::optional<bool>(false));
  EXPECT_EQ(limits.max_irq, std::nullopt) << "a facts folder has no kernel.elf to size the IRQ table";
  EXPECT_EQ(numbers(limits.reserved_irqs), (std::vector<uint64_t>{27})) << "EL1 kernel: the virtual timer";
}

TEST(KernelLimits, MultiCoreKernelsHaveAPpiCopyPerExtraCore) {
  if (!std::filesystem::exists(facts("smp-debug"))) GTEST_SKIP() << "no facts at " << facts("smp-debug");
  KernelPackage pkg = load_or_fail(facts("smp-debug"));
  ASSERT_EQ(pkg.config.max_num_nodes, 4u);
  pkg.irq_table_entries = 256;  // (4 - 1) * 32 + 160, as in the real smp-debug kernel.elf
  EXPECT_EQ(max_irq(pkg), std::optional<uint64_t>(159));
  board::Limits limits;
  apply_kernel_limits(pkg, limits);
  EXPECT_EQ(limits.min_irq, std::optional<uint64_t>(32));
  EXPECT_EQ(limits.kernel_cores, std::optional<uint64_t>(4)) << "the validator checks cpu against it";
}

TEST(KernelLimits, RealKernelElfGivesTheIrqTable) {
  const char* root = std::getenv("MICROKIT_KERNEL_ROOT");
  std::string dir = std::string(root && *root ? root : "/opt/sel4-16.0.0") + "/qemu_virt_aarch64/debug";
  if (!std::filesystem::exists(dir + "/bin/kernel.elf")) GTEST_SKIP() << "no kernel package at " << dir;
  KernelPackage pkg = load_or_fail(dir);
  EXPECT_EQ(pkg.irq_table_entries, std::optional<uint64_t>(160));
  EXPECT_EQ(max_irq(pkg), std::optional<uint64_t>(159));
}

}  // namespace
}  // namespace microkit::kernel

namespace microkit::kernel {
namespace {

// RISC-V: the kernel's timer is the last entry of its IRQ table; PLIC
// sources start at 1. (97 entries: the qemu-riscv-virt kernel.elf's table.)
TEST(KernelLimits, RiscvTimerIsTheTopOfTheTable) {
  std::string dir = std::string(MICROKIT_SHARED_DIR) + "/sel4-16.0.0/qemu_virt_riscv64/debug";
  if (!std::filesystem::exists(dir + "/gen_config.json")) GTEST_SKIP() << "no facts at " << dir;
  KernelPackage pkg = load_or_fail(dir);
  pkg.irq_table_entries = 97;
  board::Limits limits;
  apply_kernel_limits(pkg, limits);
  EXPECT_EQ(limits.max_irq, std::optional<uint64_t>(95));
  EXPECT_EQ(limits.min_irq, std::optional<uint64_t>(1));
  EXPECT_EQ(numbers(limits.reserved_irqs), (std::vector<uint64_t>{96}));
  EXPECT_EQ(limits.smc_calls, std::optional<bool>(false));
}

}  // namespace
}  // namespace microkit::kernel
