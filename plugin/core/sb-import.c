/* sb-import.c: feeds the ledger from a libpurple log tree, in slices.
 *
 * The first step lists the tree (sb-import-tree.c).  Each later step imports
 * whole files: a buddy's logs that follow each other go to the ledger
 * together (one sb_ledger_add_events() per batch of up to BATCH_EVENTS
 * events, smaller when a time budget asks), and their events, episodes and
 * the files' marks are queued as one group, which the store's writer thread
 * commits in one transaction, so a crash or a cancel never leaves a file
 * half-counted: at worst it is read again and its events are recognised as
 * already recorded.  Files are parsed a few ahead by worker threads, and
 * written a few batches behind by the writer, so reading, bookkeeping and
 * writing overlap.
 */
#include "sb-import-private.h"

#include "smileback/sb-chat-log.h"
#include "smileback/sb-room-recorder.h"

#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_QUARK (sb-import-error-quark, sb_import_error)

/* ---- importing one file ------------------------------------------------ */

static SbImportSkip
skip_for_error (const GError *error)
{
  if (error->domain != SB_LOG_READER_ERROR)
    return SB_IMPORT_SKIP_UNREADABLE;
  switch ((SbLogReaderError) error->code)
    {
    case SB_LOG_READER_ERROR_IO:
      return SB_IMPORT_SKIP_UNREADABLE;
    case SB_LOG_READER_ERROR_EMPTY:
      return SB_IMPORT_SKIP_EMPTY;
    case SB_LOG_READER_ERROR_SYSTEM:
      return SB_IMPORT_SKIP_SYSTEM;
    case SB_LOG_READER_ERROR_TOO_LONG:
      return SB_IMPORT_SKIP_TOO_LONG;
    case SB_LOG_READER_ERROR_NAME:
    case SB_LOG_READER_ERROR_FORMAT:
    case SB_LOG_READER_ERROR_LAST:
    default:
      return SB_IMPORT_SKIP_NOT_A_LOG;
    }
}

/* IM events of one buddy (one file or several in a row): one batch for the
 * ledger.  *@skip is set when they were not recorded; FALSE only for store
 * failures. */
