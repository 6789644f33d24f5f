#include "sdf/parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace microkit::sdf {
namespace {

struct Parsed {
  std::optional<SystemDescription> sd;
  Diagnostics diags;
};

Parsed run(std::string_view text) {
  Parsed p;
  p.sd = parse(text, "test.system", p.diags);
  return p;
}

// "id line:col" for every error, in the order reported.
std::vector<std::string> errors(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.all())
    if (d.severity == Severity::Error)
      out.push_back(d.id + " " + std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column));
  return out;
}

std::string wrap_pd(std::string_view inside) {
  return "<system>\n<protection_domain name=\"a\">\n<program_image path=\"a.elf\"/>\n" +
         std::string(inside) + "\n</protection_domain>\n</system>\n";
}

Loc at(uint32_t line, uint32_t column) { return Loc{line, column}; }

// ---------------------------------------------------------------- locations

TEST(ParseLocations, ElementAndAttributesOnOneLine) {
  Parsed p = run("<system>\n  <memory_region name=\"m\" size=\"0x1000\" />\n</system>");
  ASSERT_TRUE(p.sd);
  EXPECT_TRUE(p.diags.empty());
  EXPECT_EQ(p.sd->loc, at(1, 1));
  const MemoryRegion& mr = p.sd->mrs.at(0);
  EXPECT_EQ(mr.loc, at(2, 3));
  EXPECT_EQ(mr.at("name"), at(2, 18));
  EXPECT_EQ(mr.at("size"), at(2, 27));
  EXPECT_EQ(mr.at("phys_addr"), mr.loc);  // absent: falls back to the element
}

TEST(ParseLocations, MultiLineTagWithTabsAndOddSpacing) {
  Parsed p =
      run("<system>\n"
          "\t<memory_region\n"
          "\t\tname = 'm'\n"
          "  \t size=\"0x1000\"\tpage_size\n"
          "=\"0x1000\"/>\n"
          "</system>");
  ASSERT_TRUE(p.sd);
  const MemoryRegion& mr = p.sd->mrs.at(0);
  EXPECT_EQ(mr.loc, at(2, 2));
  EXPECT_EQ(mr.at("name"), at(3, 3));
  EXPECT_EQ(mr.at("size"), at(4, 5));
  EXPECT_EQ(mr.at("page_size"), at(4, 19));
  EXPECT_EQ(mr.page_size, 0x1000u);
}

TEST(ParseLocations, CrLfLineEndings) {
  Parsed p =
      run("<?xml version=\"1.0\"?>\r\n"
          "<system>\r\n"
          "  <memory_region name=\"m\"\r\n"
          "     size=\"0x1000\" />\r\n"
          "</system>\r\n");
  ASSERT_TRUE(p.sd);
  const MemoryRegion& mr = p.sd->mrs.at(0);
  EXPECT_EQ(mr.loc, at(3, 3));
  EXPECT_EQ(mr.at("name"), at(3, 18));
  EXPECT_EQ(mr.at("size"), at(4, 6));
}

TEST(ParseLocations, LoneCarriageReturnEndsALine) {
  Parsed p = run("<system>\r<memory_region name=\"m\"\r size=\"4096\"/></system>");
  ASSERT_TRUE(p.sd);
  EXPECT_EQ(p.sd->mrs.at(0).loc, at(2, 1));
  EXPECT_EQ(p.sd->mrs.at(0).at("size"), at(3, 2));
}

TEST(ParseLocations, ColumnsCountCharactersNotBytes) {
  // "é" is two bytes but one column, as expat counts it.
  Parsed p =
      run("<system><memory_region name=\"é€\" size=\"4096\"/>\n"
          "<!-- é --><memory_region name=\"x\" size=\"4096\"/></system>");
  ASSERT_TRUE(p.sd);
  EXPECT_EQ(p.sd->mrs.at(0).name, "é€");
  EXPECT_EQ(p.sd->mrs.at(0).at("size"), at(1, 34));
  EXPECT_EQ(p.sd->mrs.at(1).loc, at(2, 11));
}

TEST(ParseLocations, ValuesContainingQuotesBracketsAndNewlines) {
  Parsed p = run("<system><memory_region name='a\"b>c=d\n e' size=\"4096\"/></system>");
  ASSERT_TRUE(p.sd);
  // Newlines in attribute values are normalised to spaces by XML.
  EXPECT_EQ(p.sd->mrs.at(0).name, "a\"b>c=d  e");
  EXPECT_EQ(p.sd->mrs.at(0).at("size"), at(2, 5));
}

