// Tests for make_system_image with synthetic ELFs (no kernel runs): the
// image's header, the user image's contents (spec, patched PD pages) and
// the report.
#include "sel4/build_image.h"

#include <gtest/gtest.h>

#include <cstring>

#include "elf/test_elf_builder.h"
#include "kernel/test_facts.h"
#include "runtime/shared/initialiser_spec.h"
#include "runtime/shared/loader_image.h"
#include "runtime/shared/pd_abi.h"
#include "sel4/image_writer.h"

namespace microkit::sel4 {
namespace {

namespace li = loader_image;
using elf::testing::TestElfBuilder;
using elf::testing::TestSegment;

constexpr uint64_t kLoad = 0x70000000;
constexpr uint64_t kPayload = 0x9000;

std::vector<uint8_t> fake_loader(uint64_t link_address = kLoad) {
  std::vector<uint8_t> bytes(100, 0);
  li::LoaderInfo info{li::kLoaderMagic, li::kImageVersion, link_address, kPayload};
  std::memcpy(bytes.data() + li::kLoaderInfoOffset, &info, sizeof info);
  return bytes;
}

elf::ElfFile parse(const TestElfBuilder& b, const std::string& name) {
  Diagnostics d;
  auto e = elf::parse_elf(b.build(), name, d);
  EXPECT_TRUE(e) << name;
  return e ? *e : elf::ElfFile{};
}

elf::ElfFile fake_kernel() {
  TestElfBuilder b;
  b.entry = 0x8060000000;
  TestSegment s{0x8060000000, std::vector<uint8_t>(0x100, 0xaa), 0x3000, PF_R | PF_X, 0x60000000};
  b.segments.push_back(s);
  return parse(b, "kernel.elf");
}

elf::ElfFile fake_initialiser() {
  TestElfBuilder b;
  b.entry = 0x400000;
  b.segment(0x400000, std::vector<uint8_t>(0x1800, 0x11), 0, PF_R | PF_X);
  b.segment(0x402000, std::vector<uint8_t>(0x10, 0x22), 0x2000, PF_R | PF_W);
  return parse(b, "initialiser.elf");
}

// A PD program: text at 0x200000, data with libmicrokit's variables at 0x201000.
elf::ElfFile fake_program(const std::string& name, uint64_t abi_version = pd_abi::kVersion) {
  TestElfBuilder b;
  b.entry = 0x200000;
  b.segment(0x200000, std::vector<uint8_t>(0x40, 0x33), 0, PF_R | PF_X);
  std::vector<uint8_t> data(0x100, 0);
  std::memcpy(data.data() + 0x80, &abi_version, 8);
  b.segment(0x201000, data, 0x1100, PF_R | PF_W);
  b.symbol(MICROKIT_PD_SYM_NAME, 0x201000, 64);
  b.symbol(MICROKIT_PD_SYM_NOTIFICATIONS, 0x201040, 8);
  b.symbol(MICROKIT_PD_SYM_ABI_VERSION, 0x201080, 8);
  b.symbol("buffer_vaddr", 0x202010, 8);  // in .bss
  return parse(b, name);
}

struct World {
  kernel::KernelPackage pkg;
  plan::Plan plan;
  std::vector<elf::ElfFile> programs;
  SystemImageInputs in;
};

void make_setup(World& s, uint64_t abi_version = pd_abi::kVersion) {
  Diagnostics d;
  auto pkg = kernel::load_kernel_package(kernel::test_support::facts_dir("qemu_virt_aarch64"), d);
  ASSERT_TRUE(pkg);
  s.pkg = *pkg;
  for (const char* name : {"alpha", "beta"}) {
    plan::Pd pd;
    pd.name = name;
    pd.channels.resize(63);
    s.plan.pds.push_back(pd);
  }
  auto& ch = s.plan.pds[0].channels[4];
  ch.kind = plan::ChannelSlot::Kind::Channel;
  ch.peer_pd = 1;
  ch.can_notify = true;
  plan::Mr buf;
  buf.name = "buf";
  buf.size = 0x2000;
  buf.prefill = {1, 2, 3};
  buf.prefill_size = 3;
  buf.prefill_path = "buf.bin";
  s.plan.mrs.push_back(buf);
  s.plan.pds[1].mappings.push_back({0, 0x3000000, 0x2000, true, false, false, true});
  plan::SymbolPatch p;
  p.symbol = "buffer_vaddr";
  p.value = 0x3000000;
  p.vaddr = 0x202010;
  s.plan.pds[1].patches.push_back(p);
  s.programs = {fake_program("alpha.elf", abi_version), fake_program("beta.elf")};
  s.in.loader_name = "loader.bin";
  s.in.loader = fake_loader();
  s.in.kernel = std::make_shared<const elf::ElfFile>(fake_kernel());
  s.in.initialiser = fake_initialiser();
  s.in.programs = {&s.programs[0], &s.programs[1]};
  s.in.load_address = kLoad;
}

template <class T>
T read(const std::vector<uint8_t>& b, uint64_t off) {
  T t;
  std::memcpy(&t, b.data() + off, sizeof t);
  return t;
}

TEST(BuildImage, HeaderAndUserImageHoldTheSpecAndPatchedPrograms) {
  World s;
  make_setup(s);
  Diagnostics d;
  auto image = make_system_image(s.plan, s.pkg, s.in, d);
  ASSERT_TRUE(image) << (d.empty() ? "" : render(d.all()[0]));
  auto h = read<li::ImageHeader>(image->bytes, kPayload);
  EXPECT_EQ(h.magic, li::kImageMagic);
  EXPECT_EQ(h.boot_ui_p_reg_start, image->user_image.paddr);
  EXPECT_EQ(h.boot_ui_p_reg_end, image->user_image.paddr + image->user_image.size);
  EXPECT_EQ(h.boot_ui_p_reg_start - h.boot_pv_offset, 0x400000u);
  EXPECT_EQ(h.boot_v_entry, 0x400000u);
  EXPECT_EQ(h.boot_ui_p_reg_start % 4096, 0u);
  EXPECT_GE(h.boot_ui_p_reg_start, h.kernel_paddr_end);
  ASSERT_EQ(h.region_count, 2u);
  auto ui = read<li::ImageRegion>(image->bytes, kPayload + sizeof h + sizeof(li::ImageRegion));
  EXPECT_EQ(ui.paddr, image->user_image.paddr);
  // The spec right after the initialiser's last segment (0x404000 - 0x400000).
  EXPECT_EQ(image->user_image.spec_offset, 0x4000u);
  auto spec = read<initialiser_spec::SpecHeader>(image->bytes, ui.data_offset + 0x4000);
  EXPECT_EQ(spec.magic, initialiser_spec::kSpecMagic);
  EXPECT_EQ(spec.total_size, image->spec_size);
  EXPECT_EQ(spec.user_image_vaddr, 0x400000u);
  EXPECT_EQ(spec.untyped_count, image->boot.untypeds.size());
  // PD pages: find alpha's data page through its planned mapping.
  const auto& alpha = image->sel4.pds[0];
  uint64_t data_paddr = 0;
  for (const auto& m : alpha.mappings)
    if (m.vaddr == 0x201000) data_paddr = image->sel4.objects[m.object].paddr;
  ASSERT_NE(data_paddr, 0u);
  uint64_t off = ui.data_offset + (data_paddr - ui.paddr);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(image->bytes.data() + off)), "alpha");
  EXPECT_EQ(read<uint64_t>(image->bytes, off + 0x40), uint64_t{1} << 4);  // microkit_notifications
  // beta's setvar lands in its .bss page (0x202000), which the image carries.
  const auto& beta = image->sel4.pds[1];
  uint64_t bss_paddr = 0;
  for (const auto& m : beta.mappings)
    if (m.vaddr == 0x202000) bss_paddr = image->sel4.objects[m.object].paddr;
  ASSERT_NE(bss_paddr, 0u);
  EXPECT_EQ(read<uint64_t>(image->bytes, ui.data_offset + (bss_paddr - ui.paddr) + 0x10), 0x3000000u);
  // The prefilled MR is mapped from the boot image with its bytes.
  uint64_t mr_paddr = image->sel4.mr_paddr[0];
  EXPECT_EQ(image->bytes[ui.data_offset + (mr_paddr - ui.paddr) + 2], 3);
  EXPECT_EQ(image->sel4.objects[image->sel4.mr_frames[0][0]].source,
            plan::KernelObject::Source::UserImage);
  // The user image never overlaps an untyped.
  for (const auto& u : image->boot.untypeds)
    EXPECT_TRUE(u.end() <= ui.paddr || u.paddr >= ui.paddr + ui.memory_size);
  EXPECT_NE(image->report.find("Protection domain alpha"), std::string::npos);
  EXPECT_NE(image->report.find("Untypeds"), std::string::npos);
}

