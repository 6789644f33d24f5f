// pd.h: the little a test PD needs without libmicrokit: output through the
// debug kernel's seL4_DebugPutChar and the CSpace layout of pd_abi.h.
#pragma once

#include <stdint.h>

extern "C" {
#include <sel4/sel4.h>
}

#include "runtime/shared/pd_abi.h"

namespace test_pd {

inline void put(const char* s) {
  while (*s) seL4_DebugPutChar(*s++);
}

inline void hex(uint64_t value) {
  put("0x");
  for (int shift = 60; shift >= 0; shift -= 4) seL4_DebugPutChar("0123456789abcdef"[(value >> shift) & 0xf]);
}

// The IPC buffer the initial task mapped (libsel4 reads this global).
// seL4_UserVSpaceTop is the last user address on every architecture
// (seL4_UserTop is that on AArch64 but one past it on RISC-V).
inline seL4_IPCBuffer* ipc_buffer() {
  return reinterpret_cast<seL4_IPCBuffer*>(microkit::pd_abi::ipc_buffer_vaddr(seL4_UserVSpaceTop));
}

}  // namespace test_pd
