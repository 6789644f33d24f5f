// Tests for the capDL view of a plan (capdl_spec.h) and its two writers
// (capdl_json.h, capdl_text.h): object order and covers, the caps of a PD's
// CNode and TCB, IRQs, the page-table tree, the JSON's field names and
// tagging as the official tool writes them, and the .cdl's declarations.
// (tests/capdl/ checks the outputs of whole examples against their images.)
#include "sel4/capdl_spec.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include <set>

#include "plan/sel4_test_world.h"
#include "runtime/shared/pd_abi.h"
#include "sel4/capdl_json.h"
#include "sel4/capdl_text.h"

namespace microkit::capdl {
namespace {

using World = plan::test_support::Sel4TestWorld;

// The client/server world (plan/sel4_test_world.h), server at priority 150
// and its mapping of the shared MR uncached.
bool make_world(World& w) {
  return plan::test_support::plan_client_server(w, {.server_priority = 150, .server_mapping_cached = false});
}

Spec spec_of(const World& w) {
  SpecInputs in;
  in.plan = &w.plan;
  in.sel4 = &w.sp;
  in.facts = &w.facts;
  in.programs = {nullptr, nullptr};
  in.pd_images = plan::test_support::test_sel4_inputs(w).pd_images;
  return build_spec(in);
}

const Object* named(const Spec& s, const std::string& name) {
  for (const Object& o : s.objects)
    if (o.name == name) return &o;
  return nullptr;
}

const CapEntry* slot(const Object& o, uint32_t n) {
  for (const CapEntry& e : o.slots)
    if (e.slot == n) return &e;
  return nullptr;
}

TEST(CapdlSpec, EveryPlannedObjectOnceAndEachUntypedCoversARun) {
  World w;
  ASSERT_TRUE(make_world(w));
  Spec s = spec_of(w);
  // Planner objects, IRQ objects, kernel untypeds; nothing else, no duplicate name.
  EXPECT_EQ(s.objects.size(), w.sp.objects.size() + w.sp.irqs.size() + w.sp.untypeds.size());
  std::set<std::string> names;
  for (const Object& o : s.objects) EXPECT_TRUE(names.insert(o.name).second) << o.name;
  EXPECT_EQ(s.root_objects_end, s.objects.size() - w.sp.untypeds.size());
  uint32_t next = 0;
  for (const UntypedCover& c : s.untyped_covers) {
    EXPECT_EQ(c.begin, next);  // retyped objects first, cover after cover
    EXPECT_GT(c.end, c.begin);
    EXPECT_GE(c.parent, s.root_objects_end);
    EXPECT_EQ(s.objects[c.parent].kind, ObjectKind::Untyped);
    for (uint32_t k = c.begin; k < c.end; ++k) {
      const Object& o = s.objects[k];
      if (o.kind == ObjectKind::Frame || o.kind == ObjectKind::Untyped) {
        ASSERT_TRUE(o.paddr);
        EXPECT_GE(*o.paddr, *s.objects[c.parent].paddr) << o.name;
        EXPECT_LT(*o.paddr, *s.objects[c.parent].paddr + (uint64_t{1} << s.objects[c.parent].size_bits));
      }
    }
    next = c.end;
  }
}

TEST(CapdlSpec, TcbSlotsAndSettingsFollowThePlan) {
  World w;
  ASSERT_TRUE(make_world(w));
  Spec s = spec_of(w);
  const Object* tcb = named(s, "tcb_server");
  ASSERT_TRUE(tcb);
  EXPECT_EQ(tcb->tcb.prio, 150);
  EXPECT_EQ(tcb->tcb.max_prio, 150);
  EXPECT_EQ(tcb->tcb.ip, w.sp.pds[1].entry);
  EXPECT_EQ(tcb->tcb.sp, w.sp.pds[1].stack_top);
  EXPECT_EQ(tcb->tcb.ipc_buffer_addr, w.sp.pds[1].ipc_buffer_vaddr);
  const CapEntry* cspace = slot(*tcb, 0);
  ASSERT_TRUE(cspace);
  EXPECT_EQ(cspace->cap.kind, CapKind::CNode);
  EXPECT_EQ(s.objects[cspace->cap.object].name, "cnode_server");
  EXPECT_EQ(cspace->cap.guard_size, 64 - pd_abi::kCNodeBits);
  const CapEntry* fault = slot(*tcb, 5);
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->cap.badge, w.sp.pds[1].fault_badge);
  EXPECT_FALSE(fault->cap.rights.read);
  for (uint32_t n : {1u, 4u, 6u, 8u}) EXPECT_TRUE(slot(*tcb, n)) << n;
}

TEST(CapdlSpec, IrqsHaveAHandlerObjectSignallingTheBadgedNotification) {
  World w;
  ASSERT_TRUE(make_world(w));
  Spec s = spec_of(w);
  ASSERT_EQ(s.irqs.size(), 1u);
  EXPECT_EQ(s.irqs[0].irq, 79u);
  const Object& h = s.objects[s.irqs[0].handler];
  EXPECT_EQ(h.kind, ObjectKind::ArmIrq);
  EXPECT_EQ(h.irq_trigger, 1);  // edge
  ASSERT_EQ(h.slots.size(), 1u);
  EXPECT_EQ(h.slots[0].cap.kind, CapKind::Notification);
  EXPECT_EQ(h.slots[0].cap.badge, uint64_t{1} << 9);
  EXPECT_EQ(s.objects[h.slots[0].cap.object].name, "notification_server");
  // The PD's CNode holds a handler cap to that object.
  const Object* cnode = named(s, "cnode_server");
  ASSERT_TRUE(cnode);
  const CapEntry* e = slot(*cnode, uint32_t(pd_abi::irq_slot(9)));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->cap.kind, CapKind::ArmIrqHandler);
  EXPECT_EQ(e->cap.object, s.irqs[0].handler);
}

