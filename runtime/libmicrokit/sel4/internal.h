// internal.h: what the seL4 port's translation units share, and nothing a
// program sees.
//
// Every file of the port is freestanding C++ (runtime/shared/freestanding.h
// is force-included) with C linkage for everything a program links against.
// Checks on a caller's channel follow the official libmicrokit: a bad id is
// reported on the debug console (debug configurations) and the call does
// nothing; a kernel error in a call that cannot fail under a correct plan
// stops the PD with microkit_internal_crash, naming the step first.
#pragma once

#include <microkit.h>

namespace microkit::sel4 {

// Whether `id` is at most `max_id` and bit `id` of `mask` is set.
inline bool id_allowed(seL4_Word mask, unsigned int id, unsigned int max_id) {
  return id <= max_id && ((mask >> id) & 1u) != 0;
}

// The index of the lowest set bit of `w` (w != 0). RISC-V without Zbb has
// no instruction for it and GCC would call libgcc, which PDs do not link.
inline unsigned int lowest_set_bit(seL4_Word w) {
#if defined(__aarch64__) || defined(__x86_64__)
  return static_cast<unsigned int>(__builtin_ctzll(w));
#else
  unsigned int i = 0;
  while (((w >> i) & 1u) == 0) ++i;
  return i;
#endif
}

// "<pd name> <call>: invalid <what> '<id>'\n" on the debug console.
void report_bad_id(const char* call, const char* what, unsigned int id);

// The step that failed, then a crash at address `err` (never returns).
[[noreturn]] void fail(const char* step, seL4_Error err);

#if defined(CONFIG_VTX)
namespace x86 {
// Enters the guest of the PD's own vCPU with the rip and controls kept in
// microkit_x86_vcpu_state, and takes back what the kernel returns. True on a
// VM exit (the exit's message registers are in the IPC buffer); false when a
// notification arrived (its badge in *badge).
bool vm_enter(seL4_Word* badge);
}  // namespace x86
#endif

}  // namespace microkit::sel4

#if defined(CONFIG_VTX)
// The id of the vCPU bound to this PD's thread (patched by the tool).
extern "C" seL4_Word microkit_x86_vcpu_id;
#endif
