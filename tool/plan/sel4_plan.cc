// plan_sel4: objects, capabilities, mappings and their placement in the
// predicted untypeds (see sel4_plan.h).
#include "plan/sel4_plan.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "arch/arch.h"
#include "runtime/shared/gdb_abi.h"
#include "runtime/shared/pd_abi.h"
#include "support/text.h"

namespace microkit::plan {
namespace {

constexpr uint32_t kPageBits = 12;
constexpr uint64_t kPage = uint64_t{1} << kPageBits;

uint64_t align_up(uint64_t v, uint32_t bits) {
  uint64_t a = uint64_t{1} << bits;
  return (v + a - 1) & ~(a - 1);
}

uint32_t log2_of(uint64_t v) {
  uint32_t b = 0;
  while ((uint64_t{1} << b) < v) ++b;
  return b;
}

struct Interval {
  uint64_t start = 0, end = 0;
  size_t object = 0;
};

struct Ctx {
  const Plan& plan;
  const Sel4Inputs& in;
  Diagnostics& diags;
  Sel4Plan sp;
  std::vector<size_t> floating;                  // objects still to place
  std::vector<std::vector<Interval>> occupied;   // per untyped, sorted by start
  std::vector<std::map<uint32_t, uint64_t>> resume;  // per untyped: size bits -> search from
};

// Location of a PD or MR in the SDF, when the caller gave it.
// Where to point for a PD or MR: the attribute at fault when it was written
// (Element::at falls back to the element itself).
std::pair<std::string, Loc> pd_loc(const Ctx& c, size_t pd, std::string_view attr = {}) {
  if (!c.in.sdf || pd >= c.in.sdf->pds.size()) return {{}, {}};
  return {c.in.sdf->file, c.in.sdf->pds[pd].at(attr)};
}
std::pair<std::string, Loc> mr_loc(const Ctx& c, size_t mr, std::string_view attr = {}) {
  if (!c.in.sdf || mr >= c.in.sdf->mrs.size()) return {{}, {}};
  return {c.in.sdf->file, c.in.sdf->mrs[mr].at(attr)};
}
std::pair<std::string, Loc> object_loc(const Ctx& c, const KernelObject& o, std::string_view mr_attr = {}) {
  if (o.grant_loc && c.in.sdf) return {c.in.sdf->file, *o.grant_loc};
  if (o.mr) return mr_loc(c, *o.mr, mr_attr);
  if (o.pd) return pd_loc(c, *o.pd);
  return {{}, {}};
}

size_t add_object(Ctx& c, ObjType t, uint32_t bits, std::string name, std::optional<size_t> pd,
                  std::optional<size_t> mr = std::nullopt) {
  KernelObject o;
  o.type = t;
  o.size_bits = bits;
  o.name = std::move(name);
  o.pd = pd;
  o.mr = mr;
  c.sp.objects.push_back(std::move(o));
  c.floating.push_back(c.sp.objects.size() - 1);
  return c.sp.objects.size() - 1;
}

size_t add_user_image_frame(Ctx& c, uint64_t paddr, std::string name, std::optional<size_t> pd,
                            std::optional<size_t> mr) {
  KernelObject o;
  o.type = ObjType::Frame;
  o.source = KernelObject::Source::UserImage;
  o.size_bits = kPageBits;
  o.paddr = paddr;
  o.name = std::move(name);
  o.pd = pd;
  o.mr = mr;
  c.sp.objects.push_back(std::move(o));
  return c.sp.objects.size() - 1;
}

// ---------------------------------------------------------------------------
// Placement inside untypeds.

// Intervals are sorted and disjoint, so by start and by end alike: only the
// neighbours of `s` can overlap [s, e).
bool overlaps_any(const std::vector<Interval>& occ, uint64_t s, uint64_t e) {
  auto it = std::upper_bound(occ.begin(), occ.end(), s,
                             [](uint64_t v, const Interval& iv) { return v < iv.start; });
  if (it != occ.end() && it->start < e) return true;
  return it != occ.begin() && std::prev(it)->end > s;
}

void occupy(Ctx& c, size_t u, size_t obj) {
  KernelObject& o = c.sp.objects[obj];
  o.untyped = u;
  auto& occ = c.occupied[u];
  Interval iv{o.paddr, o.paddr + o.size(), obj};
  occ.insert(std::upper_bound(occ.begin(), occ.end(), iv,
                              [](const Interval& a, const Interval& b) { return a.start < b.start; }),
             iv);
}

// The lowest address in untyped u where an object of `bits` fits, if any.
// Objects are placed largest first, so a hole that was too small for this
// size stays too small: the search resumes where the last one of this size
// went (c.resume), which keeps placing many equal frames linear.
std::optional<uint64_t> first_fit(Ctx& c, size_t u, uint32_t bits) {
  const kernel::UntypedObject& ut = c.sp.untypeds[u];
  if (bits > ut.size_bits) return std::nullopt;
  uint64_t& resume = c.resume[u][bits];
  uint64_t cursor = std::max(ut.paddr, resume);
  const auto& occ = c.occupied[u];
  auto it = std::lower_bound(occ.begin(), occ.end(), cursor,
                             [](const Interval& iv, uint64_t v) { return iv.end <= v; });
  uint64_t size = uint64_t{1} << bits;
  for (; it != occ.end(); ++it) {
    uint64_t at = align_up(cursor, bits);
    if (at + size <= it->start) {
      resume = at + size;
      return at;
    }
    cursor = std::max(cursor, it->end);
  }
  uint64_t at = align_up(cursor, bits);
  resume = at + size <= ut.end() ? at + size : ut.end();
  if (at + size <= ut.end()) return at;
  return std::nullopt;
}

// The lowest address in RAM untyped u where `size` contiguous bytes aligned
// to 2^align_bits fit (for MRs whose physical address a PD is told).
std::optional<uint64_t> first_fit_run(const Ctx& c, size_t u, uint64_t size, uint32_t align_bits) {
  const kernel::UntypedObject& ut = c.sp.untypeds[u];
  uint64_t cursor = ut.paddr;
  for (const Interval& iv : c.occupied[u]) {
    uint64_t at = align_up(cursor, align_bits);
    if (at + size <= iv.start) return at;
    cursor = std::max(cursor, iv.end);
  }
  uint64_t at = align_up(cursor, align_bits);
  if (at + size <= ut.end()) return at;
  return std::nullopt;
}

void place_fixed_frame(Ctx& c, size_t obj) {
  KernelObject& o = c.sp.objects[obj];
  uint64_t end = o.paddr + o.size();
  for (size_t u = 0; u < c.sp.untypeds.size(); ++u) {
    const auto& ut = c.sp.untypeds[u];
    if (o.paddr < ut.paddr || end > ut.end()) continue;
    if (overlaps_any(c.occupied[u], o.paddr, end)) {
      auto [file, loc] = object_loc(c, o, "phys_addr");
      c.diags.error("mr-paddr-overlap", file, loc,
                    "memory region '" + c.plan.mrs[*o.mr].name + "': its frame at " + hex(o.paddr) +
                        " overlaps another memory region with a fixed physical address",
                    "give each memory region its own physical address range");
      return;
    }
    if (!ut.is_device && c.in.facts->ram_found_at_boot) {
      auto [file, loc] = object_loc(c, o, "phys_addr");
      c.diags.error("mr-paddr-in-ram-found-at-boot", file, loc,
                    "memory region '" + c.plan.mrs[*o.mr].name + "': physical address " +
                        hex(o.paddr) + " is RAM, and on this architecture the kernel finds RAM "
                        "at boot, so the tool cannot reserve a fixed place in it",
                    "give phys_addr only to device memory, or drop it");
      return;
    }
    occupy(c, u, obj);
    return;
  }
  auto [file, loc] = object_loc(c, o, "phys_addr");
  c.diags.error("mr-paddr-unavailable", file, loc,
                "memory region '" + c.plan.mrs[*o.mr].name + "': physical address " + hex(o.paddr) +
                    ".." + hex(end) +
                    " is not inside memory the kernel gives to user space (no untyped covers it; "
                    "the kernel, the boot image or a device the kernel keeps may be there)",
                "choose a phys_addr inside a device or RAM range of the board that the kernel "
                "does not use; 'microkit -r' lists the untypeds");
}

// Bytes of RAM untypeds, and bytes the objects placed in them take.
std::pair<uint64_t, uint64_t> ram_totals(const Ctx& c) {
  uint64_t total = 0, used = 0;
  for (size_t u = 0; u < c.sp.untypeds.size(); ++u) {
    if (c.sp.untypeds[u].is_device) continue;
    total += c.sp.untypeds[u].size();
    for (const Interval& iv : c.occupied[u]) used += iv.end - iv.start;
  }
  return {total, used};
}

std::string mib(uint64_t bytes) {
  uint64_t tenths = (bytes * 10 + (1 << 20) / 2) >> 20;
  return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "") + " MiB";
}

// "'a' 512 MiB, 'b' 3 MiB" for the `n` largest regions of the plan.
std::string largest_mrs(const Plan& plan, size_t n) {
  std::vector<const Mr*> mrs;
  for (const Mr& m : plan.mrs) mrs.push_back(&m);
  std::stable_sort(mrs.begin(), mrs.end(), [](const Mr* a, const Mr* b) { return a->size > b->size; });
  std::string out;
  for (size_t i = 0; i < mrs.size() && i < n; ++i)
    out += (i ? ", '" : "'") + mrs[i]->name + "' " + mib(mrs[i]->size);
  return out.empty() ? "none" : out;
}

// "'a' 1.2 MiB, 'b' 0.1 MiB": RAM the `n` hungriest PDs' own objects take.
std::string largest_pds(const Ctx& c, size_t n) {
  std::vector<std::pair<uint64_t, size_t>> bytes(c.plan.pds.size());
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i].second = i;
  for (const KernelObject& o : c.sp.objects)
    if (o.pd && !o.mr && o.source == KernelObject::Source::Untyped && *o.pd < bytes.size())
      bytes[*o.pd].first += o.size();
  std::stable_sort(bytes.begin(), bytes.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < n; ++i)
    out += (i ? ", '" : "'") + c.plan.pds[bytes[i].second].name + "' " + mib(bytes[i].first);
  return out.empty() ? "none" : out;
}

