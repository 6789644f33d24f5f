// RISC-V 64 (Sv39): kernel window and page-table levels
// (include/arch/riscv/arch/64/mode/hardware.h, bootinfo.h).
#include "arch/arch.h"

#include <string>

namespace microkit::arch {
namespace {

constexpr uint16_t kEmRiscv = 243;

bool layout(const LayoutConfig& c, KernelLayout& out, Diagnostics& diags) {
  if (c.riscv_pt_levels != 3) {
    diags.error("boot-unsupported-kernel", {}, {},
                "RISC-V kernels with " + std::to_string(c.riscv_pt_levels) +
                    " page-table levels cannot be emulated; seL4 16.0.0 supports only Sv39",
                "use a kernel built with KernelRiscvPTLevels 3 (the default)");
    return false;
  }
  out.pptr_base = 0xffffffc000000000;
  out.pptr_top = 0xffffffff80000000;
  out.paging_level_bits = {30, 21};
  out.max_num_freemem_reg = 16;
  return true;
}

TableKind table_kind(unsigned) { return TableKind::PageTable; }

}  // namespace

const Traits& riscv64_traits() {
  // Kernel devices are mapped in 2 MiB pages.
  static const Traits t{board::Arch::RiscV64, "riscv64", kEmRiscv, ImageKind::LoaderImage, 21,
                        false, layout, table_kind, nullptr};
  return t;
}

}  // namespace microkit::arch
