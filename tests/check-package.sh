#!/bin/sh
# The Debian packages (debian/), built by `./run package` and unpacked with
# dpkg -x: every file is where its reader looks for it.
#   - core-smileback.so in libpurple's plugindir, which Pidgin, Finch and
#     every libpurple client search (pkg-config --variable=plugindir purple);
#   - gtk-smileback.so in Pidgin's (pkg-config --variable=plugindir pidgin);
#   - gnt-smileback.so in Finch's own folder ($libdir/finch, where Finch
#     looks besides libpurple's plugindir);
#   - no plugin anywhere else;
#   - smileback in /usr/bin, and it runs; its page where `man -w` finds it;
#   - each language of po/LINGUAS under /usr/share/locale, the command and
#     both plugins built to look there, and the unpacked command speaks it;
#   - no maintainer script: removing the packages touches no one's
#     smileback.db;
#   - lintian reports no error (when lintian is installed).
# Built with DEB_BUILD_OPTIONS="nocheck noddebs": the tests themselves are
# not built into the packages.  Skips when dpkg-buildpackage is missing.
#   $1 the source root.  Prints TAP.
top=$1
if ! command -v dpkg-buildpackage >/dev/null; then
  echo "1..0 # SKIP dpkg-buildpackage is not installed (package dpkg-dev)"
  exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/smileback-package-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
root=$tmp/root

n=0
failed=0
ok() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n $2"; else failed=1; echo "not ok $n $2"; fi
}

SMILEBACK_DIST=$tmp/dist DEB_BUILD_OPTIONS="nocheck noddebs parallel=2" \
  "$top/run" package < /dev/null > "$tmp/package.log" 2>&1
status=$?
ok $status "./run package builds the packages"
if [ $status != 0 ]; then
  tail -n 40 "$tmp/package.log" | sed 's/^/# /'
  echo "1..$n"
  exit 1
fi
for p in purple-smileback pidgin-smileback; do
  deb=$(ls "$tmp/dist/${p}_"*.deb 2>/dev/null | head -n 1)
  [ -n "$deb" ] && dpkg -x "$deb" "$root"
  ok $? "$p is built and unpacks"
done

purple_dir=$(pkg-config --variable=plugindir purple)
pidgin_dir=$(pkg-config --variable=plugindir pidgin)
finch_dir=$(pkg-config --variable=libdir finch 2>/dev/null || pkg-config --variable=libdir purple)/finch

[ -f "$root$purple_dir/core-smileback.so" ]
ok $? "core-smileback.so is in libpurple's plugindir $purple_dir (Pidgin, Finch, every client)"
[ -f "$root$pidgin_dir/gtk-smileback.so" ]
ok $? "gtk-smileback.so is in Pidgin's plugindir $pidgin_dir"
[ -f "$root$finch_dir/gnt-smileback.so" ]
ok $? "gnt-smileback.so is in Finch's plugin folder $finch_dir"
stray=$(cd "$root" && find . -name '*.so' | sed 's/^\.//' \
        | grep -v -e "^$purple_dir/[^/]*\.so$" -e "^$pidgin_dir/[^/]*\.so$" -e "^$finch_dir/[^/]*\.so$")
[ -z "$stray" ]
ok $? "every plugin is in the purple, Pidgin or Finch ($finch_dir) plugin folder"
[ -n "$stray" ] && echo "$stray" | sed 's/^/#   elsewhere: /'

[ -x "$root/usr/bin/smileback" ] && "$root/usr/bin/smileback" --help > /dev/null
ok $? "/usr/bin/smileback is there and runs"
if command -v man >/dev/null; then
  found=$(MANPATH="$root/usr/share/man" man -w smileback 2>/dev/null)
  [ "$found" = "$root/usr/share/man/man1/smileback.1.gz" ]
  ok $? "man -w smileback finds /usr/share/man/man1/smileback.1.gz"
fi

for f in usr/bin/smileback "$purple_dir/core-smileback.so" "$pidgin_dir/gtk-smileback.so" \
         "$finch_dir/gnt-smileback.so"; do
  grep -qaF /usr/share/locale "$root/${f#/}"
  ok $? "$(basename "$f") looks for its translations in /usr/share/locale (its LOCALEDIR)"
done
langs=$(sed 's/#.*//' "$top/po/LINGUAS")
for lang in $langs; do
  mo=$root/usr/share/locale/$lang/LC_MESSAGES/smileback.mo
  want=$(env TEXTDOMAINDIR="$root/usr/share/locale" LANGUAGE="$lang" LC_ALL=C.UTF-8 \
         gettext -d smileback "Commands:" 2>/dev/null)
  [ -f "$mo" ] && [ "$want" != "Commands:" ] \
    && env SMILEBACK_LOCALEDIR="$root/usr/share/locale" LANGUAGE="$lang" LC_ALL=C.UTF-8 \
         "$root/usr/bin/smileback" --help | grep -qxF "$want"
  ok $? "the $lang translations are in /usr/share/locale and the command speaks them (\"$want\")"
done

for deb in "$tmp/dist/"*.deb; do
  dpkg-deb -e "$deb" "$tmp/control-$(basename "$deb")"
  scripts=$(cd "$tmp/control-$(basename "$deb")" && ls preinst postinst prerm postrm 2>/dev/null)
  [ -z "$scripts" ]
  ok $? "$(basename "$deb") has no maintainer script (removing it leaves every smileback.db)"
done
dpkg-deb -f "$tmp/dist/"pidgin-smileback_*.deb Depends | grep -q 'purple-smileback (= '
ok $? "pidgin-smileback depends on the same version of purple-smileback"

if command -v lintian >/dev/null; then
  lintian --fail-on error "$tmp/dist/"*.deb > "$tmp/lintian.log" 2>&1
  ok $? "lintian reports no error"
  grep -v 'running with root privileges' "$tmp/lintian.log" | sed 's/^/# /'
else
  n=$((n + 1))
  echo "ok $n # SKIP lintian is not installed"
fi
echo "1..$n"
exit $failed