TEST(ParseLocations, ErrorsPointAtTheAttribute) {
  Parsed p =
      run("<system>\n\t<memory_region name=\"m\"\n\t\tsize=\"12k\" colour=\"red\"/>\n</system>");
  ASSERT_TRUE(p.sd);
  EXPECT_EQ(errors(p.diags),
            (std::vector<std::string>{"unknown-attribute 3:14", "invalid-number 3:3"}));
}

TEST(ParseLocations, TextContentPointsAtFirstNonBlankCharacter) {
  Parsed p = run("<system>\n   \t  hello\n</system>");
  ASSERT_TRUE(p.sd);
  EXPECT_EQ(errors(p.diags), (std::vector<std::string>{"text-content 2:7"}));
}

TEST(ParseLocations, TextContentStartingWithAnEntity) {
  Parsed p = run("<system>\n  &amp; x</system>");
  ASSERT_TRUE(p.sd);
  EXPECT_EQ(errors(p.diags), (std::vector<std::string>{"text-content 2:3"}));
}

TEST(ParseLocations, WhitespaceOnlyTextAndCommentsAreFine) {
  Parsed p = run("<system>\r\n\t <!-- a comment --> <![CDATA[  ]]>\n</system>");
  ASSERT_TRUE(p.sd);
  EXPECT_TRUE(p.diags.empty());
}

// ---------------------------------------------------------------- XML level

TEST(ParseXml, SyntaxErrorUsesExpatPosition) {
  Parsed p = run("<system>\n  <memory_region name=\"m\" size=\"4096\">\n</system>");
  EXPECT_FALSE(p.sd);
  EXPECT_EQ(errors(p.diags), (std::vector<std::string>{"xml-syntax 3:3"}));
  EXPECT_NE(p.diags.all()[0].message.find("mismatched tag"), std::string::npos);
}

TEST(ParseXml, EmptyInputIsASyntaxError) {
  Parsed p = run("");
  EXPECT_FALSE(p.sd);
  ASSERT_EQ(p.diags.error_count(), 1u);
  EXPECT_EQ(p.diags.all()[0].id, "xml-syntax");
}

TEST(ParseXml, DuplicateAttributeIsASyntaxError) {
  Parsed p = run("<system>\n<memory_region name=\"a\" name=\"b\"/></system>");
  EXPECT_FALSE(p.sd);
  EXPECT_EQ(p.diags.all().at(0).id, "xml-syntax");
}

TEST(ParseXml, DoctypeIsRefused) {
  Parsed p =
      run("<?xml version=\"1.0\"?>\n"
          "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>\n"
          "<system>&lol2;</system>");
  EXPECT_FALSE(p.sd);
  EXPECT_EQ(errors(p.diags), (std::vector<std::string>{"xml-doctype 2:1"}));
}

TEST(ParseXml, ExternalEntityIsNeverRead) {
  Parsed p = run("<!DOCTYPE s SYSTEM \"/etc/passwd\"><system/>");
  EXPECT_FALSE(p.sd);
  EXPECT_EQ(errors(p.diags), (std::vector<std::string>{"xml-doctype 1:1"}));
}

TEST(ParseXml, RootMustBeSystem) {
  Parsed p = run("<?xml version=\"1.0\"?>\n  <sistem/>");
  EXPECT_FALSE(p.sd);
  EXPECT_EQ(errors(p.diags), (std::vector<std::string>{"root-not-system 2:3"}));
}

TEST(ParseXml, DeclaredEncodingIsIgnoredInFavourOfUtf8) {
  Parsed p =
      run("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><system>"
          "<memory_region name=\"é\" size=\"1\"/></system>");
  ASSERT_TRUE(p.sd);
  EXPECT_EQ(p.sd->mrs.at(0).name, "é");
}

// ---------------------------------------------------------------- defaults