// A granted SchedControl cap names a core, not an object: the .cdl writes
// capDL-tool's sched_control (core: N); a granted IRQ handler is the same
// IRQ object the owner's CNode holds.
TEST(CapdlSpec, GrantedSchedControlAndIrqHandlerCaps) {
  World w;
  ASSERT_TRUE(plan::test_support::plan_client_server(w, {.client_grants = true}));
  Spec s = spec_of(w);
  const Object* cnode = named(s, "cnode_client");
  ASSERT_TRUE(cnode);
  const CapEntry* sched = slot(*cnode, uint32_t(pd_abi::user_cap_slot(1)));
  ASSERT_TRUE(sched);
  EXPECT_EQ(sched->cap.kind, CapKind::SchedControl);
  EXPECT_EQ(sched->cap.core, 0u);
  const CapEntry* irq = slot(*cnode, uint32_t(pd_abi::user_cap_slot(2)));
  ASSERT_TRUE(irq);
  EXPECT_EQ(irq->cap.kind, CapKind::ArmIrqHandler);
  ASSERT_EQ(s.irqs.size(), 1u);
  EXPECT_EQ(irq->cap.object, s.irqs[0].handler);
  std::string cdl = to_cdl(s, "grants.system");
  EXPECT_NE(cdl.find("    " + std::to_string(pd_abi::user_cap_slot(1)) + ": sched_control (core: 0)\n"),
            std::string::npos) << cdl;
  auto json = nlohmann::json::parse(to_json(s));
  bool found = false;
  for (const auto& o : json["objects"])
    if (o["name"] == "cnode_client")
      for (const auto& e : o["object"]["CNode"]["slots"])
        found |= e["slot"] == pd_abi::user_cap_slot(1) && e["cap"]["SchedControl"]["core"] == 0;
  EXPECT_TRUE(found);
}

