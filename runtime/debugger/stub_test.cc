// stub_test: the GDB protocol half of the debugger PD on the host, against
// a fake system of two targets (target.h implemented below). Each test
// feeds GDB's bytes and checks the exact bytes the stub answers.
#include "runtime/debugger/stub.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace microkit::gdb {
namespace {

// ---- the fake system ----
struct FakeTarget {
  std::string name;
  uint64_t regs[kRegCount] = {};
  std::map<uint64_t, uint8_t> memory;  // mapped bytes only
  std::map<unsigned, uint64_t> hw, watch;
};
std::vector<FakeTarget> targets;
std::string sent;

void put(char c) { sent += c; }

void reset() {
  targets.assign(2, FakeTarget{});
  targets[0].name = "pinger";
  targets[1].name = "ponger";
  for (unsigned r = 0; r < kRegCount; ++r) targets[1].regs[r] = 0x1000 + r;
  for (uint64_t a = 0x200000; a < 0x200010; ++a) targets[1].memory[a] = uint8_t(a);
  sent.clear();
}

}  // namespace

uint32_t target_count() { return uint32_t(targets.size()); }
const char* target_name(uint32_t k) { return targets[k].name.c_str(); }
bool read_registers(uint32_t k, uint64_t regs[kRegCount]) {
  std::memcpy(regs, targets[k].regs, sizeof(targets[k].regs));
  return true;
}
bool write_registers(uint32_t k, const uint64_t regs[kRegCount]) {
  std::memcpy(targets[k].regs, regs, sizeof(targets[k].regs));
  return true;
}
bool read_memory(uint32_t k, uint64_t addr, uint8_t* out, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    auto it = targets[k].memory.find(addr + i);
    if (it == targets[k].memory.end()) return false;
    out[i] = it->second;
  }
  return true;
}
bool write_memory(uint32_t k, uint64_t addr, const uint8_t* in, size_t len) {
  for (size_t i = 0; i < len; ++i)
    if (!targets[k].memory.count(addr + i)) return false;
  for (size_t i = 0; i < len; ++i) targets[k].memory[addr + i] = in[i];
  return true;
}
unsigned hw_breakpoint_slots() { return 2; }
bool set_hw_breakpoint(uint32_t k, unsigned slot, uint64_t addr) {
  targets[k].hw[slot] = addr;
  return true;
}
bool clear_hw_breakpoint(uint32_t k, unsigned slot) { return targets[k].hw.erase(slot) == 1; }
unsigned watchpoint_slots() { return 1; }
bool set_watchpoint(uint32_t k, unsigned slot, uint64_t addr, unsigned, WatchKind) {
  targets[k].watch[slot] = addr;
  return true;
}
bool clear_watchpoint(uint32_t k, unsigned slot) { return targets[k].watch.erase(slot) == 1; }
bool monitor_command(const char* command, TextSink out, void* ctx) {
  std::string reply = std::string("you said ") + command + "\n";
  out(reply.data(), reply.size(), ctx);
  return true;
}