TEST(ParseDefaults, ProtectionDomain) {
  Parsed p = run(wrap_pd(""));
  ASSERT_TRUE(p.sd);
  EXPECT_TRUE(p.diags.empty());
  const ProtectionDomain& pd = p.sd->pds.at(0);
  EXPECT_EQ(pd.priority, 0u);
  EXPECT_EQ(pd.budget, 1000u);
  EXPECT_EQ(pd.period, std::nullopt);
  EXPECT_EQ(pd.effective_period(), 1000u);
  EXPECT_FALSE(pd.passive);
  EXPECT_EQ(pd.stack_size, 0x2000u);
  EXPECT_EQ(pd.cpu, 0u);
  EXPECT_FALSE(pd.smc);
  EXPECT_TRUE(pd.fpu);
  EXPECT_EQ(pd.domain, std::nullopt);
  EXPECT_EQ(pd.child_id, std::nullopt);
  EXPECT_EQ(pd.setvar_id, std::nullopt);
  EXPECT_EQ(pd.parent, std::nullopt);
  EXPECT_TRUE(pd.children.empty());
  EXPECT_EQ(pd.cspace_loc, std::nullopt);
  EXPECT_EQ(pd.vm, std::nullopt);
  ASSERT_TRUE(pd.program_image);
  EXPECT_EQ(pd.program_image->path_for_symbols, std::nullopt);
}

TEST(ParseDefaults, MapIrqEndAndRegion) {
  Parsed p =
      run("<system>\n"
          "<memory_region name=\"m\" size=\"4096\"/>\n"
          "<protection_domain name=\"a\"><program_image path=\"a\"/>\n"
          "  <map mr=\"m\" vaddr=\"0x1000\"/>\n"
          "  <irq irq=\"33\" id=\"1\"/>\n"
          "</protection_domain>\n"
          "<protection_domain name=\"b\"><program_image path=\"b\"/></protection_domain>\n"
          "<channel><end pd=\"a\" id=\"2\"/><end pd=\"b\" id=\"3\"/></channel>\n"
          "</system>");
  ASSERT_TRUE(p.sd);
  EXPECT_TRUE(p.diags.empty());
  const Map& map = p.sd->pds.at(0).maps.at(0);
  EXPECT_EQ(map.perms, (Perms{true, true, false}));
  EXPECT_TRUE(map.cached);
  EXPECT_EQ(map.setvar_vaddr, std::nullopt);
  const Irq& irq = p.sd->pds.at(0).irqs.at(0);
  EXPECT_EQ(irq.kind, Irq::Kind::Number);
  EXPECT_EQ(irq.trigger, Trigger::Level);
  EXPECT_EQ(irq.setvar_id, std::nullopt);
  const ChannelEnd& end = p.sd->channels.at(0).a;
  EXPECT_FALSE(end.pp);
  EXPECT_TRUE(end.notify);
  EXPECT_EQ(end.setvar_id, std::nullopt);
  const MemoryRegion& mr = p.sd->mrs.at(0);
  EXPECT_EQ(mr.page_size, std::nullopt);
  EXPECT_EQ(mr.phys_addr, std::nullopt);
  EXPECT_EQ(mr.prefill_path, std::nullopt);
  EXPECT_EQ(mr.prefill_bootinfo, std::nullopt);
}

TEST(ParseDefaults, IoApicAndDomainSchedule) {
  Parsed p =
      run("<system>\n"
          "<domains><domain name=\"d\"/><domain_schedule>"
          "<schedule_entry domain=\"d\" duration=\"10 us\"/></domain_schedule></domains>\n"
          "<protection_domain name=\"a\" domain=\"d\"><program_image path=\"a\"/>\n"
          "  <irq pin=\"4\" vector=\"5\" id=\"1\"/>\n"
          "</protection_domain>\n"
          "</system>");
  ASSERT_TRUE(p.sd);
  EXPECT_TRUE(p.diags.empty());
  const Irq& irq = p.sd->pds.at(0).irqs.at(0);
  EXPECT_EQ(irq.kind, Irq::Kind::IoApic);
  EXPECT_EQ(irq.ioapic, 0u);
  EXPECT_EQ(irq.trigger, Trigger::Level);
  EXPECT_EQ(irq.polarity, Polarity::High);
  ASSERT_TRUE(p.sd->domains);
  ASSERT_TRUE(p.sd->domains->schedule);
  EXPECT_EQ(p.sd->domains->schedule->start_index, 0u);
  EXPECT_EQ(p.sd->domains->schedule->index_shift, 0u);
  EXPECT_EQ(p.sd->domains->domains.at(0).id, std::nullopt);
}

// ---------------------------------------------------------------- children

