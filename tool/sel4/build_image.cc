// build_image: Plan + kernel package + binaries -> boot image (see build_image.h).
#include "sel4/build_image.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "arch/arch.h"
#include "arch/x86_64/multiboot.h"
#include "debug/fault_symbols.h"
#include "report/diagram.h"
#include "report/physical_map.h"
#include "report/sel4_report.h"
#include "gdb/gdb_stub.h"
#include "profile/sel4_profiler.h"
#include "runtime/shared/gdb_abi.h"
#include "runtime/shared/initialiser_spec.h"
#include "runtime/shared/pd_abi.h"
#include "sdk/sdk_dir.h"
#include "sel4/capdl_json.h"
#include "sel4/capdl_text.h"
#include "sel4/image_writer.h"
#include "sel4/spec_writer.h"
#include "sel4/uimage.h"
#include "support/file_bytes.h"

namespace microkit::sel4 {
namespace {

constexpr uint64_t kPage = 4096;
constexpr int kMaxLayoutRounds = 6;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
uint64_t align_down(uint64_t v, uint64_t a) { return v / a * a; }

// One 4 KiB page of a PD program, with the union of its segments' rights.
struct ProgramPage {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(kPage, 0);
  bool read = false, write = false, execute = false;
};
using PageMap = std::map<uint64_t, ProgramPage>;  // by vaddr

PageMap program_pages(const elf::ElfFile& elf) {
  PageMap pages;
  for (const elf::Segment& s : elf.segments) {
    if (s.memsz == 0) continue;
    auto data = elf.segment_data(s);
    for (uint64_t va = align_down(s.vaddr, kPage); va < s.vaddr + s.memsz; va += kPage) {
      ProgramPage& p = pages[va];
      p.read |= s.readable();
      p.write |= s.writable();
      p.execute |= s.executable();
    }
    for (uint64_t k = 0; k < data.size(); ++k) {
      uint64_t va = s.vaddr + k;
      pages[align_down(va, kPage)].bytes[va % kPage] = data[k];
    }
  }
  return pages;
}

// Writes `size` little-endian bytes of `value` at `vaddr`; false when the
// address is not in the program.
bool poke(PageMap& pages, uint64_t vaddr, uint64_t size, const uint8_t* bytes) {
  for (uint64_t k = 0; k < size; ++k) {
    auto it = pages.find(align_down(vaddr + k, kPage));
    if (it == pages.end()) return false;
    it->second.bytes[(vaddr + k) % kPage] = bytes[k];
  }
  return true;
}

bool poke_word(PageMap& pages, uint64_t vaddr, uint64_t size, uint64_t value) {
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = uint8_t(value >> (8 * i));
  return poke(pages, vaddr, std::min<uint64_t>(size, 8), b);
}

// libmicrokit's variables (docs/sel4-abi.md), patched when the program has them.
void patch_libmicrokit(const plan::Pd& pd, const elf::ElfFile& elf, PageMap& pages) {
  plan::ChannelMasks masks = plan::channel_masks(pd);
  if (const elf::Symbol* s = elf.find_symbol(MICROKIT_PD_SYM_NAME)) {
    std::vector<uint8_t> name(MICROKIT_PD_NAME_BYTES, 0);
    std::copy_n(pd.name.begin(), std::min<size_t>(pd.name.size(), name.size() - 1), name.begin());
    poke(pages, s->value, std::min<uint64_t>(s->size ? s->size : name.size(), name.size()), name.data());
  }
  auto word = [&](const char* sym, uint64_t value, uint64_t size) {
    if (const elf::Symbol* s = elf.find_symbol(sym)) poke_word(pages, s->value, size, value);
  };
  word(MICROKIT_PD_SYM_PASSIVE, pd.passive ? 1 : 0, 1);
  word(MICROKIT_PD_SYM_IRQS, masks.irqs, 8);
  word(MICROKIT_PD_SYM_NOTIFICATIONS, masks.notifications, 8);
  word(MICROKIT_PD_SYM_PPS, masks.pps, 8);
  uint64_t ioports = 0;
  for (const plan::IoPortRange& io : pd.ioports) ioports |= uint64_t{1} << io.id;
  word(MICROKIT_PD_SYM_IOPORTS, ioports, 8);
  // x86 VMs have one vCPU (check.cc), bound to the VMM's own thread.
  if (pd.vm && !pd.vm->vcpus.empty()) word(MICROKIT_PD_SYM_X86_VCPU_ID, pd.vm->vcpus.front().id, 8);
}

std::optional<uint64_t> read_word(const PageMap& pages, uint64_t vaddr) {
  uint64_t v = 0;
  for (int k = 0; k < 8; ++k) {
    auto it = pages.find(align_down(vaddr + k, kPage));
    if (it == pages.end()) return std::nullopt;
    v |= uint64_t(it->second.bytes[(vaddr + k) % kPage]) << (8 * k);
  }
  return v;
}

std::pair<std::string, Loc> pd_loc(const SystemImageInputs& in, size_t pd) {
  if (!in.sdf || pd >= in.sdf->pds.size()) return {{}, {}};
  return {in.sdf->file, in.sdf->pds[pd].loc};
}

// Plan patches (setvar) then libmicrokit's; the ABI version is checked.
void patch_program(const plan::Plan& plan, const plan::Sel4Plan& sp, size_t i,
                   const SystemImageInputs& in, PageMap& pages, Diagnostics& diags) {
  const plan::Pd& pd = plan.pds[i];
  if (!in.programs[i]) return;  // late-loaded: its parent loads and patches a program at run time
  const elf::ElfFile& elf = *in.programs[i];
  auto [file, loc] = pd_loc(in, i);
  if (const elf::Symbol* v = elf.find_symbol(MICROKIT_PD_SYM_ABI_VERSION)) {
    auto version = read_word(pages, v->value);
    // The program is at fault, so the diagnostic points at its path.
    Loc path_loc = in.sdf && in.sdf->pds[i].program_image ? in.sdf->pds[i].program_image->at("path") : loc;
    if (version && *version != pd_abi::kVersion)
      diags.error("pd-abi-mismatch", file, path_loc,
                  "protection domain '" + pd.name + "': its program was built against PD ABI "
                  "version " + std::to_string(*version) + " but this tool writes version " +
                      std::to_string(pd_abi::kVersion),
                  "rebuild the program against this SDK's libmicrokit");
  }
  for (const plan::SymbolPatch& p : pd.patches) {
    uint64_t value = p.paddr_of_mr ? sp.mr_paddr[*p.paddr_of_mr] : p.value;
    if (!poke_word(pages, p.vaddr, p.size, value))
      diags.error("setvar-outside-program", file, p.loc.line ? p.loc : loc,
                  "protection domain '" + pd.name + "': symbol '" + p.symbol + "' (a setvar) is "
                  "not inside a loadable segment of the program",
                  "define it as an initialised or zero-initialised global variable");
  }
  patch_libmicrokit(pd, elf, pages);
}

// --gdb-stub: the debugger's table (gdb_abi.h) into its image.
void patch_debugger(const plan::Plan& plan, const plan::Sel4Plan& sp, const kernel::KernelPackage& package,
                    const SystemImageInputs& in, PageMap& pages, Diagnostics& diags) {
  const elf::ElfFile* elf = in.programs[plan.debugger->pd];
  std::vector<uint8_t> table = gdb::debugger_table(plan, sp, package.user_vaddr_end() - 1,
                                                   *arch::traits(package.config.arch));
  const elf::Symbol* s = elf ? elf->find_symbol(MICROKIT_GDB_SYM_TABLE) : nullptr;
  if (s != nullptr && s->size >= table.size() && poke(pages, s->value, table.size(), table.data())) return;
  diags.error("gdb-stub-debugger-image", elf ? elf->path : "", {},
              "the debugger's or profiler's program has no room for its table (symbol '" +
                  std::string(MICROKIT_GDB_SYM_TABLE) + "' of " + std::to_string(table.size()) + " bytes)",
              "use the gdb_debugger.elf or profiler.elf of this SDK");
}

// <profiler>: its rate into its image (runtime/profiler).
void patch_profiler_hz(const plan::Plan& plan, const SystemImageInputs& in, PageMap& pages, Diagnostics& diags) {
  const elf::ElfFile* elf = in.programs[plan.debugger->pd];
  const elf::Symbol* s = elf ? elf->find_symbol(profile::kProfilerHzSymbol) : nullptr;
  if (s != nullptr && s->size == 8 && poke_word(pages, s->value, 8, plan.debugger->profile_hz)) return;
  diags.error("profiler-image", elf ? elf->path : "", {},
              "<profiler>: the profiler's program has no 8-byte '" + std::string(profile::kProfilerHzSymbol) + "'",
              "use the profiler.elf of this SDK");
}

// --gdb-stub: PDs whose faults go to the debugger send it their console
// output (gdb_abi.h); a program without the variable keeps the kernel's.
void patch_gdb_console(const plan::Plan& plan, const SystemImageInputs& in, std::vector<PageMap>& programs) {
  for (size_t i : plan.debugger->targets) {
    if (plan.pds[i].parent || !in.programs[i]) continue;
    if (const elf::Symbol* s = in.programs[i]->find_symbol(MICROKIT_GDB_SYM_CONSOLE))
      poke_word(programs[i], s->value, 1, 1);
  }
}

// The initial task's segments by virtual address, zero-filled between.
struct Span {
  uint64_t vaddr = 0;
  std::vector<uint8_t> bytes;  // page-aligned size
};
Span initialiser_span(const elf::ElfFile& elf) {
  uint64_t lo = UINT64_MAX, hi = 0;
  for (const auto& s : elf.segments) {
    lo = std::min(lo, s.vaddr);
    hi = std::max(hi, s.vaddr + s.memsz);
  }
  Span span;
  span.vaddr = align_down(lo, kPage);
  span.bytes.assign(align_up(hi, kPage) - span.vaddr, 0);
  for (const auto& s : elf.segments) {
    auto data = elf.segment_data(s);
    std::copy(data.begin(), data.end(), span.bytes.begin() + (s.vaddr - span.vaddr));
  }
  return span;
}

// `with_data`: the kernel's bytes at their places (the loader image carries
// them); without, only the extent (x86: the kernel is a file of its own).
BootRegion kernel_region(const elf::ElfFile& kernel, bool with_data) {
  uint64_t lo = UINT64_MAX, hi = 0, data_end = 0;
  for (const auto& s : kernel.segments) {
    lo = std::min(lo, s.paddr);
    hi = std::max(hi, s.paddr + s.memsz);
    if (s.filesz) data_end = std::max(data_end, s.paddr + s.filesz);
  }
  lo = align_down(lo, kPage);
  BootRegion r{"kernel", lo, {}, align_up(hi, kPage) - lo};
  if (!with_data) return r;
  r.data.assign(data_end > lo ? data_end - lo : 0, 0);
  for (const auto& s : kernel.segments) {
    auto data = kernel.segment_data(s);
    std::copy(data.begin(), data.end(), r.data.begin() + (s.paddr - lo));
  }
  return r;
}

// Everything that depends on where things sit in the user image.
struct Round {
  UserImageLayout ui;
  std::vector<plan::PdImage> pd_images;
  std::vector<std::vector<uint64_t>> mr_pages;
  kernel::BootResult boot;
  plan::Sel4Plan sp;
  std::vector<uint8_t> spec;
};

// Assigns user-image addresses to PD and MR pages after `reserve` bytes of spec.
void place_pages(const plan::Plan& plan, const std::vector<PageMap>& programs, Round& r) {
  uint64_t at = r.ui.spec_offset + r.ui.spec_reserved;
  for (size_t i = 0; i < plan.pds.size(); ++i) {
    plan::PdImage img;
    for (const auto& [va, page] : programs[i]) {
      img.pages.push_back({va, r.ui.paddr + at, page.read, page.write, page.execute});
      at += kPage;
    }
    r.pd_images.push_back(std::move(img));
  }
  for (const plan::Mr& mr : plan.mrs) {
    std::vector<uint64_t> pages;
    // 4 KiB pages are mapped from here, so the whole MR is placed; bigger
    // pages are filled by copying (plan_sel4), so only the bytes are.
    uint64_t count = mr.page_size == kPage ? mr.size / kPage : (mr.prefill_size + kPage - 1) / kPage;
    if (mr.prefill_path)
      for (uint64_t k = 0; k < count; ++k, at += kPage) pages.push_back(r.ui.paddr + at);
    r.mr_pages.push_back(std::move(pages));
  }
  r.ui.size = at;
}

// When the user image is too big (the kernel gives the initial task one cap
// per 4 KiB page of it, and it must not reach the loaded boot image), notes
// name the PD programs and prefilled MRs that put the most pages there.
void name_user_image_users(const plan::Plan& plan, const std::vector<PageMap>& programs,
                           const SystemImageInputs& in, Diagnostics& diags) {
  struct User {
    uint64_t pages;
    std::string what, file;
    Loc loc;
  };
  std::vector<User> users;
  const sdf::SystemDescription* sdf = in.sdf;
  for (size_t m = 0; m < plan.mrs.size(); ++m) {
    if (!plan.mrs[m].prefill_path) continue;
    bool located = sdf && m < sdf->mrs.size();
    users.push_back({plan.mrs[m].size / kPage, "prefilled memory region '" + plan.mrs[m].name + "'",
                     located ? sdf->file : std::string{}, located ? sdf->mrs[m].loc : Loc{}});
  }
  for (size_t i = 0; i < plan.pds.size(); ++i) {
    auto [file, loc] = pd_loc(in, i);
    users.push_back({programs[i].size(), "the program of protection domain '" + plan.pds[i].name + "'", file, loc});
  }
  std::stable_sort(users.begin(), users.end(), [](const User& a, const User& b) { return a.pages > b.pages; });
  for (size_t k = 0; k < users.size() && k < 3 && users[k].pages > 0; ++k)
    diags.note(users[k].file, users[k].loc,
               users[k].what + " puts " + std::to_string(users[k].pages) + " pages (4 KiB) into the boot image");
}

std::optional<Round> plan_round(const plan::Plan& plan, const kernel::KernelPackage& pkg,
                                const kernel::BootFacts& facts, const SystemImageInputs& in,
                                const std::vector<PageMap>& programs, UserImageLayout ui,
                                Diagnostics& diags) {
  Round r;
  r.ui = ui;
  place_pages(plan, programs, r);
  for (size_t i = 0; i < plan.pds.size(); ++i)
    r.pd_images[i].entry = in.programs[i] ? in.programs[i]->entry : 0;
  kernel::BootInputs bi;
  bi.user_image = {r.ui.paddr, r.ui.paddr + r.ui.size};
  bi.user_image_vaddr = r.ui.vaddr;
  size_t errors = diags.error_count();
  auto boot = kernel::emulate_boot(facts, bi, diags);
  if (!boot) {
    if (diags.error_count() > errors && diags.all().back().id == "boot-root-cnode-full")
      name_user_image_users(plan, programs, in, diags);
    return std::nullopt;
  }
  r.boot = *boot;
  plan::Sel4Inputs si{&pkg, &facts, &r.boot, r.pd_images, r.mr_pages, in.sdf};
  auto sp = plan::plan_sel4(plan, si, diags);
  if (!sp) return std::nullopt;
  r.sp = std::move(*sp);
  SpecInputs spi{&plan, &r.sp, &r.boot, &pkg, r.ui.paddr, r.ui.vaddr, in.sdf, &in.fault_symbols};
  auto spec = write_spec(spi, diags);
  if (!spec) return std::nullopt;
  r.spec = std::move(*spec);
  return r;
}

std::vector<uint8_t> user_image_bytes(const plan::Plan& plan, const Span& init, const Round& r,
                                      const std::vector<PageMap>& programs) {
  std::vector<uint8_t> out(r.ui.size, 0);
  std::copy(init.bytes.begin(), init.bytes.end(), out.begin());
  std::copy(r.spec.begin(), r.spec.end(), out.begin() + r.ui.spec_offset);
  for (size_t i = 0; i < plan.pds.size(); ++i)
    for (const plan::UserImagePage& p : r.pd_images[i].pages) {
      const auto& bytes = programs[i].at(p.vaddr).bytes;
      std::copy(bytes.begin(), bytes.end(), out.begin() + (p.paddr - r.ui.paddr));
    }
  for (size_t m = 0; m < plan.mrs.size(); ++m)
    if (!r.mr_pages[m].empty()) {
      const auto& pre = plan.mrs[m].prefill;
      std::copy(pre.begin(), pre.end(), out.begin() + (r.mr_pages[m][0] - r.ui.paddr));
    }
  return out;
}

// The image writer's input: loader, kernel region, user image, boot values.
BootImageInput boot_image_input(const kernel::KernelPackage& package, const SystemImageInputs& in,
                                BootRegion kregion, const UserImageLayout& ui,
                                std::vector<uint8_t> user_image) {
  BootImageInput bi;
  bi.loader_name = in.loader_name;
  bi.loader = in.loader;
  bi.load_address = in.load_address;
  bi.hypervisor_kernel = package.config.hypervisor;
  bi.kernel_entry = in.kernel->entry;
  bi.kernel_virt_offset = in.kernel->segments.front().vaddr - in.kernel->segments.front().paddr;
  bi.kernel_paddr_start = kregion.paddr;
  bi.kernel_paddr_end = kregion.paddr + kregion.memory_size;
  bi.ui_p_reg_start = ui.paddr;
  bi.ui_p_reg_end = ui.paddr + ui.size;
  bi.pv_offset = ui.paddr - ui.vaddr;
  bi.ui_v_entry = ui.entry;
  bi.regions.push_back(std::move(kregion));
  bi.regions.push_back({"user image", ui.paddr, std::move(user_image), ui.size});
  return bi;
}

bool check_programs(const plan::Plan& plan, const SystemImageInputs& in, Diagnostics& diags) {
  bool ok = in.programs.size() == plan.pds.size();
  for (size_t i = 0; ok && i < plan.pds.size(); ++i)
    if (!in.programs[i] && !plan.pds[i].late_load_mr) {
      auto [file, loc] = pd_loc(in, i);
      diags.error("program-image-missing", file, loc,
                  "protection domain '" + plan.pds[i].name + "' has no program image",
                  "give it a <program_image>");
      ok = false;
    }
  if (in.initialiser.segments.empty() || in.kernel->segments.empty()) {
    diags.error("sel4-binary-empty", {}, {},
                "the kernel or the initial task ELF has no loadable segment",
                "check the SDK or kernel package the tool uses (docs/sel4-backend.md)");
    ok = false;
  }
  return ok;
}

// x86-64: the user image as the multiboot boot module, the kernel beside it.
std::optional<SystemImage> multiboot_image(const plan::Plan& plan, const kernel::BootFacts& facts,
                                           const SystemImageInputs& in, Round round,
                                           std::vector<uint8_t> user_image, report::PhysicalMap physical,
                                           Diagnostics& diags) {
  SystemImage out;
  out.physical = std::move(physical);
  out.multiboot = true;
  auto elf32 = arch::x86_64::kernel_elf32(*in.kernel, diags);
  if (!elf32) return std::nullopt;
  out.kernel_elf32 = std::move(*elf32);
  out.kernel_elf = in.kernel->bytes;
  out.bytes = arch::x86_64::boot_module_elf(round.ui.vaddr, round.ui.paddr, round.ui.entry, user_image);
  out.elf_bytes = out.bytes;
  out.spec_size = round.spec.size();
  out.user_image = round.ui;
  out.report = report::sel4_report(plan, round.sp, round.boot);
  if (in.want_capdl) out.capdl = capdl::build_spec({&plan, &round.sp, &facts, in.programs, round.pd_images});
  out.sel4 = std::move(round.sp);
  out.boot = std::move(round.boot);
  return out;
}

// Where everything sits in physical memory, for the diagram.
report::PhysicalMap physical_of(const plan::Plan& plan, const kernel::BootFacts& facts, const BootRegion& kregion,
                                const Round& round) {
  const UserImageLayout& ui = round.ui;
  report::PhysicalInputs pi{&plan, &round.sp, &round.boot, facts.memory,
                            // the boot-only code before ki_boot_end is untyped after boot
                            {std::max(kregion.paddr, facts.kernel_boot_end), kregion.paddr + kregion.memory_size},
                            {ui.paddr, ui.paddr + ui.spec_offset + ui.spec_reserved},
                            &round.pd_images, &round.mr_pages};
  return report::physical_map(pi);
}

}  // namespace

std::vector<uint8_t> loader_binary(const elf::ElfFile& loader) {
  uint64_t lo = UINT64_MAX, data_end = 0;
  for (const auto& s : loader.segments) {
    lo = std::min(lo, s.paddr);
    if (s.filesz) data_end = std::max(data_end, s.paddr + s.filesz);
  }
  std::vector<uint8_t> out(data_end > lo ? data_end - lo : 0, 0);
  for (const auto& s : loader.segments) {
    auto data = loader.segment_data(s);
    std::copy(data.begin(), data.end(), out.begin() + (s.paddr - lo));
  }
  return out;
}

std::optional<SystemImage> make_system_image(const plan::Plan& plan,
                                             const kernel::KernelPackage& package,
                                             const SystemImageInputs& in, Diagnostics& diags) {
  // 1. kernel region, user image start; 2. PD pages; 3. plan rounds until the
  // spec fits; 4. patches; 5. image.
  if (!check_programs(plan, in, diags)) return std::nullopt;
  auto facts = kernel::boot_facts(package, diags);
  if (!facts) return std::nullopt;
  bool multiboot = arch::traits(package.config.arch)->image == arch::ImageKind::MultibootModule;
  BootRegion kregion = kernel_region(*in.kernel, !multiboot);
  Span init = initialiser_span(in.initialiser);
  UserImageLayout ui;
  ui.paddr = align_up(std::max(kregion.paddr + kregion.memory_size, facts->kernel_image.end), kPage);
  ui.vaddr = init.vaddr;
  ui.entry = in.initialiser.entry;
  ui.spec_offset = align_up(init.bytes.size(), initialiser_spec::kSpecAlign);
  ui.spec_reserved = 64 * 1024;
  std::vector<PageMap> programs;
  for (size_t i = 0; i < plan.pds.size(); ++i)
    programs.push_back(in.programs[i] ? program_pages(*in.programs[i]) : PageMap{});
  std::optional<Round> round;
  for (int k = 0; k < kMaxLayoutRounds; ++k) {
    round = plan_round(plan, package, *facts, in, programs, ui, diags);
    if (!round) return std::nullopt;
    if (round->spec.size() <= ui.spec_reserved) break;
    ui.spec_reserved = align_up(round->spec.size() + round->spec.size() / 4, kPage);
    round.reset();
  }
  if (!round) {
    diags.error("sel4-layout-unstable", {}, {}, "the spec's size did not settle while laying out "
                "the user image", "this is a bug in the tool; please report it");
    return std::nullopt;
  }
  size_t errors = diags.error_count();
  for (size_t i = 0; i < plan.pds.size(); ++i) patch_program(plan, round->sp, i, in, programs[i], diags);
  if (plan.debugger) {
    patch_debugger(plan, round->sp, package, in, programs[plan.debugger->pd], diags);
    if (plan.debugger->handles_faults)
      patch_gdb_console(plan, in, programs);
    else
      patch_profiler_hz(plan, in, programs[plan.debugger->pd], diags);
  }
  if (diags.error_count() > errors) return std::nullopt;

  report::PhysicalMap physical = physical_of(plan, *facts, kregion, *round);
  if (multiboot) {
    // The bytes first: the argument that moves *round may be evaluated before them.
    std::vector<uint8_t> bytes = user_image_bytes(plan, init, *round, programs);
    return multiboot_image(plan, *facts, in, std::move(*round), std::move(bytes), std::move(physical), diags);
  }
  BootImageInput bi = boot_image_input(package, in, std::move(kregion), round->ui,
                                        user_image_bytes(plan, init, *round, programs));
  size_t layout_errors = diags.error_count();
  auto layout = layout_boot_image(bi, diags);
  if (!layout) {
    // The user image reaching into the loaded boot image: say what fills it.
    if (diags.error_count() > layout_errors && diags.all().back().file == "user image")
      name_user_image_users(plan, programs, in, diags);
    return std::nullopt;
  }
  SystemImage out;
  out.physical = std::move(physical);
  out.bytes = write_boot_image(bi, *layout);
  out.elf_bytes = write_boot_image_elf(bi, *layout, in.kernel->machine);  // the kernel's architecture
  out.spec_size = round->spec.size();
  out.user_image = round->ui;
  out.report = report::sel4_report(plan, round->sp, round->boot);
  if (in.want_capdl)
    out.capdl = capdl::build_spec({&plan, &round->sp, &*facts, in.programs, round->pd_images});
  out.sel4 = std::move(round->sp);
  out.boot = std::move(round->boot);
  return out;
}

// ---------------------------------------------------------------------------
// File I/O around the pure core.
namespace {

bool write_file(const std::string& path, const void* data, size_t size, Diagnostics& diags) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (f) return true;
  diags.error("cannot-write-output", path, {}, "cannot write '" + path + "'",
              "check that the folder exists and is writable");
  return false;
}

// The loader: an ELF (converted like objcopy -O binary) or a raw .bin.
std::optional<std::vector<uint8_t>> read_loader(const std::string& path, Diagnostics& diags) {
  auto bytes = read_file_bytes(path);
  if (!bytes) {
    diags.error("sel4-binary-missing", path, {}, "cannot read the loader '" + path + "'",
                "build the loader, or point MICROKIT_SDK at an SDK (docs/sel4-backend.md)");
    return std::nullopt;
  }
  if (bytes->size() < 4 || (*bytes)[0] != 0x7f || (*bytes)[1] != 'E') return bytes;
  auto elf = elf::parse_elf(std::move(*bytes), path, diags);
  if (!elf) return std::nullopt;
  return loader_binary(*elf);
}

std::optional<elf::ElfFile> read_binary_elf(const std::string& path, const char* what,
                                            Diagnostics& diags) {
  auto bytes = read_file_bytes(path);
  if (!bytes) {
    diags.error("sel4-binary-missing", path, {}, std::string("cannot read the ") + what + " '" + path + "'",
                "build it, or point MICROKIT_SDK at an SDK (docs/sel4-backend.md)");
    return std::nullopt;
  }
  return elf::parse_elf(std::move(*bytes), path, diags);
}

const elf::ElfFile* program_for(const plan::Inputs& inputs, const plan::Pd& pd) {
  if (pd.late_load_mr) return nullptr;  // no program until its parent loads one
  for (const auto& [key, elf] : inputs.programs) {
    auto it = inputs.resolved_paths.find(key);
    std::string resolved = it == inputs.resolved_paths.end() ? key : it->second;
    if (resolved == pd.program_path || key == pd.program_path || elf.path == pd.program_path)
      return &elf;
  }
  return nullptr;
}

// The image file's bytes in the format asked for.
// `machine`: the kernel's ELF machine, which picks the uImage's architecture byte.
std::optional<std::vector<uint8_t>> image_file_bytes(const SystemImage& image, ImageFormat format,
                                                     uint64_t load_address, uint16_t machine,
                                                     Diagnostics& diags) {
  constexpr uint16_t kEmRiscv = 243;
  bool riscv = machine == kEmRiscv;
  switch (format) {
    case ImageFormat::Binary: return image.bytes;
    case ImageFormat::Elf: return image.elf_bytes;
    case ImageFormat::Uimage:
      if (riscv) {  // Linux's RISC-V Image header first, as U-Boot wants it
        return write_uimage(with_linux_riscv_header(image.bytes),
                            {kUimageArchRiscv, load_address - kLinuxRiscvHeaderSize,
                             "seL4 Microkit system", load_address},
                            diags);
      }
      return write_uimage(image.bytes, {kUimageArchArm64, load_address, "seL4 Microkit system"},
                          diags);
  }
  return std::nullopt;
}

// x86-64: sel4.elf and sel4_32.elf in the output's folder, as the official
// tool writes them (QEMU: -kernel sel4_32.elf -initrd <output>).
bool write_kernel_files(const SystemImage& image, const std::string& output, Diagnostics& diags) {
  std::filesystem::path dir = std::filesystem::path(output).parent_path();
  auto beside = [&](const char* name) { return (dir / name).string(); };
  return write_file(beside("sel4.elf"), image.kernel_elf.data(), image.kernel_elf.size(), diags) &&
         write_file(beside("sel4_32.elf"), image.kernel_elf32.data(), image.kernel_elf32.size(), diags);
}

}  // namespace

