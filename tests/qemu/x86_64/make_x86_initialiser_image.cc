// make_x86_initialiser_image: a hand-made plan for the initialiser's x86-64
// QEMU test, written as a bound spec (runtime/shared/initialiser_spec.h)
// and packed with the initialiser and two PD programs into the ELF boot
// module the x86 kernel loads as its initial task. A stand-in for the
// tool's x86 back end: everything it decides here (slots, objects,
// mappings, the planned untypeds) the real planner decides from a Plan.
//
//   make_x86_initialiser_image --kernel-package <dir> --initialiser initialiser.elf
//       --pd ping=ping.elf --pd pong=pong.elf --out loader.img
//       [--failing-step]   (a frame mapped where no page table is: a tool bug)
//       [--too-much-memory] (a planned RAM untyped larger than QEMU's 1 GiB)
//       [--libmicrokit]    (the PDs are libmicrokit programs: --pd client=...
//                           --pd server=...; see below)
//       [--second-pd-core N] (the second PD's scheduling context on core N
//                           of an SMP kernel: cross-core signals and calls)
//
// The system is the one of tests/qemu/initialiser: ping (priority 150)
// notifies pong (priority 100) on its channel 5 (pong's id 3), then
// faults; both are top-level PDs whose faults go to the initialiser.
// With --libmicrokit, the CSpaces libmicrokit expects (pd_abi.h): each PD
// has its Reply object; the server (priority 150) has an endpoint as its
// input and its notification bound; the client (priority 100) may notify
// it on channel 5 (server's id 3) and call it on channel 6 (server's id 4).
// x86 specifics exercised here:
//   - memory found at boot: planned untyped 0 is 4 MiB of RAM
//     (kBindRam, first fit) and planned untyped 1 the 4 KiB device page at
//     0xb8000 (kBindDevice: in the kernel's device untyped of low memory,
//     behind padding); every object comes from them;
//   - four paging levels: each PD's PML4 gets a PDPT, a page directory and
//     a page table for its image (0x200000) and another three for its stack
//     and IPC buffer near the top of the address space;
//   - the device frame is mapped into pong (uncached), so its binding must
//     have worked for "all steps done" to appear.
// Bootinfo facts the plan needs but the kernel decides (x86 boot.c order:
// 16 initial caps, sched control caps, the image's paging caps, the extra
// bootinfo pages, the image's frames, then the untypeds) are computed as
// QEMU's multiboot boot gives them: one extra bootinfo page (ACPI RSDP and
// the memory map, no VBE or framebuffer). The initialiser refuses to run if
// any of them is wrong.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "elf/elf_file.h"
#include "elf/test_elf_builder.h"
#include "kernel/kernel_package.h"
#include "runtime/initialiser/host/spec_writer.h"
#include "runtime/shared/initialiser_spec.h"
#include "runtime/shared/pd_abi.h"
#include "support/diagnostics.h"
#include "tests/qemu/initialiser/hand_plan.h"

namespace {

namespace spec = microkit::initialiser_spec;
namespace abi = microkit::pd_abi;
using microkit::Diagnostics;
using microkit::elf::ElfFile;

using namespace hand_plan;
constexpr uint64_t kInitialCaps = 16;     // seL4_NumInitialCaps
constexpr uint64_t kExtraBootInfoPages = 1;  // QEMU multiboot: RSDP + memory map
constexpr uint64_t kStackSize = 4 * kPage;
constexpr uint64_t kUserVSpaceTop = 0x7fffffffefff;  // seL4_UserVSpaceTop on x86-64
constexpr uint64_t kVgaPaddr = 0xb8000;              // a device page in low memory
constexpr uint64_t kDevicePadSlots = 16;

struct Options {
  std::string package, initialiser, out;
  std::vector<std::pair<std::string, std::string>> pds;  // name, ELF path
  bool failing_step = false, too_much_memory = false, libmicrokit = false;
  uint64_t second_pd_core = 0;
};

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--failing-step") { o.failing_step = true; continue; }
    if (a == "--too-much-memory") { o.too_much_memory = true; continue; }
    if (a == "--libmicrokit") { o.libmicrokit = true; continue; }
    if (i + 1 >= argc) return std::nullopt;
    std::string v = argv[++i];
    if (a == "--kernel-package") o.package = v;
    else if (a == "--initialiser") o.initialiser = v;
    else if (a == "--out") o.out = v;
    else if (a == "--second-pd-core") o.second_pd_core = std::strtoull(v.c_str(), nullptr, 0);
    else if (a != "--pd" || !take_pd_option(v, o.pds)) return std::nullopt;
  }
  if (o.package.empty() || o.initialiser.empty() || o.out.empty() || o.pds.size() != 2) return std::nullopt;
  return o;
}

