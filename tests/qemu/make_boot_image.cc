// make_boot_image: builds a loader boot image from ELF files, for the QEMU
// boot tests (tests/qemu/qemu_boot_test.sh). A thin test harness over
// tool/sel4/image_writer; the real `microkit` command builds images from a
// Plan instead.
//
//   make_boot_image --loader loader.bin --load-address 0x70000000
//                   --kernel kernel.elf [--kernel-config gen_config.json]
//                   [--hypervisor] [--initial-task task.elf] --out loader.img
//                   [--corrupt-version]   (flip a bit of the header's version)
//                   [--elf]               (an ELF file instead of a raw binary)
//
// Layout decided here: the kernel's segments go to their ELF physical
// addresses (one region spanning them); the initial task's segments keep
// their virtual layout and go right after the kernel, page aligned; without
// --initial-task a one-page dummy task stands in at virtual 0x400000.
// The ELF wrapper (--elf) gets the kernel's machine (AArch64 or RISC-V).
// Prints the boot-protocol values it chose as
//   boot registers: x0=0x... x1=... x5=...
// (the format the test payload prints, so the script can compare them).
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "elf/elf_file.h"
#include "sel4/image_writer.h"
#include "support/diagnostics.h"

namespace {

using microkit::Diagnostics;
using microkit::elf::ElfFile;
using microkit::sel4::BootImageInput;
using microkit::sel4::BootRegion;

constexpr uint64_t kPage = 4096;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
uint64_t align_down(uint64_t v, uint64_t a) { return v / a * a; }

struct Options {
  std::string loader, kernel, kernel_config, initial_task, out;
  uint64_t load_address = 0;
  bool hypervisor = false;
  bool corrupt_version = false;  // for the test of the loader's own checks
  bool elf = false;              // write an ELF file instead of a raw binary
};

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--hypervisor" || a == "--corrupt-version" || a == "--elf") {
      (a == "--hypervisor" ? o.hypervisor : a == "--elf" ? o.elf : o.corrupt_version) = true;
      continue;
    }
    if (i + 1 >= argc) return std::nullopt;
    std::string v = argv[++i];
    if (a == "--loader") o.loader = v;
    else if (a == "--kernel") o.kernel = v;
    else if (a == "--kernel-config") o.kernel_config = v;
    else if (a == "--initial-task") o.initial_task = v;
    else if (a == "--out") o.out = v;
    else if (a == "--load-address") o.load_address = std::strtoull(v.c_str(), nullptr, 0);
    else return std::nullopt;
  }
  if (o.loader.empty() || o.kernel.empty() || o.out.empty() || o.load_address == 0) {
    return std::nullopt;
  }
  return o;
}

std::optional<std::vector<uint8_t>> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// One region holding all of `elf`'s segments, by physical (`physical`) or
// virtual address, with zeros in the gaps; the base moves by `shift`.
BootRegion span_region(const ElfFile& elf, bool physical, uint64_t shift, std::string name) {
  uint64_t lo = UINT64_MAX, hi = 0, data_end = 0;
  for (const auto& s : elf.segments) {
    uint64_t at = physical ? s.paddr : s.vaddr;
    lo = std::min(lo, at);
    hi = std::max(hi, at + s.memsz);
    if (s.filesz > 0) data_end = std::max(data_end, at + s.filesz);
  }
  lo = align_down(lo, kPage);
  BootRegion r{std::move(name), lo + shift, {}, align_up(hi, kPage) - lo};
  r.data.assign(data_end > lo ? data_end - lo : 0, 0);
  for (const auto& s : elf.segments) {
    auto bytes = elf.segment_data(s);
    uint64_t at = (physical ? s.paddr : s.vaddr) - lo;
    std::copy(bytes.begin(), bytes.end(), r.data.begin() + at);
  }
  return r;
}

std::optional<bool> read_hypervisor_flag(const std::string& path) {
  std::ifstream in(path);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.contains("ARM_HYPERVISOR_SUPPORT")) return std::nullopt;
  return j["ARM_HYPERVISOR_SUPPORT"].get<bool>();
}

