#!/usr/bin/env bash
# make course-check: the course end to end, as CI runs it, on a copy of this repository.
#  1. the student edition is written and builds with -Werror; its tests run clean, every test that
#     reaches a stub reported NOT DONE;
#  2. it scores 0, every exercise NOT DONE;
#  3. with every solution put back it is this repository, byte for byte;
#  4. this repository scores full marks;
#  5. with chapter 7's program and library file broken, make test-ch04 still passes.
# $1: the build folder of this repository (build).
set -euo pipefail
build=${1:-build}
# Each make below is a build of its own (and picks its own parallelism), not a part of the caller's.
unset MAKEFLAGS MFLAGS MAKELEVEL
work=$(mktemp -d "${TMPDIR:-/tmp}/latent-course-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { echo; echo "== course-check: $*"; }

step "make student"
start=$(date +%s%N)
make --no-print-directory student DIR="$work/student"
echo "make student took $(( ($(date +%s%N) - start) / 1000000 )) ms"

step "the student edition: make test (with -Werror)"
env -u LATENT_EXACT_OUTPUT make --no-print-directory -C "$work/student" test > "$work/student-test.log" 2>&1 || {
  tail -n 60 "$work/student-test.log"; echo "course-check: the student edition's make test failed"; exit 1; }
grep -h '^\[  PASSED  \]\|^\[ NOT DONE \] [0-9]' "$work/student-test.log" || true
if grep -q '^\[  FAILED  \]' "$work/student-test.log"; then
  grep '^\[  FAILED  \]' "$work/student-test.log"; echo "course-check: a test fails in the student edition"; exit 1
fi

step "the student edition: make grade scores 0"
if env -u LATENT_EXACT_OUTPUT make --no-print-directory -C "$work/student" grade > "$work/student-grade.txt" 2>&1; then
  cat "$work/student-grade.txt"; echo "course-check: the student edition's make grade exited 0"; exit 1
fi
grep -E '^[0-9]+\.[0-9]+ ' "$work/student-grade.txt"
grep '^Score:' "$work/student-grade.txt"
grep -q '^Score: 0/' "$work/student-grade.txt" || { echo "course-check: the student edition scores points"; exit 1; }
if grep -E '^[0-9]+\.[0-9]+ ' "$work/student-grade.txt" | grep -qv ' NOT DONE '; then
  echo "course-check: an exercise of the student edition is not NOT DONE"; exit 1
fi

step "the student edition with the solutions put back"
./"$build"/course compare-restored "$work/student"

step "this repository: make grade"
make --no-print-directory grade BUILD="$build"

step "chapter 7 broken: make test-ch04 on a copy"
mkdir "$work/broken"
tar --exclude=./build --exclude=./.git -cf - . | tar -C "$work/broken" -xf -
echo "this line is not C++" >> "$work/broken/chapters/07-hidden-layer/main.cpp"
echo "this line is not C++" >> "$work/broken/attribution/hidden_neurons.cpp"
make --no-print-directory -C "$work/broken" test-ch04 > "$work/broken-test.log" 2>&1 || {
  tail -n 40 "$work/broken-test.log"; echo "course-check: make test-ch04 failed with chapter 7 broken"; exit 1; }
grep -h '^\[  PASSED  \]' "$work/broken-test.log"
echo; echo "course-check: all checks pass"
