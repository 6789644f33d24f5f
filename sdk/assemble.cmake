# assemble.cmake: lays out a Microkit SDK from a build's own artifacts and
# copies of kernel packages (cmake -P; run by the `sdk` target, see
# sdk/CMakeLists.txt and docs/sdk.md for the layout).
#
# Inputs (-D):
#   SDK_DIR        the folder to (re)create
#   VERSION        written to <SDK_DIR>/VERSION
#   TOOL           the microkit executable
#   LAUNCHER       the host launcher (microkit-host); may be empty
#   BOARDS_DIR     the folder of <board>.json files
#   HOST_LIB       the host port of libmicrokit (a static library)
#   HOST_TRACE_LIB its trace build (docs/tracing.md), shipped as libmicrokit_trace.a
#   HOST_INCLUDE   the folder holding microkit.h
#   HOST_CONFIGS   the host board's configurations (;-list)
#   SEL4_CONFIGS   ;-list of "board|config|package|loader.elf|initialiser.elf|libmicrokit dir"
#                  (loader.elf "none" on x86-64: elf/sel4_32.elf is made instead)
#   OBJCOPY        an objcopy that writes elf32-i386 (x86-64 boards only)
#
# The SDK folder is removed first, so nothing stale survives a re-assembly.
# Only copies (and the x86-64 kernel converted to ELF32): no kernel or
# runtime is built here.
cmake_minimum_required(VERSION 3.25)

foreach(var SDK_DIR VERSION TOOL BOARDS_DIR HOST_LIB HOST_INCLUDE HOST_CONFIGS)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "assemble.cmake: -D${var}=... is required")
  endif()
endforeach()

