/* sb-ipc.h: what the core plugin (core-smileback) publishes to UI plugins.
 *
 * Plugins share no symbols (Pidgin opens them with G_MODULE_BIND_LOCAL), so a
 * UI plugin reaches the one ledger only through these purple signals and IPC
 * calls, looked up on the core plugin with purple_plugins_find_with_id()
 * (docs/design.md, "Layers").  This header holds names and plain types only:
 * nothing to link.  It includes the core's pure headers (prompts, figures)
 * and never the store, the ledger or the importer: a UI plugin compiled
 * against it cannot reach them.
 */
#pragma once

#include <glib.h>
#include "smileback/sb-prompt.h"
#include "smileback/sb-hint.h"
#include "smileback/sb-room.h"
#include "smileback/sb-stats.h"

G_BEGIN_DECLS

#define SB_CORE_PLUGIN_ID "core-smileback"
#define SB_GTK_PLUGIN_ID "gtk-smileback"
#define SB_GNT_PLUGIN_ID "gnt-smileback"

/* The clock every Smile Back plugin reads (sb_purple_now()): the wall
 * clock plus this many seconds, an int pref the core plugin registers (0;
 * tests move it to see what later days bring). */
#define SB_PREF_CLOCK_OFFSET_S "/plugins/core/smileback/clock_offset_s"

/* Signals, emitted on the core plugin's handle (purple_plugins_find_with_id
 * (SB_CORE_PLUGIN_ID)).
 *
 * "smileback-buddy-changed":
 *   void (const char *protocol_id, const char *account, const char *buddy)
 *   after that buddy's figures changed (a message, a forget, a refresh).
 *   account and buddy are normalized; protocol_id like "prpl-jabber".
 */
#define SB_SIGNAL_BUDDY_CHANGED "smileback-buddy-changed"

/* "smileback-prompt": gboolean (const SbPrompt *prompt)
 *   a prompt the planner chose (sb-prompt.h): reach out, reply nudge,
 *   follow-up, call, introduction, invitation, unanswered in a room.
 *   Borrowed for the emission: a UI copies the fields it needs (id, kind,
 *   key, other, room, invitees) and returns TRUE when it showed the prompt;
 *   when no handler does, the core plugin shows it with
 *   purple_request_action() (Finch, other UIs).
 *   The UI reports the user's answer with "smileback-answer-prompt".
 * "smileback-prompt-withdrawn": void (const SbPrompt *prompt)
 *   an open prompt no longer stands (the user answered the buddy meanwhile,
 *   a room question got its answer or its room closed, the plugin unloads):
 *   the UI removes it.
 */
#define SB_SIGNAL_PROMPT "smileback-prompt"
#define SB_SIGNAL_PROMPT_WITHDRAWN "smileback-prompt-withdrawn"

/* IPC calls, registered on the core plugin (purple_plugin_ipc_call).
 *
 * "smileback-get-stats": gboolean (PurpleBlistNode *node, SbStats *out)
 *   node is a buddy or a contact (its buddies summed); FALSE when no history.
 * "smileback-get-hint": char * (PurpleBlistNode *node)
 *   the short translated hint (sb_hint_label), NULL when none; caller g_free()s.
 *   Served from memory, no SQL.
 * "smileback-get-hint-kind": gpointer (PurpleBlistNode *node)
 *   the verdict behind that hint, an SbHintKind (sb-hint.h) as
 *   GINT_TO_POINTER; SB_HINT_NONE when the node has no history or is not a
 *   buddy or contact.  Served from memory, no SQL.  A UI that groups buddies
 *   by hint maps it with sb_hint_group_of() (sb-hint-group.h).
 * "smileback-get-tooltip": char * (PurpleBlistNode *node)
 *   Pango markup lines for the tooltip (sb_hint_tooltip, then the room line
 *   of "smileback-get-room-counts", which reads the store), NULL when none;
 *   caller g_free()s.
 * "smileback-foreach-buddy": void (SbIpcBuddyFunc func, gpointer user_data)
 *   every buddy with history, including ones not in the buddy list.
 * "smileback-get-monthly": GArray * (const char *protocol_id, const char *account,
 *   const char *buddy, int months)
 *   GArray of SbMonthCounts (sb-stats.h) for the last @months months, oldest first;
 *   caller g_array_unref()s; NULL when unknown.
 */
