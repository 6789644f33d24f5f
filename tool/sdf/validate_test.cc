// Unit tests of the SDF validator on descriptions and boards built in code.
// Each test breaks one rule and checks the id and the exact location; the
// case files under tests/sdf/cases do the same from XML.
#include "sdf/validate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sdf/memory_region_rules.h"

namespace microkit::sdf {
namespace {

board::Board aarch64_board() {
  board::Board b;
  b.name = "test_aarch64";
  b.arch = board::Arch::AArch64;
  b.page_sizes = {0x1000, 0x200000};
  b.user_vaddr = {0, 0x10000000000};
  b.hypervisor = true;
  b.cpu_count = 4;
  return b;
}

board::Board x86_board(bool vtx) {
  board::Board b = aarch64_board();
  b.name = "test_x86_64";
  b.arch = board::Arch::X86_64;
  b.user_vaddr = {0, 0x7ffffffff000};
  b.hypervisor = vtx;
  return b;
}

board::Board riscv_board() {
  board::Board b = aarch64_board();
  b.name = "test_riscv64";
  b.arch = board::Arch::RiscV64;
  b.user_vaddr = {0, 0x4000000000};
  b.hypervisor = false;
  return b;
}

board::Config debug_config(uint64_t cpus = 1) {
  board::Config c;
  c.name = cpus == 1 ? "debug" : "smp-debug";
  c.debug = true;
  c.smp = cpus > 1;
  c.cpus = cpus;
  return c;
}

class Validate : public ::testing::Test {
 protected:
  board::Board board = aarch64_board();
  board::Config config = debug_config();
  SystemDescription sd;
  Diagnostics diags;
  uint32_t next_line = 2;

  // Gives the element the next line and each named attribute its own column.
  template <typename E>
  E mark(E e, std::initializer_list<const char*> attrs) {
    e.loc = {next_line++, 5};
    for (const char* a : attrs) attr(e, a);
    return e;
  }
  static void attr(Element& e, const char* name) {
    e.attrs.push_back({name, {e.loc.line, static_cast<uint32_t>(12 + 10 * e.attrs.size())}});
  }

  size_t add_pd(const std::string& name, uint64_t priority = 0) {
    ProtectionDomain pd = mark(ProtectionDomain{}, {"name", "priority"});
    pd.name = name;
    pd.priority = priority;
    sd.pds.push_back(pd);
    return sd.pds.size() - 1;
  }
  size_t add_child(size_t parent, const std::string& name, std::optional<uint64_t> id) {
    ProtectionDomain pd = mark(ProtectionDomain{}, {"name"});
    pd.name = name;
    if (id) attr(pd, "id");
    pd.child_id = id;
    pd.parent = parent;
    sd.pds.push_back(pd);
    sd.pds[parent].children.push_back(sd.pds.size() - 1);
    return sd.pds.size() - 1;
  }
  MemoryRegion& add_mr(const std::string& name, std::optional<uint64_t> size) {
    MemoryRegion mr = mark(MemoryRegion{}, {"name"});
    mr.name = name;
    mr.size = size;
    if (size) attr(mr, "size");
    sd.mrs.push_back(mr);
    return sd.mrs.back();
  }
  Map& add_map(size_t pd, const std::string& mr, uint64_t vaddr) {
    Map m = mark(Map{}, {"mr", "vaddr"});
    m.mr = mr;
    m.vaddr = vaddr;
    sd.pds[pd].maps.push_back(m);
    return sd.pds[pd].maps.back();
  }
  Channel& add_channel(const std::string& a, uint64_t ida, const std::string& b, uint64_t idb) {
    Channel ch = mark(Channel{}, {});
    ch.a = mark(ChannelEnd{}, {"pd", "id"});
    ch.a.pd = a;
    ch.a.id = ida;
    ch.b = mark(ChannelEnd{}, {"pd", "id"});
    ch.b.pd = b;
    ch.b.id = idb;
    sd.channels.push_back(ch);
    return sd.channels.back();
  }
  Irq& add_irq(size_t pd, uint64_t id, uint64_t number) {
    Irq irq = mark(Irq{}, {"irq", "id"});
    irq.id = id;
    irq.irq = number;
    sd.pds[pd].irqs.push_back(irq);
    return sd.pds[pd].irqs.back();
  }
  VirtualMachine& add_vm(size_t pd, const std::string& name, size_t vcpus) {
    VirtualMachine vm = mark(VirtualMachine{}, {"name"});
    vm.name = name;
    for (size_t i = 0; i < vcpus; ++i) {
      Vcpu v = mark(Vcpu{}, {"id"});
      v.id = i;
      vm.vcpus.push_back(v);
    }
    sd.pds[pd].vm = vm;
    return *sd.pds[pd].vm;
  }