# Copies one file, failing with both paths when the source is missing.
function(sdk_copy src dst)
  if(NOT EXISTS "${src}")
    message(FATAL_ERROR "SDK assembly: '${src}' is missing (needed for ${dst})")
  endif()
  get_filename_component(dir "${dst}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  file(COPY_FILE "${src}" "${dst}" ONLY_IF_DIFFERENT)
endfunction()

# Copies every file under `src` into `dst`, keeping relative paths.
function(sdk_copy_tree src dst)
  if(NOT IS_DIRECTORY "${src}")
    message(FATAL_ERROR "SDK assembly: folder '${src}' is missing")
  endif()
  file(GLOB_RECURSE files RELATIVE "${src}" "${src}/*")
  foreach(f ${files})
    sdk_copy("${src}/${f}" "${dst}/${f}")
  endforeach()
endfunction()

file(REMOVE_RECURSE "${SDK_DIR}")
file(MAKE_DIRECTORY "${SDK_DIR}/bin" "${SDK_DIR}/board")
file(WRITE "${SDK_DIR}/VERSION" "${VERSION}\n")

# 1. The tool, its launcher for the host board, and the board database
#    (found by the tool at <bin>/../share/microkit/boards).
sdk_copy("${TOOL}" "${SDK_DIR}/bin/microkit")
if(LAUNCHER)
  sdk_copy("${LAUNCHER}" "${SDK_DIR}/bin/microkit-host")
endif()
file(GLOB boards "${BOARDS_DIR}/*.json")
foreach(b ${boards})
  get_filename_component(name "${b}" NAME)
  sdk_copy("${b}" "${SDK_DIR}/share/microkit/boards/${name}")
endforeach()

# 2. The host board: one library serves every configuration.
foreach(config ${HOST_CONFIGS})
  set(dir "${SDK_DIR}/board/host/${config}")
  sdk_copy("${HOST_INCLUDE}/microkit.h" "${dir}/include/microkit.h")
  sdk_copy("${HOST_LIB}" "${dir}/lib/libmicrokit.a")
  sdk_copy("${HOST_TRACE_LIB}" "${dir}/lib/libmicrokit_trace.a")
endforeach()

# 3. seL4 boards: our runtime plus a copy of the kernel package, laid out
#    as the official SDK's board/<board>/<config> (which the tool also reads
#    as a kernel package: elf/sel4.elf, include/kernel/gen_config.json,
#    platform_gen.json, invocations_all.json).
foreach(entry ${SEL4_CONFIGS})
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 board)
  list(GET parts 1 config)
  list(GET parts 2 pkg)
  list(GET parts 3 loader)
  list(GET parts 4 initialiser)
  list(GET parts 5 lmk)
  set(dir "${SDK_DIR}/board/${board}/${config}")
  # libsel4 first, then ours, so our microkit.h and pd_abi.h win.
  sdk_copy_tree("${pkg}/libsel4/include" "${dir}/include")
  sdk_copy("${lmk}/include/microkit.h" "${dir}/include/microkit.h")
  sdk_copy("${lmk}/include/pd_abi.h" "${dir}/include/pd_abi.h")
  sdk_copy("${lmk}/lib/libmicrokit.a" "${dir}/lib/libmicrokit.a")
  sdk_copy("${lmk}/lib/microkit.ld" "${dir}/lib/microkit.ld")
  sdk_copy("${lmk}/lib/libmicrokit_trace.a" "${dir}/lib/libmicrokit_trace.a")
  # The VMM library, where the package runs VMs (runtime/vmm/sel4.cmake).
  if(EXISTS "${lmk}/lib/libmicrokit_vmm.a")
    sdk_copy("${lmk}/lib/libmicrokit_vmm.a" "${dir}/lib/libmicrokit_vmm.a")
    sdk_copy("${lmk}/include/microkit_vmm.h" "${dir}/include/microkit_vmm.h")
    sdk_copy("${lmk}/include/microkit_vmm_parts.h" "${dir}/include/microkit_vmm_parts.h")
  endif()
  if(loader STREQUAL "none")
    # x86-64: no loader; QEMU's multiboot -kernel takes only a 32-bit ELF.
    file(MAKE_DIRECTORY "${dir}/elf")
    execute_process(COMMAND ${OBJCOPY} -O elf32-i386 "${pkg}/bin/kernel.elf" "${dir}/elf/sel4_32.elf"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "SDK: ${OBJCOPY} could not make ${dir}/elf/sel4_32.elf")
    endif()
  else()
    sdk_copy("${loader}" "${dir}/elf/loader.elf")
  endif()
  sdk_copy("${initialiser}" "${dir}/elf/initialiser.elf")
  if(EXISTS "${lmk}/elf/gdb_debugger.elf")  # AArch64: the debugger PD of --gdb
    sdk_copy("${lmk}/elf/gdb_debugger.elf" "${dir}/elf/gdb_debugger.elf")
  endif()
  if(EXISTS "${lmk}/elf/profiler.elf")  # AArch64 benchmark: the profiler PD of <profiler>
    sdk_copy("${lmk}/elf/profiler.elf" "${dir}/elf/profiler.elf")
  endif()
  sdk_copy("${pkg}/bin/kernel.elf" "${dir}/elf/sel4.elf")
  sdk_copy("${pkg}/invocations_all.json" "${dir}/invocations_all.json")
  if(EXISTS "${pkg}/support/platform_gen.json")
    sdk_copy("${pkg}/support/platform_gen.json" "${dir}/platform_gen.json")
  endif()
  # The rest of the package, for reference and for later use by the tool:
  # the kernel's device tree, its configuration, how it was built.
  foreach(f gen_config.json cmake-args.txt support/kernel.dtb support/platform_gen.yaml)
    if(EXISTS "${pkg}/${f}")
      get_filename_component(name "${f}" NAME)
      sdk_copy("${pkg}/${f}" "${dir}/kernel/${name}")
    endif()
  endforeach()
  message(STATUS "SDK: board/${board}/${config} (kernel package ${pkg})")
endforeach()
message(STATUS "SDK assembled in ${SDK_DIR}")
