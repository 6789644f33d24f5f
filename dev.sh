#!/usr/bin/env bash
# The project's two entry points, for a fresh Debian 12 machine:
#   ./dev.sh demo [EXAMPLE]   install what is missing, build, run an example
#                             (default: hello) on the host platform
#   ./dev.sh test   install what is missing, build, run the whole test suite
# Both install Debian packages by name (apt-get, as root or through sudo) and
# nothing from anywhere else.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jobs=${JOBS:-$(nproc)}

# Debian packages: host build, tests, fuzzing, and the cross toolchains and
# QEMU for target code and boot tests.
packages=(
  cmake ninja-build g++ pkg-config ccache
  libexpat1-dev libseccomp-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang lld llvm libclang-rt-14-dev
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
  gcc-riscv64-linux-gnu g++-riscv64-linux-gnu binutils-riscv64-linux-gnu
  qemu-system-arm qemu-system-misc qemu-system-x86 qemu-system-data u-boot-tools
)

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

# The shared/ folder of facts about real seL4 builds sits beside the checkout.
shared_dir() {
  if [ -d "$here/../shared/sel4-16.0.0" ]; then (cd "$here/../shared" && pwd); else echo "$here/../shared"; fi
}

configure_and_build() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S "$here" -B "$dir" -G Ninja -DMICROKIT_SHARED_DIR="$(shared_dir)" "$@" >/dev/null
  ninja -C "$dir" -j "$jobs"
}

demo() {  # [example], default hello
  local name=${1:-hello}
  local dir="$here/examples/$name" system
  for system in "$dir/$name-host.system" "$dir/$name.system" ""; do
    [ -f "$system" ] && break
  done
  if [ -z "$system" ]; then
    echo "dev.sh: no example '$name'; try one of: $(ls "$here/examples" | grep -v '\.' | tr '\n' ' ')" >&2
    exit 2
  fi
  install_packages
  configure_and_build "$here/build"
  "$here/build/tool/microkit" run "$system" --board host --search-path "$here/build/examples/$name"
}

run_tests() {
  install_packages
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
  install) install_packages ;;
  *) echo "usage: ./dev.sh demo [EXAMPLE] | test | install" >&2; exit 2 ;;
esac