  void run() {
    sd.file = "test.system";
    sd.loc = {1, 1};
    validate(sd, board, config, diags);
  }
  std::vector<std::string> ids(Severity severity = Severity::Error) const {
    std::vector<std::string> out;
    for (const auto& d : diags.all())
      if (d.severity == severity) out.push_back(d.id);
    return out;
  }
  // The one error the test expects; fails the test if there is not exactly one.
  const Diagnostic& only_error(const std::string& id) {
    static const Diagnostic none;
    EXPECT_EQ(ids(), std::vector<std::string>{id}) << dump();
    for (const auto& d : diags.all())
      if (d.id == id) return d;
    return none;
  }
  std::string dump() const {
    std::string out;
    for (const auto& d : diags.all()) out += render(d);
    return out;
  }
  const Diagnostic* note_after(const std::string& id) const {
    const auto& all = diags.all();
    for (size_t i = 0; i + 1 < all.size(); ++i)
      if (all[i].id == id && all[i + 1].severity == Severity::Note) return &all[i + 1];
    return nullptr;
  }
};

// ---- a valid system ----

TEST_F(Validate, ValidSystemHasNoDiagnostics) {
  size_t a = add_pd("client", 1);
  size_t b = add_pd("server", 254);
  add_mr("shared", 0x1000);
  add_map(a, "shared", 0x4000000);
  add_map(b, "shared", 0x5000000);
  add_channel("client", 62, "server", 0).a.pp = true;
  add_irq(b, 1, 33);
  sd.pds[b].budget = sd.pds[b].period.emplace(500);
  run();
  EXPECT_TRUE(diags.empty()) << dump();
}

// ---- names ----

TEST_F(Validate, DuplicatePdNameErrorsOnLaterWithNoteOnFirst) {
  add_pd("a");
  add_pd("a");
  run();
  const Diagnostic& d = only_error("duplicate-pd-name");
  EXPECT_EQ(d.loc, sd.pds[1].at("name"));
  ASSERT_TRUE(note_after("duplicate-pd-name"));
  EXPECT_EQ(note_after("duplicate-pd-name")->loc, sd.pds[0].at("name"));
}

TEST_F(Validate, VmNameSharesNamespaceWithPds) {
  add_pd("guest_vmm");
  add_pd("linux");
  add_vm(0, "linux", 1);
  run();
  // PD "linux" (line 3) comes before the VM (line 4): the VM is the later one.
  EXPECT_EQ(only_error("duplicate-pd-name").loc, sd.pds[0].vm->at("name"));
  EXPECT_EQ(note_after("duplicate-pd-name")->loc, sd.pds[1].at("name"));
}

TEST_F(Validate, DuplicateMrName) {
  size_t p = add_pd("p");
  add_mr("buf", 0x1000);
  add_mr("buf", 0x1000);
  add_map(p, "buf", 0x1000000);
  run();
  EXPECT_EQ(only_error("duplicate-mr-name").loc, sd.mrs[1].at("name"));
}

TEST_F(Validate, EmptyNameAndTooLongAndReserved) {
  add_pd("");
  add_pd(std::string(64, 'x'));
  add_pd(std::string(63, 'y'));
  add_pd("monitor");
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"empty-name", "name-too-long", "reserved-pd-name"}))
      << dump();
  EXPECT_EQ(diags.all()[1].loc, sd.pds[1].at("name"));
}

TEST_F(Validate, NoProtectionDomains) {
  run();
  EXPECT_EQ(only_error("no-protection-domains").loc, (Loc{1, 1}));
}

TEST_F(Validate, PdCountCountsChildrenNotVms) {
  config.limits.max_pds = 3;
  size_t p = add_pd("p");
  add_child(p, "c1", 1);
  add_child(p, "c2", 2);
  add_vm(p, "vm", 1);
  run();
  EXPECT_TRUE(diags.empty()) << dump();
  add_child(p, "c3", 3);
  diags = {};
  run();
  EXPECT_EQ(only_error("too-many-pds").loc, sd.pds[3].loc);
}

// ---- scheduling, stack, cpu, smc ----

TEST_F(Validate, PriorityLimitComesFromConfig) {
  add_pd("p", 254);
  run();
  EXPECT_TRUE(diags.empty());
  config.limits.max_priority = 200;
  run();
  EXPECT_EQ(only_error("priority-too-high").loc, sd.pds[0].at("priority"));
}

TEST_F(Validate, BudgetRules) {
  size_t p = add_pd("p");
  attr(sd.pds[p], "budget");
  attr(sd.pds[p], "period");
  sd.pds[p].budget = 0;
  run();
  EXPECT_EQ(only_error("budget-zero").loc, sd.pds[p].at("budget"));
  diags = {};
  sd.pds[p].budget = 2000;
  sd.pds[p].period = 1000;
  run();
  EXPECT_EQ(only_error("budget-exceeds-period").loc, sd.pds[p].at("budget"));
  diags = {};
  sd.pds[p].period = 2000;  // budget == period is fine
  run();
  EXPECT_TRUE(diags.empty()) << dump();
}

TEST_F(Validate, BudgetExceedsPeriodPointsAtPeriodWhenBudgetIsDefault) {
  size_t p = add_pd("p");
  attr(sd.pds[p], "period");
  sd.pds[p].period = 999;  // default budget 1000
  run();
  EXPECT_EQ(only_error("budget-exceeds-period").loc, sd.pds[p].at("period"));
}

TEST_F(Validate, StackSize) {
  size_t p = add_pd("p");
  attr(sd.pds[p], "stack_size");
  sd.pds[p].stack_size = 0x800;
  run();
  EXPECT_EQ(only_error("stack-size-out-of-range").loc, sd.pds[p].at("stack_size"));
  diags = {};
  sd.pds[p].stack_size = 0x1800;
  run();
  EXPECT_EQ(only_error("stack-size-unaligned").loc, sd.pds[p].at("stack_size"));
  diags = {};
  sd.pds[p].stack_size = config.limits.max_stack_size;
  run();
  EXPECT_TRUE(diags.empty()) << dump();
}

TEST_F(Validate, CpuMustExistInConfig) {
  size_t p = add_pd("p");
  attr(sd.pds[p], "cpu");
  sd.pds[p].cpu = 1;
  run();
  EXPECT_EQ(only_error("cpu-out-of-range").loc, sd.pds[p].at("cpu"));
  diags = {};
  config = debug_config(4);
  sd.pds[p].cpu = 3;
  run();
  EXPECT_TRUE(diags.empty()) << dump();
}

