/* sb-purple-private.h: what the files of the core-smileback plugin share.
 *
 * The plugin is one context (SbPurple) made on load and freed on unload; each
 * file is one concept with an init/shutdown pair that sb-purple-plugin.c calls
 * in order on load and in reverse on unload.  Signal handlers are connected
 * with the plugin as handle, so nothing outlives an unload.  libpurple objects
 * are borrowed only for the length of a callback: the plugin keeps buddy keys
 * (normalized copies), never a PurpleBuddy *.
 */
#pragma once

#include <glib.h>
#include <purple.h>
#include <smileback/smileback.h>
#include <smileback/sb-import.h>
#include <smileback-purple/sb-ipc.h>
#include <smileback-purple/sb-purple-key.h>
#include <smileback-purple/sb-purple-ui.h>

G_BEGIN_DECLS

/* Preferences, under one root so one callback sees every change. */
#define SB_PREF_ROOT "/plugins/core/smileback"
#define SB_PREF_GAP_S SB_PREF_ROOT "/gap_s"
#define SB_PREF_ANSWER_S SB_PREF_ROOT "/answer_s"
#define SB_PREF_WINDOW_DAYS SB_PREF_ROOT "/window_days"
#define SB_PREF_EXCLUDED SB_PREF_ROOT "/excluded_accounts"
/* Seconds added to the wall clock (sb_purple_now()): 0, except in tests,
 * which step the plugin through minutes without waiting for them.  Not in
 * the preferences frame. */

/* A message this much older than its arrival is backlog (offline delivery,
 * history replay): recorded, never live (about two minutes). */
#define SB_PURPLE_BACKLOG_S 120

/* Lines that are not conversation (capture skips them, IM and chat alike). */
#define SB_PURPLE_SKIPPED_FLAGS                                                                   \
  (PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_ERROR | PURPLE_MESSAGE_NOTIFY                          \
   | PURPLE_MESSAGE_INVISIBLE)

/* The store's writer thread commits by itself within a second
 * (SB_STORE_COMMIT_DELAY_MS); this often the UI thread places the events
 * held for it and tells the user of trouble (sb-purple-save.c). */
#define SB_PURPLE_FLUSH_S 1

/* On unload, pending writes are committed within this long while the file
 * is locked or the disk full; what is left goes to the journal. */
#define SB_PURPLE_UNLOAD_WAIT_MS 2000

/* A database locked at load is tried again this often, in the background. */
#define SB_PURPLE_OPEN_RETRY_MS 1000

/* Time-dependent figures (window, closeness, ages) are recomputed this often. */
#define SB_PURPLE_REFRESH_S (10 * 60)

typedef struct _SbPurpleOpener SbPurpleOpener;

typedef struct
{
  PurplePlugin *plugin;
  SbLedger *ledger;     /* NULL while the database waits to be opened (opener) */
  SbPurpleOpener *opener; /* the background open (sb-purple-save.c), NULL when none */
  GArray *waiting;      /* events recorded before the ledger opened */
  gboolean started;     /* every part is started: the ledger is open */
  GHashTable *excluded; /* normalized account names (no resource) -> themselves */
  guint flush_id;
  guint refresh_id;
  PurpleCmdId cmd_id;
  GList *pending_forgets; /* open "Forget?" questions: a GPtrArray of keys each */
  /* prompts and log import (sb-purple-planner.h) */
  struct _SbPurplePrompts *prompts;
  struct _SbPurpleImporter *importer;
  gulong media_hook; /* emission hook on the media manager's "init-media" (calls) */
  GHashTable *told;  /* kinds of trouble the user was told of (sb-purple-notice.c) */
  guint verdict_id;  /* polls the background check of the history (sb-purple-history.c) */
} SbPurple;

/* The loaded plugin's context, NULL while unloaded.  For IPC callbacks, which
 * receive no user data. */
SbPurple *sb_purple_get (void);


/* sb-purple-stats.c: the figures of buddies and contacts (their keys:
 * sb-purple-key.h). */

/* The figures of @node (a buddy, or a contact: its buddies summed) into @out.
 * FALSE when none of its buddies has history.  Memory only: no SQL, no
 * allocation. */
gboolean sb_purple_stats_for_node (SbPurple *ctx, PurpleBlistNode *node, SbStats *out);

/* The figures of the person behind @who on @account: the contact's sum when
 * @who is in the buddy list, else @who's own.  FALSE when no history. */
gboolean sb_purple_stats_for_name (SbPurple *ctx, PurpleAccount *account, const char *who,
                                   SbStats *out);

/* TRUE when the user chose to leave @account out (SB_PREF_EXCLUDED). */
gboolean sb_purple_account_excluded (SbPurple *ctx, PurpleAccount *account);

