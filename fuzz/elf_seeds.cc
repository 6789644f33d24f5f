// Writes a few valid ELF files into the folder given as argv[1]: the ELF
// fuzzer's seed corpus (the project checks in no binaries).
#include <cstdio>
#include <fstream>
#include <string>

#include "elf/test_elf_builder.h"

using microkit::elf::testing::TestElfBuilder;

static bool write(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output folder>\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  TestElfBuilder program;
  program.entry = 0x200000;
  program.segment(0x200000, {0x1f, 0x20, 0x03, 0xd5}, 0, PF_R | PF_X)
      .segment(0x201000, {1, 2, 3, 4, 5, 6, 7, 8}, 0x2000)
      .symbol("microkit_name", 0x201000, 64)
      .symbol("_start", 0x200000, 4);
  TestElfBuilder stripped = program;
  stripped.with_sections = false;
  TestElfBuilder riscv = program;
  riscv.machine = EM_RISCV;
  riscv.symbols.push_back({"local_thing", 0x201004, 4, STT_OBJECT, STB_LOCAL});
  TestElfBuilder empty;
  bool ok = write(dir + "/program.elf", program.build()) &&
            write(dir + "/stripped.elf", stripped.build()) &&
            write(dir + "/riscv.elf", riscv.build()) && write(dir + "/empty.elf", empty.build());
  return ok ? 0 : 1;
}