// A PD's fault symbol table reaches the spec in the user image, named by
// its PdEntry; a PD without one has none.
TEST(BuildImage, FaultSymbolTablesGoIntoTheSpec) {
  World s;
  make_setup(s);
  s.in.fault_symbols = {std::vector<uint8_t>(40, 0x5c), {}};
  Diagnostics d;
  auto image = make_system_image(s.plan, s.pkg, s.in, d);
  ASSERT_TRUE(image) << (d.empty() ? "" : render(d.all()[0]));
  auto ui = read<li::ImageRegion>(image->bytes, kPayload + sizeof(li::ImageHeader) + sizeof(li::ImageRegion));
  uint64_t spec_at = ui.data_offset + image->user_image.spec_offset;
  auto spec = read<initialiser_spec::SpecHeader>(image->bytes, spec_at);
  auto alpha = read<initialiser_spec::PdEntry>(image->bytes, spec_at + spec.pd_offset);
  auto beta = read<initialiser_spec::PdEntry>(image->bytes, spec_at + spec.pd_offset + sizeof alpha);
  ASSERT_EQ(alpha.symbols_size, 40u);
  EXPECT_EQ(image->bytes[spec_at + alpha.symbols_offset], 0x5c);
  EXPECT_EQ(image->bytes[spec_at + alpha.symbols_offset + 39], 0x5c);
  EXPECT_EQ(beta.symbols_size, 0u);
  EXPECT_EQ(beta.symbols_offset, 0u);
}

