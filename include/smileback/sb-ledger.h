/* sb-ledger.h: events in, episodes and per-buddy statistics out.
 *
 * The ledger is the one place where docs/design.md's "Definitions" are computed.  It keeps each
 * buddy's all-time counts and recent episodes in memory, so reading a buddy's
 * figures costs no SQL, and updates them incrementally as events arrive: a new
 * message extends or starts one episode, never replays history.  An event older
 * than the buddy's latest (a server clock behind, an import) re-segments only
 * from the episode it falls into.  The same message seen twice counts once.
 *
 * Time comes in as a parameter ("now", UTC seconds) so tests replay years in
 * milliseconds.  Writes go to SbStore's queue; call sb_ledger_flush() from a
 * timer and before closing.
 *
 * Every call: a NULL ledger or out-pointer is a programmer error (a
 * g_critical, and the call returns FALSE or NULL); bad data from outside (an
 * invalid event, key or parameters) is SB_LEDGER_ERROR_INVALID; a failure of
 * the file passes SbStore's error through.
 */
#pragma once

/* The Pidgin plugin reaches history only through core-smileback's IPC
 * (docs/design.md, "Layers"): its target defines SB_PIDGIN_LAYER. */
#ifdef SB_PIDGIN_LAYER
#error "sb-ledger.h is the ledger, which lives in core-smileback: gtk-smileback uses smileback-purple/sb-ipc.h"
#endif

#include <glib.h>
#include "sb-buddy-key.h"
#include "sb-chat.h"
#include "sb-event.h"
#include "sb-params.h"
#include "sb-stats.h"
#include "sb-store.h"

G_BEGIN_DECLS

#define SB_LEDGER_ERROR (sb_ledger_error_quark ())
GQuark sb_ledger_error_quark (void);

typedef enum
{
  SB_LEDGER_ERROR_INVALID,   /* a bad argument from outside: bad time, bad key, bad params */
  SB_LEDGER_ERROR_UNTRACKED, /* the buddy is marked "don't track" */
} SbLedgerError;

/* How far back the ledger keeps episodes in memory at least: closeness looks
 * back a year. */
#define SB_LEDGER_RECENT_S (365 * SB_DAY)

/* A text received identically from this many buddies within this long is
 * automated (docs/design.md, "Definitions"): it never initiates or answers. */
#define SB_LEDGER_AUTOMATED_BUDDIES 3
#define SB_LEDGER_AUTOMATED_WINDOW_S (7 * SB_DAY)
/* Only texts of at least this sb_size_bucket() (over 16 characters) are
 * considered: short replies ("ok", "thanks") are alike by nature. */
#define SB_LEDGER_AUTOMATED_MIN_SIZE 2

typedef struct _SbLedger SbLedger;

/* Opens the store at @path and loads every buddy's stored summary and recent
 * episodes.  A file found damaged while loading is moved aside and a new
 * history started (sb_ledger_get_moved_aside()).  NULL with @error as
 * sb_store_open().  Free with sb_ledger_free(). */
SbLedger *sb_ledger_open (const char *path, const SbParams *params, gint64 now, GError **error);

/* sb_ledger_open() for @mode (SB_STORE_OWNER or SB_STORE_VISITOR; see
 * sb-store.h): a visitor never moves a damaged file aside, it gets
 * SB_STORE_ERROR_CORRUPT. */
SbLedger *sb_ledger_open_with (const char *path, SbStoreMode mode, const SbParams *params,
                               gint64 now, GError **error);

/* For the owner, when sb_store_get_check() found the open file damaged: the
 * file goes aside (sb_ledger_get_moved_aside()) and the ledger starts again,
 * empty, on a new one; the changed callback is called for every buddy it
 * held.  Pending writes are dropped with the damaged file.  FALSE with
 * @error. */
gboolean sb_ledger_start_over (SbLedger *ledger, GError **error);

/* Where a damaged database was moved aside while opening (by the store's
 * check, or because loading found damage), NULL when nothing was moved.
 * A UI tells the user once. */
const char *sb_ledger_get_moved_aside (SbLedger *ledger);

