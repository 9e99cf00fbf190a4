/* sb-hint-group.c: the group of each hint, and the groups' titles.
 *
 * Pure (GLib only), so the grouping a UI shows is the one the unit suite
 * checks.  The rules are in sb-hint-group.h.
 */
#include "smileback/sb-hint-group.h"

#include <glib/gi18n-lib.h>

SbHintGroup
sb_hint_group_of (SbHintKind kind)
{
  switch (kind)
    {
    case SB_HINT_OWES_YOU_A_REPLY:
      return SB_HINT_GROUP_OWES_YOU;
    case SB_HINT_YOU_OWE_A_REPLY:
      return SB_HINT_GROUP_YOU_OWE;
    case SB_HINT_YOU_ALWAYS_START:
      return SB_HINT_GROUP_YOU_START;
    case SB_HINT_THEY_ALWAYS_START:
      return SB_HINT_GROUP_THEY_START;
    case SB_HINT_MUTUAL:
      return SB_HINT_GROUP_MUTUAL;
    case SB_HINT_NONE:
    case SB_HINT_NEW:
    case SB_HINT_LAST:
    default:
      return SB_HINT_GROUP_NEW;
    }
}

const char *
sb_hint_group_title (SbHintGroup group)
{
  switch (group)
    {
    case SB_HINT_GROUP_OWES_YOU:
      /* TRANSLATORS: buddy-list group of the buddies who have not answered
       * the user's last message (the hint "owes you a reply") */
      return _("Owes you a reply");
    case SB_HINT_GROUP_YOU_OWE:
      /* TRANSLATORS: buddy-list group of the buddies whose last message the
       * user has not answered */
      return _("You owe a reply");
    case SB_HINT_GROUP_YOU_START:
      /* TRANSLATORS: buddy-list group: the user starts nearly every conversation */
      return _("You always start");
    case SB_HINT_GROUP_THEY_START:
      /* TRANSLATORS: buddy-list group: the buddy starts nearly every conversation */
      return _("They always start");
    case SB_HINT_GROUP_MUTUAL:
      /* TRANSLATORS: buddy-list group: both sides start conversations */
      return _("Mutual");
    case SB_HINT_GROUP_NEW:
      /* TRANSLATORS: buddy-list group of the buddies with too little history
       * for a verdict */
      return _("New");
    case SB_HINT_GROUP_LAST:
    default:
      return NULL;
    }
}