void report_out_of_memory(Ctx& c, size_t obj, size_t remaining_from) {
  const KernelObject& o = c.sp.objects[obj];
  uint64_t unplaced = 0;
  for (size_t i = remaining_from; i < c.floating.size(); ++i)
    unplaced += c.sp.objects[c.floating[i]].size();
  auto [ram, used] = ram_totals(c);
  std::string owner = o.mr ? "memory region '" + c.plan.mrs[*o.mr].name + "'"
                    : o.pd ? "protection domain '" + c.plan.pds[*o.pd].name + "'"
                           : "the initial task";
  auto [file, loc] = object_loc(c, o, "size");
  c.diags.error("out-of-memory", file, loc,
                "not enough memory for " + owner + " (object " + o.name + ", " + mib(o.size()) +
                    "): the system's objects need " + mib(used + unplaced) +
                    " of RAM but the kernel leaves " + mib(ram) + " to user space" +
                    (c.in.facts->ram_found_at_boot
                         ? " on the machine planning assumes (RAM is found at boot; "
                           "docs/sel4-planning.md)"
                         : "") +
                    " (" +
                    mib(ram - used) + " free when this object came, in pieces too small for it). "
                    "The largest memory regions: " + largest_mrs(c.plan, 5) +
                    "; the protection domains' own objects (stack, page tables, kernel objects): " +
                    largest_pds(c, 3),
                "make the largest memory regions or stacks smaller, use fewer protection domains, "
                "or use a board with more RAM");
}

// Floating objects, biggest first, first fit over RAM untypeds.
void place_floating(Ctx& c) {
  std::stable_sort(c.floating.begin(), c.floating.end(), [&](size_t a, size_t b) {
    return c.sp.objects[a].size_bits > c.sp.objects[b].size_bits;
  });
  for (size_t i = 0; i < c.floating.size(); ++i) {
    size_t obj = c.floating[i];
    bool placed = false;
    for (size_t u = 0; u < c.sp.untypeds.size() && !placed; ++u) {
      if (c.sp.untypeds[u].is_device) continue;
      auto at = first_fit(c, u, c.sp.objects[obj].size_bits);
      if (!at) continue;
      c.sp.objects[obj].paddr = *at;
      occupy(c, u, obj);
      placed = true;
    }
    if (!placed) return report_out_of_memory(c, obj, i);
  }
}

// Orders each untyped's objects by address and fills every gap that seL4's
// alignment would not skip by itself with padding untypeds.
void build_retype_lists(Ctx& c) {
  const auto& sizes = c.in.package->sizes;
  for (size_t u = 0; u < c.sp.untypeds.size(); ++u) {
    UntypedUse use;
    uint64_t w = c.sp.untypeds[u].paddr;
    for (const Interval& iv : c.occupied[u]) {
      uint32_t bits = c.sp.objects[iv.object].size_bits;
      while (align_up(w, bits) != iv.start) {
        uint32_t k = sizes.min_untyped;
        while (k + 1 <= sizes.max_untyped && (w & ((uint64_t{1} << (k + 1)) - 1)) == 0 &&
               w + (uint64_t{1} << (k + 1)) <= iv.start)
          ++k;
        KernelObject pad;
        pad.type = ObjType::Untyped;
        pad.size_bits = k;
        pad.paddr = w;
        pad.untyped = u;
        pad.name = "padding:" + hex(w);
        c.sp.objects.push_back(pad);
        use.objects.push_back(c.sp.objects.size() - 1);
        w += uint64_t{1} << k;
      }
      use.objects.push_back(iv.object);
      use.used += iv.end - iv.start;
      w = iv.end;
    }
    use.watermark = w;
    if (!c.sp.untypeds[u].is_device) c.sp.normal_used += w - c.sp.untypeds[u].paddr;
    c.sp.untyped_use.push_back(std::move(use));
  }
}

// Bound untypeds (x86-64): each used untyped shrinks to the smallest block,
// aligned to its size, that holds its objects: a RAM one keeps its start
// (objects were placed from it), a device one moves to the block around its
// fixed frames. The initialiser then carves exactly that much from the real
// untypeds. Runs before build_retype_lists, which pads from the new start.
void shrink_bound_untypeds(Ctx& c) {
  const auto& sizes = c.in.package->sizes;
  for (size_t u = 0; u < c.sp.untypeds.size(); ++u) {
    if (c.occupied[u].empty()) continue;
    kernel::UntypedObject& ut = c.sp.untypeds[u];
    uint64_t lo = ut.is_device ? c.occupied[u].front().start : ut.paddr;
    uint64_t hi = c.occupied[u].back().end;
    uint32_t bits = sizes.min_untyped;
    while (bits < ut.size_bits && (lo >> bits) != ((hi - 1) >> bits)) ++bits;
    ut.paddr = lo & ~((uint64_t{1} << bits) - 1);
    ut.size_bits = uint8_t(bits);
  }
  c.sp.bound_untypeds = true;
}

// ---------------------------------------------------------------------------
// Memory regions.

// An MR named by <setvar region_paddr> must be physically contiguous: it
// gets the first RAM run that holds it, before anything else floats.
std::optional<uint64_t> contiguous_base(Ctx& c, size_t m, uint32_t page_bits) {
  const Mr& mr = c.plan.mrs[m];
  for (size_t u = 0; u < c.sp.untypeds.size(); ++u) {
    if (c.sp.untypeds[u].is_device) continue;
    if (auto at = first_fit_run(c, u, mr.size, page_bits)) return at;
  }
  auto [file, loc] = mr_loc(c, m);
  c.diags.error("out-of-memory", file, loc,
                "not enough contiguous memory for memory region '" + mr.name + "': it needs " +
                    std::to_string(mr.size) + " contiguous bytes (a setvar region_paddr names it) "
                    "but no free RAM untyped has that much",
                "make the region smaller, or give it a phys_addr");
  return std::nullopt;
}

// A prefilled MR with 4 KiB pages is mapped from the user image's own
// frames (no copy). With bigger pages it gets frames of its planned size
// like any MR, and the initial task copies each frame's share of the bytes
// (placed contiguously by build_image's place_pages) into it.
void plan_prefill_copies(Ctx& c, size_t m, const std::vector<uint64_t>& prefill) {
  const Mr& mr = c.plan.mrs[m];
  uint64_t bytes = prefill.size() * kPage;
  const auto& frames = c.sp.mr_frames[m];
  for (uint64_t i = 0; i < frames.size(); ++i) {
    uint64_t offset = i * mr.page_size;
    if (offset >= bytes) break;
    c.sp.frame_fills.push_back({frames[i], prefill[0] + offset, std::min(mr.page_size, bytes - offset)});
  }
}

