#include "kernel/boot_emulation.h"

#include "kernel/kernel_package.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kernel/test_facts.h"

namespace microkit::kernel {
namespace {

using boot::Block;

}  // namespace

// Readable failures (gtest would print padding bytes).
void PrintTo(const UntypedObject& u, std::ostream* os) {
  *os << std::hex << "{0x" << u.paddr << ", " << std::dec << int(u.size_bits)
      << (u.is_device ? ", dev}" : "}");
}
void PrintTo(const Region& r, std::ostream* os) {
  *os << std::hex << "[0x" << r.start << "..0x" << r.end << ")";
}
void PrintTo(const SlotRegion& r, std::ostream* os) { *os << "[" << r.start << ".." << r.end << ")"; }
namespace boot {
void PrintTo(const Block& b, std::ostream* os) {
  *os << std::hex << "{0x" << b.start << ", " << std::dec << b.size_bits << "}";
}
}  // namespace boot

namespace {

// ---------------------------------------------------------------------------
// Facts of the reference builds in ../shared/sel4-16.0.0/<board>/debug/.

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
}

std::vector<Region> regions(const nlohmann::json& list) {
  std::vector<Region> out;
  for (const auto& r : list) out.push_back({r["start"].get<uint64_t>(), r["end"].get<uint64_t>()});
  return out;
}

std::string shared_dir(const std::string& board) {
  return test_support::facts_dir(board);
}

BootFacts shared_facts(const std::string& board) {
  Diagnostics d;
  std::optional<KernelPackage> pkg = load_kernel_package(shared_dir(board), d);
  EXPECT_TRUE(pkg) << (d.empty() ? "" : render(d.all()[0]));
  if (!pkg) return {};
  std::optional<BootFacts> f = boot_facts(*pkg, d);
  EXPECT_TRUE(f) << (d.empty() ? "" : render(d.all()[0]));
  return f ? *f : BootFacts{};
}

std::string describe(const Diagnostics& d) {
  std::string out;
  for (const Diagnostic& x : d.all()) out += render(x) + "\n";
  return out;
}

const Diagnostic* find_id(const Diagnostics& d, std::string_view id) {
  for (const Diagnostic& x : d.all())
    if (x.id == id) return &x;
  return nullptr;
}

bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1) { return a0 < b1 && b0 < a1; }

// Properties every successful result must have, whatever the layout.
void expect_well_formed(const BootFacts& f, const BootInputs& in, const BootResult& r) {
  for (size_t i = 0; i < r.untypeds.size(); ++i) {
    const UntypedObject& u = r.untypeds[i];
    SCOPED_TRACE("untyped " + std::to_string(i));
    // Aligned to its size as a kernel-virtual address (as the kernel cuts
    // them): on x86 device memory above 2^39 is not physically aligned.
    EXPECT_EQ((u.paddr + f.pptr_offset) % u.size(), 0u);
    EXPECT_GE(u.size_bits, f.min_untyped_bits);
    EXPECT_LE(u.size_bits, f.max_untyped_bits);
    if (i > 0) {
      EXPECT_FALSE(overlaps(u.paddr, u.end(), r.untypeds[i - 1].paddr, r.untypeds[i - 1].end()));
    }
    EXPECT_FALSE(overlaps(u.paddr, u.end(), r.rootserver.block.start, r.rootserver.block.end));
    EXPECT_FALSE(overlaps(u.paddr, u.end(), in.user_image.start, in.user_image.end));
    EXPECT_FALSE(overlaps(u.paddr, u.end(), f.kernel_boot_end, f.kernel_image.end));
    for (const Region& k : f.kernel_devices) EXPECT_FALSE(overlaps(u.paddr, u.end(), k.start, k.end));
  }
  // Pairwise disjoint (the list is not sorted: device memory comes first).
  std::vector<UntypedObject> sorted = r.untypeds;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.paddr < b.paddr; });
  for (size_t i = 1; i < sorted.size(); ++i) EXPECT_LE(sorted[i - 1].end(), sorted[i].paddr);
  EXPECT_EQ(r.untyped.end - r.untyped.start, r.untypeds.size());
  // Where RAM is found at boot the plan's free slots start after the most
  // untypeds the kernel can hand out.
  EXPECT_EQ(r.empty.start, f.ram_found_at_boot ? r.untyped.start + f.max_bootinfo_untypeds : r.untyped.end);
}

