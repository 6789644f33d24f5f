// Host tests of the VMM library's pure parts (microkit_vmm_parts.h): the
// same sources the seL4 library is built from.
#include "microkit_vmm_parts.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <string>
#include <vector>

namespace {

// ---- Image header ----

std::vector<uint8_t> image_header(uint64_t text_offset, uint64_t image_size, uint64_t flags) {
  std::vector<uint8_t> h(64, 0);
  auto put = [&](size_t at, uint64_t v, int n) { for (int i = 0; i < n; ++i) h[at + i] = uint8_t(v >> (8 * i)); };
  put(8, text_offset, 8);
  put(16, image_size, 8);
  put(24, flags, 8);
  std::memcpy(&h[56], "ARM\x64", 4);
  return h;
}

TEST(VmmImage, ReadsTextOffsetAndImageSize) {
  auto h = image_header(0x80000, 0x2010000, 0xa);
  microkit_vmm_image_info info{};
  ASSERT_EQ(microkit_vmm_image_parse(h.data(), h.size(), &info), nullptr);
  EXPECT_EQ(info.text_offset, 0x80000u);
  EXPECT_EQ(info.image_size, 0x2010000u);
  EXPECT_EQ(info.big_endian, 0);
  EXPECT_EQ(microkit_vmm_image_load_address(0x40000000, &info), 0x40080000u);
  EXPECT_EQ(microkit_vmm_image_load_address(0x40100000, &info), 0x40280000u);  // next 2 MiB boundary
}

TEST(VmmImage, OldKernelWithoutImageSizeUsesConventionalOffset) {
  auto h = image_header(0, 0, 0);
  h.resize(4096);
  microkit_vmm_image_info info{};
  ASSERT_EQ(microkit_vmm_image_parse(h.data(), h.size(), &info), nullptr);
  EXPECT_EQ(info.text_offset, 0x80000u);
  EXPECT_EQ(info.image_size, 4096u);
}

TEST(VmmImage, RefusesShortOrUnmarked) {
  auto h = image_header(0, 0x1000, 0);
  microkit_vmm_image_info info{};
  EXPECT_NE(microkit_vmm_image_parse(h.data(), 63, &info), nullptr);
  h[57] = 'X';
  const char* error = microkit_vmm_image_parse(h.data(), h.size(), &info);
  ASSERT_NE(error, nullptr);
  EXPECT_NE(std::strstr(error, "magic"), nullptr);
}

// ---- Data aborts ----

uint64_t esr(unsigned sas, bool sse, unsigned srt, bool sf, bool wnr, bool isv = true) {
  return (uint64_t(0x24) << 26) | (uint64_t(1) << 25) | (uint64_t(isv) << 24) | (uint64_t(sas) << 22) |
         (uint64_t(sse) << 21) | (uint64_t(srt) << 16) | (uint64_t(sf) << 15) | (uint64_t(wnr) << 6);
}

TEST(VmmDataAbort, DecodesAWordStore) {
  microkit_vmm_access a{};
  ASSERT_TRUE(microkit_vmm_data_abort_decode(esr(2, false, 3, false, true), &a));
  EXPECT_TRUE(a.is_write);
  EXPECT_EQ(a.size, 4u);
  EXPECT_EQ(a.reg, 3u);
  EXPECT_FALSE(a.sign_extend);
  EXPECT_EQ(microkit_vmm_store_value(&a, 0x1122334455667788ull), 0x55667788u);
}

TEST(VmmDataAbort, SignExtendsASignedByteLoadIntoX) {
  microkit_vmm_access a{};
  ASSERT_TRUE(microkit_vmm_data_abort_decode(esr(0, true, 30, true, false), &a));
  EXPECT_FALSE(a.is_write);
  EXPECT_EQ(a.size, 1u);
  EXPECT_EQ(a.reg, 30u);
  EXPECT_EQ(microkit_vmm_load_result(&a, 0x1f0), 0xfffffffffffffff0ull);
  EXPECT_EQ(microkit_vmm_load_result(&a, 0x170), 0x70u);
}

TEST(VmmDataAbort, SignedHalfwordIntoWIsZeroExtendedAbove32Bits) {
  microkit_vmm_access a{};
  ASSERT_TRUE(microkit_vmm_data_abort_decode(esr(1, true, 0, false, false), &a));
  EXPECT_EQ(microkit_vmm_load_result(&a, 0x8001), 0xffff8001u);
}

TEST(VmmDataAbort, DoublewordLoadKeepsAllBits) {
  microkit_vmm_access a{};
  ASSERT_TRUE(microkit_vmm_data_abort_decode(esr(3, false, 7, true, false), &a));
  EXPECT_EQ(a.size, 8u);
  EXPECT_EQ(microkit_vmm_load_result(&a, 0x8000000000000001ull), 0x8000000000000001ull);
}

TEST(VmmDataAbort, RefusesWithoutSyndromeOrOtherClass) {
  microkit_vmm_access a{};
  EXPECT_FALSE(microkit_vmm_data_abort_decode(esr(2, false, 1, false, false, false), &a));
  uint64_t hvc = uint64_t(0x16) << 26;
  EXPECT_FALSE(microkit_vmm_data_abort_decode(hvc, &a));
  EXPECT_EQ(microkit_vmm_esr_class(hvc), MICROKIT_VMM_EC_HVC64);
}

// ---- PSCI ----

TEST(VmmPsci, VersionFeaturesAndUnknown) {
  auto r = microkit_vmm_psci_decide(MICROKIT_VMM_PSCI_VERSION, 0, 0, 0, 1, 2);
  EXPECT_EQ(r.action, MICROKIT_VMM_PSCI_RESUME);
  EXPECT_EQ(r.x0, 0x10000);
  EXPECT_EQ(microkit_vmm_psci_decide(MICROKIT_VMM_PSCI_FEATURES, MICROKIT_VMM_PSCI_CPU_ON, 0, 0, 1, 2).x0, 0);
  EXPECT_EQ(microkit_vmm_psci_decide(MICROKIT_VMM_PSCI_FEATURES, MICROKIT_VMM_PSCI_CPU_SUSPEND, 0, 0, 1, 2).x0,
            MICROKIT_VMM_PSCI_NOT_SUPPORTED);
  EXPECT_EQ(microkit_vmm_psci_decide(0xc4000012, 0, 0, 0, 1, 2).x0, MICROKIT_VMM_PSCI_NOT_SUPPORTED);
}

TEST(VmmPsci, CpuOnStartsAnOffCpuOnly) {
  auto r = microkit_vmm_psci_decide(MICROKIT_VMM_PSCI_CPU_ON, 1, 0x40081234, 0x77, 0x1, 2);
  EXPECT_EQ(r.action, MICROKIT_VMM_PSCI_START_CPU);
  EXPECT_EQ(r.target, 1u);
  EXPECT_EQ(r.entry, 0x40081234u);
  EXPECT_EQ(r.context, 0x77u);
  EXPECT_EQ(microkit_vmm_psci_decide(MICROKIT_VMM_PSCI_CPU_ON, 1, 0, 0, 0x3, 2).x0, MICROKIT_VMM_PSCI_ALREADY_ON);
  EXPECT_EQ(microkit_vmm_psci_decide(MICROKIT_VMM_PSCI_CPU_ON, 2, 0, 0, 0x1, 2).x0,
            MICROKIT_VMM_PSCI_INVALID_PARAMETERS);
  EXPECT_EQ(microkit_vmm_psci_decide(MICROKIT_VMM_PSCI_CPU_ON, 0x100, 0, 0, 0x1, 2).action, MICROKIT_VMM_PSCI_RESUME);
}

TEST(VmmPsci, AffinityInfoAndPowerCalls) {
  EXPECT_EQ(microkit_vmm_psci_decide(MICROKIT_VMM_PSCI_AFFINITY_INFO, 1, 0, 0, 0x3, 2).x0, 0);
  EXPECT_EQ(microkit_vmm_psci_decide(MICROKIT_VMM_PSCI_AFFINITY_INFO, 1, 0, 0, 0x1, 2).x0, 1);
  EXPECT_EQ(microkit_vmm_psci_decide(MICROKIT_VMM_PSCI_SYSTEM_RESET, 0, 0, 0, 1, 1).action, MICROKIT_VMM_PSCI_RESET);
  EXPECT_EQ(microkit_vmm_psci_decide(MICROKIT_VMM_PSCI_SYSTEM_OFF, 0, 0, 0, 1, 1).action, MICROKIT_VMM_PSCI_POWER_OFF);
  EXPECT_EQ(microkit_vmm_psci_decide(MICROKIT_VMM_PSCI_CPU_OFF, 0, 0, 0, 1, 1).action, MICROKIT_VMM_PSCI_STOP_CPU);
  // SMC32/HVC32 ids arrive with junk in the upper half of x0 on some callers.
  EXPECT_EQ(microkit_vmm_psci_decide(0xffffffff00000000ull | MICROKIT_VMM_PSCI_VERSION, 0, 0, 0, 1, 1).x0, 0x10000);
}

// ---- Idle vCPUs ----

TEST(VmmIdle, TimerDeadlineOnlyWhenEnabledAndUnmasked) {
  EXPECT_EQ(microkit_vmm_vtimer_deadline(0x1, 5000, 0), 5000u);        // ENABLE
  EXPECT_EQ(microkit_vmm_vtimer_deadline(0x5, 5000, 100), 5100u);      // ISTATUS too; CNTVOFF added
  EXPECT_EQ(microkit_vmm_vtimer_deadline(0x0, 5000, 0), MICROKIT_VMM_NEVER);  // off
  EXPECT_EQ(microkit_vmm_vtimer_deadline(0x3, 5000, 0), MICROKIT_VMM_NEVER);  // IMASK
  EXPECT_EQ(microkit_vmm_vtimer_deadline(0x1, UINT64_MAX - 1, 10), MICROKIT_VMM_NEVER);
}

TEST(VmmIdle, ParksOnlyWhileAnotherVcpuRunsAndTheTimerIsAhead) {
  // vCPUs 0 and 1 on; neither parked: 1 may park until its timer at 900.
  EXPECT_TRUE(microkit_vmm_may_park(1, 0x3, 0x0, 900, 100));
  EXPECT_TRUE(microkit_vmm_may_park(0, 0x3, 0x0, MICROKIT_VMM_NEVER, 100));
  EXPECT_FALSE(microkit_vmm_may_park(1, 0x3, 0x0, 100, 100));  // due now: resume, the timer fires
  EXPECT_FALSE(microkit_vmm_may_park(0, 0x3, 0x2, 900, 100));  // 1 is parked: 0 keeps the time
  EXPECT_FALSE(microkit_vmm_may_park(0, 0x1, 0x0, 900, 100));  // the only vCPU on
  EXPECT_FALSE(microkit_vmm_may_park(1, 0x6, 0x4, 900, 100));  // 2 parked, 0 off: 1 is the last
}

TEST(VmmIdle, DueAreTheParkedWhoseTimeHasCome) {
  uint64_t wake_at[3] = {50, 200, MICROKIT_VMM_NEVER};
  EXPECT_EQ(microkit_vmm_due(wake_at, 0x7, 3, 100), 0x1u);
  EXPECT_EQ(microkit_vmm_due(wake_at, 0x6, 3, 100), 0x0u);  // 0 is not parked
  EXPECT_EQ(microkit_vmm_due(wake_at, 0x7, 3, 200), 0x3u);
  EXPECT_EQ(microkit_vmm_due(wake_at, 0x7, 3, UINT64_MAX - 1), 0x3u);
}

// ---- GICv2 distributor ----

struct GicTest : ::testing::Test {
  microkit_vmm_gic gic{};
  void SetUp() override { microkit_vmm_gic_init(&gic, 2, 4); }
  void enable_distributor() { microkit_vmm_gic_write(&gic, 0, 0x000, 4, 1); }
};

TEST_F(GicTest, TyperAndIdentification) {
  uint32_t typer = microkit_vmm_gic_read(&gic, 0, 0x004, 4);
  EXPECT_EQ(typer & 0x1f, 7u);         // 256 IRQs
  EXPECT_EQ((typer >> 5) & 7, 1u);     // 2 CPUs
  EXPECT_EQ(microkit_vmm_gic_read(&gic, 0, 0xfe8, 4), 0x2bu);  // PIDR2: GICv2
}

TEST_F(GicTest, BankedTargetsNameTheReadingCpu) {
  EXPECT_EQ(microkit_vmm_gic_read(&gic, 0, 0x800, 4), 0x01010101u);
  EXPECT_EQ(microkit_vmm_gic_read(&gic, 1, 0x81c, 4), 0x02020202u);
  microkit_vmm_gic_write(&gic, 0, 0x800, 4, 0xffffffff);  // read-only
  EXPECT_EQ(microkit_vmm_gic_read(&gic, 0, 0x800, 4), 0x01010101u);
}

TEST_F(GicTest, SetAndClearEnableRegisters) {
  microkit_vmm_gic_write(&gic, 0, 0x104, 4, 0x6);  // ISENABLER1: IRQs 33, 34
  EXPECT_EQ(microkit_vmm_gic_read(&gic, 1, 0x104, 4), 0x6u);  // SPIs are shared
  microkit_vmm_gic_write(&gic, 0, 0x184, 4, 0x2);  // ICENABLER1: IRQ 33
  EXPECT_EQ(microkit_vmm_gic_read(&gic, 0, 0x104, 4), 0x4u);
  microkit_vmm_gic_write(&gic, 0, 0x100, 4, 1u << 27);  // PPI 27, banked
  EXPECT_EQ(microkit_vmm_gic_read(&gic, 0, 0x100, 4), 1u << 27);
  EXPECT_EQ(microkit_vmm_gic_read(&gic, 1, 0x100, 4), 0u);
}

TEST_F(GicTest, PriorityAndTargetBytes) {
  microkit_vmm_gic_write(&gic, 0, 0x421, 1, 0xa7);  // IRQ 33
  EXPECT_EQ(microkit_vmm_gic_read(&gic, 0, 0x421, 1), 0xa0u);
  EXPECT_EQ(microkit_vmm_gic_read(&gic, 0, 0x420, 4), 0xa000u);
  microkit_vmm_gic_write(&gic, 0, 0x820, 4, 0x02010201);
  EXPECT_EQ(microkit_vmm_gic_read(&gic, 0, 0x822, 1), 0x01u);
}

TEST_F(GicTest, NothingIsInjectedWhileTheDistributorIsOff) {
  microkit_vmm_gic_write(&gic, 0, 0x100, 4, 1u << 27);
  microkit_vmm_gic_raise(&gic, 0, 27);
  microkit_vmm_gic_injection inj{};
  EXPECT_FALSE(microkit_vmm_gic_next_injection(&gic, 0, &inj));
  enable_distributor();
  ASSERT_TRUE(microkit_vmm_gic_next_injection(&gic, 0, &inj));
  EXPECT_EQ(inj.irq, 27u);
  EXPECT_FALSE(microkit_vmm_gic_next_injection(&gic, 0, &inj));  // no longer pending
}

TEST_F(GicTest, HighestPriorityFirstAndListRegistersRunOut) {
  enable_distributor();
  microkit_vmm_gic_write(&gic, 0, 0x104, 4, 0x3e);   // IRQs 33-37
  microkit_vmm_gic_write(&gic, 0, 0x820, 4, 0x01010101);
  microkit_vmm_gic_write(&gic, 0, 0x824, 4, 0x01010101);
  microkit_vmm_gic_write(&gic, 0, 0x420, 4, 0xa0a0a0a0);
  microkit_vmm_gic_write(&gic, 0, 0x424, 4, 0xa0a0a0a0);
  microkit_vmm_gic_write(&gic, 0, 0x424, 1, 0x10);   // IRQ 36 most urgent
  for (unsigned irq = 33; irq <= 37; ++irq) microkit_vmm_gic_raise(&gic, 0, irq);
  microkit_vmm_gic_injection inj{};
  ASSERT_TRUE(microkit_vmm_gic_next_injection(&gic, 0, &inj));
  EXPECT_EQ(inj.irq, 36u);
  EXPECT_EQ(inj.priority, 0x10u >> 3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(microkit_vmm_gic_next_injection(&gic, 0, &inj));
  EXPECT_FALSE(microkit_vmm_gic_next_injection(&gic, 0, &inj));  // 4 list registers used
  EXPECT_EQ(microkit_vmm_gic_eoi(&gic, 0, inj.lr), inj.irq);
  ASSERT_TRUE(microkit_vmm_gic_next_injection(&gic, 0, &inj));
  EXPECT_EQ(inj.irq, 37u);
}

TEST_F(GicTest, SpiGoesOnlyToItsTargetCpu) {
  enable_distributor();
  microkit_vmm_gic_write(&gic, 0, 0x104, 4, 0x2);
  microkit_vmm_gic_write(&gic, 0, 0x821, 1, 0x02);  // IRQ 33 -> CPU 1
  microkit_vmm_gic_raise(&gic, 0, 33);
  microkit_vmm_gic_injection inj{};
  EXPECT_FALSE(microkit_vmm_gic_next_injection(&gic, 0, &inj));
  ASSERT_TRUE(microkit_vmm_gic_next_injection(&gic, 1, &inj));
  EXPECT_EQ(inj.irq, 33u);
}

TEST_F(GicTest, LevelIrqIsPendingAgainAfterEoiWhileHigh) {
  enable_distributor();
  microkit_vmm_gic_write(&gic, 0, 0x104, 4, 0x2);
  microkit_vmm_gic_write(&gic, 0, 0x821, 1, 0x01);
  microkit_vmm_gic_set_level(&gic, 0, 33, 1);
  microkit_vmm_gic_injection inj{};
  ASSERT_TRUE(microkit_vmm_gic_next_injection(&gic, 0, &inj));
  microkit_vmm_gic_set_level(&gic, 0, 33, 1);  // still high while the guest handles it
  EXPECT_FALSE(microkit_vmm_gic_next_injection(&gic, 0, &inj));
  EXPECT_EQ(microkit_vmm_gic_eoi(&gic, 0, inj.lr), 33u);
  ASSERT_TRUE(microkit_vmm_gic_next_injection(&gic, 0, &inj));
  microkit_vmm_gic_set_level(&gic, 0, 33, 0);
  microkit_vmm_gic_eoi(&gic, 0, inj.lr);
  EXPECT_FALSE(microkit_vmm_gic_next_injection(&gic, 0, &inj));
}

TEST_F(GicTest, SgiToOthersReachesTheOtherCpu) {
  enable_distributor();
  microkit_vmm_gic_write(&gic, 1, 0x100, 4, 0xffff);
  microkit_vmm_gic_write(&gic, 0, 0xf00, 4, (1u << 24) | 5);  // all but self, SGI 5
  microkit_vmm_gic_injection inj{};
  EXPECT_FALSE(microkit_vmm_gic_next_injection(&gic, 0, &inj));
  ASSERT_TRUE(microkit_vmm_gic_next_injection(&gic, 1, &inj));
  EXPECT_EQ(inj.irq, 5u);
}

TEST_F(GicTest, ResetForgetsListRegistersAndPending) {
  enable_distributor();
  microkit_vmm_gic_write(&gic, 0, 0x100, 4, 1u << 27);
  microkit_vmm_gic_raise(&gic, 0, 27);
  microkit_vmm_gic_injection inj{};
  ASSERT_TRUE(microkit_vmm_gic_next_injection(&gic, 0, &inj));
  microkit_vmm_gic_reset(&gic);
  EXPECT_EQ(microkit_vmm_gic_eoi(&gic, 0, inj.lr), MICROKIT_VMM_GIC_NO_IRQ);
  EXPECT_EQ(microkit_vmm_gic_read(&gic, 0, 0x000, 4), 0u);
}

// ---- PL011 ----

struct Pl011Test : ::testing::Test {
  std::vector<uint8_t> sent, to_receive;
  microkit_vmm_pl011 uart{};
  void SetUp() override {
    microkit_vmm_pl011_io io{};
    io.ctx = this;
    io.put = [](void* c, uint8_t b) { static_cast<Pl011Test*>(c)->sent.push_back(b); };
    io.get = [](void* c, uint8_t* b) {
      auto* t = static_cast<Pl011Test*>(c);
      if (t->to_receive.empty()) return 0;
      *b = t->to_receive.front();
      t->to_receive.erase(t->to_receive.begin());
      return 1;
    };
    io.peek = [](void* c) { return int(!static_cast<Pl011Test*>(c)->to_receive.empty()); };
    microkit_vmm_pl011_init(&uart, io);
  }
};

TEST_F(Pl011Test, TransmitsBytesWrittenToData) {
  microkit_vmm_pl011_write(&uart, 0x000, 'h');
  microkit_vmm_pl011_write(&uart, 0x000, 'i');
  EXPECT_EQ(std::string(sent.begin(), sent.end()), "hi");
  EXPECT_EQ(microkit_vmm_pl011_read(&uart, 0x018) & (1u << 5), 0u);  // TXFF clear
}

TEST_F(Pl011Test, ReceiveInterruptFollowsWaitingBytesAndMask) {
  EXPECT_NE(microkit_vmm_pl011_read(&uart, 0x018) & (1u << 4), 0u);  // RXFE
  to_receive = {'a', 'b'};
  EXPECT_EQ(microkit_vmm_pl011_read(&uart, 0x018) & (1u << 4), 0u);
  EXPECT_FALSE(microkit_vmm_pl011_irq(&uart));  // masked
  microkit_vmm_pl011_write(&uart, 0x038, 1u << 4);  // RXIM
  EXPECT_TRUE(microkit_vmm_pl011_irq(&uart));
  EXPECT_EQ(microkit_vmm_pl011_read(&uart, 0x000), uint32_t('a'));
  EXPECT_EQ(microkit_vmm_pl011_read(&uart, 0x000), uint32_t('b'));
  EXPECT_FALSE(microkit_vmm_pl011_irq(&uart));
  EXPECT_EQ(microkit_vmm_pl011_read(&uart, 0x040), 0u);  // MIS
}

TEST_F(Pl011Test, TransmitInterruptWhileUnmasked) {
  microkit_vmm_pl011_write(&uart, 0x038, 1u << 5);  // TXIM
  EXPECT_TRUE(microkit_vmm_pl011_irq(&uart));
  EXPECT_EQ(microkit_vmm_pl011_read(&uart, 0x040), 1u << 5);
  microkit_vmm_pl011_write(&uart, 0x038, 0);
  EXPECT_FALSE(microkit_vmm_pl011_irq(&uart));
}

TEST_F(Pl011Test, PrimeCellIdentifiesAsPl011) {
  uint32_t periph = 0;
  for (unsigned i = 0; i < 4; ++i) periph |= microkit_vmm_pl011_read(&uart, 0xfe0 + 4 * i) << (8 * i);
  EXPECT_EQ(periph & 0xfffff, 0x41011u);
  EXPECT_EQ(microkit_vmm_pl011_read(&uart, 0xffc), 0xb1u);
}

// ---- virtio console (MMIO transport, version 2) ----

// The back end: what the guest transmits lands in `sent` (up to `room`
// bytes), what waits for the guest is `incoming`.
struct FakeSerial {
  std::string sent;
  size_t room = 1 << 20;
  std::deque<uint8_t> incoming;
  static int put(void* ctx, uint8_t b) {
    auto* s = static_cast<FakeSerial*>(ctx);
    if (s->sent.size() >= s->room) return 0;
    s->sent.push_back(char(b));
    return 1;
  }
  static int get(void* ctx, uint8_t* b) {
    auto* s = static_cast<FakeSerial*>(ctx);
    if (s->incoming.empty()) return 0;
    *b = s->incoming.front();
    s->incoming.pop_front();
    return 1;
  }
  static int peek(void* ctx) { return !static_cast<FakeSerial*>(ctx)->incoming.empty(); }
};

// Plays Linux's virtio_mmio driver against a device model, with the
// queues and buffers in a fake guest RAM at kRamGpa.
class FakeVirtioGuest : public ::testing::Test {
 protected:
  static constexpr uint64_t kRamGpa = 0x40000000;
  static constexpr uint16_t kNum = 8;
  // Per queue q: descriptors at 0x1000 + 0x1000 q, avail +0x200, used +0x400; buffers from 0x8000.
  static uint64_t desc_gpa(unsigned q) { return kRamGpa + 0x1000 + 0x1000ull * q; }
  static uint64_t avail_gpa(unsigned q) { return desc_gpa(q) + 0x200; }
  static uint64_t used_gpa(unsigned q) { return desc_gpa(q) + 0x400; }

  std::vector<uint8_t> ram = std::vector<uint8_t>(0x20000, 0);
  uint16_t avail_idx[2] = {0, 0};
  uint64_t next_buffer = kRamGpa + 0x8000;

  virtual uint32_t rd(uint32_t offset) = 0;
  virtual void wr(uint32_t offset, uint32_t value) = 0;
  uint8_t* at(uint64_t gpa) { return &ram[gpa - kRamGpa]; }
  void put_le(uint64_t gpa, uint64_t v, int n) { for (int i = 0; i < n; ++i) at(gpa)[i] = uint8_t(v >> (8 * i)); }
  uint64_t get_le(uint64_t gpa, int n) {
    uint64_t v = 0;
    for (int i = n; i-- > 0;) v = (v << 8) | at(gpa)[i];
    return v;
  }

  uint64_t features() {
    wr(0x014, 0);
    uint64_t low = rd(0x010);
    wr(0x014, 1);
    return low | (uint64_t(rd(0x010)) << 32);
  }
  void set_features(uint64_t f) {
    wr(0x024, 0);
    wr(0x020, uint32_t(f));
    wr(0x024, 1);
    wr(0x020, uint32_t(f >> 32));
  }
  void setup_queue(unsigned q) {
    wr(0x030, q);
    ASSERT_GE(rd(0x034), kNum);
    ASSERT_EQ(rd(0x044), 0u);
    wr(0x038, kNum);
    wr(0x080, uint32_t(desc_gpa(q)));
    wr(0x084, uint32_t(desc_gpa(q) >> 32));
    wr(0x090, uint32_t(avail_gpa(q)));
    wr(0x094, 0);
    wr(0x0a0, uint32_t(used_gpa(q)));
    wr(0x0a4, 0);
    wr(0x044, 1);
    ASSERT_EQ(rd(0x044), 1u);
  }
  // The driver's side of the handshake (virtio 1.2, 3.1.1), taking every offered feature.
  void bring_up(unsigned queues = 2) {
    wr(0x070, 0);
    for (unsigned q = 0; q < 2; ++q) {  // a driver starting over lays out fresh rings
      std::memset(at(desc_gpa(q)), 0, 0x1000);
      avail_idx[q] = 0;
    }
    wr(0x070, MICROKIT_VMM_VIRTIO_ACKNOWLEDGE);
    wr(0x070, MICROKIT_VMM_VIRTIO_ACKNOWLEDGE | MICROKIT_VMM_VIRTIO_DRIVER);
    set_features(features());
    uint32_t s = MICROKIT_VMM_VIRTIO_ACKNOWLEDGE | MICROKIT_VMM_VIRTIO_DRIVER | MICROKIT_VMM_VIRTIO_FEATURES_OK;
    wr(0x070, s);
    ASSERT_TRUE(rd(0x070) & MICROKIT_VMM_VIRTIO_FEATURES_OK);
    for (unsigned q = 0; q < queues; ++q) setup_queue(q);
    wr(0x070, s | MICROKIT_VMM_VIRTIO_DRIVER_OK);
  }
  // Puts a chain of descriptors `first`.. for the given buffers (length, device-writable) on queue q's available ring.
  void offer(unsigned q, uint16_t first, const std::vector<std::pair<uint32_t, bool>>& buffers,
             std::vector<uint64_t>* where = nullptr) {
    for (size_t i = 0; i < buffers.size(); ++i) {
      uint64_t d = desc_gpa(q) + 16ull * (first + i);
      put_le(d, next_buffer, 8);
      put_le(d + 8, buffers[i].first, 4);
      put_le(d + 12, (i + 1 < buffers.size() ? 1 : 0) | (buffers[i].second ? 2 : 0), 2);
      put_le(d + 14, first + i + 1, 2);
      if (where != nullptr) where->push_back(next_buffer);
      next_buffer += (buffers[i].first + 0xff) & ~0xffull;
    }
    put_le(avail_gpa(q) + 4 + 2 * (avail_idx[q] % kNum), first, 2);
    put_le(avail_gpa(q) + 2, ++avail_idx[q], 2);
  }
  uint16_t used_idx(unsigned q) { return uint16_t(get_le(used_gpa(q) + 2, 2)); }
  uint32_t used_id(unsigned q, unsigned i) { return uint32_t(get_le(used_gpa(q) + 4 + 8 * i, 4)); }
  uint32_t used_len(unsigned q, unsigned i) { return uint32_t(get_le(used_gpa(q) + 8 + 8 * i, 4)); }
};

// ... and Linux's virtio_console driver.
class VirtioConsoleTest : public FakeVirtioGuest {
 protected:
  FakeSerial serial;
  microkit_vmm_virtio_console dev{};

  void SetUp() override {
    microkit_vmm_virtio_console_init(&dev, {&serial, FakeSerial::put, FakeSerial::get, FakeSerial::peek},
                                     ram.data(), kRamGpa, ram.size());
  }
  uint32_t rd(uint32_t offset) override { return microkit_vmm_virtio_console_read(&dev, offset, 4); }
  void wr(uint32_t offset, uint32_t value) override { microkit_vmm_virtio_console_write(&dev, offset, 4, value); }
  void transmit(uint16_t first, const std::vector<std::string>& parts) {
    std::vector<std::pair<uint32_t, bool>> buffers;
    for (auto& p : parts) buffers.push_back({uint32_t(p.size()), false});
    std::vector<uint64_t> where;
    offer(1, first, buffers, &where);
    for (size_t i = 0; i < parts.size(); ++i) std::memcpy(at(where[i]), parts[i].data(), parts[i].size());
  }
};

TEST_F(VirtioConsoleTest, IdentifiesAsAModernConsole) {
  EXPECT_EQ(rd(0x000), 0x74726976u);  // "virt"
  EXPECT_EQ(rd(0x004), 2u);
  EXPECT_EQ(rd(0x008), 3u);
  EXPECT_EQ(features(), MICROKIT_VMM_VIRTIO_F_VERSION_1);
  wr(0x030, 2);
  EXPECT_EQ(rd(0x034), 0u);  // no control queues: one port only
  wr(0x030, 1);
  EXPECT_EQ(rd(0x034), MICROKIT_VMM_VIRTIO_QUEUE_MAX);
  EXPECT_EQ(microkit_vmm_virtio_console_read(&dev, 0x104, 4), 1u);  // max_nr_ports
  EXPECT_EQ(microkit_vmm_virtio_console_read(&dev, 0x100, 2), 0u);  // cols unknown
}

TEST_F(VirtioConsoleTest, FeaturesOkOnlyWithVersion1AndNothingUnoffered) {
  uint32_t s = MICROKIT_VMM_VIRTIO_ACKNOWLEDGE | MICROKIT_VMM_VIRTIO_DRIVER | MICROKIT_VMM_VIRTIO_FEATURES_OK;
  set_features(0);  // a legacy driver
  wr(0x070, s);
  EXPECT_FALSE(rd(0x070) & MICROKIT_VMM_VIRTIO_FEATURES_OK);
  set_features(MICROKIT_VMM_VIRTIO_F_VERSION_1 | 2);  // MULTIPORT, not offered
  wr(0x070, s);
  EXPECT_FALSE(rd(0x070) & MICROKIT_VMM_VIRTIO_FEATURES_OK);
  set_features(MICROKIT_VMM_VIRTIO_F_VERSION_1);
  wr(0x070, s);
  EXPECT_EQ(rd(0x070), s);
}

TEST_F(VirtioConsoleTest, TransmittedChainReachesTheBackEndAndIsReturned) {
  bring_up();
  transmit(0, {"hello, ", "world\n"});
  EXPECT_EQ(serial.sent, "");  // nothing moves before the notify
  wr(0x050, 1);
  EXPECT_EQ(serial.sent, "hello, world\n");
  ASSERT_EQ(used_idx(1), 1u);
  EXPECT_EQ(used_id(1, 0), 0u);
  EXPECT_EQ(used_len(1, 0), 0u);
  EXPECT_TRUE(microkit_vmm_virtio_console_irq(&dev));
  EXPECT_EQ(rd(0x060), 1u);
  wr(0x064, 1);
  EXPECT_FALSE(microkit_vmm_virtio_console_irq(&dev));
}

TEST_F(VirtioConsoleTest, FullBackEndHoldsTheChainAndResumesWithoutRepeating) {
  bring_up();
  serial.room = 4;
  transmit(2, {"abcdef"});
  wr(0x050, 1);
  EXPECT_EQ(serial.sent, "abcd");
  EXPECT_EQ(used_idx(1), 0u);  // still the device's
  serial.room = 100;
  microkit_vmm_virtio_console_poll(&dev);  // the serial PD made room
  EXPECT_EQ(serial.sent, "abcdef");
  ASSERT_EQ(used_idx(1), 1u);
  EXPECT_EQ(used_id(1, 0), 2u);
}

TEST_F(VirtioConsoleTest, ReceivedBytesFillARxBufferAndRaiseTheInterrupt) {
  bring_up();
  std::vector<uint64_t> where;
  offer(0, 0, {{16, true}}, &where);
  wr(0x050, 0);
  EXPECT_EQ(used_idx(0), 0u);  // nothing received yet
  EXPECT_FALSE(microkit_vmm_virtio_console_irq(&dev));
  for (char c : std::string("ls\n")) serial.incoming.push_back(uint8_t(c));
  microkit_vmm_virtio_console_poll(&dev);  // the serial PD's notification
  ASSERT_EQ(used_idx(0), 1u);
  EXPECT_EQ(used_len(0, 0), 3u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(at(where[0])), 3), "ls\n");
  EXPECT_TRUE(microkit_vmm_virtio_console_irq(&dev));
}

// Keystrokes that arrive before the guest has posted a receive buffer wait
// in the back end and move when the driver posts one (its QueueNotify).
TEST_F(VirtioConsoleTest, InputWaitsForTheDriversNextRxBuffer) {
  bring_up();
  for (char c : std::string("id\r")) serial.incoming.push_back(uint8_t(c));
  microkit_vmm_virtio_console_poll(&dev);
  EXPECT_EQ(used_idx(0), 0u);
  EXPECT_EQ(serial.incoming.size(), 3u);  // nothing taken without a buffer to put it in
  EXPECT_FALSE(microkit_vmm_virtio_console_irq(&dev));
  std::vector<uint64_t> where;
  offer(0, 0, {{2, true}}, &where);
  wr(0x050, 0);
  ASSERT_EQ(used_idx(0), 1u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(at(where[0])), 2), "id");
  EXPECT_EQ(serial.incoming.size(), 1u);  // the rest waits for the next buffer
  EXPECT_TRUE(microkit_vmm_virtio_console_irq(&dev));
}

