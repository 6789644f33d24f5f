// initialiser.cc: the seL4 initial task of a Microkit system.
//
// It executes the spec the tool wrote (runtime/shared/initialiser_spec.h)
// and then serves as the fault handler of last resort. It decides nothing:
//   1. find the spec after its own image and check its header;
//   2. check that the kernel's bootinfo (slot regions, untyped list) is the
//      one the plan was made for, else stop naming the first difference;
//   3. check the PD table (names for fault reports);
//   4. for each step: check it (check_step), then invoke it; any failure
//      stops with "FAILED at step N (<what>)";
//   5. serve the monitor endpoint: report faults of PDs that have no
//      parent (a faulted PD is never restarted, the others keep running),
//      and, in debug configurations, children's faults their parents send
//      on before handling them.
//      Passive PDs need nothing here: their scheduling context was bound to
//      their notification by a step, and the kernel hands it over when the
//      PD first blocks after init().
// See docs/initialiser.md.
#include "runtime/initialiser/arch.h"
#include "runtime/initialiser/fault_report.h"
#include "runtime/initialiser/invoke.h"
#include "runtime/initialiser/print.h"
#include "runtime/initialiser/spec_decode.h"
#include "runtime/initialiser/untypeds.h"
#include "runtime/shared/pd_abi.h"

// libsel4 built with LibSel4UseThreadLocals=OFF reads the IPC buffer from
// this plain global.
seL4_IPCBuffer* __sel4_ipc_buffer;

#if defined(CONFIG_DEBUG_BUILD)
// libsel4's seL4_DebugNameThread copies the name with strcpy.
extern "C" char* strcpy(char* dst, const char* src) {
  char* d = dst;
  while ((*d++ = *src++) != '\0') {
  }
  return dst;
}
#endif

// From initialiser.ld: the first and one-past-last byte of this image.
extern "C" const uint8_t __initialiser_start[];
extern "C" const uint8_t __initialiser_end[];

