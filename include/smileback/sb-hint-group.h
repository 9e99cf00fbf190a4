/* sb-hint-group.h: a buddy list sorted by hint (docs/design.md, "Hints").
 *
 * Pure: which group a hint puts a buddy in, the groups' order and their
 * translated titles, written once for every UI that groups buddies by hint
 * (Finch's "Smile Back" view).  The order puts first what the user can act
 * on: a buddy waiting for the user, then one the user waits for, then the
 * balances, then the buddies with too little history for a verdict.
 */
#pragma once

#include <glib.h>
#include "sb-hint.h"

G_BEGIN_DECLS

/* In display order. */
typedef enum
{
  SB_HINT_GROUP_OWES_YOU = 0,  /* SB_HINT_OWES_YOU_A_REPLY */
  SB_HINT_GROUP_YOU_OWE,       /* SB_HINT_YOU_OWE_A_REPLY */
  SB_HINT_GROUP_YOU_START,     /* SB_HINT_YOU_ALWAYS_START */
  SB_HINT_GROUP_THEY_START,    /* SB_HINT_THEY_ALWAYS_START */
  SB_HINT_GROUP_MUTUAL,        /* SB_HINT_MUTUAL */
  SB_HINT_GROUP_NEW,           /* SB_HINT_NEW, and SB_HINT_NONE: no history yet */
  SB_HINT_GROUP_LAST
} SbHintGroup;

/* The group of a buddy whose hint is @kind.  A buddy without history
 * (SB_HINT_NONE) and out-of-range values fall in SB_HINT_GROUP_NEW: every
 * buddy has a group.  Never fails. */
SbHintGroup sb_hint_group_of (SbHintKind kind);

/* The translated title of @group ("Owes you a reply"), NULL for
 * SB_HINT_GROUP_LAST and out-of-range values.  Static string, never free. */
const char *sb_hint_group_title (SbHintGroup group);

G_END_DECLS