// A receive buffer the driver marked device-readable only takes nothing;
// the chain still goes back, empty, so the driver can reuse it.
TEST_F(VirtioConsoleTest, ReadOnlyRxBufferReturnsEmpty) {
  bring_up();
  serial.incoming.push_back(uint8_t('q'));
  offer(0, 0, {{8, false}});
  wr(0x050, 0);
  ASSERT_EQ(used_idx(0), 1u);
  EXPECT_EQ(used_len(0, 0), 0u);
  EXPECT_EQ(serial.incoming.size(), 1u);
}

TEST_F(VirtioConsoleTest, LongInputSpillsIntoTheNextBuffer) {
  bring_up();
  std::vector<uint64_t> where;
  offer(0, 0, {{4, true}}, &where);
  offer(0, 1, {{4, true}}, &where);
  for (char c : std::string("abcdef")) serial.incoming.push_back(uint8_t(c));
  microkit_vmm_virtio_console_poll(&dev);
  ASSERT_EQ(used_idx(0), 2u);
  EXPECT_EQ(used_len(0, 0), 4u);
  EXPECT_EQ(used_id(0, 1), 1u);
  EXPECT_EQ(used_len(0, 1), 2u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(at(where[1])), 2), "ef");
}

TEST_F(VirtioConsoleTest, NoInterruptFlagSuppressesTheInterrupt) {
  bring_up();
  put_le(avail_gpa(1), 1, 2);  // VIRTQ_AVAIL_F_NO_INTERRUPT
  transmit(0, {"x"});
  wr(0x050, 1);
  EXPECT_EQ(serial.sent, "x");
  EXPECT_EQ(used_idx(1), 1u);
  EXPECT_FALSE(microkit_vmm_virtio_console_irq(&dev));
}