/* sb-purple-prefs.c: G, R, window, excluded accounts. */

/* Registers the preferences with their defaults.  Called from init_plugin. */
void sb_purple_prefs_register (void);

/* The parameters the preferences ask for (invalid values fall back to the
 * defaults).  Never fails. */
void sb_purple_prefs_get_params (SbParams *params);

/* Reads the excluded accounts and follows every later change. */
void sb_purple_prefs_init (SbPurple *ctx);
void sb_purple_prefs_shutdown (SbPurple *ctx);

/* The plugin's pref frame (PurplePluginUiInfo.get_plugin_pref_frame). */
PurplePluginPrefFrame *sb_purple_prefs_frame (PurplePlugin *plugin);

/* sb-purple-capture.c: IM and chat signals into the ledger. */
void sb_purple_capture_init (SbPurple *ctx);
void sb_purple_capture_shutdown (SbPurple *ctx);

/* Records one line written in an IM conversation: the body of the
 * "wrote-im-msg" handler.  Never blocks on disk (the write is queued). */
void sb_purple_capture_im (SbPurple *ctx, PurpleAccount *account, const char *message,
                           PurpleConversation *conv, PurpleMessageFlags flags);

/* The time of the line just written in @conv (its newest history entry,
 * when it has @flags), else @now. */
gint64 sb_purple_message_time (PurpleConversation *conv, PurpleMessageFlags flags, gint64 now);

/* sb-purple-rooms.c: who answers whom in group chats (live capture, the
 * tooltip's room line, the room IPC calls). */
void sb_purple_rooms_init (SbPurple *ctx);
void sb_purple_rooms_shutdown (SbPurple *ctx);
void sb_purple_rooms_ipc_register (SbPurple *ctx);

/* The questions waiting for an answer in the open rooms that were not
 * offered to the user yet: a GArray of SbPlannerRoomQuestion (sb-planner.h)
 * owning its keys and room names; caller unrefs.  Memory only. */
GArray *sb_purple_rooms_waiting_questions (SbPurple *ctx);

/* The question of @key in @room (normalized) was offered to the user: it is
 * not offered again, and its prompt is withdrawn once it is answered. */
void sb_purple_rooms_question_offered (SbPurple *ctx, const SbBuddyKey *key, const char *room);

/* The question of @key in @room no longer waits (answered, dropped, its room
 * closed): withdraws its open prompt, if any (sb-purple-planner.c). */
void sb_purple_planner_room_question_gone (SbPurple *ctx, const SbBuddyKey *key,
                                           const char *room);

/* Plans once @seconds from now (a room question becoming due), unless such a
 * run is already pending (sb-purple-planner.c). */
void sb_purple_planner_plan_in (SbPurple *ctx, guint seconds);

/* Over the window, for the buddies of @node: their lines that answered the
 * user's and the user's that answered theirs, in rooms.  Reads the store
 * (flushing first).  FALSE on a store failure (logged). */
gboolean sb_purple_rooms_node_counts (SbPurple *ctx, PurpleBlistNode *node, guint *answered_you,
                                      guint *you_answered);

/* @tooltip (owned, may be NULL) with the room line of @node appended when
 * there is one (sb_hint_room_line()).  Returns the new string. */
char *sb_purple_rooms_add_to_tooltip (SbPurple *ctx, PurpleBlistNode *node, char *tooltip);

/* sb-purple-notice.c: telling the user of trouble with the history, once. */
void sb_purple_notice_init (SbPurple *ctx);
void sb_purple_notice_shutdown (SbPurple *ctx);

/* Logs @primary and @secondary (may be NULL) and, the first time this session
 * for @kind (a short fixed name, e.g. "locked"), shows them to the user as a
 * warning: what happened, what was kept, what to do.  TRUE when shown. */
gboolean sb_purple_notice_once (SbPurple *ctx, const char *kind, const char *primary,
                                const char *secondary);

/* The trouble of @kind is over: the next one of that kind is told again. */
void sb_purple_notice_forget (SbPurple *ctx, const char *kind);

/* sb-purple-history.c: the profile's history, opened as its owner. */

/* purple_user_dir()/smileback.db.  Caller frees. */
char *sb_purple_history_path (void);

/* Opens the ledger on @path and watches the background check of the file.
 * A damaged file (or a -wal without its database) is moved aside and a new
 * history started, now or when the check finds it, and the user is told once
 * what was kept and what to do; so is a file that cannot be opened (a newer
 * Smile Back's: update).  NULL with @error when there is no history to
 * record into. */
SbLedger *sb_purple_history_open (SbPurple *ctx, const char *path, const SbParams *params,
                                  GError **error);