std::vector<std::vector<uint8_t>> fault_symbol_tables(const plan::Plan& plan,
                                                      const std::vector<const elf::ElfFile*>& programs,
                                                      Diagnostics& diags, size_t cap) {
  std::vector<std::vector<uint8_t>> tables(plan.pds.size());
  for (size_t i = 0; i < plan.pds.size() && i < programs.size(); ++i) {
    if (!programs[i]) continue;
    debug::FaultSymbols t = debug::build_fault_symbols(*programs[i], cap);
    std::string size = std::to_string(t.full_size) + " bytes, more than the " + std::to_string(cap) +
                       " a PD may embed";
    if (t.content == debug::FaultSymbols::Content::FunctionsOnly)
      diags.warning("fault-symbols-functions-only", programs[i]->path, {},
                    "the fault symbol table of '" + plan.pds[i].name + "' would take " + size +
                        ": its fault backtraces name functions but not source lines",
                    "`microkit symbolize` gives file and line from the serial log");
    if (t.content == debug::FaultSymbols::Content::None && t.full_size > 0)
      diags.warning("fault-symbols-left-out", programs[i]->path, {},
                    "the fault symbol table of '" + plan.pds[i].name + "' would take " + size +
                        ", even with functions only: its fault backtraces are addresses",
                    "`microkit symbolize` names them from the serial log");
    tables[i] = std::move(t.bytes);
  }
  return tables;
}