// Over the cap a table is cut to its functions, then left out, each with a
// warning naming the PD; within it, no warning.
TEST(BuildImage, FaultSymbolTablesOverTheCapWarn) {
  World s;
  make_setup(s);
  Diagnostics rd;
  auto fixture = elf::read_elf(FAULT_SYMBOLS_FIXTURE, rd);
  ASSERT_TRUE(fixture);
  std::vector<const elf::ElfFile*> programs = {&*fixture, nullptr};
  Diagnostics fits;
  auto full = fault_symbol_tables(s.plan, programs, fits);
  ASSERT_EQ(full.size(), 2u);
  EXPECT_FALSE(full[0].empty());
  EXPECT_TRUE(full[1].empty());
  EXPECT_TRUE(fits.empty());
  Diagnostics cut;
  auto names = fault_symbol_tables(s.plan, programs, cut, full[0].size() - 1);
  ASSERT_EQ(cut.all().size(), 1u);
  EXPECT_EQ(cut.all()[0].id, "fault-symbols-functions-only");
  EXPECT_EQ(cut.all()[0].severity, Severity::Warning);
  EXPECT_NE(cut.all()[0].message.find("'alpha'"), std::string::npos);
  EXPECT_LT(names[0].size(), full[0].size());
  EXPECT_FALSE(names[0].empty());
  Diagnostics none;
  auto left = fault_symbol_tables(s.plan, programs, none, 16);
  ASSERT_EQ(none.all().size(), 1u);
  EXPECT_EQ(none.all()[0].id, "fault-symbols-left-out");
  EXPECT_TRUE(left[0].empty());
}

