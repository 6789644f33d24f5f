// capdl_check: holds the tool's capDL outputs to the image it built.
//
//   capdl_check KERNEL_PKG IMAGE SPEC_JSON [SPEC_CDL]
//
// The architecture (AArch64, RISC-V 64 or x86-64) is the kernel package's; it names
// the IRQ objects, numbers the page-table levels and is the .cdl's arch.
// 1. Reads IMAGE (a raw loader.img, or a uImage around one), finds the user image region and in it
//    the initialiser spec (x86-64: the ELF boot module's segment) (runtime/shared/initialiser_spec.h), and replays
//    the spec's steps into the system they build: every retyped object at
//    the address seL4's watermark rule gives it (sizes from KERNEL_PKG), the
//    caps of each PD CNode, IRQ handlers, TCB settings, frame mappings.
// 2. Checks SPEC_JSON (--capdl-json) against that system: the same kernel
//    untypeds; each untyped covering the same objects in the same order at
//    the same addresses; every CNode slot, TCB slot and setting, IRQ and
//    mapping. Objects are matched through the untyped covers and addresses,
//    never by name.
// 3. Parses SPEC_CDL (--capdl) with a grammar check of the capDL language
//    subset the tool writes, and checks it names the same objects, types,
//    sizes, addresses, caps and IRQs as the JSON.
// Prints every difference; exit 0 when there is none, 1 otherwise, 2 on
// unreadable input.
//
//   capdl_check --spec KERNEL_PKG IMAGE
//
// runs the initial task's own checks of the spec (spec_decode.h) against the
// bootinfo KERNEL_PKG gives for IMAGE's user image, and lists the step kinds.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kernel/initialiser_facts.h"
#include "kernel/kernel_package.h"
#include "runtime/initialiser/spec_decode.h"
#include "sel4/uimage.h"
#include "runtime/shared/initialiser_spec.h"
#include "runtime/shared/loader_image.h"
#include "support/file_bytes.h"
#include "support/text.h"

namespace is = microkit::initialiser_spec;
namespace li = microkit::loader_image;
using Json = nlohmann::json;

