// arch_context.h (RISC-V 64): where a thread's entry point and stack pointer
// sit in seL4_UserContext, for seL4_TCB_WriteRegisters (calls.cc).
#pragma once

#include <microkit.h>

namespace microkit::sel4::arch {

// pc, ra, sp: three registers reach sp (ra is left 0).
inline constexpr seL4_Word kRegistersThroughSp = 3;
inline void set_pc_sp(seL4_UserContext& c, seL4_Word pc, seL4_Word sp) {
  c.pc = pc;
  c.sp = sp;
}
static_assert(__builtin_offsetof(seL4_UserContext, sp) / sizeof(seL4_Word) + 1 == kRegistersThroughSp);

}  // namespace microkit::sel4::arch
