# build_examples.cmake: compiles and links every example's PD programs for
# seL4 against one libmicrokit.a (cmake -P; run by the sel4-build tests).
#
# Inputs (-D): CC, LD, CPU_FLAG, SDK_DIR (with include/ and lib/),
# LIBSEL4_INCLUDE, EXAMPLES_DIR, OUT_DIR; optional TESTS_DIR, whose
# subfolders are treated like examples (libmicrokit's API and C++ checks),
# and ARCH (aarch64, the default, riscv64 or x86_64). Architecture-specific
# drivers are named *_arm_*.c (AArch64), *_riscv_*.c (RISC-V) and *_x86_*.c
# (x86-64); only the ARCH's own are built, and an example with drivers for
# other architectures only is left out, saying so.
#
# Each example folder's *.c files, except host-only drivers (*_host.c), are
# compiled with the flags of the examples' Makefiles (*.cc with the C++
# compiler and -fno-exceptions -fno-rtti). A file that defines
# `init` is a program; the others (board drivers) are linked into every
# program of their folder. Each program is linked with ld, -lmicrokit and
# microkit.ld exactly as a user's Makefile does, then checked: the entry is
# _start, and every variable the tool patches has file bytes in a PT_LOAD
# segment (else a patch would be lost). An example whose programs include
# a header the tool generates (<pd>_cspace.h) is left out, saying so.
cmake_minimum_required(VERSION 3.25)

foreach(var CC LD CPU_FLAG SDK_DIR LIBSEL4_INCLUDE EXAMPLES_DIR OUT_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "build_examples.cmake: -D${var}=... is required")
  endif()
endforeach()
get_filename_component(tools ${CC} DIRECTORY)
string(REGEX REPLACE "gcc$" "readelf" READELF ${CC})
string(REGEX REPLACE "gcc$" "g++" CXX ${CC})

if(NOT DEFINED ARCH)
  set(ARCH aarch64)
endif()
# The examples' Makefiles: -mstrict-align on AArch64 and RISC-V only (x86 has none).
# Frame records in leaf functions too (AArch64, x86-64; RISC-V's GCC keeps them).
set(arch_cflags -mstrict-align -mno-omit-leaf-frame-pointer)
if(ARCH STREQUAL "x86_64")
  set(arch_cflags -mno-omit-leaf-frame-pointer)
elseif(ARCH STREQUAL "riscv64")
  set(arch_cflags -mstrict-align)
endif()
set(cflags -nostdlib -ffreestanding -g -O3 -fno-omit-frame-pointer -Wall -Wno-unused-function -Werror ${arch_cflags}
           ${CPU_FLAG} -I${SDK_DIR}/include -isystem ${LIBSEL4_INCLUDE})
set(patched microkit_name microkit_passive microkit_irqs microkit_notifications microkit_pps
            microkit_ioports)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "FAILED: ${cmd}\n${out}${err}")
  endif()
  set(run_out "${out}" PARENT_SCOPE)
endfunction()

# PT_LOAD segments of an ELF as "vaddr:filesz" pairs (hex).
function(load_segments elf out)
  run(${READELF} -lW ${elf})
  string(REGEX MATCHALL "LOAD +0x[0-9a-f]+ +0x[0-9a-f]+ +0x[0-9a-f]+ +0x[0-9a-f]+" loads "${run_out}")
  set(segs)
  foreach(l ${loads})
    string(REGEX MATCH "LOAD +0x[0-9a-f]+ +0x([0-9a-f]+) +0x[0-9a-f]+ +0x([0-9a-f]+)" _ "${l}")
    list(APPEND segs "${CMAKE_MATCH_1}:${CMAKE_MATCH_2}")
  endforeach()
  set(${out} ${segs} PARENT_SCOPE)
endfunction()

# Fails unless `sym` (of `size` bytes) lies inside the file bytes of a segment.
function(check_file_bytes elf segs sym)
  run(${READELF} -sW ${elf})
  if(NOT run_out MATCHES "([0-9a-f]+) +([0-9]+) OBJECT +GLOBAL +[A-Z]+ +[0-9]+ ${sym}\n")
    message(FATAL_ERROR "${elf}: no global object '${sym}' (libmicrokit must define it)")
  endif()
  math(EXPR addr "0x${CMAKE_MATCH_1}")
  set(size ${CMAKE_MATCH_2})
  foreach(s ${segs})
    string(REPLACE ":" ";" s ${s})
    list(GET s 0 vaddr)
    list(GET s 1 filesz)
    math(EXPR lo "0x${vaddr}")
    math(EXPR hi "0x${vaddr} + 0x${filesz}")
    math(EXPR end "${addr} + ${size}")
    if(addr GREATER_EQUAL lo AND end LESS_EQUAL hi)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "${elf}: '${sym}' has no file bytes (in .bss?): the tool could not patch it")
endfunction()

# Sections the program occupies at run time must be ones microkit.ld places
# (an orphan would land in whatever segment ld picks, maybe with wrong rights).
set(placed .text .rodata .eh_frame .eh_frame_hdr .init_array .data.rel.ro .got .data .bss)
function(check_sections elf)
  run(${READELF} -SW ${elf})
  # "[Nr]" brackets would stop CMake from splitting the list: drop them.
  string(REGEX REPLACE "[][]" " " table "${run_out}")
  string(REGEX MATCHALL "\n +[0-9]+ +[^ \n]+ +[A-Z_]+ +[0-9a-f]+ +[0-9a-f]+ +[0-9a-f]+ +[0-9a-f]+ +[WXMSILOGTCxoEDp]*A"
         rows "${table}")
  if(NOT rows)
    message(FATAL_ERROR "${elf}: no allocated section found in readelf's output")
  endif()
  foreach(row ${rows})
    string(REGEX MATCH "^\n +[0-9]+ +([^ ]+)" _ "${row}")
    if(NOT CMAKE_MATCH_1 IN_LIST placed)
      message(FATAL_ERROR "${elf}: section '${CMAKE_MATCH_1}' is not placed by microkit.ld")
    endif()
  endforeach()
