/* sb-room-hint.c: the tooltip's line about group chats (sb-hint.h).
 *
 * Room figures stand beside the 1:1 figures (docs/design.md, "Group chats"):
 * one line of their own, never mixed into the hint or the episodes.
 */
#include "smileback/sb-hint.h"

#include <glib/gi18n-lib.h>

char *
sb_hint_room_line (guint answered_you, guint you_answered)
{
  if (answered_you == 0 && you_answered == 0)
    return NULL;
  /* TRANSLATORS: how often a buddy answered the user's messages in group
   * chats; part of "In rooms: %s, %s" */
  g_autofree char *them = g_strdup_printf (
    ngettext ("answered you %u time", "answered you %u times", answered_you), answered_you);
  /* TRANSLATORS: how often the user answered the buddy's messages in group
   * chats; part of "In rooms: %s, %s" */
  g_autofree char *you = g_strdup_printf (
    ngettext ("you answered them %u time", "you answered them %u times", you_answered),
    you_answered);
  /* TRANSLATORS: a tooltip line; the first %s is "answered you N times", the
   * second "you answered them N times" */
  return g_strdup_printf (_("In rooms: %s, %s"), them, you);
}