TEST(CapdlSpec, FramesHangInThePageTableTreeAtTheirVirtualAddress) {
  World w;
  ASSERT_TRUE(make_world(w));
  Spec s = spec_of(w);
  const Object* vspace = named(s, "vspace_server");
  ASSERT_TRUE(vspace);
  EXPECT_TRUE(vspace->is_root);
  // Walk root -> ... -> the frame at 0x2000000 (the shared MR, read-only, uncached).
  const Object* table = vspace;
  uint64_t vaddr = 0x2000000;
  for (int guard = 0; guard < 4; ++guard) {
    uint32_t entry_bits = 12 + 9 * (3 - table->level);
    uint32_t index_bits = table->is_root ? w.facts.vspace_bits - 3 : 9;
    uint64_t index = (vaddr >> entry_bits) & ((uint64_t{1} << index_bits) - 1);
    const CapEntry* e = slot(*table, uint32_t(index));
    ASSERT_TRUE(e) << table->name << " slot " << index;
    if (e->cap.kind == CapKind::Frame) {
      EXPECT_FALSE(e->cap.rights.write);
      EXPECT_FALSE(e->cap.cached);
      EXPECT_EQ(s.objects[e->cap.object].name, "frame_shared_0");
      return;
    }
    table = &s.objects[e->cap.object];
    EXPECT_EQ(table->kind, ObjectKind::PageTable);
  }
  FAIL() << "no frame at 0x2000000";
}

TEST(CapdlJson, FieldNamesAndTaggingAreTheOfficialOnes) {
  World w;
  ASSERT_TRUE(make_world(w));
  auto j = nlohmann::ordered_json::parse(to_json(spec_of(w)));
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"objects", "irqs", "domain_schedule", "domain_set_start",
                                            "domain_idx_shift", "asid_slots", "root_objects",
                                            "untyped_covers", "cached_orig_cap_slots", "log_level"}));
  bool saw_endpoint = false, saw_tcb = false;
  for (const auto& o : j["objects"]) {
    ASSERT_TRUE(o.contains("name") && o.contains("object"));
    if (o["object"] == "Endpoint") saw_endpoint = true;  // unit variants are strings
    if (o["object"].is_object() && o["object"].contains("Tcb")) {
      saw_tcb = true;
      const auto& x = o["object"]["Tcb"]["extra"];
      for (const char* k : {"ipc_buffer_addr", "affinity", "prio", "max_prio", "fpu_disabled", "resume",
                            "domain", "ip", "sp", "gprs", "master_fault_ep"})
        EXPECT_TRUE(x.contains(k)) << k;
      const auto& first = o["object"]["Tcb"]["slots"][0];
      EXPECT_TRUE(first.contains("slot") && first["cap"].contains("CNode"));
      EXPECT_TRUE(first["cap"]["CNode"].contains("guard_size"));
    }
  }
  EXPECT_TRUE(saw_endpoint);
  EXPECT_TRUE(saw_tcb);
  EXPECT_EQ(j["irqs"][0]["irq"], 79);
  EXPECT_TRUE(j["root_objects"].contains("start") && j["root_objects"].contains("end"));
  EXPECT_TRUE(j["untyped_covers"][0]["children"].contains("start"));
}

// <domains>: each TCB's domain and the schedule, in the official shape.
TEST(CapdlJson, DomainScheduleAndTcbDomains) {
  World w;
  ASSERT_TRUE(make_world(w));
  EXPECT_TRUE(nlohmann::json::parse(to_json(spec_of(w)))["domain_schedule"].is_null());
  w.plan.pds[1].domain = 2;
  plan::DomainSchedule ds;
  ds.start_index = 1;
  ds.slots.push_back({false, 0, 6000, sdf::ScheduleEntry::Unit::Microseconds});
  ds.slots.push_back({false, 2, 40, sdf::ScheduleEntry::Unit::Ticks});
  ds.slots.push_back({true, 0, 0, sdf::ScheduleEntry::Unit::Microseconds});
  w.plan.domain_schedule = ds;
  auto j = nlohmann::json::parse(to_json(spec_of(w)));
  EXPECT_EQ(j["domain_schedule"], nlohmann::json::parse(R"([{"domain": 0, "duration": {"Us": 6000}},
      {"domain": 2, "duration": {"Ticks": 40}}, {"domain": 0, "duration": "EndMarker"}])"));
  EXPECT_EQ(j["domain_set_start"], 1);
  EXPECT_TRUE(j["domain_idx_shift"].is_null());
  std::map<std::string, nlohmann::json> domain_of;
  for (const auto& o : j["objects"])
    if (o["object"].is_object() && o["object"].contains("Tcb")) domain_of[o["name"]] = o["object"]["Tcb"]["extra"]["domain"];
  EXPECT_EQ(domain_of, (std::map<std::string, nlohmann::json>{{"tcb_client", nullptr}, {"tcb_server", 2}}));
}

