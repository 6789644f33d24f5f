// arch_context.h (x86-64): where a thread's entry point and stack pointer
// sit in seL4_UserContext, for seL4_TCB_WriteRegisters (calls.cc).
#pragma once

#include <microkit.h>

namespace microkit::sel4::arch {

// rip and rsp are the first two registers of the frame (rflags, third, is
// left as the kernel keeps it).
inline constexpr seL4_Word kRegistersThroughSp = 2;
inline void set_pc_sp(seL4_UserContext& c, seL4_Word pc, seL4_Word sp) {
  c.rip = pc;
  c.rsp = sp;
}
static_assert(__builtin_offsetof(seL4_UserContext, rsp) / sizeof(seL4_Word) + 1 == kRegistersThroughSp);

}  // namespace microkit::sel4::arch
