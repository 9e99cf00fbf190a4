/* sb-gnt-private.h: what the files of the Finch plugin (gnt-smileback) share.
 *
 * One context, SbGntContext, holds the plugin's state: the timer that
 * re-places buddies whose hint changed with time, and the "Who smiles back"
 * window.  It lives from plugin_load() to plugin_unload(); each concept has
 * an init (connects its signals with the plugin as handle) and a shutdown
 * that undoes it, called in reverse order on unload.
 *
 * Like the Pidgin plugin, it reaches the ledger only through what
 * core-smileback publishes (smileback-purple/sb-ipc.h) and links only the
 * core's pure helpers (sb-hint.h, sb-hint-group.h, sb-table.h, sb-buddy-key.h)
 * and the buddy-key rule (smileback-purple/sb-purple-key.h); the store's and
 * the ledger's headers do not compile here (docs/design.md, "Layers").
 */
#pragma once

#include <glib.h>

#include <plugin.h>
#include <blist.h>

#include "smileback/sb-buddy-key.h"
#include "smileback/sb-hint.h"
#include "smileback/sb-hint-group.h"
#include "smileback/sb-table.h"
#include "smileback-purple/sb-ipc.h"
#include "smileback-purple/sb-purple-key.h"
#include "smileback-purple/sb-purple-ui.h"

G_BEGIN_DECLS

/* The id of the buddy-list view, the value of Finch's /finch/blist/grouping
 * when it is chosen. */
#define SB_GNT_VIEW_ID "smileback"

typedef struct _SbGntWindow SbGntWindow;

typedef struct
{
  PurplePlugin *plugin; /* gnt-smileback: the handle of every signal */
  PurplePlugin *core;   /* core-smileback: its IPC calls and its signals */

  /* sb-gnt-view.c */
  guint refresh_id;     /* the timer that re-places buddies whose hint expired */

  /* sb-gnt-window.c */
  SbGntWindow *window;  /* NULL while the window is closed */
} SbGntContext;

/* sb-gnt-plugin.c */

/* The context of the loaded plugin, NULL when not loaded (for Finch's
 * buddy-list callbacks, which carry no user data). */
SbGntContext *sb_gnt_context (void);


/* The verdict the core plugin gives @node (a buddy or a contact, its
 * buddies summed) now, through "smileback-get-hint-kind"; SB_HINT_NONE
 * without history or when the core does not answer.  From memory, no SQL. */
SbHintKind sb_gnt_hint_kind (SbGntContext *ctx, PurpleBlistNode *node);

/* sb-gnt-view.c: the "Smile Back" view of Finch's buddy list. */
/* Installs the view among Finch's groupings (shown at once when it is the
 * chosen one) and follows the core's buddy changes. */
void sb_gnt_view_init (SbGntContext *ctx);
/* Uninstalls the view; Finch falls back to its own when it was shown. */
void sb_gnt_view_shutdown (SbGntContext *ctx);

/* sb-gnt-window.c: the "Who smiles back" window. */
/* Opens the window, or brings it to the front. */
void sb_gnt_window_show (SbGntContext *ctx);
/* Closes the window if open. */
void sb_gnt_window_shutdown (SbGntContext *ctx);

G_END_DECLS