/* Flushes and closes.  NULL-safe. */
void sb_ledger_free (SbLedger *ledger);

/* The store underneath.  Borrowed. */
SbStore *sb_ledger_get_store (SbLedger *ledger);
/* The parameters in force.  Borrowed until sb_ledger_set_params(). */
const SbParams *sb_ledger_get_params (SbLedger *ledger);

/* Replaces the parameters and recomputes every summary (G and R change
 * segmentation, so recent history is re-segmented from the store).  FALSE
 * with SB_LEDGER_ERROR_INVALID for bad @params (nothing changed), or with the
 * store's error (the old parameters are back). */
gboolean sb_ledger_set_params (SbLedger *ledger, const SbParams *params, gint64 now,
                               GError **error);

/* The UI thread's ledger never waits on the store: with @nonblocking,
 * sb_ledger_add_event() queues a new buddy instead of adding it at once, and
 * holds an event that needs the store to be placed (older than what memory
 * holds) until what was queued before it is committed; then
 * sb_ledger_flush_in_background() places it.  Otherwise (the default: the
 * command, the tests) the caller waits for the store and the event is placed
 * at once. */
void sb_ledger_set_nonblocking (SbLedger *ledger, gboolean nonblocking);

/* Records @event with @key (see sb_ledger_set_nonblocking() for when it
 * waits on the store).
 * *@is_new (may be NULL) is FALSE when the same message was already recorded
 * (for a held event, TRUE unless it is held already).  FALSE with @error for
 * an untracked buddy, or SB_STORE_ERROR_FULL when SB_STORE_QUEUE_MAX writes
 * wait already (nothing is recorded); the ledger stays consistent. */
gboolean sb_ledger_add_event (SbLedger *ledger, const SbBuddyKey *key, const SbEvent *event,
                              gint64 now, gboolean *is_new, GError **error);

/* Records many events of one buddy at once (log import), each message once,
 * then extends or re-segments the buddy's episodes.  Events that all come
 * after everything recorded of the buddy are queued like live ones (a caller
 * that needs them on disk flushes); others are inserted at once, the store
 * skipping those it holds.  *@n_new (may be NULL) counts new events. */
gboolean sb_ledger_add_events (SbLedger *ledger, const SbBuddyKey *key, const SbEvent *events,
                               guint n_events, gint64 now, guint *n_new, GError **error);

/* Checks the received texts sb_ledger_add_events() recorded since the last
 * call: a text received identically from SB_LEDGER_AUTOMATED_BUDDIES buddies
 * within SB_LEDGER_AUTOMATED_WINDOW_S, counting every stored text (live, or
 * from an earlier import), is marked automated, with the others of its
 * window, and the buddies concerned are re-segmented.  Texts recorded in bulk
 * by a session that ended before this call are checked by the next session's
 * call (the whole stored history then).  Live events are checked as they
 * arrive; call this after a bulk import.  *@n_marked (may be NULL) counts the
 * messages newly marked. */
gboolean sb_ledger_detect_automated (SbLedger *ledger, guint *n_marked, GError **error);

/* Records a group-chat observation.  FALSE with SB_LEDGER_ERROR_INVALID when
 * a field is missing (member, except for SB_CHAT_JOINED) or the time is not
 * positive; with the store's error otherwise. */
gboolean sb_ledger_add_chat_event (SbLedger *ledger, const SbChatEvent *event, GError **error);

/* The buddy's figures as of the last update or refresh, NULL when unknown.
 * Served from memory: no SQL; computed on first read after a change, using a
 * scratch buffer the ledger keeps.  Borrowed until the next call that changes
 * the ledger. */
const SbStats *sb_ledger_get_stats (SbLedger *ledger, const SbBuddyKey *key);

/* Recomputes the figures that depend on the time (window, closeness, ages) of
 * every buddy.  Call from a slow timer. */
void sb_ledger_refresh (SbLedger *ledger, gint64 now);

/* Calls @func for every known buddy with at least one episode, in no
 * particular order; the stats are borrowed for the call. */