#define SB_IPC_GET_STATS "smileback-get-stats"
#define SB_IPC_GET_HINT "smileback-get-hint"
#define SB_IPC_GET_HINT_KIND "smileback-get-hint-kind"
#define SB_IPC_GET_TOOLTIP "smileback-get-tooltip"
#define SB_IPC_FOREACH_BUDDY "smileback-foreach-buddy"
#define SB_IPC_GET_MONTHLY "smileback-get-monthly"

/* Group chats (docs/design.md, "Group chats"): read from the store, so a UI
 * calls these when a window opens, not on every draw.  The window is the
 * ledger's (SbParams.window_s, 180 days by default).
 *
 * "smileback-foreach-room": void (SbIpcRoomFunc func, gpointer user_data)
 *   every room with a line within the window, with its figures (SbIpcRoom,
 *   borrowed for the call).
 * "smileback-get-room-counts": gboolean (PurpleBlistNode *node,
 *   guint *answered_you, guint *you_answered)
 *   over the window, for the buddies of @node (a buddy or a contact): their
 *   room lines that answered the user's, and the user's that answered
 *   theirs; FALSE when both are 0.
 * The tooltip ("smileback-get-tooltip") carries the same two figures as its
 * line "In rooms: answered you N times, you answered them M times".
 */
#define SB_IPC_FOREACH_ROOM "smileback-foreach-room"
#define SB_IPC_GET_ROOM_COUNTS "smileback-get-room-counts"

/* "smileback-answer-prompt": gboolean (const SbIpcAnswer *answer)
 *   the user's answer to the prompt with answer->id.  The core plugin records
 *   it and does what it implies: for SB_ANSWER_DONE on a reach-out, nudge,
 *   follow-up or call, it opens the conversation (never sends); on an
 *   introduction, it opens both conversations with a drafted line (never sent)
 *   and records the introduction; on an invitation, it invites exactly the
 *   names in answer->chosen with serv_chat_invite(); on a room question
 *   ("Go to the room"), it presents the room's chat conversation
 *   (purple_conversation_present, never sends).  FALSE when the id is not an
 *   open prompt.
 * "smileback-list-due": GPtrArray * (void)
 *   every prompt due now, in the planner's order, manners aside (the "Who
 *   should I reach out to?" list); SbPrompt elements; caller
 *   g_ptr_array_unref()s (the array frees its elements).
 * "smileback-know-each-other": gboolean (PurpleBlistNode *a, PurpleBlistNode *b)
 *   "they know each other": never suggest introducing them.
 */
/* What the Pidgin UI answers, per kind (the same SbIpcAnswer for any UI):
 *   room question: as below, the core presenting the room on SB_ANSWER_DONE.
 *   reach out, reply nudge, follow-up, call: SB_ANSWER_DONE (the core opens the
 *     conversation; Pidgin then puts the focus in its entry, and for "Call",
 *     shown only where the protocol reports audio, starts the call itself);
 *     SB_ANSWER_LATER with snooze_until = now + 1 day or now + 7 days;
 *     SB_ANSWER_MUTE ("Not for NAME").
 *   introduction: SB_ANSWER_DONE ("Introduce"); SB_ANSWER_LATER; "They know
 *     each other": "smileback-know-each-other" on the two buddies, then
 *     SB_ANSWER_DISMISSED.
 *   invitation: SB_ANSWER_DONE with chosen (NULL-terminated, never empty:
 *     the button is off until a name is ticked); "Not now": SB_ANSWER_DISMISSED.
 * The prompt's id is set (sb_planner_shown) before "smileback-prompt" is
 * emitted, so an answer can name it. */
#define SB_IPC_ANSWER_PROMPT "smileback-answer-prompt"
#define SB_IPC_LIST_DUE "smileback-list-due"
#define SB_IPC_KNOW_EACH_OTHER "smileback-know-each-other"

