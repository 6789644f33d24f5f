// Test support (host only): the bootinfo facts the initialiser's decoder
// tests check steps against: a 2^17-slot root CNode, free slots from 1000,
// user image frames in slots 20..39 at 0x400000, three untypeds, one core.
#pragma once

#include "runtime/initialiser/spec_decode.h"

namespace microkit::initialiser::test_support {

inline BootFacts boot_facts() {
  BootFacts b;
  b.root_cnode_slots = 1u << 17;
  b.empty_start = 1000;
  b.empty_end = 1u << 17;
  b.user_image_frames_start = 20;
  b.user_image_frames_end = 40;
  b.untyped_start = 40;
  b.untyped_end = 43;
  b.sched_control_start = 19;
  b.sched_control_end = 20;
  b.user_image_vaddr = 0x400000;
  return b;
}

}  // namespace microkit::initialiser::test_support