TEST_F(VirtioConsoleTest, NothingMovesBeforeDriverOk) {
  uint32_t s = MICROKIT_VMM_VIRTIO_ACKNOWLEDGE | MICROKIT_VMM_VIRTIO_DRIVER | MICROKIT_VMM_VIRTIO_FEATURES_OK;
  set_features(MICROKIT_VMM_VIRTIO_F_VERSION_1);
  wr(0x070, s);
  setup_queue(0);
  setup_queue(1);
  transmit(0, {"early"});
  wr(0x050, 1);
  EXPECT_EQ(serial.sent, "");
  wr(0x070, s | MICROKIT_VMM_VIRTIO_DRIVER_OK);
  EXPECT_EQ(serial.sent, "early");
}

TEST_F(VirtioConsoleTest, QueueOutsideRamOrBufferOutsideRamNeedsReset) {
  wr(0x030, 1);
  wr(0x038, kNum);
  wr(0x080, uint32_t(kRamGpa + ram.size() - 16));  // the table runs off the end of RAM
  wr(0x090, uint32_t(avail_gpa(1)));
  wr(0x0a0, uint32_t(used_gpa(1)));
  wr(0x044, 1);
  EXPECT_EQ(rd(0x044), 0u);
  EXPECT_TRUE(rd(0x070) & MICROKIT_VMM_VIRTIO_NEEDS_RESET);
  wr(0x070, 0);  // a reset clears it
  EXPECT_EQ(rd(0x070), 0u);
  bring_up();
  put_le(desc_gpa(1), kRamGpa + ram.size() - 2, 8);  // a 16-byte buffer past the end
  put_le(desc_gpa(1) + 8, 16, 4);
  put_le(avail_gpa(1) + 2, 1, 2);
  wr(0x050, 1);
  EXPECT_EQ(serial.sent, "");
  EXPECT_TRUE(rd(0x070) & MICROKIT_VMM_VIRTIO_NEEDS_RESET);
  EXPECT_EQ(rd(0x060), 2u);  // a configuration change tells the driver
}

