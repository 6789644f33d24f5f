// Memory rules: memory regions, mappings into PDs and VMs, setvar symbols.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "sdf/memory_region_rules.h"
#include "sdf/validate_context.h"

namespace microkit::sdf::detail {

namespace {

bool supported_page_size(const Context& cx, uint64_t size) {
  const auto& sizes = cx.board.page_sizes;
  if (sizes.empty()) return size == cx.board.smallest_page_size();
  return std::find(sizes.begin(), sizes.end(), size) != sizes.end();
}

std::string page_size_list(const Context& cx) {
  std::string out;
  for (uint64_t p : cx.board.page_sizes) out += (out.empty() ? "" : ", ") + hex(p);
  return out.empty() ? hex(cx.board.smallest_page_size()) : out;
}

// The MR's page size when it can be trusted for alignment checks.
std::optional<uint64_t> usable_page_size(const Context& cx, const MemoryRegion& mr) {
  uint64_t page = declared_page_size(mr, cx.board);
  if (!supported_page_size(cx, page)) return std::nullopt;
  return page;
}

void check_prefill(Context& cx, const MemoryRegion& mr) {
  if (mr.prefill_path && mr.prefill_bootinfo) {
    cx.error("prefill-conflict", mr.at("prefill_bootinfo"),
             "memory region '" + mr.name + "' has both prefill_path and prefill_bootinfo",
             "keep only one of them");
  }
  if (mr.prefill_bootinfo && !cx.x86()) {
    cx.error("prefill-bootinfo-not-supported", mr.at("prefill_bootinfo"),
             std::string("prefill_bootinfo exists only on x86-64; this board is ") +
                 arch_label(cx.board.arch),
             "remove prefill_bootinfo");
  }
  // The initial task copies bootinfo one 4 KiB page at a time.
  uint64_t small = cx.board.smallest_page_size();
  if (mr.prefill_bootinfo && cx.x86() && mr.page_size && *mr.page_size != small) {
    cx.error("prefill-bootinfo-large-page", mr.at("page_size"),
             "memory region '" + mr.name + "' is filled from boot information, which is copied into " +
                 hex(small) + " pages only",
             "remove page_size or set page_size=\"" + hex(small) + "\"");
  }
}

void check_mr_size(Context& cx, const MemoryRegion& mr, std::optional<uint64_t> page) {
  if (!mr.size) {
    // A prefilled MR is sized from its file; bootinfo fills one smallest page.
    if (mr.prefill_path || mr.prefill_bootinfo) return;
    cx.error("missing-mr-size", mr.loc, "memory region '" + mr.name + "' has no size",
             "add size=\"0x...\" (a multiple of the page size), or a prefill_path to size it from");
    return;
  }
  if (*mr.size == 0) {
    cx.error("mr-size-zero", mr.at("size"), "memory region '" + mr.name + "' has size 0",
             "give it a size of at least one page");
    return;
  }
  if (page && *mr.size % *page != 0) {
    cx.error("mr-size-unaligned", mr.at("size"),
             "memory region '" + mr.name + "' has size " + hex(*mr.size) +
                 ", not a multiple of its page size " + hex(*page),
             "round the size up to a multiple of " + hex(*page));
  }
}

void check_phys_addr(Context& cx, const MemoryRegion& mr, std::optional<uint64_t> page) {
  if (!mr.phys_addr) return;
  if (page && *mr.phys_addr % *page != 0) {
    std::string hint = mr.page_size ? "align phys_addr to " + hex(*page) + " or use a smaller page_size"
                                    : "align phys_addr to " + hex(*page);
    cx.error("mr-phys-addr-unaligned", mr.at("phys_addr"),
             "memory region '" + mr.name + "' has phys_addr " + hex(*mr.phys_addr) +
                 ", not a multiple of its page size " + hex(*page),
             hint);
  }
  if (mr.size && *mr.phys_addr + *mr.size < *mr.phys_addr) {
    cx.error("mr-phys-range-overflow", mr.at("phys_addr"),
             "memory region '" + mr.name + "' at " + hex(*mr.phys_addr) + " with size " +
                 hex(*mr.size) + " runs past the end of the physical address space",
             "check phys_addr and size");
  }
}

// Every use of an MR: mappings, IO mappings and setvar region_paddr.
std::unordered_set<std::string_view> used_mr_names(const SystemDescription& sd) {
  std::unordered_set<std::string_view> used;
  for (const auto& pd : sd.pds) {
    for (const auto& m : pd.maps) used.insert(m.mr);
    for (const auto& s : pd.setvars) used.insert(s.region_paddr);
    for (const auto& cap : pd.caps)
      if (cap.kind == Cap::Kind::MrFrames) used.insert(cap.mr);
    if (pd.vm)
      for (const auto& m : pd.vm->maps) used.insert(m.mr);
  }
  for (const auto& space : sd.io_address_spaces)
    for (const auto& m : space.maps) used.insert(m.mr);
  return used;
}

struct AddressSpace {
  std::string label;    // " in protection domain 'x'"
  uint64_t map_limit;   // mappings must end at or below this
  bool has_stack;       // the limit is the PD's stack, not the end of user space
};

void check_one_map(Context& cx, const Map& map, const AddressSpace& space, std::vector<Span>& spans) {
  const MemoryRegion* mr = cx.mapped_mr(map.mr, map.at("mr"));
  if (!mr) return;
  if (map.perms.write && !map.perms.read && !map.perms.execute) {
    cx.error("write-only-map", map.at("perms"), "the MMU cannot map memory write-only",
             "use perms=\"rw\"");
  }
  std::optional<uint64_t> page = usable_page_size(cx, *mr);
  if (page && map.vaddr % *page != 0) {
    std::string hint = "align vaddr to " + hex(*page);
    if (*page > cx.board.smallest_page_size())
      hint += ", or give '" + mr->name + "' a smaller page_size";
    cx.error("map-vaddr-unaligned", map.at("vaddr"),
             "vaddr " + hex(map.vaddr) + " is not a multiple of the page size " + hex(*page) +
                 " of memory region '" + mr->name + "'",
             hint);
    return;
  }
  if (!mr->size) return;  // sized from its prefill file later: nothing more to check here
  uint64_t end = map.vaddr + *mr->size;
  const auto& user = cx.board.user_vaddr;
  bool wraps = end < map.vaddr;
  if (wraps || map.vaddr < user.start || end > user.end) {
    cx.error("map-outside-address-space", map.at("vaddr"),
             "mapping of '" + mr->name + "' at " + hex(map.vaddr) + " (size " + hex(*mr->size) +
                 ") is not inside the user address range [" + hex(user.start) + ", " +
                 hex(user.end) + ")",
             "choose a vaddr so that the whole region fits in [" + hex(user.start) + ", " +
                 hex(user.end) + ")");
    return;
  }
  if (space.has_stack && end > space.map_limit) {
    cx.error("map-overlaps-stack", map.at("vaddr"),
             "mapping of '" + mr->name + "' [" + hex(map.vaddr) + ", " + hex(end) +
                 ") reaches the area kept for the stack and IPC buffer, which starts at " +
                 hex(space.map_limit) + space.label,
             "map it below " + hex(space.map_limit));
    return;
  }
  spans.push_back({map.vaddr, end, map.at("vaddr"), "mapping of '" + mr->name + "'"});
}

void check_address_space(Context& cx, const std::vector<Map>& maps, const AddressSpace& space) {
  std::vector<Span> spans;
  spans.reserve(maps.size());
  for (const Map& map : maps) check_one_map(cx, map, space, spans);
  report_overlaps(cx, std::move(spans), "overlapping-maps", space.label,
                  "move one of the mappings so that the virtual address ranges are disjoint");
}

struct Symbol {
  std::string_view name;
  Loc loc;
};

// Every symbol the tool will patch, per program image (index into pds).
std::vector<std::vector<Symbol>> symbols_by_pd(const Context& cx) {
  const auto& sd = cx.sd;
  std::vector<std::vector<Symbol>> out(sd.pds.size());
  auto add = [&](size_t pd, const std::optional<std::string>& s, const Element& e, const char* attr) {
    if (s) out[pd].push_back({*s, e.at(attr)});
  };
  for (size_t i = 0; i < sd.pds.size(); ++i) {
    const auto& pd = sd.pds[i];
    for (const auto& m : pd.maps) {
      add(i, m.setvar_vaddr, m, "setvar_vaddr");
      add(i, m.setvar_size, m, "setvar_size");
      add(i, m.setvar_prefill_size, m, "setvar_prefill_size");
    }
    for (const auto& irq : pd.irqs) add(i, irq.setvar_id, irq, "setvar_id");
    for (const auto& port : pd.ioports) {
      add(i, port.setvar_id, port, "setvar_id");
      add(i, port.setvar_addr, port, "setvar_addr");
    }
    for (const auto& s : pd.setvars) out[i].push_back({s.symbol, s.at("symbol")});
    if (pd.parent) add(*pd.parent, pd.setvar_id, pd, "setvar_id");  // patched in the parent
    if (pd.vm)
      for (const auto& v : pd.vm->vcpus) add(i, v.setvar_id, v, "setvar_id");
  }
  for (const auto& ch : sd.channels) {
    for (const ChannelEnd* end : {&ch.a, &ch.b}) {
      auto it = cx.pd_index.find(end->pd);
      if (it != cx.pd_index.end()) add(it->second, end->setvar_id, *end, "setvar_id");
    }
  }
  return out;
}

void check_symbols_unique(Context& cx, const ProtectionDomain& pd, std::vector<Symbol> symbols) {
  std::stable_sort(symbols.begin(), symbols.end(),
                   [](const Symbol& a, const Symbol& b) { return before(a.loc, b.loc); });
  std::unordered_map<std::string_view, Loc> first;
  for (const Symbol& s : symbols) {
    auto [it, inserted] = first.emplace(s.name, s.loc);
    if (inserted) continue;
    cx.error("duplicate-setvar-symbol", s.loc,
             "symbol '" + std::string(s.name) + "' of '" + pd.name + "' is set twice",
             "patch each symbol once; use a second variable for the second value");
    cx.note(it->second, "first set here");
  }
}

void check_region_paddr(Context& cx, const SetVar& s) {
  const MemoryRegion* mr = cx.mr(s.region_paddr);
  if (!mr) {
    cx.error("unknown-memory-region", s.at("region_paddr"),
             "no memory region is named '" + s.region_paddr + "'" + cx.suggest_mr(s.region_paddr),
             "name a declared memory region");
    return;
  }
  // x86 RAM is found at boot; only the boot image's own pages (a prefill
  // of 4 KiB pages) sit at an address known when the image is built.
  bool in_boot_image = mr->prefill_path && mr->page_size.value_or(0x1000) == 0x1000;
  if (cx.x86() && !mr->phys_addr && !in_boot_image) {
    cx.error("x86-region-paddr-without-phys-addr", s.at("region_paddr"),
             "on x86-64 the tool cannot choose physical addresses, so memory region '" + mr->name +
                 "' needs a phys_addr for region_paddr",
             "give '" + mr->name + "' a phys_addr, or prefill it with 4 KiB pages (its pages "
             "are then in the boot image, at a known place)");
  }
}

}  // namespace

void check_memory_regions(Context& cx) {
  std::vector<Span> fixed;
  for (const auto& mr : cx.sd.mrs) {
    if (mr.page_size && !supported_page_size(cx, *mr.page_size)) {
      cx.error("unsupported-page-size", mr.at("page_size"),
               "page size " + hex(*mr.page_size) + " is not supported by board '" + cx.board.name + "'",
               "use one of: " + page_size_list(cx));
    }
    std::optional<uint64_t> page = usable_page_size(cx, mr);
    check_prefill(cx, mr);
    check_mr_size(cx, mr, page);
    check_phys_addr(cx, mr, page);
    if (mr.phys_addr && mr.size && *mr.phys_addr + *mr.size > *mr.phys_addr)
      fixed.push_back({*mr.phys_addr, *mr.phys_addr + *mr.size, mr.at("phys_addr"),
                       "memory region '" + mr.name + "'"});
  }
  report_overlaps(cx, std::move(fixed), "overlapping-phys-addr", " in physical memory",
                  "change phys_addr or size so that the physical ranges are disjoint");

  std::unordered_set<std::string_view> used = used_mr_names(cx.sd);
  for (const auto& mr : cx.sd.mrs) {
    if (used.count(mr.name)) continue;
    cx.warning("unused-memory-region", mr.loc, "memory region '" + mr.name + "' is never used",
               "map it into a protection domain, or remove it");
  }
}

void check_maps(Context& cx) {
  for (const auto& pd : cx.sd.pds) {
    check_address_space(cx, pd.maps,
                        {" in protection domain '" + pd.name + "'",
                         pd_reserved_start(pd.stack_size, cx.board), true});
    if (pd.vm)
      check_address_space(cx, pd.vm->maps,
                          {" in virtual machine '" + pd.vm->name + "'", cx.board.user_vaddr.end, false});
  }
}

void check_setvars(Context& cx) {
  std::vector<std::vector<Symbol>> symbols = symbols_by_pd(cx);
  for (size_t i = 0; i < cx.sd.pds.size(); ++i) {
    const auto& pd = cx.sd.pds[i];
    check_symbols_unique(cx, pd, std::move(symbols[i]));
    for (const auto& s : pd.setvars) check_region_paddr(cx, s);
    for (const auto& m : pd.maps) {
      const MemoryRegion* mr = cx.mr(m.mr);
      if (!m.setvar_prefill_size || !mr || mr->prefill_path) continue;
      cx.error("setvar-prefill-size-without-prefill", m.at("setvar_prefill_size"),
               "setvar_prefill_size needs a prefilled memory region, and '" + mr->name +
                   "' has no prefill_path",
               "add prefill_path to '" + mr->name + "' or use setvar_size");
    }
  }
}

}  // namespace microkit::sdf::detail
