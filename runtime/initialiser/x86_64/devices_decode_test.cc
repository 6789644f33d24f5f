// Host tests of the x86-64 device steps' checks (spec_decode.h: I/O port,
// IOAPIC/MSI, bootinfo fill, IOMMU map) and of the bootinfo chunk walk
// (bootinfo_chunks.h): each bad field is refused with its own message.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "runtime/initialiser/bootinfo_chunks.h"
#include "runtime/initialiser/spec_decode.h"
#include "runtime/initialiser/test_boot_facts.h"

namespace microkit::initialiser {
namespace {

using spec::StepKind;

// The decoder tests' facts, with an IOMMU of 3 levels (QEMU's intel-iommu).
BootFacts facts() {
  BootFacts b = test_support::boot_facts();
  b.io_pt_levels = 3;
  return b;
}

template <class T>
spec::Step raw(const T& s) {
  return read_at<spec::Step>(reinterpret_cast<const uint8_t*>(&s), 0);
}

spec::X86IoPortIssueStep ioport(uint64_t first, uint64_t last) {
  spec::X86IoPortIssueStep s{};
  s.kind = uint32_t(StepKind::X86IoPortIssue);
  s.first_port = first;
  s.last_port = last;
  s.dest_cnode_slot = 1005;
  s.dest_index = 394;
  s.dest_depth = 10;
  return s;
}

TEST(X86DeviceSteps, IoPortRange) {
  EXPECT_EQ(check_step(raw(ioport(0x3f8, 0x3ff)), facts()), nullptr);
  EXPECT_EQ(check_step(raw(ioport(0xffff, 0xffff)), facts()), nullptr);
  EXPECT_STREQ(check_step(raw(ioport(0x3ff, 0x3f8)), facts()), "I/O port range out of order or beyond 0xffff");
  EXPECT_STREQ(check_step(raw(ioport(0xfff0, 0x10000)), facts()), "I/O port range out of order or beyond 0xffff");
  auto s = ioport(0x3f8, 0x3ff);
  s.dest_depth = 0;
  EXPECT_STREQ(check_step(raw(s), facts()), "destination depth out of range");
  s = ioport(0x3f8, 0x3ff);
  s.dest_cnode_slot = 2;  // the root CNode: only planned free slots
  s.dest_index = 10;
  s.dest_depth = 64;
  EXPECT_STREQ(check_step(raw(s), facts()), "destination slot outside the free slot region");
  s = ioport(0x3f8, 0x3ff);
  s.reserved[1] = 1;
  EXPECT_STREQ(check_step(raw(s), facts()), "reserved field not zero");
}

spec::X86IrqIssueStep irq(uint32_t source) {
  spec::X86IrqIssueStep s{};
  s.kind = uint32_t(StepKind::X86IrqIssue);
  s.source = source;
  s.dest_cnode_slot = 2;
  s.dest_index = 1200;
  s.dest_depth = 64;
  s.vector = 40;
  return s;
}

TEST(X86DeviceSteps, IoApicAndMsi) {
  auto pin = irq(spec::kX86IrqIoApic);
  pin.b = 23;
  pin.c = spec::kX86IrqLevel | spec::kX86IrqActiveLow;
  EXPECT_EQ(check_step(raw(pin), facts()), nullptr);
  pin.b = 24;
  EXPECT_STREQ(check_step(raw(pin), facts()), "IOAPIC pin out of range");
  pin.b = 4;
  pin.c = 4;
  EXPECT_STREQ(check_step(raw(pin), facts()), "unknown IOAPIC interrupt flags");
  auto msi = irq(spec::kX86IrqMsi);
  msi.a = 0x20;  // 00:04.0
  msi.b = 7;
  EXPECT_EQ(check_step(raw(msi), facts()), nullptr);
  msi.a = 0x10000;
  EXPECT_STREQ(check_step(raw(msi), facts()), "PCI address out of range");
  msi.a = 0x20;
  msi.c = 1;
  EXPECT_STREQ(check_step(raw(msi), facts()), "reserved field not zero");
  EXPECT_STREQ(check_step(raw(irq(2)), facts()), "unknown x86 interrupt source");
  auto high = irq(spec::kX86IrqMsi);
  high.vector = 256;
  EXPECT_STREQ(check_step(raw(high), facts()), "vector out of range");
  auto over = irq(spec::kX86IrqMsi);
  over.dest_index = 5;  // an initial cap's slot
  EXPECT_STREQ(check_step(raw(over), facts()), "destination slot outside the free slot region");
}

TEST(X86DeviceSteps, BootInfoFill) {
  spec::X86BootInfoFillStep s{};
  s.kind = uint32_t(StepKind::X86BootInfoFill);
  s.chunk_id = 5;
  s.frame_slot = 1003;
  s.chunk_offset = 0x1000;
  EXPECT_EQ(check_step(raw(s), facts()), nullptr);
  s.chunk_id = 7;  // past SEL4_BOOTINFO_HEADER_FDT
  EXPECT_STREQ(check_step(raw(s), facts()), "unknown bootinfo chunk id");
  s.chunk_id = 2;
  s.chunk_offset = 0x800;
  EXPECT_STREQ(check_step(raw(s), facts()), "chunk offset not a multiple of the page size");
  s.chunk_offset = 0;
  s.frame_slot = 0;
  EXPECT_STREQ(check_step(raw(s), facts()), "slot out of range");
}

spec::X86IoMapFrameStep io_map(uint64_t iovaddr) {
  spec::X86IoMapFrameStep s{};
  s.kind = uint32_t(StepKind::X86IoMapFrame);
  s.rights = spec::kRightRead | spec::kRightWrite;
  s.frame_slot = 1100;
  s.iospace_slot = 1101;
  s.iovaddr = iovaddr;
  s.iospace_data = uint64_t{1} << 16 | 0x20;
  s.iopt_pool_start = 1102;
  s.iopt_pool_count = 6;
  return s;
}

TEST(X86DeviceSteps, IoMapNeedsAnIommuThatReachesTheAddress) {
  EXPECT_EQ(check_step(raw(io_map(0x100000)), facts()), nullptr);
  BootFacts none = facts();
  none.io_pt_levels = -1;  // x86 kernel without IOMMU support
  EXPECT_NE(std::strstr(check_step(raw(io_map(0x100000)), none), "no IOMMU"), nullptr);
  none.io_pt_levels = 0;  // IOMMU support, but the machine has none
  EXPECT_NE(std::strstr(check_step(raw(io_map(0x100000)), none), "intel-iommu"), nullptr);
  BootFacts two = facts();
  two.io_pt_levels = 2;  // 30-bit IO addresses
  EXPECT_EQ(check_step(raw(io_map(0x3ffff000)), two), nullptr);
  EXPECT_STREQ(check_step(raw(io_map(0x40000000)), two), "IO virtual address beyond this IOMMU's reach");
  EXPECT_STREQ(check_step(raw(io_map(0x100800)), facts()), "unaligned IO virtual address");
  auto s = io_map(0x100000);
  s.rights = 0;
  EXPECT_STREQ(check_step(raw(s), facts()), "an IO mapping has read and/or write rights");
  s = io_map(0x100000);
  s.iopt_pool_start = 999;
  EXPECT_STREQ(check_step(raw(s), facts()), "IO page table pool outside the free slot region");
  s = io_map(0x100000);
  s.iopt_pool_start = (1u << 17) - 2;
  EXPECT_STREQ(check_step(raw(s), facts()), "IO page table pool outside the free slot region");
}

// Builds an extra-bootinfo region of (id, payload size) records.
std::vector<uint8_t> region(std::initializer_list<std::pair<uint64_t, uint64_t>> chunks) {
  std::vector<uint8_t> out;
  for (auto [id, payload] : chunks) {
    uint64_t hdr[2] = {id, 16 + payload};
    out.insert(out.end(), reinterpret_cast<uint8_t*>(hdr), reinterpret_cast<uint8_t*>(hdr) + 16);
    for (uint64_t i = 0; i < payload; ++i) out.push_back(uint8_t(id * 16 + i));
  }
  return out;
}

TEST(BootInfoChunks, FindsTheChunkPastPaddingAndOthers) {
  auto r = region({{0, 8}, {2, 48}, {5, 4}});
  BootInfoChunk tsc = find_bootinfo_chunk(r.data(), r.size(), 5);
  EXPECT_EQ(tsc.offset, 24u + 64u);
  EXPECT_EQ(tsc.size, 20u);
  EXPECT_EQ(r[tsc.offset + 16], uint8_t(5 * 16));
  BootInfoChunk mbmap = find_bootinfo_chunk(r.data(), r.size(), 2);
  EXPECT_EQ(mbmap.offset, 24u);
  EXPECT_EQ(mbmap.size, 64u);
  EXPECT_EQ(find_bootinfo_chunk(r.data(), r.size(), 1).size, 0u);
  EXPECT_EQ(find_bootinfo_chunk(r.data(), 0, 5).size, 0u);
}

TEST(BootInfoChunks, ABrokenRecordStopsTheWalk) {
  auto r = region({{2, 8}, {5, 4}});
  uint64_t bad_len = 8;  // shorter than a header
  std::memcpy(r.data() + 8, &bad_len, 8);
  EXPECT_EQ(find_bootinfo_chunk(r.data(), r.size(), 5).size, 0u);
  auto past = region({{2, 8}, {5, 4}});
  uint64_t long_len = 1000;  // beyond the region
  std::memcpy(past.data() + 8, &long_len, 8);
  EXPECT_EQ(find_bootinfo_chunk(past.data(), past.size(), 5).size, 0u);
  auto cut = region({{5, 4}});
  EXPECT_EQ(find_bootinfo_chunk(cut.data(), cut.size() - 1, 5).size, 0u);  // record runs past the end
}

}  // namespace
}  // namespace microkit::initialiser
