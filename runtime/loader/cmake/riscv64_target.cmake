# riscv64_target.cmake: building freestanding RISC-V 64 programs (the loader,
# QEMU test payloads, test root tasks) with the Debian cross compiler,
# without touching the host build's toolchain.
#
# The programs themselves are built by target_program.cmake. When the
# cross compiler is missing, MICROKIT_RISCV64_FOUND is FALSE and callers
# skip their targets with a message.
# Included by each user (no include_guard): the variables below are per directory scope.

find_program(MICROKIT_RISCV64_CXX NAMES riscv64-linux-gnu-g++ riscv64-unknown-elf-g++)
find_program(MICROKIT_RISCV64_OBJCOPY NAMES riscv64-linux-gnu-objcopy riscv64-unknown-elf-objcopy)
if(MICROKIT_RISCV64_CXX AND MICROKIT_RISCV64_OBJCOPY)
  set(MICROKIT_RISCV64_FOUND TRUE)
  execute_process(COMMAND ${MICROKIT_RISCV64_CXX} -print-file-name=include
                  OUTPUT_VARIABLE MICROKIT_RISCV64_GCC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)
else()
  set(MICROKIT_RISCV64_FOUND FALSE)
endif()

# The freestanding rules, enforced by flags plus the poison header.
set(MICROKIT_RISCV64_CXXFLAGS
  -std=c++20 -ffreestanding -fno-exceptions -fno-rtti -nostdlib -nostdinc -nostdinc++
  -isystem ${MICROKIT_RISCV64_GCC_INCLUDE}
  -include ${MICROKIT_SOURCE_DIR}/runtime/shared/freestanding.h
  -I${MICROKIT_SOURCE_DIR}
  -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax -msmall-data-limit=0
  -mstrict-align -fno-pic -fno-pie
  -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables
  -fno-threadsafe-statics -fno-tree-loop-distribute-patterns -fno-common
  -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter)

# microkit_riscv64_program(<name> ...): microkit_target_program(RISCV64 <name> ...)
# (target_program.cmake says what the arguments are and what it produces).
include(${CMAKE_CURRENT_LIST_DIR}/target_program.cmake)
function(microkit_riscv64_program name)
  microkit_target_program(RISCV64 ${name} ${ARGN})
  set(${name}_ELF ${${name}_ELF} PARENT_SCOPE)
  set(${name}_BIN ${${name}_BIN} PARENT_SCOPE)
endfunction()
