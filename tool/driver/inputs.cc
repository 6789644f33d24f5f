#include "driver/inputs.h"

#include <elf.h>

#include <cstring>
#include <filesystem>
#include <set>
#include <unordered_map>

#include "driver/files.h"
#include "support/file_bytes.h"
#include "support/text.h"
#include "sdf/memory_region_rules.h"

namespace microkit::driver {

namespace fs = std::filesystem;

namespace {

// A symbol every libmicrokit defines, ours and the official one: the PD's
// name, which the tool writes into the program.
constexpr const char* kLibmicrokitMarker = "microkit_name";

std::string machine_name(uint16_t machine) {
  switch (machine) {
    case EM_AARCH64: return "aarch64";
    case EM_RISCV: return "riscv";
    case EM_X86_64: return "x86_64";
    case EM_386: return "i386";
    case EM_ARM: return "32-bit arm";
  }
  return "ELF machine " + std::to_string(machine);
}

// Walks the description once, filling `inputs`; one instance per load.
class Loader {
 public:
  Loader(sdf::SystemDescription& sd, const board::Board& board,
         const std::vector<std::string>& dirs, Diagnostics& diags)
      : sd_(sd), board_(board), dirs_(dirs), diags_(diags) {}

  plan::Inputs run() {
    for (const auto& pd : sd_.pds) {
      if (!pd.program_image) continue;
      const sdf::ProgramImage& image = *pd.program_image;
      load_program(image.path, image.at("path"), pd.name);
      if (image.path_for_symbols)
        load_program(*image.path_for_symbols, image.at("path_for_symbols"), pd.name);
      check_reserved_range(pd);
    }
    for (auto& mr : sd_.mrs) load_prefill(mr);
    std::unordered_map<std::string_view, const sdf::MemoryRegion*> mrs;  // one search per map, not per MR
    for (const auto& mr : sd_.mrs) mrs.emplace(mr.name, &mr);
    for (const auto& pd : sd_.pds) check_maps_clear_program(pd, mrs);
    return std::move(inputs_);
  }

 private:
  // The file `path` names, or an error at `loc` listing where it was looked for.
  // `kind` is "program" or "prefill": the diagnostic id is "<kind>-not-found".
  std::optional<std::string> find(const std::string& path, Loc loc, const std::string& kind) {
    if (auto found = resolve_path(path, dirs_)) return found;
    std::string what = kind == "program" ? "program image" : "prefill file";
    if (fs::path(path).is_absolute()) {
      diags_.error(kind + "-not-found", sd_.file, loc, what + " '" + path + "' does not exist",
                   "check the path");
      return std::nullopt;
    }
    diags_.error(kind + "-not-found", sd_.file, loc,
                 "cannot find " + what + " '" + path + "'; searched: " + join(dirs_),
                 "build it first, or add the folder that holds it with --search-path DIR");
    return std::nullopt;
  }

  void load_program(const std::string& path, Loc loc, const std::string& pd_name) {
    if (!programs_seen_.insert(path).second) return;  // each file once, and one error per file
    auto resolved = find(path, loc, "program");
    if (!resolved) return;
    // Read once: the class check needs the bytes before the ELF reader does.
    auto bytes = read_file_bytes(*resolved);
    if (bytes && !check_class(*bytes, path, loc)) return;
    auto elf = bytes ? elf::parse_elf(std::move(*bytes), *resolved, diags_) : elf::read_elf(*resolved, diags_);
    if (!elf) {
      diags_.note(sd_.file, loc, "the program image of protection domain '" + pd_name + "'");
      return;
    }
    if (!check_machine(*elf, path, loc)) return;
    if (board_.arch != board::Arch::Host && !check_microkit_program(*elf, path, loc)) return;
    inputs_.resolved_paths[path] = *resolved;
    inputs_.programs.emplace(path, std::move(*elf));
  }

  bool check_machine(const elf::ElfFile& elf, const std::string& path, Loc loc) {
    uint16_t expected = elf_machine_for(board_.arch);
    if (elf.machine == expected) return true;
    diags_.error("elf-wrong-arch", sd_.file, loc,
                 "program '" + path + "' is built for " + machine_name(elf.machine) +
                     ", but board '" + board_.name + "' runs " + machine_name(expected) +
                     " programs",
                 "rebuild it with the " + machine_name(expected) + " toolchain");
    return false;
  }

