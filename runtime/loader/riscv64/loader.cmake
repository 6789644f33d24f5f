# The RISC-V 64 loader (included by runtime/loader/CMakeLists.txt):
# cross-compiled with riscv64_target.cmake for qemu_virt_riscv64, one per
# configuration. Skipped, saying so, without the cross compiler.
include(${MICROKIT_SOURCE_DIR}/runtime/loader/cmake/riscv64_target.cmake)
if(NOT MICROKIT_RISCV64_FOUND)
  message(STATUS "microkit loader: riscv64-linux-gnu-g++/objcopy not found, "
                 "skipping the RISC-V 64 loader and its QEMU tests")
  return()
endif()

set(rv_dir ${CMAKE_CURRENT_LIST_DIR})
set(riscv64_loader_sources
  ${rv_dir}/start.S
  ${rv_dir}/arch.cc
  ${rv_dir}/ns16550.cc
  ${rv_dir}/../loader.cc
  ${rv_dir}/../mem.cc)

# Board facts (QEMU virt RISC-V, -m 2G: RAM [0x80000000, 0x100000000); the
# official board's loader address 0x90000000, above OpenSBI and the kernel).
set(qemu_virt_riscv64_link
  -Wl,--defsym=__link_address=0x90000000 -Wl,--defsym=__ram_end=0x100000000)

# One loader per configuration. The SMP ones start the kernel's other harts
# (SBI HSM), as many as the kernel package was built for
# (CONFIG_MAX_NUM_NODES in its gen_config.h; without the package, that
# configuration is skipped).
foreach(config debug release benchmark smp-debug smp-release)
  set(defines MICROKIT_LOADER_NS16550_BASE=0x10000000ull)
  if(config MATCHES "debug$")
    list(APPEND defines MICROKIT_LOADER_DEBUG=1)
  endif()
  if(config MATCHES "^smp-")
    set(gen ${MICROKIT_KERNEL_ROOT}/qemu_virt_riscv64/${config}/libsel4/include/kernel/gen_config.h)
    if(NOT EXISTS ${gen})
      continue()
    endif()
    file(STRINGS ${gen} nodes REGEX "^#define CONFIG_MAX_NUM_NODES +[0-9]+")
    string(REGEX MATCH "[0-9]+$" nodes "${nodes}")
    list(APPEND defines MICROKIT_LOADER_CORES=${nodes})
  endif()
  set(name loader_qemu_virt_riscv64_${config})
  microkit_riscv64_program(${name}
    SOURCES ${riscv64_loader_sources}
    LINKER_SCRIPT ${rv_dir}/loader.ld
    DEFINES ${defines}
    LINK_OPTIONS ${qemu_virt_riscv64_link})
  set_property(GLOBAL PROPERTY MICROKIT_LOADER_qemu_virt_riscv64_${config}_BIN ${${name}_BIN})
  set_property(GLOBAL PROPERTY MICROKIT_LOADER_qemu_virt_riscv64_${config}_TARGET ${name})
endforeach()
