// Architecture-specific rules: interrupts, x86 I/O ports, IO address spaces.
#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "sdf/memory_region_rules.h"
#include "sdf/validate_context.h"

namespace microkit::sdf::detail {

namespace {

const char* kind_attribute(Irq::Kind kind) {
  switch (kind) {
    case Irq::Kind::Number: return "irq";
    case Irq::Kind::IoApic: return "pin";
    case Irq::Kind::Msi: return "pcidev";
  }
  return "irq";
}

bool kind_supported(const Context& cx, Irq::Kind kind) {
  return (kind == Irq::Kind::Number) != cx.x86();
}

// An interrupt the kernel cannot hand out would only fail at boot (IRQ
// control refuses it): refuse it here, with the kernel package's numbers.
void check_irq_number(Context& cx, const Irq& irq) {
  const board::Limits& l = cx.limits;
  for (const board::ReservedIrq& r : l.reserved_irqs) {
    if (r.irq != irq.irq) continue;
    cx.error("irq-reserved-by-kernel", irq.at("irq"),
             "interrupt " + std::to_string(irq.irq) + " is " + r.what + "; no protection domain can have it",
             "use the interrupt number of your device (see the board's device tree)");
    return;
  }
  if (l.max_irq && irq.irq > *l.max_irq) {
    cx.error("irq-out-of-range", irq.at("irq"),
             "interrupt " + std::to_string(irq.irq) + " is above the largest this platform delivers (" +
                 std::to_string(*l.max_irq) + ")",
             "use an interrupt number between " + std::to_string(l.min_irq.value_or(0)) + " and " +
                 std::to_string(*l.max_irq) + " (see the board's device tree)");
    return;
  }
  if (l.min_irq && irq.irq < *l.min_irq) {
    cx.error("irq-not-a-device-interrupt", irq.at("irq"),
             "interrupt " + std::to_string(irq.irq) + " cannot be given to a protection domain: " +
                 l.min_irq_why,
             "use a shared peripheral interrupt (" + std::to_string(*l.min_irq) + " or above) of your device");
  }
}

// seL4 routes IOAPIC pins 0..23 of the IOAPICs it was built for
// (MAX_NUM_IOAPIC); anything else fails when the initial task asks for it.
void check_ioapic_pin(Context& cx, const Irq& irq) {
  if (irq.pin >= kX86IoApicPins) {
    cx.error("irq-pin-out-of-range", irq.at("pin"),
             "IOAPIC pin " + std::to_string(irq.pin) + " does not exist: an IOAPIC has pins 0 to " +
                 std::to_string(kX86IoApicPins - 1),
             "use the pin your device is wired to (0 to " + std::to_string(kX86IoApicPins - 1) + ")");
  }
  if (cx.limits.max_ioapics && irq.ioapic >= *cx.limits.max_ioapics) {
    cx.error("irq-ioapic-out-of-range", irq.at("ioapic"),
             "IOAPIC " + std::to_string(irq.ioapic) + " is not one of the " +
                 std::to_string(*cx.limits.max_ioapics) + " this kernel handles (MAX_NUM_IOAPIC in " +
                 cx.limits.kernel_package + ")",
             "use ioapic=\"0\"" + std::string(*cx.limits.max_ioapics > 1 ? " to \"" +
                 std::to_string(*cx.limits.max_ioapics - 1) + "\"" : "") + ", or a kernel built for more IOAPICs");
  }
}

void check_irq_fields(Context& cx, const Irq& irq) {
  if (!kind_supported(cx, irq.kind)) {
    bool x86_kind = irq.kind != Irq::Kind::Number;
    cx.error("irq-kind-not-supported", irq.at(kind_attribute(irq.kind)),
             std::string(x86_kind ? "IOAPIC and MSI interrupts exist only on x86-64"
                                  : "numbered interrupts (irq=) exist only on ARM and RISC-V") +
                 "; this board is " + arch_label(cx.board.arch),
             x86_kind ? "describe the interrupt with irq=\"N\""
                      : "describe the interrupt with pin=/vector= (IOAPIC) or pcidev=/handle=/vector= (MSI)");
    return;
  }
  if (irq.kind == Irq::Kind::Number) {
    check_irq_number(cx, irq);
    return;
  }
  if (irq.vector > cx.limits.max_x86_vector) {
    cx.error("irq-vector-too-high", irq.at("vector"),
             "vector " + std::to_string(irq.vector) + " is above the maximum " +
                 std::to_string(cx.limits.max_x86_vector),
             "use a vector between 0 and " + std::to_string(cx.limits.max_x86_vector));
  }
  if (irq.kind == Irq::Kind::IoApic) check_ioapic_pin(cx, irq);
  if (irq.kind == Irq::Kind::Msi && (irq.pci_bus > 255 || irq.pci_dev > 31 || irq.pci_func > 7)) {
    cx.error("pcidev-out-of-range", irq.at("pcidev"),
             "PCI address " + hex(irq.pci_bus) + ":" + hex(irq.pci_dev) + "." + hex(irq.pci_func) +
                 " is out of range",
             "bus must be at most 0xff, device at most 0x1f and function at most 0x7");
  }
}

struct IrqUse {
  std::string key;  // what identifies the hardware source
  Loc loc;
  std::string_view pd;
};

// A hardware interrupt can be delivered to one PD only. On x86 the vector is
// what the kernel dispatches on; an IOAPIC pin is also a single source.
void collect_irq_keys(const ProtectionDomain& pd, const Irq& irq, std::vector<IrqUse>& out) {
  switch (irq.kind) {
    case Irq::Kind::Number:
      out.push_back({"interrupt " + std::to_string(irq.irq), irq.at("irq"), pd.name});
      return;
    case Irq::Kind::IoApic:
      out.push_back({"IOAPIC " + std::to_string(irq.ioapic) + " pin " + std::to_string(irq.pin),
                     irq.at("pin"), pd.name});
      [[fallthrough]];
    case Irq::Kind::Msi:
      out.push_back({"vector " + std::to_string(irq.vector), irq.at("vector"), pd.name});
      return;
  }
}

void check_duplicate_irqs(Context& cx, std::vector<IrqUse> uses) {
  std::stable_sort(uses.begin(), uses.end(),
                   [](const IrqUse& a, const IrqUse& b) { return before(a.loc, b.loc); });
  std::unordered_map<std::string_view, const IrqUse*> first;
  for (const IrqUse& use : uses) {
    auto [it, inserted] = first.emplace(use.key, &use);
    if (inserted) continue;
    cx.error("duplicate-irq", use.loc,
             use.key + " is already claimed by '" + std::string(it->second->pd) + "'",
             "deliver each hardware interrupt to one protection domain only");
    cx.note(it->second->loc, "first claimed here");
  }
}

void check_ioport(Context& cx, const IoPort& port, std::unordered_map<uint64_t, Loc>& ids,
                  const ProtectionDomain& pd) {
  if (port.id > cx.limits.max_ioport_id) {
    cx.error("ioport-id-too-high", port.at("id"),
             "I/O port id " + std::to_string(port.id) + " is above the maximum " +
                 std::to_string(cx.limits.max_ioport_id),
             "use an id between 0 and " + std::to_string(cx.limits.max_ioport_id));
  }
  auto [it, inserted] = ids.emplace(port.id, port.at("id"));
  if (!inserted) {
    cx.error("duplicate-ioport-id", port.at("id"),
             "protection domain '" + pd.name + "' already has an I/O port with id " +
                 std::to_string(port.id),
             "give each I/O port of '" + pd.name + "' its own id");
    cx.note(it->second, "first used here");
  }
  if (port.size == 0) {
    cx.error("ioport-size-zero", port.at("size"), "I/O port range has size 0",
             "give the range a size of at least 1");
    return;
  }
  if (port.addr >= kX86IoPortEnd || port.size > kX86IoPortEnd - port.addr) {
    cx.error("ioport-out-of-range", port.at(port.addr >= kX86IoPortEnd ? "addr" : "size"),
             "I/O port range [" + hex(port.addr) + ", " + hex(port.addr + port.size) +
                 ") goes beyond the port space, which ends at " + hex(kX86IoPortEnd),
             "keep addr + size at most " + hex(kX86IoPortEnd));
  }
}

void check_iomap(Context& cx, const IoMap& map, std::vector<Span>& spans) {
  const MemoryRegion* mr = cx.mapped_mr(map.mr, map.at("mr"));
  if (!mr) return;
  uint64_t page = declared_page_size(*mr, cx.board);
  uint64_t small = cx.board.smallest_page_size();
  if (page != small) {
    cx.error("iomap-large-page", map.at("mr"),
             "memory region '" + mr->name + "' uses " + hex(page) +
                 " pages, but the IOMMU maps only " + hex(small) + " pages",
             "give '" + mr->name + "' page_size=\"" + hex(small) + "\"");
    return;
  }
  if (map.iovaddr % page != 0) {
    cx.error("iomap-vaddr-unaligned", map.at("iovaddr"),
             "iovaddr " + hex(map.iovaddr) + " is not a multiple of the page size " + hex(page),
             "align iovaddr to " + hex(page));
    return;
  }
  if (!mr->size) return;
  uint64_t end = map.iovaddr + *mr->size;
  if (end < map.iovaddr || end > kX86IoVirtualEnd) {
    cx.error("iomap-outside-address-space", map.at("iovaddr"),
             "IO mapping of '" + mr->name + "' at " + hex(map.iovaddr) + " (size " + hex(*mr->size) +
                 ") goes beyond the IO address space, which ends at " + hex(kX86IoVirtualEnd),
             "choose an iovaddr so that the region ends at or below " + hex(kX86IoVirtualEnd));
    return;
  }
  spans.push_back({map.iovaddr, end, map.at("iovaddr"), "IO mapping of '" + mr->name + "'"});
}

std::string peripheral_text(const IoAddressSpace& s) {
  if (!s.peripheral_is_pci) return hex(s.peripheral_id);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02llx:%02llx.%llx",
                static_cast<unsigned long long>(s.peripheral_id >> 8),
                static_cast<unsigned long long>((s.peripheral_id >> 3) & 0x1f),
                static_cast<unsigned long long>(s.peripheral_id & 7));
  return buf;
}

// seL4 mints an IOSpace only for domain ids 1..2^16-1 (0 is refused; the
// IOMMU may support fewer bits, which only the boot can tell).
void check_io_domain_id(Context& cx, const IoAddressSpace& space) {
  if (space.domain_id >= 1 && space.domain_id <= kX86MaxIoDomainId) return;
  cx.error("io-domain-id-out-of-range", space.at("domain_id"),
           "domain_id " + std::to_string(space.domain_id) + " is not a valid IOMMU domain id",
           "use a domain_id between 1 and " + std::to_string(kX86MaxIoDomainId));
}

template <typename Key>
void check_unique_field(Context& cx, std::unordered_map<Key, Loc>& seen, Key key, Loc loc,
                        const char* id, const std::string& what) {
  auto [it, inserted] = seen.emplace(key, loc);
  if (inserted) return;
  cx.error(id, loc, what + " is already used by another IO address space",
           "give each IO address space its own value");
  cx.note(it->second, "first used here");
}

}  // namespace