// The initial task: its ELF after the kernel, or a dummy page.
void add_initial_task(BootImageInput& in, const std::optional<ElfFile>& task) {
  uint64_t paddr = align_up(in.kernel_paddr_end, kPage);
  BootRegion r;
  uint64_t v_start = 0x400000;
  if (task) {
    r = span_region(*task, false, 0, "initial task");
    v_start = r.paddr;
    r.paddr = paddr;
    in.ui_v_entry = task->entry;
  } else {
    r = BootRegion{"dummy initial task", paddr, {}, kPage};
    in.ui_v_entry = v_start;
  }
  in.ui_p_reg_start = paddr;
  in.ui_p_reg_end = paddr + r.memory_size;
  in.pv_offset = paddr - v_start;
  in.regions.push_back(std::move(r));
}

int fail_with(const Diagnostics& diags) {
  for (const auto& d : diags.all()) std::cerr << microkit::render(d) << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> o = parse_options(argc, argv);
  if (!o) {
    std::cerr << "usage: make_boot_image --loader <bin> --load-address <addr> --kernel <elf>"
                 " [--kernel-config <json>] [--hypervisor] [--initial-task <elf>] --out <img>"
                 " [--elf] [--corrupt-version]\n";
    return 2;
  }
  Diagnostics diags;
  std::optional<ElfFile> kernel = microkit::elf::read_elf(o->kernel, diags);
  std::optional<ElfFile> task;
  if (!o->initial_task.empty()) task = microkit::elf::read_elf(o->initial_task, diags);
  std::optional<std::vector<uint8_t>> loader = read_bytes(o->loader);
  if (!loader) std::cerr << o->loader << ": cannot read the loader binary\n";
  if (diags.has_errors() || !kernel || !loader) return fail_with(diags);
  if (kernel->segments.empty()) {
    std::cerr << o->kernel << ": the kernel ELF has no loadable segments\n";
    return 1;
  }
  constexpr uint16_t kEmRiscv = 243;
  bool riscv = kernel->machine == kEmRiscv;  // no hypervisor flag in its config
  if (!o->kernel_config.empty() && !riscv) {
    std::optional<bool> hyp = read_hypervisor_flag(o->kernel_config);
    if (!hyp) {
      std::cerr << o->kernel_config << ": no ARM_HYPERVISOR_SUPPORT in the kernel config\n";
      return 1;
    }
    o->hypervisor = *hyp;
  }

  BootImageInput in;
  in.loader_name = o->loader;
  in.loader = std::move(*loader);
  in.load_address = o->load_address;
  in.hypervisor_kernel = o->hypervisor;
  in.regions.push_back(span_region(*kernel, true, 0, o->kernel));
  const BootRegion& k = in.regions.back();
  in.kernel_paddr_start = k.paddr;
  in.kernel_paddr_end = k.paddr + k.memory_size;
  in.kernel_entry = kernel->entry;
  in.kernel_virt_offset = kernel->segments.front().vaddr - kernel->segments.front().paddr;
  add_initial_task(in, task);

  auto layout = microkit::sel4::layout_boot_image(in, diags);
  if (!layout) return fail_with(diags);
  std::vector<uint8_t> image = o->elf
                                   ? microkit::sel4::write_boot_image_elf(in, *layout, kernel->machine)
                                   : microkit::sel4::write_boot_image(in, *layout);
  uint64_t base = o->elf ? microkit::sel4::kElfImageOffset : 0;
  if (o->corrupt_version) image[base + layout->payload_offset + 4] ^= 0x80;  // ImageHeader::version
  std::ofstream out(o->out, std::ios::binary);
  out.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  if (!out) {
    std::cerr << o->out << ": cannot write the image\n";
    return 1;
  }
  std::printf("boot registers: x0=0x%016" PRIx64 " x1=0x%016" PRIx64 " x2=0x%016" PRIx64
              " x3=0x%016" PRIx64 " x4=0x%016" PRIx64 " x5=0x%016" PRIx64 "\n",
              in.ui_p_reg_start, in.ui_p_reg_end, in.pv_offset, in.ui_v_entry, in.dtb_paddr,
              in.dtb_size);
  return 0;
}