TEST(ParseChildren, FlattenedInDocumentOrderWithLinks) {
  Parsed p = run(
      "<system>\n"
      "<protection_domain name=\"root\"><program_image path=\"r\"/>\n"
      "  <protection_domain name=\"c1\" id=\"1\" setvar_id=\"c1_id\"><program_image path=\"c\"/>\n"
      "    <protection_domain name=\"g\" id=\"0\"><program_image path=\"g\"/>\n"
      "      <protection_domain name=\"gg\" id=\"7\"><program_image path=\"gg\"/>"
      "</protection_domain>\n"
      "    </protection_domain>\n"
      "  </protection_domain>\n"
      "  <map mr=\"m\" vaddr=\"0x1000\"/>\n"
      "  <protection_domain name=\"c2\" id=\"2\"><program_image path=\"c\"/></protection_domain>\n"
      "</protection_domain>\n"
      "<protection_domain name=\"other\"><program_image path=\"o\"/></protection_domain>\n"
      "</system>");
  ASSERT_TRUE(p.sd);
  EXPECT_TRUE(p.diags.empty());
  const auto& pds = p.sd->pds;
  ASSERT_EQ(pds.size(), 6u);
  std::vector<std::string> names;
  for (const auto& pd : pds) names.push_back(pd.name);
  EXPECT_EQ(names, (std::vector<std::string>{"root", "c1", "g", "gg", "c2", "other"}));
  EXPECT_EQ(pds[0].parent, std::nullopt);
  EXPECT_EQ(pds[0].children, (std::vector<size_t>{1, 4}));
  EXPECT_EQ(pds[1].parent, 0u);
  EXPECT_EQ(pds[1].children, (std::vector<size_t>{2}));
  EXPECT_EQ(pds[2].parent, 1u);
  EXPECT_EQ(pds[2].children, (std::vector<size_t>{3}));
  EXPECT_EQ(pds[3].parent, 2u);
  EXPECT_TRUE(pds[3].children.empty());
  EXPECT_EQ(pds[4].parent, 0u);
  EXPECT_EQ(pds[5].parent, std::nullopt);
  EXPECT_EQ(pds[1].child_id, 1u);
  EXPECT_EQ(pds[1].setvar_id, "c1_id");
  EXPECT_EQ(pds[2].child_id, 0u);
  EXPECT_EQ(pds[3].child_id, 7u);
  EXPECT_EQ(pds[4].child_id, 2u);
  // The parent's own elements after a child still land on the parent.
  EXPECT_EQ(pds[0].maps.size(), 1u);
  EXPECT_EQ(pds[3].loc, at(5, 7));
}

TEST(ParseChildren, NestingDepthIsBounded) {
  std::string text = "<system>";
  for (int i = 0; i < 70; ++i)
    text += "<protection_domain name=\"p" + std::to_string(i) + "\" id=\"1\">";
  for (int i = 0; i < 70; ++i) text += "<program_image path=\"x\"/></protection_domain>";
  text += "</system>";
  Parsed p = run(text);
  ASSERT_TRUE(p.sd);
  EXPECT_EQ(p.sd->pds.size(), 64u);
  ASSERT_EQ(p.diags.error_count(), 1u);
  EXPECT_EQ(p.diags.all()[0].id, "nesting-too-deep");
}

// ---------------------------------------------------------------- every field