void check_irqs(Context& cx) {
  std::vector<IrqUse> uses;
  for (const auto& pd : cx.sd.pds) {
    for (const auto& irq : pd.irqs) {
      check_irq_fields(cx, irq);
      if (cx.board.arch == board::Arch::Host && irq.has("trigger"))
        cx.warning("trigger-not-modelled-on-host", irq.at("trigger"),
                   "the host platform's device models raise their interrupts the same way whatever "
                   "the trigger: once, then not again until the PD acks",
                   "test trigger-dependent behaviour on seL4 (QEMU)");
      if (kind_supported(cx, irq.kind)) collect_irq_keys(pd, irq, uses);
    }
  }
  check_duplicate_irqs(cx, std::move(uses));
}

void check_ioports(Context& cx) {
  std::vector<Span> spans;
  for (const auto& pd : cx.sd.pds) {
    std::unordered_map<uint64_t, Loc> ids;
    for (const auto& port : pd.ioports) {
      if (!cx.x86()) {
        cx.error("ioport-not-supported", port.loc,
                 std::string("I/O ports exist only on x86-64; this board is ") +
                     arch_label(cx.board.arch),
                 "remove the <ioport>; use memory-mapped device registers instead");
        continue;
      }
      check_ioport(cx, port, ids, pd);
      if (port.size > 0 && port.addr + port.size > port.addr)
        spans.push_back({port.addr, port.addr + port.size, port.at("addr"),
                         "I/O port " + std::to_string(port.id) + " of '" + pd.name + "'"});
    }
  }
  report_overlaps(cx, std::move(spans), "overlapping-ioports", "",
                  "each I/O port address may belong to one range in the whole system");
}

