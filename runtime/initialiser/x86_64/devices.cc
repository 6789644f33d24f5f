// devices.cc: the x86-64 device steps (devices.h). Each is one or a few
// seL4 invocations with arguments from the spec; the only facts taken at
// boot are the ones the tool cannot know: where the kernel put the extra
// bootinfo, and how deep the IOMMU's page tables are.
#include "runtime/initialiser/x86_64/devices.h"

#include "runtime/initialiser/bootinfo_chunks.h"

namespace microkit::initialiser::devices {
namespace {

namespace is = spec;

template <class T>
T as(const spec::Step& s) {
  return read_at<T>(reinterpret_cast<const uint8_t*>(&s), 0);
}

seL4_CapRights_t read_write(uint32_t r) {
  return seL4_CapRights_new(false, false, (r & is::kRightRead) != 0, (r & is::kRightWrite) != 0);
}

seL4_Error ioport_issue(const is::X86IoPortIssueStep& s) {
  return seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, s.first_port, s.last_port, s.dest_cnode_slot,
                                      s.dest_index, static_cast<seL4_Uint8>(s.dest_depth));
}

seL4_Error irq_issue(const is::X86IrqIssueStep& s) {
  auto depth = static_cast<seL4_Uint8>(s.dest_depth);
  if (s.source == is::kX86IrqIoApic) {
    return seL4_IRQControl_GetIOAPIC(seL4_CapIRQControl, s.dest_cnode_slot, s.dest_index, depth, s.a, s.b,
                                     (s.c & is::kX86IrqLevel) ? 1 : 0, (s.c & is::kX86IrqActiveLow) ? 1 : 0,
                                     s.vector);
  }
  return seL4_IRQControl_GetMSI(seL4_CapIRQControl, s.dest_cnode_slot, s.dest_index, depth, s.a >> 8,
                                (s.a >> 3) & 0x1f, s.a & 7, s.b, s.vector);
}

// A page of the initialiser's own image, swapped out for the frame being
// filled: its user-image frame cap is unmapped, the frame mapped at its
// address, filled, unmapped, and the page mapped back. It needs no page
// table of its own and no address the tool must know.
alignas(4096) uint8_t g_scratch[4096];

seL4_CPtr scratch_own_cap(const BootFacts& b) {
  auto vaddr = reinterpret_cast<uint64_t>(g_scratch);
  return b.user_image_frames_start + (vaddr - b.user_image_vaddr) / 4096;
}

seL4_Error map_page(seL4_CPtr frame) {
  return seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, reinterpret_cast<seL4_Word>(g_scratch),
                           seL4_AllRights, seL4_X86_Default_VMAttributes);
}

seL4_Error bootinfo_fill(const is::X86BootInfoFillStep& s, const BootFacts& b) {
  const auto* extra = reinterpret_cast<const uint8_t*>(b.extra_bootinfo_vaddr);
  BootInfoChunk chunk = find_bootinfo_chunk(extra, b.extra_bootinfo_size, s.chunk_id);
  if (chunk.size <= s.chunk_offset) return seL4_NoError;  // nothing of the chunk here: the frame stays zero
  uint64_t length = chunk.size - s.chunk_offset;
  if (length > sizeof g_scratch) length = sizeof g_scratch;
  seL4_CPtr own = scratch_own_cap(b);
  seL4_Error e = seL4_X86_Page_Unmap(own);
  if (e == seL4_NoError) e = map_page(s.frame_slot);
  if (e != seL4_NoError) return e;
  const uint8_t* src = extra + chunk.offset + s.chunk_offset;
  for (uint64_t i = 0; i < length; ++i) g_scratch[i] = src[i];
  e = seL4_X86_Page_Unmap(s.frame_slot);
  seL4_Error back = map_page(own);
  return e != seL4_NoError ? e : back;
}

#if defined(CONFIG_IOMMU)
// The pool of IO page tables all X86IoMapFrame steps share: the next unused.
uint64_t g_next_iopt = 0;

seL4_Error io_map(const is::X86IoMapFrameStep& s) {
  if (s.iospace_data != 0) {
    seL4_Error e = seL4_CNode_Mint(seL4_CapInitThreadCNode, s.iospace_slot, seL4_WordBits, seL4_CapInitThreadCNode,
                                   seL4_CapIOSpace, seL4_WordBits, seL4_AllRights, s.iospace_data);
    if (e != seL4_NoError) return e;
  }
  if (g_next_iopt < s.iopt_pool_start) g_next_iopt = s.iopt_pool_start;
  for (;;) {
    seL4_Error e = seL4_X86_Page_MapIO(s.frame_slot, s.iospace_slot, read_write(s.rights), s.iovaddr);
    if (e != seL4_FailedLookup) return e;
    if (g_next_iopt >= s.iopt_pool_start + s.iopt_pool_count) return e;  // pool used up: a tool bug
    e = seL4_X86_IOPageTable_Map(g_next_iopt++, s.iospace_slot, s.iovaddr);
    if (e != seL4_NoError) return e;
  }
}
#endif

}  // namespace

bool io_page_table_type(seL4_Word* type) {
#if defined(CONFIG_IOMMU)
  *type = seL4_X86_IOPageTableObject;
  return true;
#else
  (void)type;
  return false;
#endif
}

seL4_Error invoke(const spec::Step& s, const BootFacts& b) {
  switch (static_cast<is::StepKind>(s.kind)) {
    case is::StepKind::X86IoPortIssue: return ioport_issue(as<is::X86IoPortIssueStep>(s));
    case is::StepKind::X86IrqIssue: return irq_issue(as<is::X86IrqIssueStep>(s));
    case is::StepKind::X86BootInfoFill: return bootinfo_fill(as<is::X86BootInfoFillStep>(s), b);
#if defined(CONFIG_IOMMU)
    case is::StepKind::X86IoMapFrame: return io_map(as<is::X86IoMapFrameStep>(s));
#endif
    default: return seL4_IllegalOperation;
  }
}

}  // namespace microkit::initialiser::devices