constexpr std::string_view kEverything = R"(<?xml version="1.0" encoding="UTF-8"?>
<system>
  <domains>
    <domain name="d0" id="0" />
    <domain name="d1" />
    <domain_schedule start_index="1" index_shift="2">
      <schedule_entry domain="d0" duration="1_000 us" />
      <schedule_entry domain="d1" duration="0x10 ticks" />
      <schedule_end_marker />
    </domain_schedule>
  </domains>
  <memory_region name="m" size="0x2000" page_size="0x1000" phys_addr="0x9000_0000" />
  <memory_region name="f" prefill_path="data.bin" />
  <memory_region name="b" prefill_bootinfo="x86_acpi_rsdp" />
  <protection_domain name="p" priority="200" budget="10" period="20" passive="true"
      stack_size="0x4000" cpu="1" smc="true" fpu="false" domain="d0">
    <program_image path="p.elf" path_for_symbols="p.sym" />
    <map mr="m" vaddr="0x40000000" perms="rx" cached="false" setvar_vaddr="sv"
         setvar_size="ss" setvar_prefill_size="sp" />
    <irq irq="33" id="1" trigger="edge" setvar_id="i1" />
    <irq pin="9" ioapic="1" vector="40" id="2" trigger="edge" polarity="low" setvar_id="i2" />
    <irq pcidev="01:1f.2" handle="3" vector="41" id="3" setvar_id="i3" />
    <setvar symbol="paddr" region_paddr="m" />
    <ioport id="4" addr="0x3f8" size="8" setvar_id="io_id" setvar_addr="io_addr" />
    <cspace>
      <cap_tcb slot="1" pd="q" />
      <cap_sc slot="2" pd="q" />
      <cap_vspace slot="3" pd="q" />
    </cspace>
    <virtual_machine name="vm" priority="100" budget="5" period="6">
      <vcpu id="0" cpu="1" setvar_id="v0" />
      <vcpu id="1" />
      <map mr="f" vaddr="0x0" perms="r" />
    </virtual_machine>
    <protection_domain name="q" id="5" setvar_id="q_id">
      <program_image path="q.elf" />
    </protection_domain>
  </protection_domain>
  <channel>
    <end pd="p" id="6" pp="true" notify="false" setvar_id="ch" />
    <end pd="q" id="7" />
  </channel>
  <io_address_space name="dev" peripheral_id="02:03.1" domain_id="9">
    <iomap mr="m" iovaddr="0x1000" perms="w" />
  </io_address_space>
  <io_address_space name="smmu" peripheral_id="0x42" domain_id="10" />
</system>
)";

TEST(ParseEverything, NoDiagnostics) {
  Parsed p = run(kEverything);
  ASSERT_TRUE(p.sd);
  for (const Diagnostic& d : p.diags.all()) ADD_FAILURE() << render(d, kEverything);
}

TEST(ParseEverything, DomainsAndRegions) {
  Parsed p = run(kEverything);
  ASSERT_TRUE(p.sd && p.sd->domains);
  const Domains& d = *p.sd->domains;
  ASSERT_EQ(d.domains.size(), 2u);
  EXPECT_EQ(d.domains[0].name, "d0");
  EXPECT_EQ(d.domains[0].id, 0u);
  EXPECT_EQ(d.domains[1].id, std::nullopt);
  ASSERT_TRUE(d.schedule);
  EXPECT_EQ(d.schedule->start_index, 1u);
  EXPECT_EQ(d.schedule->index_shift, 2u);
  ASSERT_EQ(d.schedule->entries.size(), 3u);
  EXPECT_EQ(d.schedule->entries[0].domain, "d0");
  EXPECT_EQ(d.schedule->entries[0].duration, 1000u);
  EXPECT_EQ(d.schedule->entries[0].unit, ScheduleEntry::Unit::Microseconds);
  EXPECT_EQ(d.schedule->entries[1].duration, 16u);
  EXPECT_EQ(d.schedule->entries[1].unit, ScheduleEntry::Unit::Ticks);
  EXPECT_EQ(d.schedule->entries[2].kind, ScheduleEntry::Kind::EndMarker);
  EXPECT_EQ(d.schedule->entries[2].loc, at(9, 7));

  const auto& mrs = p.sd->mrs;
  ASSERT_EQ(mrs.size(), 3u);
  EXPECT_EQ(mrs[0].size, 0x2000u);
  EXPECT_EQ(mrs[0].page_size, 0x1000u);
  EXPECT_EQ(mrs[0].phys_addr, 0x90000000u);
  EXPECT_EQ(mrs[1].size, std::nullopt);
  EXPECT_EQ(mrs[1].prefill_path, "data.bin");
  EXPECT_EQ(mrs[2].prefill_bootinfo, "x86_acpi_rsdp");
}

TEST(ParseEverything, ProtectionDomainAttributes) {
  Parsed p = run(kEverything);
  ASSERT_TRUE(p.sd);
  ASSERT_EQ(p.sd->pds.size(), 2u);
  const ProtectionDomain& pd = p.sd->pds[0];
  EXPECT_EQ(pd.name, "p");
  EXPECT_EQ(pd.priority, 200u);
  EXPECT_EQ(pd.budget, 10u);
  EXPECT_EQ(pd.period, 20u);
  EXPECT_TRUE(pd.passive);
  EXPECT_EQ(pd.stack_size, 0x4000u);
  EXPECT_EQ(pd.cpu, 1u);
  EXPECT_TRUE(pd.smc);
  EXPECT_FALSE(pd.fpu);
  EXPECT_EQ(pd.domain, "d0");
  EXPECT_EQ(pd.loc, at(15, 3));
  EXPECT_EQ(pd.at("stack_size"), at(16, 7));
  ASSERT_TRUE(pd.program_image);
  EXPECT_EQ(pd.program_image->path, "p.elf");
  EXPECT_EQ(pd.program_image->path_for_symbols, "p.sym");
  EXPECT_EQ(pd.children, (std::vector<size_t>{1}));
  EXPECT_EQ(p.sd->pds[1].child_id, 5u);
  EXPECT_EQ(p.sd->pds[1].setvar_id, "q_id");
}

