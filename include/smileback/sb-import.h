/* sb-import.h: backfills the ledger from existing Pidgin/Finch logs.
 *
 * Walks logs/<prpl>/<account>/<buddy>/ (libpurple's layout, folder names
 * %xx-escaped), maps the protocol's icon folder name ("jabber") to its
 * protocol id ("prpl-jabber") through the profile's accounts.xml (beside the
 * logs folder, as libpurple keeps them), reads each file with sb-log-reader
 * and records it.  The names the user goes by (the account, its local part,
 * its alias in accounts.xml, the header's account) and the buddy's (its
 * folder, its aliases in blist.xml, the header's "Conversation with") tell
 * the sides of TXT logs; local times are read in the local time zone (TZ).
 *
 *  - two-party IM logs: sb_ledger_add_events() (one call for a buddy's files
 *    that follow each other), so episodes are built by the ledger and every
 *    message counts once, however often the file is imported and whether or
 *    not it was also captured live;
 *  - "<room>.chat" folders: who was present (sb_ledger_add_chat_event), and
 *    each line through sb_room_import_chat_lines(), so the room's reply links
 *    and figures come from history too (docs/design.md, "Group chats");
 *  - ".system" folders, IRC services (NickServ, ...), servers and CTCP: skipped.
 *
 * Resumable: a file whose size and mtime match its mark in the store
 * (sb_store_get_file_mark) is skipped; the mark is set once the file is done.
 *
 * Steppable, for a UI that must never freeze:
 *
 *   static gboolean
 *   import_slice (gpointer data)            // a g_idle_add() callback
 *   {
 *     g_autoptr (GError) error = NULL;
 *     if (sb_import_step (import, 0, 20 * 1000, time (NULL), &error))
 *       {
 *         show (sb_import_get_progress (import));
 *         return G_SOURCE_CONTINUE;
 *       }
 *     // done, or failed/cancelled when error is set (G_IO_ERROR_CANCELLED)
 *     show_summary (sb_import_get_progress (import), error);
 *     return G_SOURCE_REMOVE;
 *   }
 *
 * Cancel with g_cancellable_cancel() on the GCancellable given to
 * sb_import_new(); the next step stops before its next file.  Everything
 * recorded so far stays, and a new SbImport resumes after the last finished
 * file.  An SbImport is used from one thread, the one that owns its ledger:
 * the ledger and the store are only touched there.  Files are read and parsed
 * a few ahead by worker threads (on more than one processor), so a UI slice
 * spends its time recording, not parsing.
 */
#pragma once

/* The Pidgin plugin reaches history only through core-smileback's IPC
 * (docs/design.md, "Layers"): its target defines SB_PIDGIN_LAYER. */
#ifdef SB_PIDGIN_LAYER
#error "sb-import.h is the log importer, which lives in core-smileback: gtk-smileback uses smileback-purple/sb-ipc.h"
#endif

#include <glib.h>
#include <gio/gio.h>
#include "sb-ledger.h"

G_BEGIN_DECLS

#define SB_IMPORT_ERROR (sb_import_error_quark ())
GQuark sb_import_error_quark (void);

typedef enum
{
  SB_IMPORT_ERROR_NO_LOGS, /* the log folder does not exist or cannot be read */
} SbImportError;

/* Why a file was not imported. */
typedef enum
{
  SB_IMPORT_SKIP_UNCHANGED = 0, /* imported before and unchanged since */
  SB_IMPORT_SKIP_SYSTEM,        /* a .system folder or a system log */
  SB_IMPORT_SKIP_SERVICE,       /* IRC services, servers and bouncer modules: not buddies */
  SB_IMPORT_SKIP_NOT_A_LOG,     /* the name or the content is not a libpurple log */
  SB_IMPORT_SKIP_EMPTY,         /* empty, or a header alone */
  SB_IMPORT_SKIP_UNREADABLE,    /* could not be read */
  SB_IMPORT_SKIP_UNTRACKED,     /* the buddy is marked "don't track" */
  SB_IMPORT_SKIP_TOO_LONG,      /* a line longer than SB_LOG_READER_MAX_LINE */
  SB_IMPORT_SKIP_LAST
} SbImportSkip;

typedef struct
{
  guint files_total;    /* log files found */
  guint files_done;     /* of those, finished: imported or skipped */
  guint files_imported; /* read and recorded */
  guint64 bytes_total;
  guint64 bytes_done;
  guint messages;       /* new counted messages (sent + received) */
  guint events;         /* new events of any kind (messages, auto-replies, system lines) */
  guint duplicates;     /* lines already recorded, live or by an earlier import */
  int episodes;         /* episodes the import added to the ledger */
  guint chat_events;    /* group-chat presences recorded */
  guint room_messages;  /* group-chat messages read for reply links (new or not) */
  guint guessed;        /* messages whose side had to be guessed (TXT, unknown names) */
  guint automated;      /* received texts found automated once every file was read */
  guint skipped[SB_IMPORT_SKIP_LAST]; /* files, by reason */
} SbImportProgress;

typedef struct _SbImport SbImport;

/* A new import of the tree at @logdir (the "logs" folder) into @ledger
 * (borrowed: it must outlive the import).  @cancellable may be NULL.  Nothing
 * is read before the first step.  Never fails; free with sb_import_free(). */
SbImport *sb_import_new (SbLedger *ledger, const char *logdir, GCancellable *cancellable);

/* NULL-safe.  Flushes the ledger's queue. */
void sb_import_free (SbImport *import);

/* Adds a name the user goes by (an alias used in TXT logs), for every account.
 * Before the first step. */
void sb_import_add_own_name (SbImport *import, const char *name);

/* Does a slice of the work: lists the tree on the first call, then imports
 * files until @max_files files (0 = no limit) or @max_usec microseconds of
 * monotonic time (0 = no limit) were spent, at least one file per call.  @now
 * (UTC seconds) is passed to the ledger.  Returns TRUE when work remains;
 * FALSE when finished (no error) or stopped: cancelled (G_IO_ERROR_CANCELLED)
 * or a store failure (SbStoreError) or a missing log folder (SB_IMPORT_ERROR).
 * Per-file problems are never errors: they are counted in the progress. */
gboolean sb_import_step (SbImport *import, guint max_files, gint64 max_usec, gint64 now,
                         GError **error);

/* Runs every remaining step.  TRUE when finished, FALSE as sb_import_step(). */
gboolean sb_import_run (SbImport *import, gint64 now, GError **error);

/* The figures so far.  Borrowed; updated by each step. */
const SbImportProgress *sb_import_get_progress (SbImport *import);

/* The figures of what is on disk: the batches the store's writer has
 * committed (the rest waits in its queue, or is lost if it never can be).
 * Borrowed; equal to sb_import_get_progress() once the import finished. */
const SbImportProgress *sb_import_get_saved_progress (SbImport *import);

/* TRUE once every file was done. */
gboolean sb_import_is_finished (SbImport *import);

/* A short translated description of @reason ("unchanged since the last
 * import").  Static string. */
const char *sb_import_skip_describe (SbImportSkip reason);

/* The protocol id for a log folder's icon name ("jabber" -> "prpl-jabber") when
 * no account says otherwise: libpurple's own protocols, else "prpl-" + @icon.
 * Caller frees. */
char *sb_import_protocol_for_icon (const char *icon);

/* libpurple's purple_unescape_filename(): "%40" -> "@".  Caller frees. */
char *sb_import_unescape_name (const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbImport, sb_import_free)

G_END_DECLS
