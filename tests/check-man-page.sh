#!/bin/sh
# docs/smileback.1 documents the command as it is: every command that
# `smileback --help` lists has its entry, every long option each command's
# --help shows is named, and man(1) renders the page without a warning
# (groff -ww when man-db is missing).  Prints TAP.
#   $1 the built smileback, $2 the man page.
cli=$1
page=$2
export LC_ALL=C.UTF-8 LANGUAGE=

n=0
failed=0
ok() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n $2"; else failed=1; echo "not ok $n $2"; fi
}

commands=$("$cli" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$commands" ]
ok $? "smileback --help lists commands"
for c in $commands; do
  grep -q "^\.B $c\( \|$\)" "$page"
  ok $? "the man page has an entry for smileback $c"
  for opt in $("$cli" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    [ "$opt" = --help ] && continue
    grep -qF -- "$(echo "$opt" | sed 's/-/\\-/g')" "$page"
    ok $? "the man page names smileback $c $opt"
  done
done

if command -v man >/dev/null; then
  warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  how="man --warnings -l"
elif command -v groff >/dev/null; then
  warnings=$(groff -man -ww -z "$page" 2>&1)
  how="groff -man -ww"
else
  how=""
fi
if [ -n "$how" ]; then
  [ -z "$warnings" ]
  ok $? "$how renders the page without a warning"
  [ -n "$warnings" ] && echo "$warnings" | sed 's/^/# /'
else
  n=$((n + 1))
  echo "ok $n # SKIP neither man nor groff is installed"
fi
echo "1..$n"
exit $failed