TEST(CapdlText, DeclaresObjectsCapsAndIrqsInCapdlSyntax) {
  World w;
  ASSERT_TRUE(make_world(w));
  std::string cdl = to_cdl(spec_of(w), "two.system");
  for (const char* piece : {"arch aarch64\n", "objects {\n", "caps {\n", "irq maps {\n",
                            "  tcb_server = tcb (addr: ", "prio: 150", "  cnode_server = cnode (",
                            "  irq_79_server = arm_irq (trigger: edge, target: 0)\n",
                            "    0: notification_server (badge: 512, W)\n", "  79: irq_79_server\n",
                            "    cspace: cnode_server (guard: 0, guard_size: ", "rtreply", " = ut ("})
    EXPECT_NE(cdl.find(piece), std::string::npos) << piece << "\n" << cdl;
}

// The same world on qemu_virt_riscv64: RISC-V IRQ objects without a target
// core, Sv39's three table levels numbered 0..2 as the official tool does,
// and the .cdl in RISC-V's terms.
TEST(CapdlRiscv64, IrqObjectsAndTableLevelsAreRiscvOnes) {
  World w;
  ASSERT_TRUE(plan::test_support::plan_client_server(
      w, {.server_priority = 150, .server_mapping_cached = false, .board = "qemu_virt_riscv64"}));
  Spec s = spec_of(w);
  EXPECT_EQ(s.arch, board::Arch::RiscV64);
  ASSERT_EQ(s.irqs.size(), 1u);
  const Object& h = s.objects[s.irqs[0].handler];
  EXPECT_EQ(h.kind, ObjectKind::RiscvIrq);
  const CapEntry* e = slot(*named(s, "cnode_server"), uint32_t(pd_abi::irq_slot(9)));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->cap.kind, CapKind::RiscvIrqHandler);
  // root (level 0, 1 GiB entries) -> level 1 (2 MiB) -> level 2 (4 KiB) -> the frame at 0x2000000.
  const Object* table = named(s, "vspace_server");
  ASSERT_TRUE(table);
  uint64_t vaddr = 0x2000000;
  for (uint8_t level = 0; level < 3; ++level) {
    ASSERT_EQ(table->level, level) << table->name;
    uint32_t entry_bits = 12 + 9 * (2 - level);
    const CapEntry* next = slot(*table, uint32_t((vaddr >> entry_bits) & 511));
    ASSERT_TRUE(next) << table->name;
    if (level == 2) {
      EXPECT_EQ(next->cap.kind, CapKind::Frame);
      EXPECT_EQ(s.objects[next->cap.object].name, "frame_shared_0");
      break;
    }
    table = &s.objects[next->cap.object];
  }
  auto j = nlohmann::json::parse(to_json(s));
  const auto& irq = j["objects"][s.irqs[0].handler]["object"];
  EXPECT_EQ(irq, nlohmann::json::parse(R"({"RiscvIrq": {"slots": [{"slot": 0, "cap": {"Notification":
      {"object": )" + std::to_string(h.slots[0].cap.object) + R"(, "badge": 512, "rights":
      {"read": false, "write": true, "grant": false, "grant_reply": false}}}}], "extra": {"trigger": 1}}})"));
  std::string cdl = to_cdl(s, "two.system");
  for (const char* piece : {"arch riscv\n", "  irq_79_server = irq\n", "  vspace_server = pt\n", "  79: irq_79_server\n"})
    EXPECT_NE(cdl.find(piece), std::string::npos) << piece << "\n" << cdl;
  EXPECT_EQ(cdl.find("pgd"), std::string::npos);
}