static gboolean
import_im (SbImport *im, ImportFile *f, const SbEvent *events, guint n_events, SbImportSkip *skip,
           gint64 now, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new (f->account->protocol, f->account->account,
                                                 f->target);
  if (key == NULL)
    {
      *skip = SB_IMPORT_SKIP_NOT_A_LOG;
      return TRUE;
    }
  const SbStats *before = sb_ledger_get_stats (im->ledger, key);
  int episodes = before != NULL ? (int) before->all.episodes : 0;
  guint messages = before != NULL ? before->all.messages_sent + before->all.messages_received : 0;

  guint n_new = 0;
  if (!sb_ledger_add_events (im->ledger, key, events, n_events, now, &n_new, &local_error))
    {
      if (g_error_matches (local_error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_UNTRACKED))
        {
          *skip = SB_IMPORT_SKIP_UNTRACKED;
          return TRUE;
        }
      if (g_error_matches (local_error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_INVALID))
        {
          g_debug ("%s: %s", f->rel, local_error->message);
          *skip = SB_IMPORT_SKIP_NOT_A_LOG;
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  const SbStats *after = sb_ledger_get_stats (im->ledger, key);
  if (after != NULL)
    {
      im->progress.episodes += (int) after->all.episodes - episodes;
      im->progress.messages += after->all.messages_sent + after->all.messages_received - messages;
    }
  im->progress.events += n_new;
  im->progress.duplicates += n_events - n_new;
  return TRUE;
}

/* ---- group chats ------------------------------------------------------- */

/* A member's key from a log: the nick, casefolded as for presence.  Live
 * capture keys a member by the real id where the room shows it (an XMPP real
 * JID), else by the normalized nick; a log holds only the nick, so such a
 * member's imported lines are keyed by the nick. */
static char *
chat_member_key (const char *nick, gpointer user_data)
{
  return g_utf8_casefold (nick, -1);
}

/* The user's nick in a chat log: the speaker of the user's first line (the
 * sent colour in HTML, one of the account's names in TXT); NULL when the user
 * never spoke. */
static const char *
chat_own_nick (const SbLogFile *log)
{
  for (guint i = 0; i < log->events->len; i++)
    {
      const SbEvent *e = &g_array_index (log->events, SbEvent, i);
      if (e->direction == SB_DIRECTION_OUT && e->kind != SB_EVENT_SYSTEM
          && log->speakers->pdata[i] != NULL)
        return log->speakers->pdata[i];
    }
  return NULL;
}

/* The UTC time of the local midnight that starts the log's first day, in the
 * UTC offset the reader gave the file's start (its name's, or the zone's). */
static gint64
chat_day0 (const SbLogFile *log)
{
  gint64 local = log->start + log->utc_offset;
  gint64 into_day = ((local % SB_DAY) + SB_DAY) % SB_DAY;
  return local - into_day - log->utc_offset;
}

/* Who was there: the user's joining, then each other speaker once, in the
 * transaction the caller opened. */
static gboolean
import_presence (SbImport *im, ImportFile *f, const SbLogFile *log, GError **error)
{
  SbChatEvent ev = {
    .protocol = f->account->protocol,
    .account = f->account->account,
    .room = f->target,
    .member = NULL,
    .kind = SB_CHAT_JOINED,
    .source = SB_SOURCE_IMPORT,
    .time = log->start,
  };
  if (!sb_ledger_add_chat_event (im->ledger, &ev, error))
    return FALSE;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < log->events->len; i++)
    {
      const SbEvent *e = &g_array_index (log->events, SbEvent, i);
      const char *who = log->speakers->pdata[i];
      if (who == NULL || e->kind != SB_EVENT_MESSAGE || e->direction != SB_DIRECTION_IN)
        continue;
      char *member = chat_member_key (who, NULL);
      if (!g_hash_table_add (seen, member))
        continue;
      ev.kind = SB_CHAT_PRESENT;
      ev.member = member;
      ev.time = e->time;
      if (!sb_ledger_add_chat_event (im->ledger, &ev, error))
        return FALSE;
      im->progress.chat_events++;
    }
  return TRUE;
}

/* The file's lines through a room recorder, as live capture feeds them: the
 * room's reply links and figures.  The room key is the folder's: libpurple
 * names it after the normalized account and room, as live capture keys them.
 * Lines stored before (live, or an earlier import) are kept once.  Consumes
 * f->chat_text.  FALSE only on store failures. */
static gboolean
import_room_lines (SbImport *im, ImportFile *f, const SbLogFile *log, GError **error)
{
  g_autofree char *text = g_steal_pointer (&f->chat_text);
  if (text == NULL)
    return TRUE;
  SbRoomKey room = { f->account->protocol, f->account->account, f->target };
  guint n = 0;
  g_autoptr (GError) local_error = NULL;
  if (!sb_room_import_chat_lines (sb_ledger_get_store (im->ledger), &room, text, f->chat_len,
                                  chat_day0 (log), chat_own_nick (log), chat_member_key, NULL, &n,
                                  &local_error))
    {
      if (local_error->domain != SB_CHAT_LOG_ERROR)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("%s: %s", f->rel, local_error->message);
    }
  im->progress.room_messages += n;
  return TRUE;
}

/* A group chat log: who was there, then who answered whom. */
static gboolean
import_chat (SbImport *im, ImportFile *f, const SbLogFile *log, GError **error)
{
  SbStore *store = sb_ledger_get_store (im->ledger);
  if (!sb_ledger_flush (im->ledger, error) || !sb_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!import_presence (im, f, log, error))
    {
      (void) sb_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  return sb_store_exec (store, "COMMIT", error) && import_room_lines (im, f, log, error);
}

/* ---- reading ahead ----------------------------------------------------- */

/* Files are parsed by worker threads (the reader is pure) while the calling
 * thread records earlier ones: at most this many files ahead. */
#define READ_AHEAD 4

/* Consecutive IM logs of one buddy are recorded together up to about this many
 * events: one insert transaction and one of episodes and marks instead of
 * one each per file (a log holds a few hundred lines; 10,000 events
 * are a few hundred kilobytes of memory and a few tens of milliseconds). */
#define BATCH_EVENTS 10000

/* How far the import may run ahead of the writer thread, in queued writes:
 * a few batches (each write a few dozen bytes of memory). */
#define AHEAD_OPS (3 * BATCH_EVENTS)

static SbLogReaderOptions
reader_options (SbImport *im, ImportFile *f)
{
  gboolean chat = f->kind == FILE_CHAT;
  return (SbLogReaderOptions){
    .secret = chat ? NULL : im->secret,
    .secret_len = chat ? 0 : im->secret_len,
    .own_names = (const char *const *) f->own,
    .peer = chat ? NULL : f->target,
    .peer_names = f->peer_names,
    .zone = im->zone,
    .chat = chat,
  };
}

/* Reads and parses @f.  A group chat's bytes stay in f->chat_text for its
 * reply links (read once: the reader parses the same bytes).  Touches only
 * @f and what never changes during the import, so a worker may call it. */
static SbLogFile *
read_file (SbImport *im, ImportFile *f, GError **error)
{
  SbLogReaderOptions options = reader_options (im, f);
  if (f->kind != FILE_CHAT)
    return sb_log_file_read (f->path, &options, error);

  if (!sb_log_read_bytes (f->path, &options, &f->chat_text, &f->chat_len, error))
    return NULL;
  g_autofree char *basename = g_path_get_basename (f->path);
  SbLogFile *log = sb_log_file_parse (basename, f->chat_text, f->chat_len, &options, error);
  if (log == NULL)
    g_clear_pointer (&f->chat_text, g_free);
  return log;
}

/* In a worker: touches only @f (its fields set before it was queued) and
 * what never changes during the import. */
static void
parse_in_worker (gpointer data, gpointer user_data)
{
  ImportFile *f = data;
  SbImport *im = user_data;
  GError *error = NULL;
  SbLogFile *log = read_file (im, f, &error);
  g_mutex_lock (&im->lock);
  f->log = log;
  f->error = error;
  f->parsed = TRUE;
  g_cond_broadcast (&im->parsed);
  g_mutex_unlock (&im->lock);
}

/* Decides whether @f is to be read (its kind, its mark) and, with workers,
 * starts reading it.  FALSE only on a store failure. */
static gboolean
prepare_file (SbImport *im, ImportFile *f, GError **error)
{
  if (f->checked)
    return TRUE;
  /* before reading the first file of an account, not while listing, so the
   * first step stays short */
  if (!f->account->looked)
    sb_import_infer_own_names (im, f->account);
  if (f->kind == FILE_IM || f->kind == FILE_CHAT)
    {
      gint64 size = 0, mtime = 0;
      g_autoptr (GError) mark_error = NULL;
      if (sb_store_get_file_mark (sb_ledger_get_store (im->ledger), f->rel, &size, &mtime,
                                  &mark_error))
        f->unchanged = size == f->size && mtime == f->mtime;
      else if (mark_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&mark_error));
          return FALSE;
        }
      if (!f->unchanged)
        {
          f->own = g_strdupv ((char **) f->account->own->pdata);
          if (im->pool != NULL)
            {
              /* exclusive threads all exist already: a push cannot fail */
              f->queued = TRUE;
              g_thread_pool_push (im->pool, f, NULL);
            }
        }
    }
  f->checked = TRUE;
  return TRUE;
}

