// spec_decode.h: the checks the initial task runs on the spec before it
// touches the kernel, as pure functions (Habit 9: built for the target and
// for the host, tested on the host).
//
// Decode then invoke: check_header() validates the header and its tables;
// check_step() validates one step against the bootinfo facts (kind known,
// every slot in range, every object index valid, reserved fields zero).
// Only a step that passes is performed, so a failing invocation afterwards
// is a disagreement between the plan and the kernel, not garbage input.
// Every check returns nullptr when fine, else a short fixed sentence saying
// what is wrong (the caller adds the step number).
//
// Reads the spec through __builtin_memcpy (no alignment or aliasing
// assumptions). No std, no allocation: freestanding-safe.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/shared/initialiser_spec.h"

namespace microkit::initialiser {

namespace spec = microkit::initialiser_spec;

// What the kernel actually gave the initial task (from seL4_BootInfo).
struct BootFacts {
  uint64_t root_cnode_slots = 0;  // 2^CONFIG_ROOT_CNODE_SIZE_BITS
  uint64_t empty_start = 0, empty_end = 0;
  uint64_t user_image_frames_start = 0, user_image_frames_end = 0;
  uint64_t untyped_start = 0, untyped_end = 0;
  uint64_t sched_control_start = 0, sched_control_end = 0;
  uint64_t user_image_vaddr = 0;  // where the initial task's image begins
  // Most objects one Retype may create (seL4_UntypedRetypeMaxObjects,
  // CONFIG_RETYPE_FAN_OUT_LIMIT); 0 = not known, not checked.
  uint64_t retype_fan_out_limit = 0;
  // x86-64: seL4_BootInfo.numIOPTLevels, the IOMMU's page-table depth
  // (0 or negative: no IOMMU). Elsewhere 0.
  int64_t io_pt_levels = 0;
  // The extra bootinfo region after seL4_BootInfo (seL4_BootInfo.extraLen
  // bytes at the bootinfo frame + 4 KiB); X86BootInfoFill copies from it.
  uint64_t extra_bootinfo_vaddr = 0, extra_bootinfo_size = 0;
  // Bound specs (initialiser_spec.h, ExpectedUntyped): the planned untyped
  // count, which Retype and BindUntyped steps index; 0 = an exact spec,
  // whose steps index the kernel's untypeds.
  uint64_t bound_untypeds = 0;
};

template <class T>
inline T read_at(const uint8_t* base, uint64_t offset) {
  T value;
  __builtin_memcpy(&value, base + offset, sizeof(T));
  return value;
}

// A table of `count` entries of `size` bytes at `offset` lies inside `total`.
constexpr bool table_inside(uint64_t offset, uint64_t count, uint64_t size, uint64_t total) {
  if (offset % 8 != 0 || offset > total) return false;
  return count <= (total - offset) / size;
}

// The header's own consistency; `available` is how many bytes can be read
// from the header's first byte (to the end of the user image).
inline const char* check_header(const spec::SpecHeader& h, uint64_t available) {
  if (h.magic != spec::kSpecMagic) return "no spec here (bad magic)";
  if (h.version != spec::kSpecVersion) return "the spec format version is not the initialiser's";
  if (h.total_size < sizeof(spec::SpecHeader) || h.total_size > available)
    return "the spec's size does not fit the user image";
  if (h.step_count > spec::kMaxSteps) return "too many steps";
  if (h.pd_count > spec::kMaxPds) return "too many PDs";
  if (h.untyped_count > spec::kMaxUntypeds) return "too many untypeds";
  if (!table_inside(h.untyped_offset, h.untyped_count, sizeof(spec::ExpectedUntyped), h.total_size))
    return "the untyped table is outside the spec";
  if (!table_inside(h.step_offset, h.step_count, spec::kStepSize, h.total_size))
    return "the step table is outside the spec";
  if (!table_inside(h.pd_offset, h.pd_count, sizeof(spec::PdEntry), h.total_size))
    return "the PD table is outside the spec";
  if (h.strings_offset > h.total_size || h.strings_size > h.total_size - h.strings_offset)
    return "the string table is outside the spec";
  return nullptr;
}

// Whether the spec's untypeds are bound (every entry kBindRam or
// kBindDevice, matching its is_device) or exact (every entry kBindExact);
// a mix, or an unknown binding, is refused. Needs a checked header.
inline const char* check_untyped_binding(const uint8_t* spec_bytes, const spec::SpecHeader& h,
                                         bool& bound) {
  bound = false;
  for (uint64_t i = 0; i < h.untyped_count; ++i) {
    auto e = read_at<spec::ExpectedUntyped>(spec_bytes, h.untyped_offset + i * sizeof(spec::ExpectedUntyped));
    bool this_bound = e.bind != spec::kBindExact;
    if (i > 0 && this_bound != bound) return "exact and bound untypeds mixed";
    bound = this_bound;
    if (e.bind > spec::kBindDevice) return "unknown untyped binding";
    if (this_bound && (e.bind == spec::kBindDevice) != (e.is_device != 0))
      return "untyped binding does not match its device flag";
    for (uint8_t r : e.reserved)
      if (r != 0) return "reserved field not zero";
  }
  return nullptr;
}

// The bootinfo slot regions the plan was made for are the kernel's. A bound
// spec plans its own untyped list and starts its free slots after the most
// untypeds the kernel can hand out.
inline const char* check_boot_facts(const spec::SpecHeader& h, const BootFacts& b, bool bound = false) {
  bool empty_ok = bound ? h.empty_start >= b.empty_start && h.empty_start <= b.empty_end
                        : h.empty_start == b.empty_start;
  if (!empty_ok || h.empty_end != b.empty_end) return "the free slot region differs from the plan";
  if (h.user_image_frames_start != b.user_image_frames_start ||
      h.user_image_frames_end != b.user_image_frames_end)
    return "the user image frames differ from the plan (image layout)";
  if (h.untyped_start != b.untyped_start ||
      (!bound && h.untyped_count != b.untyped_end - b.untyped_start))
    return "the number or slots of untypeds differ from the plan";
  if (h.sched_control_start != b.sched_control_start ||
      h.sched_control_count != b.sched_control_end - b.sched_control_start)
    return "the sched control caps differ from the plan (kernel config)";
  if (h.user_image_vaddr != b.user_image_vaddr) return "the user image address differs from the plan";
  if (h.fault_ep_slot != 0 && !(h.fault_ep_slot >= b.empty_start && h.fault_ep_slot < b.empty_end))
    return "the fault endpoint slot is not a planned slot";
  if ((h.fault_ep_slot == 0) != (h.reply_slot == 0) ||
      (h.reply_slot != 0 && !(h.reply_slot >= b.empty_start && h.reply_slot < b.empty_end)))
    return "the reply slot is not a planned slot";
  return nullptr;
}

// Index of the first planned untyped that differs from the kernel's
// (`actual(i)` returns a spec::ExpectedUntyped), or -1 when all match.
template <class Actual>
inline int64_t first_untyped_difference(const uint8_t* spec_bytes, const spec::SpecHeader& h,
                                        Actual actual) {
  for (uint64_t i = 0; i < h.untyped_count; ++i) {
    auto e = read_at<spec::ExpectedUntyped>(spec_bytes, h.untyped_offset + i * sizeof(spec::ExpectedUntyped));
    spec::ExpectedUntyped a = actual(i);
    if (e.paddr != a.paddr || e.size_bits != a.size_bits || (e.is_device != 0) != (a.is_device != 0))
      return static_cast<int64_t>(i);
  }
  return -1;
}

// ---- Steps ----

constexpr bool is_new_slot(const BootFacts& b, uint64_t slot) {
  return slot >= b.empty_start && slot < b.empty_end;
}
constexpr bool is_source_slot(const BootFacts& b, uint64_t slot) {
  return slot != 0 && slot < b.root_cnode_slots;
}
constexpr bool all_zero(const uint64_t* words, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (words[i] != 0) return false;
  return true;
}

inline const char* check_retype(const spec::RetypeStep& s, const BootFacts& b) {
  if (!spec::is_object_kind(s.object_kind)) return "unknown object kind";
  uint64_t untypeds = b.bound_untypeds != 0 ? b.bound_untypeds : b.untyped_end - b.untyped_start;
  if (s.untyped_index >= untypeds) return "untyped index out of range";
  if (s.count == 0) return "retype of zero objects";
  if (b.retype_fan_out_limit != 0 && s.count > b.retype_fan_out_limit)
    return "more objects than the kernel's retype fan-out limit";
  if (s.size_bits >= 64) return "object size out of range";
  if (!is_new_slot(b, s.dest_slot) || s.count > b.empty_end - s.dest_slot)
    return "destination slots outside the free slot region";
  if (!all_zero(s.reserved, 3)) return "reserved field not zero";
  return nullptr;
}

inline const char* check_cap(const spec::CapStep& s, const BootFacts& b, bool mint) {
  if (!is_source_slot(b, s.src_slot)) return "source slot out of range";
  if (!is_source_slot(b, s.dest_cnode_slot)) return "destination CNode slot out of range";
  if (s.dest_depth == 0 || s.dest_depth > 64) return "destination depth out of range";
  if (s.rights & ~spec::kRightsAll) return "unknown rights bits";
  if (!mint && s.badge != 0) return "a copy has no badge";
  if (!all_zero(s.reserved, 2)) return "reserved field not zero";
  // Into the root CNode only planned (empty) slots may be written.
  if (s.dest_cnode_slot == 2 && (s.dest_depth != 64 || !is_new_slot(b, s.dest_index)))
    return "destination slot outside the free slot region";
  return nullptr;
}

inline const char* check_map_frame(const spec::MapFrameStep& s, const BootFacts& b) {
  if (!is_source_slot(b, s.frame_slot) || !is_source_slot(b, s.vspace_slot)) return "slot out of range";
  if (s.rights & ~(spec::kRightRead | spec::kRightWrite)) return "a mapping has only read and write rights";
  if (s.attributes & ~spec::kMapAttributesAll) return "unknown mapping attributes";
  if (s.vaddr % 4096 != 0) return "unaligned virtual address";
  if (!all_zero(s.reserved, 3)) return "reserved field not zero";
  return nullptr;
}

inline const char* check_sched_control(const spec::SchedControlConfigureStep& s, const BootFacts& b) {
  if (s.reserved0 != 0) return "reserved field not zero";
  if (s.core >= b.sched_control_end - b.sched_control_start) return "core out of range";
  if (!is_source_slot(b, s.sc_slot)) return "slot out of range";
  if (s.budget_us == 0 || s.budget_us > s.period_us) return "budget must be in 1..period";
  if (s.flags > 1) return "unknown scheduling context flags";
  return nullptr;
}

// A frame filled from the user image: its size is a page size, the copy
// stays inside the frame and reads only the user image, and the scratch
// address is aligned to the frame.
inline const char* check_fill_frame(const spec::FillFrameStep& s, const BootFacts& b) {
  if (s.size_bits != 12 && s.size_bits != 21 && s.size_bits != 30) return "frame size is not a page size";
  if (!is_source_slot(b, s.frame_slot)) return "slot out of range";
  if (s.reserved[0] != 0 || s.reserved[1] != 0) return "reserved field not zero";
  uint64_t size = uint64_t{1} << s.size_bits;
  if (s.scratch_vaddr % size != 0) return "scratch address not aligned to the frame";
  if (s.length == 0 || s.dest_offset > size || s.length > size - s.dest_offset) return "copy outside the frame";
  uint64_t ui_size = (b.user_image_frames_end - b.user_image_frames_start) * 4096;
  if (s.src_vaddr < b.user_image_vaddr || s.src_vaddr - b.user_image_vaddr > ui_size ||
      s.length > ui_size - (s.src_vaddr - b.user_image_vaddr))
    return "copy source outside the user image";
  return nullptr;
}

// Where a step writes a new cap: the CNode slot and depth, and, into the
// root CNode, only a planned free slot.
inline const char* check_dest(const BootFacts& b, uint64_t cnode_slot, uint64_t index, uint64_t depth) {
  if (!is_source_slot(b, cnode_slot)) return "destination CNode slot out of range";
  if (depth == 0 || depth > 64) return "destination depth out of range";
  if (cnode_slot == 2 && (depth != 64 || !is_new_slot(b, index)))
    return "destination slot outside the free slot region";
  return nullptr;
}

inline const char* check_x86_ioport(const spec::X86IoPortIssueStep& s, const BootFacts& b) {
  if (s.reserved0 != 0 || s.reserved[0] != 0 || s.reserved[1] != 0) return "reserved field not zero";
  if (s.first_port > s.last_port || s.last_port > 0xffff) return "I/O port range out of order or beyond 0xffff";
  return check_dest(b, s.dest_cnode_slot, s.dest_index, s.dest_depth);
}

inline const char* check_x86_irq(const spec::X86IrqIssueStep& s, const BootFacts& b) {
  if (s.source == spec::kX86IrqIoApic) {
    if (s.b >= spec::kX86IoApicPins) return "IOAPIC pin out of range";
    if (s.c & ~spec::kX86IrqFlagsAll) return "unknown IOAPIC interrupt flags";
  } else if (s.source == spec::kX86IrqMsi) {
    if (s.a > 0xffff) return "PCI address out of range";
    if (s.c != 0) return "reserved field not zero";
  } else {
    return "unknown x86 interrupt source";
  }
  if (s.vector > 0xff) return "vector out of range";
  return check_dest(b, s.dest_cnode_slot, s.dest_index, s.dest_depth);
}

inline const char* check_x86_bootinfo_fill(const spec::X86BootInfoFillStep& s, const BootFacts& b) {
  if (s.chunk_id == 0 || s.chunk_id > spec::kMaxBootInfoChunkId) return "unknown bootinfo chunk id";
  if (!is_source_slot(b, s.frame_slot)) return "slot out of range";
  if (s.chunk_offset % 4096 != 0) return "chunk offset not a multiple of the page size";
  if (!all_zero(s.reserved, 5)) return "reserved field not zero";
  return nullptr;
}

// An IO mapping needs an IOMMU at run time: the kernel says at boot whether
// there is one and how deep its page tables are (each level 9 bits).
inline const char* check_x86_io_map(const spec::X86IoMapFrameStep& s, const BootFacts& b) {
  if (s.rights == 0 || (s.rights & ~(spec::kRightRead | spec::kRightWrite))) return "an IO mapping has read and/or write rights";
  if (!is_source_slot(b, s.frame_slot) || !is_source_slot(b, s.iospace_slot)) return "slot out of range";
  if (s.iovaddr % 4096 != 0) return "unaligned IO virtual address";
  if (s.iopt_pool_count != 0 && (!is_new_slot(b, s.iopt_pool_start) || s.iopt_pool_count > b.empty_end - s.iopt_pool_start))
    return "IO page table pool outside the free slot region";
  if (s.reserved != 0) return "reserved field not zero";
  if (b.io_pt_levels <= 0)
    return "this machine has no IOMMU the kernel uses, but the system has an io_address_space "
           "(on QEMU: -machine q35 -device intel-iommu,intremap=off)";
  uint64_t bits = 12 + 9 * static_cast<uint64_t>(b.io_pt_levels);
  if (bits < 64 && s.iovaddr >= (uint64_t{1} << bits)) return "IO virtual address beyond this IOMMU's reach";
  return nullptr;
}

// Bits of the page an EPT frame mapping maps, 0 for a table kind, -1 for
// neither.
constexpr int ept_page_bits(uint32_t kind) {
  switch (static_cast<spec::ObjectKind>(kind)) {
    case spec::ObjectKind::EptPdpt:
    case spec::ObjectKind::EptPd:
    case spec::ObjectKind::EptPt: return 0;
    case spec::ObjectKind::SmallPage: return 12;
    case spec::ObjectKind::LargePage: return 21;
    case spec::ObjectKind::HugePage: return 30;
    default: return -1;
  }
}

// A table maps with no rights or attributes; a frame with read and/or
// write and known attributes, at a guest-physical address aligned to it.
inline const char* check_ept_map(const spec::EptMapStep& s, const BootFacts& b) {
  int page_bits = ept_page_bits(s.object_kind);
  if (page_bits < 0) return "not an EPT table or frame kind";
  if (!is_source_slot(b, s.object_slot) || !is_source_slot(b, s.pml4_slot)) return "slot out of range";
  if (!all_zero(s.reserved, 2)) return "reserved field not zero";
  if (page_bits == 0) {
    if (s.rights != 0 || s.attributes != 0) return "an EPT table has no rights or attributes";
    return s.gpa % 4096 != 0 ? "unaligned guest-physical address" : nullptr;
  }
  if (s.rights == 0 || (s.rights & ~uint64_t{spec::kRightRead | spec::kRightWrite}))
    return "an EPT mapping has read and/or write rights";
  if (s.attributes & ~uint64_t{spec::kMapAttributesAll}) return "unknown mapping attributes";
  if (s.gpa % (uint64_t{1} << page_bits) != 0) return "guest-physical address not aligned to the page";
  return nullptr;
}

inline const char* check_bind_untyped(const spec::BindUntypedStep& s, const BootFacts& b) {
  if (s.reserved0 != 0 || !all_zero(s.reserved, 3)) return "reserved field not zero";
  if (b.bound_untypeds == 0) return "untyped binding in a spec with exact untypeds";
  if (s.untyped_index >= b.bound_untypeds) return "untyped index out of range";
  if (s.size_bits < 4 || s.size_bits >= 64) return "object size out of range";
  if (s.carve_count == 0 || !is_new_slot(b, s.carve_slot) || s.carve_count > b.empty_end - s.carve_slot)
    return "destination slots outside the free slot region";
  return nullptr;
}

constexpr bool is_table_kind(uint32_t kind) {
  return kind == 0 || kind == uint32_t(spec::ObjectKind::PageTable) ||
         kind == uint32_t(spec::ObjectKind::X86Pdpt) ||
         kind == uint32_t(spec::ObjectKind::X86PageDirectory);
}

// Checks steps whose fields are plain slots plus reserved words: which of
// arg[0..6] are slots (bit i of slot_mask) and which must be zero.
inline const char* check_slots(const spec::Step& s, const BootFacts& b, unsigned slot_mask,
                               unsigned free_mask, unsigned zero_mask) {
  for (unsigned i = 0; i < 7; ++i) {
    uint64_t v = s.arg[i];
    if ((slot_mask >> i) & 1) {
      bool optional = (free_mask >> i) & 1;  // here "free" = may be 0 (none)
      if (!(optional && v == 0) && !is_source_slot(b, v)) return "slot out of range";
    }
    if (((zero_mask >> i) & 1) && v != 0) return "reserved field not zero";
  }
  return nullptr;
}

// The step's kind as a name, for failure messages; "unknown" if not a kind.
inline const char* step_name(uint32_t kind) {
  static const char* const names[] = {
      "unknown", "retype", "copy cap", "mint cap", "assign ASID pool", "map page table",
      "map frame", "configure TCB", "set TCB scheduling parameters", "set TCB timeout endpoint",
      "configure scheduling context", "write TCB registers", "bind notification",
      "issue IRQ handler", "set IRQ notification", "acknowledge IRQ", "resume TCB"};
  switch (static_cast<spec::StepKind>(kind)) {
    case spec::StepKind::TcbSetFlags: return "set TCB flags";
    case spec::StepKind::DomainSet: return "set TCB domain";
    case spec::StepKind::DomainScheduleConfigure: return "configure domain schedule entry";
    case spec::StepKind::DomainScheduleSetStart: return "start domain schedule";
    case spec::StepKind::SchedContextBind: return "bind scheduling context to notification";
    case spec::StepKind::TcbSetName: return "name TCB";
    case spec::StepKind::FillFrame: return "fill frame";
    case spec::StepKind::X86IoPortIssue: return "issue I/O port cap";
    case spec::StepKind::X86IrqIssue: return "issue x86 IRQ handler";
    case spec::StepKind::X86BootInfoFill: return "fill frame from bootinfo";
    case spec::StepKind::X86IoMapFrame: return "map frame into IO address space";
    case spec::StepKind::BindUntyped: return "bind untyped";
    case spec::StepKind::VcpuSetTcb: return "bind VCPU to TCB";
    case spec::StepKind::FaultPage: return "record fault page";
    case spec::StepKind::CrashDump: return "record crash dump";
    case spec::StepKind::EptMap: return "map into guest EPT";
    case spec::StepKind::TcbSetEptRoot: return "set TCB EPT root";
    default: break;
  }
  return kind < sizeof names / sizeof names[0] ? names[kind] : names[0];
}

// Every check of one step. Steps with a small field that must be zero have
// it checked here too.
inline const char* check_step(const spec::Step& s, const BootFacts& b) {
  using K = spec::StepKind;
  if (!spec::is_step_kind(s.kind)) return "unknown step kind";
  K kind = static_cast<K>(s.kind);
  switch (kind) {
    case K::Retype: return check_retype(read_at<spec::RetypeStep>(reinterpret_cast<const uint8_t*>(&s), 0), b);
    case K::Copy:
    case K::Mint:
      return check_cap(read_at<spec::CapStep>(reinterpret_cast<const uint8_t*>(&s), 0), b, kind == K::Mint);
    case K::MapFrame: return check_map_frame(read_at<spec::MapFrameStep>(reinterpret_cast<const uint8_t*>(&s), 0), b);
    case K::SchedControlConfigure:
      return check_sched_control(read_at<spec::SchedControlConfigureStep>(reinterpret_cast<const uint8_t*>(&s), 0), b);
    case K::FillFrame: return check_fill_frame(read_at<spec::FillFrameStep>(reinterpret_cast<const uint8_t*>(&s), 0), b);
    case K::X86IoPortIssue:
      return check_x86_ioport(read_at<spec::X86IoPortIssueStep>(reinterpret_cast<const uint8_t*>(&s), 0), b);
    case K::X86IrqIssue:
      return check_x86_irq(read_at<spec::X86IrqIssueStep>(reinterpret_cast<const uint8_t*>(&s), 0), b);
    case K::X86BootInfoFill:
      return check_x86_bootinfo_fill(read_at<spec::X86BootInfoFillStep>(reinterpret_cast<const uint8_t*>(&s), 0), b);
    case K::X86IoMapFrame:
      return check_x86_io_map(read_at<spec::X86IoMapFrameStep>(reinterpret_cast<const uint8_t*>(&s), 0), b);
    case K::EptMap: return check_ept_map(read_at<spec::EptMapStep>(reinterpret_cast<const uint8_t*>(&s), 0), b);
    case K::BindUntyped:
      return check_bind_untyped(read_at<spec::BindUntypedStep>(reinterpret_cast<const uint8_t*>(&s), 0), b);
    case K::MapPageTable:
      if (!is_table_kind(s.small)) return "unknown page table kind";
      if (s.arg[2] % 4096 != 0) return "unaligned virtual address";
      return check_slots(s, b, 0b0000011, 0, 0b1111000);
    case K::FaultPage:  // pd (checked by check_step_in_spec), frame, vaddr
      if (s.small == 0 || (s.small & ~spec::kFaultPageFlagsAll)) return "unknown fault page flags";
      if (s.arg[2] % 4096 != 0) return "unaligned virtual address";
      return check_slots(s, b, 0b0000010, 0, 0b1111000);
    case K::IrqIssue:
      if (s.small > spec::kTriggerEdge) return "unknown IRQ trigger";
      if (s.arg[3] == 0 || s.arg[3] > 64) return "destination depth out of range";
      if (s.arg[1] == 2 && (s.arg[3] != 64 || !is_new_slot(b, s.arg[2])))
        return "destination slot outside the free slot region";
      return check_slots(s, b, 0b0000010, 0, 0b1110000);
    default: break;
  }
  if (s.small != 0) return "reserved field not zero";
  switch (kind) {
    case K::AsidPoolAssign: return check_slots(s, b, 0b0000001, 0, 0b1111110);
    case K::TcbConfigure:  // tcb, cspace, data, vspace, buffer vaddr, buffer frame (0 = none)
      if (s.arg[4] % 1024 != 0) return "IPC buffer not aligned to its size";  // seL4_IPCBufferSizeBits
      return check_slots(s, b, 0b0101011, 0b0100000, 0b1000000);
    case K::TcbSetSchedParams:  // tcb, authority, mcp, prio, sc (0 = passive), fault ep (0 = none)
      if (s.arg[2] > 255 || s.arg[3] > 255) return "priority out of range";
      return check_slots(s, b, 0b0110011, 0b0110000, 0b1000000);
    case K::TcbWriteRegisters:
      if (s.arg[2] % 16 != 0) return "stack pointer not 16-byte aligned";
      return check_slots(s, b, 0b0000001, 0, 0b1111000);
    case K::TcbSetName:  // tcb, PD index (checked against the PD table by check_step_in_spec)
      return check_slots(s, b, 0b0000001, 0, 0b1111100);
    case K::TcbSetTimeoutEndpoint:
    case K::VcpuSetTcb:
    case K::TcbSetEptRoot:
    case K::TcbBindNotification:
    case K::SchedContextBind:
    case K::IrqSetNotification: return check_slots(s, b, 0b0000011, 0, 0b1111100);
    case K::IrqAck:
    case K::TcbResume: return check_slots(s, b, 0b0000001, 0, 0b1111110);
    case K::TcbSetFlags:  // tcb, clear, set
      if ((s.arg[1] | s.arg[2]) & ~spec::kTcbFlagsAll) return "unknown TCB flags";
      return check_slots(s, b, 0b0000001, 0, 0b1111000);
    case K::DomainSet:  // tcb, domain
      if (s.arg[1] > 255) return "domain out of range";
      return check_slots(s, b, 0b0000001, 0, 0b1111100);
    case K::DomainScheduleConfigure:  // index, domain, duration
      if (s.arg[1] > 255) return "domain out of range";
      if (s.arg[2] > spec::kMaxDomainTicks) return "duration does not fit in 56 bits";
      if (s.arg[2] == 0 && s.arg[1] != 0) return "an end marker has domain 0";
      return check_slots(s, b, 0, 0, 0b1111000);
    case K::DomainScheduleSetStart:  // index
    case K::CrashDump:               // pd (checked by check_step_in_spec)
      return check_slots(s, b, 0, 0, 0b1111110);
    default: return "unknown step kind";
  }
}

// The checks of a step that need the rest of the spec: TcbSetName,
// FaultPage and CrashDump steps name a PD of the PD table.
inline const char* check_step_in_spec(const spec::Step& s, const spec::SpecHeader& h) {
  if (s.kind == uint32_t(spec::StepKind::TcbSetName) && s.arg[1] >= h.pd_count) return "PD index out of range";
  if ((s.kind == uint32_t(spec::StepKind::FaultPage) || s.kind == uint32_t(spec::StepKind::CrashDump)) &&
      s.arg[0] >= h.pd_count)
    return "PD index out of range";
  return nullptr;
}

// The PD table: names inside the string table and of sane length, badges
// unique where given, slots in range, a passive PD's SC and notification
// given together.
inline const char* check_pds(const uint8_t* spec_bytes, const spec::SpecHeader& h, const BootFacts& b) {
  for (uint64_t i = 0; i < h.pd_count; ++i) {
    auto pd = read_at<spec::PdEntry>(spec_bytes, h.pd_offset + i * sizeof(spec::PdEntry));
    if (pd.name_size == 0 || pd.name_size > spec::kMaxNameBytes) return "PD name size out of range";
    if (pd.name_offset > h.strings_size || pd.name_size > h.strings_size - pd.name_offset)
      return "PD name outside the string table";
    if (pd.tcb_slot == 0 || pd.tcb_slot >= b.root_cnode_slots) return "PD TCB slot out of range";
    if (pd.sc_slot >= b.root_cnode_slots) return "PD scheduling context slot out of range";
    if (pd.notification_slot >= b.root_cnode_slots) return "PD notification slot out of range";
    // A passive PD's SC and notification are named together: both or neither.
    if ((pd.sc_slot == 0) != (pd.notification_slot == 0))
      return "passive PD without both a scheduling context and a notification slot";
    if ((pd.symbols_offset == 0) != (pd.symbols_size == 0) || pd.symbols_offset % 8 != 0 ||
        pd.symbols_size > h.total_size || pd.symbols_offset > h.total_size - pd.symbols_size)
      return "PD fault symbol table outside the spec";
    for (uint64_t j = 0; j < i && pd.fault_badge != 0; ++j) {
      auto other = read_at<spec::PdEntry>(spec_bytes, h.pd_offset + j * sizeof(spec::PdEntry));
      if (other.fault_badge == pd.fault_badge) return "two PDs share a fault badge";
    }
  }
  return nullptr;
}

// The PD whose fault badge is `badge` (0 matches none), or -1.
inline int64_t pd_for_badge(const uint8_t* spec_bytes, const spec::SpecHeader& h, uint64_t badge) {
  for (uint64_t i = 0; i < h.pd_count && badge != 0; ++i) {
    auto pd = read_at<spec::PdEntry>(spec_bytes, h.pd_offset + i * sizeof(spec::PdEntry));
    if (pd.fault_badge == badge) return static_cast<int64_t>(i);
  }
  return -1;
}

}  // namespace microkit::initialiser
