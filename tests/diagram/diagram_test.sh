#!/bin/bash
# diagram_test.sh: `microkit diagram` pages rendered in a real browser
# (Debian's chromium, headless), and the DOM the browser ends with checked.
#
#   diagram_test.sh host MICROKIT SYSTEM WORK SEARCH_DIR...
#       microkit diagram SYSTEM --board host
#   diagram_test.sh host-limits MICROKIT WORK LIMITS_SYSTEM_SH HOST_ELF
#       the 63-PD full mesh of tests/qemu/limits (1,953 channels, 1,000 MRs),
#       HOST_ELF standing in for its program (the page does not run it)
#   diagram_test.sh check SYSTEM PAGE WORK yes|no
#       only the checks, on a page made elsewhere (yes: it has a physical view)
#   diagram_test.sh sel4-example SDK KERNEL_PKG EXAMPLE_DIR WORK BOARD
#       the example built with its own Makefile against the SDK, the tool
#       also asked for --diagram (so the page has the physical view)
#
# Checks, on the DOM after the page's script ran (chromium --dump-dom):
# every PD and every channel the SDF declares is an element the browser laid
# out with a non-empty box (data-drawn="yes", set by the page's script); the
# script ran to its end with no error (#script-errors empty); top-level PD
# boxes do not overlap; hovering and clicking a PD, a channel, a tag, a
# memory region and a physical region shows its SDF file:line and text
# (page.html#selftest); the physical view is there for seL4 boards and
# replaced by a note on the host. A screenshot is left in WORK/page.png.
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
set -u
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$browser" ] || skip "no chromium (Debian package chromium; ./dev.sh install adds it)"

mode=$1
shift

# chromium in headless mode, with a profile of its own under WORK.
run_browser() {
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$work/profile" --virtual-time-budget=10000 "$@" 2>>"$work/chromium.log"
}

# Every PD name and the channel count, from the SDF itself (not the tool).
sdf_pds() { grep -o '<protection_domain[^>]*name="[^"]*"' "$1" | sed 's/.*name="\([^"]*\)".*/\1/'; }
sdf_channels() { grep -o '<channel[ >]' "$1" | wc -l; }

