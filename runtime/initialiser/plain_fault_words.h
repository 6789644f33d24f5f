// plain_fault_words.h: arch::put_fault_status and arch::put_exception
// (arch.h) for architectures whose fault words are shown as they are:
// AArch64 (ESR) and RISC-V (scause), "fsr 0x..." and "number N code C".
// Included by exactly one <arch>/vspace.cc per build.
#pragma once

#include "runtime/initialiser/arch.h"
#include "runtime/initialiser/print.h"

namespace microkit::initialiser::arch {

void put_fault_status(seL4_Word status) {
  print::put("fsr ");
  print::hex(status);
}

void put_exception(seL4_Word number, seL4_Word code) {
  print::put("number ");
  print::dec(number);
  print::put(" code ");
  print::dec(code);
}

}  // namespace microkit::initialiser::arch
