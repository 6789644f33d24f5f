# serial_lines.sh: sourced by the QEMU boot test scripts.
#
# serial_text LOG: QEMU's serial log as text to check: without carriage
# returns and colour escapes, and without the kernel's "Spurious interrupt!"
# messages. An SMP kernel prints those when a core takes an interrupt
# another core has already claimed (QEMU's RISC-V PLIC does this at
# random); they say nothing about the system and can land in the middle of
# any line, even splitting a PD's line in two, so they are cut out wherever
# they are and the line they cut is put back together. Every other kernel
# message stays.
serial_text() {
  tr -d '\r' <"$1" | sed 's/\x1b\[[0-9;]*m//g' |
    awk -v spurious='<<seL4(\\(CPU [0-9]+\\))? \\[checkInterrupt/[0-9]+[^]]*\\]: Spurious interrupt!>>' '
      # A message that ends a serial line: the line it cut goes on on the next one.
      $0 ~ (spurious "$") {
        sub(spurious "$", "")
        held = held $0
        next
      }
      {
        gsub(spurious, "")
        print held $0
        held = ""
      }
      END { if (held != "") print held }'
}

# lines_after_boot LOG: serial_text's lines after the kernel's "Booting all
# finished" line, the ones the system printed.
lines_after_boot() {
  serial_text "$1" | awk 'booted { print } /^Booting all finished, dropped to user space$/ { booted = 1 }'
}
