// make_bootinfo_image: make_boot_image (tests/qemu/make_boot_image.cc) with
// a chosen physical layout, so that the boot emulation is checked on more
// than one layout: the initial task at a given physical address (leaving a
// hole between it and the kernel) and, optionally, a DTB for the kernel.
//
//   make_bootinfo_image --loader BIN --load-address ADDR --kernel ELF
//       [--kernel-config JSON] [--hypervisor] --initial-task ELF --out IMG
//       [--ui-paddr ADDR] [--dtb FILE --dtb-paddr ADDR] [--elf]
//
// --elf writes the image as an ELF file for the kernel's machine (RISC-V:
// QEMU's -kernel). A RISC-V kernel config has no ARM_HYPERVISOR_SUPPORT.
//
// Without --ui-paddr the task goes right after the kernel, as in
// make_boot_image. An ADDR may also be written `after-kernel` or
// `after-kernel+OFFSET`: the first page boundary after the kernel's image
// (plus OFFSET), which depends on the kernel build. Prints the boot registers in make_boot_image's format:
//   boot registers: x0=0x... x1=0x... x2=0x... x3=0x... x4=0x... x5=0x...
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
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

std::optional<std::vector<uint8_t>> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// All of `elf`'s segments in one page-aligned region, by physical or
// virtual address, with zeros in the gaps.
BootRegion span_region(const ElfFile& elf, bool physical, std::string name) {
  uint64_t lo = UINT64_MAX, hi = 0, data_end = 0;
  for (const auto& s : elf.segments) {
    uint64_t at = physical ? s.paddr : s.vaddr;
    lo = std::min(lo, at);
    hi = std::max(hi, at + s.memsz);
    if (s.filesz > 0) data_end = std::max(data_end, at + s.filesz);
  }
  lo = align_down(lo, kPage);
  BootRegion r{std::move(name), lo, {}, align_up(hi, kPage) - lo};
  r.data.assign(data_end > lo ? data_end - lo : 0, 0);
  for (const auto& s : elf.segments) {
    auto bytes = elf.segment_data(s);
    std::copy(bytes.begin(), bytes.end(), r.data.begin() + ((physical ? s.paddr : s.vaddr) - lo));
  }
  return r;
}

struct Args {
  std::map<std::string, std::string> values;
  bool hypervisor = false;
  bool elf = false;
  std::string get(const std::string& key) const {
    auto it = values.find(key);
    return it == values.end() ? std::string() : it->second;
  }
  uint64_t number(const std::string& key) const {
    return std::strtoull(get(key).c_str(), nullptr, 0);
  }
  // An address, possibly relative to `after_kernel`.
  uint64_t address(const std::string& key, uint64_t after_kernel) const {
    std::string v = get(key);
    const std::string rel = "after-kernel";
    if (v.rfind(rel, 0) != 0) return number(key);
    uint64_t offset = v.size() > rel.size() + 1 ? std::strtoull(v.c_str() + rel.size() + 1, nullptr, 0) : 0;
    return after_kernel + offset;
  }
};

std::optional<Args> parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--hypervisor") {
      a.hypervisor = true;
    } else if (k == "--elf") {
      a.elf = true;
    } else if (k.rfind("--", 0) == 0 && i + 1 < argc) {
      a.values[k.substr(2)] = argv[++i];
    } else {
      return std::nullopt;
    }
  }
  for (const char* required : {"loader", "load-address", "kernel", "initial-task", "out"}) {
    if (a.get(required).empty()) return std::nullopt;
  }
  return a;
}

bool read_hypervisor(const std::string& config_path, bool& hyp) {
  std::ifstream in(config_path);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.contains("ARM_HYPERVISOR_SUPPORT")) return false;
  hyp = j["ARM_HYPERVISOR_SUPPORT"].get<bool>();
  return true;
}

int fail(const std::string& message) {
  std::cerr << "make_bootinfo_image: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Args> a = parse_args(argc, argv);
  if (!a) return fail("bad arguments (see the comment at the top of make_bootinfo_image.cc)");
  Diagnostics diags;
  std::optional<ElfFile> kernel = microkit::elf::read_elf(a->get("kernel"), diags);
  std::optional<ElfFile> task = microkit::elf::read_elf(a->get("initial-task"), diags);
  std::optional<std::vector<uint8_t>> loader = read_bytes(a->get("loader"));
  if (!kernel || !task || !loader || kernel->segments.empty()) {
    for (const auto& d : diags.all()) std::cerr << microkit::render(d) << "\n";
    return fail("cannot read the loader, the kernel or the initial task");
  }
  BootImageInput in;
  in.loader_name = a->get("loader");
  in.loader = std::move(*loader);
  in.load_address = a->number("load-address");
  in.hypervisor_kernel = a->hypervisor;
  constexpr uint16_t kEmRiscv = 243;
  bool riscv = kernel->machine == kEmRiscv;
  if (!riscv && !a->get("kernel-config").empty() &&
      !read_hypervisor(a->get("kernel-config"), in.hypervisor_kernel)) {
    return fail("no ARM_HYPERVISOR_SUPPORT in " + a->get("kernel-config"));
  }
  in.regions.push_back(span_region(*kernel, true, "kernel"));
  in.kernel_paddr_start = in.regions[0].paddr;
  in.kernel_paddr_end = in.regions[0].paddr + in.regions[0].memory_size;
  in.kernel_entry = kernel->entry;
  in.kernel_virt_offset = kernel->segments.front().vaddr - kernel->segments.front().paddr;

  BootRegion ui = span_region(*task, false, "initial task");
  uint64_t v_start = ui.paddr;
  uint64_t after_kernel = align_up(in.kernel_paddr_end, kPage);
  uint64_t p_start = a->get("ui-paddr").empty() ? after_kernel
                                                 : a->address("ui-paddr", after_kernel);
  ui.paddr = p_start;
  in.ui_v_entry = task->entry;
  in.ui_p_reg_start = p_start;
  in.ui_p_reg_end = p_start + ui.memory_size;
  in.pv_offset = p_start - v_start;
  in.regions.push_back(std::move(ui));

  if (!a->get("dtb").empty()) {
    std::optional<std::vector<uint8_t>> dtb = read_bytes(a->get("dtb"));
    if (!dtb || dtb->empty()) return fail("cannot read the DTB " + a->get("dtb"));
    in.dtb_paddr = a->address("dtb-paddr", after_kernel);
    in.dtb_size = dtb->size();
    in.regions.push_back(BootRegion{"dtb", in.dtb_paddr, *dtb, align_up(dtb->size(), 8)});
  }

  auto layout = microkit::sel4::layout_boot_image(in, diags);
  if (!layout) {
    for (const auto& d : diags.all()) std::cerr << microkit::render(d) << "\n";
    return 1;
  }
  std::vector<uint8_t> image = a->elf ? microkit::sel4::write_boot_image_elf(in, *layout, kernel->machine)
                                      : microkit::sel4::write_boot_image(in, *layout);
  std::ofstream out(a->get("out"), std::ios::binary);
  out.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  if (!out) return fail("cannot write " + a->get("out"));
  std::printf("boot registers: x0=0x%016" PRIx64 " x1=0x%016" PRIx64 " x2=0x%016" PRIx64
              " x3=0x%016" PRIx64 " x4=0x%016" PRIx64 " x5=0x%016" PRIx64 "\n",
              in.ui_p_reg_start, in.ui_p_reg_end, in.pv_offset, in.ui_v_entry, in.dtb_paddr,
              in.dtb_size);
  return 0;
}
