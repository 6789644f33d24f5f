#include "kernel/kernel_package.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "elf/test_elf_builder.h"
#include "kernel/test_facts.h"

namespace microkit::kernel {
namespace {

namespace fs = std::filesystem;

std::string shared_board(const std::string& board) {
  return test_support::facts_dir(board);
}

std::string all(const Diagnostics& d) {
  std::string out;
  for (const Diagnostic& x : d.all()) out += render(x);
  return out;
}

// The shared facts are part of every checkout's surroundings: missing is a failure.
#define LOAD(var, dir)                                      \
  Diagnostics var##_diags;                                  \
  auto var = load_kernel_package(dir, var##_diags);         \
  ASSERT_TRUE(var) << all(var##_diags);                     \
  EXPECT_TRUE(var##_diags.empty()) << all(var##_diags)

// A real kernel package is optional (docs/kernel-package.md).
#define LOAD_OR_SKIP(var, dir)                                              \
  if (!fs::exists(dir)) GTEST_SKIP() << "no kernel package at " << (dir);  \
  LOAD(var, dir)

TEST(KernelPackageFacts, QemuVirtAarch64) {
  LOAD(pkg, shared_board("qemu_virt_aarch64"));
  EXPECT_EQ(pkg->kind, KernelPackage::Kind::Facts);
  const KernelConfig& c = pkg->config;
  EXPECT_EQ(c.arch, board::Arch::AArch64);
  EXPECT_EQ(c.platform, "qemu-arm-virt");
  EXPECT_TRUE(c.mcs);
  EXPECT_TRUE(c.hypervisor);
  EXPECT_EQ(c.arm_pa_size_bits, 40u);
  EXPECT_EQ(c.root_cnode_size_bits, 17u);
  EXPECT_EQ(c.retype_fan_out_limit, 256u);
  EXPECT_EQ(c.num_domains, 16u);  // the official SDK's domain scheduler
  EXPECT_EQ(c.max_num_nodes, 1u);
  EXPECT_TRUE(c.debug_build && c.printing);
  EXPECT_TRUE(c.have_fpu);
  EXPECT_EQ(c.timer_frequency, 62500000u);
  EXPECT_EQ(c.get("ARM_PLAT"), "qemu-arm-virt");
  EXPECT_EQ(pkg->memory, (std::vector<MemoryRange>{{0x60000000, 0xc0000000}}));
  EXPECT_EQ(pkg->devices.size(), 5u);
  EXPECT_EQ(pkg->entry, 0x8060000000u);
  ASSERT_EQ(pkg->segments.size(), 1u);
  EXPECT_EQ(pkg->segments[0].paddr, 0x60000000u);
  EXPECT_EQ(pkg->segments[0].flags, unsigned(PF_R | PF_W | PF_X));
  EXPECT_EQ(pkg->ki_boot_end, 551366492160u);
  EXPECT_EQ(pkg->ki_end, 551368908800u);
  EXPECT_EQ(pkg->label("UntypedRetype"), 1u);
  EXPECT_EQ(pkg->label("NoSuchInvocation"), std::nullopt);
  EXPECT_EQ(pkg->sizes.tcb, 12u);  // with the hardware debug API
  EXPECT_EQ(pkg->sizes.vspace, 13u);
  EXPECT_EQ(pkg->sizes.vcpu, 12u);
  EXPECT_EQ(pkg->sizes.vspace_index, 10u);
  EXPECT_EQ(pkg->user_vaddr_end(), 0x10000000000u);
  EXPECT_TRUE(pkg->kernel_elf_path.empty());
}

TEST(KernelPackageFacts, QemuVirtRiscv64) {
  LOAD(pkg, shared_board("qemu_virt_riscv64"));
  EXPECT_EQ(pkg->config.arch, board::Arch::RiscV64);
  EXPECT_EQ(pkg->config.riscv_pt_levels, 3u);
  EXPECT_FALSE(pkg->config.hypervisor);
  EXPECT_EQ(pkg->config.timer_frequency, 10000000u);
  EXPECT_EQ(pkg->memory, (std::vector<MemoryRange>{{0x80200000, 0x100000000}}));  // above OpenSBI
  EXPECT_EQ(pkg->sizes.vspace, 12u);
  EXPECT_EQ(pkg->sizes.max_untyped, 38u);
  EXPECT_FALSE(pkg->sizes.vcpu);
  EXPECT_EQ(pkg->user_vaddr_end(), 0x3ffffff000u);
}

TEST(KernelPackageFacts, X86_64Generic) {
  LOAD(pkg, shared_board("x86_64_generic"));
  EXPECT_EQ(pkg->config.arch, board::Arch::X86_64);
  EXPECT_FALSE(pkg->config.hypervisor);
  EXPECT_FALSE(pkg->config.timer_frequency);  // the TSC is measured at boot
  EXPECT_TRUE(pkg->memory.empty());            // found at boot from multiboot
  EXPECT_EQ(pkg->segments.size(), 3u);
  EXPECT_EQ(pkg->sizes.vcpu, 14u);
  EXPECT_TRUE(pkg->symbols.count("ki_skim_start"));
  EXPECT_EQ(pkg->user_vaddr_end(), 0x7ffffffff000u);
}

// A scratch copy of a shared facts folder that a test may damage.
class ScratchPackage {
 public:
  explicit ScratchPackage(const std::string& from) {
    dir_ = fs::temp_directory_path() /
           ("kernel_pkg_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    if (!from.empty()) fs::copy(from, dir_, fs::copy_options::recursive);
  }
  ~ScratchPackage() { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string str() const { return dir_.string(); }
  std::string read(const std::string& name) const {
    std::ifstream in(path(name));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void write(const std::string& name, const std::string& text) const {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(path(name)) << text;
  }
  void replace(const std::string& name, const std::string& from, const std::string& to) const {
    std::string text = read(name);
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    write(name, text.replace(at, from.size(), to));
  }

 private:
  fs::path dir_;
};

const Diagnostic* find_id(const Diagnostics& d, std::string_view id) {
  for (const Diagnostic& x : d.all())
    if (x.id == id) return &x;
  return nullptr;
}

class KernelPackageErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(shared_board("qemu_virt_aarch64")))
      GTEST_SKIP() << "no kernel facts at " << shared_board("qemu_virt_aarch64");
  }
};

TEST_F(KernelPackageErrors, MissingFileIsNamed) {
  ScratchPackage p(shared_board("qemu_virt_aarch64"));
  fs::remove(p.path("invocations_all.json"));
  Diagnostics d;
  EXPECT_FALSE(load_kernel_package(p.str(), d));
  const Diagnostic* e = find_id(d, "kernel-missing-file");
  ASSERT_TRUE(e) << all(d);
  EXPECT_EQ(e->file, p.path("invocations_all.json"));
}

TEST_F(KernelPackageErrors, MissingConfigKeyIsNamed) {
  ScratchPackage p(shared_board("qemu_virt_aarch64"));
  p.replace("gen_config.json", "\"ROOT_CNODE_SIZE_BITS\"", "\"ROOT_CNODE_SIZE_BITZ\"");
  Diagnostics d;
  EXPECT_FALSE(load_kernel_package(p.str(), d));
  const Diagnostic* e = find_id(d, "kernel-missing-key");
  ASSERT_TRUE(e) << all(d);
  EXPECT_EQ(e->file, p.path("gen_config.json"));
  EXPECT_NE(e->message.find("ROOT_CNODE_SIZE_BITS"), std::string::npos);
}

// MIN_BUDGET = 2 * KERNEL_WCET (10 us; 100 on tk1) * KERNEL_WCET_SCALE, in
// ticks of the timer; MAX_PERIOD_US from KERNEL_STATIC_MAX_PERIOD_US when set.
TEST(KernelPackageFacts, SchedTimeLimits) {
  KernelConfig c;
  c.platform = "qemu-arm-virt";
  c.timer_frequency = 62500000;  // not whole MHz: the kernel converts by kHz
  auto l = sched_time_limits(c);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->min_us, 20u);
  EXPECT_EQ(l->max_us, UINT64_MAX / 62500 / 8);
  c.wcet_scale = 3;
  EXPECT_EQ(sched_time_limits(c)->min_us, 60u);
  c.platform = "tk1";
  c.wcet_scale = 1;
  c.timer_frequency = 12000000;
  EXPECT_EQ(sched_time_limits(c)->min_us, 200u);
  c.raw["KERNEL_STATIC_MAX_PERIOD_US"] = "5000000";
  EXPECT_EQ(sched_time_limits(c)->max_us, 5000000u);
  c.timer_frequency.reset();  // x86: measured at boot
  EXPECT_FALSE(sched_time_limits(c));
}

// The planner splits retypes by this value, so it comes from the package.
TEST_F(KernelPackageErrors, RetypeFanOutLimitIsThePackages) {
  ScratchPackage p(shared_board("qemu_virt_aarch64"));
  p.replace("gen_config.json", "\"RETYPE_FAN_OUT_LIMIT\": \"256\"", "\"RETYPE_FAN_OUT_LIMIT\": \"7\"");
  Diagnostics d;
  auto pkg = load_kernel_package(p.str(), d);
  ASSERT_TRUE(pkg) << all(d);
  EXPECT_EQ(pkg->config.retype_fan_out_limit, 7u);
  ScratchPackage none(shared_board("qemu_virt_aarch64"));
  none.replace("gen_config.json", "\"RETYPE_FAN_OUT_LIMIT\"", "\"RETYPE_FAN_OUT_LIMIZ\"");
  Diagnostics d2;
  EXPECT_FALSE(load_kernel_package(none.str(), d2));
  const Diagnostic* e = find_id(d2, "kernel-missing-key");
  ASSERT_TRUE(e) << all(d2);
  EXPECT_NE(e->message.find("RETYPE_FAN_OUT_LIMIT"), std::string::npos);
}

TEST_F(KernelPackageErrors, BadConfigValueHasALocation) {
  ScratchPackage p(shared_board("qemu_virt_aarch64"));
  p.replace("gen_config.json", "\"NUM_DOMAINS\": \"16\"", "\"NUM_DOMAINS\": \"one\"");
  Diagnostics d;
  EXPECT_FALSE(load_kernel_package(p.str(), d));
  const Diagnostic* e = find_id(d, "kernel-bad-value");
  ASSERT_TRUE(e) << all(d);
  EXPECT_NE(e->message.find("NUM_DOMAINS"), std::string::npos);
  EXPECT_NE(e->loc.line, 0u);
}

TEST_F(KernelPackageErrors, MalformedJson) {
  ScratchPackage p(shared_board("qemu_virt_aarch64"));
  p.write("platform_gen.json", "{\"memory\": [\n  {\"start\": 1,, \"end\": 2}]}");
  Diagnostics d;
  EXPECT_FALSE(load_kernel_package(p.str(), d));
  const Diagnostic* e = find_id(d, "kernel-json");
  ASSERT_TRUE(e) << all(d);
  EXPECT_EQ(e->file, p.path("platform_gen.json"));
  EXPECT_EQ(e->loc, (Loc{2, 15}));  // the second comma
}

TEST_F(KernelPackageErrors, MissingObjectSizeAndSymbol) {
  ScratchPackage p(shared_board("qemu_virt_aarch64"));
  p.replace("object_sizes.json", "\"tcb\"", "\"tcbb\"");
  p.replace("kernel_elf.json", "\"ki_end\"", "\"ki_ending\"");
  Diagnostics d;
  EXPECT_FALSE(load_kernel_package(p.str(), d));
  // Both problems are reported in one run.
  bool tcb = false, ki_end = false;
  for (const Diagnostic& x : d.all()) {
    tcb |= x.file == p.path("object_sizes.json") && x.message.find("'tcb'") != std::string::npos;
    ki_end |= x.file == p.path("kernel_elf.json") && x.message.find("ki_end") != std::string::npos;
  }
  EXPECT_TRUE(tcb) << all(d);
  EXPECT_TRUE(ki_end) << all(d);
}

TEST(KernelPackage, MissingFolder) {
  Diagnostics d;
  EXPECT_FALSE(load_kernel_package("/nonexistent/kernel", d));
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.all()[0].id, "kernel-missing-file");
}

// An install-shaped package built by the test: kernel.elf from the ELF test
// builder and a few libsel4 headers, so that the install path (ELF and
// header reading) is covered even where no real kernel build exists.
class SyntheticInstall : public KernelPackageErrors {
 protected:
  void build(ScratchPackage& p, uint16_t machine) {
    std::string facts = shared_board("qemu_virt_aarch64");
    fs::copy(facts + "/gen_config.json", p.path("gen_config.json"));
    fs::copy(facts + "/invocations_all.json", p.path("invocations_all.json"));
    fs::create_directories(p.path("support"));
    fs::copy(facts + "/platform_gen.json", p.path("support/platform_gen.json"));
    elf::testing::TestElfBuilder b;
    b.machine = machine;
    b.entry = 0x8060000000;
    b.segment(0x8060000000, {0x1f, 0x20, 0x03, 0xd5}, 0x10000, PF_R | PF_W | PF_X);
    b.segments[0].paddr = 0x60000000;
    b.symbol("ki_boot_end", 0x8060001000).symbol("ki_end", 0x8060010000);
    fs::create_directories(p.path("bin"));
    auto bytes = b.build();
    std::ofstream(p.path("bin/kernel.elf"), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    p.write("libsel4/include/kernel/gen_config.h",
            "#define CONFIG_KERNEL_MCS  1\n#define CONFIG_ARM_HYPERVISOR_SUPPORT 1\n"
            "#define CONFIG_ARM_PA_SIZE_BITS_40 1\n");
    p.write("libsel4/include/sel4/sel4_arch/constants.h", R"(
#define seL4_PageBits 12
#define seL4_LargePageBits 21
#define seL4_HugePageBits 30
#define seL4_SlotBits 5
#define seL4_TCBBits 11
#define seL4_EndpointBits 4
#ifdef CONFIG_KERNEL_MCS
#define seL4_NotificationBits 6
#define seL4_ReplyBits 5
#else
#define seL4_NotificationBits 5
#endif
#define seL4_PageTableBits 12
#define seL4_PageTableIndexBits 9
#define seL4_ASIDPoolBits 12
#if defined(CONFIG_ARM_HYPERVISOR_SUPPORT) && defined (CONFIG_ARM_PA_SIZE_BITS_40)
#define seL4_VSpaceBits 13
#else
#define seL4_VSpaceBits 12
#endif
#define seL4_MinUntypedBits 4
#define seL4_MaxUntypedBits 47
#if defined(CONFIG_ARM_PA_SIZE_BITS_44)
#define seL4_UserTop 0x00000fffffffffff
#elif defined(CONFIG_ARM_PA_SIZE_BITS_40)
#define seL4_UserTop 0x000000ffffffffff
#endif
)");
    p.write("libsel4/include/sel4/constants.h",
            "#ifdef CONFIG_KERNEL_MCS\n#define seL4_MinSchedContextBits 7\n#endif\n");
    p.write("libsel4/include/sel4/bootinfo_types.h", "#define seL4_BootInfoFrameBits seL4_PageBits\n");
  }
};

TEST_F(SyntheticInstall, ReadsElfAndHeaders) {
  ScratchPackage p("");
  build(p, EM_AARCH64);
  Diagnostics d;
  auto pkg = load_kernel_package(p.str(), d);
  ASSERT_TRUE(pkg) << all(d);
  EXPECT_EQ(pkg->kind, KernelPackage::Kind::Install);
  EXPECT_EQ(pkg->kernel_elf_path, p.path("bin/kernel.elf"));
  EXPECT_EQ(pkg->entry, 0x8060000000u);
  ASSERT_EQ(pkg->segments.size(), 1u);
  EXPECT_EQ(pkg->segments[0].paddr, 0x60000000u);
  EXPECT_EQ(pkg->segments[0].memsz, 0x10000u);
  EXPECT_EQ(pkg->ki_end, 0x8060010000u);
  EXPECT_EQ(pkg->sizes.vspace, 13u);
  EXPECT_EQ(pkg->sizes.notification, 6u);
  EXPECT_EQ(pkg->sizes.min_sched_context, 7u);
  EXPECT_EQ(pkg->sizes.bootinfo_frame, 12u);
  EXPECT_FALSE(pkg->sizes.vcpu);
  EXPECT_EQ(pkg->sizes.user_top, 0xffffffffffu);
  EXPECT_EQ(pkg->memory.size(), 1u);
}

TEST_F(SyntheticInstall, MicrokitSdkLayout) {
  ScratchPackage p("");
  build(p, EM_AARCH64);
  fs::create_directories(p.path("elf"));
  fs::rename(p.path("bin/kernel.elf"), p.path("elf/sel4.elf"));
  fs::rename(p.path("libsel4/include"), p.path("include"));
  fs::rename(p.path("gen_config.json"), p.path("include/kernel/gen_config.json"));
  fs::rename(p.path("support/platform_gen.json"), p.path("platform_gen.json"));
  // The SDK's own object_sizes.json has another format and must be ignored.
  p.write("object_sizes.json", "[\"not\", \"ours\"]");
  Diagnostics d;
  auto pkg = load_kernel_package(p.str(), d);
  ASSERT_TRUE(pkg) << all(d);
  EXPECT_EQ(pkg->kind, KernelPackage::Kind::MicrokitSdk);
  EXPECT_EQ(pkg->kernel_elf_path, p.path("elf/sel4.elf"));
  EXPECT_TRUE(pkg->config.hypervisor);
  EXPECT_EQ(pkg->sizes.vspace, 13u);
  EXPECT_EQ(pkg->memory.size(), 1u);
}

TEST_F(SyntheticInstall, HeaderWithoutAConstantIsAnError) {
  ScratchPackage p("");
  build(p, EM_AARCH64);
  p.replace("libsel4/include/sel4/constants.h", "seL4_MinSchedContextBits 7", "seL4_Other 7");
  Diagnostics d;
  EXPECT_FALSE(load_kernel_package(p.str(), d));
  const Diagnostic* e = find_id(d, "kernel-missing-key");
  ASSERT_TRUE(e) << all(d);
  EXPECT_NE(e->message.find("seL4_MinSchedContextBits"), std::string::npos);
}

TEST_F(SyntheticInstall, KernelForAnotherArchitecture) {
  ScratchPackage p("");
  build(p, EM_X86_64);
  Diagnostics d;
  EXPECT_FALSE(load_kernel_package(p.str(), d));
  const Diagnostic* e = find_id(d, "kernel-arch-mismatch");
  ASSERT_TRUE(e) << all(d);
  EXPECT_EQ(e->file, p.path("bin/kernel.elf"));
}

// Real kernel packages read the same as the facts recorded from builds with
// the same settings, wherever they were built: a debug kernel embeds its
// source path, so segment file sizes and the symbols after the boot code
// (kernel_stack_alloc, ki_end) are compared only for order and bounds.
// Skipped where no package is installed.
void expect_same_facts(const KernelPackage& real, const KernelPackage& facts) {
  EXPECT_EQ(real.kind, KernelPackage::Kind::Install);
  EXPECT_FALSE(real.kernel_elf_path.empty());
  EXPECT_EQ(real.config.raw, facts.config.raw);
  EXPECT_EQ(real.invocation_labels, facts.invocation_labels);
  EXPECT_EQ(real.memory, facts.memory);
  EXPECT_EQ(real.devices, facts.devices);
  EXPECT_EQ(real.sizes, facts.sizes);
  EXPECT_EQ(real.entry, facts.entry);
  EXPECT_EQ(real.ki_boot_end, facts.ki_boot_end);
  ASSERT_EQ(real.segments.size(), facts.segments.size());
  for (size_t i = 0; i < real.segments.size(); ++i) {
    const KernelSegment &a = real.segments[i], &b = facts.segments[i];
    EXPECT_EQ(a.vaddr, b.vaddr) << "segment " << i;
    EXPECT_EQ(a.paddr, b.paddr) << "segment " << i;
    EXPECT_EQ(a.flags, b.flags) << "segment " << i;
    EXPECT_LE(a.filesz, a.memsz) << "segment " << i;
    EXPECT_LE(a.vaddr + a.memsz, real.ki_end) << "segment " << i;
  }
  EXPECT_LT(real.ki_boot_end, real.ki_end);
}

struct PackageCase {
  const char* board;
  const char* config;
};
void PrintTo(const PackageCase& c, std::ostream* os) { *os << c.board << "/" << c.config; }

class KernelPackageReal : public ::testing::TestWithParam<PackageCase> {};

TEST_P(KernelPackageReal, MatchesTheFactsOfTheSameConfiguration) {
  LOAD_OR_SKIP(real, test_support::package_dir(GetParam().board, GetParam().config));
  LOAD(facts, test_support::facts_dir(GetParam().board, GetParam().config));
  expect_same_facts(*real, *facts);
}

// Every board and configuration the official SDK builds and ../shared has facts for.
INSTANTIATE_TEST_SUITE_P(
    OfficialConfigurations, KernelPackageReal,
    ::testing::Values(PackageCase{"qemu_virt_aarch64", "debug"}, PackageCase{"qemu_virt_aarch64", "release"},
                      PackageCase{"qemu_virt_aarch64", "benchmark"},
                      PackageCase{"qemu_virt_aarch64", "smp-debug"},
                      PackageCase{"qemu_virt_aarch64", "smp-release"},
                      PackageCase{"qemu_virt_aarch64_el1", "debug"},
                      PackageCase{"qemu_virt_aarch64_el1", "release"},
                      PackageCase{"qemu_virt_riscv64", "debug"}, PackageCase{"qemu_virt_riscv64", "release"},
                      PackageCase{"qemu_virt_riscv64", "smp-debug"}, PackageCase{"x86_64_generic", "debug"},
                      PackageCase{"x86_64_generic", "release"}, PackageCase{"x86_64_generic", "smp-debug"},
                      PackageCase{"x86_64_generic_vtx", "debug"}),
    [](const auto& info) {
      std::string n = std::string(info.param.board) + "_" + info.param.config;
      for (char& ch : n) if (ch == '-') ch = '_';
      return n;
    });

// An official Microkit SDK's board folder and our package of the same
// configuration are interchangeable inputs. MICROKIT_OFFICIAL_SDK names such
// an SDK (docs/kernel-package.md); skipped without one.
TEST(KernelPackageReal, AnOfficialSdkBoardFolderReadsTheSame) {
  const char* sdk = std::getenv("MICROKIT_OFFICIAL_SDK");
  if (!sdk || !*sdk) GTEST_SKIP() << "MICROKIT_OFFICIAL_SDK is not set";
  LOAD_OR_SKIP(ours, test_support::package_dir("qemu_virt_aarch64", "debug"));
  LOAD_OR_SKIP(official, std::string(sdk) + "/board/qemu_virt_aarch64/debug");
  EXPECT_EQ(official->kind, KernelPackage::Kind::MicrokitSdk);
  EXPECT_EQ(official->config.raw, ours->config.raw);
  EXPECT_EQ(official->invocation_labels, ours->invocation_labels);
  EXPECT_EQ(official->memory, ours->memory);
  EXPECT_EQ(official->devices, ours->devices);
  EXPECT_EQ(official->sizes, ours->sizes);
  EXPECT_EQ(official->entry, ours->entry);
}

TEST(KernelPackageReal, ReleaseIsSmallerThanDebug) {
  LOAD_OR_SKIP(debug, test_support::package_dir("qemu_virt_aarch64", "debug"));
  LOAD_OR_SKIP(release, test_support::package_dir("qemu_virt_aarch64", "release"));
  EXPECT_FALSE(release->config.debug_build);
  EXPECT_FALSE(release->config.printing);
  EXPECT_TRUE(release->config.mcs && release->config.hypervisor);
  EXPECT_LT(release->ki_end, debug->ki_end);
}

}  // namespace
}  // namespace microkit::kernel