TEST_F(Validate, SmcOnlyOnAarch64) {
  size_t p = add_pd("p");
  attr(sd.pds[p], "smc");
  sd.pds[p].smc = true;
  run();
  EXPECT_TRUE(diags.empty());
  board = riscv_board();
  run();
  EXPECT_EQ(only_error("smc-not-supported").loc, sd.pds[p].at("smc"));
}

TEST_F(Validate, SmcNeedsAKernelThatAllowsIt) {
  size_t p = add_pd("p");
  attr(sd.pds[p], "smc");
  sd.pds[p].smc = true;
  config.limits.smc_calls = true;
  run();
  EXPECT_TRUE(diags.empty()) << dump();
  config.limits.smc_calls = false;
  config.limits.kernel_package = "/pkg";
  run();
  const Diagnostic& d = only_error("smc-not-allowed-by-kernel");
  EXPECT_EQ(d.loc, sd.pds[p].at("smc"));
  EXPECT_NE(d.message.find("ALLOW_SMC_CALLS"), std::string::npos) << d.message;
}

TEST_F(Validate, IrqNumbersTheKernelCannotHandOut) {
  size_t p = add_pd("p");
  Irq& irq = add_irq(p, 0, 26);
  run();
  EXPECT_TRUE(diags.empty()) << "no kernel limits known: nothing to refuse\n" << dump();
  config.limits.reserved_irqs = {{26, "the kernel's own timer"}};
  config.limits.max_irq = 159;
  config.limits.min_irq = 16;
  run();
  EXPECT_EQ(only_error("irq-reserved-by-kernel").loc, irq.at("irq"));
  for (auto [number, id] : {std::pair<uint64_t, const char*>{160, "irq-out-of-range"},
                            {1000, "irq-out-of-range"},
                            {15, "irq-not-a-device-interrupt"}}) {
    diags = {};
    irq.irq = number;
    run();
    EXPECT_EQ(only_error(id).loc, irq.at("irq")) << number;
  }
  for (uint64_t fine : {16, 27, 159}) {
    diags = {};
    irq.irq = fine;
    run();
    EXPECT_TRUE(diags.empty()) << fine << "\n" << dump();
  }
}

TEST_F(Validate, FpuFalseOnHostIsAWarning) {
  board.arch = board::Arch::Host;
  size_t p = add_pd("p");
  attr(sd.pds[p], "fpu");
  sd.pds[p].fpu = false;
  run();
  EXPECT_TRUE(ids().empty()) << dump();
  ASSERT_EQ(ids(Severity::Warning), std::vector<std::string>{"fpu-not-enforced-on-host"});
  EXPECT_EQ(diags.all()[0].loc, sd.pds[p].at("fpu"));
  diags = {};
  board = aarch64_board();
  run();
  EXPECT_TRUE(diags.empty()) << "seL4 honours fpu=\"false\"\n" << dump();
}

// ---- children ----

TEST_F(Validate, ChildIdRules) {
  size_t p = add_pd("p");
  add_child(p, "no_id", std::nullopt);
  size_t high = add_child(p, "high", 63);
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"missing-child-id", "child-id-too-high"})) << dump();
  EXPECT_EQ(diags.all()[0].loc, sd.pds[1].loc);
  EXPECT_EQ(diags.all()[1].loc, sd.pds[high].at("id"));
}

TEST_F(Validate, ChildIdOnTopLevel) {
  size_t p = add_pd("p");
  attr(sd.pds[p], "id");
  sd.pds[p].child_id = 1;
  run();
  EXPECT_EQ(only_error("child-id-on-top-level-pd").loc, sd.pds[p].at("id"));
}

TEST_F(Validate, DuplicateChildIdAlsoAgainstVcpus) {
  size_t p = add_pd("p");
  add_vm(p, "guest", 1);  // vcpu id 0
  add_child(p, "c1", 0);
  run();
  EXPECT_EQ(only_error("duplicate-child-id").loc, sd.pds[1].at("id"));
  ASSERT_TRUE(note_after("duplicate-child-id"));
  EXPECT_EQ(note_after("duplicate-child-id")->loc, sd.pds[p].vm->vcpus[0].at("id"));
}

TEST_F(Validate, X86VmRules) {
  board = x86_board(true);
  size_t p = add_pd("vmm");
  add_vm(p, "guest", 2);
  add_child(p, "c", 5);
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"x86-vm-with-children", "x86-too-many-vcpus"}))
      << dump();
  EXPECT_EQ(diags.all()[0].loc, sd.pds[p].vm->loc);
}

// ---- virtual machines ----

TEST_F(Validate, VmNeedsHypervisor) {
  board = x86_board(false);
  size_t p = add_pd("vmm");
  add_vm(p, "guest", 1);
  run();
  EXPECT_EQ(only_error("vm-not-supported").loc, sd.pds[p].vm->loc);
}

TEST_F(Validate, VmVcpuRules) {
  size_t p = add_pd("vmm");
  VirtualMachine& vm = add_vm(p, "guest", 3);
  vm.vcpus[1].id = 0;
  vm.vcpus[2].id = 62;
  attr(vm.vcpus[2], "cpu");
  vm.vcpus[2].cpu = 1;
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"duplicate-vcpu-id", "vcpu-id-too-high",
                                             "cpu-out-of-range"}))
      << dump();
  EXPECT_EQ(diags.all()[0].loc, vm.vcpus[1].at("id"));
  EXPECT_EQ(diags.all()[3].loc, vm.vcpus[2].at("cpu"));  // after the note
}

