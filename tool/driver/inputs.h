// Inputs: the files a system description names, found and read.
//
// A system description names program images (program_image path and
// path_for_symbols) and prefill files (memory_region prefill_path). This
// part finds each one through the search path, reads it, and gathers the
// results into plan::Inputs for the planner, so that planning itself does no
// I/O. It also sizes memory regions that omit `size` from their prefill file.
//
// Resolution follows the official tool: an absolute path is used as is; a
// relative one is tried under each search directory in order (the user's
// --search-path folders, then the current directory, always last), and the
// first existing regular file wins.
//
// Every problem is a diagnostic at the SDF attribute that named the file
// (missing file, unreadable file, program for another architecture, prefill
// larger than its region); problems inside an ELF are reported by the ELF
// reader against the ELF file itself. Each file is read once even when
// several elements name it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "board/board.h"
#include "plan/plan.h"
#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::driver {

// The directories to search, in order: `user_dirs` (relative ones taken from
// `cwd`), then `cwd` itself.
std::vector<std::string> search_dirs(const std::vector<std::string>& user_dirs,
                                     const std::string& cwd);

// The file `path` names: `path` itself when absolute, else the first
// `dir/path` that is an existing regular file.
std::optional<std::string> resolve_path(const std::string& path,
                                        const std::vector<std::string>& dirs);

// The ELF e_machine value programs for `arch` must have. The host board runs
// programs natively, so it expects this machine's own (EM_X86_64 on x86-64).
uint16_t elf_machine_for(board::Arch arch);

// Finds and reads every program image and prefill file `sd` names, and sets
// the size of every memory region that has a prefill file but no size (the
// file's size rounded up to the region's page size, or the board's smallest).
plan::Inputs load_inputs(sdf::SystemDescription& sd, const board::Board& board,
                         const std::vector<std::string>& dirs, Diagnostics& diags);

}  // namespace microkit::driver