// ---------------------------------------------------------------------------
// Arithmetic helpers.

TEST(BootArithmetic, ExtraBootinfoSizeBits) {
  EXPECT_EQ(boot::extra_bi_size_bits(0, 12), 0u);
  EXPECT_EQ(boot::extra_bi_size_bits(1, 12), 12u);
  EXPECT_EQ(boot::extra_bi_size_bits(4096, 12), 12u);
  EXPECT_EQ(boot::extra_bi_size_bits(4097, 12), 13u);
  EXPECT_EQ(boot::extra_bi_size_bits(0x100000 + 16, 12), 21u);  // a 1 MiB DTB plus header
  EXPECT_EQ(boot::extra_bi_size_bits(0x100000, 12), 20u);
}

TEST(BootArithmetic, PagingStructuresCountEveryLevel) {
  // 2 MiB-aligned region of 4 MiB + 8 KiB: one 1 GiB table, three 2 MiB tables.
  EXPECT_EQ(boot::n_paging({0x200000, 0x602000}, {30, 21}), 1u + 3u);
  // Straddling a 1 GiB boundary needs two tables at that level.
  EXPECT_EQ(boot::n_paging({0x3fe00000, 0x40001000}, {30, 21}), 2u + 2u);
  EXPECT_EQ(boot::n_paging({0x1000, 0x2000}, {39, 30, 21}), 3u);
}

TEST(BootArithmetic, SplitRegionIntoAlignedBlocks) {
  EXPECT_EQ(boot::split_region({0x1000, 0x10000}, 4, 47),
            (std::vector<Block>{{0x1000, 12}, {0x2000, 13}, {0x4000, 14}, {0x8000, 15}}));
  // Capped at max_bits.
  EXPECT_EQ(boot::split_region({0, 0x400}, 4, 9), (std::vector<Block>{{0, 9}, {0x200, 9}}));
  // Pieces under min_bits are skipped, not rounded.
  EXPECT_EQ(boot::split_region({0x8, 0x40}, 4, 47),
            (std::vector<Block>{{0x10, 4}, {0x20, 5}}));
  EXPECT_TRUE(boot::split_region({0x5000, 0x5000}, 4, 47).empty());
}

TEST(BootArithmetic, SplitRegionThatWrapsAroundTheAddressSpace) {
  // Device memory above a high kernel window wraps past 2^64 in pptr space.
  auto blocks = boot::split_region({0xfffffffffff00000, 0x100000}, 4, 47);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0], (Block{0xfffffffffff00000, 20}));
  EXPECT_EQ(blocks[1], (Block{0, 20}));
}

TEST(BootArithmetic, ReservedListMergesTouchingRegions) {
  boot::ReservedList list(8);
  EXPECT_TRUE(list.reserve({0x3000, 0x4000}));
  EXPECT_TRUE(list.reserve({0x1000, 0x2000}));
  EXPECT_TRUE(list.reserve({0x5000, 0x6000}));
  EXPECT_TRUE(list.reserve({0x0, 0x0}));  // empty: ignored
  EXPECT_EQ(list.regions(),
            (std::vector<Region>{{0x1000, 0x2000}, {0x3000, 0x4000}, {0x5000, 0x6000}}));
  EXPECT_TRUE(list.reserve({0x2000, 0x3000}));  // closes the first gap: three become...
  EXPECT_EQ(list.regions(), (std::vector<Region>{{0x1000, 0x4000}, {0x5000, 0x6000}}));
  EXPECT_TRUE(list.reserve({0x4000, 0x5000}));
  EXPECT_EQ(list.regions(), (std::vector<Region>{{0x1000, 0x6000}}));
}

TEST(BootArithmetic, ReservedListHasTheKernelsCapacity) {
  // Like the kernel, inserting in the middle needs one spare entry and
  // appending fails when the last entry would be used.
  boot::ReservedList list(3);
  EXPECT_TRUE(list.reserve({0x1000, 0x2000}));
  EXPECT_TRUE(list.reserve({0x5000, 0x6000}));
  EXPECT_FALSE(list.reserve({0x8000, 0x9000}));
  EXPECT_FALSE(list.reserve({0x3000, 0x4000}));
  EXPECT_TRUE(list.reserve({0x2000, 0x3000}));  // merging needs no new entry
}

