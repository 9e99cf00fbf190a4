/* sb-store.h: the SQLite file that keeps Smile Back's history.
 *
 * One file per libpurple profile (smileback.db), mode 0600, WAL.  The schema is
 * versioned with PRAGMA user_version and migrated forward one transaction per
 * step; a newer version is refused and left untouched.  Its owner (the plugin)
 * moves a file that is not a database or fails quick_check aside as
 * "<path>.corrupt-<unix time>" and makes a fresh one; other programs refuse
 * it (SbStoreMode).  The full quick_check runs while opening when the owner's
 * last session did not close the file cleanly (a crash, a damaged read);
 * after a clean close a light check reads the small tables, so a large
 * history opens fast, and the full check runs in the background
 * (sb_store_get_check()).  Writes are queued in memory and a file database's
 * writer thread commits them in one short transaction at most
 * SB_STORE_COMMIT_DELAY_MS after the first of them was queued, never one fsync
 * per message; a failed commit keeps them, in order, and is retried
 * (docs/design.md, "Reliability"), so nothing recorded is lost while the
 * process lives.
 *
 * Most callers want SbLedger, which keeps the summaries in step; the store is
 * public for the CLI and for tests.
 *
 * Every call: a NULL store, key or out-pointer is a programmer error (a
 * g_critical, and the call returns FALSE, 0 or NULL); a failure of the file
 * returns FALSE, 0 or NULL with @error set in SB_STORE_ERROR.  Strings passed
 * in are borrowed for the call only.
 */
#pragma once

/* The Pidgin plugin reaches history only through core-smileback's IPC
 * (docs/design.md, "Layers"): its target defines SB_PIDGIN_LAYER. */
#ifdef SB_PIDGIN_LAYER
#error "sb-store.h is the store, which lives in core-smileback: gtk-smileback uses smileback-purple/sb-ipc.h"
#endif

#include <glib.h>
#include "sb-buddy-key.h"
#include "sb-event.h"
#include "sb-episode.h"
#include "sb-stats.h"
#include "sb-chat.h"

G_BEGIN_DECLS

#define SB_STORE_ERROR (sb_store_error_quark ())
GQuark sb_store_error_quark (void);

typedef enum
{
  SB_STORE_ERROR_FAILED,   /* any other SQLite or file error; the message says which */
  SB_STORE_ERROR_TOO_NEW,  /* written by a newer Smile Back: refused, left untouched */
  SB_STORE_ERROR_BUSY,     /* locked by another process for longer than the busy timeout */
  SB_STORE_ERROR_CORRUPT,  /* could not be read and could not be moved aside */
  SB_STORE_ERROR_NOT_FOUND, /* no database at that path (read-only opens never create one),
                               or a folder, a pipe or a device there */
  SB_STORE_ERROR_PERMISSION, /* this process may not read (or write) the file */
  SB_STORE_ERROR_TOO_OLD,   /* an older schema, and this open may not migrate it (read-only) */
  SB_STORE_ERROR_FULL,     /* the disk is full, or the file may not grow; or the queue is full */
} SbStoreError;

/* The schema this code writes. */
#define SB_STORE_SCHEMA_VERSION 6

/* How long a locked database is waited for before SB_STORE_ERROR_BUSY. */
#define SB_STORE_BUSY_TIMEOUT_MS 250

/* A file database's writer commits what was queued this long after the first
 * of it: a process killed loses at most about this much (plus the commit). */
#define SB_STORE_COMMIT_DELAY_MS 500

/* A commit that failed (the file locked, the disk full) is retried after
 * this, doubled after each further failure up to SB_STORE_RETRY_MAX_MS. */
#define SB_STORE_RETRY_MIN_MS 250
#define SB_STORE_RETRY_MAX_MS 2000

/* While commits fail (the file locked, the disk full), at most this many
 * writes wait in memory (about 8 MB; a live message queues three: its event,
 * its episode, the summary).  Past it, sb_store_queue_full() is TRUE and the
 * ledger refuses new events (SB_STORE_ERROR_FULL) rather than grow without
 * end (docs/design.md, "Reliability").  A writer that succeeds is never
 * refused more, only slower than a flood. */