namespace {

using microkit::hex;

int g_failures = 0;

// What differs between the architectures in the capDL outputs.
struct ArchNames {
  const char* irq = "ArmIrq";                // the JSON's IRQ object
  const char* irq_handler = "ArmIrqHandler";  // and its cap
  const char* cdl_arch = "aarch64";
  const char* cdl_irq = "arm_irq";
  uint32_t last_level = 3;                    // the level whose entries map 4 KiB
  bool one_table_type = false;                // .cdl: every level is a "pt"
  const char* table_names[4] = {"pgd", "pud", "pd", "pt"};  // .cdl, by level
};
ArchNames g_arch;  // set once in main from the kernel package

ArchNames arch_names(microkit::board::Arch arch) {
  if (arch == microkit::board::Arch::X86_64)  // MSI handlers: see irq_tags
    return {"IrqIOApic", "IrqIOApicHandler", "x86_64", "ioapic_irq", 3, false, {"pml4", "pdpt", "pd", "pt"}};
  if (arch != microkit::board::Arch::RiscV64) return {};
  return {"RiscvIrq", "RiscvIrqHandler", "riscv", "irq", 2, true};
}

void fail(const std::string& what) {
  if (++g_failures <= 40) std::cout << "MISMATCH: " << what << "\n";
}


template <class T>
T at(const std::vector<uint8_t>& b, uint64_t off) {
  T t{};
  if (off + sizeof t <= b.size()) std::memcpy(&t, b.data() + off, sizeof t);
  return t;
}

// ---------------------------------------------------------------------------
// 1. The system the image's spec builds.

struct SysObject {
  std::string kind;       // JSON tag: Untyped, Tcb, Frame, PageTable, ...
  uint32_t size_bits = 0; // Untyped/Frame/SchedContext: log2 bytes; CNode: radix
  uint64_t paddr = 0;
  bool is_root = false;   // PageTable: a VSpace
  size_t untyped = SIZE_MAX;  // retyped from; SIZE_MAX: a user-image frame
};

struct SysCap {
  size_t obj = SIZE_MAX;  // SIZE_MAX: none
  uint32_t rights = is::kRightsAll;
  uint64_t badge = 0;
  std::optional<size_t> irq;  // an IRQ handler cap: index into System::irqs
  std::optional<uint64_t> sched_core;  // a core's SchedControl cap
  bool smc = false;
  std::optional<std::pair<uint64_t, uint64_t>> ports;  // an x86 IOPorts cap: [first, last]
};

struct SysIrq {
  uint64_t irq = 0;
  uint32_t trigger = 0;
  SysCap notification;
  std::optional<is::X86IrqIssueStep> x86;  // x86: the IOAPIC pin or MSI
};

// The JSON tags of the IRQ object and handler cap an image IRQ has.
std::pair<std::string, std::string> irq_tags(const SysIrq& irq) {
  if (irq.x86 && irq.x86->source == is::kX86IrqMsi) return {"IrqMsi", "IrqMsiHandler"};
  return {g_arch.irq, g_arch.irq_handler};
}

struct SysMapping {
  size_t frame;
  uint32_t rights;
  uint64_t attributes;
};

struct SysTcb {
  size_t cspace = SIZE_MAX, vspace = SIZE_MAX, ipc_frame = SIZE_MAX, sc = SIZE_MAX,
         notification = SIZE_MAX, vcpu = SIZE_MAX;
  uint64_t cspace_data = 0, ipc_vaddr = 0, prio = 0, mcp = 0, pc = 0, sp = 0;
  SysCap fault;
  bool resumed = false;
  bool fpu_disabled = false;
  std::optional<uint64_t> domain;
};

struct SysSc {
  uint64_t core = 0, budget = 0, period = 0, badge = 0;
};

// An x86 IOMMU address space as X86IoMapFrame steps build it when seL4
// reports the depth capDL describes (kIoptLevels): tables taken from the
// pool whenever a map finds none, top level first.
constexpr uint32_t kIoptLevels = 3;
struct SysIoSpace {
  uint64_t data = 0;  // domain id << 16 | PCI requester id
  std::map<std::pair<uint32_t, uint64_t>, size_t> tables;   // (level, iovaddr >> its cover) -> obj
  std::map<uint64_t, std::pair<size_t, uint32_t>> frames;   // iovaddr -> (frame obj, rights)
};
uint32_t iopt_covers(uint32_t level) { return 12 + 9 * (kIoptLevels - level); }

struct System {
  std::vector<is::ExpectedUntyped> untypeds;
  std::vector<SysObject> objects;
  std::vector<std::vector<size_t>> per_untyped;      // retype order
  std::map<size_t, std::map<uint64_t, SysCap>> cnodes;  // CNode obj -> slot -> cap
  std::vector<SysIrq> irqs;
  std::map<size_t, std::map<uint64_t, SysMapping>> mappings;  // VSpace -> vaddr -> frame
  std::map<size_t, std::set<std::pair<uint64_t, size_t>>> tables;  // VSpace -> (vaddr, pt)
  std::map<size_t, SysTcb> tcbs;
  std::map<size_t, SysSc> scs;
  std::map<uint64_t, size_t> ui_frames;  // paddr -> obj
  std::map<size_t, uint64_t> fills;      // frame obj -> bytes FillFrame copies in
  std::map<size_t, std::pair<uint64_t, uint64_t>> bootinfo_fills;  // x86 frame obj -> (chunk id, offset)
  std::map<uint64_t, SysIoSpace> io_spaces;  // x86, by the IOSpace cap's root slot
  std::set<size_t> iopt_pool;                // x86: every table of the IO page-table pool
};

const char* kind_tag(uint32_t k, bool& root, uint32_t& page_bits) {
  root = false;
  page_bits = 0;
  switch (is::ObjectKind(k)) {
    case is::ObjectKind::Untyped: return "Untyped";
    case is::ObjectKind::Tcb: return "Tcb";
    case is::ObjectKind::Endpoint: return "Endpoint";
    case is::ObjectKind::Notification: return "Notification";
    case is::ObjectKind::CNode: return "CNode";
    case is::ObjectKind::SchedContext: return "SchedContext";
    case is::ObjectKind::Reply: return "Reply";
    case is::ObjectKind::VSpace: root = true; return "PageTable";
    case is::ObjectKind::PageTable: return "PageTable";
    case is::ObjectKind::X86Pdpt: return "PageTable";
    case is::ObjectKind::X86PageDirectory: return "PageTable";
    case is::ObjectKind::SmallPage: page_bits = 12; return "Frame";
    case is::ObjectKind::LargePage: page_bits = 21; return "Frame";
    case is::ObjectKind::HugePage: page_bits = 30; return "Frame";
    case is::ObjectKind::Vcpu: return "VCpu";
    case is::ObjectKind::IoPageTable: return "IOPageTable";
    // x86 VT-x guests: the capDL outputs refuse them (docs/virtual-machines.md).
    case is::ObjectKind::EptPml4:
    case is::ObjectKind::EptPdpt:
    case is::ObjectKind::EptPd:
    case is::ObjectKind::EptPt: return "?";
  }
  return "?";
}

// Bytes an object occupies, log2, as the planner and seL4 see it.
uint32_t object_bits(const SysObject& o, const microkit::kernel::ObjectSizes& s) {
  if (o.kind == "Untyped" || o.kind == "Frame" || o.kind == "SchedContext") return o.size_bits;
  if (o.kind == "CNode") return o.size_bits + s.slot;
  if (o.kind == "Tcb") return s.tcb;
  if (o.kind == "Endpoint") return s.endpoint;
  if (o.kind == "Notification") return s.notification;
  if (o.kind == "Reply") return s.reply;
  if (o.kind == "PageTable") return o.is_root ? s.vspace : s.page_table;
  if (o.kind == "VCpu") return s.vcpu.value_or(12);
  if (o.kind == "IOPageTable") return s.io_page_table.value_or(12);
  return 0;
}

struct Replay {
  System sys;
  std::map<uint64_t, SysCap> root;  // root CNode slot -> cap
  uint64_t iopt_next = 0;           // the IO page-table pool's next unused table
  std::vector<uint64_t> watermark;  // per untyped
  is::SpecHeader h{};
  uint64_t ui_paddr = 0;
  const microkit::kernel::ObjectSizes* sizes = nullptr;
};

SysCap cap_in(Replay& r, uint64_t slot);

// A cap issued into slot `index` of the CNode in root slot `cnode_slot`
// (2: the root CNode itself).
void put_cap(Replay& r, uint64_t cnode_slot, uint64_t index, const SysCap& c) {
  if (cnode_slot == 2) r.root[index] = c;
  else r.sys.cnodes[cap_in(r, cnode_slot).obj][index] = c;
}

SysCap cap_in(Replay& r, uint64_t slot) {
  if (slot == 15) {  // seL4_CapSMC
    SysCap c;
    c.smc = true;
    return c;
  }
  if (slot >= r.h.sched_control_start && slot - r.h.sched_control_start < r.h.sched_control_count) {
    SysCap c;
    c.sched_core = slot - r.h.sched_control_start;
    return c;
  }
  if (slot >= r.h.user_image_frames_start && slot < r.h.user_image_frames_end) {
    uint64_t paddr = r.ui_paddr + (slot - r.h.user_image_frames_start) * 4096;
    auto [it, fresh] = r.sys.ui_frames.try_emplace(paddr, r.sys.objects.size());
    if (fresh) r.sys.objects.push_back({"Frame", 12, paddr, false, SIZE_MAX});
    SysCap c;
    c.obj = it->second;
    return c;
  }
  auto it = r.root.find(slot);
  if (it == r.root.end()) {
    fail("spec uses root slot " + std::to_string(slot) + " before anything is in it");
    return {};
  }
  return it->second;
}

void retype(Replay& r, const is::RetypeStep& s) {
  bool root;
  uint32_t page_bits;
  const char* tag = kind_tag(s.object_kind, root, page_bits);
  for (uint64_t k = 0; k < s.count; ++k) {
    SysObject o{tag, uint32_t(page_bits ? page_bits : s.size_bits), 0, root, s.untyped_index};
    uint64_t align = uint64_t{1} << object_bits(o, *r.sizes);
    uint64_t& w = r.watermark[s.untyped_index];
    w = (w + align - 1) / align * align;
    o.paddr = w;
    w += align;
    size_t id = r.sys.objects.size();
    r.sys.objects.push_back(o);
    r.sys.per_untyped[s.untyped_index].push_back(id);
    SysCap c;
    c.obj = id;
    r.root[s.dest_slot + k] = c;
  }
}

void copy(Replay& r, const is::CapStep& s, bool mint) {
  SysCap c = cap_in(r, s.src_slot);
  c.rights &= s.rights;
  if (mint) c.badge = s.badge;
  if (s.dest_cnode_slot == 2 && s.dest_depth == 64) {
    r.root[s.dest_index] = c;
    return;
  }
  SysCap cnode = cap_in(r, s.dest_cnode_slot);
  r.sys.cnodes[cnode.obj][s.dest_index] = c;
}

void replay_step(Replay& r, const is::Step& raw) {
  auto as = [&](auto t) {
    std::memcpy(&t, &raw, sizeof t);
    return t;
  };
  switch (is::StepKind(raw.kind)) {
    case is::StepKind::Retype: retype(r, as(is::RetypeStep{})); break;
    case is::StepKind::Copy: copy(r, as(is::CapStep{}), false); break;
    case is::StepKind::Mint: copy(r, as(is::CapStep{}), true); break;
    case is::StepKind::AsidPoolAssign: break;
    case is::StepKind::MapPageTable: {
      auto s = as(is::MapPageTableStep{});
      r.sys.tables[cap_in(r, s.vspace_slot).obj].insert({s.vaddr, cap_in(r, s.pt_slot).obj});
      break;
    }
    case is::StepKind::MapFrame: {
      auto s = as(is::MapFrameStep{});
      r.sys.mappings[cap_in(r, s.vspace_slot).obj][s.vaddr] = {cap_in(r, s.frame_slot).obj, s.rights,
                                                             s.attributes};
      break;
    }
    case is::StepKind::TcbConfigure: {
      auto s = as(is::TcbConfigureStep{});
      SysTcb& t = r.sys.tcbs[cap_in(r, s.tcb_slot).obj];
      t.cspace = cap_in(r, s.cspace_slot).obj;
      t.cspace_data = s.cspace_data;
      t.vspace = cap_in(r, s.vspace_slot).obj;
      t.ipc_vaddr = s.ipc_buffer_vaddr;
      if (s.ipc_buffer_slot) t.ipc_frame = cap_in(r, s.ipc_buffer_slot).obj;  // 0: none (a vCPU's thread)
      break;
    }
    case is::StepKind::TcbSetSchedParams: {
      auto s = as(is::TcbSetSchedParamsStep{});
      SysTcb& t = r.sys.tcbs[cap_in(r, s.tcb_slot).obj];
      t.mcp = s.mcp;
      t.prio = s.priority;
      if (s.sc_slot) t.sc = cap_in(r, s.sc_slot).obj;
      if (s.fault_ep_slot) t.fault = cap_in(r, s.fault_ep_slot);
      break;
    }
    case is::StepKind::SchedControlConfigure: {
      auto s = as(is::SchedControlConfigureStep{});
      r.sys.scs[cap_in(r, s.sc_slot).obj] = {s.core, s.budget_us, s.period_us, s.badge};
      break;
    }
    case is::StepKind::TcbWriteRegisters: {
      auto s = as(is::TcbWriteRegistersStep{});
      SysTcb& t = r.sys.tcbs[cap_in(r, s.tcb_slot).obj];
      t.pc = s.pc;
      t.sp = s.sp;
      break;
    }
    case is::StepKind::TcbBindNotification: {
      auto s = as(is::TcbPairStep{});
      r.sys.tcbs[cap_in(r, s.a_slot).obj].notification = cap_in(r, s.b_slot).obj;
      break;
    }
    case is::StepKind::VcpuSetTcb: {
      auto s = as(is::TcbPairStep{});
      r.sys.tcbs[cap_in(r, s.b_slot).obj].vcpu = cap_in(r, s.a_slot).obj;
      break;
    }
    case is::StepKind::IrqIssue: {
      auto s = as(is::IrqIssueStep{});
      r.sys.irqs.push_back({s.irq, s.trigger, {}, std::nullopt});
      SysCap c;
      c.irq = r.sys.irqs.size() - 1;
      put_cap(r, s.dest_cnode_slot, s.dest_index, c);
      break;
    }
    case is::StepKind::X86IrqIssue: {
      auto s = as(is::X86IrqIssueStep{});
      uint32_t trigger = s.source == is::kX86IrqIoApic && !(s.c & is::kX86IrqLevel) ? 1 : 0;
      r.sys.irqs.push_back({s.vector, trigger, {}, s});
      SysCap c;
      c.irq = r.sys.irqs.size() - 1;
      put_cap(r, s.dest_cnode_slot, s.dest_index, c);
      break;
    }
    case is::StepKind::X86IoPortIssue: {
      auto s = as(is::X86IoPortIssueStep{});
      SysCap c;
      c.ports = std::pair{s.first_port, s.last_port};
      put_cap(r, s.dest_cnode_slot, s.dest_index, c);
      break;
    }
    case is::StepKind::X86IoMapFrame: {
      auto s = as(is::X86IoMapFrameStep{});
      SysIoSpace& space = r.sys.io_spaces[s.iospace_slot];
      if (s.iospace_data) space.data = s.iospace_data;
      for (uint64_t k = 0; k < s.iopt_pool_count; ++k) r.sys.iopt_pool.insert(cap_in(r, s.iopt_pool_start + k).obj);
      for (uint32_t level = 0; level < kIoptLevels; ++level) {
        auto key = std::pair{level, s.iovaddr >> iopt_covers(level)};
        if (space.tables.count(key)) continue;
        if (r.iopt_next >= s.iopt_pool_count) fail("the IO page-table pool runs out");
        else space.tables[key] = cap_in(r, s.iopt_pool_start + r.iopt_next++).obj;
      }
      space.frames[s.iovaddr] = {cap_in(r, s.frame_slot).obj, s.rights};
      break;
    }
    case is::StepKind::X86BootInfoFill: {
      auto s = as(is::X86BootInfoFillStep{});
      r.sys.bootinfo_fills[cap_in(r, s.frame_slot).obj] = {s.chunk_id, s.chunk_offset};
      break;
    }
    case is::StepKind::IrqSetNotification: {
      auto s = as(is::TcbPairStep{});
      SysCap handler = cap_in(r, s.a_slot);
      if (handler.irq) r.sys.irqs[*handler.irq].notification = cap_in(r, s.b_slot);
      break;
    }
    case is::StepKind::FillFrame: {
      auto s = as(is::FillFrameStep{});
      r.sys.fills[cap_in(r, s.frame_slot).obj] += s.length;
      break;
    }
    case is::StepKind::TcbSetFlags: {
      auto s = as(is::TcbSetFlagsStep{});
      SysTcb& t = r.sys.tcbs[cap_in(r, s.tcb_slot).obj];
      if (s.set & is::kTcbFlagFpuDisabled) t.fpu_disabled = true;
      if (s.clear & is::kTcbFlagFpuDisabled) t.fpu_disabled = false;
      break;
    }
    case is::StepKind::DomainSet: {
      auto s = as(is::DomainSetStep{});
      r.sys.tcbs[cap_in(r, s.tcb_slot).obj].domain = s.domain;
      break;
    }
    case is::StepKind::TcbResume: r.sys.tcbs[cap_in(r, as(is::SingleSlotStep{}).slot).obj].resumed = true; break;
    default: break;
  }
}

// The raw image inside a uImage (the RISC-V default, whose payload starts
// with Linux's RISC-V Image header: uimage.h), else the image itself.
std::vector<uint8_t> strip_uimage(std::vector<uint8_t> img) {
  namespace s4 = microkit::sel4;
  uint32_t magic = img.size() > 4 ? uint32_t(img[0]) << 24 | img[1] << 16 | img[2] << 8 | img[3] : 0;
  if (magic != s4::kUimageMagic) return img;
  size_t skip = s4::kUimageHeaderSize;
  if (img.size() > skip + s4::kLinuxRiscvHeaderSize && std::memcmp(img.data() + skip + 48, "RISCV", 5) == 0)
    skip += s4::kLinuxRiscvHeaderSize;
  img.erase(img.begin(), img.begin() + long(skip));
  return img;
}

// The user image's bytes in the image file: [data_offset, + data_size), at paddr.
struct UserImage {
  uint64_t data_offset = 0, data_size = 0, paddr = 0;
  uint64_t end = 0, vaddr = 0;  // the region the kernel maps for the initial task
};

// A raw loader image: its region at the user image's physical address.
std::optional<UserImage> loader_user_image(const std::vector<uint8_t>& img) {
  auto info = at<li::LoaderInfo>(img, li::kLoaderInfoOffset);
  if (info.magic != li::kLoaderMagic) return std::nullopt;
  auto ih = at<li::ImageHeader>(img, info.payload_offset);
  if (ih.magic != li::kImageMagic) return std::nullopt;
  for (uint32_t k = 0; k < ih.region_count; ++k) {
    auto reg = at<li::ImageRegion>(img, info.payload_offset + sizeof ih + k * sizeof(li::ImageRegion));
    if (reg.paddr == ih.boot_ui_p_reg_start)
      return UserImage{reg.data_offset, reg.data_size, reg.paddr, ih.boot_ui_p_reg_end,
                       ih.boot_ui_p_reg_start - ih.boot_pv_offset};
  }
  return std::nullopt;
}

// x86-64: the boot module is an ELF64 file whose one PT_LOAD segment is the
// user image (arch/x86_64/multiboot.h).
std::optional<UserImage> elf_user_image(const std::vector<uint8_t>& img) {
  if (img.size() < 64 || std::memcmp(img.data(), "\x7f" "ELF", 4) != 0 || img[4] != 2) return std::nullopt;
  uint64_t phoff = at<uint64_t>(img, 32);
  uint16_t phentsize = at<uint16_t>(img, 54), phnum = at<uint16_t>(img, 56);
  for (uint16_t k = 0; k < phnum; ++k) {
    uint64_t ph = phoff + uint64_t(k) * phentsize;
    if (at<uint32_t>(img, ph) != 1) continue;  // PT_LOAD
    uint64_t paddr = at<uint64_t>(img, ph + 24);
    return UserImage{at<uint64_t>(img, ph + 8), at<uint64_t>(img, ph + 32), paddr, paddr + at<uint64_t>(img, ph + 40),
                     at<uint64_t>(img, ph + 16)};
  }
  return std::nullopt;
}

// Where the spec sits in the image: its user image and the spec's offset in
// the file.
struct SpecPlace {
  UserImage ui;
  uint64_t base = 0;
  is::SpecHeader h;
};

std::optional<SpecPlace> find_spec(const std::vector<uint8_t>& img) {
  auto ui = loader_user_image(img);
  if (!ui) ui = elf_user_image(img);
  if (!ui) return std::nullopt;
  for (uint64_t off = 0; off + sizeof(is::SpecHeader) <= ui->data_size; off += is::kSpecAlign) {
    auto h = at<is::SpecHeader>(img, ui->data_offset + off);
    if (h.magic == is::kSpecMagic && h.version == is::kSpecVersion) return SpecPlace{*ui, ui->data_offset + off, h};
  }
  return std::nullopt;
}

std::optional<System> replay_image(const std::vector<uint8_t>& img,
                                   const microkit::kernel::ObjectSizes& sizes) {
  auto place = find_spec(img);
  if (!place) return std::nullopt;
  Replay r;
  r.sizes = &sizes;
  r.ui_paddr = place->ui.paddr;
  {
    const is::SpecHeader& h = place->h;
    uint64_t base = place->base;
    r.h = h;
    for (uint32_t u = 0; u < h.untyped_count; ++u) {
      auto e = at<is::ExpectedUntyped>(img, base + h.untyped_offset + u * sizeof(is::ExpectedUntyped));
      r.sys.untypeds.push_back(e);
      r.watermark.push_back(e.paddr);
    }
    r.sys.per_untyped.resize(h.untyped_count);
    for (uint32_t s = 0; s < h.step_count; ++s)
      replay_step(r, at<is::Step>(img, base + h.step_offset + s * sizeof(is::Step)));
  }
  return std::move(r.sys);
}

// ---------------------------------------------------------------------------
// --spec: the initial task's own decode checks (spec_decode.h) run on the
// image's spec against the bootinfo the kernel package would give for the
// image's user image: the machine the tool assumes (x86-64), or the board's.
// For images that cannot boot here (x86 VT-x guests under QEMU's TCG).


// Returns the number of failed checks; prints each, and the step kinds seen.
int check_spec_decodes(const microkit::kernel::KernelPackage& pkg, const std::vector<uint8_t>& img,
                       const SpecPlace& place) {
  namespace dec = microkit::initialiser;
  microkit::Diagnostics diags;
  auto facts = microkit::kernel::boot_facts(pkg, diags);
  microkit::kernel::BootInputs in;
  in.user_image = {place.ui.paddr, place.ui.end};
  in.user_image_vaddr = place.ui.vaddr;
  auto boot = facts ? microkit::kernel::emulate_boot(*facts, in, diags) : std::nullopt;
  if (!boot) {
    std::cout << "FAIL: the kernel package's boot cannot be emulated for this user image\n";
    return 1;
  }
  const uint8_t* bytes = img.data() + place.base;
  const is::SpecHeader& h = place.h;
  int failures = 0;
  auto report = [&](const char* what, const char* why) {
    if (why == nullptr) return;
    std::cout << "FAIL: " << what << ": " << why << "\n";
    ++failures;
  };
  report("header", dec::check_header(h, img.size() - place.base));
  bool bound = false;
  report("untyped binding", dec::check_untyped_binding(bytes, h, bound));
  dec::BootFacts b = microkit::kernel::initialiser_boot_facts(*facts, *boot, place.ui.vaddr);
  if (bound) b.bound_untypeds = h.untyped_count;
  report("boot facts", dec::check_boot_facts(h, b, bound));
  report("PD table", dec::check_pds(bytes, h, b));
  std::map<std::string, size_t> kinds;
  for (uint32_t k = 0; k < h.step_count; ++k) {
    auto step = dec::read_at<is::Step>(bytes, h.step_offset + uint64_t(k) * sizeof(is::Step));
    const char* why = dec::check_step(step, b);
    if (why == nullptr) why = dec::check_step_in_spec(step, h);
    if (why) report(("step " + std::to_string(k) + " (" + dec::step_name(step.kind) + ")").c_str(), why);
    ++kinds[dec::step_name(step.kind)];
  }
  for (const auto& [name, n] : kinds) std::cout << "step " << name << " x" << n << "\n";
  return failures;
}

int spec_mode(const char* pkg_dir, const char* image) {
  microkit::Diagnostics diags;
  auto pkg = microkit::kernel::load_kernel_package(pkg_dir, diags);
  auto img = microkit::read_file_bytes(image);
  if (!pkg || !img) {
    std::cerr << "capdl_check: cannot read the kernel package or the image\n";
    return 2;
  }
  *img = strip_uimage(std::move(*img));
  auto place = find_spec(*img);
  if (!place) {
    std::cerr << "capdl_check: " << image << " holds no initialiser spec this checker reads\n";
    return 2;
  }
  int failures = check_spec_decodes(*pkg, *img, *place);
  if (failures) {
    std::cout << failures << " checks failed\n";
    return 1;
  }
  std::cout << "the spec passes the initial task's checks: " << place->h.step_count << " steps\n";
  return 0;
}

// ---------------------------------------------------------------------------
// 2. The JSON against the system.

std::string tag_of(const Json& v) { return v.is_string() ? v.get<std::string>() : v.begin().key(); }

struct JsonView {
  const Json& spec;
  const Json& objects;
  std::vector<size_t> sys_of;           // JSON id -> system obj (SIZE_MAX: none)
  std::map<size_t, size_t> json_of;     // system obj -> JSON id
};

uint32_t rights_mask(const Json& r) {
  return (r["read"].get<bool>() ? is::kRightRead : 0) | (r["write"].get<bool>() ? is::kRightWrite : 0) |
         (r["grant"].get<bool>() ? is::kRightGrant : 0) |
         (r["grant_reply"].get<bool>() ? is::kRightGrantReply : 0);
}

void link(JsonView& v, size_t json_id, size_t sys_id) {
  v.sys_of[json_id] = sys_id;
  v.json_of[sys_id] = json_id;
}

void check_untypeds(JsonView& v, const System& sys) {
  size_t first = v.spec["root_objects"]["end"].get<size_t>();
  std::vector<std::pair<uint64_t, uint64_t>> json_uts, image_uts;
  for (size_t i = first; i < v.objects.size(); ++i) {
    const Json& o = v.objects[i]["object"];
    if (tag_of(o) != "Untyped") fail("object " + std::to_string(i) + " after root_objects is not an untyped");
    else json_uts.push_back({o["Untyped"]["paddr"].get<uint64_t>(), o["Untyped"]["size_bits"].get<uint64_t>()});
  }
  for (const auto& u : sys.untypeds) image_uts.push_back({u.paddr, u.size_bits});
  if (json_uts != image_uts)
    fail("the JSON's kernel untypeds (" + std::to_string(json_uts.size()) +
         ") differ from the image's bootinfo untyped list (" + std::to_string(image_uts.size()) + ")");
}

void check_covers(JsonView& v, const System& sys) {
  std::map<uint64_t, size_t> untyped_at;
  for (size_t u = 0; u < sys.untypeds.size(); ++u) untyped_at[sys.untypeds[u].paddr] = u;
  std::set<size_t> covered;
  for (const Json& c : v.spec["untyped_covers"]) {
    const Json& parent = v.objects[c["parent"].get<size_t>()]["object"];
    uint64_t paddr = parent["Untyped"]["paddr"].get<uint64_t>();
    if (!untyped_at.count(paddr)) {
      fail("a cover's parent at " + hex(paddr) + " is no kernel untyped");
      continue;
    }
    size_t u = untyped_at[paddr];
    covered.insert(u);
    const auto& objs = sys.per_untyped[u];
    size_t begin = c["children"]["start"].get<size_t>(), end = c["children"]["end"].get<size_t>();
    if (end - begin != objs.size()) {
      fail("untyped " + hex(paddr) + ": the JSON covers " + std::to_string(end - begin) +
           " objects, the image retypes " + std::to_string(objs.size()));
      continue;
    }
    for (size_t k = 0; k < objs.size(); ++k) {
      const SysObject& so = sys.objects[objs[k]];
      const Json& jo = v.objects[begin + k]["object"];
      std::string tag = tag_of(jo);
      std::string where = "untyped " + hex(paddr) + " object " + std::to_string(k) + " (" +
                          v.objects[begin + k]["name"].get<std::string>() + ")";
      if (tag != so.kind) {
        fail(where + ": JSON " + tag + ", image " + so.kind);
        continue;
      }
      link(v, begin + k, objs[k]);
      const Json& body = jo.is_string() ? jo : jo[tag];
      if ((tag == "Untyped" || tag == "Frame" || tag == "SchedContext" || tag == "CNode") &&
          body["size_bits"].get<uint32_t>() != so.size_bits)
        fail(where + ": size_bits " + std::to_string(body["size_bits"].get<uint32_t>()) + ", image " +
             std::to_string(so.size_bits));
      if ((tag == "Untyped" || tag == "Frame") && body["paddr"] != so.paddr)
        fail(where + ": paddr " + body["paddr"].dump() + ", image " + hex(so.paddr));
      if (tag == "PageTable" && body["is_root"].get<bool>() != so.is_root)
        fail(where + ": is_root differs");
    }
  }
  for (size_t u = 0; u < sys.per_untyped.size(); ++u)
    if (!sys.per_untyped[u].empty() && !covered.count(u))
      fail("the image retypes from untyped " + hex(sys.untypeds[u].paddr) + " but no JSON cover says so");
}

void check_ui_frames(JsonView& v, const System& sys) {
  std::map<uint64_t, size_t> json_frame_at;
  for (size_t i = 0; i < v.objects.size(); ++i) {
    const Json& o = v.objects[i]["object"];
    if (v.sys_of[i] == SIZE_MAX && tag_of(o) == "Frame" && !o["Frame"]["paddr"].is_null())
      json_frame_at[o["Frame"]["paddr"].get<uint64_t>()] = i;
  }
  for (const auto& [paddr, obj] : sys.ui_frames) {
    auto it = json_frame_at.find(paddr);
    if (it == json_frame_at.end()) fail("user-image frame at " + hex(paddr) + " is not in the JSON");
    else link(v, it->second, obj);
  }
}

// A JSON cap against an image cap; `where` names the slot.
void check_cap(JsonView& v, const System& sys, const Json& jcap, const SysCap& c, const std::string& where) {
  std::string tag = tag_of(jcap);
  const Json& body = jcap[tag];
  if (c.sched_core || tag == "SchedControl") {
    if (tag != "SchedControl" || !c.sched_core) fail(where + ": a SchedControl cap on one side only (JSON " + tag + ")");
    else if (body["core"].get<uint64_t>() != *c.sched_core)
      fail(where + ": SchedControl of core " + body["core"].dump() + ", image core " + std::to_string(*c.sched_core));
    return;
  }
  size_t jobj = body["object"].get<size_t>();
  if (c.smc) {
    if (tag != "ArmSmc") fail(where + ": image has the SMC cap, JSON " + tag);
    return;
  }
  if (c.ports) {
    const Json& p = v.objects[jobj]["object"];
    if (tag != "IOPorts" || tag_of(p) != "IOPorts") {
      fail(where + ": image has an I/O port cap, JSON " + tag);
      return;
    }
    if (p["IOPorts"]["start_port"].get<uint64_t>() != c.ports->first ||
        p["IOPorts"]["end_port"].get<uint64_t>() != c.ports->second)
      fail(where + ": ports " + p["IOPorts"].dump() + ", image " + std::to_string(c.ports->first) + ".." +
           std::to_string(c.ports->second));
    return;
  }
  if (c.irq) {
    const Json& irq_obj = v.objects[jobj]["object"];
    if (tag != irq_tags(sys.irqs[*c.irq]).second) {
      fail(where + ": image has an IRQ handler, JSON " + tag);
      return;
    }
    bool found = false;
    for (const Json& e : v.spec["irqs"])
      if (e["handler"].get<size_t>() == jobj) found = e["irq"].get<uint64_t>() == sys.irqs[*c.irq].irq;
    if (!found) fail(where + ": the handler is not for IRQ " + std::to_string(sys.irqs[*c.irq].irq));
    (void)irq_obj;
    return;
  }
  if (v.sys_of[jobj] != c.obj) {
    fail(where + ": JSON points at " + v.objects[jobj]["name"].get<std::string>() +
         ", which is not the image's object");
    return;
  }
  if (tag == "Endpoint" || tag == "Notification") {
    if (body["badge"].get<uint64_t>() != c.badge)
      fail(where + ": badge " + std::to_string(body["badge"].get<uint64_t>()) + ", image " +
           std::to_string(c.badge));
    if (rights_mask(body["rights"]) != c.rights)
      fail(where + ": rights " + body["rights"].dump() + ", image mask " + std::to_string(c.rights));
  }
}

// Frames the initial task fills by copying have their contents in the
// JSON's init: at most the bytes copied, and within a page of them (the
// copy runs to the end of the last 4 KiB page of the prefill).
// x86 prefill_bootinfo: the chunk the JSON names is the one the image copies.
void check_bootinfo_fill(const System& sys, size_t obj, const Json& b, const std::string& name) {
  static const char* const kIds[] = {"Padding", "X86Vbe", "X86Mbmmap", "X86AcpiRsdp",
                                     "X86FrameBuffer", "X86TscFreq", "Fdt"};
  auto it = sys.bootinfo_fills.find(obj);
  if (it == sys.bootinfo_fills.end()) {
    fail(name + ": the JSON fills it from bootinfo, the image does not");
    return;
  }
  auto [id, offset] = it->second;
  if (id >= std::size(kIds) || b["id"] != kIds[id] || b["offset"].get<uint64_t>() != offset)
    fail(name + ": bootinfo fill " + b.dump() + ", image chunk " + std::to_string(id) + " offset " +
         std::to_string(offset));
}

void check_fills(JsonView& v, const System& sys) {
  for (size_t i = 0; i < v.objects.size(); ++i) {
    size_t obj = v.sys_of[i];
    const Json& o = v.objects[i]["object"];
    if (obj == SIZE_MAX || sys.objects[obj].untyped == SIZE_MAX || tag_of(o) != "Frame") continue;
    uint64_t json_bytes = 0;
    std::string name = v.objects[i]["name"].get<std::string>();
    for (const Json& e : o["Frame"]["init"]["entries"]) {
      if (e["content"].contains("BootInfo")) {
        check_bootinfo_fill(sys, obj, e["content"]["BootInfo"], name);
        continue;
      }
      json_bytes += e["range"]["end"].get<uint64_t>() - e["range"]["start"].get<uint64_t>();
    }
    uint64_t copied = sys.fills.count(obj) ? sys.fills.at(obj) : 0;
    if (json_bytes > copied || json_bytes + 4096 <= copied)
      fail(name + ": the JSON fills " + std::to_string(json_bytes) +
           " bytes, the image copies " + std::to_string(copied));
  }
}

void check_cnodes(JsonView& v, const System& sys) {
  for (const auto& [cnode, slots] : sys.cnodes) {
    auto it = v.json_of.find(cnode);
    if (it == v.json_of.end()) {
      fail("a CNode the image fills is not in the JSON");
      continue;
    }
    const Json& jo = v.objects[it->second];
    const Json& jslots = jo["object"]["CNode"]["slots"];
    std::string name = jo["name"].get<std::string>();
    if (jslots.size() != slots.size())
      fail(name + ": " + std::to_string(jslots.size()) + " slots in the JSON, " +
           std::to_string(slots.size()) + " in the image");
    for (const Json& e : jslots) {
      uint64_t slot = e["slot"].get<uint64_t>();
      auto s = slots.find(slot);
      if (s == slots.end()) fail(name + " slot " + std::to_string(slot) + ": not filled by the image");
      else check_cap(v, sys, e["cap"], s->second, name + " slot " + std::to_string(slot));
    }
  }
}

// An x86 IRQ object's extra against the X86IrqIssue step's arguments.
void check_x86_irq(const Json& x, const is::X86IrqIssueStep& s, const std::string& where) {
  auto differs = [&](const char* key, uint64_t want) {
    if (x[key].get<uint64_t>() != want) fail(where + ": " + key + " " + x[key].dump() + ", image " + std::to_string(want));
  };
  if (s.source == is::kX86IrqMsi) {
    differs("handle", s.b);
    differs("pci_bus", s.a >> 8);
    differs("pci_dev", (s.a >> 3) & 0x1f);
    differs("pci_func", s.a & 7);
    return;
  }
  differs("ioapic", s.a);
  differs("pin", s.b);
  differs("level", (s.c & is::kX86IrqLevel) ? 1 : 0);
  differs("polarity", (s.c & is::kX86IrqActiveLow) ? 1 : 0);
}

// One JSON IO page table (and what it holds) against the image's space.
void check_iopt(JsonView& v, const SysIoSpace& image, size_t jid, uint32_t level, uint64_t prefix,
                const std::string& where, size_t& tables, size_t& frames) {
  auto t = image.tables.find({level, prefix});
  if (t == image.tables.end() || v.sys_of[jid] != t->second) {
    fail(where + ": IO page table at level " + std::to_string(level) + " is not the image's");
    return;
  }
  ++tables;
  for (const Json& e : v.objects[jid]["object"]["IOPageTable"]["slots"]) {
    uint64_t index = prefix << 9 | e["slot"].get<uint64_t>();
    std::string tag = tag_of(e["cap"]);
    size_t target = e["cap"][tag]["object"].get<size_t>();
    if (level + 1 < kIoptLevels) {
      if (tag != "IOPageTable") fail(where + ": a " + tag + " cap in a non-leaf IO page table");
      else check_iopt(v, image, target, level + 1, index, where, tables, frames);
      continue;
    }
    auto f = image.frames.find(index << 12);
    if (tag != "Frame" || f == image.frames.end() || v.sys_of[target] != f->second.first) {
      fail(where + ": iovaddr " + hex(index << 12) + " maps a frame the image does not map there");
      continue;
    }
    ++frames;
    if (rights_mask(e["cap"]["Frame"]["rights"]) != f->second.second)
      fail(where + ": iovaddr " + hex(index << 12) + " rights differ");
  }
}

// x86 IOMMU address spaces: each JSON IOSpace is an image space (by domain
// and PCI device) with the same tables and frames at the same addresses.
void check_io_spaces(JsonView& v, const System& sys) {
  size_t json_spaces = 0;
  std::set<size_t> unused = sys.iopt_pool;  // the pool's tables no space's tree takes: the spares
  for (const auto& [slot, s] : sys.io_spaces)
    for (const auto& [key, obj] : s.tables) unused.erase(obj);
  size_t spares = 0;
  for (size_t i = 0; i < v.objects.size(); ++i) {
    const Json& o = v.objects[i]["object"];
    if (tag_of(o) != "IOSpace") continue;
    ++json_spaces;
    const Json& io = o["IOSpace"];
    const Json& pci = io["pci_device"];
    uint64_t data = io["domain_id"].get<uint64_t>() << 16 | pci["bus"].get<uint64_t>() << 8 |
                    pci["device"].get<uint64_t>() << 3 | pci["function"].get<uint64_t>();
    std::string where = v.objects[i]["name"].get<std::string>();
    const SysIoSpace* image = nullptr;
    for (const auto& [slot, s] : sys.io_spaces)
      if (s.data == data) image = &s;
    if (!image) {
      fail(where + ": no IOMMU address space of the image has its domain and device");
      continue;
    }
    size_t tables = 0, frames = 0;
    for (const Json& e : io["slots"]) {
      if (tag_of(e["cap"]) != "IOPageTable") {
        fail(where + ": slot " + e["slot"].dump() + " holds no IO page table");
        continue;
      }
      size_t target = e["cap"]["IOPageTable"]["object"].get<size_t>();
      if (e["slot"] == 0) {
        check_iopt(v, *image, target, 0, 0, where, tables, frames);
      } else if (!unused.count(v.sys_of[target])) {
        fail(where + ": spare slot " + e["slot"].dump() + " is no unused table of the image's pool");
      } else {
        ++spares;
        if (!v.objects[target]["object"]["IOPageTable"]["slots"].empty()) fail(where + ": a spare table holds caps");
      }
    }
    if (tables != image->tables.size() || frames != image->frames.size())
      fail(where + ": " + std::to_string(tables) + " IO page tables and " + std::to_string(frames) +
           " frames in the JSON, the image has " + std::to_string(image->tables.size()) + " and " +
           std::to_string(image->frames.size()));
  }
  if (spares != unused.size())
    fail(std::to_string(spares) + " spare IO page tables in the JSON, " + std::to_string(unused.size()) +
         " unused in the image's pool");
  if (json_spaces != sys.io_spaces.size())
    fail(std::to_string(json_spaces) + " IOSpaces in the JSON, " + std::to_string(sys.io_spaces.size()) + " in the image");
}

void check_irqs(JsonView& v, const System& sys) {
  if (v.spec["irqs"].size() != sys.irqs.size())
    fail(std::to_string(v.spec["irqs"].size()) + " IRQs in the JSON, " + std::to_string(sys.irqs.size()) +
         " in the image");
  for (const SysIrq& irq : sys.irqs) {
    const Json* entry = nullptr;
    for (const Json& e : v.spec["irqs"])
      if (e["irq"].get<uint64_t>() == irq.irq) entry = &e;
    std::string where = "IRQ " + std::to_string(irq.irq);
    if (!entry) {
      fail(where + ": not in the JSON");
      continue;
    }
    const Json& holder = v.objects[(*entry)["handler"].get<size_t>()]["object"];
    std::string tag = irq_tags(irq).first;
    if (tag_of(holder) != tag) {
      fail(where + ": JSON object " + tag_of(holder) + ", image " + tag);
      continue;
    }
    const Json& obj = holder[tag];
    if (irq.x86) check_x86_irq(obj["extra"], *irq.x86, where);
    else if (obj["extra"]["trigger"].get<uint32_t>() != irq.trigger) fail(where + ": trigger differs");
    if (obj["slots"].size() != 1 || obj["slots"][0]["slot"] != 0) {
      fail(where + ": the handler object must hold its notification in slot 0");
      continue;
    }
    const Json& ncap = obj["slots"][0]["cap"]["Notification"];
    if (v.sys_of[ncap["object"].get<size_t>()] != irq.notification.obj) fail(where + ": notification differs");
    if (ncap["badge"].get<uint64_t>() != irq.notification.badge) fail(where + ": badge differs");
  }
}

uint32_t entry_bits(uint32_t level) { return 12 + 9 * (g_arch.last_level - level); }

// Every frame and table a JSON page-table tree maps, by virtual address.
void walk(const JsonView& v, size_t table, uint64_t base, std::map<uint64_t, const Json*>& frames,
          std::set<std::pair<uint64_t, size_t>>& tables) {
  const Json& pt = v.objects[table]["object"]["PageTable"];
  uint32_t bits = entry_bits(pt["level"].get<uint32_t>());
  for (const Json& e : pt["slots"]) {
    uint64_t vaddr = base + (e["slot"].get<uint64_t>() << bits);
    std::string tag = tag_of(e["cap"]);
    size_t obj = e["cap"][tag]["object"].get<size_t>();
    if (tag == "PageTable") {
      tables.insert({vaddr, obj});
      walk(v, obj, vaddr, frames, tables);
    } else {
      frames[vaddr] = &e["cap"]["Frame"];
    }
  }
}

void check_vspaces(JsonView& v, const System& sys) {
  for (const auto& [vspace, maps] : sys.mappings) {
    auto it = v.json_of.find(vspace);
    if (it == v.json_of.end()) {
      fail("a VSpace the image maps into is not in the JSON");
      continue;
    }
    std::string name = v.objects[it->second]["name"].get<std::string>();
    std::map<uint64_t, const Json*> frames;
    std::set<std::pair<uint64_t, size_t>> json_tables;
    walk(v, it->second, 0, frames, json_tables);
    if (frames.size() != maps.size())
      fail(name + ": " + std::to_string(frames.size()) + " frames mapped in the JSON, " +
           std::to_string(maps.size()) + " in the image");
    for (const auto& [vaddr, m] : maps) {
      auto f = frames.find(vaddr);
      std::string where = name + " at " + hex(vaddr);
      if (f == frames.end()) {
        fail(where + ": mapped by the image, not in the JSON");
        continue;
      }
      const Json& cap = *f->second;
      if (v.sys_of[cap["object"].get<size_t>()] != m.frame) fail(where + ": a different frame");
      uint32_t r = rights_mask(cap["rights"]) & (is::kRightRead | is::kRightWrite);
      if (r != m.rights) fail(where + ": rights differ");
      if (cap["cached"].get<bool>() != bool(m.attributes & is::kMapCacheable)) fail(where + ": cacheability differs");
      if (cap["executable"].get<bool>() != bool(m.attributes & is::kMapExecutable)) fail(where + ": executability differs");
    }
    std::set<std::pair<uint64_t, size_t>> image_tables;
    for (const auto& [vaddr, pt] : sys.tables.count(vspace) ? sys.tables.at(vspace) : decltype(image_tables){})
      image_tables.insert({vaddr, v.json_of.count(pt) ? v.json_of.at(pt) : SIZE_MAX});
    if (image_tables != json_tables) fail(name + ": the page tables differ");
  }
}

void check_tcbs(JsonView& v, const System& sys) {
  for (const auto& [tcb, t] : sys.tcbs) {
    auto it = v.json_of.find(tcb);
    if (it == v.json_of.end()) {
      fail("a TCB the image configures is not in the JSON");
      continue;
    }
    std::string name = v.objects[it->second]["name"].get<std::string>();
    const Json& jt = v.objects[it->second]["object"]["Tcb"];
    const Json& x = jt["extra"];
    std::map<uint64_t, const Json*> slot;
    for (const Json& e : jt["slots"]) slot[e["slot"].get<uint64_t>()] = &e["cap"];
    // A slot the image leaves empty (SIZE_MAX: a vCPU's thread has no IPC
    // buffer or notification, a PD's no VCPU) is absent from the JSON.
    auto points = [&](uint64_t s, size_t obj, const char* what) {
      bool differs = obj == SIZE_MAX ? slot.count(s) != 0
                                     : !slot.count(s) || v.sys_of[(*slot[s]).begin().value()["object"].get<size_t>()] != obj;
      if (differs) fail(name + ": " + what + " differs");
    };
    points(0, t.cspace, "cspace");
    points(1, t.vspace, "vspace");
    points(4, t.ipc_frame, "ipc buffer frame");
    points(6, t.sc, "scheduling context");
    points(8, t.notification, "bound notification");
    points(9, t.vcpu, "bound VCPU");
    if (slot.count(5)) check_cap(v, sys, *slot[5], t.fault, name + " fault endpoint");
    else fail(name + ": no fault endpoint");
    if (slot.count(0) && (*slot[0])["CNode"]["guard_size"].get<uint64_t>() != (t.cspace_data & 0x3f))
      fail(name + ": cspace guard size differs");
    auto eq = [&](const char* key, uint64_t want) {
      if (x[key].get<uint64_t>() != want) fail(name + ": " + key + " " + x[key].dump() + ", image " + std::to_string(want));
    };
    eq("ipc_buffer_addr", t.ipc_vaddr);
    eq("prio", t.prio);
    eq("max_prio", t.mcp);
    eq("ip", t.pc);
    eq("sp", t.sp);
    if (x["resume"].get<bool>() != t.resumed) fail(name + ": resume differs");
    if (x["fpu_disabled"].get<bool>() != t.fpu_disabled) fail(name + ": fpu_disabled differs");
    if (x["domain"].is_null() ? t.domain.has_value() : (!t.domain || x["domain"].get<uint64_t>() != *t.domain))
      fail(name + ": domain differs");
    if (sys.scs.count(t.sc)) {
      const SysSc& sc = sys.scs.at(t.sc);
      eq("affinity", sc.core);
      const Json& js = v.objects[v.json_of.at(t.sc)]["object"]["SchedContext"]["extra"];
      if (js["budget"].get<uint64_t>() != sc.budget || js["period"].get<uint64_t>() != sc.period)
        fail(name + ": budget or period differs");
    }
  }
}

// ---------------------------------------------------------------------------
// 3. The .cdl text: a grammar check of the subset the tool writes, then the
// same content as the JSON.

struct Lexer {
  std::string text;
  size_t pos = 0;
  int line = 1;
  std::string error;

