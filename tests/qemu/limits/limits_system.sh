#!/bin/bash
# limits_system.sh PDS MRS MESH: prints the system description of a system
# at the official Microkit limits (limits_test.sh boots it; the diagram test,
# tests/diagram/, draws it): PDS protection domains pd0..pd<PDS-1>
# (priorities 200 down) running limits_pd.elf; MRS one-page memory regions,
# MR k mapped into PD k mod PDS; with MESH=1 a channel between every pair of
# PDs (the lower-priority end may call the other) and one page, "shared",
# mapped into every PD.
set -eu
[ $# = 3 ] || { echo "usage: $0 PDS MRS MESH" >&2; exit 1; }
pds=$1 mrs=$2 mesh=$3

# The channel id PD a uses towards PD b: b's index with a's own skipped.
channel_id() { if [ "$2" -lt "$1" ]; then echo "$2"; else echo $(($2 - 1)); fi; }

generate() {
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo '<system>'
  local m p a b n
  for ((m = 0; m < mrs; m++)); do echo "  <memory_region name=\"mr$m\" size=\"0x1000\" />"; done
  [ "$mesh" = 1 ] && echo '  <memory_region name="shared" size="0x1000" />'
  for ((p = 0; p < pds; p++)); do
    echo "  <protection_domain name=\"pd$p\" priority=\"$((200 - p))\">"
    echo '    <program_image path="limits_pd.elf" />'
    [ "$mesh" = 1 ] && echo '    <map mr="shared" vaddr="0xf000000" perms="rw" />'
    n=0
    for ((m = p; m < mrs; m += pds, n++)); do
      printf '    <map mr="mr%d" vaddr="0x%x" perms="rw" />\n' "$m" $((0x10000000 + n * 0x1000))
    done
    echo '  </protection_domain>'
  done
  if [ "$mesh" = 1 ]; then
    for ((a = 0; a < pds; a++)); do
      for ((b = a + 1; b < pds; b++)); do
        echo "  <channel><end pd=\"pd$a\" id=\"$(channel_id $a $b)\" /><end pd=\"pd$b\" id=\"$(channel_id $b $a)\" pp=\"true\" /></channel>"
      done
    done
  fi
  echo '</system>'
}

generate