#define SB_STORE_QUEUE_MAX 100000

typedef struct _SbStore SbStore;

/* Who opens the file, which decides what opening and closing may change. */
typedef enum
{
  /* The plugin, on its own profile's file: creates and migrates it, moves a
   * damaged file (or a -wal left without its database) aside and starts a
   * new one, runs the full check after a clean close in the background
   * (sb_store_get_check()), and marks the file closed cleanly when it closes
   * it.  What sb_store_open() does. */
  SB_STORE_OWNER,
  /* Another writer (the command's import, merge, forget): creates and
   * migrates, but never moves anything aside (a damaged file is
   * SB_STORE_ERROR_CORRUPT) and never touches the clean-close mark, which
   * belongs to the plugin's session. */
  SB_STORE_VISITOR,
  /* A reader (report, buddy, due): the file must exist and be a current
   * Smile Back history; nothing is created, migrated, moved or written, not
   * even the -wal and -shm files of a reader.  Writes fail. */
  SB_STORE_READ_ONLY,
} SbStoreMode;

/* Opens @path as @mode (":memory:" for tests: owner or visitor).  A file
 * created is mode 0600.  Returns NULL with @error set when the file is too
 * new, locked, not there (read-only), damaged (read-only, visitor), a folder
 * or unreadable, or cannot be created.  Free with sb_store_free(). */
SbStore *sb_store_open_with (const char *path, SbStoreMode mode, GError **error);

/* sb_store_open_with (@path, SB_STORE_OWNER, @error): what the plugin does
 * with its profile's smileback.db, moving a corrupt file aside (see
 * sb_store_get_moved_aside()). */
SbStore *sb_store_open (const char *path, GError **error);

/* The full check of an owner's file: after an unclean close it ran while
 * opening; after a clean close it runs in the background. */
typedef enum
{
  SB_STORE_CHECK_PENDING, /* still running */
  SB_STORE_CHECK_SOUND,   /* no damage found (or no check: ":memory:", not the owner) */
  SB_STORE_CHECK_DAMAGED, /* damaged: see sb_store_start_over() */
} SbStoreCheck;

/* The verdict so far; never blocks.  *@problem (may be NULL) is SQLite's
 * complaint when DAMAGED, borrowed until the store changes.  A damaged file
 * is never marked closed cleanly. */
SbStoreCheck sb_store_get_check (SbStore *store, const char **problem);

/* For the owner of a file found damaged while open: drops the pending
 * writes, closes the file, moves it aside (sb_store_get_moved_aside() then
 * names it) and opens a new, empty history in its place, on the same
 * SbStore.  Every buddy id of the old file is gone.  FALSE with @error when
 * the file cannot be moved aside (it then stays open, as it was, minus the
 * pending writes) or the new one cannot be made. */
gboolean sb_store_start_over (SbStore *store, GError **error);

/* Flushes pending writes (failures are logged with g_warning, the data then is
 * lost only because the caller chose to close), then closes.  NULL-safe. */
void sb_store_free (SbStore *store);

/* Moves the damaged database at @path (and its -wal and -shm) aside as
 * "<path>.corrupt-<unix time>", never deleting it, and warns.  Returns the new
 * name (caller frees), or NULL with @error.  For callers that find damage
 * after opening (sb_ledger_open() while loading). */
char *sb_store_move_aside (const char *path, GError **error);

/* Where a corrupt file was moved on open, or NULL when nothing was moved. */
const char *sb_store_get_moved_aside (SbStore *store);

/* The PRAGMA user_version of the open file: SB_STORE_SCHEMA_VERSION once open. */
int sb_store_get_schema_version (SbStore *store);

/* The profile's random secret for sb_text_digest(), made on first open and kept
 * in the database.  Borrowed; 32 bytes. */
const guint8 *sb_store_get_secret (SbStore *store, gsize *len);

