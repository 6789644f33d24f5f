// image_writer.cc: see image_writer.h.
#include "sel4/image_writer.h"

#include <elf.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "runtime/shared/loader_image.h"
#include "support/text.h"

namespace microkit::sel4 {
namespace li = microkit::loader_image;
namespace {

uint64_t align_up(uint64_t value, uint64_t align) { return (value + align - 1) / align * align; }


std::string range_text(uint64_t start, uint64_t size) {
  return "[" + hex(start) + ", " + hex(start + size) + ")";
}

// The LoaderInfo at offset 8 of the loader binary, if it is there.
std::optional<li::LoaderInfo> read_loader_info(const BootImageInput& in, Diagnostics& diags) {
  li::LoaderInfo info{};
  if (in.loader.size() < li::kLoaderInfoOffset + sizeof info) {
    diags.error("loader-binary-too-small", in.loader_name, {},
                "the loader binary is too small to hold its loader info",
                "pass the raw binary of the microkit loader (loader.bin)");
    return std::nullopt;
  }
  std::memcpy(&info, in.loader.data() + li::kLoaderInfoOffset, sizeof info);
  if (info.magic != li::kLoaderMagic) {
    diags.error("loader-bad-magic", in.loader_name, {},
                "the loader binary has no microkit loader info at offset 8",
                "pass the raw binary of the microkit loader (loader.bin), not its ELF");
    return std::nullopt;
  }
  if (info.version != li::kImageVersion) {
    diags.error("loader-version-mismatch", in.loader_name, {},
                "the loader reads image format version " + std::to_string(info.version) +
                    ", this tool writes " + std::to_string(li::kImageVersion),
                "use the loader from the same SDK as the tool");
    return std::nullopt;
  }
  return info;
}

bool check_loader(const BootImageInput& in, const li::LoaderInfo& info, Diagnostics& diags) {
  bool ok = true;
  if (info.link_address != in.load_address) {
    diags.error("loader-link-address-mismatch", in.loader_name, {},
                "the loader is linked at " + hex(info.link_address) +
                    " but the board loads the image at " + hex(in.load_address),
                "use the loader built for this board");
    ok = false;
  }
  if (info.payload_offset % li::kPayloadAlign != 0 || info.payload_offset < in.loader.size()) {
    diags.error("loader-bad-payload-offset", in.loader_name, {},
                "the loader's payload offset " + hex(info.payload_offset) +
                    " is unaligned or inside the loader binary",
                "rebuild the loader; its linker script places the payload");
    ok = false;
  }
  return ok;
}

bool check_region(const BootImageInput& in, size_t i, uint64_t image_size, Diagnostics& diags) {
  const BootRegion& r = in.regions[i];
  if (r.data.size() > r.memory_size) {
    diags.error("region-data-larger-than-memory", r.name, {},
                "region has " + std::to_string(r.data.size()) + " bytes of data but only " +
                    std::to_string(r.memory_size) + " bytes of memory",
                "the memory size must include the data");
    return false;
  }
  if (r.paddr + r.memory_size < r.paddr) {
    diags.error("region-wraps", r.name, {},
                "region at " + hex(r.paddr) + " wraps around the address space");
    return false;
  }
  if (r.paddr < in.load_address + image_size && in.load_address < r.paddr + r.memory_size) {
    diags.error("region-overlaps-image", r.name, {},
                "region " + range_text(r.paddr, r.memory_size) + " overlaps the boot image " +
                    range_text(in.load_address, image_size),
                "the loader would overwrite itself: move the region or the load address");
    return false;
  }
  for (size_t j = 0; j < i; ++j) {
    const BootRegion& o = in.regions[j];
    if (r.paddr < o.paddr + o.memory_size && o.paddr < r.paddr + r.memory_size) {
      diags.error("region-overlap", r.name, {},
                  "region " + range_text(r.paddr, r.memory_size) + " overlaps " + o.name + " " +
                      range_text(o.paddr, o.memory_size));
      return false;
    }
  }
  return true;
}

}  // namespace

// Steps: 1. read and check the loader's info; 2. place header, table and
// region data after payload_offset; 3. check every region against the
// final image extent and the others.
std::optional<BootImageLayout> layout_boot_image(const BootImageInput& in, Diagnostics& diags) {
  std::optional<li::LoaderInfo> info = read_loader_info(in, diags);
  if (!info || !check_loader(in, *info, diags)) return std::nullopt;
  if (in.regions.size() > li::kMaxRegions) {
    diags.error("too-many-regions", in.loader_name, {},
                "the image has " + std::to_string(in.regions.size()) +
                    " regions; the loader accepts at most " + std::to_string(li::kMaxRegions));
    return std::nullopt;
  }
  BootImageLayout layout;
  layout.payload_offset = info->payload_offset;
  uint64_t offset = layout.payload_offset + sizeof(li::ImageHeader) +
                    in.regions.size() * sizeof(li::ImageRegion);
  for (const BootRegion& r : in.regions) {
    offset = align_up(offset, li::kRegionDataAlign);
    layout.region_offsets.push_back(offset);
    offset += r.data.size();
  }
  layout.image_size = offset;
  bool ok = true;
  for (size_t i = 0; i < in.regions.size(); ++i) ok &= check_region(in, i, layout.image_size, diags);
  if (!ok) return std::nullopt;
  return layout;
}

std::vector<uint8_t> write_boot_image(const BootImageInput& in, const BootImageLayout& layout) {
  std::vector<uint8_t> out(layout.image_size, 0);
  std::memcpy(out.data(), in.loader.data(), in.loader.size());
  li::ImageHeader h{};
  h.magic = li::kImageMagic;
  h.version = li::kImageVersion;
  h.image_size = layout.image_size;
  h.flags = in.hypervisor_kernel ? li::kFlagHypervisorKernel : 0;
  h.kernel_entry = in.kernel_entry;
  h.kernel_virt_offset = in.kernel_virt_offset;
  h.kernel_paddr_start = in.kernel_paddr_start;
  h.kernel_paddr_end = in.kernel_paddr_end;
  h.boot_ui_p_reg_start = in.ui_p_reg_start;
  h.boot_ui_p_reg_end = in.ui_p_reg_end;
  h.boot_pv_offset = in.pv_offset;
  h.boot_v_entry = in.ui_v_entry;
  h.boot_dtb_paddr = in.dtb_paddr;
  h.boot_dtb_size = in.dtb_size;
  h.region_count = static_cast<uint32_t>(in.regions.size());
  std::memcpy(out.data() + layout.payload_offset, &h, sizeof h);
  uint64_t table = layout.payload_offset + sizeof h;
  for (size_t i = 0; i < in.regions.size(); ++i) {
    const BootRegion& r = in.regions[i];
    li::ImageRegion e{r.paddr, r.memory_size, layout.region_offsets[i], r.data.size()};
    std::memcpy(out.data() + table + i * sizeof e, &e, sizeof e);
    if (!r.data.empty()) std::memcpy(out.data() + e.data_offset, r.data.data(), r.data.size());
  }
  return out;
}

uint64_t elf_image_size(const BootImageLayout& layout) {
  return kElfImageOffset + layout.image_size;
}

std::vector<uint8_t> write_boot_image_elf(const BootImageInput& in, const BootImageLayout& layout,
                                          uint16_t machine) {
  static_assert(sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) <= kElfImageOffset);
  std::vector<uint8_t> out(elf_image_size(layout), 0);
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = machine;
  eh.e_version = EV_CURRENT;
  eh.e_entry = in.load_address;
  eh.e_phoff = sizeof eh;
  eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_flags = PF_R | PF_W | PF_X;
  ph.p_offset = kElfImageOffset;
  ph.p_vaddr = ph.p_paddr = in.load_address;
  ph.p_filesz = ph.p_memsz = layout.image_size;
  ph.p_align = kElfImageOffset;
  std::memcpy(out.data(), &eh, sizeof eh);
  std::memcpy(out.data() + sizeof eh, &ph, sizeof ph);
  std::vector<uint8_t> raw = write_boot_image(in, layout);
  std::memcpy(out.data() + kElfImageOffset, raw.data(), raw.size());
  return out;
}

}  // namespace microkit::sel4