TEST_F(VirtioConsoleTest, ResetForgetsQueuesAndFeatures) {
  bring_up();
  wr(0x070, 0);
  wr(0x030, 0);
  EXPECT_EQ(rd(0x044), 0u);
  EXPECT_EQ(rd(0x070), 0u);
  EXPECT_EQ(dev.t.driver_features, 0u);
  bring_up();  // and the driver can start over
  transmit(0, {"again"});
  wr(0x050, 1);
  EXPECT_EQ(serial.sent, "again");
}

// ---- virtio block device ----

// The back end: a RAM disk that answers submitted requests when told to
// (serve), as the block PD does after its notification; `accept` bounds how
// many it takes.
struct FakeDisk {
  static constexpr uint32_t kSlotSize = 8192;
  std::vector<uint8_t> disk = std::vector<uint8_t>(64 * MICROKIT_VMM_BLK_SECTOR);
  std::vector<std::vector<uint8_t>> slots = std::vector<std::vector<uint8_t>>(MICROKIT_VMM_BLK_SLOTS,
                                                                              std::vector<uint8_t>(kSlotSize));
  struct Request { unsigned slot; uint32_t type; uint64_t sector; uint32_t bytes; };
  std::vector<Request> pending;
  size_t accept = 100;
  int flushes = 0;
  static int submit(void* ctx, unsigned slot, uint32_t type, uint64_t sector, uint32_t bytes) {
    auto* d = static_cast<FakeDisk*>(ctx);
    if (d->pending.size() >= d->accept) return 0;
    d->pending.push_back({slot, type, sector, bytes});
    return 1;
  }
  static uint8_t* buffer(void* ctx, unsigned slot) { return static_cast<FakeDisk*>(ctx)->slots[slot].data(); }
  void serve(microkit_vmm_virtio_blk* dev) {
    std::vector<Request> now;
    now.swap(pending);
    for (const Request& r : now) {
      uint8_t* at = disk.data() + r.sector * MICROKIT_VMM_BLK_SECTOR;
      if (r.type == MICROKIT_VMM_BLK_T_IN) std::memcpy(slots[r.slot].data(), at, r.bytes);
      if (r.type == MICROKIT_VMM_BLK_T_OUT) std::memcpy(at, slots[r.slot].data(), r.bytes);
      if (r.type == MICROKIT_VMM_BLK_T_FLUSH) ++flushes;
      microkit_vmm_virtio_blk_complete(dev, r.slot, MICROKIT_VMM_BLK_S_OK);
    }
  }
};

