// Tests for the per-PD CSpace header: the constants are the CPtrs the
// planner uses (MICROKIT_PD_BASE_USER_CAPS + slot), ranges carry counts, and
// the text compiles as C and as C++ with the values checked by the compiler.
#include "sel4/cspace_header.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "runtime/shared/pd_abi.h"
#include "sdf/parse.h"
#include "sdf/validate.h"

namespace microkit::sel4 {
namespace {

constexpr const char* kSystem = R"(<system>
  <memory_region name="shared" size="0x2000" />
  <protection_domain name="server" priority="200">
    <program_image path="server.elf" />
    <irq irq="40" id="2" />
  </protection_domain>
  <protection_domain name="the-manager" priority="100">
    <program_image path="manager.elf" />
    <cspace>
      <cap_tcb slot="1" pd="server" />
      <cap_cnode slot="4" pd="the-manager" name="self" />
      <cap_mr slot="7" mr="shared" />
      <untyped slot="9" size="0x100000" count="4" name="heap" />
      <cnode slot="13" slots="256" />
      <cap_irq slot="14" pd="server" id="2" />
      <free_slots count="64" />
    </cspace>
  </protection_domain>
</system>
)";

plan::Plan make_plan(const char* system = kSystem, board::Arch arch = board::Arch::AArch64) {
  Diagnostics d;
  auto sd = sdf::parse(system, "grants.system", d);
  EXPECT_TRUE(sd);
  board::Board b;
  b.name = "qemu_virt_aarch64";
  b.arch = arch;
  b.page_sizes = {0x1000, 0x200000};
  b.user_vaddr = {0x10000, 0x10000000000};
  b.cpu_count = 1;
  board::Config c;
  c.name = "debug";
  sdf::validate(*sd, b, c, d);
  plan::Inputs in;
  in.programs["server.elf"] = elf::ElfFile{};
  in.programs["manager.elf"] = elf::ElfFile{};
  auto plan = plan::build(*sd, b, c, in, d);
  EXPECT_TRUE(plan);
  EXPECT_EQ(d.error_count(), 0u);
  return plan ? *plan : plan::Plan{};
}

bool has_line(const std::string& text, const std::string& start) {
  return text.find("\n" + start) != std::string::npos;
}

TEST(CspaceHeader, NamesEveryGrantAtItsCPtr) {
  auto plan = make_plan();
  ASSERT_EQ(plan.pds.size(), 2u);
  std::string h = cspace_header(plan, 1, "grants.system");
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_TCB_SERVER 459u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_SELF 462u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_MR_SHARED 465u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_MR_SHARED_COUNT 2u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_HEAP 467u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_HEAP_COUNT 4u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_HEAP_SIZE_BITS 20u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_CNODE_13 471u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_CNODE_13_SLOTS 256u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_IRQ_SERVER_2 472u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_IRQ_SERVER_2_IRQ 40u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CSPACE_FIRST_FREE 586u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CSPACE_FREE_COUNT 64u")) << h;
  EXPECT_NE(h.find("#ifndef MICROKIT_CSPACE_THE_MANAGER_H"), std::string::npos) << h;
  EXPECT_EQ(cspace_header_name("the-manager"), "the_manager_cspace.h");
}

// x86-64: a <cap_ioport> names the granted CPtr and the owner's port range.
constexpr const char* kIoPortSystem = R"(<system>
  <protection_domain name="uart" priority="200">
    <program_image path="server.elf" />
    <ioport id="3" addr="0x3f8" size="8" />
  </protection_domain>
  <protection_domain name="logger" priority="100">
    <program_image path="manager.elf" />
    <cspace>
      <cap_ioport slot="6" pd="uart" id="3" />
    </cspace>
  </protection_domain>
</system>
)";

TEST(CspaceHeader, AnIoPortGrantGivesItsCPtrAndPorts) {
  auto plan = make_plan(kIoPortSystem, board::Arch::X86_64);
  ASSERT_EQ(plan.pds.size(), 2u);
  std::string h = cspace_header(plan, 1, "grants.system");
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_IOPORT_UART_3 464u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_IOPORT_UART_3_FIRST_PORT 1016u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CAP_IOPORT_UART_3_LAST_PORT 1023u")) << h;
}

TEST(CspaceHeader, APdWithoutGrantsStillLearnsWhereFreeSlotsStart) {
  auto plan = make_plan();
  std::string h = cspace_header(plan, 0, "grants.system");
  EXPECT_EQ(h.find("MICROKIT_CAP_"), std::string::npos) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CSPACE_FIRST_FREE 586u")) << h;
  EXPECT_TRUE(has_line(h, "#define MICROKIT_CSPACE_FREE_COUNT 438u")) << h;
}

TEST(CspaceHeader, CompilesAsCAndCxxWithTheValuesThePlannerUses) {
  auto plan = make_plan();
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("cspace_header_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "h.h") << cspace_header(plan, 1, "grants.system");
  std::string check = "#include \"h.h\"\n"
                      "_Static_assert(MICROKIT_CAP_HEAP + MICROKIT_CAP_HEAP_COUNT - 1 == " +
                      std::to_string(pd_abi::user_cap_slot(12)) + ", \"last untyped\");\n"
                      "_Static_assert(MICROKIT_CSPACE_FIRST_FREE == " +
                      std::to_string(MICROKIT_PD_SLOTS_END) + ", \"free\");\n";
  std::ofstream(dir / "c.c") << check;
  std::ofstream(dir / "cxx.cc") << "#define _Static_assert static_assert\n" << check;
  std::string c = "cc -std=c99 -Wall -Werror -fsyntax-only " + (dir / "c.c").string();
  std::string cxx = "c++ -std=c++17 -Wall -Werror -fsyntax-only " + (dir / "cxx.cc").string();
  EXPECT_EQ(std::system(c.c_str()), 0) << c;
  EXPECT_EQ(std::system(cxx.c_str()), 0) << cxx;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace microkit::sel4