  // A 32-bit ELF is refused at the attribute (the ELF reader would only
  // name the file).
  bool check_class(const std::vector<uint8_t>& bytes, const std::string& path, Loc loc) {
    if (bytes.size() <= EI_CLASS || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0) return true;
    if (bytes[EI_CLASS] != ELFCLASS32) return true;
    diags_.error("elf-wrong-class", sd_.file, loc,
                 "program '" + path + "' is a 32-bit ELF file; board '" + board_.name +
                     "' runs 64-bit programs",
                 "rebuild it with the " + machine_name(elf_machine_for(board_.arch)) + " toolchain");
    return false;
  }

  // What makes an ELF a Microkit PD for seL4: a static executable (the
  // initial task loads segments, nothing resolves relocations or runs an
  // interpreter) that links libmicrokit, whose variables the tool fills in.
  bool check_microkit_program(const elf::ElfFile& elf, const std::string& path, Loc loc) {
    std::string problem, hint;
    if (elf.has_interpreter || elf.has_dynamic) {
      problem = "is dynamically linked (it has " +
                std::string(elf.has_interpreter ? "a program interpreter" : "a dynamic section") +
                "); a protection domain has no dynamic loader";
      hint = "link it statically against libmicrokit (-static -nostdlib, the SDK's microkit.ld)";
    } else if (elf.type != ET_EXEC) {
      problem = std::string("is not an executable (ELF type ") +
                (elf.type == ET_DYN ? "ET_DYN, position-independent" : std::to_string(elf.type)) + ")";
      hint = "link it as a static, non-position-independent executable (-static -no-pie)";
    } else if (!elf.find_symbol(kLibmicrokitMarker)) {
      problem = std::string("does not contain libmicrokit (no symbol '") + kLibmicrokitMarker + "')";
      hint = "link it with the SDK's libmicrokit.a and microkit.ld";
    } else {
      return true;
    }
    diags_.error("program-not-a-microkit-pd", sd_.file, loc,
                 "program '" + path + "' " + problem, hint);
    return false;
  }

  // The top of every PD's address space holds its stack and IPC buffer
  // (docs/sel4-abi.md); a program loaded there would be overwritten.
  void check_reserved_range(const sdf::ProtectionDomain& pd) {
    if (board_.arch == board::Arch::Host) return;
    const sdf::ProgramImage& image = *pd.program_image;
    auto it = inputs_.programs.find(image.path);
    if (it == inputs_.programs.end()) return;
    uint64_t reserved = sdf::pd_reserved_start(pd.stack_size, board_);
    for (const elf::Segment& seg : it->second.segments) {
      if (seg.memsz == 0 || seg.vaddr + seg.memsz <= reserved) continue;
      diags_.error("program-in-reserved-range", sd_.file, image.at("path"),
                   "program '" + image.path + "' of protection domain '" + pd.name +
                       "' loads a segment at [" + hex(seg.vaddr) + ", " + hex(seg.vaddr + seg.memsz) +
                       "), which reaches the stack and IPC buffer area starting at " + hex(reserved),
                   "link the program lower (the SDK's microkit.ld), or make stack_size smaller");
      return;
    }
  }

  // A <map> over the program's own pages would make the initial task map
  // two frames at one address: refuse it at the map's vaddr.
  void check_maps_clear_program(const sdf::ProtectionDomain& pd,
                                 const std::unordered_map<std::string_view, const sdf::MemoryRegion*>& mrs) {
    if (board_.arch == board::Arch::Host || !pd.program_image) return;
    auto it = inputs_.programs.find(pd.program_image->path);
    if (it == inputs_.programs.end()) return;
    const uint64_t page = board_.smallest_page_size();
    for (const sdf::Map& map : pd.maps) {
      auto found = mrs.find(map.mr);
      const sdf::MemoryRegion* mr = found == mrs.end() ? nullptr : found->second;
      if (!mr || !mr->size || *mr->size == 0) continue;  // the validator's to report
      for (const elf::Segment& seg : it->second.segments) {
        uint64_t lo = seg.vaddr / page * page, hi = (seg.vaddr + seg.memsz + page - 1) / page * page;
        if (seg.memsz == 0 || map.vaddr >= hi || map.vaddr + *mr->size <= lo) continue;
        diags_.error("map-overlaps-program", sd_.file, map.at("vaddr"),
                     "the map of memory region '" + map.mr + "' at [" + hex(map.vaddr) + ", " +
                         hex(map.vaddr + *mr->size) + ") overlaps the program '" +
                         pd.program_image->path + "' of protection domain '" + pd.name +
                         "', which is loaded at [" + hex(lo) + ", " + hex(hi) + ")",
                     "choose a vaddr outside the program's segments ('readelf -l' lists them)");
        diags_.note(sd_.file, pd.program_image->at("path"), "the program image");
        break;
      }
    }
  }

