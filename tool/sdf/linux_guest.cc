#include "sdf/linux_guest.h"

#include <variant>

#include "sdf/guest_device_tree.h"
#include "support/text.h"

namespace microkit::sdf {

namespace {

constexpr uint64_t kTwoMiB = 0x200000;
constexpr uint64_t kImageMagic = 0x644d5241;    // "ARM\x64" at byte 56 of an arm64 Image
constexpr uint64_t kOldTextOffset = 0x80000;    // an Image with image_size 0 (before Linux 3.17)

using Bytes = std::vector<uint8_t>;

uint64_t le(const Bytes& b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | b[at + i];
  return v;
}

struct Check {
  const SystemDescription& sd;
  const std::map<std::string, Bytes>& prefills;
  Diagnostics& diags;
  const ProtectionDomain& pd;
  const VirtualMachine& vm;
  const LinuxGuest& g;

  void error(const char* id, Loc loc, const std::string& message, const std::string& hint) {
    diags.error(id, sd.file, loc, "virtual machine '" + vm.name + "': " + message, hint);
  }

  // The MR an attribute of <linux> names; nullptr (reported) when unknown.
  const MemoryRegion* region(const std::string& attr, const std::string& name) {
    if (const MemoryRegion* mr = sd.find_mr(name)) return mr;
    error("vm-linux-unknown-mr", g.at(attr), "<linux " + attr + "=\"" + name + "\"> names no memory region",
          "declare <memory_region name=\"" + name + "\" ...> or name one that exists");
    return nullptr;
  }

  // The bytes of a guest image: the MR must be prefilled, so the tool sees its size.
  const Bytes* image(const std::string& attr, const std::string& name) {
    const MemoryRegion* mr = region(attr, name);
    if (mr == nullptr) return nullptr;
    if (!mr->prefill_path) {
      error("vm-linux-not-prefilled", g.at(attr),
            "the " + attr + " region '" + name + "' has no prefill_path, so its size is unknown at build time",
            "give <memory_region name=\"" + name + "\"> prefill_path=\"FILE\" with the " + attr +
                " and let the VMM read it from there (docs/virtual-machines.md)");
      return nullptr;
    }
    auto it = prefills.find(*mr->prefill_path);
    return it == prefills.end() ? nullptr : &it->second;
  }

  const Map* ram_map() {
    for (const Map& m : vm.maps)
      if (m.mr == g.ram) return &m;
    error("vm-linux-ram-not-mapped", g.at("ram"), "guest RAM '" + g.ram + "' is not mapped into the guest",
          "add <map mr=\"" + g.ram + "\" vaddr=\"GUEST_PHYSICAL_ADDRESS\" perms=\"rwx\" /> to the "
          "<virtual_machine>");
    return nullptr;
  }

  void memory_off_devices(const GuestMachine& machine, const std::string& dtb_file) {
    for (const Map& m : vm.maps) {
      const MemoryRegion* mr = sd.find_mr(m.mr);
      if (mr == nullptr || mr->phys_addr || !mr->size) continue;  // a device MR is a passthrough
      uint64_t end = m.vaddr + *mr->size;
      for (const GuestRange& d : machine.devices) {
        if (m.vaddr >= d.end || d.start >= end) continue;
        error("vm-memory-over-device", m.loc,
              "guest memory '" + m.mr + "' at guest-physical [" + hex(m.vaddr) + ", " + hex(end) +
                  ") overlaps device '" + d.node + "' at [" + hex(d.start) + ", " + hex(d.end) +
                  ") of the guest's device tree '" + dtb_file + "': the guest's accesses there would reach "
                  "memory, not the VMM's emulation or the passed-through device",
              "map '" + m.mr + "' outside the guest's device window (below or above every device of the "
              "device tree), or move the device in the device tree source");
        break;
      }
    }
  }

  void memory_in_ram(const GuestMachine& machine, uint64_t ram_gpa, uint64_t ram_end) {
    for (const GuestRange& r : machine.memory) {
      if (r.start >= ram_gpa && r.end <= ram_end) continue;
      error("vm-linux-memory-outside-ram", g.at("ram"),
            "the device tree gives Linux memory [" + hex(r.start) + ", " + hex(r.end) + ") but guest RAM '" +
                g.ram + "' is mapped at [" + hex(ram_gpa) + ", " + hex(ram_end) + ")",
            "make '" + g.ram + "' cover the device tree's memory node (its size and the map's vaddr), or "
            "change the memory node");
    }
  }

