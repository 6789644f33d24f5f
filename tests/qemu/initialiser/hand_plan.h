// hand_plan.h: what the hand-made plans of the initialiser's QEMU tests
// share (tests/qemu/initialiser/make_initialiser_image.cc for AArch64,
// tests/qemu/x86_64/make_x86_initialiser_image.cc for x86-64): the user
// image's layout (initialiser, a reserved spec, then every PD segment
// page-aligned) and the slot bookkeeping of a plan whose objects all come
// from one untyped. Stand-ins for the tool's planner; header-only, test code.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "elf/elf_file.h"
#include "runtime/initialiser/host/spec_writer.h"
#include "runtime/shared/initialiser_spec.h"
#include "runtime/shared/pd_abi.h"
#include "support/diagnostics.h"

namespace hand_plan {

namespace spec = microkit::initialiser_spec;
using microkit::elf::ElfFile;

inline constexpr uint64_t kPage = 4096;
inline constexpr uint64_t kSpecReserve = 64 * 1024;
inline constexpr uint64_t kRootCNode = 2;  // seL4_CapInitThreadCNode
inline constexpr uint64_t kRootTcb = 1;    // seL4_CapInitThreadTCB
inline constexpr uint64_t kRootDepth = 64;

inline uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
inline uint64_t align_down(uint64_t v, uint64_t a) { return v / a * a; }

// Where one PD segment's pages sit in the user image.
struct PlacedSegment {
  const microkit::elf::Segment* segment;
  uint64_t ui_vaddr;  // user-image address of the segment's first page
};

// The user image: initialiser, spec reserve, PD pages. Virtual addresses.
struct UserImage {
  uint64_t vstart = 0, spec_vaddr = 0, vend = 0;
};

// Pd has `ElfFile elf` and `std::vector<PlacedSegment> placed`.
template <class Pd>
UserImage place_user_image(const ElfFile& init, std::vector<Pd>& pds) {
  UserImage ui;
  uint64_t lo = UINT64_MAX, hi = 0;
  for (const auto& s : init.segments) {
    lo = std::min(lo, s.vaddr);
    hi = std::max(hi, s.vaddr + s.memsz);
  }
  ui.vstart = align_down(lo, kPage);
  ui.spec_vaddr = align_up(hi, spec::kSpecAlign);
  uint64_t cursor = ui.spec_vaddr + kSpecReserve;
  for (auto& pd : pds) {
    for (const auto& s : pd.elf.segments) {
      pd.placed.push_back({&s, cursor});
      cursor += align_up(s.vaddr + s.memsz, kPage) - align_down(s.vaddr, kPage);
    }
  }
  ui.vend = cursor;
  return ui;
}

// The bytes of the user image region (the spec is filled in later).
template <class Pd>
std::vector<uint8_t> user_image_bytes(const ElfFile& init, const std::vector<Pd>& pds, const UserImage& ui) {
  std::vector<uint8_t> bytes(ui.vend - ui.vstart, 0);
  auto put = [&](uint64_t at, std::span<const uint8_t> data) {
    std::copy(data.begin(), data.end(), bytes.begin() + (at - ui.vstart));
  };
  for (const auto& s : init.segments) put(s.vaddr, init.segment_data(s));
  for (const auto& pd : pds)
    for (const auto& p : pd.placed) put(p.ui_vaddr + p.segment->vaddr % kPage, pd.elf.segment_data(*p.segment));
  return bytes;
}

// Maps every page of a PD's program from the user image: a copy of the
// kernel's frame cap of that page (root slot frames_start + page index),
// mapped with the segment's rights.
template <class Planner, class Pd>
void map_program(Planner& p, const Pd& pd, uint64_t vspace, uint64_t frames_start, const UserImage& ui) {
  for (const auto& placed : pd.placed) {
    const auto& s = *placed.segment;
    uint64_t first = align_down(s.vaddr, kPage);
    uint64_t pages = (align_up(s.vaddr + s.memsz, kPage) - first) / kPage;
    uint32_t rights = spec::kRightRead | (s.writable() ? spec::kRightWrite : 0);
    uint64_t attrs = spec::kMapCacheable | (s.executable() ? spec::kMapExecutable : 0);
    for (uint64_t i = 0; i < pages; ++i) {
      uint64_t frame = frames_start + (placed.ui_vaddr - ui.vstart) / kPage + i;
      p.w.map_frame(p.copy(frame), vspace, first + i * kPage, rights, attrs);
    }
  }
}

// Slot and untyped bookkeeping: new caps go to consecutive root slots.
struct Planner {
  spec::SpecWriter w;
  uint64_t next_slot = 0;
  uint64_t untyped = 0;  // index of the untyped new objects come from
  uint64_t new_objects(spec::ObjectKind kind, uint64_t size_bits, uint64_t count = 1) {
    uint64_t slot = next_slot;
    w.retype(kind, untyped, size_bits, count, slot);
    next_slot += count;
    return slot;
  }
  uint64_t copy(uint64_t src) {
    w.copy(src, kRootCNode, next_slot, kRootDepth, spec::kRightsAll);
    return next_slot++;
  }
  uint64_t mint(uint64_t src, uint64_t badge) {
    w.mint(src, kRootCNode, next_slot, kRootDepth, spec::kRightsAll, badge);
    return next_slot++;
  }
};

// A PD's stack pages and IPC buffer: `stack_pages` + 1 new frames from
// `frames`, the stack below `stack_top`, the IPC buffer at `ipc`.
template <class Planner>
void map_stack_and_ipc(Planner& p, uint64_t vspace, uint64_t frames, uint64_t stack_pages,
                       uint64_t stack_top, uint64_t ipc) {
  uint32_t rw = spec::kRightRead | spec::kRightWrite;
  for (uint64_t i = 0; i < stack_pages; ++i)
    p.w.map_frame(frames + i, vspace, stack_top - stack_pages * kPage + i * kPage, rw, spec::kMapCacheable);
  p.w.map_frame(frames + stack_pages, vspace, ipc, rw, spec::kMapCacheable);
}

// What a PD's thread is given before it is resumed (MCS): its CSpace,
// VSpace and IPC buffer, a scheduling context on `core`, the badged fault
// endpoint, its name, priority, notification and registers.
struct PdThread {
  uint64_t tcb, sc, guarded_cnode, vspace, ntfn, ipc, ipc_frame, entry, stack_top, priority, core = 0;
};

template <class Planner>
void start_pd_thread(Planner& p, const PdThread& t, uint64_t index, uint64_t fault_ep) {
  namespace abi = microkit::pd_abi;
  uint64_t badged_fault_ep = p.mint(fault_ep, abi::monitor_badge(index));
  p.w.sched_control(t.core, t.sc, 1000, 1000, 0, 0, 0);
  p.w.tcb_configure(t.tcb, t.guarded_cnode, 0, t.vspace, t.ipc, t.ipc_frame);
  p.w.name_thread(t.tcb, index);
  p.w.tcb_sched_params(t.tcb, kRootTcb, t.priority, t.priority, t.sc, badged_fault_ep);
  p.w.bind_notification(t.tcb, t.ntfn);
  p.w.write_registers(t.tcb, t.entry, t.stack_top);
}

// "--pd name=path": appends {name, path} to `pds`; false when there is no '='.
inline bool take_pd_option(const std::string& value, std::vector<std::pair<std::string, std::string>>& pds) {
  size_t eq = value.find('=');
  if (eq == std::string::npos) return false;
  pds.emplace_back(value.substr(0, eq), value.substr(eq + 1));
  return true;
}

// Prints the diagnostics and `what` on stderr; returns the exit status 1.
inline int fail_with(const microkit::Diagnostics& diags, const std::string& what) {
  for (const auto& d : diags.all()) std::cerr << microkit::render(d) << "\n";
  if (!what.empty()) std::cerr << what << "\n";
  return 1;
}

}  // namespace hand_plan
