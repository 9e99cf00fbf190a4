/* sb-ipc.h: what the core plugin (core-smileback) publishes to UI plugins.
 *
 * Plugins share no symbols (Pidgin opens them with G_MODULE_BIND_LOCAL), so a
 * UI plugin reaches the one ledger only through these purple signals and IPC
 * calls, looked up on the core plugin with purple_plugins_find_with_id().
 * This header holds names and plain types only: nothing to link.
 */
#pragma once

#include <glib.h>
#include "sb-stats.h"

G_BEGIN_DECLS

#define SB_CORE_PLUGIN_ID "core-smileback"
#define SB_GTK_PLUGIN_ID "gtk-smileback"

/* Signals, emitted on the core plugin's handle (purple_plugins_find_with_id
 * (SB_CORE_PLUGIN_ID)).
 *
 * "smileback-buddy-changed":
 *   void (const char *protocol_id, const char *account, const char *buddy)
 *   after that buddy's figures changed (a message, a forget, a refresh).
 *   account and buddy are normalized; protocol_id like "prpl-jabber".
 */
#define SB_SIGNAL_BUDDY_CHANGED "smileback-buddy-changed"

/* "smileback-prompt": gboolean (SbPrompt *prompt) -- defined with the planner;
 * a UI handler returns TRUE when it showed the prompt, otherwise the core
 * plugin falls back to purple_request_action(). */
#define SB_SIGNAL_PROMPT "smileback-prompt"

/* IPC calls, registered on the core plugin (purple_plugin_ipc_call).
 *
 * "smileback-get-stats": gboolean (PurpleBlistNode *node, SbStats *out)
 *   node is a buddy or a contact (its buddies summed); FALSE when no history.
 * "smileback-get-hint": char * (PurpleBlistNode *node)
 *   the short translated hint (sb_hint_label), NULL when none; caller g_free()s.
 *   Served from memory, no SQL.
 * "smileback-get-tooltip": char * (PurpleBlistNode *node)
 *   Pango markup lines for the tooltip (sb_hint_tooltip), NULL when none;
 *   caller g_free()s.
 * "smileback-foreach-buddy": void (SbIpcBuddyFunc func, gpointer user_data)
 *   every buddy with history, including ones not in the buddy list.
 * "smileback-get-monthly": GArray * (const char *protocol_id, const char *account,
 *   const char *buddy, int months)
 *   GArray of SbMonthCounts for the last @months months, oldest first;
 *   caller g_array_unref()s; NULL when unknown.
 */
#define SB_IPC_GET_STATS "smileback-get-stats"
#define SB_IPC_GET_HINT "smileback-get-hint"
#define SB_IPC_GET_TOOLTIP "smileback-get-tooltip"
#define SB_IPC_FOREACH_BUDDY "smileback-foreach-buddy"
#define SB_IPC_GET_MONTHLY "smileback-get-monthly"

typedef void (*SbIpcBuddyFunc) (const char *protocol_id, const char *account, const char *buddy,
                                const SbStats *stats, gpointer user_data);

typedef struct
{
  int year;
  int month; /* 1..12 */
  guint started_by_you;
  guint started_by_them;
  guint answered_by_them; /* of the user's starts */
  guint answered_by_you;  /* of the buddy's starts */
} SbMonthCounts;

/* Per-node setting (purple_blist_node_set_int, saved in blist.xml by libpurple)
 * on a buddy, contact or group: keep-in-touch interval in days; absent or 0 =
 * learned from the cadence; -1 = no reminders. */
#define SB_NODE_KEEP_IN_TOUCH_DAYS "smileback-keep-in-touch-days"

G_END_DECLS
