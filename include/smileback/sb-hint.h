/* sb-hint.h: the words beside a buddy and in its tooltip (DESIGN section 3).
 *
 * Pure: from an SbStats and "now" to a verdict and translated text.  Hints are
 * short (under about 24 characters), never rely on colour, and with fewer than
 * 4 episodes give no verdict, only "new".
 */
#pragma once

#include <glib.h>
#include "sb-stats.h"

G_BEGIN_DECLS

typedef enum
{
  SB_HINT_NONE = 0,          /* no history: draw nothing */
  SB_HINT_NEW,               /* fewer than 4 episodes: facts only */
  SB_HINT_MUTUAL,
  SB_HINT_YOU_ALWAYS_START,
  SB_HINT_THEY_ALWAYS_START,
  SB_HINT_OWES_YOU_A_REPLY,  /* the user started the latest episode, no answer yet */
  SB_HINT_YOU_OWE_A_REPLY,   /* the buddy started the latest episode, the user has not answered */
  SB_HINT_LAST
} SbHintKind;

/* The verdict for @stats at @now.  Never fails. */
SbHintKind sb_hint_classify (const SbStats *stats, gint64 now);

/* The translated short label of @kind ("mutual"), NULL for SB_HINT_NONE.
 * Static string, never free. */
const char *sb_hint_label (SbHintKind kind);

/* The tooltip body: the figures behind the hint as Pango markup lines, each
 * "<b>Label:</b> value", translated.  Caller frees. */
char *sb_hint_tooltip (const SbStats *stats, gint64 now);

G_END_DECLS