TEST(BootFacts, KernelDevicesAreTheHolesInThePlatformMap) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  EXPECT_EQ(f.kernel_devices, (std::vector<Region>{{0x8000000, 0x8001000},
                                                   {0x8010000, 0x8011000},
                                                   {0x8030000, 0x8031000}}));
  BootFacts rv = shared_facts("qemu_virt_riscv64");
  EXPECT_EQ(rv.kernel_devices,
            (std::vector<Region>{{0x2000000, 0x2200000}, {0xc000000, 0xc600000}}));
}

TEST(BootFacts, KernelWindowOfEachArchitecture) {
  BootFacts f = shared_facts("qemu_virt_aarch64");  // EL2, 40-bit PA
  EXPECT_EQ(f.pptr_offset, 0x8000000000u);
  EXPECT_EQ(f.paddr_top, 0x7fc0000000u);
  EXPECT_EQ(f.paging_level_bits, (std::vector<unsigned>{30, 21}));
  EXPECT_EQ(f.kernel_image, (Region{0x60000000, 0x6025e000}));
  EXPECT_EQ(f.kernel_boot_end, 0x60010000u);
  BootFacts rv = shared_facts("qemu_virt_riscv64");
  EXPECT_EQ(rv.pptr_offset, 0xffffffc000000000u);
  EXPECT_EQ(rv.paddr_top, 0x3f80000000u);
  EXPECT_EQ(rv.kernel_image, (Region{0x80200000, 0x80238000}));
  EXPECT_EQ(rv.kernel_boot_end, 0x80203000u);
}

// ---------------------------------------------------------------------------
// Whole boots on the reference kernels.

BootInputs aarch64_layout() {
  BootInputs in;
  in.user_image = {0x60400000, 0x60600000};  // 2 MiB, above the kernel
  in.user_image_vaddr = 0x200000;
  return in;
}

TEST(EmulateBoot, Aarch64UntypedListIsExact) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  Diagnostics d;
  auto r = emulate_boot(f, aarch64_layout(), d);
  ASSERT_TRUE(r) << describe(d);
  EXPECT_TRUE(d.empty()) << describe(d);
  std::vector<UntypedObject> expected = {
      // Device memory below the GIC, between and after its kernel frames.
      {0x0, 27, true},
      {0x8001000, 12, true}, {0x8002000, 13, true}, {0x8004000, 14, true}, {0x8008000, 15, true},
      {0x8011000, 12, true}, {0x8012000, 13, true}, {0x8014000, 14, true}, {0x8018000, 15, true},
      {0x8020000, 16, true},
      {0x8031000, 12, true}, {0x8032000, 13, true}, {0x8034000, 14, true}, {0x8038000, 15, true},
      {0x8040000, 18, true}, {0x8080000, 19, true}, {0x8100000, 20, true}, {0x8200000, 21, true},
      {0x8400000, 22, true}, {0x8800000, 23, true}, {0x9000000, 24, true}, {0xa000000, 25, true},
      {0xc000000, 26, true}, {0x10000000, 28, true}, {0x20000000, 29, true},
      {0x40000000, 29, true},
      // Device memory above RAM, up to PADDR_USER_DEVICE_TOP (2^40).
      {0xc0000000, 30, true}, {0x100000000, 32, true}, {0x200000000, 33, true},
      {0x400000000, 34, true}, {0x800000000, 35, true}, {0x1000000000, 36, true},
      {0x2000000000, 37, true}, {0x4000000000, 38, true}, {0x8000000000, 39, true},
      // The kernel's boot-only code and data.
      {0x60000000, 16, false},
      // freemem[0]: between kernel and user image.
      {0x6025e000, 13, false}, {0x60260000, 17, false}, {0x60280000, 19, false},
      {0x60300000, 20, false},
      // freemem[1]: after the user image, up to the root server block.
      {0x60600000, 21, false}, {0x60800000, 23, false}, {0x61000000, 24, false},
      {0x62000000, 25, false}, {0x64000000, 26, false}, {0x68000000, 27, false},
      {0x70000000, 28, false}, {0x80000000, 29, false}, {0xa0000000, 28, false},
      {0xb0000000, 27, false}, {0xb8000000, 26, false}, {0xbc000000, 25, false},
      {0xbe000000, 24, false}, {0xbf000000, 23, false},
      // freemem[2]: above the root server block.
      {0xbfc09080, 7, false}, {0xbfc09100, 8, false}, {0xbfc09200, 9, false},
      {0xbfc09400, 10, false}, {0xbfc09800, 11, false}, {0xbfc0a000, 13, false},
      {0xbfc0c000, 14, false}, {0xbfc10000, 16, false}, {0xbfc20000, 17, false},
      {0xbfc40000, 18, false}, {0xbfc80000, 19, false}, {0xbfd00000, 20, false},
      {0xbfe00000, 21, false},
  };
  EXPECT_EQ(r->untypeds, expected);
}