TEST(BuildImage, ElfImageWrapsTheSameBytes) {
  World s;
  make_setup(s);
  Diagnostics d;
  auto image = make_system_image(s.plan, s.pkg, s.in, d);
  ASSERT_TRUE(image);
  ASSERT_GE(image->elf_bytes.size(), kElfImageOffset + image->bytes.size());
  EXPECT_EQ(std::memcmp(image->elf_bytes.data() + kElfImageOffset, image->bytes.data(),
                        image->bytes.size()), 0);
}

TEST(BuildImage, ProgramOfAnotherAbiVersionIsRefused) {
  World s;
  make_setup(s, pd_abi::kVersion + 1);
  sdf::SystemDescription sdf;
  sdf.file = "x.system";
  sdf.pds.resize(2);
  sdf.pds[0].loc = {3, 5};
  sdf.pds[0].program_image.emplace();
  sdf.pds[0].program_image->loc = {4, 9};
  sdf.pds[0].program_image->attrs = {{"path", Loc{4, 23}}};
  s.in.sdf = &sdf;
  Diagnostics d;
  EXPECT_FALSE(make_system_image(s.plan, s.pkg, s.in, d));
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.all()[0].id, "pd-abi-mismatch");
  EXPECT_EQ(d.all()[0].file, "x.system");
  EXPECT_EQ(d.all()[0].loc, (Loc{4, 23}));  // the program's path
}

// The kernel gives the initial task one cap per page of the boot image: a
// prefilled MR too big for the root CNode is refused at build time, and a
// note names it at its SDF element (here a 4096-slot CNode, a 32 MiB MR).
TEST(BuildImage, BootImageTooBigForTheRootCNodeNamesThePrefilledRegion) {
  World s;
  make_setup(s);
  s.pkg.config.root_cnode_size_bits = 12;
  s.plan.mrs[0].size = 32u << 20;
  s.plan.pds[1].mappings[0].size = 32u << 20;
  sdf::SystemDescription sdf;
  sdf.file = "big.system";
  sdf.pds.resize(2);
  sdf.mrs.resize(1);
  sdf.mrs[0].loc = {4, 3};
  s.in.sdf = &sdf;
  Diagnostics d;
  EXPECT_FALSE(make_system_image(s.plan, s.pkg, s.in, d));
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.all()[0].id, "boot-root-cnode-full");
  ASSERT_GE(d.all().size(), 2u);
  const Diagnostic& note = d.all()[1];
  EXPECT_EQ(note.severity, Severity::Note);
  EXPECT_EQ(note.file, "big.system");
  EXPECT_EQ(note.loc, (Loc{4, 3}));
  EXPECT_NE(note.message.find("prefilled memory region 'buf' puts 8192 pages"), std::string::npos)
      << note.message;
}

// A user image that would reach the loaded boot image cannot be copied into
// place; the error is the image writer's, and a note names the prefilled
// region that makes the user image that big (a loader linked at 0x60800000,
// just above the kernel, and a 16 MiB region).
TEST(BuildImage, UserImageReachingTheLoaderNamesThePrefilledRegion) {
  World s;
  make_setup(s);
  constexpr uint64_t kLowLoad = 0x60800000;
  s.in.loader = fake_loader(kLowLoad);
  s.in.load_address = kLowLoad;
  s.plan.mrs[0].size = 16u << 20;
  s.plan.pds[1].mappings[0].size = 16u << 20;
  sdf::SystemDescription sdf;
  sdf.file = "big.system";
  sdf.pds.resize(2);
  sdf.mrs.resize(1);
  sdf.mrs[0].loc = {4, 3};
  s.in.sdf = &sdf;
  Diagnostics d;
  EXPECT_FALSE(make_system_image(s.plan, s.pkg, s.in, d));
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.all()[0].id, "region-overlaps-image");
  ASSERT_GE(d.all().size(), 2u);
  EXPECT_EQ(d.all()[1].loc, (Loc{4, 3}));
  EXPECT_NE(d.all()[1].message.find("prefilled memory region 'buf' puts 4096 pages"), std::string::npos)
      << d.all()[1].message;
}

