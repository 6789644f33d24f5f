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

}  // namespace microkit::arch