/* The row id of @key.  With @create, a missing buddy is added (immediately, not
 * queued).  Returns 0 with no error set when absent and !@create; 0 with @error
 * on failure. */
gint64 sb_store_lookup_buddy (SbStore *store, const SbBuddyKey *key, gboolean create,
                              GError **error);

/* Queues "add @key to buddies" and returns at once a provisional id (< 0)
 * that every call of this store takes in place of the buddy's row id: queued
 * writes resolve it when they are committed, reads see nothing of the buddy
 * before that.  Never fails; the store keeps @key (copied) for the session. */
gint64 sb_store_queue_buddy (SbStore *store, const SbBuddyKey *key);

/* The row id a provisional id was given once its buddy was committed, 0
 * before that; any other id is returned as it is. */
gint64 sb_store_resolve_buddy (SbStore *store, gint64 buddy_id);

/* The id of @key without ever writing: the provisional id it was queued
 * under this session, its row id, or else a provisional id queued now
 * (sb_store_queue_buddy()).  0 with @error when the lookup fails. */
gint64 sb_store_buddy_id (SbStore *store, const SbBuddyKey *key, GError **error);

/* A nonblocking store's reads see committed rows only and never wait for
 * the writer (what is queued shows once it is committed); otherwise a read
 * commits the queue first.  A plugin's UI thread sets it; the command does
 * not. */
void sb_store_set_nonblocking (SbStore *store, gboolean nonblocking);

/* Calls @func for every buddy with its stored summary (all-time counts, time of
 * the latest event, 0 when none) and tracking flag.  Stops early when @func
 * returns FALSE.  FALSE with @error on SQLite failure. */
typedef gboolean (*SbStoreBuddyFunc) (gint64 buddy_id, const SbBuddyKey *key,
                                      const SbCounts *all, gint64 last_event, gboolean tracked,
                                      gpointer user_data);
gboolean sb_store_foreach_buddy (SbStore *store, SbStoreBuddyFunc func, gpointer user_data,
                                 GError **error);

/* Appends to @out (GArray of SbEpisode) the stored episodes of @buddy_id that
 * started at or after @since, in start order.  Flushes the queue first.
 * FALSE with @error; @out may then hold part of the rows. */
gboolean sb_store_load_episodes (SbStore *store, gint64 buddy_id, gint64 since, GArray *out,
                                 GError **error);

/* Appends to @out (GArray of SbEvent) the stored events of @buddy_id at or after
 * @since, in time order (then direction, kind, digest).  Flushes the queue
 * first.  FALSE with @error; @out may then hold part of the rows. */
gboolean sb_store_load_events (SbStore *store, gint64 buddy_id, gint64 since, GArray *out,
                               GError **error);

/* sb_store_load_events(), for the events before @until only. */
gboolean sb_store_load_events_between (SbStore *store, gint64 buddy_id, gint64 since, gint64 until,
                                       GArray *out, GError **error);

/* The committed rows only, never waiting on the writer thread (what is
 * queued and not yet committed is not seen): for a caller on the UI thread
 * that knows the rows it needs are committed (sb_store_get_committed()). */
gboolean sb_store_read_episodes (SbStore *store, gint64 buddy_id, gint64 since, GArray *out,
                                 GError **error);
gboolean sb_store_read_events (SbStore *store, gint64 buddy_id, gint64 since, GArray *out,
                               GError **error);
gboolean sb_store_read_last_episode_start (SbStore *store, gint64 buddy_id, gint64 before,
                                           int initiator, gint64 *start, GError **error);

/* The queue: these never fail and copy what they are given; the write
 * happens at the next flush, and a failure shows there. */

/* Queues an event (ignored at flush if the same time, direction, kind and
 * digest is already stored for the buddy). */
void sb_store_queue_event (SbStore *store, gint64 buddy_id, const SbEvent *event);

/* Queues "insert or replace the episode of @buddy_id that starts at
 * episode->start". */
void sb_store_queue_episode (SbStore *store, gint64 buddy_id, const SbEpisode *episode);

