# riscv64_target.cmake: building freestanding RISC-V 64 programs (the loader,
# QEMU test payloads, test root tasks) with the Debian cross compiler,
# without touching the host build's toolchain.
#
# Each program is a chain of custom commands (compile each source with a
# depfile, link with a linker script, objcopy to a raw binary) behind one
# custom target; the host CMAKE_CXX_COMPILER is never involved. When the
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

# microkit_riscv64_program(<name>
#   SOURCES <files...>            .cc and .S
#   LINKER_SCRIPT <file>
#   [DEFINES <NAME=VALUE...>]     -D for every source
#   [INCLUDES <dirs...>]          -isystem for every source (e.g. libsel4)
#   [LINK_OPTIONS <opts...>])     e.g. -Wl,--defsym=...
# Produces ${CMAKE_CURRENT_BINARY_DIR}/<name>.elf and <name>.bin and a
# custom target <name> (in ALL). Sets <name>_ELF and <name>_BIN in the
# caller's scope.
function(microkit_riscv64_program name)
  cmake_parse_arguments(P "" "LINKER_SCRIPT" "SOURCES;DEFINES;INCLUDES;LINK_OPTIONS" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR})
  set(flags ${MICROKIT_RISCV64_CXXFLAGS})
  foreach(d ${P_DEFINES})
    list(APPEND flags -D${d})
  endforeach()
  foreach(i ${P_INCLUDES})
    list(APPEND flags -isystem ${i})
  endforeach()
  set(objects)
  foreach(src ${P_SOURCES})
    get_filename_component(abs ${src} ABSOLUTE)
    get_filename_component(stem ${src} NAME)
    set(obj ${out}/${name}.dir/${stem}.o)
    add_custom_command(OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${out}/${name}.dir
      COMMAND ${MICROKIT_RISCV64_CXX} ${flags} -MD -MF ${obj}.d -c ${abs} -o ${obj}
      DEPENDS ${abs}
      DEPFILE ${obj}.d
      COMMENT "riscv64 C++ ${name}: ${stem}"
      COMMAND_EXPAND_LISTS VERBATIM)
    list(APPEND objects ${obj})
  endforeach()
  get_filename_component(ld ${P_LINKER_SCRIPT} ABSOLUTE)
  add_custom_command(OUTPUT ${out}/${name}.elf ${out}/${name}.bin
    COMMAND ${MICROKIT_RISCV64_CXX} -nostdlib -static -no-pie -Wl,--build-id=none
            -Wl,-z,norelro -Wl,--no-warn-rwx-segments -T ${ld} ${P_LINK_OPTIONS}
            ${objects} -lgcc -o ${out}/${name}.elf
    COMMAND ${MICROKIT_RISCV64_OBJCOPY} -O binary ${out}/${name}.elf ${out}/${name}.bin
    DEPENDS ${objects} ${ld}
    COMMENT "riscv64 link ${name}"
    COMMAND_EXPAND_LISTS VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${out}/${name}.elf ${out}/${name}.bin)
  set(${name}_ELF ${out}/${name}.elf PARENT_SCOPE)
  set(${name}_BIN ${out}/${name}.bin PARENT_SCOPE)
endfunction()
