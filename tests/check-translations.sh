#!/bin/sh
# Every language of po/LINGUAS has a catalogue that `msgfmt --check` accepts:
# its header, its plural forms and every translated format string match the
# msgid (a wrong %s there would crash printf).  Prints TAP; each test's
# comment line gives msgfmt's statistics (translated, fuzzy, untranslated).
top=${1:-$(dirname "$0")/..}
cd "$top/po" || exit 1

langs=$(sed 's/#.*//' LINGUAS)
n=0
failed=0
for lang in $langs; do
  n=$((n + 1))
  if out=$(msgfmt --check --statistics -o /dev/null "$lang.po" 2>&1); then
    echo "ok $n po/$lang.po passes msgfmt --check"
  else
    failed=1
    echo "not ok $n po/$lang.po fails msgfmt --check"
  fi
  echo "$out" | sed 's/^/# /'
done
if [ $n -eq 0 ]; then
  echo "1..0 # SKIP po/LINGUAS lists no language"
else
  echo "1..$n"
fi
exit $failed
