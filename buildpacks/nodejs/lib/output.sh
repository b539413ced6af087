# Build output in Heroku's style: `-----> ` steps, 7-space details, ` !     ` problems.
# shellcheck shell=bash

step() { printf -- '-----> %s\n' "$*"; }
detail() { printf '       %s\n' "$*"; }
# Indents a command's output as detail lines, line by line as it comes.
indent() { sed -u 's/^/       /'; }

warn() {
  printf ' !     Warning: %s\n' "$1"
  shift
  local line
  for line in "$@"; do printf ' !     %s\n' "$line"; done
}

# A classified failure: what happened, the likely cause, the fix. Exits 1.
fail() {
  printf ' !\n !     %s\n !     Likely cause: %s\n !     Fix: %s\n' "$1" "$2" "$3"
  exit 1
}

# For `trap 'on_unexpected_error $LINENO' ERR`: a command failed that the script did not expect to.
on_unexpected_error() {
  fail "The buildpack stopped unexpectedly (line $1 of ${BASH_SOURCE[1]##*/})." \
    "A command it runs failed; its output above says why." \
    "Push again; if it keeps failing, report it to the operator with the output above."
}