void plan_mr(Ctx& c, size_t m) {
  const Mr& mr = c.plan.mrs[m];
  uint32_t bits = log2_of(mr.page_size);
  uint64_t count = mr.size / mr.page_size;
  const auto& prefill = m < c.in.mr_prefill_pages.size() ? c.in.mr_prefill_pages[m]
                                                         : std::vector<uint64_t>{};
  auto& frames = c.sp.mr_frames[m];
  if (!prefill.empty() && mr.phys_addr) {
    auto [file, loc] = mr_loc(c, m);
    c.diags.error("prefill-unsupported-mr", file, loc,
                  "memory region '" + mr.name + "': a prefilled region on seL4 cannot have a "
                  "phys_addr (it is mapped from the boot image's pages)",
                  "remove phys_addr from the region, or drop its prefill");
    return;
  }
  if (!prefill.empty() && mr.page_size == kPage) {
    for (uint64_t i = 0; i < prefill.size(); ++i)
      frames.push_back(add_user_image_frame(c, prefill[i], "frame:" + mr.name + ":" +
                                                               std::to_string(i), std::nullopt, m));
    return;
  }
  std::optional<uint64_t> base = mr.phys_addr;
  if (!base && mr.needs_fixed_paddr && c.in.facts->ram_found_at_boot) {
    auto [file, loc] = mr_loc(c, m);
    c.diags.error("region-paddr-unknown", file, loc,
                  "memory region '" + mr.name + "': a setvar region_paddr names it, but on this "
                  "architecture the kernel finds RAM at boot, so its physical address is not "
                  "known when the image is built",
                  "give the region a phys_addr in device memory, prefill it (its pages are then "
                  "in the boot image at a known place), or drop the region_paddr setvar");
    return;
  }
  if (!base && mr.needs_fixed_paddr) base = contiguous_base(c, m, bits);
  for (uint64_t i = 0; i < count; ++i) {
    size_t o = add_object(c, ObjType::Frame, bits, "frame:" + mr.name + ":" + std::to_string(i),
                          std::nullopt, m);
    frames.push_back(o);
    if (base) {
      c.floating.pop_back();
      c.sp.objects[o].paddr = *base + i * mr.page_size;
      place_fixed_frame(c, o);
    }
  }
  if (!prefill.empty()) plan_prefill_copies(c, m, prefill);
}

// ---------------------------------------------------------------------------
// Protection domains: objects, mappings, page tables.

bool pd_needs_endpoint(const Pd& pd) {
  if (!pd.children.empty() || pd.vm) return true;  // faults of children and vCPUs arrive there
  for (const ChannelSlot& s : pd.channels)
    if (s.kind == ChannelSlot::Kind::Channel && s.receives_ppc) return true;
  return false;
}

void map_frame(PdObjects& po, size_t obj, uint64_t vaddr, bool r, bool w, bool x, bool cached,
               std::string what) {
  po.mappings.push_back({obj, vaddr, r, w, x, cached, std::move(what)});
}

// A PD on a core the kernel does not run (no sched control cap for it).
void check_pd_cpu(Ctx& c, size_t i) {
  uint64_t cores = c.in.boot->sched_control.end - c.in.boot->sched_control.start;
  if (c.plan.pds[i].cpu < cores) return;
  auto [file, loc] = pd_loc(c, i, "cpu");
  c.diags.error("pd-cpu-unavailable", file, loc,
                "protection domain '" + c.plan.pds[i].name + "' is on cpu " +
                    std::to_string(c.plan.pds[i].cpu) + " but this kernel runs " +
                    std::to_string(cores) + " core(s)",
                "use a cpu below " + std::to_string(cores) + ", or an SMP configuration");
}

// A budget or period the kernel's SchedControl_Configure would refuse
// (kernel::sched_time_limits), at the attribute of `element` (a PD or VM).
void check_sched_time(Ctx& c, const std::string& label, uint64_t budget_us, uint64_t period_us,
                      const sdf::Element* element) {
  auto limits = kernel::sched_time_limits(c.in.package->config);
  if (!limits || !c.in.package->config.mcs) return;
  for (auto [what, us] : {std::pair<const char*, uint64_t>{"budget", budget_us}, {"period", period_us}}) {
    if (us >= limits->min_us && us <= limits->max_us) continue;
    std::string file = element ? c.in.sdf->file : std::string();
    Loc loc = element ? element->at(what) : Loc{};
    bool low = us < limits->min_us;
    c.diags.error(low ? "pd-sched-time-below-kernel-minimum" : "pd-sched-time-above-kernel-maximum", file, loc,
                  label + ": a " + what + " of " + std::to_string(us) +
                      " microseconds is " + (low ? "below" : "above") + " what this kernel accepts (" +
                      std::to_string(limits->min_us) + " to " + std::to_string(limits->max_us) +
                      " microseconds; the minimum is twice the kernel's worst-case execution time)",
                  std::string("give it a ") + what + " of at least " + std::to_string(limits->min_us) +
                      " and at most " + std::to_string(limits->max_us) + " microseconds");
  }
}

// `--gdb-stub`'s debugger PD, and the target number of a PD it debugs.
bool is_debugger(const Ctx& c, size_t i) { return c.plan.debugger && c.plan.debugger->pd == i; }
std::optional<size_t> debug_target(const Ctx& c, size_t i) {
  if (!c.plan.debugger) return std::nullopt;
  const auto& t = c.plan.debugger->targets;
  auto it = std::find(t.begin(), t.end(), i);
  if (it == t.end()) return std::nullopt;
  return size_t(it - t.begin());
}

void check_pd_sched_time(Ctx& c, size_t i) {
  const Pd& pd = c.plan.pds[i];
  const sdf::ProtectionDomain* sdf_pd = c.in.sdf && i < c.in.sdf->pds.size() ? &c.in.sdf->pds[i] : nullptr;
  check_sched_time(c, "protection domain '" + pd.name + "'", pd.budget_us, pd.period_us, sdf_pd);
  if (!pd.vm) return;
  const sdf::Element* sdf_vm = sdf_pd && sdf_pd->vm ? &*sdf_pd->vm : nullptr;
  check_sched_time(c, "virtual machine '" + pd.vm->name + "'", pd.vm->budget_us, pd.vm->period_us, sdf_vm);
}

void plan_pd_objects(Ctx& c, size_t i) {
  const Pd& pd = c.plan.pds[i];
  const auto& s = c.in.package->sizes;
  PdObjects& po = c.sp.pds[i];
  const std::string& n = pd.name;
  po.tcb = add_object(c, ObjType::Tcb, s.tcb, "tcb:" + n, i);
  po.sc = add_object(c, ObjType::SchedContext, s.min_sched_context, "sc:" + n, i);
  po.reply = add_object(c, ObjType::Reply, s.reply, "reply:" + n, i);
  po.notification = add_object(c, ObjType::Notification, s.notification, "notification:" + n, i);
  if (pd_needs_endpoint(pd) || is_debugger(c, i)) po.endpoint = add_object(c, ObjType::Endpoint, s.endpoint, "endpoint:" + n, i);
  po.cnode = add_object(c, ObjType::CNode, pd_abi::kCNodeBits + s.slot, "cnode:" + n, i);
  c.sp.objects[po.cnode].cnode_slot_bits = pd_abi::kCNodeBits;
  po.vspace = add_object(c, ObjType::VSpace, s.vspace, "vspace:" + n, i);
}