/* Queues "delete the episodes of @buddy_id starting at or after @since". */
void sb_store_queue_delete_episodes (SbStore *store, gint64 buddy_id, gint64 since);

/* Queues the buddy's summary: exact all-time counts and the time of its latest
 * event of any kind. */
void sb_store_queue_summary (SbStore *store, gint64 buddy_id, const SbCounts *all,
                             gint64 last_event);

/* Queues "mark the received text of @buddy_id at @time with @digest
 * automated" (sb_store_flag_automated(), without waiting). */
void sb_store_queue_flag_automated (SbStore *store, gint64 buddy_id, gint64 time, guint64 digest);

/* Operations queued since the store was opened, and how many of them were
 * committed: the first @n queued are committed once committed >= @n, since
 * commits keep the order. */
guint64 sb_store_get_queued (SbStore *store);
guint64 sb_store_get_committed (SbStore *store);

/* TRUE when the last commit failed and SB_STORE_QUEUE_MAX writes wait: a
 * caller should not queue more. */
gboolean sb_store_queue_full (SbStore *store);

/* Sets *@start to the start of the latest episode of @buddy_id that started at
 * or before @before (and, when @initiator >= 0, was started by that
 * SbDirection); 0 when there is none.  Flushes the queue first. */
gboolean sb_store_last_episode_start (SbStore *store, gint64 buddy_id, gint64 before,
                                      int initiator, gint64 *start, GError **error);

/* Number of operations queued or handed to the writer and not yet committed. */
guint sb_store_pending (SbStore *store);

/* Operations queued between begin and end are handed to the writer together,
 * so they are committed in one transaction: all of them or none (an import's
 * events with their episodes, summaries and file marks).  A flush inside a
 * group commits what the group holds so far.  Groups do not nest. */
void sb_store_begin_group (SbStore *store);
void sb_store_end_group (SbStore *store);

/* Waits until at most @max_pending operations wait for a commit, asking the
 * writer to commit at once, or until @deadline (monotonic microseconds; 0: no
 * limit): a bulk producer (an import) stays about that far ahead of the disk,
 * and a UI thread's slice of it stays within its time.  FALSE with @error
 * when the last commit failed (the operations are still held, and retried). */
gboolean sb_store_wait_for_room (SbStore *store, guint max_pending, gint64 deadline,
                                 GError **error);

/* Commits the queue in one transaction and waits for it.  A file database
 * commits on its own writer thread and connection; ":memory:" in the caller's
 * thread.  On failure (busy, disk full) the operations are kept for the next
 * try, in order, and @error says why. */
gboolean sb_store_flush (SbStore *store, GError **error);

/* Asks the writer thread to commit now and returns at once, so it never
 * waits on the disk.  FALSE with @error when the last background commit
 * failed (its operations are still held, and retried). */
gboolean sb_store_flush_in_background (SbStore *store, GError **error);

/* sb_store_flush(), tried again until it succeeds or @timeout_ms passed while
 * the file stays locked or full (other failures end it at once).  On
 * failure the operations are still held. */
gboolean sb_store_flush_within (SbStore *store, guint timeout_ms, GError **error);

/* Gives up what could not be committed: stops the writer thread (a commit
 * under way ends first), calls @func with every queued event not committed
 * (its buddy id as it was queued, possibly provisional), in order, and
 * forgets every queued write.  For a caller that keeps the events somewhere
 * else (sb-ledger-journal.c).  Later writes are committed synchronously. */
typedef void (*SbStoreEventFunc) (gint64 buddy_id, const SbEvent *event, gpointer user_data);
void sb_store_drop_unsaved (SbStore *store, SbStoreEventFunc func, gpointer user_data);

/* Inserts @n events of @buddy_id at once, skipping those already stored, and
 * sets *@n_new to how many were new and *@earliest_new to the time of the
 * earliest new one (G_MAXINT64 when none); @inserted (may be NULL, else room
 * for @n) says which.  Flushes the queue first. */
gboolean sb_store_insert_events (SbStore *store, gint64 buddy_id, const SbEvent *events, guint n,
                                 guint *n_new, gint64 *earliest_new, gboolean *inserted,
                                 GError **error);