bool build_sel4_image(const plan::Plan& plan, const kernel::KernelPackage& package,
                      const plan::Inputs& inputs, const BuildOptions& options, Diagnostics& diags) {
  SystemImageInputs in;
  in.sdf = options.sdf;
  in.want_capdl = options.capdl_json || options.capdl_text || options.capdl_json_extended;
  in.loader_name = options.loader;
  // x86-64 has no loader: the kernel and the initial task are multiboot modules.
  bool multiboot = arch::traits(package.config.arch)->image == arch::ImageKind::MultibootModule;
  auto loader = multiboot ? std::optional<std::vector<uint8_t>>(std::vector<uint8_t>{})
                          : read_loader(options.loader, diags);
  // The package's kernel was read with the package; --override-kernel is read now.
  std::shared_ptr<const elf::ElfFile> kernel = package.kernel_elf;
  if (options.kernel || !kernel) {
    auto read = read_binary_elf(options.kernel.value_or(package.kernel_elf_path), "kernel", diags);
    kernel = read ? std::make_shared<const elf::ElfFile>(std::move(*read)) : nullptr;
  }
  auto init = read_binary_elf(options.initialiser, "initial task", diags);
  if (!loader || !kernel || !init) return false;
  in.loader = std::move(*loader);
  in.kernel = std::move(kernel);
  in.initialiser = std::move(*init);
  // The loader says where it must be loaded (LoaderInfo::link_address).
  if (in.loader.size() >= 24) {
    uint64_t link = 0;
    for (int k = 0; k < 8; ++k) link |= uint64_t(in.loader[16 + k]) << (8 * k);
    in.load_address = link;
  }
  for (const plan::Pd& pd : plan.pds) in.programs.push_back(program_for(inputs, pd));
  // Fault reports are printed by debug configurations only (fault_report.h).
  if (options.fault_symbols && package.config.debug_build && package.config.printing)
    in.fault_symbols = fault_symbol_tables(plan, in.programs, diags);
  auto image = make_system_image(plan, package, in, diags);
  if (!image) return false;
  if (options.diagram) {
    std::string page = report::diagram_html({&plan, options.sdf, options.sdf_text, &image->physical});
    if (!write_file(*options.diagram, page.data(), page.size(), diags)) return false;
  }
  if (!options.write_image) return true;  // `microkit diagram`: the page is all that was asked for
  auto bytes = image_file_bytes(*image, options.format, in.load_address, in.kernel->machine, diags);
  if (!bytes || !write_file(options.output, bytes->data(), bytes->size(), diags)) return false;
  if (image->multiboot && !write_kernel_files(*image, options.output, diags)) return false;
  if (options.report && !write_file(*options.report, image->report.data(), image->report.size(), diags))
    return false;
  for (const auto& path : {options.capdl_json, options.capdl_json_extended}) {
    if (!path) continue;
    std::string json = capdl::to_json(image->capdl) + "\n";
    if (!write_file(*path, json.data(), json.size(), diags)) return false;
  }
  if (options.capdl_text) {
    std::string cdl = capdl::to_cdl(image->capdl, options.sdf ? options.sdf->file : "");
    if (!write_file(*options.capdl_text, cdl.data(), cdl.size(), diags)) return false;
  }
  return true;
}

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// The loader and initial task: $MICROKIT_LOADER / $MICROKIT_INITIALISER, else
// <sdk>/board/<board>/<config>/elf/{loader,initialiser}.elf, where the SDK is
// $MICROKIT_SDK or the one holding this executable (sdk/sdk_dir.h).
bool locate_binaries(const CliRequest& req, BuildOptions& opts, Diagnostics& diags) {
  std::string sdk = sdk::find_sdk_dir().value_or("");
  std::string board_dir = sdk.empty() ? "" : sdk + "/board/" + req.board + "/" + req.config;
  opts.loader = env_or("MICROKIT_LOADER", board_dir.empty() ? "" : board_dir + "/elf/loader.elf");
  opts.initialiser =
      env_or("MICROKIT_INITIALISER", board_dir.empty() ? "" : board_dir + "/elf/initialiser.elf");
  bool needs_loader = req.arch != board::Arch::X86_64;  // x86: multiboot, no loader
  if ((!needs_loader || !opts.loader.empty()) && !opts.initialiser.empty()) return true;
  diags.error("sel4-sdk-not-found", "microkit", {},
              "cannot find the loader and initial task for " + req.board + " (" + req.config + ")",
              "set MICROKIT_SDK to an SDK folder (board/<board>/<config>/elf/...), or "
              "MICROKIT_LOADER and MICROKIT_INITIALISER to the two ELF files");
  return false;
}

}  // namespace

