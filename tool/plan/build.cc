// plan::build: the platform-independent part of planning (see plan.h).
//
// The SystemDescription has been validated, so names resolve and ids are in
// range; this file still checks what only it can see (program ELFs present,
// setvar symbols defined) and reports those as diagnostics.
#include <algorithm>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "plan/plan.h"
#include "runtime/shared/pd_abi.h"
#include "sdf/domain_schedule.h"
#include "sdf/memory_region_rules.h"
#include "support/did_you_mean.h"

namespace microkit::plan {
namespace {

struct Ctx {
  const sdf::SystemDescription& sd;
  const board::Board& board;
  const board::Config& config;
  const Inputs& inputs;
  Diagnostics& diags;
  Plan plan;
  // Per MR name: every vaddr it is mapped at (PDs and VMs), and whether it
  // keeps its declared page size (an IO address space maps it, or a <cap_mr>
  // grants its frames: the validator counted the slots with that size).
  std::unordered_map<std::string_view, std::vector<uint64_t>> map_vaddrs;
  std::unordered_set<std::string_view> io_mapped;
  // MR name -> index: a linear search per <map> was quadratic (5,000 MRs:
  // half the tool's time in string compares).
  std::unordered_map<std::string_view, size_t> mr_by_name;
};

void index_mappings(Ctx& c) {
  for (size_t i = 0; i < c.sd.mrs.size(); ++i) c.mr_by_name.emplace(c.sd.mrs[i].name, i);
  for (const auto& pd : c.sd.pds) {
    for (const auto& m : pd.maps) c.map_vaddrs[m.mr].push_back(m.vaddr);
    if (!pd.vm) continue;
    for (const auto& m : pd.vm->maps) c.map_vaddrs[m.mr].push_back(m.vaddr);
  }
  for (const auto& space : c.sd.io_address_spaces)
    for (const auto& m : space.maps) c.io_mapped.insert(m.mr);
  // Bootinfo is copied in one small page at a time.
  for (const auto& mr : c.sd.mrs)
    if (mr.prefill_bootinfo) c.io_mapped.insert(mr.name);
  for (const auto& pd : c.sd.pds)
    for (const auto& cap : pd.caps)
      if (cap.kind == sdf::Cap::Kind::MrFrames) c.io_mapped.insert(cap.mr);
}

uint64_t round_up(uint64_t v, uint64_t to) { return to == 0 ? v : (v + to - 1) / to * to; }

std::optional<size_t> mr_index(const Ctx& c, const std::string& name) {
  auto it = c.mr_by_name.find(name);
  if (it == c.mr_by_name.end()) return std::nullopt;
  return it->second;
}

std::optional<size_t> pd_index(const sdf::SystemDescription& sd, const std::string& name) {
  for (size_t i = 0; i < sd.pds.size(); ++i)
    if (sd.pds[i].name == name) return i;
  return std::nullopt;
}

std::string resolved(const Inputs& in, const std::string& path) {
  auto it = in.resolved_paths.find(path);
  return it == in.resolved_paths.end() ? path : it->second;
}

Mr plan_mr(Ctx& c, const sdf::MemoryRegion& m) {
  Mr mr;
  mr.name = m.name;
  mr.phys_addr = m.phys_addr;
  if (m.prefill_path) {
    mr.prefill_path = resolved(c.inputs, *m.prefill_path);
    auto it = c.inputs.prefills.find(*m.prefill_path);
    if (it != c.inputs.prefills.end()) mr.prefill = it->second;
    else if (!c.inputs.sdf_only)
      c.diags.error("prefill-file-missing", c.sd.file, m.at("prefill_path"),
                    "the prefill file '" + *m.prefill_path + "' of memory region '" + m.name +
                        "' was not loaded",
                    "check that the file exists in the current directory or a --search-path");
    mr.prefill_size = mr.prefill.size();
  }
  if (m.prefill_bootinfo) mr.bootinfo_chunk = bootinfo_chunk_id(*m.prefill_bootinfo);
  uint64_t size = m.size.value_or(mr.prefill_size);
  if (!size) size = c.board.smallest_page_size();
  auto vaddrs = c.map_vaddrs.find(m.name);
  mr.page_size = sdf::optimal_page_size(
      m, c.board, size,
      vaddrs == c.map_vaddrs.end() ? std::span<const uint64_t>{} : std::span<const uint64_t>(vaddrs->second),
      c.io_mapped.contains(m.name));
  mr.size = round_up(size ? size : c.board.smallest_page_size(), mr.page_size);
  if (m.prefill_path && mr.prefill_size > mr.size)
    c.diags.error("prefill-too-large", c.sd.file, m.at("prefill_path"),
                  "the prefill file of memory region '" + m.name + "' has " +
                      std::to_string(mr.prefill_size) + " bytes but the region only " +
                      std::to_string(mr.size),
                  "make the region larger or omit its size so that the file sizes it");
  return mr;
}

Pd plan_pd_basics(Ctx& c, const sdf::ProtectionDomain& p) {
  Pd pd;
  pd.name = p.name;
  pd.priority = p.priority;
  pd.budget_us = p.budget;
  pd.period_us = p.effective_period();
  pd.passive = p.passive;
  pd.cpu = p.cpu;
  pd.fpu = p.fpu;
  pd.smc = p.smc;
  pd.stack_size = p.stack_size;
  if (p.crash_dump) {
    pd.crash_dump.enabled = true;
    pd.crash_dump.stack = p.crash_dump->stack;
    pd.crash_dump.data = p.crash_dump->data;
    pd.crash_dump.mrs.insert(p.crash_dump->mrs.begin(), p.crash_dump->mrs.end());
  }
  pd.parent = p.parent;
  pd.child_id = p.child_id;
  pd.children = p.children;
  if (p.program_image) pd.program_path = resolved(c.inputs, p.program_image->path);
  if (p.late_load) pd.late_load_mr = mr_index(c, p.late_load->mr);
  pd.channels.resize(c.config.limits.max_channel_id + 1);
  return pd;
}

void add_patch(Pd& pd, std::optional<std::string> symbol, uint64_t value, Loc loc) {
  if (!symbol) return;
  SymbolPatch sp;
  sp.symbol = *symbol;
  sp.value = value;
  sp.loc = loc;
  pd.patches.push_back(std::move(sp));
}

void plan_maps(Ctx& c, const sdf::ProtectionDomain& p, Pd& pd) {
  for (const auto& m : p.maps) {
    auto mi = mr_index(c, m.mr);
    if (!mi) continue;  // the validator reported it
    const Mr& mr = c.plan.mrs[*mi];
    Mapping map{*mi, m.vaddr, mr.size, m.perms.read, m.perms.write, m.perms.execute, m.cached,
                m.late_load};
    pd.mappings.push_back(map);
    add_patch(pd, m.setvar_vaddr, m.vaddr, m.at("setvar_vaddr"));
    add_patch(pd, m.setvar_size, mr.size, m.at("setvar_size"));
    add_patch(pd, m.setvar_prefill_size, mr.prefill_size, m.at("setvar_prefill_size"));
  }
  std::stable_sort(pd.mappings.begin(), pd.mappings.end(),
                   [](const Mapping& a, const Mapping& b) { return a.vaddr < b.vaddr; });
}

// The VM's scheduling and its guest-physical maps (validated: no setvars).
void plan_vm(Ctx& c, const sdf::ProtectionDomain& p, Pd& pd) {
  if (!p.vm) return;
  const sdf::VirtualMachine& v = *p.vm;
  Vm vm{v.name, v.priority, v.budget, v.period.value_or(v.budget), {}, {}};
  for (const auto& vcpu : v.vcpus) vm.vcpus.push_back({vcpu.id, vcpu.cpu.value_or(p.cpu)});
  for (const auto& m : v.maps) {
    auto mi = mr_index(c, m.mr);
    if (!mi) continue;  // the validator reported it
    vm.mappings.push_back({*mi, m.vaddr, c.plan.mrs[*mi].size, m.perms.read, m.perms.write,
                           m.perms.execute, m.cached, false});
  }
  std::stable_sort(vm.mappings.begin(), vm.mappings.end(),
                   [](const Mapping& a, const Mapping& b) { return a.vaddr < b.vaddr; });
  pd.vm = std::move(vm);
}

void plan_irqs(Ctx& c, const sdf::ProtectionDomain& p, Pd& pd) {
  for (const auto& irq : p.irqs) {
    if (irq.id >= pd.channels.size()) continue;
    ChannelSlot& slot = pd.channels[irq.id];
    slot.kind = ChannelSlot::Kind::Irq;
    slot.irq = irq.kind == sdf::Irq::Kind::Number ? irq.irq : irq.vector;
    slot.trigger = irq.trigger;
    slot.irq_kind = irq.kind;
    slot.ioapic = irq.ioapic;
    slot.pin = irq.pin;
    slot.polarity = irq.polarity;
    slot.pci_address = irq.pci_bus << 8 | irq.pci_dev << 3 | irq.pci_func;
    slot.msi_handle = irq.handle;
    add_patch(pd, irq.setvar_id, irq.id, irq.at("setvar_id"));
  }
}

void plan_channel_end(Ctx& c, const sdf::ChannelEnd& self, const sdf::ChannelEnd& peer) {
  auto me = pd_index(c.sd, self.pd);
  auto other = pd_index(c.sd, peer.pd);
  if (!me || !other) return;
  Pd& pd = c.plan.pds[*me];
  if (self.id >= pd.channels.size()) return;
  ChannelSlot& slot = pd.channels[self.id];
  slot.kind = ChannelSlot::Kind::Channel;
  slot.peer_pd = *other;
  slot.peer_id = peer.id;
  slot.can_notify = self.notify;
  slot.can_ppcall = self.pp;
  slot.receives_ppc = peer.pp;
  add_patch(pd, self.setvar_id, self.id, self.at("setvar_id"));
}

void plan_misc_patches(Ctx& c, const sdf::ProtectionDomain& p, Pd& pd) {
  if (p.parent) add_patch(c.plan.pds[*p.parent], p.setvar_id, p.child_id.value_or(0), p.at("setvar_id"));
  for (const auto& io : p.ioports) {
    pd.ioports.push_back({io.id, io.addr, io.size});
    add_patch(pd, io.setvar_id, io.id, io.at("setvar_id"));
    add_patch(pd, io.setvar_addr, io.addr, io.at("setvar_addr"));
  }
  if (p.vm)
    for (const auto& v : p.vm->vcpus) add_patch(pd, v.setvar_id, v.id, v.at("setvar_id"));
  for (const auto& sv : p.setvars) {
    auto mi = mr_index(c, sv.region_paddr);
    if (!mi) continue;
    SymbolPatch patch;
    patch.symbol = sv.symbol;
    patch.loc = sv.at("symbol");
    patch.paddr_of_mr = *mi;
    patch.value = c.plan.mrs[*mi].phys_addr.value_or(0);
    c.plan.mrs[*mi].needs_fixed_paddr = true;
    pd.patches.push_back(std::move(patch));
  }
}

constexpr std::string_view kSymCspaceCnode = "microkit_cspace_cnode";  // libmicrokit, microkit.h

uint32_t log2_floor(uint64_t v) {
  uint32_t b = 0;
  while (v > 1) v >>= 1, ++b;
  return b;
}

// <cap_irq>: the PD and channel id of the <irq> it names, by pd and id or
// by IRQ number; false when there is none (the validator reported it).
bool fill_irq_source(Ctx& c, const sdf::Cap& cap, ExtraCap& extra) {
  for (size_t p = 0; p < c.sd.pds.size(); ++p)
    for (const sdf::Irq& irq : c.sd.pds[p].irqs) {
      bool named = cap.irq ? irq.kind == sdf::Irq::Kind::Number && irq.irq == *cap.irq
                           : c.sd.pds[p].name == cap.pd && cap.irq_id == irq.id;
      if (!named) continue;
      auto source = pd_index(c.sd, c.sd.pds[p].name);
      if (!source) return false;
      extra.source_pd = *source;
      extra.irq_channel = irq.id;
      return true;
    }
  return false;
}

// One <cspace> grant; false when its source is unknown (the validator
// reported it).
bool fill_extra_cap(Ctx& c, const sdf::Cap& cap, ExtraCap& extra) {
  extra.kind = cap.kind;
  extra.slot = cap.slot;
  extra.name = sdf::cap_name(cap);
  extra.loc = cap.loc;
  extra.read = cap.rights.read;
  extra.write = cap.rights.write;
  extra.grant = cap.rights.grant;
  extra.badge = cap.badge;
  switch (cap.kind) {
    case sdf::Cap::Kind::MrFrames: {
      auto mr = mr_index(c, cap.mr);
      if (!mr) return false;
      extra.source_mr = *mr;
      extra.read = cap.perms.read;
      extra.write = cap.perms.write;
      const Mr& m = c.plan.mrs[*mr];
      extra.count = m.page_size ? m.size / m.page_size : 0;
      return true;
    }
    case sdf::Cap::Kind::Untyped:
      extra.count = cap.count;
      extra.size_bits = log2_floor(cap.size);
      return true;
    case sdf::Cap::Kind::EmptyCNode: extra.cnode_slot_bits = log2_floor(cap.cnode_slots); return true;
    case sdf::Cap::Kind::SchedControl: extra.cpu = cap.cpu; return true;
    case sdf::Cap::Kind::Irq: return fill_irq_source(c, cap, extra);
    case sdf::Cap::Kind::IoPort: extra.ioport_id = cap.ioport_id; [[fallthrough]];
    default: {
      auto source = pd_index(c.sd, cap.pd);
      if (!source) return false;
      extra.source_pd = *source;
      return true;
    }
  }
}

// <cspace>: grants sorted by slot, their setvar_slot patches (the cptr of
// the first slot) and <free_slots>. The validator checked names and slots.
void plan_extra_caps(Ctx& c, const sdf::ProtectionDomain& p, Pd& pd) {
  for (const auto& cap : p.caps) {
    ExtraCap extra;
    if (!fill_extra_cap(c, cap, extra)) continue;
    add_patch(pd, cap.setvar_slot, pd_abi::user_cap_slot(cap.slot), cap.at("setvar_slot"));
    if (cap.kind == sdf::Cap::Kind::CNode && cap.pd == p.name) {
      // libmicrokit's microkit_cspace_cnode: the PD's own CNode, when granted.
      add_patch(pd, std::string(kSymCspaceCnode), pd_abi::user_cap_slot(cap.slot), cap.loc);
      pd.patches.back().optional = true;
    }
    pd.extra_caps.push_back(std::move(extra));
  }
  std::stable_sort(pd.extra_caps.begin(), pd.extra_caps.end(),
                   [](const ExtraCap& a, const ExtraCap& b) { return a.slot < b.slot; });
  if (!p.free_slots) return;
  pd.free_slots = p.free_slots->count;
  add_patch(pd, p.free_slots->setvar_first, MICROKIT_PD_SLOTS_END, p.free_slots->at("setvar_first"));
}

const elf::Symbol* find_symbol(const elf::ElfFile& elf, const std::string& name) {
  for (const auto& s : elf.symbols)
    if (s.name == name) return &s;
  return nullptr;
}

// A setvar names a symbol the program does not define: point at the
// attribute, and suggest the closest data symbol of the program.
void report_missing_symbol(Ctx& c, const sdf::ProtectionDomain& p, const SymbolPatch& patch,
                           const elf::ElfFile& elf, const std::string& key) {
  std::vector<std::string_view> names;
  for (const auto& s : elf.symbols)
    if (s.type != 2 && s.type != 3 && s.type != 4 && !s.name.empty())  // not FUNC, SECTION, FILE
      names.push_back(s.name);
  auto close = did_you_mean(patch.symbol, names);
  c.diags.error("setvar-symbol-not-found", c.sd.file, patch.loc,
                "protection domain '" + p.name + "': symbol '" + patch.symbol +
                    "' is not in " + key + (close ? " (did you mean '" + *close + "'?)" : ""),
                "define it in the program as a global variable, e.g. `uintptr_t " + patch.symbol +
                    ";`, or correct the name");
}

// The value must fit the variable: a physical address needs a whole word, a
// number as many bytes as it has.
void check_patch_fits(Ctx& c, const sdf::ProtectionDomain& p, const SymbolPatch& patch,
                      const std::string& key) {
  if (patch.size >= 8) return;
  uint64_t limit = uint64_t{1} << (8 * patch.size);
  bool fits = !patch.paddr_of_mr && patch.value < limit;
  if (fits) return;
  std::string what = patch.paddr_of_mr ? "a physical address (8 bytes)" : "the value " + std::to_string(patch.value);
  c.diags.error("setvar-value-too-large", c.sd.file, patch.loc,
                "protection domain '" + p.name + "': " + what + " does not fit symbol '" +
                    patch.symbol + "', which has " + std::to_string(patch.size) + " byte" +
                    (patch.size == 1 ? "" : "s") + " in " + key,
                "declare '" + patch.symbol + "' as a 64-bit variable (uint64_t or uintptr_t)");
}

// Finds each patch's address in the program (or path_for_symbols) ELF.
void resolve_patches(Ctx& c, const sdf::ProtectionDomain& p, Pd& pd) {
  if (!p.program_image || c.inputs.sdf_only) return;
  const auto& img = *p.program_image;
  const std::string& key = img.path_for_symbols ? *img.path_for_symbols : img.path;
  auto it = c.inputs.programs.find(key);
  if (it == c.inputs.programs.end()) {
    c.diags.error("program-image-missing", c.sd.file,
                  img.at(img.path_for_symbols ? "path_for_symbols" : "path"),
                  "the program image '" + key + "' of protection domain '" + p.name +
                      "' was not loaded",
                  "build the program first, or add the folder holding it with --search-path");
    return;
  }
  std::erase_if(pd.patches, [&](const SymbolPatch& patch) {
    return patch.optional && !find_symbol(it->second, patch.symbol);
  });
  for (auto& patch : pd.patches) {
    patch.from_elf_for_symbols = img.path_for_symbols.has_value();
    const elf::Symbol* sym = find_symbol(it->second, patch.symbol);
    if (!sym) {
      report_missing_symbol(c, p, patch, it->second, key);
      continue;
    }
    patch.vaddr = sym->value;
    // Symbols without a size (defined in assembly) are taken as a word.
    patch.size = sym->size == 0 ? 8 : std::min<uint64_t>(sym->size, 8);
    check_patch_fits(c, p, patch, key);
  }
}

// Builds the kernel's view of <domain_schedule> and each PD's domain id.
void plan_domains(Ctx& c) {
  if (!c.sd.domains || !c.sd.domains->schedule) return;
  const sdf::Domains& d = *c.sd.domains;
  std::vector<uint64_t> ids = sdf::domain_ids(d);
  std::unordered_map<std::string_view, uint64_t> id_of;
  for (size_t i = 0; i < d.domains.size(); ++i) id_of.emplace(d.domains[i].name, ids[i]);
  DomainSchedule s;
  s.index_shift = d.schedule->index_shift;
  s.start_index = d.schedule->start_index;
  for (const sdf::ScheduleEntry& e : d.schedule->entries) {
    ScheduleSlot slot;
    slot.end_marker = e.kind == sdf::ScheduleEntry::Kind::EndMarker;
    if (!slot.end_marker) {
      slot.domain = id_of.count(e.domain) ? id_of[e.domain] : 0;
      slot.duration = e.duration;
      slot.unit = e.unit;
    }
    s.slots.push_back(slot);
  }
  c.plan.domain_schedule = std::move(s);
  for (size_t i = 0; i < c.sd.pds.size(); ++i)
    if (const auto& name = c.sd.pds[i].domain; name && id_of.count(*name))
      c.plan.pds[i].domain = id_of[*name];
}

// <io_address_space>s with their maps (the validator checked the names).
void plan_io_spaces(Ctx& c) {
  for (const auto& space : c.sd.io_address_spaces) {
    IoSpace io;
    io.name = space.name;
    io.pci_address = space.peripheral_id;
    io.domain_id = space.domain_id;
    for (const auto& m : space.maps) {
      auto mi = mr_index(c, m.mr);
      if (!mi) continue;
      io.maps.push_back({*mi, m.iovaddr, m.perms.read, m.perms.write});
    }
    c.plan.io_spaces.push_back(std::move(io));
  }
}

}  // namespace

uint32_t bootinfo_chunk_id(std::string_view name) {
  // seL4's SEL4_BOOTINFO_HEADER_* (bootinfo_types.h).
  if (name == "x86_vbe") return 1;
  if (name == "x86_mbmap" || name == "x86_mbmmap") return 2;
  if (name == "x86_acpi_rsdp") return 3;
  if (name == "x86_framebuffer") return 4;
  if (name == "x86_tsc_freq") return 5;
  if (name == "fdt") return 6;  // x86 kernels never pass one: the frame stays zero
  return 0;
}

std::optional<Plan> build(const sdf::SystemDescription& sd, const board::Board& board,
                          const board::Config& config, const Inputs& inputs,
                          Diagnostics& diags) {
  // 1. memory regions; 2. PDs with maps and irqs; 3. channels (both ends);
  // 4. other setvars; 5. symbol addresses from the ELFs; 6. domains.
  // (<cspace> caps go with step 2.)
  Ctx c{sd, board, config, inputs, diags, {}, {}, {}, {}};
  size_t errors_before = diags.error_count();
  c.plan.board = board.name;
  c.plan.config = config.name;
  c.plan.arch = board.arch;
  index_mappings(c);
  for (const auto& m : sd.mrs) c.plan.mrs.push_back(plan_mr(c, m));
  for (const auto& p : sd.pds) c.plan.pds.push_back(plan_pd_basics(c, p));
  for (size_t i = 0; i < sd.pds.size(); ++i) {
    plan_maps(c, sd.pds[i], c.plan.pds[i]);
    plan_vm(c, sd.pds[i], c.plan.pds[i]);
    plan_irqs(c, sd.pds[i], c.plan.pds[i]);
    plan_extra_caps(c, sd.pds[i], c.plan.pds[i]);
  }
  for (const auto& ch : sd.channels) {
    plan_channel_end(c, ch.a, ch.b);
    plan_channel_end(c, ch.b, ch.a);
  }
  for (size_t i = 0; i < sd.pds.size(); ++i) plan_misc_patches(c, sd.pds[i], c.plan.pds[i]);
  for (size_t i = 0; i < sd.pds.size(); ++i) resolve_patches(c, sd.pds[i], c.plan.pds[i]);
  plan_domains(c);
  plan_io_spaces(c);
  if (auto watcher = sd.gdb_debugger ? sd.gdb_debugger : sd.profiler_pd) {
    c.plan.debugger = Debugger{*watcher, {}, sd.gdb_debugger.has_value(), sd.profiler ? sd.profiler->frequency : 0};
    for (size_t i = 0; i < sd.pds.size(); ++i)
      if (i != *watcher) c.plan.debugger->targets.push_back(i);
  }
  if (diags.error_count() > errors_before) return std::nullopt;
  return std::move(c.plan);
}

ChannelMasks channel_masks(const Pd& pd) {
  ChannelMasks m;
  for (uint64_t c = 0; c < pd.channels.size(); ++c) {
    const ChannelSlot& s = pd.channels[c];
    uint64_t bit = uint64_t{1} << c;
    if (s.kind == ChannelSlot::Kind::Irq) m.irqs |= bit;
    if (s.kind == ChannelSlot::Kind::Channel && s.can_notify) m.notifications |= bit;
    if (s.kind == ChannelSlot::Kind::Channel && s.can_ppcall) m.pps |= bit;
  }
  return m;
}

const Mapping* late_load_window(const Pd& pd) {
  for (const Mapping& m : pd.mappings)
    if (m.late_load) return &m;
  return nullptr;
}

}  // namespace microkit::plan
