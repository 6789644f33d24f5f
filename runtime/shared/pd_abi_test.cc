// Host tests of pd_abi.h: the CSpace tables never collide, every badge
// reads back as what it was made for, and the memory layout is the one the
// tool and libmicrokit both assume. The header's static_asserts pin single
// cases; these sweep every id.
#include "runtime/shared/pd_abi.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace pd = microkit::pd_abi;

namespace {

// Every slot the planner may fill, for every valid id.
std::vector<uint64_t> all_slots() {
  std::vector<uint64_t> s = {MICROKIT_PD_SLOT_INPUT,      MICROKIT_PD_SLOT_FAULT_EP, MICROKIT_PD_SLOT_VSPACE,
                             MICROKIT_PD_SLOT_REPLY,      MICROKIT_PD_SLOT_MONITOR_EP, MICROKIT_PD_SLOT_TCB,
                             MICROKIT_PD_SLOT_ARM_SMC,    MICROKIT_PD_SLOT_SC,       MICROKIT_PD_SLOT_NOTIFICATION};
  for (uint64_t ch = 0; ch <= MICROKIT_PD_MAX_CHANNEL_ID; ++ch) {
    s.push_back(pd::notification_slot(ch));
    s.push_back(pd::ppc_endpoint_slot(ch));
    s.push_back(pd::irq_slot(ch));
  }
  for (uint64_t c = 0; c <= MICROKIT_PD_MAX_CHILD_ID; ++c) s.push_back(pd::child_tcb_slot(c));
  for (uint64_t v = 0; v <= MICROKIT_PD_MAX_VCPU_ID; ++v) {
    s.push_back(pd::vm_tcb_slot(v));
    s.push_back(pd::vcpu_slot(v));
  }
  for (uint64_t i = 0; i <= MICROKIT_PD_MAX_IOPORT_ID; ++i) s.push_back(pd::ioport_slot(i));
  for (uint64_t u = 1; u < MICROKIT_PD_MAX_USER_CAPS; ++u) s.push_back(pd::user_cap_slot(u));
  return s;
}

TEST(PdAbi, EverySlotIsDistinctNonNullAndInsideTheCNode) {
  std::set<uint64_t> seen;
  for (uint64_t slot : all_slots()) {
    EXPECT_NE(slot, 0u);
    EXPECT_LT(slot, MICROKIT_PD_CNODE_SLOTS);
    EXPECT_TRUE(seen.insert(slot).second) << "slot " << slot << " used twice";
  }
}

// Programs written for the official Microkit name these slots (microkit.h).
TEST(PdAbi, TableBasesMatchTheOfficialNumbering) {
  EXPECT_EQ(MICROKIT_PD_SLOT_INPUT, 1u);
  EXPECT_EQ(MICROKIT_PD_SLOT_REPLY, 4u);
  EXPECT_EQ(MICROKIT_PD_SLOT_MONITOR_EP, 5u);
  EXPECT_EQ(MICROKIT_PD_SLOT_TCB, 6u);
  EXPECT_EQ(MICROKIT_PD_SLOT_ARM_SMC, 7u);
  EXPECT_EQ(pd::notification_slot(0), 10u);
  EXPECT_EQ(pd::ppc_endpoint_slot(0), 74u);
  EXPECT_EQ(pd::irq_slot(0), 138u);
  EXPECT_EQ(pd::child_tcb_slot(0), 202u);
  EXPECT_EQ(pd::vm_tcb_slot(0), 266u);
  EXPECT_EQ(pd::vcpu_slot(0), 330u);
  EXPECT_EQ(pd::ioport_slot(0), 394u);
  EXPECT_EQ(pd::user_cap_slot(0), 458u);
}

TEST(PdAbi, AnySetOfChannelNotificationsReadsAsNotifications) {
  uint64_t all = 0;
  for (uint64_t ch = 0; ch <= MICROKIT_PD_MAX_CHANNEL_ID; ++ch) {
    EXPECT_EQ(pd::badge_kind(pd::notification_badge(ch)), pd::BadgeKind::Notification) << ch;
    all |= pd::notification_badge(ch);
  }
  EXPECT_EQ(pd::badge_kind(all), pd::BadgeKind::Notification);
  EXPECT_EQ(all, ~(uint64_t{1} << 63));
}

TEST(PdAbi, PpcAndFaultBadgesCarryTheirId) {
  for (uint64_t id = 0; id <= MICROKIT_PD_MAX_CHANNEL_ID; ++id) {
    EXPECT_EQ(pd::badge_kind(pd::ppc_badge(id)), pd::BadgeKind::Ppc) << id;
    EXPECT_EQ(pd::badge_id(pd::ppc_badge(id)), id);
  }
  for (uint64_t id = 0; id <= MICROKIT_PD_MAX_CHILD_ID; ++id) {
    EXPECT_EQ(pd::badge_kind(pd::fault_badge(id)), pd::BadgeKind::Fault) << id;
    EXPECT_EQ(pd::badge_id(pd::fault_badge(id)), id);
  }
  // vCPU faults share the child id space (the official Microkit's choice).
  EXPECT_EQ(pd::badge_kind(pd::fault_badge(MICROKIT_PD_MAX_VCPU_ID)), pd::BadgeKind::Fault);
}

TEST(PdAbi, MonitorBadgeIsNeverZero) {
  EXPECT_EQ(pd::monitor_badge(0), 1u);
  EXPECT_EQ(pd::monitor_badge(62), 63u);
}

// seL4_UserVSpaceTop of: AArch64 hyp 40-bit PA, 44-bit PA, non-hyp AArch64,
// RISC-V Sv39. The IPC buffer is the top page; the stack ends one guard page
// below it, 16-aligned.
TEST(PdAbi, IpcBufferAndStackSitAtTheTopOfUserSpace) {
  for (uint64_t top : {0xffffffffffull, 0xfffffffffffull, 0x7fffffffffffull, 0x3fffffffffull}) {
    uint64_t ipc = pd::ipc_buffer_vaddr(top);
    EXPECT_EQ(ipc % MICROKIT_PD_PAGE_SIZE, 0u);
    EXPECT_LE(ipc, top);
    EXPECT_GT(ipc + MICROKIT_PD_PAGE_SIZE, top);
    EXPECT_EQ(pd::stack_top(top), ipc - MICROKIT_PD_PAGE_SIZE);
    EXPECT_EQ(pd::stack_top(top) % 16, 0u);
    EXPECT_EQ(pd::stack_bottom(top, 0x2000), pd::stack_top(top) - 0x2000);
  }
}

TEST(PdAbi, MacrosAndFunctionsAgree) {
  EXPECT_EQ(MICROKIT_PD_PPC_BADGE(5), pd::ppc_badge(5));
  EXPECT_EQ(MICROKIT_PD_FAULT_BADGE(7), pd::fault_badge(7));
  EXPECT_EQ(MICROKIT_PD_STACK_TOP(0xffffffffffull), 0xffffffe000ull);
  EXPECT_EQ(pd::kCNodeBits + pd::kCNodeGuardBits, 64u);
}

}  // namespace
