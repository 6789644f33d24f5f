#!/bin/bash
# no_machine_paths.sh SOURCE_DIR: the project's documents name no folder of
# one particular machine (a home folder, a workspace checkout). Paths
# relative to the checkout, /tmp examples and the documented default kernel
# root (/opt/sel4-16.0.0) are fine. Exit 0 when none is found, 1 listing them.
set -u
src=$1
found=$(cd "$src" && grep -rnE '(^|[^A-Za-z0-9_.])/(work|home|root|Users|mnt|srv)/' \
  README.md docs fuzz bench examples boards --include='*.md' --include='*.txt' --include='*.json' \
  --include='*.sh' --include='*.system' --include='Makefile' 2>/dev/null)
if [ -n "$found" ]; then
  echo "FAIL: these lines name a folder of one particular machine:"
  echo "$found"
  exit 1
fi
echo "no document names a folder of one particular machine"
