#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_spdx_tool.sh - scripts/spdx.sh on a fixture tree (not a git work
# tree, so it walks the files): --check lists exactly the source files
# without the SPDX line and fails; --fix puts the line first in each file's
# own comment syntax (after a #! or '\" line), keeps modes and data files
# untouched, and a second --fix changes nothing. (test_spdx.sh checks the
# project's own tree.)
. "$SM_SRCDIR/tests/tap.sh"

SPDX=$SM_SRCDIR/scripts/spdx.sh
[ -x "$SPDX" ] || bail "missing $SPDX"
T=$(mktemp -d "${TMPDIR:-/tmp}/sm-spdx.XXXXXX") || bail "mktemp"
trap 'rm -rf "$T"' EXIT
F=$T/tree
mkdir -p "$F/src" "$F/debian/source" "$F/tests/vectors" "$F/.ci" "$F/_build"
cd "$F" || bail "cd"

printf '/* a.c */\nint a;\n' >src/a.c
printf '#ifndef B_H\n#define B_H\n#endif\n' >src/b.h
printf '#!/bin/sh\necho s\n' >src/s.sh
printf '# sourced\nx=1\n' >src/lib.sh
printf '#!/usr/bin/env python3\nprint(1)\n' >src/x.py
printf '#!/usr/bin/env python3\nprint(2)\n' >src/tool
printf 'bin_PROGRAMS += a\n' >src/local.mk
printf 'SUBDIRS =\n' >Makefile.am
printf 'AC_INIT([x],[1])\nAC_OUTPUT\n' >configure.ac
printf '.TH A 1\n.SH NAME\n' >src/a.1
printf "'\\\\\" t\n.TH B 5\n" >src/b.5
printf '#!/usr/bin/make -f\n%%:\n\tdh $@\n' >debian/rules
printf '#!/bin/sh\nexec true\n' >.ci/run
printf '/* SPDX-License-Identifier: MIT */\nint done;\n' >src/done.c
# Never touched:
printf '68 0a 0a 68\n' >tests/vectors/v.hex
printf '# Title\n' >README.md
printf 'MIT License\n' >LICENSE
printf 'Format: x\n' >debian/copyright
printf '3.0 (native)\n' >debian/source/format
printf 'a\tb\n' >src/table.tsv
printf 'build/\n' >.gitignore
printf 'int built;\n' >_build/gen.c
printf '\000\001\002' >src/blob.c
chmod 755 src/s.sh src/x.py src/tool debian/rules .ci/run
chmod 640 src/lib.sh

want_missing=".ci/run
Makefile.am
configure.ac
debian/rules
src/a.1
src/a.c
src/b.5
src/b.h
src/lib.sh
src/local.mk
src/s.sh
src/tool
src/x.py"
rc=0
out=$("$SPDX" --check "$F") || rc=$?
is "--check fails while files lack the line" "$rc" 1
is "--check lists exactly the source files without it" \
  "$(sort <<<"$out")" "$want_missing"

find . -type f ! -path './_build/*' -exec md5sum {} + | sort -k2 >"$T/before"
rc=0
"$SPDX" --fix "$F" >"$T/fix.out" || rc=$?
is "--fix succeeds" "$rc" 0
is "--fix names each file it changed" "$(wc -l <"$T/fix.out")" 13

first() { head -n "${2:-1}" "$1" | tail -1; }
is "C source: first line" "$(first src/a.c)" '/* SPDX-License-Identifier: MIT */'
is "C source: rest kept" "$(first src/a.c 2)" '/* a.c */'
is "C header: first line" "$(first src/b.h)" '/* SPDX-License-Identifier: MIT */'
is "shell: shebang stays first" "$(first src/s.sh)" '#!/bin/sh'
is "shell: line after the shebang" "$(first src/s.sh 2)" '# SPDX-License-Identifier: MIT'
is "sourced shell (no shebang): first line" "$(first src/lib.sh)" '# SPDX-License-Identifier: MIT'
is "python: after the shebang" "$(first src/x.py 2)" '# SPDX-License-Identifier: MIT'
is "script without extension: after the shebang" "$(first src/tool 2)" '# SPDX-License-Identifier: MIT'
is "local.mk: first line" "$(first src/local.mk)" '# SPDX-License-Identifier: MIT'
is "Makefile.am: first line" "$(first Makefile.am)" '# SPDX-License-Identifier: MIT'
is "configure.ac: first line" "$(first configure.ac)" '# SPDX-License-Identifier: MIT'
is "configure.ac: AC_INIT follows" "$(first configure.ac 2)" 'AC_INIT([x],[1])'
is "debian/rules: after the shebang" "$(first debian/rules 2)" '# SPDX-License-Identifier: MIT'
is "debian/rules: recipe intact" "$(tail -1 debian/rules)" "$(printf '\tdh $@')"
is ".ci/run: after the shebang" "$(first .ci/run 2)" '# SPDX-License-Identifier: MIT'
is "man page: first line" "$(first src/a.1)" '.\" SPDX-License-Identifier: MIT'
is "man page with a tbl hint: hint stays first" "$(first src/b.5)" "'\\\" t"
is "man page with a tbl hint: then the line" "$(first src/b.5 2)" '.\" SPDX-License-Identifier: MIT'
is "file that had it: unchanged" "$(cat src/done.c)" \
  "$(printf '/* SPDX-License-Identifier: MIT */\nint done;')"
is "scripts stay executable" "$(stat -c %a src/s.sh src/tool debian/rules .ci/run | sort -u)" 755
is "modes kept (640)" "$(stat -c %a src/lib.sh)" 640

find . -type f ! -path './_build/*' -exec md5sum {} + | sort -k2 >"$T/after"
changed=$(join -1 2 -2 2 "$T/before" "$T/after" | awk '$2 != $3 { print $1 }' | sed 's|^\./||' | sort)
is "exactly the listed files changed" "$changed" "$want_missing"
is "build directory untouched" "$(cat _build/gen.c)" "int built;"

rc=0
out=$("$SPDX" --check "$F") || rc=$?
is "--check passes afterwards" "$rc" 0
is "--check lists nothing afterwards" "$out" ""
cp -a "$F" "$T/again"
"$SPDX" --fix "$T/again" >"$T/fix2.out"
is "second --fix changes nothing" "$(diff -r "$F" "$T/again")" ""
is "second --fix reports nothing" "$(cat "$T/fix2.out")" ""

autoconf_ok() { (cd "$F" && autoconf -o "$T/configure" configure.ac) && [ "$(head -c 2 "$T/configure")" = '#!' ]; }
ok "autoconf still makes a configure starting with #!" autoconf_ok
rc=0
"$SPDX" --bogus >/dev/null 2>&1 || rc=$?
is "unknown option: usage error" "$rc" 2

done_testing
