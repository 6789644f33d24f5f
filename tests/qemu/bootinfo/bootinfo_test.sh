#!/bin/bash
# bootinfo_test.sh: boots bootinfo_task on the real kernel and compares the
# BootInfo it prints with the tool's boot emulation (ctest label qemu).
#
#   bootinfo_test.sh --compare EXE --package DIR --make-image EXE
#       [--image-arg ARG ...] -- QEMU_BOOT_TEST_SH [its arguments]
#
# The image is built by --make-image (make_bootinfo_image) with the
# qemu_boot_test.sh arguments plus every --image-arg (the layout: --ui-paddr,
# --dtb, --dtb-paddr). Exit codes: 0 pass, 1 fail, 77 skip (passed on from
# qemu_boot_test.sh: no kernel package or no QEMU; the reason is printed).
set -u
compare= package= make_image=
image_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --compare) compare=$2; shift 2 ;;
    --package) package=$2; shift 2 ;;
    --make-image) make_image=$2; shift 2 ;;
    --image-arg) image_args+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "bootinfo_test.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# qemu_boot_test.sh passes only its own image arguments: add the layout.
{
  echo '#!/bin/bash'
  printf 'exec %q "$@"' "$make_image"
  [ ${#image_args[@]} -eq 0 ] || printf ' %q' "${image_args[@]}"
  echo
} >"$tmp/make_image"
chmod +x "$tmp/make_image"
script=$1
shift
"$script" --make-image "$tmp/make_image" "$@" >"$tmp/out" 2>&1
status=$?
if [ $status -ne 0 ]; then
  cat "$tmp/out"
  exit $status   # 77 = skipped, with the reason in the output
fi
grep -F "boot registers:" "$tmp/out"
if ! "$compare" --package "$package" --log "$tmp/out"; then
  echo "---- qemu_boot_test.sh output ----"
  cat "$tmp/out"
  exit 1
fi