TEST(EmulateBoot, Aarch64RootserverObjectsAndSlots) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  Diagnostics d;
  auto r = emulate_boot(f, aarch64_layout(), d);
  ASSERT_TRUE(r) << describe(d);
  const RootserverObjects& rs = r->rootserver;
  // 4 MiB CNode + 8 KiB VSpace + 3 pages + 4 KiB TCB (hardware debug API) +
  // 3 page tables + SC, largest first, aligned to 4 MiB.
  EXPECT_EQ(rs.block, (Region{0xbf800000, 0xbfc09080}));
  EXPECT_EQ(rs.cnode, 0xbf800000u);
  EXPECT_EQ(rs.vspace, 0xbfc00000u);
  EXPECT_EQ(rs.asid_pool, 0xbfc02000u);
  EXPECT_EQ(rs.ipc_buffer, 0xbfc03000u);
  EXPECT_EQ(rs.boot_info, 0xbfc04000u);
  EXPECT_EQ(rs.tcb, 0xbfc05000u);
  EXPECT_EQ(rs.paging, 0xbfc06000u);
  EXPECT_EQ(rs.paging_count, 3u);
  EXPECT_EQ(rs.sched_context, 0xbfc09000u);
  EXPECT_EQ(rs.extra_bootinfo, 0u);
  EXPECT_EQ(r->ipc_buffer_vaddr, 0x400000u);
  EXPECT_EQ(r->bootinfo_vaddr, 0x401000u);
  EXPECT_EQ(r->user_image_paging, (SlotRegion{16, 19}));
  EXPECT_EQ(r->extra_bootinfo_pages, (SlotRegion{0, 0}));  // as the kernel leaves it
  EXPECT_EQ(r->sched_control, (SlotRegion{19, 20}));
  EXPECT_EQ(r->user_image_frames, (SlotRegion{20, 20 + 512}));
  EXPECT_EQ(r->untyped, (SlotRegion{532, 532 + 67}));
  EXPECT_EQ(r->empty, (SlotRegion{599, 1u << 17}));
}

TEST(EmulateBoot, Aarch64NormalMemoryIsRamMinusWhatTheKernelKeeps) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  BootInputs in = aarch64_layout();
  Diagnostics d;
  auto r = emulate_boot(f, in, d);
  ASSERT_TRUE(r) << describe(d);
  expect_well_formed(f, in, *r);
  uint64_t ram = f.memory[0].size();
  uint64_t kernel_kept = f.kernel_image.size() - (f.kernel_boot_end - f.kernel_image.start);
  EXPECT_EQ(r->normal_memory(),
            ram - kernel_kept - in.user_image.size() - r->rootserver.block.size());
}

TEST(EmulateBoot, Aarch64DeviceUntypedsCoverTheDeviceRegions) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  Diagnostics d;
  auto r = emulate_boot(f, aarch64_layout(), d);
  ASSERT_TRUE(r) << describe(d);
  // platform_gen.json's user device regions, plus RAM below physBase that
  // the kernel cannot use as RAM: [0x40000000, 0x60000000) is part of a
  // device region already. Device untypeds cover exactly those regions
  // (all are 4 KiB aligned, so nothing is lost to alignment).
  nlohmann::json platform =
      read_json(shared_dir("qemu_virt_aarch64") + "/platform_gen.json");
  uint64_t device_bytes = 0;
  for (const Region& reg : regions(platform["devices"])) device_bytes += reg.size();
  uint64_t untyped_device_bytes = 0;
  for (const UntypedObject& u : r->untypeds) {
    if (!u.is_device) continue;
    untyped_device_bytes += u.size();
    bool inside = false;
    for (const Region& reg : regions(platform["devices"]))
      inside |= u.paddr >= reg.start && u.end() <= reg.end;
    EXPECT_TRUE(inside) << std::hex << u.paddr;
  }
  EXPECT_EQ(untyped_device_bytes, device_bytes);
}