/* The parsed file, waiting for its worker if needed.  Caller owns both. */
static SbLogFile *
take_parsed (SbImport *im, ImportFile *f, GError **error)
{
  if (!f->queued)
    return read_file (im, f, error);
  g_mutex_lock (&im->lock);
  while (!f->parsed)
    g_cond_wait (&im->parsed, &im->lock);
  SbLogFile *log = g_steal_pointer (&f->log);
  if (f->error != NULL)
    g_propagate_error (error, g_steal_pointer (&f->error));
  g_mutex_unlock (&im->lock);
  return log;
}

/* Files this thread is about to record, starting with @index, given to the
 * workers (when there are any) so they are parsed by then. */
static gboolean
read_ahead (SbImport *im, guint index, GError **error)
{
  /* this file first: the pool serves in order */
  guint ahead = im->pool != NULL ? MIN (index + 1 + READ_AHEAD, im->files->len) : index + 1;
  for (guint k = index; k < ahead; k++)
    if (!prepare_file (im, im->files->pdata[k], error))
      return FALSE;
  return TRUE;
}

static void
count_done (SbImport *im, const ImportFile *f, SbImportSkip skip)
{
  if (skip == SB_IMPORT_SKIP_LAST)
    im->progress.files_imported++;
  else
    im->progress.skipped[skip]++;
  im->progress.files_done++;
  im->progress.bytes_done += f->size;
}

/* TRUE when @g, the file after a batch opened by @f, joins it: the same
 * buddy's next IM log, to be read. */
static gboolean
joins_batch (const ImportFile *f, const ImportFile *g)
{
  return g->kind == FILE_IM && !g->unchanged && g->account == f->account
         && strcmp (g->target, f->target) == 0;
}

