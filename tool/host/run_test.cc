// Tests for the host back end's Plan -> bundle step and the bundle format.
#include <gtest/gtest.h>

#include "host/run.h"

namespace microkit::host {
namespace {

plan::Plan sample_plan() {
  plan::Plan p;
  p.board = "host";
  plan::Mr a;
  a.name = "a region";  // a space: names are encoded
  a.size = 0x3000;
  plan::Mr dev;
  dev.name = "dev";
  dev.size = 0x1000;
  dev.phys_addr = 0xfe000000;
  plan::Mr b;
  b.name = "b";
  b.size = 0x200000;
  b.page_size = 0x200000;
  p.mrs = {a, dev, b};
  plan::Pd pd;
  pd.name = "main";
  pd.priority = 7;
  pd.program_path = "/x/main.elf";
  pd.mappings = {{0, 0x4000000, 0x3000, true, false, false, true}};
  pd.channels.resize(63);
  pd.channels[3].kind = plan::ChannelSlot::Kind::Channel;
  pd.channels[3].peer_pd = 1;
  pd.channels[3].peer_id = 4;
  pd.channels[3].can_ppcall = true;
  pd.channels[5].kind = plan::ChannelSlot::Kind::Irq;
  pd.channels[5].irq = 1;
  plan::SymbolPatch region;
  region.symbol = "b_paddr";
  region.paddr_of_mr = 2;
  region.vaddr = 0x4010;
  plan::SymbolPatch plain;
  plain.symbol = "v";
  plain.value = 0x4000000;
  plain.vaddr = 0x4020;
  plain.size = 4;
  pd.patches = {region, plain};
  plan::Pd other;
  other.name = "other";
  other.parent = 0;
  other.child_id = 3;
  other.program_path = "/x/other.elf";
  other.channels.resize(63);
  p.pds = {pd, other};
  return p;
}

TEST(HostBundle, FakePhysicalAddressesAreStableAlignedAndAboveTheDevices) {
  auto b1 = make_bundle(sample_plan(), "s.system");
  auto b2 = make_bundle(sample_plan(), "s.system");
  EXPECT_EQ(b1.mrs[0].paddr, kFakePaddrBase);
  EXPECT_EQ(b1.mrs[1].paddr, 0xfe000000u);  // fixed ones are kept
  EXPECT_EQ(b1.mrs[2].paddr % 0x200000, 0u);
  EXPECT_GT(b1.mrs[2].paddr, b1.mrs[0].paddr);
  EXPECT_EQ(b1.mrs[2].paddr, b2.mrs[2].paddr);
  // <setvar region_paddr> gets the address the MR was given.
  EXPECT_EQ(b1.pds[0].patches[0].value, b1.mrs[2].paddr);
  EXPECT_EQ(b1.pds[0].patches[1].value, 0x4000000u);
  EXPECT_EQ(b1.pds[0].patches[1].size, 4u);
}

TEST(HostBundle, OnlyUsedChannelSlotsAreWritten) {
  auto b = make_bundle(sample_plan(), "s.system");
  ASSERT_EQ(b.pds[0].channels.size(), 2u);
  EXPECT_EQ(b.pds[0].channels[0].id, 3u);
  EXPECT_TRUE(b.pds[0].channels[0].pp);
  EXPECT_FALSE(b.pds[0].channels[0].notify);
  EXPECT_TRUE(b.pds[0].channels[1].irq);
  EXPECT_EQ(b.pds[0].channels[1].irq_number, 1u);
  EXPECT_EQ(b.pds[1].parent, 0u);
  EXPECT_EQ(b.pds[1].child_id, 3u);
}

TEST(HostBundle, WriteThenReadGivesTheSameBundle) {
  auto b = make_bundle(sample_plan(), "my system.system");
  std::string error;
  auto back = host_bundle::read(host_bundle::write(b), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->system, "my system.system");
  EXPECT_EQ(back->mrs[0].name, "a region");
  EXPECT_EQ(back->mrs[2].paddr, b.mrs[2].paddr);
  ASSERT_EQ(back->pds.size(), 2u);
  EXPECT_EQ(back->pds[0].maps[0].vaddr, 0x4000000u);
  EXPECT_TRUE(back->pds[0].maps[0].r);
  EXPECT_FALSE(back->pds[0].maps[0].w);
  EXPECT_EQ(back->pds[0].channels[0].peer_id, 4u);
  EXPECT_EQ(back->pds[0].patches[1].symbol, "v");
  EXPECT_EQ(back->pds[1].parent, 0u);
  EXPECT_FALSE(back->pds[0].parent);
}

TEST(HostBundle, ReadRefusesOtherVersionsAndTruncation) {
  std::string error;
  EXPECT_FALSE(host_bundle::read("microkit-host-bundle 999\nend\n", error));
  EXPECT_NE(error.find("version"), std::string::npos);
  std::string text = host_bundle::write(make_bundle(sample_plan(), "s"));
  EXPECT_FALSE(host_bundle::read(text.substr(0, text.size() - 4), error));
  EXPECT_NE(error.find("truncated"), std::string::npos);
}

}  // namespace
}  // namespace microkit::host
