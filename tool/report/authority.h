// The authority report (docs/cspace.md): for every PD, what it can reach,
// derived from the Plan alone, so that questions such as "which PDs can
// write to the key store?" have an answer before anything boots.
//
// Per PD: the memory regions it can read, write or execute (mapped, or as
// frame caps from <cap_mr>), the PDs it can signal, call or wait on, whose
// TCB, SC, VSpace, CNode, IRQ handler or x86 I/O ports it holds (children and <cspace> grants), whose
// faults it receives, its IRQs, and what it can create: untyped bytes, empty
// CNodes, SchedControl. Per MR, the inverse: who reads and who writes it.
// Pure: returns text or JSON, writes nothing.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace microkit::report {

struct MrAccess {
  bool read = false, write = false, execute = false;
  std::vector<std::string> via;  // "mapped at 0x...", "frame caps in cspace 7..8"
};

struct PdAuthority {
  std::string name;
  std::map<std::string, MrAccess> mrs;                  // by MR name
  std::map<std::string, std::vector<std::string>> pds;  // other PD (or itself) -> what it can do
  std::vector<uint64_t> irqs;
  uint64_t untyped_bytes = 0;
  uint64_t untyped_objects = 0;
  std::vector<uint64_t> empty_cnode_slots;  // slots of each empty CNode granted
  std::vector<uint64_t> sched_control_cpus;
  uint64_t free_slots = 0;  // promised by <free_slots>
};

// One entry per PD, each followed by one for its virtual machine, if any
// (named after the VM: what its guest maps).
std::vector<PdAuthority> authority(const plan::Plan& plan);
std::string authority_text(const std::vector<PdAuthority>& pds);
std::string authority_json(const std::vector<PdAuthority>& pds);

}  // namespace microkit::report
