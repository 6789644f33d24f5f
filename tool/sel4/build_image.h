// build_image: the seL4 back end's driver. Plan + kernel package + the
// loader, kernel and initial task binaries -> the bootable image (raw or
// ELF) and the -r report.
//
// Steps (make_system_image):
//   1. the kernel's segments go to their physical addresses; the user image
//      starts at the first page after the kernel image (ki_end);
//   2. the user image holds, in this order and page-aligned: the initial
//      task's segments (virtual layout kept), the spec (reserved space),
//      every PD program page (all of each PT_LOAD segment's memsz, so .bss
//      needs no copying either), every prefilled MR's pages;
//   3. boot emulation predicts the untypeds for that extent; seL4 planning
//      places every object (plan/sel4_plan.h); the spec is written
//      (spec_writer.h); when it outgrows the space reserved for it the
//      reservation grows and steps 2-3 run again (the extent changes the
//      untypeds, so nothing is reused);
//   4. symbol patches (setvar, and libmicrokit's variables per
//      runtime/shared/pd_abi.h) are written into the PD pages;
//   5. the image writer lays out and writes loader + regions; on x86-64 the
//      user image becomes the multiboot boot module instead, with the kernel
//      beside it (arch/x86_64/multiboot.h).
// Nothing here re-decides the Plan. Errors are diagnostics; no file is
// written unless every step succeeded.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "debug/fault_symbols.h"
#include "elf/elf_file.h"
#include "kernel/boot_emulation.h"
#include "kernel/kernel_package.h"
#include "plan/plan.h"
#include "plan/sel4_plan.h"
#include "report/physical_map.h"
#include "sdf/system_description.h"
#include "sel4/capdl_spec.h"
#include "support/diagnostics.h"

