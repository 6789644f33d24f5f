#include "kernel/boot_emulation.h"

#include "kernel/kernel_package.h"
#include "support/numbers.h"
#include "support/text.h"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdio>

namespace microkit::kernel {

namespace {


std::string range_text(Region r) { return "[" + hex(r.start) + ".." + hex(r.end) + ")"; }

}  // namespace

uint64_t BootFacts::max_num_freemem_reg() const {
  // ARM: one per memory region, +1 for the kernel's boot code, +1 for the
  // gap the root server block leaves (no MODE_RESERVED on 64-bit).
  return fixed_max_freemem_reg != 0 ? fixed_max_freemem_reg : memory.size() + 2;
}

uint64_t BootResult::normal_memory() const {
  uint64_t total = 0;
  for (const UntypedObject& u : untypeds) {
    if (!u.is_device) total += u.size();
  }
  return total;
}

bool set_arch_constants(BootFacts& facts, board::Arch a, const arch::LayoutConfig& config,
                        Diagnostics& diags) {
  const arch::Traits* t = arch::traits(a);
  arch::KernelLayout layout;
  if (!t || !t->kernel_layout(config, layout, diags)) return false;
  facts.arch = a;
  facts.paddr_base = layout.paddr_base;
  facts.paging_level_bits = layout.paging_level_bits;
  facts.fixed_max_freemem_reg = layout.max_num_freemem_reg;
  facts.sched_control_before_paging = t->sched_control_before_paging;
  facts.pptr_offset = layout.pptr_base - facts.paddr_base;
  facts.paddr_top = layout.pptr_top - facts.pptr_offset;
  return true;
}

std::vector<Region> kernel_device_regions(const std::vector<Region>& memory,
                                          const std::vector<Region>& devices, uint64_t top) {
  std::vector<Region> used = memory;
  used.insert(used.end(), devices.begin(), devices.end());
  std::sort(used.begin(), used.end(),
            [](const Region& a, const Region& b) { return a.start < b.start; });
  std::vector<Region> holes;
  uint64_t at = 0;
  for (const Region& r : used) {
    if (r.start > at) holes.push_back({at, std::min(r.start, top)});
    at = std::max(at, r.end);
    if (at >= top) break;
  }
  std::erase_if(holes, [](const Region& r) { return r.empty() || r.end < r.start; });
  return holes;
}

// ---------------------------------------------------------------------------
// The kernel's arithmetic.
namespace boot {

unsigned extra_bi_size_bits(uint64_t size, unsigned page_bits) {
  if (size == 0) return 0;
  unsigned msb = 63 - std::countl_zero(round_up(size, page_bits));
  // A size that is not a power of two needs the next one up.
  if (size > bit(msb)) ++msb;
  return msb;
}

uint64_t n_paging(Region v, const std::vector<unsigned>& level_bits) {
  uint64_t n = 0;
  for (unsigned bits : level_bits) {
    uint64_t start = round_down(v.start, bits);
    uint64_t end = round_up(v.end, bits);
    n += (end - start) >> bits;
  }
  return n;
}

std::vector<Block> split_region(Region reg, unsigned min_bits, unsigned max_bits) {
  std::vector<Block> blocks;
  // end - start is taken modulo 2^64, so a region that wraps past 2^64 is
  // measured correctly; alignment then keeps every block from wrapping.
  while (!reg.empty()) {
    unsigned size_bits = 63 - std::countl_zero(reg.end - reg.start);
    size_bits = std::min(size_bits, max_bits);
    if (reg.start != 0) {
      size_bits = std::min<unsigned>(size_bits, std::countr_zero(reg.start));
    }
    if (size_bits >= min_bits) blocks.push_back({reg.start, size_bits});
    reg.start += bit(size_bits);
  }
  return blocks;
}

// reserve_region(): keep the list sorted, extend a region that the new one
// touches exactly, otherwise insert in order. Overlaps are not merged (the
// kernel never produces them from a valid layout).
bool ReservedList::reserve(Region r) {
  if (r.empty()) return true;
  size_t i = 0;
  for (; i < regions_.size(); ++i) {
    if (regions_[i].start == r.end) {
      regions_[i].start = r.start;
      merge();
      return true;
    }
    if (regions_[i].end == r.start) {
      regions_[i].end = r.end;
      merge();
      return true;
    }
    if (regions_[i].start > r.end) {
      if (regions_.size() + 1 >= capacity_) return false;
      regions_.insert(regions_.begin() + static_cast<std::ptrdiff_t>(i), r);
      return true;
    }
  }
  if (i + 1 == capacity_) return false;
  regions_.push_back(r);
  return true;
}

// merge_regions(): join neighbours that now touch.
void ReservedList::merge() {
  for (size_t i = 1; i < regions_.size();) {
    if (regions_[i - 1].end == regions_[i].start) {
      regions_[i - 1].end = regions_[i].end;
      regions_.erase(regions_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
}

}  // namespace boot

// ---------------------------------------------------------------------------
// The replay of try_init_kernel's memory steps.
namespace {

using boot::bit;

class Emulator {
 public:
  Emulator(const BootFacts& facts, const BootInputs& inputs, Diagnostics& diags)
      : f_(facts), in_(inputs), diags_(diags), reserved_(facts.max_num_resv_reg()),
        freemem_(facts.max_num_freemem_reg()) {}

  std::optional<BootResult> run();

 private:
  uint64_t to_pptr(uint64_t paddr) const { return paddr + f_.pptr_offset; }
  uint64_t to_paddr(uint64_t pptr) const { return pptr - f_.pptr_offset; }
  Region to_pptr(Region p) const { return {to_pptr(p.start), to_pptr(p.end)}; }
  Region to_paddr(Region v) const { return {to_paddr(v.start), to_paddr(v.end)}; }
  uint64_t page() const { return bit(f_.page_bits); }

  bool fail(std::string id, std::string message, std::string hint = {}) {
    diags_.error(std::move(id), {}, {}, std::move(message), std::move(hint));
    return false;
  }

  bool check_inputs();
  bool plan_virtual_layout();
  bool reserve(Region paddr_region);
  bool arch_init_freemem();
  struct Named {
    Region pptr;
    const char* name;
  };
  bool init_freemem(const std::vector<Named>& boot_reserved);
  bool check_memory();
  bool subtract_reserved(std::vector<Region>& avail, const std::vector<Region>& res);
  bool check_reserved(const std::vector<Named>& boot_reserved);
  std::optional<std::vector<Region>> available_in_window();
  bool insert_region(Region pptr_region);
  bool place_rootserver();
  uint64_t rootserver_size() const;
  unsigned rootserver_max_bits() const;
  void create_rootserver_objects(uint64_t start);
  uint64_t alloc(unsigned size_bits, uint64_t n = 1);
  void maybe_alloc_extra_bi(unsigned cmp_bits);
  bool provide_caps(uint64_t n, SlotRegion& region, const char* what);
  bool provide_initial_caps();
  bool create_untypeds();
  bool create_untypeds_for_region(bool device, Region pptr_region);
  bool provide_untyped(bool device, uint64_t pptr, unsigned size_bits);

  const BootFacts& f_;
  const BootInputs& in_;
  Diagnostics& diags_;
  boot::ReservedList reserved_;      // ndks_boot.reserved (physical)
  std::vector<Region> freemem_;      // ndks_boot.freemem (kernel-virtual); empty = free slot
  Region dtb_;                       // dtb_p_reg
  Region it_v_reg_;
  unsigned extra_bi_bits_ = 0;
  Region rootserver_mem_;            // kernel-virtual, consumed by alloc()
  uint64_t slot_ = 0;                // ndks_boot.slot_pos_cur
  uint64_t first_untyped_slot_ = 0;
  BootResult result_;
};

// Steps, in try_init_kernel's order:
//   1. check what the loader passes; lay out the root task's virtual region;
//   2. map_kernel_devices reserves the kernel's own device frames;
//   3. arch_init_freemem/init_freemem: free memory minus reserved regions,
//      and the root server block carved from the top of it;
//   4. the caps the kernel hands out before untypeds (paging, extra
//      bootinfo, sched control, user image frames) fix the first untyped slot;
//   5. create_untypeds; 6. bi_finalise.
std::optional<BootResult> Emulator::run() {
  if (!check_inputs() || !plan_virtual_layout()) return std::nullopt;
  for (const Region& r : f_.kernel_devices) {
    if (!reserve(r)) return std::nullopt;
  }
  if (!arch_init_freemem()) return std::nullopt;
  if (!provide_initial_caps()) return std::nullopt;
  if (!create_untypeds()) return std::nullopt;
  // Where RAM is found at boot, the number of untypeds is not known: the
  // plan's free slots start after the most the kernel hands out.
  uint64_t empty = f_.ram_found_at_boot ? first_untyped_slot_ + f_.max_bootinfo_untypeds : slot_;
  result_.empty = {std::max(empty, slot_), bit(f_.root_cnode_bits)};
  return std::move(result_);
}

bool Emulator::check_inputs() {
  const Region& ui = in_.user_image;
  if (ui.end < ui.start) {
    return fail("boot-user-image-invalid",
                "the user image " + range_text(ui) + " ends before it starts",
                "this is a bug in the tool's image layout; please report it");
  }
  if (ui.start % page() != 0 || ui.end % page() != 0 || in_.user_image_vaddr % page() != 0) {
    return fail("boot-user-image-unaligned",
                "the user image " + range_text(ui) + " at virtual address " +
                    hex(in_.user_image_vaddr) + " is not page aligned",
                "the kernel maps the user image page by page; start, end and virtual "
                "address must be multiples of " + hex(page()));
  }
  result_.extra_bootinfo_size = f_.extra_bootinfo_bytes;
  if (in_.dtb_size == 0) return true;
  uint64_t dtb_end = in_.dtb_paddr + in_.dtb_size;
  if (dtb_end < in_.dtb_paddr || dtb_end >= f_.paddr_top) {
    return fail("boot-dtb-outside-kernel-window",
                "the device tree at " + hex(in_.dtb_paddr) + " (" + std::to_string(in_.dtb_size) +
                    " bytes) is not below the kernel window's end " + hex(f_.paddr_top),
                "place the device tree in RAM the kernel can reach");
  }
  // As the kernel: a DTB at physical address 0 is passed on but not reserved.
  if (in_.dtb_paddr != 0) dtb_ = {in_.dtb_paddr, dtb_end};
  result_.extra_bootinfo_size += f_.bootinfo_header_size + in_.dtb_size;
  return true;
}

// ipcbuf, bootinfo and extra bootinfo follow the user image in the root
// task's address space; it_v_reg covers all of them.
bool Emulator::plan_virtual_layout() {
  uint64_t ui_v_end = in_.user_image_vaddr + in_.user_image.size();
  result_.ipc_buffer_vaddr = ui_v_end;
  result_.bootinfo_vaddr = ui_v_end + page();
  result_.extra_bootinfo_vaddr = result_.bootinfo_vaddr + bit(f_.bootinfo_frame_bits);
  extra_bi_bits_ = boot::extra_bi_size_bits(result_.extra_bootinfo_size, f_.page_bits);
  uint64_t extra = extra_bi_bits_ > 0 ? bit(extra_bi_bits_) : 0;
  it_v_reg_ = {in_.user_image_vaddr, result_.extra_bootinfo_vaddr + extra};
  if (it_v_reg_.end < it_v_reg_.start || it_v_reg_.end >= f_.user_top) {
    return fail("boot-user-image-above-user-top",
                "the initial task's address space " + range_text(it_v_reg_) +
                    " (user image, IPC buffer and boot info) reaches the end of user space " +
                    hex(f_.user_top),
                "link the initial task at a lower virtual address or make the image smaller");
  }
  return true;
}

bool Emulator::reserve(Region r) {
  if (reserved_.reserve(r)) return true;
  return fail("boot-reserved-regions-exhausted",
              "the kernel cannot mark " + range_text(r) + " as reserved: all " +
                  std::to_string(f_.max_num_resv_reg()) + " reserved-region slots are in use",
              "the memory layout is too fragmented for this kernel (MAX_NUM_RESV_REG)");
}

// The kernel image, the DTB and the user image, in this order, must be
// ascending and disjoint (check_reserved_memory).
bool Emulator::arch_init_freemem() {
  if (f_.ram_found_at_boot) {
    // x86: one region from KERNEL_ELF_PADDR_BASE to the user image's end.
    Region res{f_.reserved_base, in_.user_image.end};
    return init_freemem({{to_pptr(res), "kernel and user image"}});
  }
  std::vector<Named> boot_reserved{{to_pptr(f_.kernel_image), "kernel image"}};
  if (!dtb_.empty()) boot_reserved.push_back({to_pptr(dtb_), "device tree"});
  bool ui_in_window = in_.user_image.start < f_.paddr_top;
  if (f_.arch == board::Arch::RiscV64 || ui_in_window) {
    boot_reserved.push_back({to_pptr(in_.user_image), "user image"});
  } else if (!reserve(in_.user_image)) {
    return false;  // ARM: kept out of device untypeds all the same
  }
  return init_freemem(boot_reserved);
}

bool Emulator::check_reserved(const std::vector<Named>& res) {
  for (size_t i = 0; i < res.size(); ++i) {
    Region here = to_paddr(res[i].pptr);
    if (res[i].pptr.start > res[i].pptr.end) {
      return fail("boot-reserved-region-invalid",
                  std::string("the ") + res[i].name + " " + range_text(here) +
                      " ends before it starts",
                  "this is a bug in the tool's image layout; please report it");
    }
    if (i > 0 && res[i].pptr.start < res[i - 1].pptr.end) {
      return fail("boot-reserved-regions-out-of-order",
                  std::string("the ") + res[i].name + " " + range_text(here) +
                      " starts below the end of the " + res[i - 1].name + " " +
                      range_text(to_paddr(res[i - 1].pptr)),
                  "the kernel requires kernel image < device tree < user image in physical "
                  "memory, without overlap");
    }
  }
  return true;
}

// init_avail_reg: the parts of RAM inside the kernel window, as pptrs.
std::optional<std::vector<Region>> Emulator::available_in_window() {
  std::vector<Region> avail;
  for (const Region& r : f_.memory) {
    if (r.start >= f_.paddr_top || r.end <= f_.paddr_base) continue;  // device untyped only
    Region usable{std::max(r.start, f_.paddr_base), std::min(r.end, f_.paddr_top)};
    if (avail.size() >= freemem_.size()) {
      fail("boot-too-many-memory-regions",
           "the kernel cannot use RAM " + range_text(r) + ": its table of " +
               std::to_string(freemem_.size()) + " available regions is full",
           "the kernel package's platform has more memory regions than MAX_NUM_FREEMEM_REG");
      return std::nullopt;
    }
    avail.push_back(to_pptr(usable));
  }
  return avail;
}

bool Emulator::insert_region(Region reg) {
  if (reg.empty()) return true;
  for (Region& slot : freemem_) {
    if (slot.empty()) {
      if (!reserve(to_paddr(reg))) return false;
      slot = reg;
      return true;
    }
  }
  return fail("boot-freemem-regions-exhausted",
              "the kernel has no free-memory slot left for " + range_text(to_paddr(reg)) +
                  " (MAX_NUM_FREEMEM_REG is " + std::to_string(freemem_.size()) + ")",
              "the memory layout is too fragmented for this kernel");
}

// The platform's RAM list must be ascending and without empty regions
// (check_available_memory).
bool Emulator::check_memory() {
  for (size_t i = 0; i < f_.memory.size(); ++i) {
    const Region& r = f_.memory[i];
    if (r.start >= r.end || (i > 0 && r.start < f_.memory[i - 1].end)) {
      return fail("boot-memory-regions-invalid",
                  "the platform's memory region " + range_text(r) +
                      " is empty or out of order",
                  "the kernel package's platform_gen.json is inconsistent");
    }
  }
  return true;
}

// init_freemem: the usable RAM minus the boot-reserved regions goes into
// the freemem slots; then the root server block is carved from it.
bool Emulator::init_freemem(const std::vector<Named>& named) {
  if (!check_memory()) return false;
  std::optional<std::vector<Region>> avail = available_in_window();
  if (!avail) return false;
  if (avail->empty()) {
    return fail("boot-no-memory-in-kernel-window", "no RAM lies inside the kernel window",
                "the kernel package's platform has no usable memory");
  }
  if (!check_reserved(named)) return false;
  std::vector<Region> res;
  for (const Named& n : named) res.push_back(n.pptr);
  return subtract_reserved(*avail, res) && place_rootserver();
}

// The kernel's walk over RAM and the boot-reserved regions together, both
// ascending: free pieces are inserted (and reserved) in address order, the
// reserved regions reserved, in the same sequence as the kernel's calls.
bool Emulator::subtract_reserved(std::vector<Region>& avail, const std::vector<Region>& res) {
  size_t a = 0, r = 0;
  while (a < avail.size() && r < res.size()) {
    if (res[r].start == res[r].end) {
      ++r;
    } else if (avail[a].start >= avail[a].end) {
      ++a;
    } else if (res[r].end <= avail[a].start) {
      if (!reserve(to_paddr(res[r]))) return false;
      ++r;
    } else if (res[r].start >= avail[a].end) {
      if (!insert_region(avail[a])) return false;
      ++a;
    } else if (res[r].start <= avail[a].start) {
      avail[a].start = std::min(avail[a].end, res[r].end);
    } else {
      if (!insert_region({avail[a].start, res[r].start})) return false;
      if (avail[a].end > res[r].end) {
        avail[a].start = res[r].end;
      } else {
        ++a;
      }
    }
  }
  for (; r < res.size(); ++r) {
    if (res[r].start < res[r].end && !reserve(to_paddr(res[r]))) return false;
  }
  for (; a < avail.size(); ++a) {
    if (avail[a].start < avail[a].end && !insert_region(avail[a])) return false;
  }
  return true;
}

unsigned Emulator::rootserver_max_bits() const {
  unsigned cnode_bits = f_.root_cnode_bits + f_.slot_bits;
  return std::max({cnode_bits, f_.vspace_bits, extra_bi_bits_});
}

uint64_t Emulator::rootserver_size() const {
  uint64_t size = bit(f_.root_cnode_bits + f_.slot_bits) + bit(f_.tcb_bits) + page() +
                  bit(f_.bootinfo_frame_bits) + bit(f_.asid_pool_bits) + bit(f_.vspace_bits);
  if (extra_bi_bits_ > 0) size += bit(extra_bi_bits_);
  if (f_.mcs) size += bit(f_.min_sched_context_bits);
  return size + boot::n_paging(it_v_reg_, f_.paging_level_bits) * bit(f_.page_table_bits);
}

// The top-most aligned chunk of the highest free region that fits; regions
// too small are shuffled up one slot (exactly as the kernel does, since the
// slot order becomes the untyped order).
bool Emulator::place_rootserver() {
  if (!freemem_.back().empty()) {
    return fail("boot-freemem-regions-exhausted",
                "the kernel's free-memory table (MAX_NUM_FREEMEM_REG = " +
                    std::to_string(freemem_.size()) + ") has no room left for the root server",
                "the memory layout is too fragmented for this kernel");
  }
  auto i = static_cast<std::ptrdiff_t>(freemem_.size()) - 1;
  while (i >= 0 && freemem_[i].empty()) --i;
  uint64_t size = rootserver_size();
  unsigned max_bits = rootserver_max_bits();
  for (; i >= 0; --i) {
    Region& cand = freemem_[i];
    uint64_t unaligned = cand.end - size;
    uint64_t start = boot::round_down(unaligned, max_bits);
    if (unaligned <= cand.end && start >= cand.start) {
      create_rootserver_objects(start);
      freemem_[i + 1] = {start + size, cand.end};
      cand.end = start;
      return true;
    }
    freemem_[i + 1] = cand;
    cand = {};
  }
  return fail("boot-out-of-memory-for-rootserver",
              "no free memory region can hold the initial task's kernel objects (" +
                  std::to_string(size) + " bytes aligned to 2^" + std::to_string(max_bits) + ")",
              "make the user image smaller, or use a board with more memory");
}

uint64_t Emulator::alloc(unsigned size_bits, uint64_t n) {
  uint64_t at = rootserver_mem_.start;
  rootserver_mem_.start += n * bit(size_bits);
  return to_paddr(at);
}

void Emulator::maybe_alloc_extra_bi(unsigned cmp_bits) {
  if (extra_bi_bits_ >= cmp_bits && result_.rootserver.extra_bootinfo == 0) {
    result_.rootserver.extra_bootinfo = alloc(extra_bi_bits_);
  }
}

// create_rootserver_objects: largest first, so each stays aligned.
void Emulator::create_rootserver_objects(uint64_t start) {
  RootserverObjects& rs = result_.rootserver;
  uint64_t size = rootserver_size();
  rootserver_mem_ = {start, start + size};
  rs.block = to_paddr(rootserver_mem_);
  unsigned cnode_bits = f_.root_cnode_bits + f_.slot_bits;
  maybe_alloc_extra_bi(rootserver_max_bits());
  if (cnode_bits > f_.vspace_bits) {
    rs.cnode = alloc(cnode_bits);
    maybe_alloc_extra_bi(f_.vspace_bits);
    rs.vspace = alloc(f_.vspace_bits);
  } else {
    rs.vspace = alloc(f_.vspace_bits);
    maybe_alloc_extra_bi(cnode_bits);
    rs.cnode = alloc(cnode_bits);
  }
  maybe_alloc_extra_bi(f_.page_bits);
  rs.asid_pool = alloc(f_.asid_pool_bits);
  rs.ipc_buffer = alloc(f_.page_bits);
  rs.boot_info = alloc(f_.bootinfo_frame_bits);
  if (f_.tcb_bits >= f_.page_table_bits) rs.tcb = alloc(f_.tcb_bits);
  rs.paging_count = boot::n_paging(it_v_reg_, f_.paging_level_bits);
  rs.paging = alloc(f_.page_table_bits, rs.paging_count);
  if (f_.tcb_bits < f_.page_table_bits) rs.tcb = alloc(f_.tcb_bits);
  if (f_.mcs) rs.sched_context = alloc(f_.min_sched_context_bits);
}

bool Emulator::provide_caps(uint64_t n, SlotRegion& region, const char* what) {
  region.start = slot_;
  if (slot_ + n > bit(f_.root_cnode_bits)) {
    return fail("boot-root-cnode-full",
                std::string("the initial task's CNode (2^") + std::to_string(f_.root_cnode_bits) +
                    " slots) has no room for the caps to its " + what,
                "make the user image smaller (the kernel gives one cap per 4 KiB page)");
  }
  slot_ += n;
  region.end = slot_;
  return true;
}

// Caps the kernel places after seL4_NumInitialCaps, in its order.
bool Emulator::provide_initial_caps() {
  slot_ = f_.num_initial_caps;
  uint64_t extra_pages = (result_.extra_bootinfo_size + page() - 1) / page();
  uint64_t ui_pages = in_.user_image.size() / page();
  BootResult& r = result_;
  auto sched_control = [&] {
    return !f_.mcs || provide_caps(f_.num_nodes, r.sched_control, "sched control caps");
  };
  if (f_.sched_control_before_paging && !sched_control()) return false;
  if (!provide_caps(r.rootserver.paging_count, r.user_image_paging, "page tables")) return false;
  // Without extra bootinfo the kernel leaves extraBIPages zeroed: [0, 0).
  if (extra_pages > 0 &&
      !provide_caps(extra_pages, r.extra_bootinfo_pages, "extra boot info pages")) {
    return false;
  }
  if (!f_.sched_control_before_paging && !sched_control()) return false;
  return provide_caps(ui_pages, r.user_image_frames, "user image pages");
}

// create_untypeds: device memory between reserved regions, then the
// kernel's boot-only image part, then free RAM in slot order.
bool Emulator::create_untypeds() {
  first_untyped_slot_ = slot_;
  uint64_t start = 0;
  for (const Region& r : reserved_.regions()) {
    if (start < r.start && !create_untypeds_for_region(true, to_pptr(Region{start, r.start}))) {
      return false;
    }
    start = r.end;
  }
  if (start <= f_.paddr_user_device_top - 1 &&
      !create_untypeds_for_region(true, to_pptr(Region{start, f_.paddr_user_device_top}))) {
    return false;
  }
  Region boot_part{f_.kernel_image.start, f_.kernel_boot_end};
  if (!create_untypeds_for_region(false, to_pptr(boot_part))) return false;
  for (Region& reg : freemem_) {
    if (!create_untypeds_for_region(false, reg)) return false;
    reg = {};
  }
  result_.untyped = {first_untyped_slot_, slot_};
  return true;
}

bool Emulator::create_untypeds_for_region(bool device, Region reg) {
  for (const boot::Block& b : boot::split_region(reg, f_.min_untyped_bits, f_.max_untyped_bits)) {
    if (!provide_untyped(device, b.start, b.size_bits)) return false;
  }
  return true;
}

// provide_untyped_cap: the kernel's sanity checks cannot fail for blocks
// from split_region, except the window check, which guards the facts.
bool Emulator::provide_untyped(bool device, uint64_t pptr, unsigned size_bits) {
  uint64_t window_start = to_pptr(f_.paddr_base), window_end = to_pptr(f_.paddr_top);
  uint64_t last = pptr + (bit(size_bits) - 1);
  if (!device && (pptr < window_start || pptr >= window_end || last >= window_end)) {
    return fail("boot-untyped-outside-kernel-window",
                "free memory at " + hex(to_paddr(pptr)) + " (2^" + std::to_string(size_bits) +
                    " bytes) lies outside the kernel window",
                "the kernel package's facts are inconsistent");
  }
  if (slot_ - first_untyped_slot_ >= f_.max_bootinfo_untypeds) {
    ++result_.untypeds_dropped;
    return true;
  }
  SlotRegion one;
  if (!provide_caps(1, one, "untyped memory")) return false;
  result_.untypeds.push_back({to_paddr(pptr), static_cast<uint8_t>(size_bits), device});
  return true;
}

}  // namespace

std::optional<BootResult> emulate_boot(const BootFacts& facts, const BootInputs& inputs,
                                       Diagnostics& diags) {
  std::optional<BootResult> result = Emulator(facts, inputs, diags).run();
  if (result && result->untypeds_dropped > 0) {
    diags.warning("boot-untypeds-dropped", {}, {},
                  "the kernel will drop " + std::to_string(result->untypeds_dropped) +
                      " untyped objects: boot info holds only " +
                      std::to_string(facts.max_bootinfo_untypeds),
                  "the dropped memory cannot be used; the memory layout is too fragmented");
  }
  return result;
}

// ---------------------------------------------------------------------------
// From a kernel package.
namespace {

bool package_error(Diagnostics& diags, const KernelPackage& pkg, std::string message,
                   std::string hint) {
  diags.error("boot-emulation-unsupported", pkg.dir, {}, std::move(message), std::move(hint));
  return false;
}

bool set_arch_from_package(BootFacts& f, const KernelPackage& pkg, Diagnostics& diags) {
  const KernelConfig& c = pkg.config;
  arch::LayoutConfig layout;
  layout.aarch64_hyp = c.hypervisor;
  layout.aarch64_pa_40 = c.arm_pa_size_bits.value_or(40) == 40;
  layout.riscv_pt_levels = c.riscv_pt_levels.value_or(3);
  if (!arch::traits(c.arch)) {
    return package_error(diags, pkg, std::string("cannot plan for a ") + board::arch_name(c.arch) + " kernel",
                         "use a kernel package for AArch64, RISC-V 64 or x86-64");
  }
  return set_arch_constants(f, c.arch, layout, diags);
}

// x86-64: the memory facts of the machine planning assumes (arch/x86_64).
void set_assumed_machine(BootFacts& f, const arch::AssumedMachine& m) {
  f.ram_found_at_boot = true;
  for (const auto& r : m.memory) f.memory.push_back({r.start, r.end});
  for (const auto& r : m.kernel_devices) f.kernel_devices.push_back({r.start, r.end});
  f.num_kernel_device_frames = 0;
  f.reserved_capacity_extra = m.reserved_capacity_extra;
  f.reserved_base = m.kernel_reserved_base;
  f.extra_bootinfo_bytes = m.extra_bootinfo_bytes;
}

// Kernel image: [physBase, ki_end) with the ELF's virtual-physical offset.
bool set_kernel_image(BootFacts& f, const KernelPackage& pkg, Diagnostics& diags) {
  if (pkg.segments.empty() || pkg.ki_end == 0 || pkg.ki_boot_end == 0) {
    return package_error(diags, pkg, "the kernel's segments or ki_boot_end/ki_end are missing",
                         "use a complete kernel package");
  }
  // The kernel window's offset is the one of the segment mapped highest (on
  // x86 the lowest segment is the identity-mapped multiboot entry).
  const KernelSegment* base = &pkg.segments.front();
  const KernelSegment* high = base;
  for (const KernelSegment& s : pkg.segments) {
    if (s.paddr < base->paddr) base = &s;
    if (s.vaddr > high->vaddr) high = &s;
  }
  uint64_t offset = high->vaddr - high->paddr;
  f.kernel_image = {base->paddr, pkg.ki_end - offset};
  f.kernel_boot_end = pkg.ki_boot_end - offset;
  return true;
}

void set_sizes(BootFacts& f, const ObjectSizes& s) {
  f.slot_bits = s.slot;
  f.tcb_bits = s.tcb;
  f.page_bits = s.page;
  f.page_table_bits = s.page_table;
  f.vspace_bits = s.vspace;
  f.asid_pool_bits = s.asid_pool;
  f.bootinfo_frame_bits = s.bootinfo_frame;
  f.min_sched_context_bits = s.min_sched_context;
  f.min_untyped_bits = s.min_untyped;
  f.max_untyped_bits = s.max_untyped;
  f.user_top = s.user_top;
}

std::vector<Region> to_regions(const std::vector<MemoryRange>& ranges) {
  std::vector<Region> out;
  for (const MemoryRange& r : ranges) out.push_back({r.start, r.end});
  return out;
}

}  // namespace

std::optional<BootFacts> boot_facts(const KernelPackage& pkg, Diagnostics& diags) {
  BootFacts f;
  if (!set_arch_from_package(f, pkg, diags) || !set_kernel_image(f, pkg, diags)) {
    return std::nullopt;
  }
  set_sizes(f, pkg.sizes);
  const KernelConfig& c = pkg.config;
  f.paddr_user_device_top = c.paddr_user_device_top;
  f.root_cnode_bits = c.root_cnode_size_bits;
  f.mcs = c.mcs;
  f.num_nodes = c.max_num_nodes;
  if (auto v = c.get("MAX_NUM_BOOTINFO_UNTYPED_CAPS")) {
    ParsedU64 n = parse_u64(*v);
    if (!n.ok()) {
      return package_error(diags, pkg, "MAX_NUM_BOOTINFO_UNTYPED_CAPS is not a number",
                           "use a complete kernel package"),
             std::nullopt;
    }
    f.max_bootinfo_untypeds = n.value;
  }
  const arch::Traits& traits = *arch::traits(f.arch);
  if (traits.assumed_machine) {
    set_assumed_machine(f, *traits.assumed_machine());
    return f;
  }
  f.memory = to_regions(pkg.memory);
  f.kernel_devices = kernel_device_regions(f.memory, to_regions(pkg.devices),
                                           f.paddr_user_device_top);
  // The kernel counts frames (4 KiB on ARM, 2 MiB on RISC-V); user-visible
  // ones (the debug UART) are not in platform_gen.json, so this count, and
  // the reserved-region limit it feeds, are lower bounds: conservative.
  for (const Region& r : f.kernel_devices)
    f.num_kernel_device_frames += r.size() >> traits.kernel_device_frame_bits;
  return f;
}

std::optional<BootResult> emulate_boot(const KernelPackage& package, const BootInputs& inputs,
                                       Diagnostics& diags) {
  std::optional<BootFacts> facts = boot_facts(package, diags);
  if (!facts) return std::nullopt;
  return emulate_boot(*facts, inputs, diags);
}

}  // namespace microkit::kernel