endfunction()

function(check_program elf)
  run(${READELF} -hW ${elf})
  string(REGEX MATCH "Entry point address: +0x([0-9a-f]+)" _ "${run_out}")
  set(entry ${CMAKE_MATCH_1})
  run(${READELF} -sW ${elf})
  if(NOT run_out MATCHES "0*${entry} +[0-9]+ FUNC +GLOBAL +[A-Z]+ +[0-9]+ _start\n")
    message(FATAL_ERROR "${elf}: the entry point 0x${entry} is not _start")
  endif()
  check_sections(${elf})
  load_segments(${elf} segs)
  foreach(sym ${patched})
    check_file_bytes(${elf} "${segs}" ${sym})
  endforeach()
endfunction()

# A C++ program's static constructors must be in the init array libmicrokit runs.
function(check_init_array elf)
  run(${READELF} -SW ${elf})
  if(NOT run_out MATCHES "\\.init_array +INIT_ARRAY +[0-9a-f]+ +[0-9a-f]+ +0*[1-9a-f][0-9a-f]* ")
    message(FATAL_ERROR "${elf}: no .init_array entries: static constructors would not run")
  endif()
endfunction()

file(GLOB examples LIST_DIRECTORIES true ${EXAMPLES_DIR}/*)
if(DEFINED TESTS_DIR)
  file(GLOB extra LIST_DIRECTORIES true ${TESTS_DIR}/*)
  list(APPEND examples ${extra})
endif()
set(count 0)
foreach(dir ${examples})
  if(NOT IS_DIRECTORY ${dir})
    continue()
  endif()
  get_filename_component(name ${dir} NAME)
  # Drivers for one architecture: *_arm_*.c (AArch64), *_riscv_*.c (RISC-V),
  # *_x86_*.c (x86-64). An example whose drivers are all for other
  # architectures is left out.
  set(own_tag arm)
  if(ARCH STREQUAL "riscv64")
    set(own_tag riscv)
  elseif(ARCH STREQUAL "x86_64")
    set(own_tag x86)
  endif()
  file(GLOB arch_drivers ${dir}/*_arm_*.c ${dir}/*_riscv_*.c ${dir}/*_x86_*.c)
  file(GLOB own_drivers ${dir}/*_${own_tag}_*.c)
  if(arch_drivers AND NOT own_drivers)
    message(STATUS "left out: ${name} (no ${ARCH} driver)")
    continue()
  endif()
  file(GLOB sources ${dir}/*.c ${dir}/*.cc)
  list(FILTER sources EXCLUDE REGEX "_host\\.cc?$")
  foreach(other arm riscv x86)
    if(NOT other STREQUAL own_tag)
      list(FILTER sources EXCLUDE REGEX "_${other}_[^/]*\\.c$")
    endif()
  endforeach()
  if(NOT sources)
    continue()
  endif()
  # A program that includes a header the tool generates from its system
  # (<pd>_cspace.h) is built by its own Makefile only (qemu.example.<name>).
  set(generated_header FALSE)
  foreach(src ${sources})
    file(STRINGS ${src} includes REGEX "#include \"[A-Za-z0-9_]+_cspace\\.h\"")
    if(includes)
      set(generated_header TRUE)
    endif()
  endforeach()
  if(generated_header)
    message(STATUS "left out: ${name} (includes a generated _cspace.h; its Makefile builds it)")
    continue()
  endif()
  # A VMM with a guest (its device tree): its Makefile builds the images too (tests/qemu/linux-vm).
  if(EXISTS ${dir}/guest.dts)
    message(STATUS "left out: ${name} (a VMM with guest images; its Makefile builds it)")
    continue()
  endif()
  set(out ${OUT_DIR}/${name})
  file(MAKE_DIRECTORY ${out})
  set(programs)
  set(drivers)
  foreach(src ${sources})
    get_filename_component(stem ${src} NAME_WE)
    if(src MATCHES "\\.cc$")
      run(${CXX} -c ${cflags} -fno-exceptions -fno-rtti -I${dir} ${src} -o ${out}/${stem}.o)
    else()
      run(${CC} -c ${cflags} -I${dir} ${src} -o ${out}/${stem}.o)
    endif()
    file(READ ${src} text)
    if(text MATCHES "void[ \t\r\n]+init[ \t]*\\([ \t]*(void)?[ \t]*\\)[ \t\r\n]*{")
      list(APPEND programs ${stem})
    else()
      list(APPEND drivers ${out}/${stem}.o)
    endif()
  endforeach()
  foreach(prog ${programs})
    set(elf ${out}/${prog}.elf)
    run(${LD} -L${SDK_DIR}/lib -z noexecstack ${out}/${prog}.o ${drivers} -lmicrokit -Tmicrokit.ld -o ${elf})
    check_program(${elf})
    if(EXISTS ${dir}/${prog}.cc)
      check_init_array(${elf})
    endif()
    message(STATUS "ok: ${name}/${prog}.elf")
    math(EXPR count "${count} + 1")
  endforeach()
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "no example program found under ${EXAMPLES_DIR}")
endif()
message(STATUS "${count} example programs built for seL4")
