// capdl_text: a capDL spec (capdl_spec.h) as capDL text (.cdl), the language
// of the seL4 capDL tool (capDL-tool's parser, "capDL Language
// Specification"), which its loader and the seL4 proofs' tooling read.
//
// Layout: `arch aarch64`, then `objects { ... }` (every object, with the
// kernel's untypeds last, each listing the objects it covers), `caps { ... }`
// (every CNode, TCB, page table and IRQ object that holds caps, slot by
// slot; TCB slots by their capDL names), and `irq maps { ... }`.
// Conventions the capDL tool gives meaning to:
//   - page tables by level: pgd (level 0), pud, pd, pt (level 3);
//   - frame cap rights R, W and X, where X (capDL's grant on a frame) means
//     executable, and `uncached` for device memory;
//   - frame contents as `fill: [{offset length CDL_FrameFill_FileData
//     "file" file_offset}]`, naming the ELF or prefill file the bytes come
//     from (program pages before the tool's symbol patches: setvar and
//     libmicrokit's variables are written on top in the image);
//   - scheduling contexts' period and budget in microseconds.
#pragma once

#include <string>

#include "sel4/capdl_spec.h"

namespace microkit::capdl {

// `source` names the system description in the header comment.
std::string to_cdl(const Spec& spec, const std::string& source);

}  // namespace microkit::capdl
