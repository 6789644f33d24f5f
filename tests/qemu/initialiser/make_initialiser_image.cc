// make_initialiser_image: a hand-made plan for the initialiser's QEMU test,
// written as a spec (runtime/shared/initialiser_spec.h) and packed with the
// kernel, the initialiser and the PD programs into a loader boot image.
// A stand-in for the tool's future seL4 back end: everything it decides
// here (slots, objects, mappings) the real planner will decide from a Plan.
//
//   make_initialiser_image --loader loader.bin --load-address 0x70000000
//       --kernel-package <dir> --initialiser initialiser.elf
//       --pd ping=ping.elf --pd pong=pong.elf --out loader.img
//       [--wrong-untyped]   (plan for an untyped list the kernel will not give)
//       [--failing-step]    (a frame mapped where no page table is: a tool bug)
//       [--passive]         (the second PD is passive: its scheduling context
//                            is bound to its notification too, and the kernel
//                            hands it over when the PD first blocks)
//       [--elf]             (write the image as an ELF file, as QEMU's -kernel
//                            loads it on RISC-V)
// The architecture is the kernel package's (AArch64 or RISC-V 64): both
// have two page-table levels below the VSpace root for a PD's addresses.
//
// The system: PD 0 "ping" (priority 150) may notify PD 1 "pong" (priority
// 100) on ping's channel 5; pong's end of the channel has id 3. Both are
// top-level PDs whose faults go to the initialiser with the monitor badge
// (PD index + 1). The user image holds, page-aligned: the initialiser, the
// spec (a reserved 64 KiB), then every PD segment, which the spec maps into
// the PDs through copies of the kernel's user-image frame caps (no copying
// of program data).
// Prints "boot registers: ..." like make_boot_image.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "elf/elf_file.h"
#include "kernel/boot_emulation.h"
#include "kernel/initialiser_facts.h"
#include "kernel/kernel_package.h"
#include "runtime/initialiser/host/spec_writer.h"
#include "runtime/shared/initialiser_spec.h"
#include "runtime/shared/pd_abi.h"
#include "sel4/image_writer.h"
#include "support/diagnostics.h"
#include "tests/qemu/initialiser/hand_plan.h"

namespace {

namespace spec = microkit::initialiser_spec;
namespace abi = microkit::pd_abi;
using microkit::Diagnostics;
using microkit::elf::ElfFile;

using namespace hand_plan;
constexpr uint64_t kStackSize = 4 * kPage;

struct Options {
  std::string loader, package, initialiser, out;
  std::vector<std::pair<std::string, std::string>> pds;  // name, ELF path
  uint64_t load_address = 0;
  bool wrong_untyped = false, failing_step = false, passive = false, elf = false;
};

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--wrong-untyped") { o.wrong_untyped = true; continue; }
    if (a == "--failing-step") { o.failing_step = true; continue; }
    if (a == "--passive") { o.passive = true; continue; }
    if (a == "--elf") { o.elf = true; continue; }
    if (i + 1 >= argc) return std::nullopt;
    std::string v = argv[++i];
    if (a == "--loader") o.loader = v;
    else if (a == "--kernel-package") o.package = v;
    else if (a == "--initialiser") o.initialiser = v;
    else if (a == "--out") o.out = v;
    else if (a == "--load-address") o.load_address = std::strtoull(v.c_str(), nullptr, 0);
    else if (a != "--pd" || !take_pd_option(v, o.pds)) return std::nullopt;
  }
  if (o.loader.empty() || o.package.empty() || o.initialiser.empty() || o.out.empty() ||
      o.pds.size() != 2 || o.load_address == 0)
    return std::nullopt;
  return o;
}

std::optional<std::vector<uint8_t>> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

struct PdInput {
  std::string name;
  ElfFile elf;
  uint64_t priority;
  std::vector<PlacedSegment> placed;
  bool passive = false;
};

struct PdObjects {
  uint64_t tcb, sc, vspace, cnode, ntfn;
};