// ... and Linux's virtio_blk driver: a request is header, data, status byte.
class VirtioBlkTest : public FakeVirtioGuest {
 protected:
  static constexpr uint64_t kSectors = 64;
  FakeDisk backend;
  microkit_vmm_virtio_blk dev{};
  uint16_t next_desc = 0;

  void SetUp() override {
    microkit_vmm_virtio_blk_init(&dev, {&backend, FakeDisk::submit, FakeDisk::buffer}, kSectors, FakeDisk::kSlotSize,
                                 ram.data(), kRamGpa, ram.size());
    for (size_t i = 0; i < backend.disk.size(); ++i) backend.disk[i] = uint8_t(i * 7 + i / 512);
  }
  uint32_t rd(uint32_t offset) override { return microkit_vmm_virtio_blk_read(&dev, offset, 4); }
  void wr(uint32_t offset, uint32_t value) override { microkit_vmm_virtio_blk_write(&dev, offset, 4, value); }

  struct Req { uint64_t header, data, status; };
  // Makes a request available and notifies; `data` bytes in one buffer (none when 0).
  Req request(uint32_t type, uint64_t sector, uint32_t data, bool data_writable) {
    std::vector<uint64_t> where;
    std::vector<std::pair<uint32_t, bool>> buffers{{16, false}};
    if (data != 0) buffers.push_back({data, data_writable});
    buffers.push_back({1, true});
    if (next_buffer + 0x4000 > kRamGpa + ram.size()) next_buffer = kRamGpa + 0x8000;
    if (next_desc + buffers.size() > kNum) next_desc = 0;  // earlier chains are answered: reuse the table
    offer(0, next_desc, buffers, &where);
    next_desc = uint16_t(next_desc + buffers.size());
    put_le(where[0], type, 4);
    put_le(where[0] + 8, sector, 8);
    at(where.back())[0] = 0xff;  // not yet answered
    wr(0x050, 0);
    return {where[0], data != 0 ? where[1] : 0, where.back()};
  }
  Req read(uint64_t sector, uint32_t bytes) { return request(MICROKIT_VMM_BLK_T_IN, sector, bytes, true); }
  Req write(uint64_t sector, const std::vector<uint8_t>& bytes) {
    // The data must be in place before the notification: fill, then offer.
    uint64_t data_gpa = next_buffer + 0x100;  // where offer() will put the second buffer
    if (next_buffer + 0x4000 > kRamGpa + ram.size()) data_gpa = kRamGpa + 0x8000 + 0x100;
    std::memcpy(at(data_gpa), bytes.data(), bytes.size());
    Req r = request(MICROKIT_VMM_BLK_T_OUT, sector, uint32_t(bytes.size()), false);
    EXPECT_EQ(r.data, data_gpa);
    return r;
  }
  uint8_t status(const Req& r) { return at(r.status)[0]; }
};

