#!/usr/bin/env bash
# Builds the libFuzzer targets listed in targets.txt with clang, ASan and
# UBSan, outside Bazel (the repository builds with gcc, which has no
# libFuzzer). Each source is compiled once, two at a time, and shared
# between targets; an object newer than everything it was built from is
# reused.
#
#   fuzz/build.sh SRC_ROOT OUT_DIR [TARGET...]     (default: every target)
# Prints each built binary's path. Env: CXX (clang++), FUZZ_JOBS (2).
set -euo pipefail

src=${1:?usage: build.sh SRC_ROOT OUT_DIR [TARGET...]}
out=${2:?usage: build.sh SRC_ROOT OUT_DIR [TARGET...]}
shift 2
cxx=${CXX:-clang++}
command -v "$cxx" >/dev/null ||
  { echo "build.sh: $cxx not found (tools/setup.sh installs clang)" >&2; exit 1; }

flags=(-std=c++17 -gline-tables-only -O1 -fno-omit-frame-pointer -I"$src"
  -isystem /usr/include/libxml2
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
mkdir -p "$out/obj"

object() { echo "$out/obj/${1//\//_}.o"; }

# An object is stale when it or its dependency list (clang -MMD) is missing
# or any file it was built from is newer.
stale() {
  local obj=$1 dep
  [[ -e $obj && -e $obj.d ]] || return 0
  for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$obj.d"); do
    [[ $dep -nt $obj ]] && return 0
  done
  return 1
}

# The wanted targets' lines of targets.txt.
wanted=" $* "
lines=()
while read -r line; do
  [[ -z $line || $line == \#* ]] && continue
  name=${line%% *}
  if [[ $wanted == "  " || $wanted == *" $name "* ]]; then lines+=("$line"); fi
done <"$src/fuzz/targets.txt"
if (($# && ${#lines[@]} != $#)); then
  echo "build.sh: unknown target in '$*' (see fuzz/targets.txt)" >&2
  exit 1
fi

# Compile every source the wanted targets need, FUZZ_JOBS at a time.
declare -A sources=()
for line in "${lines[@]}"; do
  read -r name rest <<<"$line"
  sources["fuzz/${name}_fuzzer.cc"]=1
  for item in $rest; do [[ $item == -* ]] || sources[$item]=1; done
done
pids=()
for source in "${!sources[@]}"; do
  obj=$(object "$source")
  stale "$obj" || continue
  ("$cxx" "${flags[@]}" -MMD -MF "$obj.d" -c "$src/$source" -o "$obj.tmp" &&
    mv "$obj.tmp" "$obj") &
  pids+=($!)
  if ((${#pids[@]} >= ${FUZZ_JOBS:-2})); then
    wait "${pids[0]}" || { echo "build.sh: compiling failed" >&2; exit 1; }
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do
  wait "$pid" || { echo "build.sh: compiling failed" >&2; exit 1; }
done

for line in "${lines[@]}"; do
  read -r name rest <<<"$line"
  objs=("$(object "fuzz/${name}_fuzzer.cc")")
  link=()
  for item in $rest; do
    if [[ $item == -* ]]; then link+=("$item"); else objs+=("$(object "$item")"); fi
  done
  "$cxx" "${flags[@]}" "${objs[@]}" "${link[@]}" -o "$out/${name}_fuzzer"
  echo "$out/${name}_fuzzer"
done