/* Marks a buddy tracked or not ("Don't track this buddy"): queued, and
 * committed at once unless the store is nonblocking (then by the writer;
 * @buddy_id may be provisional).  FALSE with @error when that commit fails. */
gboolean sb_store_set_tracked (SbStore *store, gint64 buddy_id, gboolean tracked, GError **error);

/* Deletes every row about @buddy_id, their room lines included (the lines
 * that answered them stay, unlinked).  Immediate, in one transaction; the
 * queue is flushed first.  An unknown id is no error.  FALSE with @error. */
gboolean sb_store_forget_buddy (SbStore *store, gint64 buddy_id, GError **error);

/* Log import bookkeeping, so an import resumes where it stopped: the size and
 * mtime a log file had when it was fully imported.  get returns TRUE and sets
 * both when the file was imported, FALSE with no error when it never was,
 * FALSE with @error on failure.  set replaces the mark. */
gboolean sb_store_get_file_mark (SbStore *store, const char *path, gint64 *size, gint64 *mtime,
                                 GError **error);
gboolean sb_store_set_file_mark (SbStore *store, const char *path, gint64 size, gint64 mtime,
                                 GError **error);
/* The same mark, queued: committed after everything queued before it. */
void sb_store_queue_file_mark (SbStore *store, const char *path, gint64 size, gint64 mtime);

/* The time of the latest event stored for @buddy_id (committed rows; 0 when
 * none, or when the buddy is still queued). */
gboolean sb_store_last_event_time (SbStore *store, gint64 buddy_id, gint64 *time,
                                   GError **error);

/* Queues a group-chat observation for the next commit (its strings copied);
 * the same one twice is kept once.  A NULL member is stored as "".  FALSE
 * with SB_STORE_ERROR_FULL while the queue is full (sb_store_queue_full()):
 * then it is not recorded. */
gboolean sb_store_add_chat_event (SbStore *store, const SbChatEvent *event, GError **error);

/* The planner's memory (see sb-planner.h).  Prompt kinds and answers are plain
 * ints here.  foreach calls @func for every stored (kind, buddy) state, with
 * a key borrowed for the call; set replaces the state of (@buddy_id, @kind).
 * Both FALSE with @error. */
typedef void (*SbStorePromptStateFunc) (const SbBuddyKey *key, int kind, gint64 snoozed_until,
                                        gboolean muted, gpointer user_data);
gboolean sb_store_foreach_prompt_state (SbStore *store, SbStorePromptStateFunc func,
                                        gpointer user_data, GError **error);
gboolean sb_store_set_prompt_state (SbStore *store, gint64 buddy_id, int kind,
                                    gint64 snoozed_until, gboolean muted, GError **error);

/* Queues a prompt shown; returns at once its provisional id (< 0), which
 * answer takes (the answer is queued too; an unknown id changes nothing).
 * Neither fails; set queues the state likewise. */
gint64 sb_store_log_prompt (SbStore *store, gint64 buddy_id, int kind, gint64 shown_at,
                            GError **error);
gboolean sb_store_answer_prompt (SbStore *store, gint64 prompt_id, int answer,
                                 gint64 answered_at, GError **error);
/* Sets *@count to the prompts shown since @since, of @kind (or of every kind
 * when @kind < 0).  FALSE with @error. */
gboolean sb_store_count_prompts_since (SbStore *store, gint64 since, int kind, guint *count,
                                       GError **error);

/* Pairs of buddies: "they know each other" and "introduced". */
typedef enum
{
  SB_PAIR_KNOW_EACH_OTHER = 1,
  SB_PAIR_INTRODUCED = 2,
} SbPairMark;

/* Queues @mark for the pair (order does not matter; once per mark; either
 * id may be provisional).  Never fails. */
gboolean sb_store_mark_pair (SbStore *store, gint64 buddy_a, gint64 buddy_b, SbPairMark mark,
                             gint64 time, GError **error);