  // The VMM library's placement: the DTB in the top 2 MiB, the initrd just
  // below it (page aligned), the kernel at the first 2 MiB boundary plus text_offset.
  void images_fit(const Bytes& kernel, const Bytes& dtb, uint64_t initrd_size, uint64_t ram_gpa, uint64_t ram_end) {
    if (dtb.size() > kGuestDtbSlot || ram_end - ram_gpa < kGuestDtbSlot) {
      error("vm-dtb-too-large", g.at("dtb"),
            "the device tree (" + hex(dtb.size()) + " bytes) does not fit the top 2 MiB of guest RAM '" + g.ram +
                "' (" + hex(ram_end - ram_gpa) + " bytes), where the VMM library puts it",
            "keep the device tree under 2 MiB (Linux maps no more of it) and guest RAM at least 2 MiB");
      return;
    }
    uint64_t image_size = le(kernel, 16, 8), text_offset = le(kernel, 8, 8);
    if (image_size == 0) text_offset = kOldTextOffset;
    if (image_size < kernel.size()) image_size = kernel.size();
    uint64_t load = ((ram_gpa + kTwoMiB - 1) & ~(kTwoMiB - 1)) + text_offset;
    uint64_t dtb_gpa = ram_end - kGuestDtbSlot;
    uint64_t initrd_gpa = initrd_size > dtb_gpa ? 0 : (dtb_gpa - initrd_size) & ~uint64_t(0xfff);
    if (load + image_size <= initrd_gpa && initrd_gpa >= ram_gpa) return;
    error("vm-kernel-too-large", g.at("kernel"),
          "the kernel (image_size " + hex(image_size) + " at guest-physical " + hex(load) + ")" +
              (initrd_size ? ", the initrd (" + hex(initrd_size) + " bytes)" : std::string()) +
              " and the device tree's 2 MiB do not fit guest RAM '" + g.ram + "' [" + hex(ram_gpa) + ", " +
              hex(ram_end) + "); they need at least " + hex(load - ram_gpa + image_size + initrd_size + kGuestDtbSlot) +
              " bytes",
          "make '" + g.ram + "' bigger (and the device tree's memory node with it), or use a smaller kernel or initrd");
  }

  void run() {
    const Map* ram = ram_map();
    const Bytes* kernel = image("kernel", g.kernel);
    const Bytes* dtb = image("dtb", g.dtb);
    const Bytes* initrd = g.initrd ? image("initrd", *g.initrd) : nullptr;
    const MemoryRegion* ram_mr = sd.find_mr(g.ram);
    if (ram == nullptr || ram_mr == nullptr || !ram_mr->size || kernel == nullptr || dtb == nullptr) return;
    if (kernel->size() < 64 || le(*kernel, 56, 4) != kImageMagic) {
      error("vm-linux-kernel-not-image", g.at("kernel"),
            "the kernel region '" + g.kernel + "' is not prefilled with an arm64 Image (no \"ARM\\x64\" magic at byte 56)",
            "prefill it with the kernel's Image (a gzipped vmlinuz must be decompressed first)");
      return;
    }
    std::variant<GuestMachine, std::string> read = read_guest_device_tree(*dtb);
    const std::string& dtb_file = *sd.find_mr(g.dtb)->prefill_path;
    if (const std::string* why = std::get_if<std::string>(&read)) {
      error("vm-linux-dtb-invalid", g.at("dtb"), "'" + dtb_file + "' is not a usable flattened device tree (" + *why + ")",
            "prefill the dtb region with the output of `dtc -I dts -O dtb`");
      return;
    }
    const GuestMachine& machine = std::get<GuestMachine>(read);
    uint64_t ram_gpa = ram->vaddr, ram_end = ram->vaddr + *ram_mr->size;
    memory_off_devices(machine, dtb_file);
    memory_in_ram(machine, ram_gpa, ram_end);
    images_fit(*kernel, *dtb, initrd ? initrd->size() : 0, ram_gpa, ram_end);
  }
};

}  // namespace

void check_linux_guests(const SystemDescription& sd, const std::map<std::string, Bytes>& prefills,
                        Diagnostics& diags) {
  for (const ProtectionDomain& pd : sd.pds) {
    if (!pd.vm || !pd.vm->linux_guest) continue;
    Check{sd, prefills, diags, pd, *pd.vm, *pd.vm->linux_guest}.run();
  }
}

}  // namespace microkit::sdf