TEST(EmulateBoot, DtbBecomesExtraBootinfo) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  BootInputs in = aarch64_layout();
  in.dtb_paddr = 0x60300000;  // between kernel and user image, as required
  in.dtb_size = 0x100000;     // + 16-byte header: needs 2 MiB of extra bootinfo
  Diagnostics d;
  auto r = emulate_boot(f, in, d);
  ASSERT_TRUE(r) << describe(d);
  expect_well_formed(f, in, *r);
  EXPECT_EQ(r->extra_bootinfo_size, 0x100010u);
  EXPECT_EQ(r->extra_bootinfo_vaddr, 0x402000u);
  // 2 MiB extra bootinfo is allocated after the 4 MiB CNode, still aligned.
  EXPECT_EQ(r->rootserver.extra_bootinfo % 0x200000, 0u);
  EXPECT_EQ(r->rootserver.extra_bootinfo, r->rootserver.cnode + 0x400000);
  EXPECT_EQ(r->extra_bootinfo_pages.end - r->extra_bootinfo_pages.start, 257u);
  for (const UntypedObject& u : r->untypeds)
    EXPECT_FALSE(overlaps(u.paddr, u.end(), in.dtb_paddr, in.dtb_paddr + in.dtb_size));
}

TEST(EmulateBoot, TooManyFreeRegionsIsRefusedAsTheKernelDoes) {
  // One RAM region gives MAX_NUM_FREEMEM_REG = 3 and the last slot must stay
  // free for the root server split: holes before the DTB and before the
  // user image make three free pieces, and the kernel stops with
  // "insufficient MAX_NUM_FREEMEM_REG (3)" (seen on QEMU:
  // qemu.bootinfo_refused_too_fragmented).
  BootFacts f = shared_facts("qemu_virt_aarch64");
  EXPECT_EQ(f.max_num_freemem_reg(), 3u);
  BootInputs in;
  in.user_image = {0x80000000, 0x80007000};
  in.user_image_vaddr = 0x400000;
  in.dtb_paddr = 0x6034a000;
  in.dtb_size = 0x1e98;
  Diagnostics d;
  EXPECT_FALSE(emulate_boot(f, in, d));
  EXPECT_NE(find_id(d, "boot-freemem-regions-exhausted"), nullptr) << describe(d);
  // The same DTB right after the kernel leaves two pieces: fine.
  in.dtb_paddr = f.kernel_image.end;
  Diagnostics ok;
  auto r = emulate_boot(f, in, ok);
  ASSERT_TRUE(r) << describe(ok);
  expect_well_formed(f, in, *r);
  EXPECT_EQ(r->extra_bootinfo_size, 0x1ea8u);
  EXPECT_EQ(r->extra_bootinfo_pages, (SlotRegion{18, 20}));
}

TEST(EmulateBoot, DtbBelowTheKernelIsRejected) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  BootInputs in = aarch64_layout();
  in.dtb_paddr = 0x5ff00000;
  in.dtb_size = 0x1000;
  Diagnostics d;
  EXPECT_FALSE(emulate_boot(f, in, d));
  const Diagnostic* e = find_id(d, "boot-reserved-regions-out-of-order");
  ASSERT_NE(e, nullptr) << describe(d);
  EXPECT_NE(e->message.find("kernel image"), std::string::npos);
}

TEST(EmulateBoot, OutOfMemoryForTheRootServerIsAnError) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  BootInputs in;
  // A user image filling RAM from just above the kernel to 1 MiB below the end.
  in.user_image = {0x60400000, 0xbff00000};
  in.user_image_vaddr = 0x400000;
  Diagnostics d;
  EXPECT_FALSE(emulate_boot(f, in, d));
  ASSERT_NE(find_id(d, "boot-out-of-memory-for-rootserver"), nullptr) << describe(d);
}