  void skip() {
    for (;;) {
      while (pos < text.size() && isspace(uint8_t(text[pos]))) line += text[pos++] == '\n';
      if (text.compare(pos, 2, "--") == 0) {
        while (pos < text.size() && text[pos] != '\n') ++pos;
        continue;
      }
      return;
    }
  }
  bool eat(const std::string& tok) {
    skip();
    if (text.compare(pos, tok.size(), tok) != 0) return false;
    pos += tok.size();
    return true;
  }
  void expect(const std::string& tok) {
    if (!eat(tok) && error.empty()) error = "line " + std::to_string(line) + ": expected '" + tok + "'";
  }
  std::string word() {  // identifier or number (capDL: letters, digits, _ - @ .)
    skip();
    size_t start = pos;
    while (pos < text.size() && (isalnum(uint8_t(text[pos])) || strchr("_@.", text[pos]))) ++pos;
    if (start == pos && error.empty()) error = "line " + std::to_string(line) + ": expected a name or number";
    return text.substr(start, pos - start);
  }
  bool at(char c) {
    skip();
    return pos < text.size() && text[pos] == c;
  }
};

struct CdlObject {
  std::string type;
  std::vector<std::string> params;  // each "key: value" or a bare word, as written
  std::vector<std::string> covers;
};
struct Cdl {
  std::map<std::string, CdlObject> objects;
  std::map<std::string, std::map<std::string, std::pair<std::string, std::vector<std::string>>>> caps;
  std::map<uint64_t, std::string> irqs;
};

const std::set<std::string> kObjectTypes = {"ep", "notification", "tcb", "cnode", "ut", "arm_irq", "irq", "pt",
                                            "pd", "pud", "pgd", "frame", "vcpu", "sc", "rtreply", "smc",
                                            "pml4", "pdpt", "ioapic_irq", "msi_irq", "io_ports", "io_device",
                                            "io_pt"};

std::vector<std::string> param_list(Lexer& lx) {
  std::vector<std::string> out;
  if (!lx.eat("(")) return out;
  for (;;) {
    std::string p;
    int depth = 0;
    lx.skip();
    while (lx.pos < lx.text.size() && (depth > 0 || (lx.text[lx.pos] != ',' && lx.text[lx.pos] != ')'))) {
      char c = lx.text[lx.pos++];
      depth += (c == '[' || c == '(') - (c == ']' || c == ')');
      p += c;
    }
    while (!p.empty() && isspace(uint8_t(p.back()))) p.pop_back();
    out.push_back(p);
    if (lx.eat(")")) return out;
    lx.expect(",");
    if (!lx.error.empty()) return out;
  }
}

std::optional<Cdl> parse_cdl(const std::string& text, std::string& error) {
  Lexer lx;
  lx.text = text;
  Cdl cdl;
  lx.expect("arch");
  if (lx.word() != g_arch.cdl_arch && lx.error.empty()) lx.error = std::string("expected arch ") + g_arch.cdl_arch;
  lx.expect("objects");
  lx.expect("{");
  while (lx.error.empty() && !lx.eat("}")) {
    std::string name = lx.word();
    lx.expect("=");
    CdlObject o;
    o.type = lx.word();
    if (!kObjectTypes.count(o.type) && lx.error.empty()) lx.error = "unknown object type '" + o.type + "'";
    o.params = param_list(lx);
    if (lx.eat("{"))
      while (lx.error.empty() && !lx.eat("}")) o.covers.push_back(lx.word());
    if (!cdl.objects.emplace(name, o).second && lx.error.empty()) lx.error = "object " + name + " declared twice";
  }
  lx.expect("caps");
  lx.expect("{");
  while (lx.error.empty() && !lx.eat("}")) {
    std::string holder = lx.word();
    lx.expect("{");
    while (lx.error.empty() && !lx.eat("}")) {
      std::string slot = lx.word();
      lx.expect(":");
      std::string target = lx.word();
      cdl.caps[holder][slot] = {target, param_list(lx)};
    }
  }
  lx.expect("irq maps");
  lx.expect("{");
  while (lx.error.empty() && !lx.eat("}")) {
    std::string irq = lx.word();
    lx.expect(":");
    cdl.irqs[std::stoull(irq.empty() ? "0" : irq, nullptr, 0)] = lx.word();
  }
  lx.skip();
  if (lx.error.empty() && lx.pos != lx.text.size()) lx.error = "text after the irq maps";
  error = lx.error;
  if (!error.empty()) return std::nullopt;
  return cdl;
}

bool has_param(const CdlObject& o, const std::string& p) {
  for (const auto& q : o.params)
    if (q == p) return true;
  return false;
}

const char* cdl_type(const Json& o) {
  std::string tag = tag_of(o);
  if (tag == "Endpoint") return "ep";
  if (tag == "Notification") return "notification";
  if (tag == "Reply") return "rtreply";
  if (tag == "Tcb") return "tcb";
  if (tag == "CNode") return "cnode";
  if (tag == "Untyped") return "ut";
  if (tag == "Frame") return "frame";
  if (tag == "SchedContext") return "sc";
  if (tag == g_arch.irq) return g_arch.cdl_irq;
  if (tag == "IrqMsi") return "msi_irq";
  if (tag == "IOPorts") return "io_ports";
  if (tag == "IOSpace") return "io_device";
  if (tag == "IOPageTable") return "io_pt";
  if (tag == "ArmSmc") return "smc";
  if (tag == "VCpu") return "vcpu";
  if (tag == "PageTable") {
    if (g_arch.one_table_type) return "pt";
    return g_arch.table_names[o["PageTable"]["level"].get<uint32_t>() & 3];
  }
  return "?";
}

// An object's declaration: type, address, size, TCB registers and priority.
void check_cdl_declaration(const std::string& name, const Json& o, const CdlObject& co) {
  if (co.type != cdl_type(o)) fail(name + ": .cdl type " + co.type + ", JSON " + cdl_type(o));
  std::string tag = tag_of(o);
  if (tag == "Untyped" || tag == "Frame") {
    uint64_t paddr = o[tag]["paddr"].get<uint64_t>();
    if (!has_param(co, "paddr: " + hex(paddr))) fail(name + ": .cdl lacks paddr " + hex(paddr));
  }
  if (tag == "CNode" || tag == "Untyped") {
    std::string bits = std::to_string(o[tag]["size_bits"].get<uint32_t>()) + " bits";
    if (!has_param(co, bits)) fail(name + ": .cdl lacks '" + bits + "'");
  }
  if (tag != "Tcb") return;
  const Json& x = o["Tcb"]["extra"];
  for (const auto& [key, want] : {std::pair{"ip", hex(x["ip"].get<uint64_t>())},
                                 std::pair{"sp", hex(x["sp"].get<uint64_t>())},
                                 std::pair{"prio", std::to_string(x["prio"].get<uint64_t>())}})
    if (!has_param(co, std::string(key) + ": " + want)) fail(name + ": .cdl lacks " + key + ": " + want);
}

// An object's caps: the same slots (TCB slots by their capDL names)
// holding caps to the same objects, with the same badges.
void check_cdl_caps(const Json& objects, const std::string& name, const Json& o, const Cdl& cdl) {
  static const std::map<uint64_t, std::string> tcb_slots = {
      {0, "cspace"}, {1, "vspace"}, {4, "ipc_buffer_slot"}, {5, "fault_ep_slot"}, {6, "sc_slot"},
      {8, "bound_notification"}};
  std::string tag = tag_of(o);
  const Json* slots = o.is_object() && o[tag].is_object() && o[tag].contains("slots") ? &o[tag]["slots"] : nullptr;
  size_t want = slots ? slots->size() : 0;
  auto held = cdl.caps.find(name);
  size_t have = held == cdl.caps.end() ? 0 : held->second.size();
  if (want != have) {
    fail(name + ": " + std::to_string(have) + " caps in the .cdl, " + std::to_string(want) + " in the JSON");
    return;
  }
  for (size_t i = 0; i < want; ++i) {
    const Json& e = (*slots)[i];
    uint64_t s = e["slot"].get<uint64_t>();
    std::string key = tag == "Tcb" && tcb_slots.count(s) ? tcb_slots.at(s) : std::to_string(s);
    auto c = held->second.find(key);
    std::string ctag = tag_of(e["cap"]);
    if (ctag == "SchedControl") {  // capDL-tool: `slot: sched_control (core: N)`
      std::string core = "core: " + std::to_string(e["cap"][ctag]["core"].get<uint64_t>());
      bool same = c != held->second.end() && c->second.first == "sched_control" && c->second.second.size() == 1 &&
                  c->second.second[0] == core;
      if (!same) fail(name + " slot " + key + ": the .cdl does not hold sched_control (" + core + ")");
      continue;
    }
    std::string target = objects[e["cap"][ctag]["object"].get<size_t>()]["name"].get<std::string>();
    if (c == held->second.end() || c->second.first != target) {
      fail(name + " slot " + key + ": the .cdl does not hold " + target);
      continue;
    }
    uint64_t badge = e["cap"][ctag].value("badge", uint64_t{0});
    bool has_badge = false;
    for (const auto& p : c->second.second) has_badge |= p == "badge: " + std::to_string(badge);
    if (badge && !has_badge) fail(name + " slot " + key + ": the .cdl lacks badge " + std::to_string(badge));
  }
}

// The irq maps and the untypeds' covers.
void check_cdl_irqs_and_covers(const Json& spec, const Cdl& cdl) {
  const Json& objects = spec["objects"];
  std::map<uint64_t, std::string> irqs;
  for (const Json& e : spec["irqs"]) irqs[e["irq"].get<uint64_t>()] = objects[e["handler"].get<size_t>()]["name"];
  if (irqs != cdl.irqs) fail("the .cdl's irq maps differ from the JSON's irqs");
  for (const Json& c : spec["untyped_covers"]) {
    std::string parent = objects[c["parent"].get<size_t>()]["name"].get<std::string>();
    std::vector<std::string> want;
    for (size_t k = c["children"]["start"].get<size_t>(); k < c["children"]["end"].get<size_t>(); ++k)
      want.push_back(objects[k]["name"].get<std::string>());
    if (!cdl.objects.count(parent) || cdl.objects.at(parent).covers != want)
      fail(parent + ": the .cdl covers other objects than the JSON");
  }
}

void check_cdl(const Json& spec, const Cdl& cdl) {
  const Json& objects = spec["objects"];
  if (cdl.objects.size() != objects.size())
    fail(std::to_string(cdl.objects.size()) + " objects in the .cdl, " + std::to_string(objects.size()) +
         " in the JSON");
  for (const Json& jo : objects) {
    std::string name = jo["name"].get<std::string>();
    auto it = cdl.objects.find(name);
    if (it == cdl.objects.end()) {
      fail(".cdl lacks object " + name);
      continue;
    }
    check_cdl_declaration(name, jo["object"], it->second);
    check_cdl_caps(objects, name, jo["object"], cdl);
  }
  for (const auto& [holder, slots] : cdl.caps)
    if (!cdl.objects.count(holder)) fail(".cdl caps of an undeclared object " + holder);
  check_cdl_irqs_and_covers(spec, cdl);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--spec") return spec_mode(argv[2], argv[3]);
  if (argc != 4 && argc != 5) {
    std::cerr << "usage: capdl_check KERNEL_PKG IMAGE SPEC_JSON [SPEC_CDL]\n"
                 "       capdl_check --spec KERNEL_PKG IMAGE\n";
    return 2;
  }
  microkit::Diagnostics diags;
  auto pkg = microkit::kernel::load_kernel_package(argv[1], diags);
  auto img = microkit::read_file_bytes(argv[2]);
  if (img) *img = strip_uimage(std::move(*img));
  if (pkg) g_arch = arch_names(pkg->config.arch);
  auto json_text = microkit::read_file_bytes(argv[3]);
  if (!pkg || !img || !json_text) {
    std::cerr << "capdl_check: cannot read the kernel package, the image or the JSON\n";
    return 2;
  }
  auto sys = replay_image(*img, pkg->sizes);
  if (!sys) {
    std::cerr << "capdl_check: " << argv[2] << " holds no initialiser spec this checker reads\n";
    return 2;
  }
  Json spec = Json::parse(json_text->begin(), json_text->end(), nullptr, false);
  if (spec.is_discarded()) {
    std::cout << "MISMATCH: " << argv[3] << " is not valid JSON\n";
    return 1;
  }
  try {
    JsonView v{spec, spec["objects"], std::vector<size_t>(spec["objects"].size(), SIZE_MAX), {}};
    check_untypeds(v, *sys);
    check_covers(v, *sys);
    check_ui_frames(v, *sys);
    check_fills(v, *sys);
    check_cnodes(v, *sys);
    check_irqs(v, *sys);
    check_io_spaces(v, *sys);
    check_vspaces(v, *sys);
    check_tcbs(v, *sys);
    if (argc == 5) {
      auto text = microkit::read_file_bytes(argv[4]);
      std::string error;
      auto cdl = text ? parse_cdl(std::string(text->begin(), text->end()), error) : std::nullopt;
      if (!cdl) fail(std::string(argv[4]) + " is not well-formed capDL: " + (text ? error : "cannot read it"));
      else check_cdl(spec, *cdl);
    }
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("the JSON does not have the expected shape: ") + e.what());
  }
  if (g_failures) {
    std::cout << g_failures << " differences\n";
    return 1;
  }
  std::cout << "capDL JSON" << (argc == 5 ? " and .cdl" : "") << " match the image: "
            << sys->objects.size() << " objects, " << sys->irqs.size() << " IRQs, "
            << sys->cnodes.size() << " CNodes, " << sys->untypeds.size() << " untypeds\n";
  return 0;
}