check_page() {
  local system=$1 page=$2 physical=$3
  [ -s "$page" ] || fail "no page at $page"
  # One line: descriptions in attributes hold newlines.
  run_browser --dump-dom "file://$page" | tr '\n' ' ' >"$work/dom.html"
  [ "${PIPESTATUS[0]}" = 0 ] || fail "chromium could not load $page (see $work/chromium.log)"
  run_browser --dump-dom "file://$page#selftest" >"$work/dom-selftest.html" || fail "chromium could not load $page#selftest"
  run_browser --window-size=1600,1200 --screenshot="$work/page.png" "file://$page" >/dev/null ||
    fail "chromium could not take a screenshot of $page"
  local dom=$work/dom.html
  grep -q '<pre id="script-errors"></pre>' "$dom" ||
    fail "script errors: $(sed -n 's/.*<pre id="script-errors">\([^<]*\).*/\1/p' "$dom")"
  grep -q 'id="diagram-status"[^>]*>ready<' "$dom" || fail "the page's script did not run to its end"
  grep -q 'data-overlaps="0"' "$dom" || fail "top-level PD boxes overlap ($(grep -o 'data-overlaps="[0-9]*"' "$dom"))"
  ! grep -q 'data-drawn="no"' "$dom" || fail "elements with an empty box: $(grep -o 'data-[a-z]*="[^"]*"[^>]*data-drawn="no"' "$dom" | head -3)"

  local pds=0 name
  while read -r name; do
    grep -q "<g class=\"pd\" data-pd=\"$name\"[^>]*data-drawn=\"yes\"" "$dom" || fail "PD '$name' is not drawn"
    pds=$((pds + 1))
  done < <(sdf_pds "$system")
  [ "$pds" -gt 0 ] || fail "no PD found in $system"

  local channels
  channels=$(sdf_channels "$system")
  if [ "$channels" -gt 0 ]; then
    grep -o 'data-channel="[0-9]*"[^>]*data-drawn="yes"' "$dom" | sed 's/data-channel="\([0-9]*\)".*/\1/' |
      sort -n -u >"$work/channels-drawn.txt"
    seq 0 $((channels - 1)) | diff -q - "$work/channels-drawn.txt" >/dev/null ||
      fail "not every one of the $channels channels is drawn (drawn: $(wc -l <"$work/channels-drawn.txt"))"
  fi

  local selftest
  selftest=$(grep -o 'data-selftest="[^"]*"' "$work/dom-selftest.html")
  [[ "$selftest" == 'data-selftest="pass '* ]] || fail "hover/click self-test: ${selftest:-did not run}"

  if [ "$physical" = yes ]; then
    grep -q 'class="phys kind-kernel"' "$dom" || fail "no kernel in the physical view"
    grep -q 'class="phys kind-free-untyped"' "$dom" || fail "no free untyped in the physical view"
  else
    grep -q 'id="no-physical"' "$dom" || fail "the host page does not say it has no physical memory map"
  fi
  echo "ok: $pds PDs and $channels channels drawn, no script errors, ${selftest#data-selftest=}; screenshot $work/page.png"
}

case "$mode" in
  host)
    microkit=$1 system=$2 work=$3
    shift 3
    rm -rf "$work" && mkdir -p "$work"
    args=()
    for dir in "$@"; do args+=(--search-path "$dir"); done
    "$microkit" diagram "$system" --board host "${args[@]}" -o "$work/page.html" >"$work/tool.log" 2>&1 ||
      { cat "$work/tool.log"; fail "microkit diagram failed"; }
    check_page "$system" "$work/page.html" no
    ;;
  host-limits)
    microkit=$1 work=$2 generator=$3 host_elf=$4
    rm -rf "$work" && mkdir -p "$work"
    "$generator" 63 1000 1 >"$work/limits.system" || fail "$generator failed"
    cp "$host_elf" "$work/limits_pd.elf"
    "$microkit" diagram "$work/limits.system" --board host --search-path "$work" -o "$work/page.html" \
      >"$work/tool.log" 2>&1 || { cat "$work/tool.log"; fail "microkit diagram failed"; }
    check_page "$work/limits.system" "$work/page.html" no
    ;;
  sel4-example)
    sdk=$1 pkg=$2 example=$3 work=$4 board=$5
    [ -f "$pkg/bin/kernel.elf" ] || skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
    [ -d "$sdk/board/$board/debug" ] || skip "the SDK $sdk has no $board/debug (run 'ninja sdk')"
    case "$board" in
      *riscv64*) cross=riscv64-linux-gnu ;;
      x86_64*) cross=x86_64-linux-gnu ;;
      *) cross=aarch64-linux-gnu ;;
    esac
    command -v $cross-gcc >/dev/null || skip "no $cross-gcc"
    sdk=$(cd "$sdk" && pwd) example=$(cd "$example" && pwd)
    rm -rf "$work" && mkdir -p "$work/build" && work=$(cd "$work" && pwd)
    printf '#!/bin/sh\nexec "%s/bin/microkit" "$@" --diagram "%s/page.html"\n' "$sdk" "$work" >"$work/microkit-with-diagram"
    chmod +x "$work/microkit-with-diagram"
    (cd "$example" && make BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD="$board" MICROKIT_CONFIG=debug \
      TOOLCHAIN=$cross MICROKIT_TOOL="$work/microkit-with-diagram" all) >"$work/make.log" 2>&1 ||
      { cat "$work/make.log"; fail "make failed"; }
    system=$example/$(basename "$example").system
    check_page "$system" "$work/page.html" yes
    ;;
  check)
    system=$1 page=$2 work=$3
    mkdir -p "$work"
    check_page "$system" "$(cd "$(dirname "$page")" && pwd)/$(basename "$page")" "$4"
    ;;
  *) fail "unknown mode '$mode'" ;;
esac