void plan_pd_mappings(Ctx& c, size_t i) {
  const Pd& pd = c.plan.pds[i];
  PdObjects& po = c.sp.pds[i];
  // seL4_UserVSpaceTop (the last user address), as libmicrokit computes it:
  // seL4_UserTop on AArch64, seL4_UserTop - 1 on RISC-V.
  uint64_t top = c.in.package->user_vaddr_end() - 1;
  po.ipc_buffer_vaddr = pd_abi::ipc_buffer_vaddr(top);
  po.stack_top = pd_abi::stack_top(top);
  if (i < c.in.pd_images.size()) {
    const PdImage& img = c.in.pd_images[i];
    po.entry = img.entry;
    for (const UserImagePage& p : img.pages) {
      size_t o = add_user_image_frame(c, p.paddr, "frame:" + pd.name + ":program:" + hex(p.vaddr), i,
                                      std::nullopt);
      map_frame(po, o, p.vaddr, p.read, p.write, p.execute, true, "program");
    }
  }
  uint64_t stack_pages = (pd.stack_size + kPage - 1) / kPage;
  for (uint64_t k = 0; k < stack_pages; ++k) {
    uint64_t va = po.stack_top - (stack_pages - k) * kPage;
    size_t o = add_object(c, ObjType::Frame, kPageBits, "frame:" + pd.name + ":stack:" + std::to_string(k), i);
    map_frame(po, o, va, true, true, false, true, "stack");
  }
  po.ipc_buffer = add_object(c, ObjType::Frame, kPageBits, "frame:" + pd.name + ":ipc_buffer", i);
  map_frame(po, po.ipc_buffer, po.ipc_buffer_vaddr, true, true, false, true, "ipc buffer");
  for (const Mapping& m : pd.mappings) {
    const auto& frames = c.sp.mr_frames[m.mr];
    uint64_t offset = 0;
    for (size_t k = 0; k < frames.size(); ++k) {
      map_frame(po, frames[k], m.vaddr + offset, m.read, m.write, m.execute, m.cached,
                c.plan.mrs[m.mr].name);
      offset += c.sp.objects[frames[k]].size();
    }
  }
  std::stable_sort(po.mappings.begin(), po.mappings.end(),
                   [](const FrameMapping& a, const FrameMapping& b) { return a.vaddr < b.vaddr; });
}

// Two mappings of one PD that share an address, or one past the user top.
void check_pd_mappings(Ctx& c, size_t i) {
  const PdObjects& po = c.sp.pds[i];
  uint64_t user_end = c.in.package->user_vaddr_end();
  for (size_t k = 0; k < po.mappings.size(); ++k) {
    const FrameMapping& m = po.mappings[k];
    uint64_t end = m.vaddr + c.sp.objects[m.object].size();
    auto [file, loc] = pd_loc(c, i);
    if (end > user_end || end < m.vaddr) {
      c.diags.error("pd-mapping-out-of-range", file, loc,
                    "protection domain '" + c.plan.pds[i].name + "': " + m.what + " at " +
                        hex(m.vaddr) + " ends past the user address space (" + hex(user_end) + ")",
                    "map it at a lower virtual address");
      return;
    }
    if (k + 1 < po.mappings.size() && po.mappings[k + 1].vaddr < end) {
      c.diags.error("pd-mapping-overlap", file, loc,
                    "protection domain '" + c.plan.pds[i].name + "': " + m.what + " at " +
                        hex(m.vaddr) + " overlaps " + po.mappings[k + 1].what + " at " +
                        hex(po.mappings[k + 1].vaddr),
                    "move the map's vaddr so that it clears the program, the stack and other maps");
      return;
    }
  }
}

// One page table per (level, aligned window) that holds a mapping smaller
// than that level's entries (arch_get_n_paging's levels), for an address
// space with these mappings; `owner` names the tables.
std::vector<PageTableSlot> plan_tables(Ctx& c, size_t i, const std::vector<FrameMapping>& mappings,
                                       const std::string& owner, ObjType type = ObjType::PageTable) {
  std::set<std::pair<uint32_t, uint64_t>> needed;  // (covers_bits, window base)
  for (const FrameMapping& m : mappings) {
    uint32_t page_bits = c.sp.objects[m.object].size_bits;
    for (unsigned b : c.in.facts->paging_level_bits)
      if (b > page_bits) needed.insert({b, m.vaddr >> b << b});
  }
  std::vector<std::pair<uint32_t, uint64_t>> order(needed.begin(), needed.end());
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<PageTableSlot> tables;
  for (const auto& [bits, base] : order) {
    size_t o = add_object(c, type, c.in.package->sizes.page_table,
                          (type == ObjType::EptTable ? "ept:" : "pt:") + owner + ":" + hex(base) + "/" + std::to_string(bits), i);
    tables.push_back({o, base, bits});
  }
  return tables;
}

void plan_page_tables(Ctx& c, size_t i) {
  c.sp.pds[i].page_tables = plan_tables(c, i, c.sp.pds[i].mappings, c.plan.pds[i].name);
}

// ---------------------------------------------------------------------------
// Virtual machines: a guest address space and one thread per vCPU.

std::pair<std::string, Loc> vm_loc(const Ctx& c, size_t pd, std::string_view attr = {}) {
  if (!c.in.sdf || pd >= c.in.sdf->pds.size() || !c.in.sdf->pds[pd].vm) return pd_loc(c, pd);
  return {c.in.sdf->file, c.in.sdf->pds[pd].vm->at(attr)};
}
std::pair<std::string, Loc> vcpu_loc(const Ctx& c, size_t pd, size_t k, std::string_view attr = {}) {
  if (!c.in.sdf || pd >= c.in.sdf->pds.size() || !c.in.sdf->pds[pd].vm) return pd_loc(c, pd);
  const auto& vcpus = c.in.sdf->pds[pd].vm->vcpus;
  if (k >= vcpus.size()) return vm_loc(c, pd);
  return {c.in.sdf->file, vcpus[k].at(attr)};
}

// A kernel without VCPU objects (no hypervisor support), more vCPUs than
// the kernel runs cores, or a vCPU on a core it does not run.
bool check_vm_cores(Ctx& c, size_t i) {
  const Vm& vm = *c.plan.pds[i].vm;
  uint64_t cores = c.in.boot->sched_control.end - c.in.boot->sched_control.start;
  if (!c.in.package->sizes.vcpu || !c.in.package->config.hypervisor) {
    auto [file, loc] = vm_loc(c, i);
    c.diags.error("vm-kernel-without-hypervisor", file, loc,
                  "virtual machine '" + vm.name + "': this kernel is built without hypervisor support, "
                  "so it has no vCPUs",
                  "use a configuration of a board whose kernel runs in hypervisor mode (e.g. "
                  "qemu_virt_aarch64), or remove the <virtual_machine>");
    return false;
  }
  bool ok = true;
  if (vm.vcpus.size() > cores) {
    auto [file, loc] = vm_loc(c, i);
    c.diags.error("vm-too-many-vcpus", file, loc,
                  "virtual machine '" + vm.name + "' has " + std::to_string(vm.vcpus.size()) +
                      " vCPUs but this kernel runs " + std::to_string(cores) + " core(s)",
                  "give it at most " + std::to_string(cores) + " vCPU(s), or use an SMP configuration");
    ok = false;
  }
  for (size_t k = 0; k < vm.vcpus.size(); ++k) {
    if (vm.vcpus[k].cpu < cores) continue;
    auto [file, loc] = vcpu_loc(c, i, k, "cpu");
    c.diags.error("vcpu-cpu-unavailable", file, loc,
                  "vCPU " + std::to_string(vm.vcpus[k].id) + " of virtual machine '" + vm.name +
                      "' is on cpu " + std::to_string(vm.vcpus[k].cpu) + " but this kernel runs " +
                      std::to_string(cores) + " core(s)",
                  "use a cpu below " + std::to_string(cores) + " (on the vCPU, or on its protection "
                  "domain when the vCPU names none), or an SMP configuration");
    ok = false;
  }
  return ok;
}

// Guest maps past the guest-physical space the stage-2 tables cover.
void check_vm_mappings(Ctx& c, size_t i) {
  const VmObjects& vo = *c.sp.pds[i].vm;
  uint64_t end_of_space = c.in.package->user_vaddr_end();
  for (const FrameMapping& m : vo.mappings) {
    uint64_t end = m.vaddr + c.sp.objects[m.object].size();
    if (end <= end_of_space && end > m.vaddr) continue;
    auto [file, loc] = vm_loc(c, i);
    c.diags.error("vm-mapping-out-of-range", file, loc,
                  "virtual machine '" + c.plan.pds[i].vm->name + "': " + m.what + " at guest-physical " +
                      hex(m.vaddr) + " ends past the guest address space (" + hex(end_of_space) + ")",
                  "map it at a lower guest-physical address");
    return;
  }
}

