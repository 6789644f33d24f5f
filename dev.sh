#!/usr/bin/env bash
# The project's two entry points, for a fresh Debian 12 machine:
#   ./dev.sh demo [EXAMPLE]   install what is missing, build what the example
#                             needs (default: tour), run it on the host platform,
#                             then on seL4 in QEMU when a kernel package is found
#   ./dev.sh test   install what is missing, build, run the whole test suite
#   ./dev.sh guest  fetch (not install) the Linux guest's Debian arm64 packages
#                   for examples/linux-vm into $MICROKIT_GUEST_DEBS
# Both install Debian packages by name (apt-get, as root or through sudo) and
# nothing from anywhere else.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jobs=${JOBS:-$(nproc)}

# Debian packages: host build, tests, fuzzing, and the cross toolchains and
# QEMU for target code and boot tests; chromium renders the system diagram
# in its test (tests/diagram/).
packages=(
  cmake ninja-build g++ pkg-config ccache
  libexpat1-dev libseccomp-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang lld llvm libclang-rt-14-dev
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
  gcc-riscv64-linux-gnu g++-riscv64-linux-gnu binutils-riscv64-linux-gnu
  qemu-system-arm qemu-system-misc qemu-system-x86 qemu-system-data u-boot-tools
  chromium fonts-dejavu-core
  libdw-dev gdb gdb-multiarch
  device-tree-compiler cpio
)

# The Linux guest of examples/linux-vm: Debian's arm64 kernel and busybox,
# downloaded as .deb files into a cache folder (never installed: they are
# for another architecture). The Makefile unpacks them with dpkg-deb.
guest_debs=${MICROKIT_GUEST_DEBS:-$HOME/.cache/microkit/guest}


install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "dev.sh: installing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

as_root() {
  if [ "$(id -u)" -ne 0 ]; then sudo "$@"; else "$@"; fi
}

# The kernel package linux-image-arm64 points at (linux-image-<abi>-arm64).
guest_kernel_package() {
  apt-cache depends linux-image-arm64:arm64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*-arm64\).*/\1/p' | head -1
}

# Best effort: a machine without network or arm64 lists gets a warning, and
# the guest's tests skip saying what is missing.
fetch_guest_packages() {
  if ls "$guest_debs"/linux-image-*-arm64_*_arm64.deb "$guest_debs"/busybox-static_*_arm64.deb >/dev/null 2>&1; then
    return 0
  fi
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "dev.sh: adding the arm64 architecture to apt (for the Linux guest's packages)"
    as_root dpkg --add-architecture arm64 && as_root apt-get update -q || true
  fi
  local kernel
  kernel=$(guest_kernel_package)
  if [ -z "$kernel" ]; then
    as_root apt-get update -q || true
    kernel=$(guest_kernel_package)
  fi
  if [ -z "$kernel" ]; then
    echo "dev.sh: warning: apt knows no linux-image-arm64:arm64; the Linux guest's tests will skip" >&2
    return 0
  fi
  mkdir -p "$guest_debs"
  echo "dev.sh: downloading $kernel:arm64 and busybox-static:arm64 into $guest_debs"
  (cd "$guest_debs" && apt-get download -q "$kernel:arm64" busybox-static:arm64) ||
    echo "dev.sh: warning: could not download the Linux guest's packages; its tests will skip" >&2
}

# The shared/ folder of facts about real seL4 builds sits beside the checkout.
shared_dir() {
  if [ -d "$here/../shared/sel4-16.0.0" ]; then (cd "$here/../shared" && pwd); else echo "$here/../shared"; fi
}

configure_and_build() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S "$here" -B "$dir" -G Ninja -DMICROKIT_SHARED_DIR="$(shared_dir)" "$@" >/dev/null
  ninja -C "$dir" -j "$jobs"
}

# The board and configuration the demo boots on seL4, and where the kernel
# packages are (docs/kernel-package.md).
demo_board=${DEMO_BOARD:-qemu_virt_aarch64}
demo_config=debug
kernel_root=${MICROKIT_KERNEL_ROOT:-/opt/sel4-16.0.0}

