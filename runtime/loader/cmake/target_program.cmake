# target_program.cmake: building a freestanding program for one target
# architecture (the loader, the initial task, QEMU test payloads, test root
# tasks) with a Debian cross compiler, without touching the host build's
# toolchain. The architecture files (aarch64_target.cmake, x86_64_target.cmake,
# riscv64_target.cmake) find the compiler and set MICROKIT_<ARCH>_CXX,
# _OBJCOPY and _CXXFLAGS, then include this file.
#
# Each program is a chain of custom commands (compile each source with a
# depfile, link with a linker script, objcopy to a raw binary) behind one
# custom target; the host CMAKE_CXX_COMPILER is never involved.
include_guard(GLOBAL)

# microkit_target_program(<ARCH> <name>
#   SOURCES <files...>            .cc and .S
#   LINKER_SCRIPT <file>
#   [DEFINES <NAME=VALUE...>]     -D for every source
#   [INCLUDES <dirs...>]          -isystem for every source (e.g. libsel4)
#   [LINK_OPTIONS <opts...>])     e.g. -Wl,--defsym=...
# ARCH is AARCH64, RISCV64 or X86_64. Produces ${CMAKE_CURRENT_BINARY_DIR}/<name>.elf and <name>.bin and a
# custom target <name> (in ALL). Sets <name>_ELF and <name>_BIN in the
# caller's scope.
function(microkit_target_program arch name)
  cmake_parse_arguments(P "" "LINKER_SCRIPT" "SOURCES;DEFINES;INCLUDES;LINK_OPTIONS" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR})
  set(flags ${MICROKIT_${arch}_CXXFLAGS})
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
      COMMAND ${MICROKIT_${arch}_CXX} ${flags} -MD -MF ${obj}.d -c ${abs} -o ${obj}
      DEPENDS ${abs}
      DEPFILE ${obj}.d
      COMMENT "${arch} C++ ${name}: ${stem}"
      COMMAND_EXPAND_LISTS VERBATIM)
    list(APPEND objects ${obj})
  endforeach()
  get_filename_component(ld ${P_LINKER_SCRIPT} ABSOLUTE)
  add_custom_command(OUTPUT ${out}/${name}.elf ${out}/${name}.bin
    COMMAND ${MICROKIT_${arch}_CXX} -nostdlib -static -no-pie -Wl,--build-id=none
            -Wl,-z,norelro -Wl,--no-warn-rwx-segments -T ${ld} ${P_LINK_OPTIONS}
            ${objects} -lgcc -o ${out}/${name}.elf
    COMMAND ${MICROKIT_${arch}_OBJCOPY} -O binary ${out}/${name}.elf ${out}/${name}.bin
    DEPENDS ${objects} ${ld}
    COMMENT "${arch} link ${name}"
    COMMAND_EXPAND_LISTS VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${out}/${name}.elf ${out}/${name}.bin)
  set(${name}_ELF ${out}/${name}.elf PARENT_SCOPE)
  set(${name}_BIN ${out}/${name}.bin PARENT_SCOPE)
endfunction()
