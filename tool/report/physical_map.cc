// physical_map: see physical_map.h.
#include "report/physical_map.h"

#include <algorithm>

namespace microkit::report {

namespace {

using Kind = PhysicalRegion::Kind;
constexpr uint64_t kPage = 0x1000;
// Device regions closer than this share one bar.
constexpr uint64_t kDeviceBankGap = uint64_t{1} << 24;

bool same_owner(const PhysicalRegion& a, const PhysicalRegion& b) {
  return a.kind == b.kind && a.pd == b.pd && a.mr == b.mr;
}

// Appends `r`, extending the last region instead when it has the same owner
// and ends where `r` starts (or, with `across_gaps`, anywhere before it).
void append(std::vector<PhysicalRegion>& out, PhysicalRegion r, bool across_gaps = false) {
  if (r.end <= r.start) return;
  if (!out.empty() && same_owner(out.back(), r) &&
      (out.back().end == r.start || (across_gaps && out.back().end < r.start))) {
    out.back().end = r.end;
    return;
  }
  out.push_back(std::move(r));
}

// 4 KiB pages as runs of consecutive pages, each a copy of `proto`.
void add_pages(std::vector<PhysicalRegion>& out, std::vector<uint64_t> pages, const PhysicalRegion& proto) {
  std::sort(pages.begin(), pages.end());
  std::vector<PhysicalRegion> runs;
  for (uint64_t p : pages) {
    PhysicalRegion r = proto;
    r.start = p, r.end = p + kPage;
    append(runs, std::move(r));
  }
  out.insert(out.end(), runs.begin(), runs.end());
}

PhysicalRegion make(Kind kind, std::string label, std::optional<size_t> pd = {}, std::optional<size_t> mr = {}) {
  PhysicalRegion r;
  r.kind = kind, r.label = std::move(label), r.pd = pd, r.mr = mr;
  return r;
}

PhysicalRegion spanning(PhysicalRegion r, kernel::Region span) {
  r.start = span.start, r.end = span.end;
  return r;
}

// The kernel, the user image's parts and the root task's objects.
void boot_image_regions(const PhysicalInputs& in, std::vector<PhysicalRegion>& out) {
  const plan::Plan& plan = *in.plan;
  out.push_back(spanning(make(Kind::Kernel, "seL4 kernel"), in.kernel));
  out.push_back(spanning(make(Kind::InitialTask, "initial task and its spec"), in.initial_task));
  out.push_back(spanning(make(Kind::RootObjects, "initial task's kernel objects (made at boot)"),
                         in.boot->rootserver.block));
  for (size_t i = 0; in.pd_images && i < in.pd_images->size(); ++i) {
    std::vector<uint64_t> pages;
    for (const plan::UserImagePage& p : (*in.pd_images)[i].pages) pages.push_back(p.paddr);
    add_pages(out, pages, make(Kind::PdImage, plan.pds[i].name + ": program", i));
  }
  for (size_t m = 0; in.mr_prefill_pages && m < in.mr_prefill_pages->size(); ++m)
    add_pages(out, (*in.mr_prefill_pages)[m], make(Kind::MrFrames, plan.mrs[m].name + " (prefilled)", {}, m));
}

PhysicalRegion owner_of(const plan::Plan& plan, const plan::KernelObject& o) {
  if (o.mr) return make(Kind::MrFrames, plan.mrs[*o.mr].name, {}, *o.mr);
  if (o.pd) return make(Kind::PdObjects, plan.pds[*o.pd].name + ": kernel objects", *o.pd);
  if (o.type == plan::ObjType::Untyped && !o.grant_loc) return make(Kind::SystemObjects, "padding");
  return make(Kind::SystemObjects, "initial task's objects");
}

// The objects retyped from untyped `u`, merged by owner, then what stays free.
void untyped_regions(const PhysicalInputs& in, size_t u, std::vector<PhysicalRegion>& out) {
  const kernel::UntypedObject& ut = in.sp->untypeds[u];
  const plan::UntypedUse& use = in.sp->untyped_use[u];
  std::vector<PhysicalRegion> runs;
  for (size_t k : use.objects) {
    const plan::KernelObject& o = in.sp->objects[k];
    if (o.source != plan::KernelObject::Source::Untyped) continue;
    PhysicalRegion r = owner_of(*in.plan, o);
    r.start = o.paddr, r.end = o.paddr + o.size();
    append(runs, std::move(r), /*across_gaps=*/true);
  }
  uint64_t free_from = use.objects.empty() ? ut.paddr : std::max(use.watermark, ut.paddr);
  if (!ut.is_device && free_from < ut.end())
    runs.push_back(spanning(make(Kind::Free, "free untyped"), {free_from, ut.end()}));
  out.insert(out.end(), runs.begin(), runs.end());
}

// Touching or overlapping ranges merged, ascending.
std::vector<kernel::Region> merged(std::vector<kernel::Region> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](auto& a, auto& b) { return a.start < b.start; });
  std::vector<kernel::Region> out;
  for (const kernel::Region& r : ranges) {
    if (r.empty()) continue;
    if (!out.empty() && r.start <= out.back().end) out.back().end = std::max(out.back().end, r.end);
    else out.push_back(r);
  }
  return out;
}

