# target_frames.sh (sourced): the initial task's own frame names against
# `microkit symbolize` (docs/debugging.md, section 1).
#
#   check_target_frames LOG SYMBOLIZED FUNCTION...
#
# Every "mk-fault frame" line of LOG must carry a name and file:line from
# the embedded symbol table, and symbolize's frame at the same address
# (SYMBOLIZED) must give the same file (by name) and line; each FUNCTION
# must name some frame, and there its name must be symbolize's too (the
# frames of inlined code are named by the function they are compiled in,
# where symbolize names the inlined one: only FUNCTIONs' names are compared).
# Calls fail (defined by the caller) on the first difference.
check_target_frames() {
  local log=$1 symbolized=$2
  shift 2
  local re='^mk-fault frame [0-9]+ (0x[0-9a-f]+) ([^ +]+)(\+0x[0-9a-f]+)? \(([^ ]+):([0-9]+)\)$'
  local seen=" " line
  while IFS= read -r line; do
    line=${line%$'\r'}
    [[ "$line" =~ $re ]] || { grep '^mk-fault frame' "$log"; fail "a frame line without function and file:line: '$line'"; }
    local addr=${BASH_REMATCH[1]} fn=${BASH_REMATCH[2]} file=${BASH_REMATCH[4]} ln=${BASH_REMATCH[5]}
    local short
    short=$(printf '0x%x' "$addr")
    local sym
    sym=$(grep -E "^ *#[0-9]+ $short in " "$symbolized" | head -1)
    [[ "$sym" =~ " in "([^ ]+)" at "(.*/)?([^/]+):([0-9]+)$ ]] ||
      { cat "$symbolized"; fail "symbolize has no file:line for the target's frame at $short ('$line')"; }
    local sfn=${BASH_REMATCH[1]} sfile=${BASH_REMATCH[3]} sln=${BASH_REMATCH[4]}
    [ "$file:$ln" = "$sfile:$sln" ] ||
      { cat "$symbolized"; fail "the target says $file:$ln at $short, symbolize $sfile:$sln"; }
    for want in "$@"; do
      [ "$fn" = "$want" ] || continue
      [ "$sfn" = "$fn" ] || { cat "$symbolized"; fail "the target names $short '$fn', symbolize '$sfn'"; }
      seen="$seen$fn "
    done
  done < <(grep '^mk-fault frame ' "$log")
  for want in "$@"; do
    [[ "$seen" == *" $want "* ]] || { grep '^mk-fault frame' "$log"; fail "no frame of the target names $want"; }
  done
}