demo_cross_prefix() {  # board -> the Debian cross toolchain's prefix
  case "$1" in
    qemu_virt_aarch64*) echo aarch64-linux-gnu ;;
    qemu_virt_riscv64) echo riscv64-linux-gnu ;;
    x86_64_generic) echo x86_64-linux-gnu ;;
  esac
}

# The same example on seL4 in QEMU, with the example's Makefile against an
# SDK holding only the demo's board (target sdk-<board>-<config>).
demo_on_sel4() {  # name dir
  local name=$1 dir=$2 sdk_target="sdk-$demo_board-$demo_config"
  if [ ! -f "$dir/Makefile" ]; then
    echo "dev.sh: $name has no Makefile, so it is not built for seL4 here"
    return 0
  fi
  if ! ninja -C "$here/build" -t query "$sdk_target" >/dev/null 2>&1; then
    echo
    echo "dev.sh: to see the same system on seL4 in QEMU, build a kernel package as docs/kernel-package.md says (none for $demo_board/$demo_config under $kernel_root)."
    return 0
  fi
  echo
  echo "dev.sh: the same system on seL4 ($demo_board/$demo_config) in QEMU:"
  ninja -C "$here/build" -j "$jobs" "$sdk_target"
  make -s -C "$dir" BUILD_DIR="$here/build/demo/$name-$demo_board" \
    MICROKIT_SDK="$here/build/$sdk_target" MICROKIT_BOARD="$demo_board" \
    MICROKIT_CONFIG="$demo_config" TOOLCHAIN="$(demo_cross_prefix "$demo_board")" \
    RUN_ARGS="--timeout ${DEMO_SECONDS:-10}" run
}

demo() {  # [example], default tour
  local name=${1:-tour}
  local dir="$here/examples/$name" system
  for system in "$dir/$name-host.system" "$dir/$name.system" ""; do
    [ -f "$system" ] && break
  done
  if [ -z "$system" ]; then
    echo "dev.sh: no example '$name'; try one of: $(ls "$here/examples" | grep -v '\.' | tr '\n' ' ')" >&2
    exit 2
  fi
  install_packages
  # Only what the demo needs: the tool, the host launcher, the example's programs.
  cmake -S "$here" -B "$here/build" -G Ninja -DMICROKIT_SHARED_DIR="$(shared_dir)" \
    -DMICROKIT_KERNEL_ROOT="$kernel_root" >/dev/null
  ninja -C "$here/build" -j "$jobs" microkit microkit-host "example-$name"
  echo "dev.sh: $name on the host platform (each PD a Linux process):"
  "$here/build/tool/microkit" run "$system" --board host --search-path "$here/build/examples/$name" "$dir"
  demo_on_sel4 "$name" "$dir"
}

run_tests() {
  install_packages
  fetch_guest_packages
  # 1. Sanitizer build with clang (ASan + UBSan): the fuzz targets' bounded
  #    runs, and every unit, host-platform and example test (host PDs are
  #    sanitized too). Boots and SDK checks run once, in the main build.
  CC=clang CXX=clang++ configure_and_build "$here/build-san" -DMICROKIT_SANITIZE=ON -DMICROKIT_FUZZ=ON
  (cd "$here/build-san" && ctest -j "$jobs" -LE "qemu|sdk|sel4-build" --output-on-failure)
  # 2. The main build: every other test (unit, SDF cases, host platform,
  #    examples; QEMU boots when a kernel package is found, else skipped).
  configure_and_build "$here/build"
  (cd "$here/build" && ctest -j "$jobs" --output-on-failure)
}

case "${1:-}" in
  demo) demo "${2:-}" ;;
  test) run_tests ;;
  install) install_packages; fetch_guest_packages ;;
  guest) fetch_guest_packages ;;
  *) echo "usage: ./dev.sh demo [EXAMPLE] | test | install | guest" >&2; exit 2 ;;
esac
