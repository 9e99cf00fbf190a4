#!/bin/sh
# The smileback command speaks each language of po/LINGUAS: run with
# LANGUAGE=LANG, it prints its help and its errors from the catalogues built
# into the build tree (SMILEBACK_LOCALEDIR, include/smileback/sb-i18n.h).
# The expected words come from gettext(1) reading the same catalogue, so the
# test checks the command's binding, not the translators' choices.
#
# LC_ALL=C.UTF-8 needs no generated locale, and glibc honours LANGUAGE under
# it (not under plain C, where LANGUAGE is ignored).
#   $1 the built smileback, $2 the build tree's po/ folder, $3 the source root.
# Prints TAP.
cli=$1
localedir=$2
top=$3

langs=$(sed 's/#.*//' "$top/po/LINGUAS")
if [ -z "$(echo $langs)" ]; then
  echo "1..0 # SKIP po/LINGUAS lists no language"
  exit 0
fi
if ! command -v gettext >/dev/null; then
  echo "1..0 # SKIP gettext(1) (package gettext-base) is not installed"
  exit 0
fi

in_lang() {
  lang=$1
  shift
  env SMILEBACK_LOCALEDIR="$localedir" LANGUAGE="$lang" LC_ALL=C.UTF-8 "$@"
}

# What the catalogue of $1 says for the msgid $2.
expect() {
  in_lang "$1" env TEXTDOMAINDIR="$localedir" gettext -d smileback -- "$2"
}

n=0
failed=0
# check LANG WHAT OUTPUT MSGID [ARGUMENT]: OUTPUT holds MSGID in LANG (with
# ARGUMENT in place of its %s).  Counts the msgids translated in $translated.
check() {
  lang=$1 what=$2 output=$3 msgid=$4 arg=${5:-}
  want=$(expect "$lang" "$msgid")
  [ -n "$arg" ] && want=$(printf '%s' "$want" | sed "s/%s/$arg/")
  [ "$want" != "$(printf '%s' "$msgid" | sed "s/%s/$arg/")" ] && translated=$((translated + 1))
  n=$((n + 1))
  if printf '%s\n' "$output" | grep -qF -- "$want"; then
    echo "ok $n $lang: $what says \"$want\""
  else
    failed=1
    echo "not ok $n $lang: $what does not say \"$want\""
    printf '%s\n' "$output" | sed 's/^/# /'
  fi
}

for lang in $langs; do
  translated=0
  help=$(in_lang "$lang" "$cli" --help)
  check "$lang" "smileback --help" "$help" "Usage: smileback COMMAND [OPTIONS]"
  check "$lang" "smileback --help" "$help" "Commands:"
  check "$lang" "smileback --help" "$help" "One row per buddy: who starts, who answers"
  report=$(in_lang "$lang" "$cli" report --help)
  check "$lang" "smileback report --help" "$report" "One row per buddy: who starts, who answers"
  error=$(in_lang "$lang" "$cli" frobnicate 2>&1 >/dev/null)
  check "$lang" "smileback frobnicate" "$error" "unknown command “%s”" frobnicate
  n=$((n + 1))
  if [ $translated -gt 0 ]; then
    echo "ok $n $lang: $translated of these words differ from English"
  else
    failed=1
    echo "not ok $n $lang: po/$lang.po translates none of these words"
  fi
done
echo "1..$n"
exit $failed
