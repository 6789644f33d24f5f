// perf_script: the profiler's samples (runtime/shared/profile_format.h) as
// `perf script` text, which flame-graph tools (stackcollapse-perf.pl) and
// the Firefox Profiler read, and as a per-PD utilisation table.
//
// Each sample's pcs are symbolised with the PD's own program (its ELF
// symbol table, FUNC symbols): "name+0xoff (program path)", or
// "[unknown] (program path)" for a pc outside every function (shared
// libraries on the host). One perf "process" per PD: pid = PD index + 1,
// comm = the PD's name.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "elf/elf_file.h"
#include "plan/plan.h"
#include "support/diagnostics.h"

namespace microkit::profile {

struct PdSamples {
  uint64_t hz = 0;
  uint64_t bias = 0;     // subtracted from pcs at or above it
  uint64_t dropped = 0;
  std::vector<std::pair<uint64_t, std::vector<uint64_t>>> samples;  // (time ns, pcs)
};

// Reads the marked lines of `text` (other lines are skipped).
std::vector<PdSamples> parse_samples(std::string_view text, const plan::Plan& plan,
                                     const std::string& file, Diagnostics& diags);

// `programs[i]`: PD i's ELF, or nullptr (then pcs stay unsymbolised).
std::string perf_script(const std::vector<PdSamples>& pds, const plan::Plan& plan,
                        const std::vector<const elf::ElfFile*>& programs);

// Per PD: samples, share of all samples, CPU time (samples / hz), and the
// function most samples were in (with its share of the PD's samples).
std::string utilisation_table(const std::vector<PdSamples>& pds, const plan::Plan& plan,
                              const std::vector<const elf::ElfFile*>& programs);

// The function containing link-time address `pc`, as "name+0xoff", or "".
std::string symbolise(const elf::ElfFile& elf, uint64_t pc);

}  // namespace microkit::profile