namespace {

std::string packet(const std::string& payload) {
  unsigned sum = 0;
  for (char c : payload) sum += uint8_t(c);
  char tail[4];
  std::snprintf(tail, sizeof(tail), "#%02x", sum & 0xff);
  return "$" + payload + tail;
}

std::string hex(const std::string& text) {
  std::string out;
  char b[3];
  for (char c : text) {
    std::snprintf(b, sizeof(b), "%02x", uint8_t(c));
    out += b;
  }
  return out;
}

class StubTest : public ::testing::Test {
 protected:
  void SetUp() override { reset(); }
  // Sends one packet; returns what the stub answered (acks included).
  std::string ask(const std::string& payload) {
    sent.clear();
    for (char c : packet(payload)) stub.feed(c);
    return sent;
  }
  Stub stub{put};
};

TEST_F(StubTest, AcksAndAnswersUntilNoAckMode) {
  EXPECT_EQ(ask("qSupported:multiprocess+"),
            "+" + packet("PacketSize=1000;qXfer:features:read+;multiprocess+;QStartNoAckMode+;vContSupported+"));
  EXPECT_EQ(ask("QStartNoAckMode"), "+" + packet("OK"));
  EXPECT_EQ(ask("qAttached:1"), packet("1"));  // no '+' any more
}

TEST_F(StubTest, BadChecksumIsRefusedAndNotAnswered) {
  for (char c : std::string("$g#00")) stub.feed(c);
  EXPECT_EQ(sent, "-");
}

TEST_F(StubTest, UnknownPacketsGetTheEmptyReply) { EXPECT_EQ(ask("qTStatus"), "+" + packet("")); }

TEST_F(StubTest, EveryTargetIsAProcessWithOneThread) {
  EXPECT_EQ(ask("qfThreadInfo"), "+" + packet("mp1.1,p2.1"));
  EXPECT_EQ(ask("qsThreadInfo"), "+" + packet("l"));
  EXPECT_EQ(ask("qThreadExtraInfo,p2.1"), "+" + packet(hex("ponger")));
  EXPECT_EQ(ask("Hgp3.1"), "+" + packet("E01"));  // there is no third target
}

TEST_F(StubTest, RegistersOfTheSelectedTargetInGdbOrder) {
  ask("Hgp2.1");
  std::string g = ask("g");
  // 33 eight-byte registers, then the 4-byte cpsr, little-endian hex.
  ASSERT_EQ(g.size(), 1 + 1 + 33 * 16 + 8 + 3);
  EXPECT_EQ(g.substr(2, 16), "0010000000000000");           // x0 = 0x1000
  EXPECT_EQ(g.substr(2 + 32 * 16, 16), "2010000000000000");  // pc = 0x1020
  EXPECT_EQ(g.substr(2 + 33 * 16, 8), "21100000");           // cpsr = 0x1021
  EXPECT_EQ(ask("P20=0800200000000000"), "+" + packet("OK"));
  EXPECT_EQ(targets[1].regs[kRegPc], 0x200008u);
  EXPECT_EQ(targets[0].regs[kRegPc], 0u);
}

TEST_F(StubTest, MemoryReadsAndWritesOnlyWhatIsMapped) {
  ask("Hgp2.1");
  EXPECT_EQ(ask("m200002,3"), "+" + packet("020304"));
  EXPECT_EQ(ask("m20000e,4"), "+" + packet("E14"));  // runs past the mapped bytes
  EXPECT_EQ(ask("M200000,2:abcd"), "+" + packet("OK"));
  EXPECT_EQ(targets[1].memory[0x200001], 0xcd);
}

TEST_F(StubTest, SoftwareBreakpointWritesBrkAndRestores) {
  ask("Hgp2.1");
  EXPECT_EQ(ask("Z0,200004,4"), "+" + packet("OK"));
  EXPECT_EQ(ask("m200004,4"), "+" + packet("000020d4"));  // BRK #0
  EXPECT_EQ(ask("z0,200004,4"), "+" + packet("OK"));
  EXPECT_EQ(ask("m200004,4"), "+" + packet("04050607"));
}

TEST_F(StubTest, HardwareBreakpointsAndWatchpointsUseSlots) {
  ask("Hgp1.1");
  EXPECT_EQ(ask("Z1,200100,4"), "+" + packet("OK"));
  EXPECT_EQ(ask("Z1,200200,4"), "+" + packet("OK"));
  EXPECT_EQ(ask("Z1,200300,4"), "+" + packet("E0e"));  // two slots only
  EXPECT_EQ(targets[0].hw.at(1), 0x200200u);
  EXPECT_EQ(ask("Z2,4000000,8"), "+" + packet("OK"));
  EXPECT_EQ(stub.watch_address(0, 0), 0x4000000u);
  EXPECT_EQ(ask("z2,4000000,8"), "+" + packet("OK"));
  EXPECT_TRUE(targets[0].watch.empty());
}

TEST_F(StubTest, StopRepliesNameTheThreadAndTheWatchedAddress) {
  StopEvent e;
  e.target = 1;
  e.why = StopEvent::Why::Watch;
  e.address = 0x4000000;
  stub.report_stop(e);
  EXPECT_EQ(sent, packet("T05thread:p2.1;watch:4000000;"));
  EXPECT_EQ(ask("?"), "+" + packet("T05thread:p2.1;watch:4000000;"));
  EXPECT_EQ(ask("qC"), "+" + packet("QCp2.1"));
}

TEST_F(StubTest, ResumesSayWhichTargetSteps) {
  EXPECT_EQ(stub.take_resume().kind, ResumeKind::None);
  ask("vCont;s:p2.1;c");
  Resume r = stub.take_resume();
  EXPECT_EQ(r.kind, ResumeKind::Step);
  EXPECT_EQ(r.target, 1u);
  ask("vCont;c");
  EXPECT_EQ(stub.take_resume().kind, ResumeKind::Continue);
  EXPECT_EQ(stub.take_resume().kind, ResumeKind::None);  // taken once
}

TEST_F(StubTest, TheSystemRunsAgainOnlyWhenEveryProcessIsDetached) {
  EXPECT_EQ(ask("D;1"), "+" + packet("OK"));
  EXPECT_EQ(stub.take_resume().kind, ResumeKind::None);
  EXPECT_EQ(ask("D;2"), "+" + packet("OK"));
  EXPECT_EQ(stub.take_resume().kind, ResumeKind::Detach);
  EXPECT_EQ(ask("D;1"), "+" + packet("OK"));  // a new connection: attached again
  EXPECT_EQ(stub.take_resume().kind, ResumeKind::None);
  EXPECT_EQ(ask("D"), "+" + packet("OK"));
  EXPECT_EQ(stub.take_resume().kind, ResumeKind::Detach);
}

TEST_F(StubTest, CtrlCOutsideAPacketIsAnInterrupt) {
  stub.feed('\x03');
  EXPECT_TRUE(stub.take_interrupt());
  EXPECT_FALSE(stub.take_interrupt());
  EXPECT_EQ(sent, "");
}

TEST_F(StubTest, MonitorOutputComesAsOutputPackets) {
  EXPECT_EQ(ask("qRcmd," + hex("sched")), "+" + packet("O" + hex("you said sched\n")) + packet("OK"));
}

TEST_F(StubTest, ConsoleOutputIsHexInOutputPackets) {
  stub.console_output("hi\n", 3);
  EXPECT_EQ(sent, packet("O68690a"));
}

TEST_F(StubTest, TargetDescriptionComesInChunks) {
  std::string first = ask("qXfer:features:read:target.xml:0,10");
  EXPECT_EQ(first, "+" + packet("m<?xml version=\"1"));  // 0x10 bytes
  std::string all = ask("qXfer:features:read:target.xml:0,ffb");
  EXPECT_NE(all.find("org.gnu.gdb.aarch64.core"), std::string::npos);
  EXPECT_EQ(all.substr(0, 3), "+$l");
  EXPECT_EQ(ask("qXfer:features:read:other.xml:0,10"), "+" + packet("E00"));
}

}  // namespace
}  // namespace microkit::gdb