std::string kernel_package_dir(const std::string& board, const std::string& config) {
  std::error_code ec;
  if (auto sdk = sdk::find_sdk_dir();
      sdk && std::filesystem::exists(sdk::config_dir(*sdk, board, config) + "/elf/sel4.elf", ec))
    return sdk::config_dir(*sdk, board, config);
  return env_or("MICROKIT_KERNEL_ROOT", "/opt/sel4-16.0.0") + "/" + board + "/" + config;
}

std::string missing_image_inputs(const std::string& board, const std::string& config,
                                 board::Arch arch) {
  std::error_code ec;
  auto exists = [&](const std::string& path) { return !path.empty() && std::filesystem::exists(path, ec); };
  CliRequest req;
  req.board = board;
  req.config = config;
  req.arch = arch;
  BuildOptions opts;
  Diagnostics ignored;
  std::vector<std::string> missing;
  std::string pkg = kernel_package_dir(board, config);
  if (!exists(pkg + "/bin/kernel.elf") && !exists(pkg + "/elf/sel4.elf"))
    missing.push_back("no kernel package at " + pkg);
  bool found = locate_binaries(req, opts, ignored);
  if (!found || (arch != board::Arch::X86_64 && !exists(opts.loader)))
    missing.push_back("no loader");
  if (!found || !exists(opts.initialiser)) missing.push_back("no initial task");
  std::string out;
  for (const auto& m : missing) out += (out.empty() ? "" : ", ") + m;
  return out;
}