TEST_F(VirtioBlkTest, IdentifiesAsABlockDeviceWithItsCapacityAndLimits) {
  EXPECT_EQ(rd(0x008), 2u);
  uint64_t f = features();
  EXPECT_TRUE(f & MICROKIT_VMM_VIRTIO_F_VERSION_1);
  EXPECT_TRUE(f & MICROKIT_VMM_BLK_F_FLUSH);
  EXPECT_EQ(rd(0x100) | (uint64_t(rd(0x104)) << 32), kSectors);
  EXPECT_EQ(rd(0x108), MICROKIT_VMM_BLK_SEGMENT);  // size_max
  EXPECT_EQ(rd(0x10c), FakeDisk::kSlotSize / MICROKIT_VMM_BLK_SEGMENT);  // seg_max: a request fits a slot
  wr(0x030, 1);
  EXPECT_EQ(rd(0x034), 0u);  // one request queue
}

TEST_F(VirtioBlkTest, ReadWaitsForTheBackEndThenFillsTheGuestsBuffer) {
  bring_up(1);
  Req r = read(3, 1024);
  ASSERT_EQ(backend.pending.size(), 1u);
  EXPECT_EQ(backend.pending[0].sector, 3u);
  EXPECT_EQ(used_idx(0), 0u);  // not answered before the back end is
  EXPECT_EQ(status(r), 0xff);
  backend.serve(&dev);
  ASSERT_EQ(used_idx(0), 1u);
  EXPECT_EQ(used_len(0, 0), 1025u);  // data and status
  EXPECT_EQ(status(r), MICROKIT_VMM_BLK_S_OK);
  EXPECT_EQ(0, std::memcmp(at(r.data), &backend.disk[3 * 512], 1024));
  EXPECT_TRUE(microkit_vmm_virtio_blk_irq(&dev));
}

