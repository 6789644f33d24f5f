// Tests for the authority report: each PD's reach follows from its maps,
// channels, children and <cspace> grants, and the per-MR inverse answers
// "who can write the key store?" in the text and in the JSON.
#include "report/authority.h"

#include <gtest/gtest.h>

#include "board/json_text.h"
#include "sdf/parse.h"
#include "sdf/validate.h"

namespace microkit::report {
namespace {

constexpr const char* kSystem = R"(<system>
  <memory_region name="keystore" size="0x1000" />
  <memory_region name="log" size="0x2000" />
  <protection_domain name="vault" priority="200">
    <program_image path="p.elf" />
    <map mr="keystore" vaddr="0x10000000" perms="rw" />
  </protection_domain>
  <protection_domain name="client" priority="100">
    <program_image path="p.elf" />
    <map mr="keystore" vaddr="0x10000000" perms="r" />
    <map mr="log" vaddr="0x20000000" perms="rw" />
    <irq irq="40" id="5" />
    <protection_domain name="helper" id="1" priority="50">
      <program_image path="p.elf" />
    </protection_domain>
  </protection_domain>
  <protection_domain name="admin" priority="10">
    <program_image path="p.elf" />
    <cspace>
      <cap_tcb slot="1" pd="vault" />
      <cap_mr slot="2" mr="keystore" perms="rw" />
      <cap_notification slot="3" pd="client" rights="rw" />
      <untyped slot="4" size="0x10000" count="3" />
      <cap_sched_control slot="7" />
      <cap_irq slot="8" pd="client" id="5" />
      <free_slots count="8" />
    </cspace>
  </protection_domain>
  <channel>
    <end pd="client" id="0" pp="true" />
    <end pd="vault" id="3" />
  </channel>
</system>
)";

std::vector<PdAuthority> of_system(const char* system = kSystem,
                                    board::Arch arch = board::Arch::AArch64, bool hypervisor = false) {
  Diagnostics d;
  auto sd = sdf::parse(system, "a.system", d);
  EXPECT_TRUE(sd);
  board::Board b;
  b.name = "qemu_virt_aarch64";
  b.arch = arch;
  b.page_sizes = {0x1000, 0x200000};
  b.user_vaddr = {0x10000, 0x10000000000};
  b.cpu_count = 1;
  b.hypervisor = hypervisor;
  board::Config c;
  c.name = "debug";
  sdf::validate(*sd, b, c, d);
  plan::Inputs in;
  in.programs["p.elf"] = elf::ElfFile{};
  auto plan = plan::build(*sd, b, c, in, d);
  EXPECT_TRUE(plan);
  EXPECT_EQ(d.error_count(), 0u);
  return plan ? authority(*plan) : std::vector<PdAuthority>{};
}

const PdAuthority& pd(const std::vector<PdAuthority>& all, const std::string& name) {
  for (const auto& a : all)
    if (a.name == name) return a;
  static PdAuthority none;
  ADD_FAILURE() << "no PD " << name;
  return none;
}

// x86-64: a <cap_ioport> shows as ports of the owner the holder can use.
TEST(Authority, AnIoPortGrantNamesTheOwnersPorts) {
  auto all = of_system(R"(<system>
  <protection_domain name="uart" priority="200">
    <program_image path="p.elf" />
    <ioport id="3" addr="0x3f8" size="8" />
  </protection_domain>
  <protection_domain name="logger" priority="100">
    <program_image path="p.elf" />
    <cspace><cap_ioport slot="6" pd="uart" id="3" /></cspace>
  </protection_domain>
</system>
)", board::Arch::X86_64);
  EXPECT_EQ(pd(all, "logger").pds.at("uart"),
            (std::vector<std::string>{"ioport 3: in/out on ports 0x3f8..0x3ff (cspace 6)"}));
  EXPECT_TRUE(pd(all, "uart").pds.empty());
}

// A VM is an entry of its own (what its guest maps); its VMM drives it.
TEST(Authority, AVirtualMachineReachesItsGuestMapsAndItsVmmDrivesIt) {
  auto all = of_system(R"(<system>
  <memory_region name="ram" size="0x1000" />
  <protection_domain name="vmm" priority="200">
    <program_image path="p.elf" />
    <virtual_machine name="linux" priority="100">
      <vcpu id="0" />
      <map mr="ram" vaddr="0x40000000" perms="rwx" />
    </virtual_machine>
  </protection_domain>
</system>
)", board::Arch::AArch64, /*hypervisor=*/true);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(pd(all, "vmm").mrs.empty());
  EXPECT_EQ(pd(all, "vmm").pds.at("linux"),
            (std::vector<std::string>{"its vCPUs' threads and VCPUs (its VMM)", "receives its faults"}));
  const auto& guest = pd(all, "linux");
  ASSERT_EQ(guest.mrs.count("ram"), 1u);
  EXPECT_TRUE(guest.mrs.at("ram").execute);
  EXPECT_EQ(guest.mrs.at("ram").via, (std::vector<std::string>{"mapped at 0x40000000"}));
}

TEST(Authority, MapsChannelsChildrenAndGrantsEachGiveReach) {
  auto all = of_system();
  const auto& client = pd(all, "client");
  EXPECT_TRUE(client.mrs.at("keystore").read);
  EXPECT_FALSE(client.mrs.at("keystore").write);
  EXPECT_TRUE(client.mrs.at("log").write);
  EXPECT_EQ(client.pds.at("vault"),
            (std::vector<std::string>{"signal (channel 0)", "call (channel 0)"}));
  EXPECT_EQ(client.pds.at("helper"),
            (std::vector<std::string>{"tcb (its parent)", "receives its faults"}));
  const auto& vault = pd(all, "vault");
  EXPECT_EQ(vault.pds.at("client"), (std::vector<std::string>{"signal (channel 3)"}));
  EXPECT_TRUE(pd(all, "helper").pds.empty());

  const auto& admin = pd(all, "admin");
  EXPECT_EQ(admin.pds.at("vault"), (std::vector<std::string>{"tcb (cspace 1)"}));
  EXPECT_EQ(admin.pds.at("client"),
            (std::vector<std::string>{"notification: signal, wait (cspace 3)",
                                      "irq 40 handler: ack, set notification (cspace 8)"}));
  EXPECT_TRUE(admin.mrs.at("keystore").write);
  EXPECT_EQ(admin.mrs.at("keystore").via, (std::vector<std::string>{"frame caps in cspace 2"}));
  EXPECT_EQ(admin.untyped_bytes, 3u * 0x10000);
  EXPECT_EQ(admin.untyped_objects, 3u);
  EXPECT_EQ(admin.sched_control_cpus, (std::vector<uint64_t>{0}));
  EXPECT_EQ(admin.free_slots, 8u);
}

TEST(Authority, TheJsonSaysWhoWritesTheKeyStore) {
  auto doc = json_text::Json::parse(authority_json(of_system()), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  const json_text::Json* keystore = nullptr;
  for (const auto& mr : doc["memory_regions"])
    if (mr["name"] == "keystore") keystore = &mr;
  ASSERT_TRUE(keystore);
  EXPECT_EQ((*keystore)["written_by"], json_text::Json({"vault", "admin"}));
  EXPECT_EQ((*keystore)["read_by"], json_text::Json({"vault", "client", "admin"}));
  ASSERT_EQ(doc["protection_domains"].size(), 4u);
  EXPECT_EQ(doc["protection_domains"][3]["untyped"]["bytes"], 3 * 0x10000);
}

TEST(Authority, TheTextListsReadersAndWritersPerRegion) {
  std::string text = authority_text(of_system());
  EXPECT_NE(text.find("    keystore: read by vault, client, admin; written by vault, admin\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    log: read by client; written by client\n"), std::string::npos) << text;
  EXPECT_NE(text.find("untyped memory: 196608 bytes in 3 untypeds"), std::string::npos) << text;
}

}  // namespace
}  // namespace microkit::report