// The same world on x86_64_generic: an IOAPIC IRQ object with seL4's
// GetIOAPIC arguments, an IOPorts object for the client's <ioport>, four
// table levels named as x86 names them, and 'arch x86_64'.
TEST(CapdlX86_64, IoApicIrqIoPortsAndFourTableLevels) {
  World w;
  ASSERT_TRUE(plan::test_support::plan_client_server(
      w, {.server_priority = 150, .server_mapping_cached = false, .board = "x86_64_generic"}));
  Spec s = spec_of(w);
  EXPECT_EQ(s.arch, board::Arch::X86_64);
  ASSERT_EQ(s.irqs.size(), 1u);
  const Object& h = s.objects[s.irqs[0].handler];
  EXPECT_EQ(h.kind, ObjectKind::IrqIOApic);
  EXPECT_EQ(s.irqs[0].irq, 79u);
  const CapEntry* e = slot(*named(s, "cnode_server"), uint32_t(pd_abi::irq_slot(9)));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->cap.kind, CapKind::IrqIOApicHandler);
  auto j = nlohmann::json::parse(to_json(s));
  EXPECT_EQ(j["objects"][s.irqs[0].handler]["object"]["IrqIOApic"]["extra"],
            nlohmann::json::parse(R"({"ioapic": 0, "pin": 9, "level": 0, "polarity": 1})"));
  const Object* ports = nullptr;
  for (const CapEntry& c : named(s, "cnode_client")->slots)
    if (c.cap.kind == CapKind::IOPorts) ports = &s.objects[c.cap.object];
  ASSERT_TRUE(ports);
  EXPECT_EQ(ports->kind, ObjectKind::IOPorts);
  EXPECT_EQ(ports->first_port, 0x3f8u);
  EXPECT_EQ(ports->last_port, 0x3ffu);
  // PML4 (level 0) -> PDPT -> page directory -> page table (level 3) -> the frame at 0x2000000.
  const Object* table = named(s, "vspace_server");
  ASSERT_TRUE(table);
  uint64_t vaddr = 0x2000000;
  for (uint8_t level = 0; level < 4; ++level) {
    ASSERT_EQ(table->level, level) << table->name;
    const CapEntry* next = slot(*table, uint32_t((vaddr >> (12 + 9 * (3 - level))) & 511));
    ASSERT_TRUE(next) << table->name;
    if (level == 3) {
      EXPECT_EQ(s.objects[next->cap.object].name, "frame_shared_0");
      break;
    }
    table = &s.objects[next->cap.object];
  }
  std::string cdl = to_cdl(s, "two.system");
  for (const char* piece : {"arch x86_64\n", "  vspace_server = pml4\n", " = pdpt\n",
                            "  irq_79_server = ioapic_irq (ioapic_num: 0, ioapic_pin: 9, ioapic_level: 0, ioapic_polarity: 1)\n",
                            " = io_ports (ports: [1016..1023])\n", "  79: irq_79_server\n"})
    EXPECT_NE(cdl.find(piece), std::string::npos) << piece << "\n" << cdl;
}

// A <cap_ioport> grant is a second cap to the owner's one IOPorts object
// (seL4 issues a range once), in the grantee's CNode at the grant's slot.
TEST(CapdlX86_64, GrantedIoPortsNameTheOwnersObject) {
  World w;
  ASSERT_TRUE(plan::test_support::plan_client_server(w, {.board = "x86_64_generic", .client_grants = true}));
  Spec s = spec_of(w);
  size_t port_objects = 0;
  for (const Object& o : s.objects) port_objects += o.kind == ObjectKind::IOPorts;
  EXPECT_EQ(port_objects, 1u);
  const CapEntry* own = slot(*named(s, "cnode_client"), uint32_t(pd_abi::ioport_slot(0)));
  const CapEntry* granted = slot(*named(s, "cnode_server"), uint32_t(pd_abi::user_cap_slot(3)));
  ASSERT_TRUE(own);
  ASSERT_TRUE(granted);
  EXPECT_EQ(granted->cap.kind, CapKind::IOPorts);
  EXPECT_EQ(granted->cap.object, own->cap.object);
  EXPECT_EQ(s.objects[granted->cap.object].first_port, 0x3f8u);
}

TEST(CapdlText, IdentifiersKeepLettersDigitsAndUnderscores) {
  EXPECT_EQ(identifier("tcb:hello"), "tcb_hello");
  EXPECT_EQ(identifier("frame:my-mr.x:3"), "frame_my_mr_x_3");
  EXPECT_EQ(identifier("9lives"), "o_9lives");
}

}  // namespace
}  // namespace microkit::capdl