TEST_F(VirtioBlkTest, WriteReachesTheDiskAndReadsBack) {
  bring_up(1);
  std::vector<uint8_t> data(512);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(255 - i);
  std::vector<uint8_t> sector11(&backend.disk[11 * 512], &backend.disk[12 * 512]);
  Req w = write(10, data);
  backend.serve(&dev);
  EXPECT_EQ(status(w), MICROKIT_VMM_BLK_S_OK);
  EXPECT_EQ(used_len(0, 0), 1u);  // only the status byte written
  EXPECT_EQ(0, std::memcmp(&backend.disk[10 * 512], data.data(), 512));
  EXPECT_EQ(0, std::memcmp(&backend.disk[11 * 512], sector11.data(), 512));  // and nothing past it
  Req r = read(10, 512);
  backend.serve(&dev);
  EXPECT_EQ(0, std::memcmp(at(r.data), data.data(), 512));
}

TEST_F(VirtioBlkTest, FlushGoesToTheBackEnd) {
  bring_up(1);
  Req f = request(MICROKIT_VMM_BLK_T_FLUSH, 0, 0, false);
  backend.serve(&dev);
  EXPECT_EQ(backend.flushes, 1);
  EXPECT_EQ(status(f), MICROKIT_VMM_BLK_S_OK);
}

TEST_F(VirtioBlkTest, BadRequestsAreAnsweredAtOnceWithoutTheBackEnd) {
  bring_up(1);
  Req past_end = read(kSectors - 1, 1024);  // runs one sector past the disk
  EXPECT_EQ(status(past_end), MICROKIT_VMM_BLK_S_IOERR);
  Req partial = read(0, 100);  // not whole sectors
  EXPECT_EQ(status(partial), MICROKIT_VMM_BLK_S_IOERR);
  Req too_big = read(0, FakeDisk::kSlotSize + 512);  // more than a slot holds
  EXPECT_EQ(status(too_big), MICROKIT_VMM_BLK_S_IOERR);
  Req unknown = request(99, 0, 0, false);
  EXPECT_EQ(status(unknown), MICROKIT_VMM_BLK_S_UNSUPP);
  EXPECT_TRUE(backend.pending.empty());
  EXPECT_EQ(used_idx(0), 4u);
  EXPECT_EQ(rd(0x070) & MICROKIT_VMM_VIRTIO_NEEDS_RESET, 0u);
}

TEST_F(VirtioBlkTest, ABackEndThatIsFullHoldsTheRequestUntilThePoll) {
  bring_up(1);
  backend.accept = 0;
  Req r = read(1, 512);
  EXPECT_TRUE(backend.pending.empty());
  backend.accept = 100;
  microkit_vmm_virtio_blk_poll(&dev);  // the block PD's notification: it has room again
  ASSERT_EQ(backend.pending.size(), 1u);
  backend.serve(&dev);
  EXPECT_EQ(status(r), MICROKIT_VMM_BLK_S_OK);
}

TEST_F(VirtioBlkTest, AChainWithoutAStatusByteNeedsReset) {
  bring_up(1);
  std::vector<uint64_t> where;
  offer(0, 0, {{16, false}}, &where);  // a header and nothing the device may write
  put_le(where[0], MICROKIT_VMM_BLK_T_FLUSH, 4);
  wr(0x050, 0);
  EXPECT_TRUE(rd(0x070) & MICROKIT_VMM_VIRTIO_NEEDS_RESET);
  EXPECT_TRUE(backend.pending.empty());
}

TEST_F(VirtioBlkTest, AnAnswerAfterAResetIsDropped) {
  bring_up(1);
  read(2, 512);
  ASSERT_EQ(backend.pending.size(), 1u);
  bring_up(1);  // the driver resets and starts over
  next_desc = 0;
  backend.serve(&dev);
  EXPECT_EQ(used_idx(0), 0u);  // the old request's answer does not reach the new queue
  Req r = read(2, 512);
  backend.serve(&dev);
  EXPECT_EQ(status(r), MICROKIT_VMM_BLK_S_OK);
}