TEST_F(Validate, VmSchedulingOnAarch64AndNotOnX86) {
  size_t p = add_pd("vmm", 10);
  VirtualMachine& vm = add_vm(p, "guest", 1);
  attr(vm, "priority");
  vm.priority = 255;
  run();
  EXPECT_EQ(only_error("priority-too-high").loc, vm.at("priority"));
  diags = {};
  board = x86_board(true);
  vm.priority = 5;
  run();
  EXPECT_EQ(only_error("vm-scheduling-not-supported").loc, sd.pds[p].vm->at("priority"));
}

// ---- cspace ----

TEST_F(Validate, CapRules) {
  size_t p = add_pd("p");
  add_pd("q");
  auto cap = [&](uint64_t slot, const char* pd, Cap::Kind kind = Cap::Kind::Tcb) {
    Cap c = mark(Cap{}, {"slot", "pd"});
    c.kind = kind;  // distinct kinds: distinct default names
    c.slot = slot;
    c.pd = pd;
    sd.pds[p].caps.push_back(c);
  };
  cap(1, "q");
  cap(0, "q", Cap::Kind::Sc);
  cap(128, "q", Cap::Kind::VSpace);
  cap(1, "p");
  cap(2, "qq");
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"cap-slot-reserved", "cap-slot-too-high",
                                             "duplicate-cap-slot", "unknown-pd"}))
      << dump();
  EXPECT_EQ(diags.all()[2].loc, sd.pds[p].caps[3].at("slot"));
  EXPECT_NE(diags.all().back().message.find("did you mean 'q'"), std::string::npos)
      << diags.all().back().message;
}

// ---- memory regions ----

TEST_F(Validate, DeclaredPageSizeIsExplicitElseSmallest) {
  MemoryRegion mr;
  mr.size = 0x400000;
  EXPECT_EQ(declared_page_size(mr, board), 0x1000u);
  mr.page_size = 0x200000;
  EXPECT_EQ(declared_page_size(mr, board), 0x200000u);
}

TEST_F(Validate, OptimalPageSizeGrowsOnlyWhereEveryAddressAllows) {
  MemoryRegion mr;
  std::vector<uint64_t> aligned{0x40000000, 0x60000000};
  std::vector<uint64_t> small_aligned{0x40000000, 0x60001000};
  EXPECT_EQ(optimal_page_size(mr, board, 0x400000, aligned, false), 0x200000u);
  EXPECT_EQ(optimal_page_size(mr, board, 0x400000, small_aligned, false), 0x1000u);
  EXPECT_EQ(optimal_page_size(mr, board, 0x201000, aligned, false), 0x1000u);
  EXPECT_EQ(optimal_page_size(mr, board, 0x400000, aligned, true), 0x1000u);
  mr.phys_addr = 0x1000;
  EXPECT_EQ(optimal_page_size(mr, board, 0x400000, aligned, false), 0x1000u);
  mr.page_size = 0x200000;
  EXPECT_EQ(optimal_page_size(mr, board, 0x400000, small_aligned, false), 0x200000u);
}

// A 2 MiB region mapped at a 4 KiB-aligned vaddr is valid (it gets small
// pages), as with the official tool.
TEST_F(Validate, LargeRegionAtSmallAlignedVaddrIsValid) {
  size_t p = add_pd("a");
  add_mr("big", 0x200000);
  add_map(p, "big", 0x40001000);
  run();
  EXPECT_TRUE(ids().empty()) << dump();
}

TEST_F(Validate, PdReservedRegionIsBelowStackGuardAndIpcBuffer) {
  // The official tool's limit for a PD with the default 8 KiB stack on a
  // 40-bit AArch64 address space.
  EXPECT_EQ(pd_reserved_start(0x2000, board), 0xffffffc000u);
  EXPECT_EQ(pd_ipc_buffer_vaddr(board), 0xfffffff000u);
  EXPECT_EQ(pd_reserved_start(~0ull, board), 0u);
}

TEST_F(Validate, MrRules) {
  add_pd("p");
  MemoryRegion& bad_page = add_mr("bad_page", 0x3000);
  attr(bad_page, "page_size");
  bad_page.page_size = 0x3000;
  add_mr("no_size", std::nullopt);
  add_mr("zero", 0);
  add_mr("big", 0x1800);
  MemoryRegion& phys = add_mr("phys", 0x200000);
  attr(phys, "page_size");
  attr(phys, "phys_addr");
  phys.page_size = 0x200000;
  phys.phys_addr = 0x1000;
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"unsupported-page-size", "missing-mr-size",
                                             "mr-size-zero", "mr-size-unaligned",
                                             "mr-phys-addr-unaligned"}))
      << dump();
  EXPECT_EQ(diags.all()[0].loc, sd.mrs[0].at("page_size"));
  EXPECT_EQ(diags.all()[1].loc, sd.mrs[1].loc);
  EXPECT_EQ(diags.all()[2].loc, sd.mrs[2].at("size"));
  EXPECT_EQ(diags.all()[3].loc, sd.mrs[3].at("size"));
  EXPECT_EQ(diags.all()[4].loc, sd.mrs[4].at("phys_addr"));
}

TEST_F(Validate, PrefilledMrNeedsNoSize) {
  size_t p = add_pd("p");
  MemoryRegion& mr = add_mr("blob", std::nullopt);
  mr.prefill_path = "blob.bin";
  add_map(p, "blob", 0x1000000);
  run();
  EXPECT_TRUE(diags.empty()) << dump();
}

TEST_F(Validate, PrefillRules) {
  size_t p = add_pd("p");
  MemoryRegion& mr = add_mr("both", 0x1000);
  attr(mr, "prefill_path");
  attr(mr, "prefill_bootinfo");
  mr.prefill_path = "x.bin";
  mr.prefill_bootinfo = "x86_vbe";
  add_map(p, "both", 0x1000000);
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"prefill-conflict", "prefill-bootinfo-not-supported"}))
      << dump();
  EXPECT_EQ(diags.all()[0].loc, sd.mrs[0].at("prefill_bootinfo"));
}

