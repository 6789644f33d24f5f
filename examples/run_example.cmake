# run_example.cmake: runs one example system on the host platform and
# checks that its standard output is exactly the expected output.
#
#   cmake -DMICROKIT=<tool> -DSYSTEM=<name>.system -DEXPECTED=<file>
#         -DSEARCH_PATHS=<dir;dir> -DACTUAL=<file to write> -P run_example.cmake
#
# Fails (and shows both texts and the first differing line) when stdout
# differs in any byte, or when the run exits with a non-zero status or
# times out. stderr is shown but not compared: it is for diagnostics.
cmake_minimum_required(VERSION 3.25)

foreach(var MICROKIT SYSTEM EXPECTED SEARCH_PATHS ACTUAL)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_example.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED TIMEOUT)
  set(TIMEOUT 60)
endif()

set(command "${MICROKIT}" run "${SYSTEM}" --board host)
foreach(dir IN LISTS SEARCH_PATHS)
  list(APPEND command --search-path "${dir}")
endforeach()

execute_process(
  COMMAND ${command}
  OUTPUT_VARIABLE actual
  ERROR_VARIABLE errors
  RESULT_VARIABLE status
  TIMEOUT ${TIMEOUT})
file(WRITE "${ACTUAL}" "${actual}")
file(READ "${EXPECTED}" expected)

if(NOT errors STREQUAL "")
  message("--- stderr of the run:\n${errors}")
endif()

if(NOT actual STREQUAL expected)
  # Point at the first line that differs, then show both texts in full.
  # (Semicolons and square brackets mean something in CMake lists: mask
  # them before splitting into lines.)
  foreach(which actual expected)
    string(REPLACE ";" "<sc>" lines "${${which}}")
    string(REPLACE "[" "<lb>" lines "${lines}")
    string(REPLACE "]" "<rb>" lines "${lines}")
    string(REPLACE "\n" ";" ${which}_lines "${lines}")
  endforeach()
  list(LENGTH actual_lines actual_count)
  list(LENGTH expected_lines expected_count)
  set(line 0)
  while(line LESS actual_count AND line LESS expected_count)
    list(GET actual_lines ${line} a)
    list(GET expected_lines ${line} e)
    if(NOT a STREQUAL e)
      break()
    endif()
    math(EXPR line "${line} + 1")
  endwhile()
  math(EXPR shown "${line} + 1")
  message("--- expected (${EXPECTED}):\n${expected}")
  message("--- actual (saved in ${ACTUAL}):\n${actual}")
  message(FATAL_ERROR "output differs from ${EXPECTED} at line ${shown}")
endif()

if(NOT status STREQUAL "0")
  message(FATAL_ERROR "output matches, but `microkit run` ended with: ${status}")
endif()
message("output matches ${EXPECTED}")