TEST(ParseEverything, MapsSetvarsIoports) {
  Parsed p = run(kEverything);
  ASSERT_TRUE(p.sd);
  const ProtectionDomain& pd = p.sd->pds[0];
  ASSERT_EQ(pd.maps.size(), 1u);
  const Map& m = pd.maps[0];
  EXPECT_EQ(m.mr, "m");
  EXPECT_EQ(m.vaddr, 0x40000000u);
  EXPECT_EQ(m.perms, (Perms{true, false, true}));
  EXPECT_FALSE(m.cached);
  EXPECT_EQ(m.setvar_vaddr, "sv");
  EXPECT_EQ(m.setvar_size, "ss");
  EXPECT_EQ(m.setvar_prefill_size, "sp");
  EXPECT_EQ(m.at("setvar_size"), at(19, 10));
  ASSERT_EQ(pd.setvars.size(), 1u);
  EXPECT_EQ(pd.setvars[0].symbol, "paddr");
  EXPECT_EQ(pd.setvars[0].region_paddr, "m");
  ASSERT_EQ(pd.ioports.size(), 1u);
  EXPECT_EQ(pd.ioports[0].id, 4u);
  EXPECT_EQ(pd.ioports[0].addr, 0x3f8u);
  EXPECT_EQ(pd.ioports[0].size, 8u);
  EXPECT_EQ(pd.ioports[0].setvar_id, "io_id");
  EXPECT_EQ(pd.ioports[0].setvar_addr, "io_addr");
}

TEST(ParseEverything, IrqForms) {
  Parsed p = run(kEverything);
  ASSERT_TRUE(p.sd);
  const auto& irqs = p.sd->pds[0].irqs;
  ASSERT_EQ(irqs.size(), 3u);
  EXPECT_EQ(irqs[0].kind, Irq::Kind::Number);
  EXPECT_EQ(irqs[0].irq, 33u);
  EXPECT_EQ(irqs[0].id, 1u);
  EXPECT_EQ(irqs[0].trigger, Trigger::Edge);
  EXPECT_EQ(irqs[0].setvar_id, "i1");
  EXPECT_EQ(irqs[1].kind, Irq::Kind::IoApic);
  EXPECT_EQ(irqs[1].pin, 9u);
  EXPECT_EQ(irqs[1].ioapic, 1u);
  EXPECT_EQ(irqs[1].vector, 40u);
  EXPECT_EQ(irqs[1].id, 2u);
  EXPECT_EQ(irqs[1].trigger, Trigger::Edge);
  EXPECT_EQ(irqs[1].polarity, Polarity::Low);
  EXPECT_EQ(irqs[1].setvar_id, "i2");
  EXPECT_EQ(irqs[2].kind, Irq::Kind::Msi);
  EXPECT_EQ(irqs[2].pci_bus, 1u);
  EXPECT_EQ(irqs[2].pci_dev, 0x1fu);
  EXPECT_EQ(irqs[2].pci_func, 2u);
  EXPECT_EQ(irqs[2].handle, 3u);
  EXPECT_EQ(irqs[2].vector, 41u);
  EXPECT_EQ(irqs[2].id, 3u);
  EXPECT_EQ(irqs[2].setvar_id, "i3");
}

