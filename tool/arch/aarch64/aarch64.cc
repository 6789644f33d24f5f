// AArch64: kernel window and page-table levels (include/arch/arm/arch/64/
// mode/hardware.h, arch_get_n_paging in src/arch/arm/64/kernel/vspace.c).
#include "arch/arch.h"

namespace microkit::arch {
namespace {

constexpr uint16_t kEmAArch64 = 183;

bool layout(const LayoutConfig& c, KernelLayout& out, Diagnostics&) {
  out.pptr_base = c.aarch64_hyp ? 0x0000008000000000 : 0xffffff8000000000;
  out.pptr_top = c.aarch64_hyp ? 0x000000ffc0000000 : 0xffffffffc0000000;
  // EL2 with a 40-bit physical address space starts stage-2 translation at level 1.
  bool start_l1 = c.aarch64_hyp && c.aarch64_pa_40;
  out.paging_level_bits = start_l1 ? std::vector<unsigned>{30, 21} : std::vector<unsigned>{39, 30, 21};
  // One per RAM region, +1 for the kernel's boot code, +1 for the root server gap.
  out.max_num_freemem_reg = 0;
  return true;
}

TableKind table_kind(unsigned) { return TableKind::PageTable; }

// include/arch/arm/arch/64/mode/object/structures.bf (SMMU caps left out:
// no supported board has one).
constexpr CapTag kCapTags[] = {
    {CapType::Frame, 1, "frame"},           {CapType::PageTable, 3, "page_table"},
    {CapType::VSpace, 9, "vspace"},         {CapType::AsidControl, 11, "asid_control"},
    {CapType::AsidPool, 13, "asid_pool"},   {CapType::Vcpu, 15, "vcpu"},
    {CapType::Smc, 25, "smc"},              {CapType::Other, 27, "sgi_signal"},
};

}  // namespace

const Traits& aarch64_traits() {
  static const Traits t{board::Arch::AArch64, "aarch64", kEmAArch64, ImageKind::LoaderImage, 12,
                        false, layout, table_kind, nullptr, kCapTags};
  return t;
}

}  // namespace microkit::arch