struct PdInput {
  std::string name;
  ElfFile elf;
  uint64_t priority;
  std::vector<PlacedSegment> placed;
  bool libmicrokit = false;     // gets a Reply object in MICROKIT_PD_SLOT_REPLY
  bool endpoint_input = false;  // input is an endpoint (a server), not the notification
  uint64_t core = 0;            // of its scheduling context
};

// Writes `value` over a PD's symbol where its page sits in the user image
// (what the tool does for libmicrokit's patched variables); false if the
// program has no such symbol inside a loaded segment.
bool patch(std::vector<uint8_t>& bytes, const UserImage& ui, const PdInput& pd, const char* symbol,
           std::span<const uint8_t> value) {
  const auto* sym = pd.elf.find_symbol(symbol);
  if (sym == nullptr) return false;
  for (const auto& p : pd.placed) {
    const auto& seg = *p.segment;
    if (sym->value < seg.vaddr || sym->value + value.size() > seg.vaddr + seg.filesz) continue;
    uint64_t at = p.ui_vaddr + (sym->value - align_down(seg.vaddr, kPage));
    std::copy(value.begin(), value.end(), bytes.begin() + (at - ui.vstart));
    return true;
  }
  return false;
}

// libmicrokit's masks and name (pd_abi.h): the client may notify on 5 and call on 6.
bool patch_libmicrokit(std::vector<uint8_t>& bytes, const UserImage& ui, const PdInput& pd, bool client) {
  auto word = [](uint64_t v) {
    std::vector<uint8_t> b(8);
    for (int i = 0; i < 8; ++i) b[i] = uint8_t(v >> (8 * i));
    return b;
  };
  std::vector<uint8_t> name(MICROKIT_PD_NAME_BYTES, 0);
  std::copy(pd.name.begin(), pd.name.end(), name.begin());
  return patch(bytes, ui, pd, MICROKIT_PD_SYM_NAME, name) &&
         patch(bytes, ui, pd, MICROKIT_PD_SYM_NOTIFICATIONS, word(client ? uint64_t{1} << 5 : 0)) &&
         patch(bytes, ui, pd, MICROKIT_PD_SYM_PPS, word(client ? uint64_t{1} << 6 : 0));
}

// The paging structures the kernel makes for the initial task's region
// [start, end): one per 512 GiB (PDPT), 1 GiB (page directory) and 2 MiB
// (page table) block it touches (arch_get_n_paging on x86-64).
uint64_t n_paging(uint64_t start, uint64_t end) {
  uint64_t n = 0;
  for (unsigned bits : {39u, 30u, 21u}) n += (align_up(end, uint64_t{1} << bits) - align_down(start, uint64_t{1} << bits)) >> bits;
  return n;
}

// The bootinfo slot regions of an x86-64 boot of this image (see the header).
struct X86Slots {
  uint64_t sched_control_start, frames_start, frames_end, untyped_start;
};

X86Slots x86_slots(const UserImage& ui, uint64_t cores) {
  X86Slots s;
  s.sched_control_start = kInitialCaps;
  uint64_t it_end = ui.vend + 2 * kPage + kExtraBootInfoPages * kPage;  // IPC buffer, bootinfo, extra
  s.frames_start = kInitialCaps + cores + n_paging(ui.vstart, it_end) + kExtraBootInfoPages;
  s.frames_end = s.frames_start + (ui.vend - ui.vstart) / kPage;
  s.untyped_start = s.frames_end;
  return s;
}

// hand_plan's Planner, with x86-64's three levels of tables below a PML4.
struct Planner : hand_plan::Planner {
  void map_table(uint64_t table, spec::ObjectKind kind, uint64_t vspace, uint64_t vaddr) {
    w.map_page_table(table, vspace, vaddr);
    w.steps.back().small = uint32_t(kind);
  }
  // PDPT, page directory and page table covering vaddr.
  void map_tables_for(uint64_t vspace, uint64_t vaddr) {
    map_table(new_objects(spec::ObjectKind::X86Pdpt, 0), spec::ObjectKind::X86Pdpt, vspace, vaddr);
    map_table(new_objects(spec::ObjectKind::X86PageDirectory, 0), spec::ObjectKind::X86PageDirectory, vspace, vaddr);
    map_table(new_objects(spec::ObjectKind::PageTable, 0), spec::ObjectKind::PageTable, vspace, vaddr);
  }
};