TEST(BuildImage, LoaderBinaryIsTheFileBytesFromTheLowestAddress) {
  TestElfBuilder b;
  TestSegment text{0x70000000, {1, 2, 3, 4}, 0, PF_R | PF_X};
  TestSegment data{0x70001000, {9}, 0x100, PF_R | PF_W};
  b.segments = {text, data};
  auto bin = loader_binary(parse(b, "loader.elf"));
  ASSERT_EQ(bin.size(), 0x1001u);
  EXPECT_EQ(bin[3], 4);
  EXPECT_EQ(bin[0x1000], 9);
  EXPECT_EQ(bin[0x10], 0);
}

}  // namespace
}  // namespace microkit::sel4

namespace microkit::sel4 {
namespace {

// x86-64: no loader; the image is the boot module (the initial task ELF with
// the whole user image in one segment, loaded by the kernel at ki_end), and
// the kernel is handed back as ELF64 and ELF32 for the multiboot loader.
TEST(BuildImage, X86ImageIsTheBootModule) {
  World s;
  make_setup(s);
  Diagnostics d;
  auto pkg = kernel::load_kernel_package(kernel::test_support::facts_dir("x86_64_generic"), d);
  ASSERT_TRUE(pkg);
  s.pkg = *pkg;
  TestElfBuilder kb;
  kb.machine = EM_X86_64;
  kb.entry = 0x100361;
  kb.segments.push_back(TestSegment{0x100000, std::vector<uint8_t>(0x100, 0xaa), 0x8000, PF_R | PF_W});
  kb.segments.push_back(TestSegment{0xffffffff80108000, std::vector<uint8_t>(0x100, 0xbb), 0x900000,
                                    PF_R | PF_W | PF_X, 0x108000});
  s.in.kernel = std::make_shared<const elf::ElfFile>(parse(kb, "kernel.elf"));
  s.in.loader.clear();
  auto image = make_system_image(s.plan, s.pkg, s.in, d);
  ASSERT_TRUE(image) << (d.empty() ? "" : render(d.all()[0]));
  EXPECT_TRUE(image->multiboot);
  // The kernel puts the user image at ki_end: 0xa22000 in this build.
  EXPECT_EQ(image->user_image.paddr, 0xa22000u);
  auto module = elf::parse_elf(image->bytes, "loader.img", d);
  ASSERT_TRUE(module);
  EXPECT_EQ(module->machine, EM_X86_64);
  EXPECT_EQ(module->entry, 0x400000u);
  ASSERT_EQ(module->segments.size(), 1u);
  const elf::Segment& seg = module->segments[0];
  EXPECT_EQ(seg.vaddr, 0x400000u);
  EXPECT_EQ(seg.paddr, 0xa22000u);
  EXPECT_EQ(seg.memsz, image->user_image.size);
  // The initialiser's bytes first, then the spec at its offset: a bound spec.
  auto data = module->segment_data(seg);
  EXPECT_EQ(data[0], 0x11);
  auto spec = read<initialiser_spec::SpecHeader>(std::vector<uint8_t>(data.begin(), data.end()),
                                                 image->user_image.spec_offset);
  EXPECT_EQ(spec.magic, initialiser_spec::kSpecMagic);
  EXPECT_EQ(spec.untyped_count, image->sel4.untypeds.size());
  EXPECT_TRUE(image->sel4.bound_untypeds);
  EXPECT_EQ(image->kernel_elf, s.in.kernel->bytes);
  ASSERT_GE(image->kernel_elf32.size(), sizeof(Elf32_Ehdr));
  EXPECT_EQ(image->kernel_elf32[EI_CLASS], ELFCLASS32);
}

}  // namespace
}  // namespace microkit::sel4
