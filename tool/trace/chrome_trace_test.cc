// Tests for chrome_trace: reading a dump and the events, slices and flows
// written for it.
#include "trace/chrome_trace.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace microkit::trace {
namespace {

using Json = nlohmann::json;

// server (0) and client (1), channel client:1 <-> server:2; worker (2) is
// the server's child 5.
plan::Plan two_pds_and_a_child() {
  plan::Plan p;
  p.pds.resize(3);
  p.pds[0].name = "server";
  p.pds[1].name = "client";
  p.pds[2].name = "worker";
  for (auto& pd : p.pds) pd.channels.resize(63);
  p.pds[0].channels[2] = {plan::ChannelSlot::Kind::Channel, 1, 1};
  p.pds[1].channels[1] = {plan::ChannelSlot::Kind::Channel, 0, 2};
  p.pds[0].children = {2};
  p.pds[2].parent = 0;
  p.pds[2].child_id = 5;
  return p;
}

Json convert(const std::string& log) {
  Diagnostics diags;
  plan::Plan plan = two_pds_and_a_child();
  Dump dump = parse_dump(log, plan, "log", diags);
  return Json::parse(chrome_json(dump, plan, "sys"))["traceEvents"];
}

std::vector<Json> with_ph(const Json& events, const std::string& ph) {
  std::vector<Json> out;
  for (const Json& e : events)
    if (e["ph"] == ph) out.push_back(e);
  return out;
}

TEST(ParseDump, ReadsMarkedLinesAnywhereAndSkipsTheRest) {
  Diagnostics diags;
  plan::Plan plan = two_pds_and_a_child();
  Dump d = parse_dump(
      "booting\n"
      "junk microkit-trace client clock 1000\n"
      "microkit-trace client e 11 1 0 7\n"
      "microkit-trace client e 99 1 0 7\n"   // no such kind
      "microkit-trace client e 11 1 0\n"     // a word short
      "microkit-trace client lost 3\n"
      "microkit-trace nobody e 1 0 1 5\n",
      plan, "log", diags);
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].pd, 1u);
  EXPECT_EQ(d.events[0].kind, 11);
  EXPECT_EQ(d.events[0].time, 7u);
  EXPECT_EQ(d.ticks_per_second[1], 1000u);
  EXPECT_EQ(d.lost[1], 3u);
  EXPECT_EQ(d.bad_lines, 2u);
  ASSERT_EQ(diags.all().size(), 1u);
  EXPECT_EQ(diags.all()[0].id, "trace-unknown-pd");
  EXPECT_EQ(diags.all()[0].loc.line, 7u);
}

// x86-64 under QEMU: the CPU reports no TSC rate, so the ring says clock 0.
TEST(ParseDump, APdWithEventsButNoClockRateIsNamedInOneWarning) {
  Diagnostics diags;
  plan::Plan plan = two_pds_and_a_child();
  Dump d = parse_dump(
      "microkit-trace server clock 0\n"
      "microkit-trace server e 11 1 0 7\n"
      "microkit-trace client clock 1000\n"
      "microkit-trace client e 11 1 0 9\n"
      "microkit-trace worker clock 0\n",  // no events: nothing to say
      plan, "log", diags);
  ASSERT_EQ(diags.all().size(), 1u);
  EXPECT_EQ(diags.all()[0].id, "trace-clock-unknown");
  EXPECT_NE(diags.all()[0].message.find("'server'"), std::string::npos);
  EXPECT_EQ(diags.all()[0].message.find("'client'"), std::string::npos);
  EXPECT_EQ(diags.all()[0].message.find("'worker'"), std::string::npos);
}

TEST(ChromeJson, TimestampsAreMicrosecondsFromTheFirstEventInEachPdsClock) {
  Json ev = convert(
      "microkit-trace server clock 1000000\n"   // 1 tick = 1 us
      "microkit-trace server e 1 0 1 100\n"
      "microkit-trace server e 2 0 1 150\n");
  auto b = with_ph(ev, "B"), e = with_ph(ev, "E");
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(b[0]["ts"], 0.0);
  EXPECT_EQ(e[0]["ts"], 50.0);
  EXPECT_EQ(b[0]["tid"], 1);
  EXPECT_EQ(b[0]["name"], "init()");
}

TEST(ChromeJson, ANotifyFlowsToThePeersNextNotified) {
  Json ev = convert(
      "microkit-trace client e 11 1 0 10\n"     // notify(1) -> server's channel 2
      "microkit-trace server e 3 2 0 20\n"
      "microkit-trace server e 4 2 0 30\n");
  auto s = with_ph(ev, "s"), f = with_ph(ev, "f");
  ASSERT_EQ(s.size(), 1u);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(s[0]["id"], f[0]["id"]);
  EXPECT_EQ(s[0]["tid"], 2);
  EXPECT_EQ(f[0]["tid"], 1);
  EXPECT_EQ(f[0]["ts"], with_ph(ev, "B")[0]["ts"]);
}

TEST(ChromeJson, APpcFlowsThereAndBack) {
  Json ev = convert(
      "microkit-trace client e 12 1 7 10\n"     // ppcall(1)
      "microkit-trace server e 7 2 7 20\n"      // protected(2)
      "microkit-trace server e 8 2 0 30\n"
      "microkit-trace client e 13 1 0 40\n");
  auto s = with_ph(ev, "s"), f = with_ph(ev, "f");
  ASSERT_EQ(s.size(), 2u);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(s[0]["cat"], "ppc");
  EXPECT_EQ(f[0]["tid"], 1);
  EXPECT_EQ(s[1]["cat"], "ppc-reply");
  EXPECT_EQ(s[1]["tid"], 1);
  EXPECT_EQ(f[1]["tid"], 2);
  EXPECT_EQ(f[1]["bp"], "e");  // inside the caller's ppcall slice
  auto b = with_ph(ev, "B");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0]["name"], "ppcall(1)");
  EXPECT_EQ(b[0]["args"]["label"], 7);
}

TEST(ChromeJson, AFaultEndsTheChildsOpenSlicesAndFlowsToTheParent) {
  Json ev = convert(
      "microkit-trace worker e 1 0 1 10\n"      // worker init(), never ends
      "microkit-trace server e 9 5 6 20\n"      // server's fault(5), label 6
      "microkit-trace server e 17 5 0 25\n"     // restart(5)
      "microkit-trace server e 10 5 0 30\n"
      "microkit-trace worker e 1 0 2 40\n");
  auto e = with_ph(ev, "E");
  ASSERT_GE(e.size(), 2u);
  EXPECT_EQ(e[0]["tid"], 3);
  EXPECT_EQ(e[0]["args"]["ended"], "faulted");
  int fault_flows = 0, restart_flows = 0;
  for (const Json& f : with_ph(ev, "f")) {
    if (f["cat"] == "fault") fault_flows += f["tid"] == 1;
    if (f["cat"] == "restart") restart_flows += f["tid"] == 3;
  }
  EXPECT_EQ(fault_flows, 1);
  EXPECT_EQ(restart_flows, 1);
}

}  // namespace
}  // namespace microkit::trace