TEST_F(Validate, OverlappingPhysAddr) {
  size_t p = add_pd("p");
  uint64_t vaddr = 0x1000000;
  for (auto [name, addr] : {std::pair{"a", 0x9000000ull}, {"b", 0x8000000ull}, {"c", 0x9001000ull}}) {
    MemoryRegion& mr = add_mr(name, 0x2000);
    attr(mr, "phys_addr");
    mr.phys_addr = addr;
    add_map(p, name, vaddr += 0x1000000);
  }
  run();
  // 'c' overlaps 'a'; 'b' is elsewhere.
  EXPECT_EQ(only_error("overlapping-phys-addr").loc, sd.mrs[2].at("phys_addr"));
  EXPECT_EQ(note_after("overlapping-phys-addr")->loc, sd.mrs[0].at("phys_addr"));
}

TEST_F(Validate, UnusedMemoryRegionIsAWarning) {
  add_pd("p");
  add_mr("lonely", 0x1000);
  run();
  EXPECT_TRUE(ids().empty());
  ASSERT_EQ(ids(Severity::Warning), std::vector<std::string>{"unused-memory-region"});
  EXPECT_EQ(diags.all()[0].loc, sd.mrs[0].loc);
}

// ---- maps ----

TEST_F(Validate, UnknownMrSuggestsClosestName) {
  size_t p = add_pd("p");
  add_mr("uart_regs", 0x1000);
  add_map(p, "uart_reg", 0x1000000);
  run();
  const Diagnostic& d = only_error("unknown-memory-region");
  EXPECT_EQ(d.loc, sd.pds[p].maps[0].at("mr"));
  EXPECT_NE(d.message.find("did you mean 'uart_regs'"), std::string::npos) << d.message;
}

TEST_F(Validate, MapAlignmentUsesDeclaredPageSize) {
  size_t p = add_pd("p");
  add_mr("large", 0x200000).page_size = 0x200000;
  add_map(p, "large", 0x1000);
  run();
  const Diagnostic& d = only_error("map-vaddr-unaligned");
  EXPECT_EQ(d.loc, sd.pds[p].maps[0].at("vaddr"));
  EXPECT_NE(d.hint.find("0x200000"), std::string::npos) << d.hint;
}

TEST_F(Validate, MapRangeAndStack) {
  size_t p = add_pd("p");
  add_mr("m", 0x2000);
  add_map(p, "m", 0xffffffa000);  // ends exactly where the stack area starts: fine
  add_map(p, "m", 0xffffffc000);  // inside the stack area
  add_map(p, "m", 0xfffffff000);  // beyond user_vaddr
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"map-overlaps-stack", "map-outside-address-space"}))
      << dump();
  EXPECT_EQ(diags.all()[0].loc, sd.pds[p].maps[1].at("vaddr"));
  EXPECT_EQ(diags.all()[1].loc, sd.pds[p].maps[2].at("vaddr"));
}

TEST_F(Validate, VmMapsMayUseTheWholeAddressSpace) {
  size_t p = add_pd("p");
  VirtualMachine& vm = add_vm(p, "guest", 1);
  add_mr("ram", 0x2000);
  Map m = mark(Map{}, {"mr", "vaddr"});
  m.mr = "ram";
  m.vaddr = 0xffffffe000;
  vm.maps.push_back(m);
  run();
  EXPECT_TRUE(diags.empty()) << dump();
}

TEST_F(Validate, OverlappingMapsReportBoth) {
  size_t p = add_pd("p");
  add_mr("a", 0x3000);
  add_mr("b", 0x1000);
  add_map(p, "a", 0x2000000);
  add_map(p, "b", 0x2002000);
  add_map(p, "b", 0x2003000);  // touches 'a' only at its end: fine
  run();
  EXPECT_EQ(only_error("overlapping-maps").loc, sd.pds[p].maps[1].at("vaddr"));
  EXPECT_EQ(note_after("overlapping-maps")->loc, sd.pds[p].maps[0].at("vaddr"));
}

TEST_F(Validate, WriteOnlyMap) {
  size_t p = add_pd("p");
  add_mr("m", 0x1000);
  Map& m = add_map(p, "m", 0x1000000);
  attr(m, "perms");
  m.perms = {false, true, false};
  run();
  EXPECT_EQ(only_error("write-only-map").loc, m.at("perms"));
}

// ---- setvar ----

TEST_F(Validate, SetvarSymbolsUniqueAcrossForms) {
  size_t p = add_pd("p");
  add_pd("q");
  add_mr("m", 0x1000);
  Map& m = add_map(p, "m", 0x1000000);
  attr(m, "setvar_vaddr");
  m.setvar_vaddr = "buf";
  Channel& ch = add_channel("q", 0, "p", 1);
  attr(ch.b, "setvar_id");
  ch.b.setvar_id = "buf";
  run();
  EXPECT_EQ(only_error("duplicate-setvar-symbol").loc, sd.channels[0].b.at("setvar_id"));
}

TEST_F(Validate, ChildSetvarIdIsPatchedInParent) {
  size_t p = add_pd("p");
  SetVar s = mark(SetVar{}, {"symbol", "region_paddr"});
  s.symbol = "child";
  s.region_paddr = "m";
  sd.pds[p].setvars.push_back(s);
  add_mr("m", 0x1000);
  size_t c = add_child(p, "c", 0);
  attr(sd.pds[c], "setvar_id");
  sd.pds[c].setvar_id = "child";
  run();
  EXPECT_EQ(only_error("duplicate-setvar-symbol").loc, sd.pds[c].at("setvar_id"));
}

