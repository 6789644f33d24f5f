// Tests for late-loaded PDs (<late_load>, docs/cspace.md): from the SDF
// through plan::build and plan_sel4 to the initialiser's spec and the
// loader's generated header. The child gets every object a PD has but no
// program: no program page mapped, no registers written, never resumed;
// its program memory is the MR's frames, mapped read-write-execute at the
// link address; the loader holds the child's TCB in its child table and
// nothing lands in the free range. On the facts of the real
// qemu_virt_aarch64 build.
#include <gtest/gtest.h>

#include <cstring>

#include "plan/plan.h"
#include "plan/sel4_plan.h"
#include "plan/sel4_test_world.h"
#include "report/authority.h"
#include "runtime/shared/initialiser_spec.h"
#include "runtime/shared/pd_abi.h"
#include "sdf/parse.h"
#include "sdf/validate.h"
#include "sel4/capdl_spec.h"
#include "sel4/cspace_header.h"
#include "sel4/spec_writer.h"
#include "sel4/spec_test_support.h"

namespace microkit::plan {
namespace {

namespace is = initialiser_spec;
using spec_test_support::spec_steps;
using spec_test_support::steps_of;
using test_support::Sel4TestWorld;

constexpr const char* kSystem = R"(<system>
  <memory_region name="worker_memory" size="0x10000" />
  <protection_domain name="loader" priority="100">
    <program_image path="loader.elf" />
    <map mr="worker_memory" vaddr="0x4000000" perms="rw" />
    <protection_domain name="worker" id="3" priority="50" stack_size="0x4000">
      <late_load mr="worker_memory" />
    </protection_domain>
    <cspace>
      <cap_vspace slot="1" pd="worker" />
      <free_slots count="16" />
    </cspace>
  </protection_domain>
  <channel>
    <end pd="loader" id="0" />
    <end pd="worker" id="5" />
  </channel>
</system>
)";
constexpr size_t kLoader = 0, kWorker = 1, kProgramMr = 0;

std::string describe(const Diagnostics& d) {
  std::string out;
  for (const auto& x : d.all()) out += render(x) + "\n";
  return out;
}

struct Planned {
  sdf::SystemDescription sd;
  Sel4TestWorld w;
  bool ok = false;
};

void plan_late_load(Planned& p, Diagnostics& d) {
  auto sd = sdf::parse(kSystem, "late.system", d);
  ASSERT_TRUE(sd) << describe(d);
  p.sd = *sd;
  board::Board board = test_support::test_aarch64_board();
  board::Config config = test_support::test_debug_config();
  sdf::validate(p.sd, board, config, d);
  ASSERT_EQ(d.error_count(), 0u) << describe(d);
  Inputs in;
  in.programs["loader.elf"] = elf::ElfFile{};  // no program for the worker: none is needed
  auto plan = build(p.sd, board, config, in, d);
  ASSERT_TRUE(plan) << describe(d);
  ASSERT_TRUE(test_support::load_test_kernel(p.w, d)) << describe(d);
  p.w.plan = *plan;
  Sel4Inputs si = test_support::test_sel4_inputs(p.w);
  si.pd_images[kWorker] = {};  // what build_image gives a PD without a program
  si.mr_prefill_pages.resize(p.w.plan.mrs.size());
  si.sdf = &p.sd;
  auto sp = plan_sel4(p.w.plan, si, d);
  ASSERT_TRUE(sp) << describe(d);
  p.w.sp = *sp;
  p.ok = true;
}

TEST(LateLoad, TheChildHasNoProgramButItsProgramMemoryAtTheLinkAddress) {
  Planned p;
  Diagnostics d;
  plan_late_load(p, d);
  ASSERT_TRUE(p.ok);
  const Pd& worker = p.w.plan.pds[kWorker];
  EXPECT_TRUE(worker.program_path.empty());
  ASSERT_EQ(worker.late_load_mr, kProgramMr);
  const Mapping* window = late_load_window(worker);
  ASSERT_TRUE(window);
  EXPECT_EQ(window->vaddr, 0x200000u);
  EXPECT_TRUE(window->read && window->write && window->execute);

  const PdObjects& po = p.w.sp.pds[kWorker];
  const auto& frames = p.w.sp.mr_frames[kProgramMr];
  ASSERT_EQ(frames.size(), 16u);
  size_t program_frames = 0;
  for (const FrameMapping& m : po.mappings) {
    EXPECT_NE(m.what, "program") << "a late-loaded PD has no program segment mapped";
    if (m.vaddr < 0x200000 || m.vaddr >= 0x210000) continue;
    EXPECT_EQ(m.object, frames[(m.vaddr - 0x200000) / 0x1000]);
    EXPECT_TRUE(m.execute && m.write);
    ++program_frames;
  }
  EXPECT_EQ(program_frames, 16u);
  // Like any PD it has a stack (4 pages here) and an IPC buffer.
  size_t stack = 0;
  for (const FrameMapping& m : po.mappings) stack += m.what == "stack";
  EXPECT_EQ(stack, 4u);
  EXPECT_NE(po.ipc_buffer_vaddr, 0u);
  // The loader maps the same frames at its window.
  size_t shared = 0;
  for (const FrameMapping& m : p.w.sp.pds[kLoader].mappings)
    if (m.vaddr >= 0x4000000 && m.vaddr < 0x4010000) {
      EXPECT_EQ(m.object, frames[(m.vaddr - 0x4000000) / 0x1000]);
      EXPECT_FALSE(m.execute);
      ++shared;
    }
  EXPECT_EQ(shared, 16u);
}

TEST(LateLoad, TheLoaderHoldsTheChildsTcbAndGrantsInTheirSlotsAndNothingInTheFreeRange) {
  Planned p;
  Diagnostics d;
  plan_late_load(p, d);
  ASSERT_TRUE(p.ok);
  const PdObjects& loader = p.w.sp.pds[kLoader];
  const PdObjects& worker = p.w.sp.pds[kWorker];
  auto at = [&](uint64_t slot) -> const Cap* {
    for (const Cap& c : loader.caps)
      if (c.slot == slot) return &c;
    return nullptr;
  };
  const Cap* tcb = at(MICROKIT_PD_BASE_CHILD_TCB + 3);
  ASSERT_TRUE(tcb);
  EXPECT_EQ(tcb->object, worker.tcb);
  const Cap* vspace = at(pd_abi::user_cap_slot(1));
  ASSERT_TRUE(vspace);
  EXPECT_EQ(vspace->object, worker.vspace);
  for (const PdObjects& po : p.w.sp.pds)
    for (const Cap& c : po.caps) EXPECT_LT(c.slot, MICROKIT_PD_SLOTS_END) << c.what;
}

TEST(LateLoad, TheInitialTaskConfiguresTheChildButNeverStartsIt) {
  Planned p;
  Diagnostics d;
  plan_late_load(p, d);
  ASSERT_TRUE(p.ok);
  sel4::SpecInputs in;
  in.plan = &p.w.plan;
  in.sel4 = &p.w.sp;
  in.boot = &p.w.boot;
  in.package = &p.w.pkg;
  in.user_image_paddr = test_support::kTestUserImagePaddr;
  in.user_image_vaddr = test_support::kTestUserImageVaddr;
  auto spec = sel4::write_spec(in, d);
  ASSERT_TRUE(spec) << describe(d);
  // Two TCBs configured; only the loader's registers written and resumed.
  auto steps = spec_steps(*spec);
  EXPECT_EQ(steps_of<is::TcbConfigureStep>(steps, is::StepKind::TcbConfigure).size(), 2u);
  auto regs = steps_of<is::TcbWriteRegistersStep>(steps, is::StepKind::TcbWriteRegisters);
  auto resumes = steps_of<is::SingleSlotStep>(steps, is::StepKind::TcbResume);
  ASSERT_EQ(regs.size(), 1u);
  ASSERT_EQ(resumes.size(), 1u);
  const is::TcbWriteRegistersStep& r = regs[0];
  const is::SingleSlotStep& resumed = resumes[0];
  EXPECT_EQ(r.tcb_slot, resumed.slot);  // the loader's TCB, resumed with the registers it got
  EXPECT_EQ(r.pc, 0x200000u);           // test_sel4_inputs: the loader's entry
}

TEST(LateLoad, TheCapdlViewLeavesTheChildSuspended) {
  Planned p;
  Diagnostics d;
  plan_late_load(p, d);
  ASSERT_TRUE(p.ok);
  elf::ElfFile loader_elf;
  capdl::SpecInputs in{&p.w.plan, &p.w.sp, &p.w.facts, {&loader_elf, nullptr}, {{}, {}}};
  capdl::Spec spec = capdl::build_spec(in);
  size_t tcbs = 0;
  for (const capdl::Object& o : spec.objects) {
    if (o.kind != capdl::ObjectKind::Tcb) continue;
    ++tcbs;
    bool worker = o.name == "tcb_worker";
    EXPECT_EQ(o.tcb.resume, !worker) << o.name;
    if (worker) {
      EXPECT_EQ(o.tcb.ip + o.tcb.sp, 0u) << "no registers are written for it";
    }
  }
  EXPECT_EQ(tcbs, 2u);
}

TEST(LateLoad, TheAuthorityReportSaysWhoLoadsTheChildAndTheChildGainsNothing) {
  Planned p;
  Diagnostics d;
  plan_late_load(p, d);
  ASSERT_TRUE(p.ok);
  auto all = report::authority(p.w.plan);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[kLoader].pds.at("worker"),
            (std::vector<std::string>{"signal (channel 0)", "tcb (its parent)", "receives its faults",
                                      "loads its program (late_load)", "vspace (cspace 1)"}));
  const auto& worker = all[kWorker];
  EXPECT_EQ(worker.pds.at("loader"), (std::vector<std::string>{"signal (channel 5)"}));
  EXPECT_EQ(worker.pds.size(), 1u);  // no reach but its channel
  EXPECT_TRUE(worker.mrs.at("worker_memory").execute);
  EXPECT_EQ(worker.untyped_bytes, 0u);
}