// Without the kernel's RAM list (x86-64), RAM is what the RAM untypeds and
// the boot image cover.
std::vector<kernel::Region> ram_of(const PhysicalInputs& in) {
  if (!in.ram.empty()) return merged(in.ram);
  std::vector<kernel::Region> ranges{in.kernel, in.initial_task, in.boot->rootserver.block};
  for (const auto& ut : in.sp->untypeds)
    if (!ut.is_device) ranges.push_back({ut.paddr, ut.end()});
  return merged(ranges);
}

// Regions outside RAM become device banks, neighbours sharing one bar.
void add_device_banks(std::vector<PhysicalRegion> regions, PhysicalMap& map) {
  for (PhysicalRegion& r : regions) {
    if (map.banks.empty() || !map.banks.back().device || r.start > map.banks.back().end + kDeviceBankGap)
      map.banks.push_back({r.start, r.end, true, {}});
    PhysicalBank& bank = map.banks.back();
    bank.end = std::max(bank.end, r.end);
    bank.regions.push_back(std::move(r));
  }
}

}  // namespace

const char* physical_kind_name(PhysicalRegion::Kind kind) {
  switch (kind) {
    case Kind::Kernel: return "kernel";
    case Kind::InitialTask: return "initial task";
    case Kind::RootObjects: return "root objects";
    case Kind::PdImage: return "PD program";
    case Kind::PdObjects: return "PD kernel objects";
    case Kind::MrFrames: return "memory region";
    case Kind::SystemObjects: return "other objects";
    case Kind::Free: return "free untyped";
  }
  return "?";
}

PhysicalMap physical_map(const PhysicalInputs& in) {
  // 1. every region; 2. sort; 3. RAM banks take what they contain; 4. the
  // rest (fixed-address device MRs) forms device banks.
  std::vector<PhysicalRegion> all;
  boot_image_regions(in, all);
  for (size_t u = 0; u < in.sp->untypeds.size(); ++u) untyped_regions(in, u, all);
  std::erase_if(all, [](const PhysicalRegion& r) { return r.end <= r.start; });
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.start < b.start; });
  std::vector<PhysicalRegion> runs;  // neighbours of one owner (free untypeds side by side) as one
  for (PhysicalRegion& r : all) append(runs, std::move(r));
  all = std::move(runs);
  PhysicalMap map;
  for (const kernel::Region& r : ram_of(in)) map.banks.push_back({r.start, r.end, false, {}});
  std::vector<PhysicalRegion> outside;
  for (PhysicalRegion& r : all) {
    auto bank = std::find_if(map.banks.begin(), map.banks.end(),
                             [&](const PhysicalBank& b) { return b.start <= r.start && r.end <= b.end; });
    if (bank == map.banks.end()) outside.push_back(std::move(r));
    else bank->regions.push_back(std::move(r));
  }
  add_device_banks(std::move(outside), map);
  std::sort(map.banks.begin(), map.banks.end(), [](auto& a, auto& b) { return a.start < b.start; });
  if (in.sp->bound_untypeds)
    map.note = "RAM is found at boot on this architecture: addresses are those of the machine the "
               "plan assumes (docs/sel4-planning.md), not the ones at run time.";
  return map;
}

}  // namespace microkit::report