namespace microkit::sel4 {

// Binary: the raw image; Elf: wrapped in ELF; Uimage: wrapped in a U-Boot
// legacy header (sel4/uimage.h).
enum class ImageFormat { Binary, Elf, Uimage };

// Where the binaries come from; see docs/sel4-backend.md for the defaults.
struct BuildOptions {
  std::string output;                   // the image file to write
  ImageFormat format = ImageFormat::Binary;
  std::optional<std::string> report;    // -r: the report file
  std::string loader;                   // loader ELF (or raw .bin)
  std::string initialiser;              // initial task ELF
  std::optional<std::string> kernel;    // kernel ELF; default: the package's
  std::optional<std::string> capdl_json;  // --capdl-json: the capDL spec as JSON
  std::optional<std::string> capdl_text;  // --capdl: the capDL spec as .cdl text
  std::optional<std::string> capdl_json_extended;  // --capdl-json-extended (capdl_json.h)
  const sdf::SystemDescription* sdf = nullptr;  // for diagnostics' locations
  std::optional<std::string> diagram;   // --diagram: the HTML page (report/diagram.h)
  std::string_view sdf_text;            // the SDF's text, for the page's source lines
  bool write_image = true;              // false for `microkit diagram`: only the page
  // Embed each PD's fault symbol table (debug configurations that print;
  // --no-fault-symbols leaves them out; docs/debugging.md).
  bool fault_symbols = true;
};

// The pure core's inputs: everything already read.
struct SystemImageInputs {
  std::string loader_name;
  std::vector<uint8_t> loader;          // raw loader binary (LoaderInfo at byte 8)
  std::shared_ptr<const elf::ElfFile> kernel;  // shared with the kernel package: not copied
  elf::ElfFile initialiser;
  std::vector<const elf::ElfFile*> programs;  // parallel to Plan::pds
  uint64_t load_address = 0;
  const sdf::SystemDescription* sdf = nullptr;
  bool want_capdl = false;              // fill SystemImage::capdl (only when asked: it costs time)
  // Parallel to `programs` (or empty): each PD's fault symbol table for the
  // spec (runtime/shared/fault_symbols.h), empty for none.
  std::vector<std::vector<uint8_t>> fault_symbols;
};

// Each PD's fault symbol table (debug/fault_symbols.h) for
// SystemImageInputs::fault_symbols, warning where one is cut down to its
// functions or left out to keep within `cap` bytes.
std::vector<std::vector<uint8_t>> fault_symbol_tables(const plan::Plan& plan,
                                                      const std::vector<const elf::ElfFile*>& programs,
                                                      Diagnostics& diags,
                                                      size_t cap = debug::kFaultSymbolsCap);

struct UserImageLayout {
  uint64_t paddr = 0, vaddr = 0, size = 0;  // the whole user image
  uint64_t spec_offset = 0, spec_reserved = 0;
  uint64_t entry = 0;                       // initial task entry (virtual)
};

struct SystemImage {
  std::vector<uint8_t> bytes;               // raw image (ImageFormat::Binary)
  std::vector<uint8_t> elf_bytes;           // the same wrapped in ELF
  // x86-64 (arch::ImageKind::MultibootModule): `bytes` and `elf_bytes` are
  // the boot module (the initial task ELF holding the whole user image); the
  // kernel goes beside it as-is (sel4.elf) and as ELF32 (sel4_32.elf), the
  // file QEMU's -kernel and other multiboot loaders take.
  bool multiboot = false;
  std::vector<uint8_t> kernel_elf;
  std::vector<uint8_t> kernel_elf32;
  plan::Sel4Plan sel4;
  kernel::BootResult boot;
  UserImageLayout user_image;
  uint64_t spec_size = 0;
  std::string report;
  report::PhysicalMap physical;             // where everything sits, for the diagram
  capdl::Spec capdl;                        // the same system in capDL terms (want_capdl)
};

std::optional<SystemImage> make_system_image(const plan::Plan& plan,
                                             const kernel::KernelPackage& package,
                                             const SystemImageInputs& in, Diagnostics& diags);

// The raw binary of a loader ELF: its PT_LOAD segments' file bytes from the
// lowest physical address (what `objcopy -O binary` gives).
std::vector<uint8_t> loader_binary(const elf::ElfFile& loader);

// Reads the binaries, makes the image and writes it (and the report).
// `inputs` holds the PD programs plan::build was given.
bool build_sel4_image(const plan::Plan& plan, const kernel::KernelPackage& package,
                      const plan::Inputs& inputs, const BuildOptions& options, Diagnostics& diags);

// What the command line asks for; the binaries and the kernel package are
// found as docs/sel4-backend.md says ($MICROKIT_SDK, $MICROKIT_KERNEL_ROOT,
// $MICROKIT_LOADER, $MICROKIT_INITIALISER). Paths are already absolute or
// relative to the process's working directory.
struct CliRequest {
  std::string board, config;
  std::string output, report;
  ImageFormat format = ImageFormat::Binary;
  std::optional<std::string> override_kernel;
  const sdf::SystemDescription* sdf = nullptr;
  // The package already read for this board and config (driver::check),
  // used when it is the one kernel_package_dir names; else it is read here.
  const kernel::KernelPackage* package = nullptr;
  std::optional<std::string> capdl_json, capdl_text, capdl_json_extended;
  board::Arch arch = board::Arch::AArch64;  // the board's: x86-64 needs no loader
  std::optional<std::string> diagram;       // --diagram / `microkit diagram`: the page
  std::string_view sdf_text;
  bool write_image = true;                  // false: write the page only
  bool fault_symbols = true;                // false: --no-fault-symbols
};
// The kernel package for `board` and `config`: the SDK's board folder when
// it holds a kernel (the one its loader and initial task were built for),
// else $MICROKIT_KERNEL_ROOT/<board>/<config> (default root /opt/sel4-16.0.0).
std::string kernel_package_dir(const std::string& board, const std::string& config);

// What an image for `board` and `config` needs that this tool cannot find
// (a kernel, the loader, the initial task), in words; empty when a build
// would find everything (`microkit boards` marks those configurations).
std::string missing_image_inputs(const std::string& board, const std::string& config,
                                 board::Arch arch);

bool build_sel4_for_cli(const plan::Plan& plan, const plan::Inputs& inputs, const CliRequest& req,
                        Diagnostics& diags);

}  // namespace microkit::sel4
