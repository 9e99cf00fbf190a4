#!/bin/sh
# `./run install` then `./run uninstall`, for a throwaway HOME: the install
# puts the plugins into ~/.purple/plugins, the command into ~/.local/bin, its
# man page and translations under ~/.local/share, and the command finds its
# translations there; the uninstall removes exactly what the install added
# (files and the folders it created), and leaves alone what was there before:
# a profile's smileback.db, another plugin, another command.
#   $1 the source root.
# Builds a release build of its own (without the tests) in a temporary
# folder: the slow test of suite "package".  Prints TAP.
top=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/smileback-install-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
home=$tmp/home
mkdir -p "$home/.purple/plugins" "$home/.local/bin"
echo "a history the uninstall must keep" > "$home/.purple/smileback.db"
echo "another plugin" > "$home/.purple/plugins/other-plugin.so"
echo "another command" > "$home/.local/bin/other-command"
tree() { (cd "$home" && find . -print | sort; cat .purple/smileback.db) > "$1"; }
tree "$tmp/before"

# SUDO_USER unset: `run` would otherwise install into that user's real HOME.
in_home() {
  env -u SUDO_USER HOME="$home" SMILEBACK_USER_BUILD="$tmp/build" "$@"
}

n=0
failed=0
ok() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n $2"; else failed=1; echo "not ok $n $2"; fi
}

in_home "$top/run" install < /dev/null > "$tmp/install.log" 2>&1
status=$?
ok $status "./run install succeeds"
[ $status = 0 ] || tail -n 30 "$tmp/install.log" | sed 's/^/# /'

manifest=$home/.local/share/smileback/installed-files
[ -f "$manifest" ]
ok $? "the install lists what it put in place in ~/.local/share/smileback/installed-files"

for f in .purple/plugins/core-smileback.so .local/bin/smileback .local/share/man/man1/smileback.1; do
  grep -qxF "file $home/$f" "$manifest" && [ -f "$home/$f" ]
  ok $? "~/$f is installed and listed"
done
if pkg-config --exists pidgin; then
  [ -f "$home/.purple/plugins/gtk-smileback.so" ]
  ok $? "~/.purple/plugins/gtk-smileback.so is installed"
fi
for lang in $(sed 's/#.*//' "$top/po/LINGUAS"); do
  [ -f "$home/.local/share/locale/$lang/LC_MESSAGES/smileback.mo" ]
  ok $? "the $lang translations are in ~/.local/share/locale"
done

outside=$(grep '^file \|^dir ' "$manifest" | cut -d' ' -f2- | grep -v "^$home/")
[ -z "$outside" ]
ok $? "everything listed is below HOME"

# The installed command finds the installed translations by itself (LOCALEDIR
# is the per-user prefix's): German as gettext(1) reads it from there.
lang=$(sed 's/#.*//' "$top/po/LINGUAS" | grep -m1 .)
if [ -n "$lang" ] && command -v gettext >/dev/null; then
  want=$(env TEXTDOMAINDIR="$home/.local/share/locale" LANGUAGE="$lang" LC_ALL=C.UTF-8 \
         gettext -d smileback "Commands:")
  env -u SMILEBACK_LOCALEDIR LANGUAGE="$lang" LC_ALL=C.UTF-8 "$home/.local/bin/smileback" --help \
    | grep -qxF "$want"
  ok $? "the installed smileback speaks $lang (\"$want\") from ~/.local/share/locale"
fi
if command -v man >/dev/null; then
  found=$(MANPATH="$home/.local/share/man" man -w smileback 2>/dev/null)
  [ "$found" = "$home/.local/share/man/man1/smileback.1" ]
  ok $? "man -w smileback finds the page in ~/.local/share/man"
fi

in_home "$top/run" uninstall < /dev/null > "$tmp/uninstall.log" 2>&1
status=$?
ok $status "./run uninstall succeeds"
[ $status = 0 ] || sed 's/^/# /' "$tmp/uninstall.log"

tree "$tmp/after"
diff "$tmp/before" "$tmp/after" > "$tmp/diff"
ok $? "after the uninstall HOME is as before: smileback.db, the other plugin and command kept, nothing of ours left"
sed 's/^/# /' "$tmp/diff"

echo "1..$n"
exit $failed