/* Queues the marks of files[@first .. @last), after what they gave. */
static void
queue_marks (SbImport *im, guint first, guint last)
{
  SbStore *store = sb_ledger_get_store (im->ledger);
  for (guint k = first; k < last; k++)
    {
      const ImportFile *f = im->files->pdata[k];
      sb_store_queue_file_mark (store, f->rel, f->size, f->mtime);
    }
}

/* A file not to be read: counted, and passed. */
static gboolean
skip_unread (SbImport *im, ImportFile *f)
{
  if (f->kind != FILE_SYSTEM && f->kind != FILE_SERVICE && !f->unchanged)
    return FALSE;
  count_done (im, f, f->unchanged ? SB_IMPORT_SKIP_UNCHANGED
                     : f->kind == FILE_SYSTEM ? SB_IMPORT_SKIP_SYSTEM
                                              : SB_IMPORT_SKIP_SERVICE);
  im->next++;
  return TRUE;
}

/* What a batch gathered: its IM events, and per file why it was skipped
 * (SB_IMPORT_SKIP_LAST: read). */
typedef struct
{
  GArray *events; /* SbEvent */
  GArray *skips;  /* SbImportSkip */
  guint guessed;
} Batch;

/* Reads @g into @batch: IM events gathered, a chat recorded at once.  FALSE
 * only on store failures. */
static gboolean
gather_file (SbImport *im, ImportFile *g, Batch *batch, GError **error)
{
  g_autoptr (GError) read_error = NULL;
  g_autoptr (SbLogFile) log = take_parsed (im, g, &read_error);
  SbImportSkip file_skip = SB_IMPORT_SKIP_LAST;
  if (log == NULL)
    {
      g_debug ("%s: %s", g->rel, read_error->message);
      file_skip = skip_for_error (read_error);
    }
  else
    {
      sb_import_learn_own_names (g->account, log);
      if (g->kind == FILE_CHAT && !import_chat (im, g, log, error))
        return FALSE;
      if (g->kind == FILE_IM)
        {
          g_array_append_vals (batch->events, log->events->data, log->events->len);
          batch->guessed += log->n_guessed;
        }
    }
  g_array_append_val (batch->skips, file_skip);
  return TRUE;
}

/* Gathers files from im->next on: the next file and, when it is an IM log,
 * the same buddy's logs after it, while they hold fewer than @max_events
 * events and number at most @max (0 = no limit).  Sets *@last past the last
 * one.  FALSE only on store failures. */
static gboolean
gather_batch (SbImport *im, guint max, guint max_events, Batch *batch, guint *last,
              GError **error)
{
  guint first = im->next;
  const ImportFile *f = im->files->pdata[first];
  for (*last = first; *last < im->files->len && (max == 0 || *last - first < max); (*last)++)
    {
      ImportFile *g = im->files->pdata[*last];
      if (*last > first)
        {
          if (f->kind != FILE_IM || batch->events->len >= max_events)
            break;
          if (!read_ahead (im, *last, error))
            return FALSE;
          if (!joins_batch (f, g))
            break;
        }
      if (!gather_file (im, g, batch, error))
        return FALSE;
    }
  return TRUE;
}

/* Imports the next file, or the next batch of one buddy's IM logs (see
 * gather_batch()): one sb_ledger_add_events() for all of them (the ledger
 * takes them in any order), their episodes, summary and file marks queued as
 * one group, so they are committed together and a crash never leaves a file
 * half-counted.  One batch or one file per buddy gives the same result: every
 * event of it has the same buddy, and the reader only gives valid times,
 * directions and kinds.  Advances im->next.  FALSE only on store
 * failures. */
static gboolean
import_next (SbImport *im, guint max, guint max_events, gint64 now, GError **error)
{
  guint first = im->next, last = first;
  ImportFile *f = im->files->pdata[first];
  SbImportSkip skip = SB_IMPORT_SKIP_LAST;
  SbStore *store = sb_ledger_get_store (im->ledger);

  if (!read_ahead (im, first, error))
    return FALSE;
  if (skip_unread (im, f))
    return TRUE;

  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  g_autoptr (GArray) skips = g_array_new (FALSE, FALSE, sizeof (SbImportSkip));
  Batch batch = { events, skips, 0 };
  if (!gather_batch (im, max, max_events, &batch, &last, error))
    return FALSE;
  sb_store_begin_group (store);
  gboolean ok = events->len == 0
                || import_im (im, f, (const SbEvent *) events->data, events->len, &skip, now,
                              error);
  if (ok)
    queue_marks (im, first, last);
  sb_store_end_group (store);
  if (!ok)
    return FALSE;
  if (events->len > 0 && skip == SB_IMPORT_SKIP_LAST)
    im->progress.guessed += batch.guessed;
  for (guint k = first; k < last; k++)
    {
      SbImportSkip file_skip = g_array_index (skips, SbImportSkip, k - first);
      count_done (im, im->files->pdata[k], file_skip != SB_IMPORT_SKIP_LAST ? file_skip : skip);
    }
  im->next = last;
  return TRUE;
}

