// initialiser_facts.h: what the initial task is told of the kernel's
// bootinfo when the kernel boots exactly as boot emulation predicts: the
// spec header's slot ranges (which the initial task checks against the real
// bootinfo), and its spec decoder's facts (runtime/initialiser/spec_decode.h)
// for checks of a spec on the host (planning tests, capdl_check --spec).
#pragma once

#include <cstdint>

#include "kernel/boot_emulation.h"
#include "runtime/initialiser/spec_decode.h"
#include "runtime/shared/initialiser_spec.h"

namespace microkit::kernel {

inline void fill_boot_ranges(initialiser_spec::SpecHeader& h, const BootResult& boot) {
  h.empty_start = boot.empty.start;
  h.empty_end = boot.empty.end;
  h.user_image_frames_start = boot.user_image_frames.start;
  h.user_image_frames_end = boot.user_image_frames.end;
  h.untyped_start = boot.untyped.start;
  h.sched_control_start = boot.sched_control.start;
  h.sched_control_count = boot.sched_control.end - boot.sched_control.start;
}

inline initialiser::BootFacts initialiser_boot_facts(const BootFacts& facts, const BootResult& boot,
                                                     uint64_t user_image_vaddr) {
  initialiser::BootFacts b;
  b.root_cnode_slots = uint64_t{1} << facts.root_cnode_bits;
  b.empty_start = boot.empty.start;
  b.empty_end = boot.empty.end;
  b.user_image_frames_start = boot.user_image_frames.start;
  b.user_image_frames_end = boot.user_image_frames.end;
  b.untyped_start = boot.untyped.start;
  b.untyped_end = boot.untyped.end;
  b.sched_control_start = boot.sched_control.start;
  b.sched_control_end = boot.sched_control.end;
  b.user_image_vaddr = user_image_vaddr;
  return b;
}

}  // namespace microkit::kernel