void check_io_address_spaces(Context& cx) {
  std::unordered_map<uint64_t, Loc> peripherals, domains;
  for (const auto& space : cx.sd.io_address_spaces) {
    if (!cx.x86()) {
      cx.error("io-address-space-not-supported", space.loc,
               std::string("IO address spaces are supported only on x86-64 (with an IOMMU); this board is ") +
                   arch_label(cx.board.arch),
               "remove the <io_address_space>");
      continue;
    }
    if (cx.limits.iommu == false) {
      cx.error("io-address-space-no-iommu", space.loc,
               "IO address space '" + space.name + "' needs an IOMMU, but the kernel package (" +
                   cx.limits.kernel_package + ") is built without one (IOMMU off in gen_config.json)",
               "use a kernel configuration with IOMMU support, or remove the <io_address_space>");
      continue;
    }
    check_io_domain_id(cx, space);
    if (space.peripheral_id > 0xffff)
      cx.error("peripheral-id-out-of-range", space.at("peripheral_id"),
               "peripheral_id " + hex(space.peripheral_id) + " is not a PCI requester id (at most 0xffff)",
               "write the device's PCI address as BUS:DEV.FUNC, e.g. peripheral_id=\"0:4.0\"");
    check_unique_field(cx, peripherals, space.peripheral_id, space.at("peripheral_id"),
                       "duplicate-peripheral-id", "peripheral_id " + peripheral_text(space));
    check_unique_field(cx, domains, space.domain_id, space.at("domain_id"),
                       "duplicate-io-domain-id", "domain_id " + std::to_string(space.domain_id));
    std::vector<Span> spans;
    for (const auto& map : space.maps) check_iomap(cx, map, spans);
    report_overlaps(cx, std::move(spans), "overlapping-iomaps",
                    " in IO address space '" + space.name + "'",
                    "move one of the IO mappings so that the ranges are disjoint");
  }
}

}  // namespace microkit::sdf::detail