/* ---- public ------------------------------------------------------------ */

SbImport *
sb_import_new (SbLedger *ledger, const char *logdir, GCancellable *cancellable)
{
  g_return_val_if_fail (ledger != NULL && logdir != NULL, NULL);
  SbImport *im = g_new0 (SbImport, 1);
  im->ledger = ledger;
  im->logdir = g_strdup (logdir);
  im->profile_dir = g_path_get_dirname (logdir);
  im->zone = g_time_zone_new_local ();
  im->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  im->extra_names = g_ptr_array_new_with_free_func (g_free);
  im->accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_import_account_free);
  im->files = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_import_file_free);
  im->checkpoints = g_array_new (FALSE, FALSE, sizeof (Checkpoint));
  im->secret = sb_ledger_get_secret (ledger, &im->secret_len);
  g_mutex_init (&im->lock);
  g_cond_init (&im->parsed);
  return im;
}

void
sb_import_free (SbImport *im)
{
  if (im == NULL)
    return;
  g_autoptr (GError) error = NULL;
  if (!sb_ledger_flush (im->ledger, &error))
    g_warning ("import: %s", error->message);
  /* drop what was not started, wait for what was */
  if (im->pool != NULL)
    g_thread_pool_free (im->pool, TRUE, TRUE);
  g_mutex_clear (&im->lock);
  g_cond_clear (&im->parsed);
  g_free (im->logdir);
  g_free (im->profile_dir);
  g_clear_object (&im->cancellable);
  g_clear_pointer (&im->zone, g_time_zone_unref);
  g_ptr_array_unref (im->extra_names);
  g_clear_pointer (&im->xml_accounts, g_ptr_array_unref);
  g_clear_pointer (&im->aliases, g_hash_table_unref);
  g_ptr_array_unref (im->accounts);
  g_ptr_array_unref (im->files);
  g_array_unref (im->checkpoints);
  g_free (im);
}

void
sb_import_add_own_name (SbImport *im, const char *name)
{
  g_return_if_fail (im != NULL && !im->listed && name != NULL);
  if (g_utf8_validate (name, -1, NULL) && !sb_import_names_contain (im->extra_names, name))
    g_ptr_array_add (im->extra_names, g_strdup (name));
}

/* The first step: the tree, then the readers (on more than one processor). */
static gboolean
start (SbImport *im, GError **error)
{
  im->listed = TRUE;
  if (!sb_import_list_tree (im, error))
    return FALSE;
  im->saved.files_total = im->progress.files_total;
  im->saved.bytes_total = im->progress.bytes_total;
  guint cpus = g_get_num_processors ();
  if (cpus > 1 && im->files->len > 1)
    {
      g_autoptr (GError) pool_error = NULL;
      im->pool = g_thread_pool_new (parse_in_worker, im, (int) MIN (cpus - 1, 4), TRUE,
                                    &pool_error);
      if (im->pool == NULL)
        g_debug ("import: reading in this thread: %s", pool_error->message);
    }
  return TRUE;
}

/* Within a time budget, batches no bigger than the time left allows at the
 * pace seen so far. */
static guint
batch_limit (SbImport *im, gint64 max_usec, gint64 started)
{
  if (max_usec <= 0 || im->usec_per_event <= 0)
    return BATCH_EVENTS;
  double left = (double) (max_usec - (g_get_monotonic_time () - started));
  return (guint) CLAMP (left / im->usec_per_event, 1.0, (double) BATCH_EVENTS);
}

/* Notes the progress as it stands once what is queued now is committed. */
static void
add_checkpoint (SbImport *im)
{
  Checkpoint c = { sb_store_get_queued (sb_ledger_get_store (im->ledger)), im->progress };
  g_array_append_val (im->checkpoints, c);
}

/* Moves im->saved to the latest checkpoint the writer has committed and
 * forgets the ones before it. */