// Objects, CSpace, VSpace and thread of one PD; resumed later.
PdObjects plan_pd(Planner& p, const PdInput& pd, uint64_t index, uint64_t fault_ep,
                  const microkit::kernel::BootResult& boot, const UserImage& ui, uint64_t user_vaddr_end) {
  PdObjects o;
  o.tcb = p.new_objects(spec::ObjectKind::Tcb, 0);
  o.sc = p.new_objects(spec::ObjectKind::SchedContext, 8);
  o.vspace = p.new_objects(spec::ObjectKind::VSpace, 0);
  o.ntfn = p.new_objects(spec::ObjectKind::Notification, 0);
  o.cnode = p.new_objects(spec::ObjectKind::CNode, abi::kCNodeBits);
  uint64_t pts = p.new_objects(spec::ObjectKind::PageTable, 0, 4);
  uint64_t stack_pages = kStackSize / kPage;
  uint64_t frames = p.new_objects(spec::ObjectKind::SmallPage, 0, stack_pages + 1);  // stack, IPC buffer
  p.w.asid_pool_assign(o.vspace);

  // Page tables: two levels below the VSpace for the image, two for the top.
  uint64_t ipc = abi::ipc_buffer_vaddr(user_vaddr_end - 1);
  uint64_t stack_top = abi::stack_top(user_vaddr_end - 1);
  for (uint64_t i = 0; i < 2; ++i) p.w.map_page_table(pts + i, o.vspace, MICROKIT_PD_IMAGE_BASE);
  for (uint64_t i = 2; i < 4; ++i) p.w.map_page_table(pts + i, o.vspace, ipc);

  // Program segments: the user image's own frames, through copied caps.
  map_program(p, pd, o.vspace, boot.user_image_frames.start, ui);
  map_stack_and_ipc(p, o.vspace, frames, stack_pages, stack_top, ipc);

  // The PD's CSpace (pd_abi.h): input and own notification, fault endpoint, VSpace.
  auto into_pd = [&](uint64_t src, uint64_t slot, uint64_t badge) {
    p.w.mint(src, o.cnode, slot, abi::kCNodeBits, spec::kRightsAll, badge);
  };
  into_pd(o.ntfn, MICROKIT_PD_SLOT_INPUT, 0);
  into_pd(o.ntfn, MICROKIT_PD_SLOT_NOTIFICATION, 0);
  into_pd(fault_ep, MICROKIT_PD_SLOT_FAULT_EP, abi::monitor_badge(index));
  p.w.copy(o.vspace, o.cnode, MICROKIT_PD_SLOT_VSPACE, abi::kCNodeBits, spec::kRightsAll);
  uint64_t guarded = p.mint(o.cnode, abi::kCNodeGuardBits);  // guard 0 of 54 bits: CPtr == slot

  // The thread (MCS): space, scheduling context, fault endpoint, registers.
  start_pd_thread(p, {o.tcb, o.sc, guarded, o.vspace, o.ntfn, ipc, frames + stack_pages, pd.elf.entry, stack_top,
                      pd.priority},
                  index, fault_ep);
  if (pd.passive) p.w.sched_context_bind(o.sc, o.ntfn);
  p.w.add_pd(pd.name, abi::monitor_badge(index), o.tcb, pd.passive ? o.sc : 0, pd.passive ? o.ntfn : 0);
  return o;
}

// The largest RAM untyped: every object of this small system fits in it.
uint64_t pick_untyped(const microkit::kernel::BootResult& boot) {
  uint64_t best = 0;
  for (uint64_t i = 0; i < boot.untypeds.size(); ++i) {
    const auto& u = boot.untypeds[i];
    if (!u.is_device && (boot.untypeds[best].is_device || u.size_bits > boot.untypeds[best].size_bits)) best = i;
  }
  return best;
}