// ---- Ring ----

TEST(VmmRing, FifoOrderFullAndEmpty) {
  alignas(8) uint8_t memory[16 + 64];
  microkit_vmm_ring* ring = microkit_vmm_ring_init(memory, sizeof memory);
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(ring->size, 64u);
  uint8_t b = 0;
  EXPECT_FALSE(microkit_vmm_ring_pop(ring, &b));
  for (unsigned i = 0; i < 64; ++i) ASSERT_TRUE(microkit_vmm_ring_push(ring, uint8_t(i)));
  EXPECT_FALSE(microkit_vmm_ring_push(ring, 99));
  EXPECT_EQ(microkit_vmm_ring_count(ring), 64u);
  for (unsigned i = 0; i < 64; ++i) {
    ASSERT_TRUE(microkit_vmm_ring_pop(ring, &b));
    EXPECT_EQ(b, uint8_t(i));
  }
  EXPECT_FALSE(microkit_vmm_ring_pop(ring, &b));
}

TEST(VmmRing, MessagesGoWholeOrNotAtAll) {
  alignas(8) uint8_t memory[16 + 64];
  microkit_vmm_ring* ring = microkit_vmm_ring_init(memory, sizeof memory);
  ASSERT_NE(ring, nullptr);
  uint8_t msg[24], out[24] = {};
  for (unsigned i = 0; i < sizeof msg; ++i) msg[i] = uint8_t(i + 1);
  EXPECT_EQ(microkit_vmm_ring_read(ring, out, sizeof out), 0);  // empty
  EXPECT_EQ(microkit_vmm_ring_write(ring, msg, sizeof msg), 1);
  EXPECT_EQ(microkit_vmm_ring_write(ring, msg, sizeof msg), 1);
  EXPECT_EQ(microkit_vmm_ring_write(ring, msg, sizeof msg), 0);  // 16 bytes free: no partial message
  EXPECT_EQ(microkit_vmm_ring_count(ring), 48u);
  for (int round = 0; round < 5; ++round) {  // across the wrap
    ASSERT_EQ(microkit_vmm_ring_read(ring, out, sizeof out), 1);
    EXPECT_EQ(0, std::memcmp(out, msg, sizeof msg));
    ASSERT_EQ(microkit_vmm_ring_write(ring, msg, sizeof msg), 1);
  }
  uint8_t byte;
  for (int i = 0; i < 40; ++i) ASSERT_EQ(microkit_vmm_ring_pop(ring, &byte), 1);
  EXPECT_EQ(microkit_vmm_ring_read(ring, out, sizeof out), 0);  // 8 bytes left: not a whole message
}

TEST(VmmRing, WrapsAroundManyTimes) {
  alignas(8) uint8_t memory[16 + 40];  // data rounds down to 32
  microkit_vmm_ring* ring = microkit_vmm_ring_init(memory, sizeof memory);
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(ring->size, 32u);
  uint8_t b = 0;
  for (unsigned i = 0; i < 1000; ++i) {
    ASSERT_TRUE(microkit_vmm_ring_push(ring, uint8_t(i * 7)));
    ASSERT_TRUE(microkit_vmm_ring_pop(ring, &b));
    ASSERT_EQ(b, uint8_t(i * 7));
  }
  EXPECT_EQ(microkit_vmm_ring_init(memory, 20), nullptr);
}

// ---- DTB ----

// A minimal blob: / { chosen { linux,initrd-start = <0 0>; linux,initrd-end = <0>; }; };
std::vector<uint8_t> small_dtb() {
  std::vector<uint8_t> s;  // structure block
  auto word = [&](uint32_t v) { for (int i = 3; i >= 0; --i) s.push_back(uint8_t(v >> (8 * i))); };
  auto name = [&](const char* n) { size_t l = std::strlen(n) + 1; s.insert(s.end(), n, n + l); while (s.size() % 4) s.push_back(0); };
  std::string strings = std::string("linux,initrd-start") + '\0' + "linux,initrd-end" + '\0';
  word(1); name("");
  word(1); name("memory");          // a node at depth 2 that is not chosen, with a same-named property
  word(3); word(8); word(0); word(0xaaaaaaaa); word(0xbbbbbbbb);
  word(2);
  word(1); name("chosen");
  word(3); word(8); word(0); word(0); word(0);
  word(3); word(4); word(19); word(0);
  word(2);
  word(2);
  word(9);
  std::vector<uint8_t> blob(40, 0);
  auto put = [&](size_t at, uint32_t v) { for (int i = 0; i < 4; ++i) blob[at + i] = uint8_t(v >> (8 * (3 - i))); };
  uint32_t off_struct = 40 + 16, off_strings = off_struct + uint32_t(s.size());
  put(0, 0xd00dfeed); put(4, off_strings + uint32_t(strings.size())); put(8, off_struct); put(12, off_strings);
  put(16, 40); put(20, 17); put(24, 16); put(32, uint32_t(strings.size())); put(36, uint32_t(s.size()));
  blob.resize(off_struct, 0);  // memory reservation block: one terminating entry
  blob.insert(blob.end(), s.begin(), s.end());
  blob.insert(blob.end(), strings.begin(), strings.end());
  return blob;
}

uint64_t be(const uint8_t* p, int n) { uint64_t v = 0; for (int i = 0; i < n; ++i) v = (v << 8) | p[i]; return v; }

TEST(VmmDtb, SetsChosenPropertiesInPlaceOnly) {
  auto blob = small_dtb();
  ASSERT_EQ(microkit_vmm_dtb_check(blob.data(), blob.size()), nullptr);
  EXPECT_EQ(microkit_vmm_dtb_size(blob.data()), blob.size());
  ASSERT_EQ(microkit_vmm_dtb_set_chosen(blob.data(), "linux,initrd-start", 0x48000000), nullptr);
  ASSERT_EQ(microkit_vmm_dtb_set_chosen(blob.data(), "linux,initrd-end", 0x48123456), nullptr);
  // memory's property is untouched; chosen's two carry the values.
  // Structure block at 56: root (8 bytes), memory node (12), its property (12 + 8), end (4),
  // chosen (12), initrd-start (12 + 8), initrd-end (12 + 4).
  EXPECT_EQ(be(&blob[56 + 32], 8), 0xaaaaaaaabbbbbbbbull);
  EXPECT_EQ(be(&blob[56 + 68], 8), 0x48000000u);
  EXPECT_EQ(be(&blob[56 + 88], 4), 0x48123456u);
}

TEST(VmmDtb, RefusesMissingPropertyAndBadBlobs) {
  auto blob = small_dtb();
  EXPECT_NE(microkit_vmm_dtb_set_chosen(blob.data(), "bootargs", 1), nullptr);
  EXPECT_NE(microkit_vmm_dtb_check(blob.data(), blob.size() - 1), nullptr);  // totalsize beyond the buffer
  blob[0] = 0;
  EXPECT_NE(microkit_vmm_dtb_check(blob.data(), blob.size()), nullptr);
  EXPECT_EQ(microkit_vmm_dtb_size(blob.data()), 0u);
}

}  // namespace