struct PdObjects {
  uint64_t tcb, vspace, cnode, ntfn, endpoint = 0;
};

PdObjects plan_pd(Planner& p, const PdInput& pd, uint64_t index, uint64_t fault_ep, uint64_t frames_start,
                  const UserImage& ui) {
  PdObjects o;
  o.tcb = p.new_objects(spec::ObjectKind::Tcb, 0);
  uint64_t sc = p.new_objects(spec::ObjectKind::SchedContext, 8);
  o.vspace = p.new_objects(spec::ObjectKind::VSpace, 0);
  o.ntfn = p.new_objects(spec::ObjectKind::Notification, 0);
  o.cnode = p.new_objects(spec::ObjectKind::CNode, abi::kCNodeBits);
  uint64_t stack_pages = kStackSize / kPage;
  uint64_t frames = p.new_objects(spec::ObjectKind::SmallPage, 0, stack_pages + 1);  // stack, IPC buffer
  p.w.asid_pool_assign(o.vspace);

  uint64_t ipc = abi::ipc_buffer_vaddr(kUserVSpaceTop);
  uint64_t stack_top = abi::stack_top(kUserVSpaceTop);
  p.map_tables_for(o.vspace, MICROKIT_PD_IMAGE_BASE);
  p.map_tables_for(o.vspace, ipc);

  map_program(p, pd, o.vspace, frames_start, ui);
  map_stack_and_ipc(p, o.vspace, frames, stack_pages, stack_top, ipc);

  auto into_pd = [&](uint64_t src, uint64_t slot, uint64_t badge) {
    p.w.mint(src, o.cnode, slot, abi::kCNodeBits, spec::kRightsAll, badge);
  };
  if (pd.endpoint_input) {
    o.endpoint = p.new_objects(spec::ObjectKind::Endpoint, 0);
    into_pd(o.endpoint, MICROKIT_PD_SLOT_INPUT, 0);
  } else {
    into_pd(o.ntfn, MICROKIT_PD_SLOT_INPUT, 0);
  }
  into_pd(o.ntfn, MICROKIT_PD_SLOT_NOTIFICATION, 0);
  if (pd.libmicrokit) into_pd(p.new_objects(spec::ObjectKind::Reply, 0), MICROKIT_PD_SLOT_REPLY, 0);
  into_pd(fault_ep, MICROKIT_PD_SLOT_FAULT_EP, abi::monitor_badge(index));
  uint64_t guarded = p.mint(o.cnode, abi::kCNodeGuardBits);

  start_pd_thread(p, {o.tcb, sc, guarded, o.vspace, o.ntfn, ipc, frames + stack_pages, pd.elf.entry, stack_top,
                      pd.priority, pd.core},
                  index, fault_ep);
  p.w.add_pd(pd.name, abi::monitor_badge(index), o.tcb, 0, 0);
  return o;
}

// The planned untypeds and their binding: 0 = RAM, 1 = the device page.
void plan_memory(Planner& p, const Options& o) {
  uint8_t ram_bits = o.too_much_memory ? 31 : 22;
  p.w.expect_untyped(0, ram_bits, false, spec::kBindRam);
  p.w.expect_untyped(kVgaPaddr, 12, true, spec::kBindDevice);
  p.w.bind_untyped(0, ram_bits, p.next_slot++, 1);
  p.w.bind_untyped(1, 12, p.next_slot, 1 + kDevicePadSlots);
  p.next_slot += 1 + kDevicePadSlots;
}

// CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS (230 in the packages here).
uint64_t max_untypeds(const microkit::kernel::KernelPackage& pkg) {
  auto v = pkg.config.get("MAX_NUM_BOOTINFO_UNTYPED_CAPS");
  return v ? std::strtoull(v->c_str(), nullptr, 0) : 230;
}