static void
settle_checkpoints (SbImport *im)
{
  guint64 committed = sb_store_get_committed (sb_ledger_get_store (im->ledger));
  guint n = 0;
  while (n < im->checkpoints->len
         && g_array_index (im->checkpoints, Checkpoint, n).queued <= committed)
    n++;
  if (n == 0)
    return;
  im->saved = g_array_index (im->checkpoints, Checkpoint, n - 1).progress;
  g_array_remove_range (im->checkpoints, 0, n);
}

/* import_next(), timed for the pace of the next batches, then a wait while
 * the writer is more than AHEAD_OPS behind (until the step's time is up at
 * most; not part of the pace); *@done counts the files. */
static gboolean
import_timed (SbImport *im, guint max, guint max_events, gint64 now, guint *done, GError **error)
{
  guint before = im->next;
  guint64 events_before = im->progress.events + im->progress.duplicates;
  gint64 t0 = g_get_monotonic_time ();
  if (!import_next (im, max, max_events, now, error))
    return FALSE;
  add_checkpoint (im);
  *done += im->next - before;
  guint64 n_events = im->progress.events + im->progress.duplicates - events_before;
  if (n_events > 0)
    im->usec_per_event = (double) (g_get_monotonic_time () - t0) / (double) n_events;
  return sb_store_wait_for_room (sb_ledger_get_store (im->ledger), AHEAD_OPS, im->deadline, error);
}

gboolean
sb_import_step (SbImport *im, guint max_files, gint64 max_usec, gint64 now, GError **error)
{
  g_return_val_if_fail (im != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  gint64 started = g_get_monotonic_time ();
  im->deadline = max_usec > 0 ? started + max_usec : 0;

  if (g_cancellable_set_error_if_cancelled (im->cancellable, error))
    return FALSE;
  if (!im->listed && !start (im, error))
    return FALSE;
  for (guint done = 0; im->next < im->files->len;)
    {
      if (done > 0 && ((max_files > 0 && done >= max_files)
                       || (max_usec > 0 && g_get_monotonic_time () - started >= max_usec)))
        break;
      if (g_cancellable_set_error_if_cancelled (im->cancellable, error))
        return FALSE;
      if (!import_timed (im, max_files > 0 ? max_files - done : 0,
                         batch_limit (im, max_usec, started), now, &done, error))
        return FALSE;
    }
  /* Texts that many buddies sent alike show only across files: look once all
   * are in (docs/design.md, "Definitions", automated messages). */
  if (im->next >= im->files->len && !im->detected)
    {
      im->detected = TRUE;
      if (!sb_ledger_detect_automated (im->ledger, &im->progress.automated, error))
        return FALSE;
      add_checkpoint (im);
    }
  settle_checkpoints (im);
  return im->next < im->files->len;
}

gboolean
sb_import_run (SbImport *im, gint64 now, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  while (sb_import_step (im, 0, 0, now, &local_error))
    ;
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

const SbImportProgress *
sb_import_get_progress (SbImport *im)
{
  g_return_val_if_fail (im != NULL, NULL);
  return &im->progress;
}

const SbImportProgress *
sb_import_get_saved_progress (SbImport *im)
{
  g_return_val_if_fail (im != NULL, NULL);
  settle_checkpoints (im);
  return &im->saved;
}

gboolean
sb_import_is_finished (SbImport *im)
{
  g_return_val_if_fail (im != NULL, FALSE);
  return im->listed && im->next >= im->files->len;
}

const char *
sb_import_skip_describe (SbImportSkip reason)
{
  switch (reason)
    {
    case SB_IMPORT_SKIP_UNCHANGED:
      return _("unchanged since the last import");
    case SB_IMPORT_SKIP_SYSTEM:
      return _("system logs");
    case SB_IMPORT_SKIP_SERVICE:
      return _("services (not buddies)");
    case SB_IMPORT_SKIP_NOT_A_LOG:
      return _("not a Pidgin log");
    case SB_IMPORT_SKIP_EMPTY:
      return _("empty");
    case SB_IMPORT_SKIP_UNREADABLE:
      return _("unreadable");
    case SB_IMPORT_SKIP_UNTRACKED:
      return _("buddy not tracked");
    case SB_IMPORT_SKIP_TOO_LONG:
      /* TRANSLATORS: files skipped because a line is longer than 16 MiB */
      return _("lines too long to be a Pidgin log");
    case SB_IMPORT_SKIP_LAST:
    default:
      return "";
    }
}