  void load_prefill(sdf::MemoryRegion& mr) {
    if (!mr.prefill_path) return;
    const std::string& path = *mr.prefill_path;
    Loc loc = mr.at("prefill_path");
    if (!inputs_.prefills.contains(path) && !read_prefill(path, loc)) return;
    size_region(mr, inputs_.prefills.at(path).size(), loc);
  }

  bool read_prefill(const std::string& path, Loc loc) {
    if (!prefills_seen_.insert(path).second) return false;  // failed before: already reported
    auto resolved = find(path, loc, "prefill");
    if (!resolved) return false;
    std::string why;
    auto bytes = read_file(*resolved, why);
    if (!bytes) {
      diags_.error("prefill-unreadable", sd_.file, loc,
                   "cannot read prefill file '" + *resolved + "': " + why,
                   "check the file's permissions");
      return false;
    }
    if (bytes->empty()) {
      diags_.error("prefill-empty", sd_.file, loc, "prefill file '" + *resolved + "' is empty",
                   "remove prefill_path, or give the file some content");
      return false;
    }
    inputs_.resolved_paths[path] = *resolved;
    inputs_.prefills.emplace(path, std::vector<uint8_t>(bytes->begin(), bytes->end()));
    return true;
  }

  void size_region(sdf::MemoryRegion& mr, uint64_t length, Loc loc) {
    if (!mr.size) {
      // An invalid explicit page size is the validator's to report.
      uint64_t page = sdf::declared_page_size(mr, board_);
      if (page == 0) return;
      mr.size = (length + page - 1) / page * page;
      return;
    }
    if (length <= *mr.size) return;
    diags_.error("prefill-too-large", sd_.file, loc,
                 "prefill file '" + *mr.prefill_path + "' (" + hex(length) +
                     " bytes) is larger than memory region '" + mr.name + "' (size " +
                     hex(*mr.size) + ")",
                 "raise the region's size, or omit size to size it from the file");
  }

  sdf::SystemDescription& sd_;
  const board::Board& board_;
  const std::vector<std::string>& dirs_;
  Diagnostics& diags_;
  plan::Inputs inputs_;
  std::set<std::string> programs_seen_;  // program paths already looked up
  std::set<std::string> prefills_seen_;  // prefill paths already looked up
};

}  // namespace

std::vector<std::string> search_dirs(const std::vector<std::string>& user_dirs,
                                     const std::string& cwd) {
  std::vector<std::string> dirs;
  for (const auto& dir : user_dirs) dirs.push_back((fs::path(cwd) / dir).string());
  dirs.push_back(cwd);
  return dirs;
}

std::optional<std::string> resolve_path(const std::string& path,
                                        const std::vector<std::string>& dirs) {
  std::error_code ec;
  if (fs::path(path).is_absolute())
    return fs::is_regular_file(path, ec) ? std::optional(path) : std::nullopt;
  for (const auto& dir : dirs) {
    fs::path candidate = fs::path(dir) / path;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return std::nullopt;
}

uint16_t elf_machine_for(board::Arch arch) {
  switch (arch) {
    case board::Arch::AArch64: return EM_AARCH64;
    case board::Arch::RiscV64: return EM_RISCV;
    case board::Arch::X86_64: return EM_X86_64;
    case board::Arch::Host: break;
  }
#if defined(__aarch64__)
  return EM_AARCH64;
#elif defined(__riscv)
  return EM_RISCV;
#else
  return EM_X86_64;
#endif
}

plan::Inputs load_inputs(sdf::SystemDescription& sd, const board::Board& board,
                         const std::vector<std::string>& dirs, Diagnostics& diags) {
  return Loader(sd, board, dirs, diags).run();
}

}  // namespace microkit::driver
