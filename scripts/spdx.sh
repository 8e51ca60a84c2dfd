#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/spdx.sh --check|--fix [DIR]
#
# Every source file of the project carries the line
# "SPDX-License-Identifier: MIT" (LICENSE has the text), as a comment in
# its own syntax on its first line, or right after a line that must stay
# first (#! for scripts, '\" for man pages with preprocessor hints):
#   C (*.c, *.h)                         /* SPDX-License-Identifier: MIT */
#   shell, python, make, automake,       # SPDX-License-Identifier: MIT
#   autoconf, debian/rules, #! scripts
#   man pages (*.1 ... *.8)              .\" SPDX-License-Identifier: MIT
# Not source files, never touched: data and captures (*.hex, *.tsv, *.dict,
# *.supp, tests/vectors/, fuzz corpora and regressions), documentation
# (*.md, LICENSE, *.example), debian/ metadata except rules (copyright has
# a format of its own), dot files and anything binary.
#
# --check lists the files without the line and exits 1 if there are any;
# --fix adds the line to them (mode and contents otherwise unchanged).
# DIR (default: the project) is read with `git ls-files` when it is a git
# work tree, else every file below it except build directories.
set -euo pipefail

usage() {
  echo "usage: $0 --check|--fix [DIR]" >&2
  exit 2
}
[ $# -ge 1 ] || usage
mode=$1
case $mode in --check | --fix) ;; *) usage ;; esac
root=${2:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

TAG='SPDX-License-Identifier: MIT'

list_files() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files
  else
    find . -type f ! -path './.git/*' ! -path './_build*' \
      ! -path './build*' ! -path './autom4te.cache/*' | sed 's|^\./||'
  fi
}

# The comment style of a file, or nothing when it is not a source file.
style_of() {
  # Dot files at any level (.gitignore, .clang-format); .ci/run is a script.
  case ${1##*/} in .*) return ;; esac
  case $1 in
  LICENSE | debian/copyright | debian/changelog | debian/control) return ;;
  debian/source/* | debian/*.docs | debian/*.examples) return ;;
  tests/vectors/* | */corpus/* | */seeds/* | */regressions/*) return ;;
  *.md | *.hex | *.tsv | *.dict | *.supp | *.example) return ;;
  *.c | *.h) echo c ;;
  *.[1-8]) echo roff ;;
  *.sh | *.py | *.mk | *.am | *.ac | */Makefile | Makefile | debian/rules)
    echo hash ;;
  *)
    # Scripts without an extension (tests/sim/meter-sim, .ci/run...).
    if [ "$(head -c 2 "$1")" = '#!' ]; then echo hash; fi ;;
  esac
}

has_tag() {
  head -n 10 "$1" | grep -qF "$TAG"
}

comment_for() { # style
  case $1 in
  c) echo "/* $TAG */" ;;
  roff) echo ".\\\" $TAG" ;;
  hash) echo "# $TAG" ;;
  esac
}

# How many leading lines must stay first: a #! line, a roff '\" line.
keep_first() { # file style
  local first
  first=$(head -n 1 "$1")
  case $2:$first in
  hash:'#!'* | roff:"'\\\""*) echo 1 ;;
  *) echo 0 ;;
  esac
}

fix() { # file style
  local keep tmp
  keep=$(keep_first "$1" "$2")
  tmp=$(mktemp)
  {
    head -n "$keep" "$1"
    comment_for "$2"
    tail -n +"$((keep + 1))" "$1"
  } >"$tmp"
  # Write through the existing file: its mode and owner stay.
  cat "$tmp" >"$1"
  rm -f "$tmp"
}

missing=0
while IFS= read -r f; do
  [ -f "$f" ] || continue
  # Binary files (images, archives) are not source.
  grep -Iq . "$f" 2>/dev/null || continue
  style=$(style_of "$f")
  [ -n "$style" ] || continue
  has_tag "$f" && continue
  missing=$((missing + 1))
  if [ "$mode" = --fix ]; then
    fix "$f" "$style"
    echo "spdx: added to $f"
  else
    echo "$f"
  fi
done < <(list_files)

[ "$mode" = --fix ] || [ "$missing" -eq 0 ]