const arch::Traits& arch_of(const Ctx& c) { return *arch::traits(c.in.package->config.arch); }

// x86 VT-x: the VMM's own thread enters the guest, so a VM has one vCPU
// (as in the official Microkit), on the VMM's core.
bool check_vmm_thread_vcpus(Ctx& c, size_t i) {
  const Vm& vm = *c.plan.pds[i].vm;
  if (!arch_of(c).vcpu_on_vmm_thread || !c.in.package->config.hypervisor) return true;
  if (vm.vcpus.size() == 1 && vm.vcpus[0].cpu == c.plan.pds[i].cpu) return true;
  auto [file, loc] = vm.vcpus.size() == 1 ? vcpu_loc(c, i, 0, "cpu") : vm_loc(c, i);
  c.diags.error("vm-vcpu-on-vmm-thread", file, loc,
                "virtual machine '" + vm.name + "': on " + arch_of(c).name + " the VMM's own thread runs " +
                    "the guest, so a virtual machine has exactly one vCPU, on the VMM's core (it has " +
                    std::to_string(vm.vcpus.size()) + ")",
                "give the virtual machine one <vcpu> on the cpu of protection domain '" + c.plan.pds[i].name +
                    "'");
  return false;
}

void plan_vcpus(Ctx& c, size_t i, VmObjects& vo) {
  const auto& s = c.in.package->sizes;
  const Vm& vm = *c.plan.pds[i].vm;
  for (const VmVcpu& v : vm.vcpus) {
    std::string n = vm.name + ":" + std::to_string(v.id);
    VcpuObjects o;
    o.id = v.id;
    o.cpu = v.cpu;
    if (arch_of(c).vcpu_on_vmm_thread) {
      o.own_thread = false;
      o.tcb = c.sp.pds[i].tcb;
      o.vcpu = add_object(c, ObjType::Vcpu, *s.vcpu, "vcpu:" + n, i);
      vo.vcpus.push_back(o);
      continue;
    }
    o.tcb = add_object(c, ObjType::Tcb, s.tcb, "tcb:" + n, i);
    o.sc = add_object(c, ObjType::SchedContext, s.min_sched_context, "sc:" + n, i);
    o.cnode = add_object(c, ObjType::CNode, kVmCNodeSlotBits + s.slot, "cnode:" + n, i);
    c.sp.objects[o.cnode].cnode_slot_bits = kVmCNodeSlotBits;
    o.vcpu = add_object(c, ObjType::Vcpu, *s.vcpu, "vcpu:" + n, i);
    vo.vcpus.push_back(o);
  }
}

// 1. the kernel can run it; 2. guest VSpace and its mappings; 3. page
// tables; 4. the vCPUs' objects.
void plan_vm_objects(Ctx& c, size_t i) {
  if (!c.plan.pds[i].vm || !check_vmm_thread_vcpus(c, i) || !check_vm_cores(c, i)) return;
  const Vm& vm = *c.plan.pds[i].vm;
  VmObjects vo;
  vo.ept = arch_of(c).ept_table_kind != nullptr;
  // EPT PML4 and tables are 4 KiB like a PML4 and a page table (seL4_X86_EPT*Bits = 12).
  if (vo.ept)
    vo.vspace = add_object(c, ObjType::EptRoot, c.in.package->sizes.vspace, "ept:" + vm.name, i);
  else
    vo.vspace = add_object(c, ObjType::VSpace, c.in.package->sizes.vspace, "vspace:" + vm.name, i);
  for (const Mapping& m : vm.mappings) {
    const auto& frames = c.sp.mr_frames[m.mr];
    uint64_t offset = 0;
    for (size_t k = 0; k < frames.size(); ++k) {
      vo.mappings.push_back({frames[k], m.vaddr + offset, m.read, m.write, m.execute, m.cached,
                             c.plan.mrs[m.mr].name});
      offset += c.sp.objects[frames[k]].size();
    }
  }
  std::stable_sort(vo.mappings.begin(), vo.mappings.end(),
                   [](const FrameMapping& a, const FrameMapping& b) { return a.vaddr < b.vaddr; });
  c.sp.pds[i].vm = std::move(vo);
  check_vm_mappings(c, i);
  ObjType table = c.sp.pds[i].vm->ept ? ObjType::EptTable : ObjType::PageTable;
  c.sp.pds[i].vm->page_tables = plan_tables(c, i, c.sp.pds[i].vm->mappings, vm.name, table);
  plan_vcpus(c, i, *c.sp.pds[i].vm);
}

// ---------------------------------------------------------------------------
// CSpaces.

void add_cap(PdObjects& po, uint64_t slot, size_t obj, CapRights r, uint64_t badge, std::string what) {
  Cap cap;
  cap.slot = slot;
  cap.object = obj;
  cap.rights = r;
  cap.badge = badge;
  cap.what = std::move(what);
  po.caps.push_back(std::move(cap));
}

constexpr CapRights kAll{};
constexpr CapRights kSend{false, true, false, false};
constexpr CapRights kCall{false, true, false, true};

void plan_fault_endpoint(Ctx& c, size_t i) {
  const Pd& pd = c.plan.pds[i];
  PdObjects& po = c.sp.pds[i];
  if (pd.parent && c.sp.pds[*pd.parent].endpoint) {
    po.fault_endpoint = *c.sp.pds[*pd.parent].endpoint;
    po.fault_badge = pd_abi::fault_badge(pd.child_id.value_or(0));
  } else if (auto k = debug_target(c, i); k && c.plan.debugger->handles_faults) {
    // --gdb-stub: the debugger is the fault handler of last resort, and
    // receives the fault as its child number k (gdb_abi.h).
    po.fault_endpoint = *c.sp.pds[c.plan.debugger->pd].endpoint;
    po.fault_badge = pd_abi::fault_badge(*k);
  } else {
    po.fault_endpoint = c.sp.monitor_endpoint;
    po.fault_badge = pd_abi::monitor_badge(i);
  }
  add_cap(po, MICROKIT_PD_SLOT_FAULT_EP, po.fault_endpoint, kCall, po.fault_badge, "fault endpoint");
}

// Debug configurations print a report of every fault (docs/debugging.md):
// a parent gets the initial task's endpoint to have its children's faults
// reported before its fault() sees them. Not with --gdb-stub, whose
// debugger owns the console and the faults of last resort.
void plan_fault_report_endpoint(Ctx& c, size_t i) {
  const auto& cfg = c.in.package->config;
  if (!cfg.debug_build || !cfg.printing || c.plan.pds[i].children.empty()) return;
  if (c.plan.debugger && c.plan.debugger->handles_faults) return;
  PdObjects& po = c.sp.pds[i];
  po.reports_child_faults = true;
  add_cap(po, MICROKIT_PD_SLOT_FAULT_REPORT, c.sp.monitor_endpoint, kCall, pd_abi::report_badge(i),
          "fault report endpoint");
}

void plan_channel_caps(Ctx& c, size_t i) {
  const Pd& pd = c.plan.pds[i];
  PdObjects& po = c.sp.pds[i];
  for (uint64_t ch = 0; ch < pd.channels.size(); ++ch) {
    const ChannelSlot& s = pd.channels[ch];
    if (s.kind == ChannelSlot::Kind::Irq) {
      c.sp.irqs.push_back({i, ch, s.irq, s.trigger, s, po.notification, pd_abi::notification_badge(ch)});
      Cap cap;
      cap.kind = Cap::Kind::IrqHandler;
      cap.slot = pd_abi::irq_slot(ch);
      cap.irq = c.sp.irqs.size() - 1;
      cap.what = "irq " + std::to_string(s.irq);
      po.caps.push_back(cap);
      continue;
    }
    if (s.kind != ChannelSlot::Kind::Channel) continue;
    const PdObjects& peer = c.sp.pds[s.peer_pd];
    const std::string& peer_name = c.plan.pds[s.peer_pd].name;
    if (s.can_notify)
      add_cap(po, pd_abi::notification_slot(ch), peer.notification, kSend,
              pd_abi::notification_badge(s.peer_id), "notify " + std::to_string(ch) + " -> " + peer_name);
    if (s.can_ppcall && peer.endpoint)
      add_cap(po, pd_abi::ppc_endpoint_slot(ch), *peer.endpoint, kCall, pd_abi::ppc_badge(s.peer_id),
              "ppc " + std::to_string(ch) + " -> " + peer_name);
  }
}

