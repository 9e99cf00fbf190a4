#!/bin/sh
# Smile Back never sends a message by itself (docs/design.md, "Prompts and
# their manners"): a prompt ends, at most, with a conversation window open for
# the user.  Checked on the sources of every plugin and the core: no call of a
# libpurple function that sends a message or a typing notice.  Prints TAP.
#
# Not checked: plugin/demo/, whose program plays the *other* people of
# `./run demo` (the buddies answering the user), and serv_chat_invite, which
# core-smileback calls only for the names the user ticked, on the user's click.
top=${1:-$(dirname "$0")/..}
cd "$top" || exit 1

sends='(purple_conv_im_send|purple_conv_chat_send|serv_send_im|serv_chat_send|serv_send_typing|purple_conv_send_confirm)[[:space:]]*\('
n=0
failed=0
for f in plugin/core/*.[ch] plugin/purple/*.[ch] plugin/pidgin/*.[ch] plugin/finch/*.[ch] plugin/cli/*.[ch]; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  bad=$(grep -nE "$sends" "$f" || true)
  if [ -n "$bad" ]; then
    failed=1
    echo "not ok $n $f sends a message:"
    echo "$bad" | sed 's/^/#   /'
  else
    echo "ok $n $f sends nothing"
  fi
done
echo "1..$n"
exit $failed
