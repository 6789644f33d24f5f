// kernel_limits: kernel package -> SDF limits (see kernel_limits.h).
#include "kernel/kernel_limits.h"

namespace microkit::kernel {
namespace {

// ARM GICs number private peripheral interrupts (PPIs) 16..31 on every core;
// the kernel's IRQ table has a copy of them per extra core.
constexpr uint64_t kArmNumPpi = 32;

// ARM generic timer and GIC interrupts as seL4 takes them from the device
// tree of its platform (tools/hardware.yml: the hypervisor timer when the
// kernel runs at EL2, else the virtual timer; the VGIC maintenance PPI). The
// numbers are the Server Base System Architecture's PPIs, which QEMU's virt
// machine follows.
constexpr uint64_t kArmVgicMaintenance = 25;  // PPI 9
constexpr uint64_t kArmHypTimer = 26;         // PPI 10
constexpr uint64_t kArmVirtualTimer = 27;     // PPI 11

bool known_arm_platform(const KernelConfig& c) { return c.platform == "qemu-arm-virt"; }

std::optional<bool> flag(const KernelConfig& c, const char* key) {
  auto v = c.get(key);
  if (!v) return std::nullopt;
  return *v == "true" || *v == "ON" || *v == "1";
}

std::optional<uint64_t> number(const KernelConfig& c, const char* key) {
  auto v = c.get(key);
  if (!v || v->empty() || v->find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoull(*v);
}

}  // namespace

std::optional<uint64_t> max_irq(const KernelPackage& pkg) {
  if (!pkg.irq_table_entries) return std::nullopt;
  uint64_t entries = *pkg.irq_table_entries;
  if (pkg.config.arch == board::Arch::AArch64)
    entries -= std::min<uint64_t>(entries, (pkg.config.max_num_nodes - 1) * kArmNumPpi);
  if (entries == 0) return std::nullopt;
  return entries - 1;
}

std::vector<board::ReservedIrq> reserved_irqs(const KernelPackage& pkg) {
  const KernelConfig& c = pkg.config;
  std::vector<board::ReservedIrq> out;
  if (c.arch == board::Arch::AArch64 && known_arm_platform(c)) {
    if (c.hypervisor) {
      out.push_back({kArmHypTimer, "the kernel's own timer (the EL2 hypervisor timer)"});
      out.push_back({kArmVgicMaintenance, "the kernel's virtual GIC maintenance interrupt"});
      out.push_back({kArmVirtualTimer, "the kernel's virtual timer interrupt (it forwards it to vCPUs)"});
    } else {
      out.push_back({kArmVirtualTimer, "the kernel's own timer (the virtual timer)"});
    }
  }
  // On RISC-V the kernel's timer is the last entry of its IRQ table.
  if (c.arch == board::Arch::RiscV64)
    if (auto top = max_irq(pkg)) out.push_back({*top, "the kernel's own timer"});
  return out;
}

void apply_kernel_limits(const KernelPackage& pkg, board::Limits& limits) {
  const KernelConfig& c = pkg.config;
  limits.max_domains = c.num_domains;
  if (auto n = number(c, "NUM_DOMAIN_SCHEDULES")) limits.max_domain_schedule = *n;
  limits.smc_calls = c.arch == board::Arch::AArch64 && flag(c, "ALLOW_SMC_CALLS").value_or(false);
  limits.max_irq = max_irq(pkg);
  // RISC-V: the timer is maxIRQ itself, so PDs get numbers below it.
  if (c.arch == board::Arch::RiscV64 && limits.max_irq && *limits.max_irq > 0) --*limits.max_irq;
  limits.reserved_irqs = reserved_irqs(pkg);
  if (c.arch == board::Arch::RiscV64) {
    limits.min_irq = 1;
    limits.min_irq_why = "the RISC-V PLIC numbers its interrupt sources from 1 (0 means none)";
  }
  if (c.arch == board::Arch::AArch64) {
    // SGIs (0..15) are sent by software, never by a device; on SMP kernels
    // PPIs (16..31) are per core and need a core the SDF cannot name.
    limits.min_irq = c.smp() ? kArmNumPpi : 16;
    limits.min_irq_why = c.smp() ? "interrupts below 32 are software-generated or per-core (PPI); "
                                   "a multi-core kernel hands them out only for a given core"
                                 : "interrupts below 16 are software-generated (SGI), not raised by devices";
  }
  limits.timer_frequency = c.timer_frequency;
  limits.fpu = c.have_fpu;
  limits.kernel_cores = c.max_num_nodes;
  if (c.arch == board::Arch::X86_64) {
    limits.iommu = flag(c, "IOMMU").value_or(false);
    limits.max_ioapics = number(c, "MAX_NUM_IOAPIC");
  }
  limits.kernel_package = pkg.dir;
}

}  // namespace microkit::kernel
