// invoke.cc: the seL4 invocation behind each step kind. No checks here
// beyond those check_step() already made; no decisions either: every
// argument comes from the spec. Virtual memory and thread registers are the
// architecture's (arch.h; aarch64/, riscv64/).
#include "runtime/initialiser/invoke.h"

#include "runtime/initialiser/arch.h"
#include "runtime/initialiser/x86_64/devices.h"
#include "runtime/initialiser/untypeds.h"

namespace microkit::initialiser {
namespace {

using K = spec::StepKind;
constexpr seL4_Uint8 kRootDepth = seL4_WordBits;  // a root CNode CPtr is a slot number
// check_step() assumes these kernel facts.
static_assert(seL4_IPCBufferSizeBits == 10, "check_step's IPC buffer alignment");
static_assert(seL4_CapInitThreadCNode == 2, "check_step's root CNode slot");
static_assert(seL4_WordBits == 64, "CapStep depths are at most 64");
static_assert(spec::kTcbFlagFpuDisabled == seL4_TCBFlag_fpuDisabled, "TcbSetFlagsStep's flag bits");

seL4_CapRights_t rights_of(uint32_t r) {
  return seL4_CapRights_new((r & spec::kRightGrantReply) != 0, (r & spec::kRightGrant) != 0,
                            (r & spec::kRightRead) != 0, (r & spec::kRightWrite) != 0);
}

template <class T>
T as(const spec::Step& s) {
  return read_at<T>(reinterpret_cast<const uint8_t*>(&s), 0);
}

seL4_Error retype(const spec::RetypeStep& s, uint64_t untyped_slot) {
  seL4_Word type = 0;
  object_type(s.object_kind, &type);  // checked before
  return seL4_Untyped_Retype(untyped_slot, type, s.size_bits, seL4_CapInitThreadCNode, 0, 0, s.dest_slot,
                             s.count);
}

seL4_Error map_page_table(const spec::Step& s) {
  auto kind = s.small == 0 ? uint32_t(spec::ObjectKind::PageTable) : s.small;
  return arch::map_page_table(kind, s.arg[0], s.arg[1], s.arg[2]);
}

seL4_Error cap(const spec::CapStep& s, bool mint) {
  auto depth = static_cast<seL4_Uint8>(s.dest_depth);
  if (!mint) {
    return seL4_CNode_Copy(s.dest_cnode_slot, s.dest_index, depth, seL4_CapInitThreadCNode,
                           s.src_slot, kRootDepth, rights_of(s.rights));
  }
  return seL4_CNode_Mint(s.dest_cnode_slot, s.dest_index, depth, seL4_CapInitThreadCNode, s.src_slot,
                         kRootDepth, rights_of(s.rights), s.badge);
}

seL4_Error map_frame(const spec::MapFrameStep& s) {
  return arch::map_frame(s.frame_slot, s.vspace_slot, s.vaddr, rights_of(s.rights), s.attributes);
}

seL4_Error sched_control(const spec::SchedControlConfigureStep& s, const BootFacts& b) {
  return seL4_SchedControl_ConfigureFlags(b.sched_control_start + s.core, s.sc_slot, s.budget_us,
                                          s.period_us, s.extra_refills, s.badge, s.flags);
}

seL4_Error write_registers(const spec::TcbWriteRegistersStep& s) {
  return arch::write_pc_sp(s.tcb_slot, s.pc, s.sp);
}

// The copy is the only memory access of the initial task into a PD's
// frame: map, copy, make it visible to the PD (arch: cache clean), unmap.
seL4_Error fill_frame(const spec::FillFrameStep& s) {
  seL4_Error e = arch::map_for_copy(s.frame_slot, s.scratch_vaddr);
  if (e != seL4_NoError) return e;
  auto* dst = reinterpret_cast<uint8_t*>(s.scratch_vaddr + s.dest_offset);
  const auto* src = reinterpret_cast<const uint8_t*>(s.src_vaddr);
  for (uint64_t i = 0; i < s.length; ++i) dst[i] = src[i];
  return arch::finish_copy(s.frame_slot, s.dest_offset, s.length);
}

}  // namespace

bool object_type(uint32_t kind, seL4_Word* type) {
  switch (static_cast<spec::ObjectKind>(kind)) {
    case spec::ObjectKind::Untyped: *type = seL4_UntypedObject; return true;
    case spec::ObjectKind::Tcb: *type = seL4_TCBObject; return true;
    case spec::ObjectKind::Endpoint: *type = seL4_EndpointObject; return true;
    case spec::ObjectKind::Notification: *type = seL4_NotificationObject; return true;
    case spec::ObjectKind::CNode: *type = seL4_CapTableObject; return true;
    case spec::ObjectKind::SchedContext: *type = seL4_SchedContextObject; return true;
    case spec::ObjectKind::Reply: *type = seL4_ReplyObject; return true;
    case spec::ObjectKind::VSpace:
    case spec::ObjectKind::PageTable:
    case spec::ObjectKind::SmallPage:
    case spec::ObjectKind::LargePage:
    case spec::ObjectKind::HugePage:
    case spec::ObjectKind::X86PageDirectory:
    case spec::ObjectKind::X86Pdpt:
    case spec::ObjectKind::EptPml4:
    case spec::ObjectKind::EptPdpt:
    case spec::ObjectKind::EptPd:
    case spec::ObjectKind::EptPt:
    case spec::ObjectKind::Vcpu: return arch::vm_object_type(kind, type);
    case spec::ObjectKind::IoPageTable: return devices::io_page_table_type(type);
  }
  return false;
}

seL4_Error invoke_step(const spec::Step& s, const BootFacts& b) {
  const uint64_t* a = s.arg;
  switch (static_cast<K>(s.kind)) {
    case K::Retype: return retype(as<spec::RetypeStep>(s), untyped_slot(a[0]));
    case K::BindUntyped: return seL4_IllegalOperation;  // run_steps binds (it has the planned untyped)
    case K::Copy: return cap(as<spec::CapStep>(s), false);
    case K::Mint: return cap(as<spec::CapStep>(s), true);
    case K::AsidPoolAssign: return arch::assign_asid(a[0]);
    case K::MapPageTable: return map_page_table(s);
    case K::MapFrame: return map_frame(as<spec::MapFrameStep>(s));
    case K::TcbConfigure: return seL4_TCB_Configure(a[0], a[1], a[2], a[3], 0, a[4], a[5]);
    case K::TcbSetSchedParams: return seL4_TCB_SetSchedParams(a[0], a[1], a[2], a[3], a[4], a[5]);
    case K::TcbSetTimeoutEndpoint: return seL4_TCB_SetTimeoutEndpoint(a[0], a[1]);
    case K::SchedControlConfigure: return sched_control(as<spec::SchedControlConfigureStep>(s), b);
    case K::TcbWriteRegisters: return write_registers(as<spec::TcbWriteRegistersStep>(s));
    case K::TcbBindNotification: return seL4_TCB_BindNotification(a[0], a[1]);
    case K::IrqIssue: return arch::issue_irq(a[0], s.small, a[1], a[2], static_cast<seL4_Uint8>(a[3]));
    case K::IrqSetNotification: return seL4_IRQHandler_SetNotification(a[0], a[1]);
    case K::IrqAck: return seL4_IRQHandler_Ack(a[0]);
    case K::TcbResume: return seL4_TCB_Resume(a[0]);
    case K::SchedContextBind: return seL4_SchedContext_Bind(a[0], a[1]);
    case K::VcpuSetTcb: return arch::bind_vcpu(a[0], a[1]);
    case K::EptMap: return arch::ept_map(as<spec::EptMapStep>(s));
    case K::TcbSetEptRoot: return arch::set_ept_root(a[0], a[1]);
    case K::TcbSetName: return seL4_NoError;  // run_steps names the thread (it has the PD table)
    case K::FaultPage:
    case K::CrashDump: return seL4_NoError;  // read by the fault handler (fault_report.cc)
    case K::FillFrame: return fill_frame(as<spec::FillFrameStep>(s));
    case K::TcbSetFlags: return static_cast<seL4_Error>(seL4_TCB_SetFlags(a[0], a[1], a[2]).error);
    case K::DomainSet: return seL4_DomainSet_Set(seL4_CapDomain, static_cast<seL4_Uint8>(a[1]), a[0]);
    case K::DomainScheduleConfigure:
      return seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, a[0], static_cast<seL4_Uint8>(a[1]), a[2]);
    case K::DomainScheduleSetStart: return seL4_DomainSet_ScheduleSetStart(seL4_CapDomain, a[0]);
    case K::X86IoPortIssue:
    case K::X86IrqIssue:
    case K::X86BootInfoFill:
    case K::X86IoMapFrame: return devices::invoke(s, b);
  }
  return seL4_IllegalOperation;  // not reached: check_step() knows every kind
}

}  // namespace microkit::initialiser