TEST(EmulateBoot, UserImageOverlappingTheKernelIsRejected) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  BootInputs in = aarch64_layout();
  in.user_image = {0x60200000, 0x60400000};
  Diagnostics d;
  EXPECT_FALSE(emulate_boot(f, in, d));
  EXPECT_NE(find_id(d, "boot-reserved-regions-out-of-order"), nullptr) << describe(d);
}

TEST(EmulateBoot, UnalignedUserImageIsRejected) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  BootInputs in = aarch64_layout();
  in.user_image.end += 0x10;
  Diagnostics d;
  EXPECT_FALSE(emulate_boot(f, in, d));
  EXPECT_NE(find_id(d, "boot-user-image-unaligned"), nullptr) << describe(d);
}

TEST(EmulateBoot, UserImageReachingUserTopIsRejected) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  BootInputs in = aarch64_layout();
  in.user_image_vaddr = f.user_top + 1 - 0x200000 - 0x1000;  // ipc buffer and bootinfo don't fit
  Diagnostics d;
  EXPECT_FALSE(emulate_boot(f, in, d));
  EXPECT_NE(find_id(d, "boot-user-image-above-user-top"), nullptr) << describe(d);
}

TEST(EmulateBoot, TooManyUserImagePagesForTheRootCNode) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  f.root_cnode_bits = 12;  // 4096 slots; the 2 MiB image alone needs 512
  BootInputs in = aarch64_layout();
  in.user_image.end = in.user_image.start + 0x1000000;  // 16 MiB: 4096 frame caps
  Diagnostics d;
  EXPECT_FALSE(emulate_boot(f, in, d));
  EXPECT_NE(find_id(d, "boot-root-cnode-full"), nullptr) << describe(d);
}

TEST(EmulateBoot, UntypedsBeyondTheBootinfoLimitAreDroppedWithAWarning) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  f.max_bootinfo_untypeds = 40;
  Diagnostics d;
  auto r = emulate_boot(f, aarch64_layout(), d);
  ASSERT_TRUE(r) << describe(d);
  EXPECT_EQ(r->untypeds.size(), 40u);
  EXPECT_EQ(r->untypeds_dropped, 27u);
  const Diagnostic* w = find_id(d, "boot-untypeds-dropped");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::Warning);
}

TEST(EmulateBoot, RootServerTakesALowerRegionWhenTheTopOneIsTooSmall) {
  BootFacts f = shared_facts("qemu_virt_aarch64");
  BootInputs in;
  in.user_image = {0xbf000000, 0xbfe00000};  // leaves 2 MiB above: too small
  in.user_image_vaddr = 0x400000;
  Diagnostics d;
  auto r = emulate_boot(f, in, d);
  ASSERT_TRUE(r) << describe(d);
  expect_well_formed(f, in, *r);
  // Taken from the top of [0x6024a000, 0xbf000000), 4 MiB aligned.
  EXPECT_EQ(r->rootserver.cnode, 0xbe800000u);
  // The last untyped is the shuffled top region [0xbfe00000, 0xc0000000).
  EXPECT_EQ(r->untypeds.back(), (UntypedObject{0xbfe00000, 21, false}));
}

// x86-64: the kernel finds RAM at boot, so the facts describe the machine
// tool/arch/x86_64 assumes (QEMU -m 1G, as a real boot of this kernel
// printed it: RAM [0x100000, 0x3ffe0000), kernel at [0x100000, 0xa22000)).
TEST(BootFacts, X86DescribesTheAssumedMachine) {
  BootFacts f = shared_facts("x86_64_generic");
  EXPECT_TRUE(f.ram_found_at_boot);
  EXPECT_EQ(f.memory, (std::vector<Region>{{0x100000, 0x3ffe0000}}));
  EXPECT_EQ(f.kernel_image, (Region{0x100000, 0xa22000}));
  EXPECT_EQ(f.kernel_boot_end, 0x800000u);
  EXPECT_EQ(f.paging_level_bits, (std::vector<unsigned>{39, 30, 21}));
  EXPECT_EQ(f.max_num_freemem_reg(), 16u);
  EXPECT_EQ(f.reserved_base, 0x100000u);
}

