// Checks of a <virtual_machine>'s <linux> guest against the files it names:
// the kernel Image, the device tree and the initrd must fit guest RAM where
// the VMM library places them, guest RAM must hold the memory the device
// tree gives Linux, and no guest memory may be mapped over a device of the
// guest's device tree (docs/virtual-machines.md, "What the tool checks").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::sdf {

// `prefills`: the prefill files read so far, keyed by prefill_path. A file
// missing there is skipped (the build reports it).
void check_linux_guests(const SystemDescription& sd,
                        const std::map<std::string, std::vector<uint8_t>>& prefills, Diagnostics& diags);

// The VMM library's placement (runtime/vmm/vmm.cc, image.cc), for the checks and their tests.
inline constexpr uint64_t kGuestDtbSlot = 0x200000;  // the DTB's place: the top 2 MiB of guest RAM

}  // namespace microkit::sdf
