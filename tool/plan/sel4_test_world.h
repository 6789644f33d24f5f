// Test support (not part of the tool): a small seL4 world for planning tests.
//
// Loads the qemu_virt_aarch64 (or qemu_virt_riscv64, x86_64_generic) debug facts of
// ../shared (kernel/test_facts.h) and emulates the kernel's boot for a 2 MiB
// user image at kTestUserImagePaddr (on RISC-V right after the kernel), so
// that a test only adds its Plan and plans on top.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "kernel/boot_emulation.h"
#include "kernel/initialiser_facts.h"
#include "kernel/kernel_package.h"
#include "kernel/test_facts.h"
#include "plan/plan.h"
#include "plan/sel4_plan.h"
#include "runtime/initialiser/spec_decode.h"

namespace microkit::plan::test_support {

inline constexpr uint64_t kTestUserImagePaddr = 0x60400000;
inline constexpr uint64_t kTestUserImageVaddr = 0x200000;
// The RISC-V debug kernel ends at 0x80238000 (ki_end 0xffffffff80238000).
inline constexpr uint64_t kTestRiscvUserImagePaddr = 0x80238000;

struct Sel4TestWorld {
  kernel::KernelPackage pkg;
  kernel::BootFacts facts;
  kernel::BootResult boot;
  Plan plan;
  Sel4Plan sp;
  uint64_t ui_paddr = kTestUserImagePaddr;
};

// The qemu_virt_aarch64 board and its debug configuration, as the board
// database describes them, for tests that validate and plan an SDF text.
inline board::Board test_aarch64_board() {
  board::Board b;
  b.name = "qemu_virt_aarch64";
  b.arch = board::Arch::AArch64;
  b.page_sizes = {0x1000, 0x200000};
  b.user_vaddr = {0x10000, 0x10000000000};
  b.cpu_count = 1;
  return b;
}

inline board::Config test_debug_config() {
  board::Config c;
  c.name = "debug";
  c.debug = true;
  return c;
}

// Fills pkg, facts and boot; false (with diagnostics) if the facts are
// missing. By default the qemu_virt_aarch64 world above; RISC-V puts its
// user image right after the kernel; other boards (x86-64) give their own
// 2 MiB user image place (ui_paddr 0: the board's default).
inline bool load_test_kernel(Sel4TestWorld& w, Diagnostics& d,
                             const std::string& board = "qemu_virt_aarch64",
                             uint64_t ui_paddr = 0,
                             uint64_t ui_vaddr = kTestUserImageVaddr) {
  if (ui_paddr == 0) {
    ui_paddr = board == "qemu_virt_riscv64" ? kTestRiscvUserImagePaddr : kTestUserImagePaddr;
  }
  w.ui_paddr = ui_paddr;
  auto pkg = kernel::load_kernel_package(kernel::test_support::facts_dir(board), d);
  if (!pkg) return false;
  w.pkg = *pkg;
  auto facts = kernel::boot_facts(w.pkg, d);
  if (!facts) return false;
  w.facts = *facts;
  kernel::BootInputs in;
  in.user_image = {w.ui_paddr, w.ui_paddr + 0x200000};
  in.user_image_vaddr = ui_vaddr;
  auto boot = kernel::emulate_boot(w.facts, in, d);
  if (!boot) return false;
  w.boot = *boot;
  return true;
}

// What the initial task's decoder is told of the kernel's bootinfo when the
// kernel did exactly what boot emulation predicted.
inline initialiser::BootFacts decoder_facts(const Sel4TestWorld& w,
                                            uint64_t ui_vaddr = kTestUserImageVaddr) {
  return kernel::initialiser_boot_facts(w.facts, w.boot, ui_vaddr);
}

// Every retyped object inside its untyped, aligned, disjoint from all others,
// and exactly where seL4's watermark rule would put it.
inline void expect_well_placed(const Sel4Plan& sp) {
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  for (size_t u = 0; u < sp.untypeds.size(); ++u) {
    const auto& ut = sp.untypeds[u];
    auto replay = replay_retypes(sp, u);
    const auto& list = sp.untyped_use[u].objects;
    for (size_t k = 0; k < list.size(); ++k) {
      const KernelObject& o = sp.objects[list[k]];
      SCOPED_TRACE(o.name);
      EXPECT_EQ(o.untyped, u);
      EXPECT_EQ(o.paddr % o.size(), 0u);
      EXPECT_GE(o.paddr, ut.paddr);
      EXPECT_LE(o.paddr + o.size(), ut.end());
      EXPECT_EQ(replay[k], o.paddr);
      if (ut.is_device) {
        EXPECT_TRUE(o.type == ObjType::Frame || o.type == ObjType::Untyped);
      }
      spans.push_back({o.paddr, o.paddr + o.size()});
    }
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i - 1].second, spans[i].first);
  // Every object made from an untyped is in exactly one retype list.
  size_t listed = 0, retyped = 0;
  for (const auto& use : sp.untyped_use) listed += use.objects.size();
  for (const auto& o : sp.objects) retyped += o.source == KernelObject::Source::Untyped;
  EXPECT_EQ(listed, retyped);
}