TEST(LateLoad, TheLoadersHeaderSaysWhereAndHowToLoadTheChild) {
  Planned p;
  Diagnostics d;
  plan_late_load(p, d);
  ASSERT_TRUE(p.ok);
  std::string h = sel4::cspace_header(p.w.plan, kLoader, "late.system");
  auto has = [&](const std::string& line) {
    EXPECT_NE(h.find(line), std::string::npos) << "missing: " << line << "\n" << h;
  };
  has("#define MICROKIT_LATE_LOAD_WORKER_ID 3u");
  has("#define MICROKIT_LATE_LOAD_WORKER_VADDR 2097152u");   // 0x200000
  has("#define MICROKIT_LATE_LOAD_WORKER_SIZE 65536u");
  has("#define MICROKIT_LATE_LOAD_WORKER_WINDOW 67108864u"); // 0x4000000
  has("#define MICROKIT_LATE_LOAD_WORKER_NAME \"worker\"");
  has("#define MICROKIT_LATE_LOAD_WORKER_NOTIFICATIONS 32u"); // channel 5
  has("#define MICROKIT_LATE_LOAD_WORKER_STACK_SIZE 16384u");
  // The worker's own header has no such constants: it loads nothing.
  EXPECT_EQ(sel4::cspace_header(p.w.plan, kWorker, "late.system").find("LATE_LOAD"), std::string::npos);
}

}  // namespace
}  // namespace microkit::plan