spec::SpecWriter plan(const Options& o, const std::vector<PdInput>& pds, const microkit::kernel::KernelPackage& pkg,
                      const UserImage& ui) {
  uint64_t cores = pkg.config.max_num_nodes;
  X86Slots slots = x86_slots(ui, cores);
  Planner p;
  auto& h = p.w.header;
  h.user_image_frames_start = slots.frames_start;
  h.user_image_frames_end = slots.frames_end;
  h.untyped_start = slots.untyped_start;
  // The kernel hands out at most this many untypeds; the plan's slots start after them.
  h.empty_start = slots.untyped_start + max_untypeds(pkg);
  h.empty_end = uint64_t{1} << pkg.config.root_cnode_size_bits;
  h.sched_control_start = slots.sched_control_start;
  h.sched_control_count = cores;
  h.user_image_vaddr = ui.vstart;
  p.next_slot = h.empty_start;
  plan_memory(p, o);

  h.fault_ep_slot = p.new_objects(spec::ObjectKind::Endpoint, 0);
  h.reply_slot = p.new_objects(spec::ObjectKind::Reply, 0);
  std::vector<PdObjects> objects;
  for (uint64_t i = 0; i < pds.size(); ++i) objects.push_back(plan_pd(p, pds[i], i, h.fault_ep_slot, slots.frames_start, ui));
  p.w.mint(objects[1].ntfn, objects[0].cnode, abi::notification_slot(5), abi::kCNodeBits, spec::kRightWrite,
           abi::notification_badge(3));
  if (objects[1].endpoint != 0)
    p.w.mint(objects[1].endpoint, objects[0].cnode, abi::ppc_endpoint_slot(6), abi::kCNodeBits, spec::kRightsAll,
             abi::ppc_badge(4));
  // The device page, uncached, into pong's image page table's last page.
  p.untyped = 1;
  uint64_t vga = p.new_objects(spec::ObjectKind::SmallPage, 0);
  p.w.map_frame(vga, objects[1].vspace, 0x3ff000, spec::kRightRead | spec::kRightWrite, 0);
  if (o.failing_step) p.w.map_frame(p.copy(slots.frames_start), objects[0].vspace, 0x10000000, spec::kRightRead, 0);
  for (const auto& obj : objects) p.w.resume(obj.tcb);
  return std::move(p.w);
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> o = parse_options(argc, argv);
  if (!o) {
    std::cerr << "usage: make_x86_initialiser_image --kernel-package <dir> --initialiser <elf>"
                 " --pd ping=<elf> --pd pong=<elf> --out <img> [--failing-step] [--too-much-memory]\n";
    return 2;
  }
  Diagnostics diags;
  auto package = microkit::kernel::load_kernel_package(o->package, diags);
  auto init = microkit::elf::read_elf(o->initialiser, diags);
  std::vector<PdInput> pds;
  // A server must outrank its callers (libmicrokit mode: the second PD).
  uint64_t priorities[] = {o->libmicrokit ? 100u : 150u, o->libmicrokit ? 150u : 100u};
  for (const auto& [name, path] : o->pds) {
    auto elf = microkit::elf::read_elf(path, diags);
    if (elf) pds.push_back({name, std::move(*elf), priorities[pds.size()], {}, o->libmicrokit, false});
  }
  if (o->libmicrokit && pds.size() == 2) pds[1].endpoint_input = true;
  if (pds.size() == 2) pds[1].core = o->second_pd_core;
  if (diags.has_errors() || !package || !init || pds.size() != 2) return fail_with(diags, "");

  UserImage ui = place_user_image(*init, pds);
  spec::SpecWriter writer = plan(*o, pds, *package, ui);
  std::vector<uint8_t> spec_bytes = writer.bytes();
  if (spec_bytes.size() > kSpecReserve) return fail_with(diags, "the spec outgrew its reserved space");
  std::vector<uint8_t> bytes = user_image_bytes(*init, pds, ui);
  for (size_t i = 0; o->libmicrokit && i < pds.size(); ++i)
    if (!patch_libmicrokit(bytes, ui, pds[i], i == 0)) return fail_with(diags, pds[i].name + ": not a libmicrokit program");
  std::copy(spec_bytes.begin(), spec_bytes.end(), bytes.begin() + (ui.spec_vaddr - ui.vstart));

  // One loadable segment: the kernel copies it to memory and maps it page by page.
  microkit::elf::testing::TestElfBuilder elf;
  elf.machine = EM_X86_64;
  elf.entry = init->entry;
  elf.with_sections = false;
  elf.segment(ui.vstart, std::move(bytes), 0, PF_R | PF_W | PF_X);
  std::vector<uint8_t> image = elf.build();
  std::ofstream out(o->out, std::ios::binary);
  out.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  if (!out) return fail_with(diags, o->out + ": cannot write the image");
  std::printf("spec: %zu bytes, %zu steps, %zu planned untypeds; user image 0x%llx..0x%llx\n", spec_bytes.size(),
              writer.steps.size(), writer.untypeds.size(), static_cast<unsigned long long>(ui.vstart),
              static_cast<unsigned long long>(ui.vend));
  return 0;
}