// Planner inputs for w.plan: each PD a one-page program in the user image.
inline Sel4Inputs test_sel4_inputs(const Sel4TestWorld& w) {
  Sel4Inputs si;
  si.package = &w.pkg;
  si.facts = &w.facts;
  si.boot = &w.boot;
  for (size_t i = 0; i < w.plan.pds.size(); ++i) {
    PdImage img;
    img.entry = 0x200000;
    img.pages.push_back({0x200000, w.ui_paddr + 0x100000 + i * 0x1000, true, false, true});
    si.pd_images.push_back(img);
  }
  return si;
}

// The client/server world of the spec writer and capDL tests: client
// ppcalls and notifies server (client channel 1, server channel 2); server
// has an edge-triggered IRQ 79 on channel 9; one 4 KiB MR "shared" is mapped
// into both (rw at 0x1000000 in client, read-only at 0x2000000 in server).
// On x86_64_generic the IRQ is IOAPIC 0 pin 9 (active low) at vector 79 and
// the client has I/O ports 0x3f8..0x3ff (id 0).
// client_grants: client's <cspace> holds core 0's SchedControl at slot 1
// and the server's IRQ handler (channel 9) at slot 2; on x86 the server's
// holds the client's I/O ports (id 0) at slot 3 (<cap_ioport>).
struct ClientServer {
  uint64_t server_priority = 100;
  bool passive_server = false;
  bool server_mapping_cached = true;
  std::string board = "qemu_virt_aarch64";
  bool client_grants = false;
};

inline bool plan_client_server(Sel4TestWorld& w, const ClientServer& o = {}) {
  Diagnostics d;
  bool x86 = o.board.rfind("x86_64", 0) == 0;
  // x86: the kernel moves the user image to its end (ki_end 0xa22000 in this build).
  if (!(x86 ? load_test_kernel(w, d, o.board, 0xa22000, 0x400000) : load_test_kernel(w, d, o.board)))
    return false;
  for (const char* name : {"client", "server"}) {
    Pd pd;
    pd.name = name;
    bool server = std::string(name) == "server";
    pd.priority = server ? o.server_priority : 100;
    pd.passive = server && o.passive_server;
    pd.channels.resize(63);
    w.plan.pds.push_back(pd);
  }
  auto& c = w.plan.pds[0].channels[1];
  c.kind = ChannelSlot::Kind::Channel;
  c.peer_pd = 1;
  c.peer_id = 2;
  c.can_notify = true;
  c.can_ppcall = true;
  auto& s = w.plan.pds[1].channels[2];
  s.kind = ChannelSlot::Kind::Channel;
  s.peer_pd = 0;
  s.peer_id = 1;
  s.receives_ppc = true;
  auto& irq = w.plan.pds[1].channels[9];
  irq.kind = ChannelSlot::Kind::Irq;
  irq.irq = 79;
  irq.trigger = sdf::Trigger::Edge;
  if (x86) {
    irq.irq_kind = sdf::Irq::Kind::IoApic;
    irq.pin = 9;
    irq.polarity = sdf::Polarity::Low;
    w.plan.pds[0].ioports.push_back({0, 0x3f8, 8});
  }
  Mr shared;
  shared.name = "shared";
  shared.size = 0x1000;
  w.plan.mrs.push_back(shared);
  w.plan.pds[0].mappings.push_back({0, 0x1000000, 0x1000, true, true, false, true});
  w.plan.pds[1].mappings.push_back({0, 0x2000000, 0x1000, true, false, false, o.server_mapping_cached});
  if (o.client_grants) {
    ExtraCap sched;
    sched.kind = ExtraCap::Kind::SchedControl;
    sched.slot = 1;
    ExtraCap irq_handler;
    irq_handler.kind = ExtraCap::Kind::Irq;
    irq_handler.slot = 2;
    irq_handler.source_pd = 1;
    irq_handler.irq_channel = 9;
    w.plan.pds[0].extra_caps = {sched, irq_handler};
    if (x86) {
      ExtraCap ports;
      ports.kind = ExtraCap::Kind::IoPort;
      ports.slot = 3;
      ports.source_pd = 0;
      ports.ioport_id = 0;
      w.plan.pds[1].extra_caps = {ports};
    }
  }
  Sel4Inputs si = test_sel4_inputs(w);
  si.mr_prefill_pages.resize(1);
  auto sp = plan_sel4(w.plan, si, d);
  if (!sp) return false;
  w.sp = *sp;
  return true;
}

}  // namespace microkit::plan::test_support