namespace microkit::initialiser {
namespace {

constexpr uint64_t kPage = 4096;

[[noreturn]] void stop() {
  // Suspending ourselves parks the initial task for good; PDs already
  // started keep running.
  seL4_TCB_Suspend(seL4_CapInitThreadTCB);
  for (;;) asm volatile("" ::: "memory");  // not reached
}

[[noreturn]] void fail(const char* what) {
  print::line_start();
  print::put("FAILED: ");
  print::put(what);
  print::put("\n");
  stop();
}

[[noreturn]] void fail_step(uint64_t n, uint32_t kind, const char* what, bool is_sel4, seL4_Error e) {
  print::line_start();
  print::put("FAILED at step ");
  print::dec(n);
  print::put(" (");
  print::put(step_name(kind));
  print::put("): ");
  if (is_sel4) {
    print::put("seL4 error ");
    print::dec(static_cast<uint64_t>(e));
  } else {
    print::put(what);
  }
  print::put("\n");
  stop();
}

BootFacts boot_facts_of(const seL4_BootInfo* bi) {
  BootFacts b;
  b.root_cnode_slots = uint64_t{1} << bi->initThreadCNodeSizeBits;
  b.empty_start = bi->empty.start;
  b.empty_end = bi->empty.end;
  b.user_image_frames_start = bi->userImageFrames.start;
  b.user_image_frames_end = bi->userImageFrames.end;
  b.untyped_start = bi->untyped.start;
  b.untyped_end = bi->untyped.end;
  b.sched_control_start = bi->schedcontrol.start;
  b.sched_control_end = bi->schedcontrol.end;
  b.user_image_vaddr = reinterpret_cast<uint64_t>(__initialiser_start) & ~(kPage - 1);
  b.retype_fan_out_limit = seL4_UntypedRetypeMaxObjects;
  b.io_pt_levels = static_cast<int64_t>(bi->numIOPTLevels);  // x86 writes -1 without an IOMMU
  b.extra_bootinfo_vaddr = reinterpret_cast<uint64_t>(bi) + (uint64_t{1} << seL4_BootInfoFrameBits);
  b.extra_bootinfo_size = bi->extraLen;
  return b;
}

void put_untyped(const spec::ExpectedUntyped& u) {
  print::put("paddr ");
  print::hex(u.paddr);
  print::put(" size_bits ");
  print::dec(u.size_bits);
  print::put(u.is_device ? " device" : " RAM");
}

// Step 2: the kernel gave exactly the planned untypeds.
spec::ExpectedUntyped kernel_untyped(const seL4_BootInfo* bi, uint64_t i) {
  spec::ExpectedUntyped u{};
  u.paddr = bi->untypedList[i].paddr;
  u.size_bits = bi->untypedList[i].sizeBits;
  u.is_device = bi->untypedList[i].isDevice;
  return u;
}

void check_untypeds(const uint8_t* bytes, const spec::SpecHeader& h, const seL4_BootInfo* bi) {
  auto actual = [bi](uint64_t i) { return kernel_untyped(bi, i); };
  int64_t i = first_untyped_difference(bytes, h, actual);
  if (i < 0) return;
  auto planned = read_at<spec::ExpectedUntyped>(bytes, h.untyped_offset + i * sizeof(spec::ExpectedUntyped));
  print::line_start();
  print::put("FAILED: the kernel's untypeds are not the planned ones (wrong kernel package, "
             "kernel config or image layout): untyped ");
  print::dec(static_cast<uint64_t>(i));
  print::put(" is ");
  put_untyped(actual(static_cast<uint64_t>(i)));
  print::put(", planned ");
  put_untyped(planned);
  print::put("\n");
  stop();
}

// A bound spec (x86_64) plans its own untypeds; BindUntyped steps map them
// onto the kernel's, so the kernel's list is not compared.
void check_boot(const uint8_t* bytes, const spec::SpecHeader& h, const BootFacts& b, bool bound,
                const seL4_BootInfo* bi) {
  if (const char* why = check_boot_facts(h, b, bound)) {
    print::line_start();
    print::put("FAILED: the kernel's bootinfo is not the planned one (wrong kernel package, "
               "kernel config or image layout): ");
    print::put(why);
    print::put("; kernel has ");
    print::dec(b.untyped_end - b.untyped_start);
    print::put(" untypeds from slot ");
    print::dec(b.untyped_start);
    print::put(", plan has ");
    print::dec(h.untyped_count);
    print::put(" from slot ");
    print::dec(h.untyped_start);
    print::put("\n");
    stop();
  }
  if (!bound) check_untypeds(bytes, h, bi);
}

// A TcbSetName step: the kernel's debug name of the thread is its PD's
// name (NUL-terminated copy). Only debug kernels have the call.
void name_thread(const uint8_t* bytes, const spec::SpecHeader& h, const spec::Step& s) {
#if defined(CONFIG_DEBUG_BUILD)
  auto e = read_at<spec::PdEntry>(bytes, h.pd_offset + s.arg[1] * sizeof(spec::PdEntry));
  char name[spec::kMaxNameBytes + 1];
  for (uint32_t i = 0; i < e.name_size; ++i) name[i] = static_cast<char>(bytes[h.strings_offset + e.name_offset + i]);
  name[e.name_size] = '\0';
  seL4_DebugNameThread(s.arg[0], name);
#else
  (void)bytes, (void)h, (void)s;
#endif
}

// Step 4: decode then invoke, in order.
// The index of the first domain schedule step, or step_count without one.
uint64_t first_schedule_step(const uint8_t* bytes, const spec::SpecHeader& h) {
  for (uint64_t n = 0; n < h.step_count; ++n) {
    uint32_t kind = read_at<spec::Step>(bytes, h.step_offset + n * spec::kStepSize).kind;
    if (kind == uint32_t(spec::StepKind::DomainScheduleConfigure) ||
        kind == uint32_t(spec::StepKind::DomainScheduleSetStart))
      return n;
  }
  return h.step_count;
}

// A Retype's object kind, or a page table's level, exists on this kernel.
bool kind_exists(const spec::Step& step) {
  using K = spec::StepKind;
  seL4_Word type = 0;
  switch (static_cast<K>(step.kind)) {
    case K::Retype: return object_type(step.small, &type);
    case K::MapPageTable: return step.small == 0 || object_type(step.small, &type);
    default: return true;
  }
}

// A BindUntyped step (bound specs): the planned untyped it stands for.
const char* bind(const uint8_t* bytes, const spec::SpecHeader& h, const spec::Step& step, seL4_Error* e) {
  auto s = read_at<spec::BindUntypedStep>(reinterpret_cast<const uint8_t*>(&step), 0);
  auto planned = read_at<spec::ExpectedUntyped>(bytes, h.untyped_offset + s.untyped_index * sizeof(spec::ExpectedUntyped));
  return bind_untyped(s, planned, e);
}

// Retype steps of a bound spec draw from an untyped a BindUntyped step bound.
bool retypes_from_bound_untyped(const spec::Step& step) {
  if (step.kind != uint32_t(spec::StepKind::Retype)) return true;
  return untyped_slot(read_at<spec::RetypeStep>(reinterpret_cast<const uint8_t*>(&step), 0).untyped_index) != 0;
}

void run_steps(const uint8_t* bytes, const spec::SpecHeader& h, const BootFacts& b, uint64_t first, uint64_t end) {
  for (uint64_t n = first; n < end; ++n) {
    auto step = read_at<spec::Step>(bytes, h.step_offset + n * spec::kStepSize);
    const char* why = check_step(step, b);
    if (why == nullptr) why = check_step_in_spec(step, h);
    if (why == nullptr && !kind_exists(step)) why = "this kernel has no such object type";
    if (why == nullptr && !retypes_from_bound_untyped(step)) why = "a retype from a planned untyped not bound yet";
    if (why != nullptr) fail_step(n, step.kind, why, false, seL4_NoError);
    if (step.kind == static_cast<uint32_t>(spec::StepKind::TcbSetName)) {
      name_thread(bytes, h, step);
      continue;
    }
    seL4_Error e = seL4_NoError;
    if (step.kind == static_cast<uint32_t>(spec::StepKind::BindUntyped)) {
      why = bind(bytes, h, step, &e);
      if (why != nullptr) fail_step(n, step.kind, why, false, e);
    } else {
      e = invoke_step(step, b);
    }
    if (e != seL4_NoError) fail_step(n, step.kind, nullptr, true, e);
  }
}

void put_pd_name(const uint8_t* bytes, const spec::SpecHeader& h, int64_t pd) {
  if (pd < 0) {
    print::put("<unknown PD>");
    return;
  }
  auto e = read_at<spec::PdEntry>(bytes, h.pd_offset + pd * sizeof(spec::PdEntry));
  print::put_n(reinterpret_cast<const char*>(bytes + h.strings_offset + e.name_offset), e.name_size);
}

// The fault message's kind and registers (libsel4's fault layouts).
void put_fault(seL4_MessageInfo_t tag) {
  switch (seL4_MessageInfo_get_label(tag)) {
    case seL4_Fault_VMFault:
      print::put(seL4_GetMR(seL4_VMFault_PrefetchFault) ? "VM fault (instruction fetch) at address "
                                                         : "VM fault (data access) at address ");
      print::hex(seL4_GetMR(seL4_VMFault_Addr));
      print::put(", pc ");
      print::hex(seL4_GetMR(seL4_VMFault_IP));
      print::put(", ");
      arch::put_fault_status(seL4_GetMR(seL4_VMFault_FSR));
      return;
    case seL4_Fault_CapFault:
      print::put("cap fault on cptr ");
      print::hex(seL4_GetMR(seL4_CapFault_Addr));
      print::put(", pc ");
      print::hex(seL4_GetMR(seL4_CapFault_IP));
      return;
    case seL4_Fault_UserException:
      print::put("user exception ");
      arch::put_exception(seL4_GetMR(seL4_UserException_Number), seL4_GetMR(seL4_UserException_Code));
      print::put(", pc ");
      print::hex(seL4_GetMR(seL4_UserException_FaultIP));
      return;
    case seL4_Fault_UnknownSyscall:
      print::put("unknown syscall ");
      print::dec(seL4_GetMR(seL4_UnknownSyscall_Syscall));
      print::put(", pc ");
      print::hex(seL4_GetMR(seL4_UnknownSyscall_FaultIP));
      return;
    case seL4_Fault_Timeout:
      print::put("timeout (budget exhausted)");
      return;
    default:
      print::put("unknown fault label ");
      print::dec(seL4_MessageInfo_get_label(tag));
      return;
  }
}

// A child its parent restarts after every fault would fill the console
// with reports: each PD's first kMaxReports faults are reported, then one
// line says that the rest are not.
constexpr uint32_t kMaxReports = 8;
uint32_t g_reports[spec::kMaxPds];

bool take_report(const uint8_t* bytes, const spec::SpecHeader& h, int64_t pd) {
  if (pd < 0 || ++g_reports[pd] <= kMaxReports) return true;
  if (g_reports[pd] == kMaxReports + 1) {
    print::line_start();
    print::put("PD '");
    put_pd_name(bytes, h, pd);
    print::put("' faulted again; its further faults are not reported\n");
  }
  g_reports[pd] = kMaxReports + 2;  // no wrap-around, however many come
  return false;
}

// A fault of PD `pd` (-1: unknown): the one-line summary, then the
// details. `parent` (-1: none) handles the fault; else the PD stays stopped.
void report(const uint8_t* bytes, const spec::SpecHeader& h, int64_t pd, seL4_MessageInfo_t tag,
            int64_t parent) {
  if (!take_report(bytes, h, pd)) return;
  print::line_start();
  print::put("PD '");
  put_pd_name(bytes, h, pd);
  print::put("' faulted: ");
  put_fault(tag);
  if (parent < 0) {
    print::put("; it is stopped, other PDs keep running\n");
  } else {
    print::put("; its parent '");
    put_pd_name(bytes, h, parent);
    print::put("' handles it\n");
  }
  if (pd < 0) return;
  seL4_CPtr tcb = read_at<spec::PdEntry>(bytes, h.pd_offset + pd * sizeof(spec::PdEntry)).tcb_slot;
  report_details(bytes, h, uint64_t(pd), tcb, tag);  // registers, backtrace, crash dump
}

// A child's fault its parent sent on (pd_abi.h: report badge): the child's
// fault message with the child id as one more MR. Reported like any fault;
// the reply lets the parent go on to its fault().
void report_child_fault(const uint8_t* bytes, const spec::SpecHeader& h, seL4_Word badge, seL4_MessageInfo_t tag) {
  uint64_t length = seL4_MessageInfo_get_length(tag);
  uint64_t parent = pd_abi::report_parent(badge);
  if (length > 0 && parent < h.pd_count) {
    seL4_MessageInfo_t fault = seL4_MessageInfo_new(seL4_MessageInfo_get_label(tag), 0, 0, length - 1);
    int64_t child = pd_for_badge(bytes, h, pd_abi::report_key(parent, seL4_GetMR(length - 1)));
    report(bytes, h, child, fault, int64_t(parent));
  }
  seL4_Send(h.reply_slot, seL4_MessageInfo_new(0, 0, 0, 0));
}

// Step 5: faults of PDs without a parent are never replied to: the faulted
// thread is suspended for good. A child's fault sent on by its parent
// (debug configurations) is reported, then replied to.
[[noreturn]] void serve_faults(const uint8_t* bytes, const spec::SpecHeader& h) {
  for (;;) {
    seL4_Word badge = 0;
    seL4_MessageInfo_t tag = seL4_Recv(h.fault_ep_slot, &badge, h.reply_slot);
    if (pd_abi::is_report_badge(badge)) {
      report_child_fault(bytes, h, badge, tag);
      continue;
    }
    int64_t pd = pd_for_badge(bytes, h, badge);
    report(bytes, h, pd, tag, -1);
    if (pd < 0) continue;
    // Suspending the faulted thread also clears its pending reply, so the
    // Reply object is clean for the next receive.
    seL4_TCB_Suspend(read_at<spec::PdEntry>(bytes, h.pd_offset + pd * sizeof(spec::PdEntry)).tcb_slot);
  }
}

}  // namespace

[[noreturn]] void run(const seL4_BootInfo* bi) {
  // Step 1: the spec follows this image, inside the user image.
  BootFacts b = boot_facts_of(bi);
  auto image_end = reinterpret_cast<uint64_t>(__initialiser_end);
  uint64_t user_image_end = b.user_image_vaddr + (b.user_image_frames_end - b.user_image_frames_start) * kPage;
  const auto* bytes = reinterpret_cast<const uint8_t*>((image_end + kPage - 1) & ~(kPage - 1));
  uint64_t available = user_image_end > reinterpret_cast<uint64_t>(bytes)
                           ? user_image_end - reinterpret_cast<uint64_t>(bytes) : 0;
  if (available < sizeof(spec::SpecHeader)) fail("no spec after the initialiser's image");
  auto h = read_at<spec::SpecHeader>(bytes, 0);
  if (const char* why = check_header(h, available)) fail(why);
  bool bound = false;
  if (const char* why = check_untyped_binding(bytes, h, bound)) fail(why);
  if (bound) b.bound_untypeds = h.untyped_count;
  check_boot(bytes, h, b, bound, bi);
  untypeds_start(bi, bound);
  if (const char* why = check_pds(bytes, h, b)) fail(why);
  print::line_start();
  print::put("running ");
  print::dec(h.step_count);
  print::put(" steps for ");
  print::dec(h.pd_count);
  print::put(" PDs\n");
  // The domain schedule's steps come last (the tool puts them there): once
  // it runs, this task has only domain 0's slots, and a line printed then
  // would be cut by the other domains' output. So the line comes first.
  uint64_t schedule = first_schedule_step(bytes, h);
  run_steps(bytes, h, b, 0, schedule);
  print::line_start();
  print::put("all steps done\n");
  run_steps(bytes, h, b, schedule, h.step_count);
  if (h.fault_ep_slot == 0) stop();
  serve_faults(bytes, h);
}

}  // namespace microkit::initialiser

extern "C" [[noreturn]] void initialiser_main(seL4_BootInfo* bi) {
  __sel4_ipc_buffer = bi->ipcBuffer;
  microkit::initialiser::run(bi);
}