TEST_F(Validate, RegionPaddrRules) {
  size_t p = add_pd("p");
  add_mr("dma", 0x1000);
  SetVar s = mark(SetVar{}, {"symbol", "region_paddr"});
  s.symbol = "dma_paddr";
  s.region_paddr = "dma";
  sd.pds[p].setvars.push_back(s);
  run();
  EXPECT_TRUE(diags.empty()) << dump();  // the tool picks the address on ARM
  board = x86_board(false);
  run();
  EXPECT_EQ(only_error("x86-region-paddr-without-phys-addr").loc,
            sd.pds[p].setvars[0].at("region_paddr"));
  diags = {};
  sd.pds[p].setvars[0].region_paddr = "dmaa";
  run();
  EXPECT_EQ(ids(), std::vector<std::string>{"unknown-memory-region"});
}

TEST_F(Validate, SetvarPrefillSizeNeedsPrefill) {
  size_t p = add_pd("p");
  add_mr("m", 0x1000);
  Map& m = add_map(p, "m", 0x1000000);
  attr(m, "setvar_prefill_size");
  m.setvar_prefill_size = "n";
  run();
  EXPECT_EQ(only_error("setvar-prefill-size-without-prefill").loc, m.at("setvar_prefill_size"));
}

// ---- channels ----

TEST_F(Validate, ChannelEndRules) {
  add_pd("a", 1);
  add_pd("b", 2);
  add_channel("a", 63, "bb", 0);
  add_channel("a", 1, "a", 2);
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"channel-id-too-high", "unknown-pd", "channel-to-self"}))
      << dump();
  EXPECT_EQ(diags.all()[0].loc, sd.channels[0].a.at("id"));
  EXPECT_EQ(diags.all()[1].loc, sd.channels[0].b.at("pd"));
  EXPECT_EQ(diags.all()[2].loc, sd.channels[1].b.at("pd"));
}

TEST_F(Validate, ChannelAndIrqIdsShareASpace) {
  size_t a = add_pd("a");
  add_pd("b");
  add_irq(a, 5, 40);
  add_channel("a", 5, "b", 5);
  run();
  EXPECT_EQ(only_error("duplicate-channel-id").loc, sd.channels[0].a.at("id"));
  EXPECT_EQ(note_after("duplicate-channel-id")->loc, sd.pds[a].irqs[0].at("id"));
}

TEST_F(Validate, PpRules) {
  add_pd("low", 10);
  add_pd("high", 20);
  Channel& both = add_channel("low", 0, "high", 0);
  attr(both.a, "pp");
  attr(both.b, "pp");
  both.a.pp = both.b.pp = true;
  Channel& down = add_channel("high", 1, "low", 1);
  attr(down.a, "pp");
  down.a.pp = true;
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"bidirectional-pp", "pp-to-lower-priority"})) << dump();
  EXPECT_EQ(diags.all()[0].loc, sd.channels[0].b.at("pp"));
  EXPECT_EQ(diags.all()[1].loc, sd.channels[1].a.at("pp"));
  EXPECT_NE(diags.all()[1].message.find("priority 20"), std::string::npos);
  EXPECT_NE(diags.all()[1].message.find("priority 10"), std::string::npos);
}

TEST_F(Validate, EqualPrioritiesCannotCall) {
  add_pd("a", 7);
  add_pd("b", 7);
  add_channel("a", 0, "b", 0).a.pp = true;
  run();
  EXPECT_EQ(ids(), std::vector<std::string>{"pp-to-lower-priority"});
}

TEST_F(Validate, X86NoPpToVmPd) {
  board = x86_board(true);
  add_pd("client", 1);
  size_t vmm = add_pd("vmm", 100);
  add_vm(vmm, "guest", 1);
  Channel& ch = add_channel("client", 0, "vmm", 0);
  attr(ch.a, "pp");
  ch.a.pp = true;
  run();
  EXPECT_EQ(only_error("x86-pp-to-vm-pd").loc, sd.channels[0].a.at("pp"));
}

TEST_F(Validate, UselessChannelWarning) {
  add_pd("a");
  add_pd("b");
  Channel& ch = add_channel("a", 0, "b", 0);
  ch.a.notify = ch.b.notify = false;
  run();
  EXPECT_EQ(ids(Severity::Warning), std::vector<std::string>{"useless-channel"});
  EXPECT_EQ(diags.all()[0].loc, sd.channels[0].loc);
}

// ---- irqs ----

TEST_F(Validate, DuplicateIrqAcrossPds) {
  size_t a = add_pd("a");
  size_t b = add_pd("b");
  add_irq(a, 0, 33);
  add_irq(b, 0, 33);
  run();
  EXPECT_EQ(only_error("duplicate-irq").loc, sd.pds[b].irqs[0].at("irq"));
}

TEST_F(Validate, IrqKindsPerArchitecture) {
  size_t a = add_pd("a");
  add_irq(a, 0, 33);
  Irq msi = mark(Irq{}, {"id", "pcidev", "handle", "vector"});
  msi.kind = Irq::Kind::Msi;
  msi.id = 1;
  sd.pds[a].irqs.push_back(msi);
  run();
  EXPECT_EQ(only_error("irq-kind-not-supported").loc, sd.pds[a].irqs[1].at("pcidev"));
  diags = {};
  board = x86_board(false);
  run();
  EXPECT_EQ(only_error("irq-kind-not-supported").loc, sd.pds[a].irqs[0].at("irq"));
}