// seL4_CNode_CapData for a CNode of 2^bits slots: guard 0 of the size that
// makes a CPtr its slot number (guard in bits 6..63, guard size in 0..5).
uint64_t cnode_cap_data(uint32_t slot_bits) { return (64 - slot_bits) & 0x3f; }

std::pair<std::string, Loc> grant_loc(const Ctx& c, const ExtraCap& extra) {
  return {c.in.sdf ? c.in.sdf->file : std::string(), extra.loc};
}

CapRights ipc_rights(const ExtraCap& e) { return {e.read, e.write, e.grant, e.grant}; }

// <cap_endpoint>: only PDs that receive PPCs or have children get an endpoint.
void grant_endpoint(Ctx& c, size_t i, const ExtraCap& extra, const std::string& at) {
  const PdObjects& src = c.sp.pds[extra.source_pd];
  const std::string& name = c.plan.pds[extra.source_pd].name;
  if (!src.endpoint) {
    auto [file, loc] = grant_loc(c, extra);
    c.diags.error("cap-endpoint-none", file, loc,
                  "protection domain '" + name + "' has no endpoint to grant: a PD gets one only "
                  "when it receives protected procedure calls (a channel end with pp=\"true\" "
                  "towards it) or has children",
                  "grant its notification with <cap_notification> instead, or give it a pp channel");
    return;
  }
  add_cap(c.sp.pds[i], pd_abi::user_cap_slot(extra.slot), *src.endpoint, ipc_rights(extra),
          extra.badge, at + "endpoint of " + name);
}

// <cap_mr>: one unmapped copy of each of the MR's frames, read or read-write.
void grant_mr_frames(Ctx& c, size_t i, const ExtraCap& extra) {
  const auto& frames = c.sp.mr_frames[extra.source_mr];
  if (frames.size() != extra.count) {
    // The validator counted size / page_size slots; the planner must have
    // made exactly that many frames (a tool bug otherwise).
    auto [file, loc] = grant_loc(c, extra);
    c.diags.error("cap-mr-frame-count", file, loc,
                  "memory region '" + c.plan.mrs[extra.source_mr].name + "' is backed by " +
                      std::to_string(frames.size()) + " frames, not the " + std::to_string(extra.count) +
                      " slots its size and page_size give",
                  "this is a bug in the tool; please report it, and grant another region meanwhile");
    return;
  }
  CapRights r{extra.read, extra.write, false, false};
  for (size_t k = 0; k < frames.size(); ++k)
    add_cap(c.sp.pds[i], pd_abi::user_cap_slot(extra.slot + k), frames[k], r, 0,
            "cspace " + std::to_string(extra.slot + k) + ": frame " + std::to_string(k) + " of " +
                c.plan.mrs[extra.source_mr].name);
}

// <untyped>: new untyped objects of the asked size, each aligned to its size
// (as seL4 retypes them), placed with the other floating objects.
void grant_untyped(Ctx& c, size_t i, const ExtraCap& extra) {
  const auto& s = c.in.package->sizes;
  if (extra.size_bits < s.min_untyped || extra.size_bits > s.max_untyped) {
    auto [file, loc] = grant_loc(c, extra);
    c.diags.error("untyped-size-out-of-range", file, loc,
                  "an untyped of 2^" + std::to_string(extra.size_bits) + " bytes cannot be made: "
                  "this kernel's untypeds are 2^" + std::to_string(s.min_untyped) + " to 2^" +
                      std::to_string(s.max_untyped) + " bytes",
                  "choose a size in that range");
    return;
  }
  for (uint64_t k = 0; k < extra.count; ++k) {
    uint64_t slot = extra.slot + k;
    size_t o = add_object(c, ObjType::Untyped, extra.size_bits,
                          "untyped:" + c.plan.pds[i].name + ":" + std::to_string(slot), i);
    c.sp.objects[o].grant_loc = extra.loc;
    add_cap(c.sp.pds[i], pd_abi::user_cap_slot(slot), o, kAll, 0,
            "cspace " + std::to_string(slot) + ": untyped " + hex(c.sp.objects[o].size()));
  }
}

// <cnode>: a new empty CNode, its cap minted so that a CPtr is a slot number.
void grant_empty_cnode(Ctx& c, size_t i, const ExtraCap& extra, const std::string& at) {
  size_t o = add_object(c, ObjType::CNode, extra.cnode_slot_bits + c.in.package->sizes.slot,
                        "cnode:" + c.plan.pds[i].name + ":" + std::to_string(extra.slot), i);
  c.sp.objects[o].cnode_slot_bits = extra.cnode_slot_bits;
  c.sp.objects[o].grant_loc = extra.loc;
  add_cap(c.sp.pds[i], pd_abi::user_cap_slot(extra.slot), o, kAll, cnode_cap_data(extra.cnode_slot_bits),
          at + "empty cnode of " + std::to_string(uint64_t{1} << extra.cnode_slot_bits) + " slots");
}

// <cap_sched_control>: the core's SchedControl cap (MCS kernels only).
void grant_sched_control(Ctx& c, size_t i, const ExtraCap& extra) {
  uint64_t cores = c.in.boot->sched_control.end - c.in.boot->sched_control.start;
  if (!c.in.package->config.mcs || extra.cpu >= cores) {
    auto [file, loc] = grant_loc(c, extra);
    c.diags.error("cap-sched-control-unavailable", file, loc,
                  !c.in.package->config.mcs
                      ? std::string("this kernel is not an MCS kernel: it has no SchedControl capability")
                      : "this kernel has a SchedControl capability for " + std::to_string(cores) +
                            " core(s); cpu " + std::to_string(extra.cpu) + " is not one of them",
                  "use a cpu the kernel runs, or remove the <cap_sched_control>");
    return;
  }
  Cap cap;
  cap.kind = Cap::Kind::SchedControl;
  cap.slot = pd_abi::user_cap_slot(extra.slot);
  cap.cpu = extra.cpu;
  cap.what = "cspace " + std::to_string(extra.slot) + ": sched control of cpu " + std::to_string(extra.cpu);
  c.sp.pds[i].caps.push_back(cap);
}

// <cap_irq>: a copy of the handler the owner's <irq> got (planned with the
// owner's channel caps, before any grant).
void grant_irq(Ctx& c, size_t i, const ExtraCap& extra, const std::string& at) {
  for (size_t k = 0; k < c.sp.irqs.size(); ++k) {
    const IrqHandler& h = c.sp.irqs[k];
    if (h.pd != extra.source_pd || h.channel != extra.irq_channel) continue;
    Cap cap;
    cap.kind = Cap::Kind::IrqHandler;
    cap.slot = pd_abi::user_cap_slot(extra.slot);
    cap.irq = k;
    cap.what = at + "irq " + std::to_string(h.irq) + " of " + c.plan.pds[h.pd].name;
    c.sp.pds[i].caps.push_back(cap);
    return;
  }
  auto [file, loc] = grant_loc(c, extra);
  c.diags.error("cap-irq-no-handler", file, loc,
                "protection domain '" + c.plan.pds[extra.source_pd].name + "' has no IRQ handler for id " +
                    std::to_string(extra.irq_channel),
                "this is a bug in the tool; please report it");
}

// <cap_ioport>: the owner's port range again, at the grant's slot. seL4
// issues a range once, so the spec copies the one issued cap to every holder.
void grant_ioport(Ctx& c, size_t i, const ExtraCap& extra, const std::string& at) {
  const Pd& owner = c.plan.pds[extra.source_pd];
  const IoPortRange* io = owner.ioport(extra.ioport_id);
  if (!io) {
    auto [file, loc] = grant_loc(c, extra);
    c.diags.error("cap-ioport-none", file, loc,
                  "protection domain '" + owner.name + "' has no I/O port with id " +
                      std::to_string(extra.ioport_id),
                  "this is a bug in the tool (the validator checks the id); please report it");
    return;
  }
  Cap cap;
  cap.kind = Cap::Kind::IoPort;
  cap.slot = pd_abi::user_cap_slot(extra.slot);
  cap.first_port = io->addr;
  cap.last_port = io->addr + io->size - 1;
  cap.ioport_owner = extra.source_pd;
  cap.what = at + "ioport " + std::to_string(io->id) + " of " + owner.name + ": " + hex(cap.first_port) +
             ".." + hex(cap.last_port);
  c.sp.pds[i].caps.push_back(cap);
}

