#include "arch/arch.h"

namespace microkit::arch {

const Traits* traits(board::Arch a) {
  switch (a) {
    case board::Arch::AArch64: return &aarch64_traits();
    case board::Arch::RiscV64: return &riscv64_traits();
    case board::Arch::X86_64: return &x86_64_traits();
    case board::Arch::Host: break;
  }
  return nullptr;
}

std::span<const CapTag> common_cap_tags() {
  static constexpr CapTag kTags[] = {
      {CapType::Null, 0, "null"},           {CapType::Untyped, 2, "untyped"},
      {CapType::Endpoint, 4, "endpoint"},   {CapType::Notification, 6, "notification"},
      {CapType::Reply, 8, "reply"},         {CapType::CNode, 10, "cnode"},
      {CapType::Thread, 12, "thread"},      {CapType::IrqControl, 14, "irq_control"},
      {CapType::IrqHandler, 16, "irq_handler"}, {CapType::Zombie, 18, "zombie"},
      {CapType::Domain, 20, "domain"},      {CapType::SchedContext, 22, "sched_context"},
      {CapType::SchedControl, 24, "sched_control"},
  };
  return kTags;
}

std::optional<uint8_t> cap_tag(const Traits& t, CapType type) {
  for (auto tags : {common_cap_tags(), t.arch_cap_tags})
    for (const CapTag& c : tags)
      if (c.type == type) return c.tag;
  return std::nullopt;
}

}  // namespace microkit::arch