TEST_F(Validate, X86IrqFields) {
  board = x86_board(false);
  size_t a = add_pd("a");
  Irq io = mark(Irq{}, {"id", "pin", "vector"});
  io.kind = Irq::Kind::IoApic;
  io.vector = 108;
  io.pin = 4;
  sd.pds[a].irqs.push_back(io);
  Irq msi = mark(Irq{}, {"id", "pcidev", "handle", "vector"});
  msi.kind = Irq::Kind::Msi;
  msi.id = 1;
  msi.vector = 107;
  msi.pci_dev = 32;
  sd.pds[a].irqs.push_back(msi);
  Irq again = io;
  again.loc.line = next_line++;
  for (auto& [n, l] : again.attrs) l.line = again.loc.line;
  again.id = 2;
  again.vector = 7;
  sd.pds[a].irqs.push_back(again);
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"irq-vector-too-high", "pcidev-out-of-range",
                                             "duplicate-irq"}))
      << dump();
  EXPECT_EQ(diags.all()[0].loc, sd.pds[a].irqs[0].at("vector"));
  EXPECT_EQ(diags.all()[2].loc, sd.pds[a].irqs[2].at("pin"));
}

// ---- ioports ----

TEST_F(Validate, IoportRules) {
  board = x86_board(false);
  size_t a = add_pd("a");
  size_t b = add_pd("b");
  auto port = [&](size_t pd, uint64_t id, uint64_t addr, uint64_t size) {
    IoPort p = mark(IoPort{}, {"id", "addr", "size"});
    p.id = id, p.addr = addr, p.size = size;
    sd.pds[pd].ioports.push_back(p);
  };
  port(a, 0, 0x3f8, 8);
  port(a, 0, 0x2f8, 8);      // duplicate id
  port(a, 63, 0x100, 1);     // id too high
  port(a, 2, 0x200, 0);      // size zero
  port(a, 3, 0xfff0, 0x20);  // out of range
  port(b, 0, 0x3fc, 2);      // overlaps a's first range
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"duplicate-ioport-id", "ioport-id-too-high",
                                             "ioport-size-zero", "ioport-out-of-range",
                                             "overlapping-ioports"}))
      << dump();
  EXPECT_EQ(diags.all().back().loc, sd.pds[a].ioports[0].at("addr"));  // the note
  diags = {};
  board = aarch64_board();
  run();
  EXPECT_EQ(ids().front(), "ioport-not-supported");
}

// ---- io address spaces ----

TEST_F(Validate, IoAddressSpaces) {
  board = x86_board(false);
  size_t p = add_pd("p");
  add_mr("dma", 0x2000);
  add_map(p, "dma", 0x1000000);
  add_mr("large", 0x200000).page_size = 0x200000;
  auto space = [&](const char* name, uint64_t peripheral, uint64_t domain) -> IoAddressSpace& {
    IoAddressSpace s = mark(IoAddressSpace{}, {"name", "peripheral_id", "domain_id"});
    s.name = name, s.peripheral_id = peripheral, s.domain_id = domain;
    sd.io_address_spaces.push_back(s);
    return sd.io_address_spaces.back();
  };
  auto iomap = [&](IoAddressSpace& s, const char* mr, uint64_t iovaddr) {
    IoMap m = mark(IoMap{}, {"mr", "iovaddr"});
    m.mr = mr, m.iovaddr = iovaddr;
    s.maps.push_back(m);
  };
  IoAddressSpace& s1 = space("nic", 0x18, 1);
  iomap(s1, "dma", 0);
  iomap(s1, "dma", 0x1000);           // overlaps
  iomap(s1, "large", 0x200000);       // large page
  iomap(s1, "dma", 0x7ffffff000);     // beyond 39 bits
  iomap(s1, "dma", 0x10800);          // unaligned
  space("disk", 0x18, 1);             // duplicate peripheral and domain
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"iomap-large-page", "iomap-outside-address-space",
                                             "iomap-vaddr-unaligned", "overlapping-iomaps",
                                             "duplicate-peripheral-id", "duplicate-io-domain-id"}))
      << dump();
  EXPECT_EQ(diags.all()[3].loc, sd.io_address_spaces[0].maps[1].at("iovaddr"));
  diags = {};
  board = aarch64_board();
  run();
  EXPECT_EQ(ids().front(), "io-address-space-not-supported");
}

TEST_F(Validate, IoAddressSpaceNeedsAnIommuKernel) {
  board = x86_board(false);
  size_t p = add_pd("p");
  add_mr("dma", 0x1000);
  add_map(p, "dma", 0x1000000);
  IoAddressSpace s = mark(IoAddressSpace{}, {"name", "peripheral_id", "domain_id"});
  s.name = "edu", s.peripheral_id = 0x20, s.domain_id = 1;
  sd.io_address_spaces.push_back(s);
  config.limits.iommu = true;
  run();
  EXPECT_TRUE(diags.empty()) << dump();
  config.limits.iommu = false;
  config.limits.kernel_package = "/pkg";
  run();
  const Diagnostic& d = only_error("io-address-space-no-iommu");
  EXPECT_EQ(d.loc, sd.io_address_spaces[0].loc);
  EXPECT_NE(d.message.find("/pkg"), std::string::npos) << d.message;
}

// ---- domains ----

class ValidateDomains : public Validate {
 protected:
  Domains& domains(std::initializer_list<const char*> names) {
    Domains d = mark(Domains{}, {});
    for (const char* n : names) {
      Domain dom = mark(Domain{}, {"name"});
      dom.name = n;
      d.domains.push_back(dom);
    }
    d.schedule = mark(DomainSchedule{}, {});
    sd.domains = d;
    return *sd.domains;
  }
  void entry(const char* domain, uint64_t duration) {
    ScheduleEntry e = mark(ScheduleEntry{}, {"domain", "duration"});
    e.domain = domain, e.duration = duration;
    sd.domains->schedule->entries.push_back(e);
  }
  void pd_in(const char* name, const char* domain) {
    size_t p = add_pd(name);
    attr(sd.pds[p], "domain");
    sd.pds[p].domain = domain;
  }
};