TEST(ParseEverything, CspaceAndVirtualMachine) {
  Parsed p = run(kEverything);
  ASSERT_TRUE(p.sd);
  const ProtectionDomain& pd = p.sd->pds[0];
  EXPECT_EQ(pd.cspace_loc, at(25, 5));
  ASSERT_EQ(pd.caps.size(), 3u);
  EXPECT_EQ(pd.caps[0].kind, Cap::Kind::Tcb);
  EXPECT_EQ(pd.caps[1].kind, Cap::Kind::Sc);
  EXPECT_EQ(pd.caps[2].kind, Cap::Kind::VSpace);
  EXPECT_EQ(pd.caps[2].slot, 3u);
  EXPECT_EQ(pd.caps[2].pd, "q");
  ASSERT_TRUE(pd.vm);
  EXPECT_EQ(pd.vm->name, "vm");
  EXPECT_EQ(pd.vm->priority, 100u);
  EXPECT_EQ(pd.vm->budget, 5u);
  EXPECT_EQ(pd.vm->period, 6u);
  ASSERT_EQ(pd.vm->vcpus.size(), 2u);
  EXPECT_EQ(pd.vm->vcpus[0].cpu, 1u);
  EXPECT_EQ(pd.vm->vcpus[0].setvar_id, "v0");
  EXPECT_EQ(pd.vm->vcpus[1].id, 1u);
  EXPECT_EQ(pd.vm->vcpus[1].cpu, std::nullopt);
  ASSERT_EQ(pd.vm->maps.size(), 1u);
  EXPECT_EQ(pd.vm->maps[0].perms, (Perms{true, false, false}));
}

TEST(ParseEverything, ChannelsAndIoAddressSpaces) {
  Parsed p = run(kEverything);
  ASSERT_TRUE(p.sd);
  ASSERT_EQ(p.sd->channels.size(), 1u);
  const Channel& ch = p.sd->channels[0];
  EXPECT_EQ(ch.a.pd, "p");
  EXPECT_EQ(ch.a.id, 6u);
  EXPECT_TRUE(ch.a.pp);
  EXPECT_FALSE(ch.a.notify);
  EXPECT_EQ(ch.a.setvar_id, "ch");
  EXPECT_EQ(ch.b.pd, "q");
  EXPECT_EQ(ch.b.id, 7u);
  EXPECT_EQ(ch.b.loc, at(41, 5));
  ASSERT_EQ(p.sd->io_address_spaces.size(), 2u);
  const IoAddressSpace& dev = p.sd->io_address_spaces[0];
  EXPECT_EQ(dev.name, "dev");
  EXPECT_TRUE(dev.peripheral_is_pci);
  EXPECT_EQ(dev.peripheral_id, (2u << 8) | (3u << 3) | 1u);
  EXPECT_EQ(dev.domain_id, 9u);
  ASSERT_EQ(dev.maps.size(), 1u);
  EXPECT_EQ(dev.maps[0].mr, "m");
  EXPECT_EQ(dev.maps[0].iovaddr, 0x1000u);
  EXPECT_EQ(dev.maps[0].perms, (Perms{false, true, false}));
  const IoAddressSpace& smmu = p.sd->io_address_spaces[1];
  EXPECT_FALSE(smmu.peripheral_is_pci);
  EXPECT_EQ(smmu.peripheral_id, 0x42u);
  EXPECT_TRUE(smmu.maps.empty());
}

// ---------------------------------------------------------------- errors

TEST(ParseErrors, AllIndependentErrorsAreReported) {
  Parsed p =
      run("<system>\n"
          "<memory_region name=\"m\" size=\"x\"/>\n"
          "<protection_domain name=\"a\" priority=\"-1\" passive=\"yes\">\n"
          "  <program_image path=\"a\"/>\n"
          "  <mpa mr=\"m\" vaddr=\"0\"/>\n"
          "  <map mr=\"m\" vaddr=\"0\" perms=\"w\"/>\n"
          "</protection_domain>\n"
          "<chanel/>\n"
          "</system>");
  ASSERT_TRUE(p.sd);
  EXPECT_EQ(errors(p.diags),
            (std::vector<std::string>{"invalid-number 2:25", "invalid-number 3:29",
                                      "invalid-boolean 3:43", "unknown-element 5:3",
                                      "invalid-value 6:25", "unknown-element 8:1"}));
  // The PD and the good map are still recorded.
  ASSERT_EQ(p.sd->pds.size(), 1u);
  EXPECT_EQ(p.sd->pds[0].maps.size(), 1u);
}

TEST(ParseErrors, HintsSuggestCloseNames) {
  Parsed p = run(wrap_pd("<map mr=\"m\" vadr=\"0\"/><programimage path=\"x\"/>"));
  ASSERT_TRUE(p.sd);
  const auto& all = p.diags.all();
  std::vector<std::string> hints;
  for (const Diagnostic& d : all)
    if (d.severity == Severity::Error) hints.push_back(d.hint);
  ASSERT_EQ(hints.size(), 3u);  // unknown vadr, missing vaddr, unknown element
  EXPECT_EQ(hints[0], "did you mean `vaddr`?");
  EXPECT_NE(hints[1].find("vaddr"), std::string::npos);
  EXPECT_EQ(hints[2], "did you mean <program_image>?");
}

