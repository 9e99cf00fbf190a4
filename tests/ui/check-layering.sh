#!/bin/sh
# Fails when a UI plugin ($2: gtk-smileback.so, gnt-smileback.so) refers to
# SQLite, the store or the ledger: the UI plugins reach history only through
# core-smileback's IPC.  The
# link-time side of docs/design.md, "Layers"; tests/check-layering.sh (unit
# suite) checks the includes, and SB_PIDGIN_LAYER makes them fail to compile.
# $1 is nm.
set -eu
name=$(basename "$2" .so)
bad=$("$1" -D "$2" | grep -E ' (sqlite3_|sb_store_|sb_ledger_|sb_import_)' || true)
if [ -n "$bad" ]; then
  echo "$name links what belongs to core-smileback:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "$name: no SQLite, store or ledger symbols"
