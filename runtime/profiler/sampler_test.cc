// The seL4 profiler's pure half (sampler.h), on the host: frame walks over a
// fake stack, and lines it writes read back by the tool's parser.
#include "runtime/profiler/sampler.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "profile/perf_script.h"

namespace microkit::profiler {
namespace {

using Memory = std::map<uint64_t, uint64_t>;

bool read_fake(void* ctx, uint64_t addr, uint64_t* out) {
  auto& m = *static_cast<Memory*>(ctx);
  auto it = m.find(addr);
  if (it == m.end()) return false;
  *out = it->second;
  return true;
}

// Two frame records: 0x1000 -> 0x1040 -> (0, end).
Memory two_records() {
  return {{0x1000, 0x1040}, {0x1008, 0x400100}, {0x1040, 0}, {0x1048, 0x400200}};
}

TEST(ProfilerSampler, WalksFrameRecordsInnermostFirst) {
  Memory m = two_records();
  uint64_t pcs[8];
  ASSERT_EQ(walk_frames(0x400010, 0x1000, read_fake, &m, pcs, 8), 3u);
  EXPECT_EQ(pcs[0], 0x400010u);
  EXPECT_EQ(pcs[1], 0x400100u);
  EXPECT_EQ(pcs[2], 0x400200u);
}

TEST(ProfilerSampler, StopsAtDepthUnreadableMisalignedOrDownwardRecords) {
  Memory m = two_records();
  uint64_t pcs[8];
  EXPECT_EQ(walk_frames(0x400010, 0x1000, read_fake, &m, pcs, 2), 2u);
  EXPECT_EQ(walk_frames(0x400010, 0x2000, read_fake, &m, pcs, 8), 1u);  // not mapped for the profiler
  EXPECT_EQ(walk_frames(0x400010, 0x1004, read_fake, &m, pcs, 8), 1u);  // not a record address
  m[0x1040] = 0x1000;  // a loop back down the stack
  EXPECT_EQ(walk_frames(0x400010, 0x1000, read_fake, &m, pcs, 8), 3u);
  EXPECT_EQ(walk_frames(0x400010, 0x1000, read_fake, &m, pcs, 0), 0u);
}

plan::Plan two_pds() {
  plan::Plan p;
  p.pds.resize(2);
  p.pds[0].name = "idler";
  p.pds[1].name = "spinner";
  return p;
}

std::string line_of_sample(const char* pd, uint64_t time, std::initializer_list<uint64_t> pcs) {
  char buf[256];
  uint64_t v[8];
  uint32_t n = 0;
  for (uint64_t pc : pcs) v[n++] = pc;
  size_t len = format_sample(buf, sizeof buf, pd, time, v, n);
  return std::string(buf, len);
}

TEST(ProfilerSampler, ToolReadsWhatTheProfilerWrites) {
  char hz[128];
  ASSERT_GT(format_field(hz, sizeof hz, "spinner", "hz", 1000, false), 0u);
  // Serial output: CR LF endings and unrelated lines around the samples.
  std::string log = "Bootstrapping kernel\r\n" + std::string(hz) + line_of_sample("spinner", 7000, {0x400010, 0x400100}) +
                    "other output\r\n" + line_of_sample("spinner", 8000, {0x400020});
  plan::Plan plan = two_pds();
  Diagnostics diags;
  auto pds = profile::parse_samples(log, plan, "serial.log", diags);
  EXPECT_TRUE(diags.all().empty());
  ASSERT_EQ(pds.size(), 2u);
  EXPECT_TRUE(pds[0].samples.empty());
  EXPECT_EQ(pds[1].hz, 1000u);
  ASSERT_EQ(pds[1].samples.size(), 2u);
  EXPECT_EQ(pds[1].samples[0].first, 7000u);
  EXPECT_EQ(pds[1].samples[0].second, (std::vector<uint64_t>{0x400010, 0x400100}));
  EXPECT_EQ(pds[1].samples[1].second, (std::vector<uint64_t>{0x400020}));
}

TEST(ProfilerSampler, ToolSkipsGarbledLines) {
  std::string good = line_of_sample("spinner", 7000, {0x400010});
  std::string garbled = line_of_sample("spinner", 8000, {0x400010});
  garbled[garbled.find("400010")] = '5';  // a flipped character on the wire
  std::string cut = line_of_sample("spinner", 9000, {0x400010});
  cut.erase(cut.size() - 5, 2);  // bytes lost in the hash itself
  plan::Plan plan = two_pds();
  Diagnostics diags;
  auto pds = profile::parse_samples(good + garbled + cut, plan, "serial.log", diags);
  ASSERT_EQ(pds[1].samples.size(), 1u);
  EXPECT_EQ(pds[1].samples[0].first, 7000u);
  ASSERT_EQ(diags.all().size(), 1u);
  EXPECT_NE(diags.all()[0].message.find("2 profiler lines"), std::string::npos);
}

TEST(ProfilerSampler, RefusesABufferTooSmall) {
  char buf[24];
  uint64_t pc = 0x400010;
  EXPECT_EQ(format_sample(buf, sizeof buf, "spinner", 7000, &pc, 1), 0u);
}

}  // namespace
}  // namespace microkit::profiler