TEST(ParseErrors, MisplacedElementHintSaysWhereItBelongs) {
  Parsed p = run("<system><virtual_machine name=\"v\"/></system>");
  ASSERT_TRUE(p.sd);
  ASSERT_EQ(p.diags.error_count(), 1u);
  EXPECT_EQ(p.diags.all()[0].id, "unknown-element");
  EXPECT_EQ(p.diags.all()[0].hint, "<virtual_machine> belongs inside <protection_domain>");
}

TEST(ParseErrors, NestedSystemHint) {
  Parsed p = run("<system><system/></system>");
  ASSERT_TRUE(p.sd);
  ASSERT_EQ(p.diags.error_count(), 1u);
  EXPECT_EQ(p.diags.all()[0].hint, "<system> is the root element and cannot be nested");
}

TEST(ParseErrors, UnknownNameListsWhatIsAllowed) {
  Parsed p = run("<system><banana/></system>");
  ASSERT_EQ(p.diags.error_count(), 1u);
  EXPECT_EQ(p.diags.all()[0].message, "<banana> is not allowed inside <system>");
  EXPECT_EQ(p.diags.all()[0].hint,
            "<system> may contain: <protection_domain>, <memory_region>, <channel>, "
            "<io_address_space>, <domains>, <profiler>");
}

TEST(ParseErrors, IrqFormMixing) {
  Parsed p = run(wrap_pd("<irq irq=\"1\" id=\"1\" pin=\"3\"/>"));
  ASSERT_TRUE(p.sd);
  EXPECT_EQ(errors(p.diags), (std::vector<std::string>{"unknown-attribute 4:21"}));
  EXPECT_NE(p.diags.all()[0].hint.find("ARM/RISC-V"), std::string::npos);
  EXPECT_EQ(p.sd->pds[0].irqs.at(0).kind, Irq::Kind::Number);
}

TEST(ParseErrors, DuplicateElementHasANoteAtTheFirst) {
  Parsed p = run(wrap_pd("<program_image path=\"b\"/>"));
  ASSERT_TRUE(p.sd);
  ASSERT_EQ(p.diags.all().size(), 2u);
  EXPECT_EQ(p.diags.all()[0].id, "duplicate-element");
  EXPECT_EQ(p.diags.all()[0].loc, at(4, 1));
  EXPECT_EQ(p.diags.all()[1].severity, Severity::Note);
  EXPECT_EQ(p.diags.all()[1].loc, at(3, 1));
  EXPECT_EQ(p.sd->pds[0].program_image->path, "a.elf");
}

TEST(ParseErrors, RenderedDiagnosticNamesFileLineAndColumn) {
  std::string text = wrap_pd("<map mr=\"m\" vaddr=\"0x1g\"/>");
  Parsed p = run(text);
  ASSERT_EQ(p.diags.all().size(), 1u);
  std::string out = render(p.diags.all()[0], text);
  EXPECT_EQ(out.rfind("test.system:4:13: error: `vaddr` on <map> must be a number", 0), 0u) << out;
}

// ---------------------------------------------------------------- scale

TEST(ParseScale, TenThousandMemoryRegions) {
  std::string text = "<system>\n";
  for (int i = 0; i < 10000; ++i)
    text += "  <memory_region name=\"mr" + std::to_string(i) + "\" size=\"0x1000\" />\n";
  text += "</system>\n";
  Parsed p = run(text);
  ASSERT_TRUE(p.sd);
  EXPECT_TRUE(p.diags.empty());
  ASSERT_EQ(p.sd->mrs.size(), 10000u);
  EXPECT_EQ(p.sd->mrs.back().at("size"), at(10001, 32));
}

TEST(ParseScale, OneVeryLongLine) {
  std::string text = "<system>";
  for (int i = 0; i < 5000; ++i) text += "<memory_region name=\"m\" size=\"1\"/>";
  text += "</system>";
  Parsed p = run(text);
  ASSERT_TRUE(p.sd);
  ASSERT_EQ(p.sd->mrs.size(), 5000u);
  EXPECT_EQ(p.sd->mrs.back().loc, at(1, 9 + 4999 * 34));
}

}  // namespace
}  // namespace microkit::sdf