bool build_sel4_for_cli(const plan::Plan& plan, const plan::Inputs& inputs, const CliRequest& req,
                        Diagnostics& diags) {
  // 1. binaries; 2. kernel package; 3. build.
  BuildOptions opts;
  opts.output = req.output;
  opts.report = req.report;
  opts.format = req.format;
  opts.kernel = req.override_kernel;
  opts.sdf = req.sdf;
  opts.capdl_json = req.capdl_json;
  opts.capdl_text = req.capdl_text;
  opts.capdl_json_extended = req.capdl_json_extended;
  opts.diagram = req.diagram;
  opts.sdf_text = req.sdf_text;
  opts.write_image = req.write_image;
  opts.fault_symbols = req.fault_symbols;
  if (!locate_binaries(req, opts, diags)) return false;
  std::string pkg_dir = kernel_package_dir(req.board, req.config);
  std::optional<kernel::KernelPackage> package;
  if (req.package && req.package->dir == pkg_dir) package = *req.package;
  else package = kernel::load_kernel_package(pkg_dir, diags);
  if (!package) return false;
  if (package->kind == kernel::KernelPackage::Kind::Facts && !opts.kernel) {
    diags.error("kernel-package-cannot-boot", pkg_dir, {},
                "the kernel package '" + pkg_dir + "' holds facts only, no kernel.elf",
                "set MICROKIT_KERNEL_ROOT to a folder of seL4 16.0.0 kernel installs");
    return false;
  }
  return build_sel4_image(plan, *package, inputs, opts, diags);
}

}  // namespace microkit::sel4