/* Log import (sb-import.h), run by the core plugin in short idle slices so
 * the UI never freezes; it resumes where it stopped (file marks).
 *
 * "smileback-import-offer": gboolean (void) -- signal, emitted once when the
 *   core plugin first loads for a profile that has logs and was never
 *   imported; a UI handler returns TRUE when it offered the import itself
 *   (a mini-dialog), otherwise the core asks with purple_request_action().
 * "smileback-import-progress": void (const SbIpcImportProgress *progress,
 *   gboolean finished) -- signal, after each slice and at the end.
 * "smileback-import-start": gboolean (const char *logdir) -- IPC; NULL means
 *   the profile's logs folder; FALSE when an import is already running.
 * "smileback-import-cancel": void (void) -- IPC; stops after the current file.
 * "smileback-import-decline": void (void) -- IPC; "not now": the offer is
 *   not repeated (the plugin action still imports any time).
 */
#define SB_SIGNAL_IMPORT_OFFER "smileback-import-offer"
#define SB_SIGNAL_IMPORT_PROGRESS "smileback-import-progress"
#define SB_IPC_IMPORT_START "smileback-import-start"
#define SB_IPC_IMPORT_CANCEL "smileback-import-cancel"
#define SB_IPC_IMPORT_DECLINE "smileback-import-decline"

/* "smileback-import-offer" is emitted from the main loop after loading (a
 * timeout or idle callback, never inside plugin_load): a UI plugin depends on
 * the core plugin, so it is loaded after it and connects only then. */

/* "smileback-get-outcomes": gboolean (SbIpcOutcomes *out) -- IPC; how prompts
 * worked out, for the window. */
#define SB_IPC_GET_OUTCOMES "smileback-get-outcomes"

/* "smileback-plan-now": void (void) -- IPC; runs the planner at once, every
 * manner applied (daily cap, quiet hours, presence, sign-on flood, one open
 * prompt per buddy), instead of at the next tick of its timer.  A UI calls it
 * when its buddy list appears; the ui suite calls it so it need not wait for
 * the timer. */
#define SB_IPC_PLAN_NOW "smileback-plan-now"

typedef struct
{
  SbPromptOutcomes reach_out;   /* shown, acted (wrote within an hour), smiled back */
  SbPromptOutcomes reply_nudge;
  guint introduced, introduced_met;  /* pairs introduced; later seen together */
  guint invited, invited_joined;     /* invitations sent; invitee joined within a day */
} SbIpcOutcomes;

typedef struct
{
  gint64 id;                 /* SbPrompt.id */
  int answer;                /* SbPromptAnswer */
  gint64 snooze_until;       /* SB_ANSWER_LATER: when it may come back (UTC seconds) */
  const char *const *chosen; /* invitations: the normalized names the user ticked */
} SbIpcAnswer;

typedef void (*SbIpcBuddyFunc) (const char *protocol_id, const char *account, const char *buddy,
                                const SbStats *stats, gpointer user_data);

/* One room's figures over the window (sb-room.h). */
typedef struct
{
  const char *protocol_id; /* the room key: protocol, normalized account, normalized room */
  const char *account;
  const char *room;
  const SbRoomStats *stats;       /* every figure; members most answering first */
  double answered_share;          /* of the user's threads answered, 0..1; -1 with none */
  const char *answers_you_most;   /* member key of who answered the user most; NULL: nobody */
  guint answers_you_most_count;
  const char *you_answer_most;    /* member key of whom the user answered most; NULL: nobody */
  guint you_answer_most_count;
} SbIpcRoom;

typedef void (*SbIpcRoomFunc) (const SbIpcRoom *room, gpointer user_data);

/* How far a log import got: what a UI shows of the importer's progress. */
typedef struct
{
  guint files_total;     /* log files found */
  guint files_done;      /* of those, finished: imported or skipped */
  guint files_imported;  /* read and recorded */
  guint files_unchanged; /* skipped: imported before and unchanged since */
  guint64 bytes_total;
  guint64 bytes_done;
  guint messages;        /* new counted messages (sent + received) */
  int episodes;          /* episodes the import added to the ledger */
} SbIpcImportProgress;

/* SB_NODE_KEEP_IN_TOUCH_DAYS, the per-node keep-in-touch setting, is in sb-hint.h. */

G_END_DECLS
