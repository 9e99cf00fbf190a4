#!/bin/sh
# The layers of docs/design.md, "Layers", checked on the sources: no file
# includes a header of a higher layer.  Prints TAP; fails on any bad include.
#   core   (plugin/core, include/smileback): no libpurple, GTK, Pidgin or
#          smileback-purple header;
#   purple (plugin/purple, include/smileback-purple): no GTK or Pidgin header;
#   pidgin (plugin/pidgin): no store, ledger, importer, log reader or SQLite
#          header (it reaches history through smileback-purple/sb-ipc.h);
#   finch  (plugin/finch): the same as pidgin, and no GTK or Pidgin header;
#   cli    (plugin/cli): no libpurple, GTK or Pidgin header.
top=${1:-$(dirname "$0")/..}
cd "$top" || exit 1

include='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]'
libpurple='(purple|account|blist|buddyicon|cmds|connection|conversation|core|debug|eventloop|ft|media|notify|plugin|pluginpref|prefs|privacy|prpl|request|roomlist|savedstatuses|server|signals|status|util|value|version)\.h'
gtk='(gtk/|gdk/|gdk-pixbuf/|pango/|gtk[a-z]*\.h|pidgin[a-z]*\.h|minidialog\.h)'
purple_layer='smileback-purple/'
store='(smileback/)?(sb-store|sb-ledger|sb-import|sb-log-reader|smileback)\.h|sqlite3\.h'

n=0
failed=0

# check LAYER PATTERN DESCRIPTION FILE...
check () {
  layer=$1
  pattern=$2
  what=$3
  shift 3
  for f in "$@"; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    bad=$(grep -nE "$include$pattern" "$f" || true)
    if [ -n "$bad" ]; then
      failed=1
      echo "not ok $n $f ($layer) includes $what:"
      echo "$bad" | sed 's/^/#   /'
    else
      echo "ok $n $f ($layer) includes no $what"
    fi
  done
}

core_files=$(ls plugin/core/*.c plugin/core/*.h include/smileback/*.h 2>/dev/null)
purple_files=$(ls plugin/purple/*.c plugin/purple/*.h include/smileback-purple/*.h 2>/dev/null)
pidgin_files=$(ls plugin/pidgin/*.c plugin/pidgin/*.h 2>/dev/null)
finch_files=$(ls plugin/finch/*.c plugin/finch/*.h 2>/dev/null)
cli_files=$(ls plugin/cli/*.c plugin/cli/*.h 2>/dev/null)

{
  check core "($libpurple|$gtk|$purple_layer)" "a libpurple, GTK, Pidgin or smileback-purple header" $core_files
  check purple "$gtk" "a GTK or Pidgin header" $purple_files
  check pidgin "($store)" "the store, the ledger, the importer or SQLite" $pidgin_files
  check finch "($store|$gtk)" "the store, the ledger, the importer, SQLite, GTK or Pidgin" $finch_files
  check cli "($libpurple|$gtk|$purple_layer)" "a libpurple, GTK or Pidgin header" $cli_files
} > "${TMPDIR:-/tmp}/sb-layering.$$"
echo "1..$n"
cat "${TMPDIR:-/tmp}/sb-layering.$$"
rm -f "${TMPDIR:-/tmp}/sb-layering.$$"
exit $failed
