// The SDF validator's entry point and shared helpers.
//
// Rules, by stable id (E = error, W = warning), and the file that checks them:
//
// names (validate_names.cc)
//   E no-protection-domains        the system has no PD at all
//   E too-many-pds                 more PDs (children included, VMs not) than limits.max_pds
//   E duplicate-pd-name            PD and VM names share one namespace
//   E duplicate-mr-name            two memory regions with one name
//   E duplicate-io-address-space-name
//   E duplicate-domain-name
//   E empty-name                   a PD, VM, MR, IO address space or domain named ""
//   E name-too-long                PD/VM name longer than the runtime's name buffer
//   E reserved-pd-name             "monitor" is the system fault handler's name
// protection domains (validate_pds.cc)
//   E priority-too-high            priority > limits.max_priority (PDs and VMs)
//   E budget-zero                  budget of 0 (PDs and VMs)
//   E budget-exceeds-period        budget > period (PDs and VMs)
//   E stack-size-out-of-range      outside [limits.min_stack_size, limits.max_stack_size]
//   E stack-size-unaligned         not a multiple of the smallest page size
//   E cpu-out-of-range             cpu >= config.cpus or the kernel's MAX_NUM_NODES (PDs, vCPUs)
//   E smc-not-supported            smc="true" off AArch64
//   E missing-child-id             nested PD without `id`
//   E child-id-on-top-level-pd     `id` / `setvar_id` on a PD that has no parent
//   E child-id-too-high            child id > limits.max_child_id
//   E duplicate-child-id           two children (or a child and a vCPU) with one id
//   E x86-vm-with-children         x86-64: a PD with a VM cannot have children
//   E x86-too-many-vcpus           x86-64: at most one vCPU per VM
//   E vm-not-supported             the board/config has no hypervisor
//   E vcpu-id-too-high             vCPU id > limits.max_vcpu_id
//   E duplicate-vcpu-id
//   E vm-scheduling-not-supported  priority/budget/period on a VM off AArch64
//   E unknown-pd                   channel end or cap names no PD
//   E cap-slot-reserved            cspace slot 0 belongs to the tool
//   E cap-slot-too-high            cspace slot above the runtime's table
//   E duplicate-cap-slot           two grants (or one grant's range) share a slot
//   E cap-rights-not-applicable    rights="g" on a notification (it has no grant right)
//   E cap-mr-needs-size            <cap_mr> of an MR sized only by its prefill file
//   E cap-ioport-not-supported     <cap_ioport> off x86-64 (the host: cspace-not-on-host)
//   E unknown-ioport               <cap_ioport> id names no <ioport> of that PD
//   E untyped-size-not-power-of-two
//   E untyped-count-zero
//   E cnode-slots-invalid          <cnode slots> not a power of two of at least 2
//   E cap-name-invalid             name is not a C identifier
//   E duplicate-cap-name           two grants of one PD with one name
//   E free-slots-too-many          <free_slots count> above what the CSpace root has left
//   E cspace-not-on-host           each <cspace> element on the host platform, at the element
//   E unknown-irq                  <cap_irq pd id>: the PD has no <irq> with that id
//   E irq-handled-by-nobody        <cap_irq irq>: no PD's <irq> declares that IRQ
//   E cap-irq-source               <cap_irq> with neither or both of (pd and id) and irq
// late-loading PDs (validate_late_load.cc)
//   E late-load-needs-parent       <late_load> on a PD with no parent to load it
//   E late-load-mr-not-mapped-by-parent  the parent does not map the program's MR writable, cached
//   E late-load-passive            a passive PD cannot be late-loaded
//   E late-load-other-core         RISC-V: the child on another cpu than its parent
//   E late-load-setvar             a setvar (any element's setvar_*) patching a late-loaded PD
//   E late-load-not-on-host        <late_load> on the host platform
// memory (validate_memory.cc)
//   E unsupported-page-size        page_size not one of the board's
//   E missing-mr-size              no size and nothing to size it from
//   E mr-size-zero
//   E mr-size-unaligned            size not a multiple of the page size
//   E mr-phys-addr-unaligned       phys_addr not a multiple of the page size
//   E mr-phys-range-overflow       phys_addr + size wraps around
//   E overlapping-phys-addr        two fixed-address MRs overlap
//   E prefill-conflict             prefill_path together with prefill_bootinfo
//   E prefill-bootinfo-not-supported  prefill_bootinfo off x86-64
//   E prefill-bootinfo-large-page  prefill_bootinfo with a page_size above the smallest
//   W unused-memory-region         an MR nothing maps, iomaps or asks the address of
//   E unknown-memory-region        map/iomap/setvar names no MR
//   E write-only-map               perms="w": the MMU cannot map write-only (the parser
//                                  rejects it first; kept for descriptions built in code)
//   E map-vaddr-unaligned          vaddr not a multiple of the MR's page size
//   E map-outside-address-space    mapping not inside board.user_vaddr
//   E map-overlaps-stack           PD mapping reaches the stack/IPC-buffer area
//   E overlapping-maps             two mappings in one address space overlap
//   E duplicate-setvar-symbol      one symbol patched twice in one program image
//   E setvar-prefill-size-without-prefill
//   E x86-region-paddr-without-phys-addr
// channels (validate_channels.cc)
//   E channel-to-self              both ends name the same PD
//   E channel-id-too-high          channel or irq id > limits.max_channel_id
//   E duplicate-channel-id         a PD uses one id twice (channels and irqs)
//   E bidirectional-pp             pp on both ends
//   E pp-to-lower-priority         pp needs a strictly higher-priority callee
//   E x86-pp-to-vm-pd              x86-64: PDs with a VM cannot receive PPCs
//   W useless-channel              notify="false" on both ends and no pp
// architecture-specific (validate_arch.cc)
//   E irq-kind-not-supported       irq= off ARM/RISC-V; pin=/pcidev= off x86-64
//   E duplicate-irq                one hardware interrupt claimed twice
//   E irq-vector-too-high          vector > limits.max_x86_vector
//   E irq-pin-out-of-range         IOAPIC pin >= 24
//   E irq-ioapic-out-of-range      ioapic >= the kernel's MAX_NUM_IOAPIC
//   E pcidev-out-of-range          bus > 255, device > 31 or function > 7 (as write-only-map)
//   E ioport-not-supported         ioport off x86-64
//   E ioport-id-too-high           > limits.max_ioport_id
//   E duplicate-ioport-id
//   E ioport-size-zero
//   E ioport-out-of-range          addr + size beyond the 16-bit port space
//   E overlapping-ioports          port ranges overlap anywhere in the system
//   E io-address-space-not-supported  io_address_space off x86-64
//   E io-address-space-no-iommu    the kernel package is built without IOMMU
//   E io-domain-id-out-of-range    domain_id 0 or above 0xffff
//   E peripheral-id-out-of-range   x86-64: peripheral_id above 0xffff (a PCI requester id)
//   E duplicate-peripheral-id
//   E duplicate-io-domain-id
//   E iomap-vaddr-unaligned
//   E iomap-outside-address-space  beyond the IOMMU's 39-bit space
//   E iomap-large-page             the IOMMU maps small pages only
//   E overlapping-iomaps
// Left to the parser (shape rules, reported once): a VM without <vcpu>, a
// <domains> without <domain>, malformed values.
// domains (validate_domains.cc)
//   E domains-on-smp               the domain scheduler needs a single-core config
//   E too-many-domains             > limits.max_domains
//   E domain-id-too-high           id >= limits.max_domains
//   E duplicate-domain-id
//   E missing-domain-schedule      <domains> without <domain_schedule>
//   E empty-domain-schedule
//   E schedule-too-long            index_shift + entries + end marker > limits.max_domain_schedule
//   E unknown-domain               schedule entry or PD names no domain
//   E schedule-duration-zero
//   E schedule-start-index-out-of-range
//   E missing-pd-domain            a schedule exists and the PD has no domain
//   E pd-domain-without-schedule   a PD names a domain but there is no schedule
#include "sdf/validate.h"

