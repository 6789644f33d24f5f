// devices.h: the x86-64 device steps of the spec (I/O ports, IOAPIC and MSI
// interrupts, memory filled from bootinfo, IOMMU mappings; docs/x86.md).
// On other architectures the tool never writes these steps and the
// initialiser refuses them.
#pragma once

#include <stdint.h>

extern "C" {
#include <sel4/sel4.h>
}

#include "runtime/initialiser/spec_decode.h"

namespace microkit::initialiser::devices {

#if defined(CONFIG_ARCH_X86_64)
// The seL4_ObjectType of an IOMMU page table; false without an IOMMU.
bool io_page_table_type(seL4_Word* type);
// Performs one checked X86* step.
seL4_Error invoke(const spec::Step& step, const BootFacts& boot);
#else
inline bool io_page_table_type(seL4_Word*) { return false; }
inline seL4_Error invoke(const spec::Step&, const BootFacts&) { return seL4_IllegalOperation; }
#endif

}  // namespace microkit::initialiser::devices