spec::SpecWriter plan(const Options& o, std::vector<PdInput>& pds, const microkit::kernel::BootResult& boot,
                      const UserImage& ui, uint64_t user_vaddr_end) {
  Planner p;
  p.next_slot = boot.empty.start;
  p.untyped = pick_untyped(boot);
  auto& h = p.w.header;
  microkit::kernel::fill_boot_ranges(h, boot);
  h.user_image_vaddr = ui.vstart;
  for (const auto& u : boot.untypeds) p.w.expect_untyped(u.paddr, u.size_bits, u.is_device);
  if (o.wrong_untyped) p.w.untypeds.back().size_bits -= 1;

  h.fault_ep_slot = p.new_objects(spec::ObjectKind::Endpoint, 0);
  h.reply_slot = p.new_objects(spec::ObjectKind::Reply, 0);
  std::vector<PdObjects> objects;
  for (uint64_t i = 0; i < pds.size(); ++i)
    objects.push_back(plan_pd(p, pds[i], i, h.fault_ep_slot, boot, ui, user_vaddr_end));
  // The channel: ping (id 5) may notify pong, whose end has id 3.
  p.w.mint(objects[1].ntfn, objects[0].cnode, abi::notification_slot(5), abi::kCNodeBits,
           spec::kRightWrite, abi::notification_badge(3));
  // A tool bug on purpose: a frame where ping has no page table.
  if (o.failing_step) p.w.map_frame(p.copy(boot.user_image_frames.start), objects[0].vspace, 0x10000000, spec::kRightRead, 0);
  for (const auto& obj : objects) p.w.resume(obj.tcb);
  return std::move(p.w);
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> o = parse_options(argc, argv);
  if (!o) {
    std::cerr << "usage: make_initialiser_image --loader <bin> --load-address <addr> --kernel-package <dir>"
                 " --initialiser <elf> --pd ping=<elf> --pd pong=<elf> --out <img>"
                 " [--wrong-untyped] [--failing-step] [--passive] [--elf]\n";
    return 2;
  }
  Diagnostics diags;
  auto package = microkit::kernel::load_kernel_package(o->package, diags);
  auto init = microkit::elf::read_elf(o->initialiser, diags);
  std::vector<PdInput> pds;
  uint64_t priorities[] = {150, 100};
  for (const auto& [name, path] : o->pds) {
    auto elf = microkit::elf::read_elf(path, diags);
    if (elf) pds.push_back({name, std::move(*elf), priorities[pds.size()], {}});
  }
  if (o->passive && pds.size() == 2) pds[1].passive = true;
  auto loader = read_bytes(o->loader);
  if (diags.has_errors() || !package || !init || !loader || pds.size() != 2)
    return fail_with(diags, loader ? "" : o->loader + ": cannot read the loader binary");
  auto kernel = microkit::elf::read_elf(package->kernel_elf_path, diags);
  if (!kernel) return fail_with(diags, "");

  // The kernel at its physical addresses; the user image right after it.
  microkit::sel4::BootImageInput in;
  in.loader_name = o->loader;
  in.loader = std::move(*loader);
  in.load_address = o->load_address;
  in.hypervisor_kernel = package->config.hypervisor;
  uint64_t klo = UINT64_MAX, khi = 0;
  for (const auto& s : kernel->segments) {
    klo = std::min(klo, s.paddr);
    khi = std::max(khi, s.paddr + s.memsz);
  }
  microkit::sel4::BootRegion kregion{"kernel", klo, std::vector<uint8_t>(khi - klo, 0), align_up(khi, kPage) - klo};
  for (const auto& s : kernel->segments) {
    auto d = kernel->segment_data(s);
    std::copy(d.begin(), d.end(), kregion.data.begin() + (s.paddr - klo));
  }
  in.kernel_paddr_start = klo;
  in.kernel_paddr_end = klo + kregion.memory_size;
  in.kernel_entry = kernel->entry;
  in.kernel_virt_offset = kernel->segments.front().vaddr - kernel->segments.front().paddr;
  in.regions.push_back(std::move(kregion));

  UserImage ui = place_user_image(*init, pds);
  uint64_t ui_p = align_up(in.kernel_paddr_end, kPage);
  in.ui_p_reg_start = ui_p;
  in.ui_p_reg_end = ui_p + (ui.vend - ui.vstart);
  in.pv_offset = ui_p - ui.vstart;
  in.ui_v_entry = init->entry;

  microkit::kernel::BootInputs boot_in;
  boot_in.user_image = {in.ui_p_reg_start, in.ui_p_reg_end};
  boot_in.user_image_vaddr = ui.vstart;
  auto boot = microkit::kernel::emulate_boot(*package, boot_in, diags);
  if (!boot) return fail_with(diags, "boot emulation refused the layout");

  spec::SpecWriter writer = plan(*o, pds, *boot, ui, package->user_vaddr_end());
  std::vector<uint8_t> spec_bytes = writer.bytes();
  if (spec_bytes.size() > kSpecReserve) return fail_with(diags, "the spec outgrew its reserved space");
  std::vector<uint8_t> ui_bytes = user_image_bytes(*init, pds, ui);
  std::copy(spec_bytes.begin(), spec_bytes.end(), ui_bytes.begin() + (ui.spec_vaddr - ui.vstart));
  in.regions.push_back({"user image", ui_p, std::move(ui_bytes), in.ui_p_reg_end - ui_p});

  auto layout = microkit::sel4::layout_boot_image(in, diags);
  if (!layout) return fail_with(diags, "");
  std::vector<uint8_t> image = o->elf ? microkit::sel4::write_boot_image_elf(in, *layout, kernel->machine)
                                      : microkit::sel4::write_boot_image(in, *layout);
  std::ofstream out(o->out, std::ios::binary);
  out.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  if (!out) return fail_with(diags, o->out + ": cannot write the image");
  std::printf("spec: %zu bytes, %zu steps, %zu untypeds expected\n", spec_bytes.size(), writer.steps.size(),
              writer.untypeds.size());
  std::printf("boot registers: x0=0x%016" PRIx64 " x1=0x%016" PRIx64 " x2=0x%016" PRIx64 " x3=0x%016" PRIx64
              " x4=0x%016" PRIx64 " x5=0x%016" PRIx64 "\n",
              in.ui_p_reg_start, in.ui_p_reg_end, in.pv_offset, in.ui_v_entry, in.dtb_paddr, in.dtb_size);
  return 0;
}