typedef void (*SbLedgerFunc) (const SbBuddyKey *key, const SbStats *stats, gpointer user_data);
void sb_ledger_foreach (SbLedger *ledger, SbLedgerFunc func, gpointer user_data);

/* Sets the one function called after a buddy's figures changed through
 * add_event(s), automated detection or forget (NULL for none). */
typedef void (*SbLedgerChangedFunc) (SbLedger *ledger, const SbBuddyKey *key, gpointer user_data);
void sb_ledger_set_changed_func (SbLedger *ledger, SbLedgerChangedFunc func, gpointer user_data);

/* "Don't track this buddy": nothing more is recorded for @key while FALSE.
 * set adds an unknown buddy; FALSE with the store's error.  is_tracked is
 * TRUE for a buddy never seen. */
gboolean sb_ledger_set_tracked (SbLedger *ledger, const SbBuddyKey *key, gboolean tracked,
                                GError **error);
gboolean sb_ledger_is_tracked (SbLedger *ledger, const SbBuddyKey *key);

/* "Forget this buddy": deletes every row about @key, in memory and on disk.
 * A buddy never recorded is no error.  FALSE with the store's error. */
gboolean sb_ledger_forget_buddy (SbLedger *ledger, const SbBuddyKey *key, GError **error);

/* The profile secret for sb_text_digest().  Borrowed. */
const guint8 *sb_ledger_get_secret (SbLedger *ledger, gsize *len);

/* Commits queued writes and waits.  On failure the queue is kept; see
 * sb_store_flush().  Call before closing and where the caller must know. */
gboolean sb_ledger_flush (SbLedger *ledger, GError **error);

/* The ledger's share of the UI thread's timer (about every second): places
 * the late events held until their buddy's earlier writes were committed
 * (reading committed rows only), and asks the writer thread to commit, and
 * returns at once: it never waits on the writer thread or a lock.  FALSE
 * with @error when the last background commit failed (the writes are held
 * and retried; SB_STORE_ERROR_BUSY or SB_STORE_ERROR_FULL say why). */
gboolean sb_ledger_flush_in_background (SbLedger *ledger, GError **error);

/* Events recorded and not committed yet (queued writes and held events). */
guint sb_ledger_pending (SbLedger *ledger);

/* What could not be saved (sb-ledger-journal.c; docs/design.md,
 * "Reliability"). */

/* The journal beside the database at @db_path: "<db_path>.unsaved".  Caller
 * frees. */
char *sb_ledger_journal_path (const char *db_path);

/* Commits what is pending, waiting up to @timeout_ms while the file is
 * locked or the disk full; what still cannot be committed is appended to the
 * journal instead (events only: their episodes and figures follow from them
 * when it is replayed), and *@n_kept counts it.  TRUE when everything was
 * committed or kept; FALSE with @error when even the journal could not be
 * written (those events are lost).  For closing: afterwards the ledger has
 * no writer thread.  Waits, whether nonblocking or not. */
gboolean sb_ledger_save (SbLedger *ledger, guint timeout_ms, guint *n_kept, GError **error);

/* Records the journal's events, as an import does (a message already stored
 * counts once, an untracked buddy's are skipped), commits them and removes
 * the journal; no journal is no error.  *@n_replayed (may be NULL) counts
 * the events read.  FALSE with @error: the journal stays for the next try. */
gboolean sb_ledger_replay_journal (SbLedger *ledger, gint64 now, guint *n_replayed,
                                   GError **error);

/* Appends @n events (with their buddies' @keys) that never reached a ledger
 * to the journal of @db_path, mode 0600.  FALSE with @error. */
gboolean sb_ledger_journal_append (const char *db_path, const SbBuddyKey *const *keys,
                                   const SbEvent *events, guint n, GError **error);

/* Reads the profile secret (sb_ledger_get_secret()) of the database at
 * @db_path without writing, so it works while another process holds the
 * write lock: @len bytes into @secret.  FALSE with @error. */
gboolean sb_ledger_read_secret (const char *db_path, guint8 *secret, gsize len, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbLedger, sb_ledger_free)

G_END_DECLS