#include <algorithm>
#include <cstdio>

#include "sdf/validate_context.h"
#include "support/did_you_mean.h"
#include "support/text.h"

namespace microkit::sdf {
namespace detail {

Context::Context(const SystemDescription& s, const board::Board& b, const board::Config& c,
                 Diagnostics& d)
    : sd(s), board(b), config(c), limits(c.limits), diags(d) {
  pd_index.reserve(s.pds.size());
  for (size_t i = 0; i < s.pds.size(); ++i) pd_index.emplace(s.pds[i].name, i);
  mr_index.reserve(s.mrs.size());
  for (size_t i = 0; i < s.mrs.size(); ++i) mr_index.emplace(s.mrs[i].name, i);
}

const ProtectionDomain* Context::pd(std::string_view name) const {
  auto it = pd_index.find(name);
  return it == pd_index.end() ? nullptr : &sd.pds[it->second];
}

const MemoryRegion* Context::mr(std::string_view name) const {
  auto it = mr_index.find(name);
  return it == mr_index.end() ? nullptr : &sd.mrs[it->second];
}

Diagnostic& Context::error(std::string id, Loc loc, std::string message, std::string hint) {
  return diags.error(std::move(id), sd.file, loc, std::move(message), std::move(hint));
}

Diagnostic& Context::warning(std::string id, Loc loc, std::string message, std::string hint) {
  return diags.warning(std::move(id), sd.file, loc, std::move(message), std::move(hint));
}

void Context::note(Loc loc, std::string message) { diags.note(sd.file, loc, std::move(message)); }

static std::string suggestion(std::string_view name, const std::vector<std::string_view>& known,
                                size_t& budget) {
  if (budget == 0) return {};
  --budget;
  std::optional<std::string> best = did_you_mean(name, known);
  return best ? " (did you mean '" + *best + "'?)" : std::string{};
}

std::string Context::suggest_pd(std::string_view name) {
  std::vector<std::string_view> known;
  known.reserve(sd.pds.size());
  for (const auto& p : sd.pds) known.push_back(p.name);
  return suggestion(name, known, suggestions_left);
}

const MemoryRegion* Context::mapped_mr(const std::string& name, Loc where) {
  const MemoryRegion* found = mr(name);
  if (!found)
    error("unknown-memory-region", where,
          "no memory region is named '" + name + "'" + suggest_mr(name),
          "declare a <memory_region name=\"" + name + "\"> or map an existing one");
  return found;
}

std::string Context::suggest_mr(std::string_view name) {
  std::vector<std::string_view> known;
  known.reserve(sd.mrs.size());
  for (const auto& m : sd.mrs) known.push_back(m.name);
  return suggestion(name, known, suggestions_left);
}


bool before(Loc a, Loc b) {
  return a.line != b.line ? a.line < b.line : a.column < b.column;
}

static std::string range_text(const Span& s) {
  return "[" + hex(s.start) + ", " + hex(s.end) + ")";
}

void report_overlaps(Context& cx, std::vector<Span> spans, const std::string& id,
                     const std::string& space, const std::string& hint) {
  std::erase_if(spans, [](const Span& s) { return s.end <= s.start; });
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.start != b.start ? a.start < b.start : before(a.loc, b.loc);
  });
  size_t reach = 0;  // the span seen so far that ends last
  for (size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].start < spans[reach].end) {
      const Span* later = &spans[i];
      const Span* earlier = &spans[reach];
      if (before(later->loc, earlier->loc)) std::swap(later, earlier);
      cx.error(id, later->loc,
               later->what + " " + range_text(*later) + " overlaps " + earlier->what + " " +
                   range_text(*earlier) + space,
               hint);
      cx.note(earlier->loc, "the other range: " + earlier->what);
    }
    if (spans[i].end > spans[reach].end) reach = i;
  }
}

const char* arch_label(board::Arch arch) {
  switch (arch) {
    case board::Arch::AArch64: return "AArch64";
    case board::Arch::RiscV64: return "RISC-V 64";
    case board::Arch::X86_64: return "x86-64";
    case board::Arch::Host: return "the host platform";
  }
  return "this architecture";
}

}  // namespace detail

void validate(const SystemDescription& sd, const board::Board& board,
              const board::Config& config, Diagnostics& diags) {
  // 1. Index names once; every later lookup is O(1).
  // 2. Run each independent rule group; each reports everything it finds.
  detail::Context cx(sd, board, config, diags);
  detail::check_names(cx);
  detail::check_pds(cx);
  detail::check_children(cx);
  detail::check_virtual_machines(cx);
  detail::check_cspaces(cx);
  detail::check_late_loads(cx);
  detail::check_memory_regions(cx);
  detail::check_maps(cx);
  detail::check_setvars(cx);
  detail::check_channels(cx);
  detail::check_irqs(cx);
  detail::check_ioports(cx);
  detail::check_io_address_spaces(cx);
  detail::check_domains(cx);
}

}  // namespace microkit::sdf