// <cspace> grants. A passive PD's SC is the same object: the initialiser
// binds it to that PD's notification after init, so the copy names the
// notification's SC as the manual says.
void plan_extra_caps(Ctx& c, size_t i) {
  PdObjects& po = c.sp.pds[i];
  for (const ExtraCap& extra : c.plan.pds[i].extra_caps) {
    const PdObjects& src = c.sp.pds[extra.source_pd];
    const std::string& name = c.plan.pds[extra.source_pd].name;
    uint64_t slot = pd_abi::user_cap_slot(extra.slot);
    std::string at = "cspace " + std::to_string(extra.slot) + ": ";
    switch (extra.kind) {
      case ExtraCap::Kind::Tcb: add_cap(po, slot, src.tcb, kAll, 0, at + "tcb of " + name); break;
      case ExtraCap::Kind::Sc: add_cap(po, slot, src.sc, kAll, 0, at + "sc of " + name); break;
      case ExtraCap::Kind::VSpace:
        add_cap(po, slot, src.vspace, kAll, 0, at + "vspace of " + name);
        break;
      case ExtraCap::Kind::CNode:
        add_cap(po, slot, src.cnode, kAll, cnode_cap_data(pd_abi::kCNodeBits), at + "cnode of " + name);
        break;
      case ExtraCap::Kind::Notification:
        add_cap(po, slot, src.notification, ipc_rights(extra), extra.badge,
                at + "notification of " + name);
        break;
      case ExtraCap::Kind::Endpoint: grant_endpoint(c, i, extra, at); break;
      case ExtraCap::Kind::MrFrames: grant_mr_frames(c, i, extra); break;
      case ExtraCap::Kind::Untyped: grant_untyped(c, i, extra); break;
      case ExtraCap::Kind::EmptyCNode: grant_empty_cnode(c, i, extra, at); break;
      case ExtraCap::Kind::SchedControl: grant_sched_control(c, i, extra); break;
      case ExtraCap::Kind::Irq: grant_irq(c, i, extra, at); break;
      case ExtraCap::Kind::IoPort: grant_ioport(c, i, extra, at); break;
    }
  }
  std::stable_sort(po.caps.begin(), po.caps.end(),
                   [](const Cap& a, const Cap& b) { return a.slot < b.slot; });
}

// ---------------------------------------------------------------------------
// x86-64 devices: I/O ports, bootinfo-filled MRs, IOMMU address spaces.

void plan_ioport_caps(Ctx& c, size_t i) {
  for (const IoPortRange& io : c.plan.pds[i].ioports) {
    Cap cap;
    cap.kind = Cap::Kind::IoPort;
    cap.slot = pd_abi::ioport_slot(io.id);
    cap.first_port = io.addr;
    cap.last_port = io.addr + io.size - 1;
    cap.ioport_owner = i;
    cap.what = "ioport " + std::to_string(io.id) + ": " + hex(cap.first_port) + ".." + hex(cap.last_port);
    c.sp.pds[i].caps.push_back(cap);
  }
}

// A prefill_bootinfo MR: ordinary frames (4 KiB: the build keeps the
// smallest page for them) that the initial task fills from the chunk.
void plan_bootinfo_fills(Ctx& c, size_t m) {
  const Mr& mr = c.plan.mrs[m];
  if (mr.bootinfo_chunk == 0) return;
  const auto& frames = c.sp.mr_frames[m];
  for (size_t k = 0; k < frames.size(); ++k)
    c.sp.bootinfo_fills.push_back({frames[k], mr.bootinfo_chunk, k * kPage});
}

// IO page tables one space needs at `levels` levels (each 9 bits over 4 KiB
// pages, iovaddrs below 2^39): the root, one per extra level above 39 bits,
// one per 1 GiB and one per 2 MiB window that holds a mapping.
uint64_t io_tables_needed(const IoSpacePlan& space, uint32_t levels) {
  if (space.maps.empty()) return 0;
  std::set<uint64_t> gib, mib2;
  for (const IoFrameMapping& m : space.maps) {
    gib.insert(m.iovaddr >> 30);
    mib2.insert(m.iovaddr >> 21);
  }
  uint64_t extra = levels > 3 ? levels - 3 : 0;
  return 1 + extra + (levels >= 3 ? gib.size() : 0) + mib2.size();
}

constexpr uint32_t kMaxIoLevels = 6;  // seL4's deepest VT-d layout (SAGAW 6 levels)

// Frames of every <iomap>, then one run of IO page tables for all spaces.
void plan_io_spaces(Ctx& c) {
  uint64_t tables = 0;
  for (const IoSpace& space : c.plan.io_spaces) {
    IoSpacePlan sp{space.pci_address, space.domain_id, {}};
    for (const IoMap& m : space.maps)
      for (size_t k = 0; k < c.sp.mr_frames[m.mr].size(); ++k)
        sp.maps.push_back({c.sp.mr_frames[m.mr][k], m.iovaddr + k * kPage, m.read, m.write});
    std::stable_sort(sp.maps.begin(), sp.maps.end(),
                     [](const IoFrameMapping& a, const IoFrameMapping& b) { return a.iovaddr < b.iovaddr; });
    tables += io_tables_needed(sp, kMaxIoLevels);
    c.sp.io_spaces.push_back(std::move(sp));
  }
  if (tables == 0) return;
  auto bits = c.in.package->sizes.io_page_table;
  if (!bits) {
    c.diags.error("io-page-table-unsupported", c.in.sdf ? c.in.sdf->file : std::string(), {},
                  "the kernel package has no IO page table object: it is built without an IOMMU",
                  "use a kernel configuration with IOMMU support, or remove the <io_address_space>s");
    return;
  }
  for (size_t u = 0; u < c.sp.untypeds.size(); ++u) {
    if (c.sp.untypeds[u].is_device) continue;
    auto at = first_fit_run(c, u, tables << *bits, *bits);
    if (!at) continue;
    for (uint64_t k = 0; k < tables; ++k) {
      size_t o = add_object(c, ObjType::IoPageTable, *bits, "iopt:" + std::to_string(k), std::nullopt);
      c.floating.pop_back();
      c.sp.objects[o].paddr = *at + (k << *bits);
      occupy(c, u, o);
      c.sp.io_page_tables.push_back(o);
    }
    return;
  }
  c.diags.error("out-of-memory", c.in.sdf ? c.in.sdf->file : std::string(), {},
                "not enough contiguous memory for the " + std::to_string(tables) +
                    " IO page tables of the IO address spaces",
                "map fewer or more compact IO ranges");
}

void plan_cspace(Ctx& c, size_t i) {
  const Pd& pd = c.plan.pds[i];
  PdObjects& po = c.sp.pds[i];
  add_cap(po, MICROKIT_PD_SLOT_INPUT, po.endpoint.value_or(po.notification), kAll, 0, "input");
  plan_fault_endpoint(c, i);
  add_cap(po, MICROKIT_PD_SLOT_VSPACE, po.vspace, kAll, 0, "vspace");
  add_cap(po, MICROKIT_PD_SLOT_REPLY, po.reply, kAll, 0, "reply");
  if (pd.passive)
    add_cap(po, MICROKIT_PD_SLOT_MONITOR_EP, c.sp.monitor_endpoint, kCall, pd_abi::monitor_badge(i),
            "monitor endpoint");
  if (c.in.package->config.benchmarks) add_cap(po, MICROKIT_PD_SLOT_TCB, po.tcb, kAll, 0, "own tcb");
  if (pd.smc) {
    Cap cap;
    cap.kind = Cap::Kind::Smc;
    cap.slot = MICROKIT_PD_SLOT_ARM_SMC;
    cap.what = "smc";
    po.caps.push_back(cap);
  }
  add_cap(po, MICROKIT_PD_SLOT_NOTIFICATION, po.notification, kAll, 0, "own notification");
  plan_channel_caps(c, i);
  plan_ioport_caps(c, i);
  plan_fault_report_endpoint(c, i);
  for (size_t child : pd.children)
    add_cap(po, pd_abi::child_tcb_slot(c.plan.pds[child].child_id.value_or(0)), c.sp.pds[child].tcb,
            kAll, 0, "child tcb " + c.plan.pds[child].name);
  if (!po.vm) return;
  for (const VcpuObjects& v : po.vm->vcpus) {
    std::string what = pd.vm->name + " vcpu " + std::to_string(v.id);
    if (v.own_thread) add_cap(po, pd_abi::vm_tcb_slot(v.id), v.tcb, kAll, 0, "vm tcb " + what);
    add_cap(po, pd_abi::vcpu_slot(v.id), v.vcpu, kAll, 0, "vcpu " + what);
  }
}

