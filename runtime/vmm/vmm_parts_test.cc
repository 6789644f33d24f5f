// Host tests of the VMM library's pure parts (microkit_vmm_parts.h): the
// same sources the seL4 library is built from.
#include "microkit_vmm_parts.h"

#include <gtest/gtest.h>

#include <cstring>
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