TEST(EmulateBoot, X86ReferenceKernel) {
  BootFacts f = shared_facts("x86_64_generic");
  BootInputs in;
  in.user_image = {0xa22000, 0xa23000};  // one page right after the kernel, as the kernel moves it
  in.user_image_vaddr = 0x400000;
  Diagnostics d;
  auto r = emulate_boot(f, in, d);
  ASSERT_TRUE(r) << describe(d);
  expect_well_formed(f, in, *r);
  // The low 1 MiB is device memory; the kernel's boot code is RAM again.
  EXPECT_EQ(r->untypeds[0], (UntypedObject{0x0, 20, true}));
  bool boot_code = false;
  for (const UntypedObject& u : r->untypeds) boot_code |= !u.is_device && u.paddr == 0x100000;
  EXPECT_TRUE(boot_code);
  // Nothing between 1 MiB and the user image's end is free RAM.
  for (const UntypedObject& u : r->untypeds)
    if (!u.is_device) {
      EXPECT_TRUE(u.end() <= 0x800000 || u.paddr >= 0xa23000) << u.paddr;
    }
  // Caps: sched control first (init_sys_state), then PDPT + PD + PT, one
  // extra bootinfo page, one user image frame.
  EXPECT_EQ(r->sched_control, (SlotRegion{16, 17}));
  EXPECT_EQ(r->user_image_paging, (SlotRegion{17, 20}));
  EXPECT_EQ(r->extra_bootinfo_pages, (SlotRegion{20, 21}));
  EXPECT_EQ(r->user_image_frames, (SlotRegion{21, 22}));
  EXPECT_EQ(r->untyped.start, 22u);
  // The root server block at the top of RAM: 4 MiB CNode, so 4 MiB aligned.
  EXPECT_EQ(r->rootserver.block.start % 0x400000, 0u);
  EXPECT_LE(r->rootserver.block.end, 0x3ffe0000u);
  EXPECT_GT(r->rootserver.block.start, 0x3f000000u);
  // The kernel's own devices and MSI space never become untyped.
  uint64_t device_top = 0;
  for (const UntypedObject& u : r->untypeds)
    if (u.is_device) device_top = std::max(device_top, u.end());
  EXPECT_EQ(device_top, uint64_t{1} << 47);
}

TEST(EmulateBoot, Riscv64ReferenceKernel) {
  BootFacts f = shared_facts("qemu_virt_riscv64");
  BootInputs in;
  in.user_image = {0x80400000, 0x80600000};
  in.user_image_vaddr = 0x200000;
  Diagnostics d;
  auto r = emulate_boot(f, in, d);
  ASSERT_TRUE(r) << describe(d);
  expect_well_formed(f, in, *r);
  // Device memory starts at 0 and includes the OpenSBI region below physBase.
  ASSERT_FALSE(r->untypeds.empty());
  EXPECT_EQ(r->untypeds[0], (UntypedObject{0x0, 25, true}));
  bool opensbi_is_device = false;
  for (const UntypedObject& u : r->untypeds)
    opensbi_is_device |= u.is_device && u.paddr <= 0x80000000 && u.end() >= 0x80200000;
  EXPECT_TRUE(opensbi_is_device);
  // The top device untyped ends at PADDR_USER_DEVICE_TOP (2^39).
  uint64_t top = 0;
  for (const UntypedObject& u : r->untypeds)
    if (u.is_device) top = std::max(top, u.end());
  EXPECT_EQ(top, uint64_t{1} << 39);
  uint64_t kernel_kept = f.kernel_image.size() - (f.kernel_boot_end - f.kernel_image.start);
  EXPECT_EQ(r->normal_memory(), f.memory[0].size() - kernel_kept - in.user_image.size() -
                                    r->rootserver.block.size());
  // Sv39 root server: 4 MiB CNode, 4 KiB root page table, 1 + 2 page tables.
  EXPECT_EQ(r->rootserver.paging_count, 3u);
  EXPECT_EQ(r->rootserver.block.size(), 0x400000u + 0x800 + 4 * 0x1000 + 3 * 0x1000 + 0x80);
}

}  // namespace
}  // namespace microkit::kernel