bool check_inputs(const Plan& plan, const Sel4Inputs& in, Diagnostics& diags) {
  if (in.package && in.facts && in.boot && in.pd_images.size() == plan.pds.size()) return true;
  diags.error("sel4-plan-internal", {}, {}, "seL4 planning called without the kernel facts, the "
              "predicted boot or one program image per protection domain",
              "this is a bug in the tool; please report it");
  return false;
}

}  // namespace

const char* obj_type_name(ObjType t) {
  switch (t) {
    case ObjType::Untyped: return "untyped";
    case ObjType::Tcb: return "tcb";
    case ObjType::SchedContext: return "sched_context";
    case ObjType::Reply: return "reply";
    case ObjType::Endpoint: return "endpoint";
    case ObjType::Notification: return "notification";
    case ObjType::CNode: return "cnode";
    case ObjType::VSpace: return "vspace";
    case ObjType::PageTable: return "page_table";
    case ObjType::Frame: return "frame";
    case ObjType::Vcpu: return "vcpu";
    case ObjType::EptRoot: return "ept_pml4";
    case ObjType::EptTable: return "ept_table";
    case ObjType::IoPageTable: return "io_page_table";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// `--gdb-stub` (runtime/shared/gdb_abi.h).

// Every cached page of every target that falls in a window is mapped into
// the debugger too (read-write, never execute), and listed as a range.
void plan_debugger_windows(Ctx& c) {
  const Debugger& d = *c.plan.debugger;
  PdObjects& dbg = c.sp.pds[d.pd];
  uint64_t top = c.in.package->user_vaddr_end() - 1;
  for (size_t k = 0; k < d.targets.size(); ++k) {
    const PdObjects& po = c.sp.pds[d.targets[k]];
    for (const FrameMapping& m : po.mappings) {
      uint64_t at = gdb_abi::window_address(k, m.vaddr, top);
      if (at == 0 || !m.cached) continue;  // devices: reads could have effects
      const KernelObject& o = c.sp.objects[m.object];
      // The profiler only reads (frame records); the debugger also writes (breakpoints).
      map_frame(dbg, m.object, at, true, d.handles_faults, false, true, "gdb window: " + c.plan.pds[d.targets[k]].name);
      size_t mr = o.mr ? *o.mr + 1 : 0;
      auto& ranges = c.sp.debugger_ranges;
      if (!ranges.empty() && ranges.back().target == k && ranges.back().mr == mr &&
          ranges.back().vaddr + ranges.back().size == m.vaddr)
        ranges.back().size += o.size();
      else
        ranges.push_back({k, mr, m.vaddr, o.size()});
    }
  }
  std::stable_sort(dbg.mappings.begin(), dbg.mappings.end(),
                   [](const FrameMapping& a, const FrameMapping& b) { return a.vaddr < b.vaddr; });
}

// Each target's TCB; for the GDB debugger also its VSpace and CNode, and
// the debugger's own CNode (`monitor cspace` copies a target's slot next
// to it to ask the kernel what it holds); where gdb_abi.h says.
void plan_debugger_caps(Ctx& c) {
  const Debugger& d = *c.plan.debugger;
  PdObjects& dbg = c.sp.pds[d.pd];
  uint64_t guard = cnode_cap_data(pd_abi::kCNodeBits);
  for (size_t k = 0; k < d.targets.size(); ++k) {
    const std::string& name = c.plan.pds[d.targets[k]].name;
    const PdObjects& po = c.sp.pds[d.targets[k]];
    add_cap(dbg, MICROKIT_GDB_SLOT_TCB(k), po.tcb, kAll, 0, "debugged TCB of " + name);
    if (!d.handles_faults) continue;  // the profiler reads registers and windows only
    add_cap(dbg, MICROKIT_GDB_SLOT_VSPACE(k), po.vspace, kAll, 0, "debugged VSpace of " + name);
    add_cap(dbg, MICROKIT_GDB_SLOT_CNODE(k), po.cnode, kAll, guard, "debugged CNode of " + name);
  }
  if (d.handles_faults) add_cap(dbg, MICROKIT_GDB_SLOT_SELF_CNODE, dbg.cnode, kAll, guard, "own cnode");
  std::stable_sort(dbg.caps.begin(), dbg.caps.end(), [](const Cap& a, const Cap& b) { return a.slot < b.slot; });
}

std::optional<Sel4Plan> plan_sel4(const Plan& plan, const Sel4Inputs& in, Diagnostics& diags) {
  // 1. MR frames (fixed ones placed at once); 2. the monitor endpoint;
  // 3. per PD: objects, mappings, page tables; 4. CSpaces; 5. place the
  // floating objects; 6. retype lists with padding.
  if (!check_inputs(plan, in, diags)) return std::nullopt;
  size_t errors_before = diags.error_count();
  Ctx c{plan, in, diags, {}, {}, {}, {}};
  c.sp.untypeds = in.boot->untypeds;
  c.occupied.resize(c.sp.untypeds.size());
  c.resume.resize(c.sp.untypeds.size());
  c.sp.mr_frames.resize(plan.mrs.size());
  c.sp.mr_paddr.resize(plan.mrs.size());
  c.sp.pds.resize(plan.pds.size());
  for (size_t m = 0; m < plan.mrs.size(); ++m) {
    plan_mr(c, m);
    plan_bootinfo_fills(c, m);
  }
  plan_io_spaces(c);
  c.sp.monitor_endpoint = add_object(c, ObjType::Endpoint, in.package->sizes.endpoint,
                                     "endpoint:monitor", std::nullopt);
  c.sp.initialiser_reply = add_object(c, ObjType::Reply, in.package->sizes.reply,
                                      "reply:initialiser", std::nullopt);
  for (size_t i = 0; i < plan.pds.size(); ++i) {
    check_pd_cpu(c, i);
    check_pd_sched_time(c, i);
    plan_pd_objects(c, i);
    plan_pd_mappings(c, i);
    check_pd_mappings(c, i);
    if (!is_debugger(c, i)) plan_page_tables(c, i);
    plan_vm_objects(c, i);
  }
  if (plan.debugger) {
    plan_debugger_windows(c);
    plan_page_tables(c, plan.debugger->pd);
  }
  // Grants after every PD's own caps: a <cap_irq> copies a handler of a PD planned later.
  for (size_t i = 0; i < plan.pds.size(); ++i) plan_cspace(c, i);
  for (size_t i = 0; i < plan.pds.size(); ++i) plan_extra_caps(c, i);
  if (plan.debugger) plan_debugger_caps(c);
  if (diags.error_count() > errors_before) return std::nullopt;
  place_floating(c);
  if (diags.error_count() > errors_before) return std::nullopt;
  for (size_t m = 0; m < plan.mrs.size(); ++m)
    if (!c.sp.mr_frames[m].empty()) c.sp.mr_paddr[m] = c.sp.objects[c.sp.mr_frames[m][0]].paddr;
  if (in.facts->ram_found_at_boot) shrink_bound_untypeds(c);
  build_retype_lists(c);
  c.sp.normal_memory = in.boot->normal_memory();
  return std::move(c.sp);
}

std::vector<uint64_t> replay_retypes(const Sel4Plan& sp, size_t untyped) {
  std::vector<uint64_t> out;
  uint64_t w = sp.untypeds[untyped].paddr;
  for (size_t o : sp.untyped_use[untyped].objects) {
    uint32_t bits = sp.objects[o].size_bits;
    uint64_t a = uint64_t{1} << bits;
    uint64_t at = (w + a - 1) & ~(a - 1);
    out.push_back(at);
    w = at + a;
  }
  return out;
}

}  // namespace microkit::plan