TEST_F(ValidateDomains, ValidSchedule) {
  domains({"red", "blue"});
  entry("red", 1000);
  entry("blue", 1000);
  pd_in("a", "red");
  pd_in("b", "blue");
  run();
  EXPECT_TRUE(diags.empty()) << dump();
}

TEST_F(ValidateDomains, ScheduleRules) {
  domains({"red"});
  entry("green", 1000);
  entry("red", 0);
  attr(*sd.domains->schedule, "start_index");
  sd.domains->schedule->start_index = 2;
  pd_in("a", "red");
  add_pd("b");
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"unknown-domain", "schedule-duration-zero",
                                             "schedule-start-index-out-of-range",
                                             "missing-pd-domain"}))
      << dump();
  EXPECT_EQ(diags.all()[2].loc, sd.domains->schedule->at("start_index"));
  EXPECT_EQ(diags.all()[3].loc, sd.pds[1].loc);
}

TEST_F(ValidateDomains, DomainIdsAndCount) {
  config.limits.max_domains = 2;
  Domains& d = domains({"a", "b", "c"});
  attr(d.domains[0], "id");
  attr(d.domains[1], "id");
  d.domains[0].id = 1;
  d.domains[1].id = 1;
  d.domains[2].id = 2;
  attr(d.domains[2], "id");
  entry("a", 1);
  pd_in("p", "a");
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"too-many-domains", "duplicate-domain-id",
                                             "domain-id-too-high"}))
      << dump();
  EXPECT_EQ(diags.all()[0].loc, sd.domains->domains[2].loc);
}

TEST_F(ValidateDomains, ScheduleLengthCountsEndMarkerAndShift) {
  config.limits.max_domain_schedule = 3;
  domains({"a"});
  entry("a", 1);
  entry("a", 1);
  pd_in("p", "a");
  run();
  EXPECT_TRUE(diags.empty()) << dump();
  entry("a", 1);
  run();
  EXPECT_EQ(only_error("schedule-too-long").loc, sd.domains->schedule->entries[2].loc);
}

// The domain limits are the kernel package's: without one they are not
// guessed (no board constant), so only what is wrong anyway is reported.
TEST_F(ValidateDomains, LimitsComeOnlyFromTheKernel) {
  ASSERT_FALSE(config.limits.max_domains);
  Domains& d = domains({"a"});
  attr(d.domains[0], "id");
  d.domains[0].id = 40;
  for (int i = 0; i < 120; ++i) entry("a", 1);
  pd_in("p", "a");
  run();
  EXPECT_TRUE(ids().empty()) << dump();
  config.limits.max_domains = 16;
  config.limits.max_domain_schedule = 100;
  run();
  EXPECT_EQ(ids(), (std::vector<std::string>{"domain-id-too-high", "schedule-too-long"})) << dump();
}

// The kernel counts in timer ticks: at 1 kHz, 100 us is no tick at all.
TEST_F(ValidateDomains, DurationsMustBeWholeTicks) {
  domains({"a"});
  entry("a", 100);
  entry("a", 2000);
  pd_in("p", "a");
  config.limits.timer_frequency = 1000;
  run();
  EXPECT_EQ(only_error("schedule-duration-too-short").loc, sd.domains->schedule->entries[0].at("duration"));
  diags = {};
  sd.domains->schedule->entries[0].duration = 500;  // 0.5 ticks rounds to 1
  run();
  EXPECT_TRUE(ids().empty()) << dump();
}

TEST_F(ValidateDomains, NotOnSmp) {
  config = debug_config(2);
  domains({"a"});
  entry("a", 1);
  pd_in("p", "a");
  run();
  EXPECT_EQ(only_error("domains-on-smp").loc, sd.domains->loc);
}

TEST_F(ValidateDomains, PdDomainWithoutSchedule) {
  pd_in("p", "a");
  run();
  EXPECT_EQ(only_error("pd-domain-without-schedule").loc, sd.pds[0].at("domain"));
}

TEST_F(ValidateDomains, MissingScheduleAndEmptySchedule) {
  add_pd("p");
  domains({"a"});
  sd.domains->schedule.reset();
  run();
  EXPECT_EQ(only_error("missing-domain-schedule").loc, sd.domains->loc);
  diags = {};
  domains({"a"});
  run();
  EXPECT_EQ(ids().front(), "empty-domain-schedule");
}

// ---- scale ----

TEST_F(Validate, LargeSystemScales) {
  config.limits.max_pds = 500;
  for (int i = 0; i < 500; ++i) add_pd("pd" + std::to_string(i));
  for (int i = 0; i < 10000; ++i) {
    std::string name = "mr" + std::to_string(i);
    add_mr(name, 0x1000);
    add_map(i % 500, name, 0x10000000 + 0x1000ull * i);
  }
  for (int i = 0; i + 1 < 500; ++i) add_channel("pd" + std::to_string(i), 0, "pd" + std::to_string(i + 1), 1);
  // Correctness at scale; speed is measured in bench/, not asserted here.
  run();
  EXPECT_TRUE(diags.empty()) << dump().substr(0, 2000);
  add_map(499, "mr0", 0x10000000 + 0x1000ull * 499);  // same vaddr as mr499's map in pd499
  run();
  EXPECT_EQ(ids(), std::vector<std::string>{"overlapping-maps"});
}

}  // namespace
}  // namespace microkit::sdf