/* Sets *@marks to the marks of the pair OR-ed together, 0 when none.
 * FALSE with @error. */
gboolean sb_store_pair_marks (SbStore *store, gint64 buddy_a, gint64 buddy_b, guint *marks,
                              GError **error);
/* TRUE in *@together when both buddies were seen in one group chat (on the
 * same account) at or after @since, or one answered the other in a room then
 * (a confident link, sb-room-store.h).  FALSE with @error. */
gboolean sb_store_seen_together (SbStore *store, const SbBuddyKey *a, const SbBuddyKey *b,
                                 gint64 since, gboolean *together, GError **error);
/* TRUE in *@invited when the user invited @member to @room at or after @since.
 * FALSE with @error. */
gboolean sb_store_invited_since (SbStore *store, const char *protocol, const char *account,
                                 const char *room, const char *member, gint64 since,
                                 gboolean *invited, GError **error);
/* Introductions made, and how many of those pairs were later seen together.
 * FALSE with @error (the counts are then untouched). */
gboolean sb_store_introduction_outcomes (SbStore *store, guint *introduced, guint *met,
                                         GError **error);
/* Invitations sent, and how many of the invitees joined that room within a day.
 * FALSE with @error (the counts are then untouched). */
gboolean sb_store_invitation_outcomes (SbStore *store, guint *invited, guint *joined,
                                       GError **error);

/* Prompts of @kind shown, acted on (the user wrote to the buddy within an hour)
 * and smiled back (the buddy wrote within 48 hours after that).  Flushes the
 * queue first.  FALSE with @error (the counts are then untouched). */
gboolean sb_store_prompt_outcomes (SbStore *store, int kind, guint *shown, guint *acted,
                                   guint *smiled_back, GError **error);

/* Marks the received message of @buddy_id at @time with @digest as automated
 * (SB_EVENT_FLAG_AUTOMATED); *@changed says whether a row changed.  Flushes
 * the queue first. */
gboolean sb_store_flag_automated (SbStore *store, gint64 buddy_id, gint64 time, guint64 digest,
                                  gboolean *changed, GError **error);

/* Calls @func, in order of digest then time, for every received text of at
 * least @min_size (sb_size_bucket()) whose digest was received from at least
 * @min_buddies different buddies (the candidates for automated-message
 * detection).  Flushes the queue first; @func may call back into the store.
 * FALSE with @error. */
typedef void (*SbStoreTextFunc) (gint64 buddy_id, gint64 time, guint64 digest, guint flags,
                                 gpointer user_data);
gboolean sb_store_foreach_repeated_text (SbStore *store, guint min_buddies, guint min_size,
                                         SbStoreTextFunc func, gpointer user_data,
                                         GError **error);

/* Calls @func, in no particular order, for every received text of at least
 * @min_size whose time lies in [@since, @until]: one pass over the events,
 * without sorting (the candidates for automated-message detection when the
 * digests to look at are known).  Flushes the queue first; @func may call
 * back into the store.  FALSE with @error. */
gboolean sb_store_foreach_received_text (SbStore *store, guint min_size, gint64 since,
                                         gint64 until, SbStoreTextFunc func, gpointer user_data,
                                         GError **error);

/* TRUE in *@found when a received text of at least @min_size is stored.
 * Flushes the queue first. */
gboolean sb_store_has_received_text (SbStore *store, guint min_size, gboolean *found,
                                     GError **error);

/* A mark that outlives the session: received texts were recorded in bulk and
 * not yet checked for automated messages (the ledger's
 * sb_ledger_detect_automated()).  Set before they are recorded, cleared once
 * they were checked. */
gboolean sb_store_set_texts_unchecked (SbStore *store, gboolean unchecked, GError **error);
gboolean sb_store_get_texts_unchecked (SbStore *store, gboolean *unchecked, GError **error);

/* Runs @sql (fixed statements, no user data: values are never printed into
 * SQL) for tests and transactions.  FALSE with @error. */
gboolean sb_store_exec (SbStore *store, const char *sql, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbStore, sb_store_free)

G_END_DECLS