/* @ledger, just opened on the profile's history: tells the user once when a
 * damaged file went aside, and watches the background check of the file. */
void sb_purple_history_opened (SbPurple *ctx, SbLedger *ledger);

/* Tells the user, once, why the profile's history cannot be opened (a newer
 * Smile Back's file: update). */
void sb_purple_history_tell_cannot_open (SbPurple *ctx, const GError *error);

/* Stops watching the check.  Safe to call twice. */
void sb_purple_history_shutdown (SbPurple *ctx);

/* sb-purple-save.c: what the user did is kept when the history cannot be
 * written (docs/design.md, "Reliability"). */

/* Makes the ledger nonblocking and starts the timer that places held events
 * and tells the user of trouble; stops it. */
void sb_purple_save_init (SbPurple *ctx);
void sb_purple_save_shutdown (SbPurple *ctx);

/* Records the journal the last session kept; FALSE (logged) when it must
 * wait for the next start. */
gboolean sb_purple_save_replay (SbPurple *ctx);

/* Commits what is pending within SB_PURPLE_UNLOAD_WAIT_MS, else keeps it in
 * the journal (logged).  Before the ledger is freed. */
void sb_purple_save_close (SbPurple *ctx);

/* Tells the user, once per kind, why the history cannot be written:
 * @refused for an event the ledger refused (its queue is full). */
void sb_purple_save_report (SbPurple *ctx, const GError *error, gboolean refused);

/* TRUE when opening the database failed only for now (locked, disk full). */
gboolean sb_purple_save_may_retry (const GError *error);

/* Opens the database at @path in the background, retrying, and tells the
 * user once; sb_purple_plugin_ready() runs on the UI thread once it is
 * open.  Meanwhile capture keeps events with sb_purple_save_wait(). */
void sb_purple_save_open_later (SbPurple *ctx, const char *path, const SbParams *params);

/* Keeps an event of @key while the ledger is not open; @text (may be NULL)
 * is digested once the secret is known, and never stored. */
void sb_purple_save_wait (SbPurple *ctx, const SbBuddyKey *key, const SbEvent *event,
                          const char *text);

/* On unload: stops the background open; the waiting events go into the
 * ledger if it just opened, else into the journal. */
void sb_purple_save_stop_opener (SbPurple *ctx);
void sb_purple_save_opener_free (SbPurpleOpener *opener);

/* sb-purple-plugin.c: the database is open: starts every part. */
void sb_purple_plugin_ready (SbPurple *ctx);

/* sb-purple-menu.c: the buddy menu. */
void sb_purple_menu_init (SbPurple *ctx);
void sb_purple_menu_shutdown (SbPurple *ctx);

/* sb-purple-cmd.c: /smileback. */
void sb_purple_cmd_init (SbPurple *ctx);
void sb_purple_cmd_shutdown (SbPurple *ctx);

/* The /smileback text for @who on @account: HTML lines, translated.  Caller
 * frees. */
char *sb_purple_cmd_summary (SbPurple *ctx, PurpleAccount *account, const char *who);

/* sb-purple-ipc.c: signals and IPC for UI plugins (sb-ipc.h). */
void sb_purple_ipc_init (SbPurple *ctx);
void sb_purple_ipc_shutdown (SbPurple *ctx);

/* Emits SB_SIGNAL_BUDDY_CHANGED for @key. */
void sb_purple_ipc_emit_changed (SbPurple *ctx, const SbBuddyKey *key);

/* Emits SB_SIGNAL_IMPORT_PROGRESS with what a UI shows of @progress
 * (SbIpcImportProgress). */
void sb_purple_ipc_emit_import_progress (SbPurple *ctx, const SbImportProgress *progress,
                                         gboolean finished);

/* The planner and its prompts (sb-purple-planner.c,
 * sb-purple-prompts.c), the log import (sb-purple-import.c), the plugin
 * actions ("Who should I reach out to?", "Import Pidgin logs..."). */
typedef struct _SbPurplePrompts SbPurplePrompts;
typedef struct _SbPurpleImporter SbPurpleImporter;
void sb_purple_planner_init (SbPurple *ctx);
void sb_purple_planner_shutdown (SbPurple *ctx);
void sb_purple_import_init (SbPurple *ctx);
void sb_purple_import_shutdown (SbPurple *ctx);
GList *sb_purple_actions (PurplePlugin *plugin, gpointer context);

/* The normalized identity of chat member @name in @conv (as capture records
 * it: the real account name when the protocol reveals it).  Caller frees. */
char *sb_purple_chat_member (PurpleConversation *conv, const char *name);

G_END_DECLS
