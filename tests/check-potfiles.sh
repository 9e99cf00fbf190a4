#!/bin/sh
# Every source file with translatable strings is listed in po/POTFILES, and
# every file listed there exists (so `ninja smileback-pot` sees them all).
# Prints TAP.
top=${1:-$(dirname "$0")/..}
cd "$top" || exit 1
n=0
out=""
for f in $(grep -rlE '\b(N?_|ngettext|g_dngettext)\s*\(' plugin --include='*.c' | sort); do
  n=$((n + 1))
  if grep -qxF "$f" po/POTFILES; then
    out="${out}ok $n $f is in po/POTFILES\n"
  else
    out="${out}not ok $n $f has translatable strings but is not in po/POTFILES\n"
  fi
done
for f in $(grep -v '^\s*#' po/POTFILES | grep -v '^\s*$'); do
  n=$((n + 1))
  if [ -f "$f" ]; then
    out="${out}ok $n po/POTFILES entry $f exists\n"
  else
    out="${out}not ok $n po/POTFILES lists $f, which does not exist\n"
  fi
done
echo "1..$n"
printf "$out"
! printf "$out" | grep -q '^not ok'
