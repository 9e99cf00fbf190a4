/* sb-ledger-journal.c: what could not be saved is kept, not dropped.
 *
 * When the database stays locked or the disk full while the ledger closes,
 * sb_ledger_save() waits a bounded time and then appends the events still
 * not committed to a journal beside the database ("<db>.unsaved", mode 0600):
 * one line per event with its buddy key and the same metadata the events
 * table holds (time, direction, kind, source, flags, size bucket, keyed
 * digest), never text.  Episodes and figures are not kept: they follow from
 * the events.  The next session replays the journal through the import's
 * path (sb_ledger_add_events()), where a message already stored counts once,
 * and removes it once that is committed (docs/design.md, "Reliability").
 */
#include "sb-ledger-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first field of every line: the format's version. */
#define JOURNAL_VERSION "1"
#define JOURNAL_FIELDS 11

char *
sb_ledger_journal_path (const char *db_path)
{
  g_return_val_if_fail (db_path != NULL, NULL);
  return g_strconcat (db_path, ".unsaved", NULL);
}

/* Appends the line of @event of @key to @out. */
static void
format_line (GString *out, const SbBuddyKey *key, const SbEvent *event)
{
  g_autofree char *protocol = g_strescape (key->protocol, NULL);
  g_autofree char *account = g_strescape (key->account, NULL);
  g_autofree char *buddy = g_strescape (key->buddy, NULL);
  g_string_append_printf (out,
                          JOURNAL_VERSION "\t%s\t%s\t%s\t%" G_GINT64_FORMAT "\t%d\t%d\t%d\t%u\t%u"
                          "\t%" G_GUINT64_FORMAT "\n",
                          protocol, account, buddy, event->time, event->direction, event->kind,
                          event->source, event->flags, event->size_bucket, event->digest);
}

/* Appends @text to the journal at @path, created with mode 0600, and syncs. */
static gboolean
append_text (const char *path, const GString *text, GError **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  gsize done = 0;
  while (fd >= 0 && done < text->len)
    {
      gssize n = write (fd, text->str + done, text->len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += (gsize) n;
    }
  int saved = errno;
  gboolean ok = fd >= 0 && done == text->len && fsync (fd) == 0;
  if (!ok && done == text->len)
    saved = errno;
  if (fd >= 0)
    close (fd);
  if (!ok)
    g_set_error (error, SB_STORE_ERROR, saved == ENOSPC || saved == EFBIG || saved == EDQUOT
                                          ? SB_STORE_ERROR_FULL
                                          : SB_STORE_ERROR_FAILED,
                 "cannot keep unsaved events in %s: %s", path, g_strerror (saved));
  return ok;
}

gboolean
sb_ledger_journal_append (const char *db_path, const SbBuddyKey *const *keys,
                          const SbEvent *events, guint n, GError **error)
{
  g_return_val_if_fail (db_path != NULL, FALSE);
  g_return_val_if_fail (n == 0 || (keys != NULL && events != NULL), FALSE);

  if (n == 0)
    return TRUE;
  g_autoptr (GString) text = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    format_line (text, keys[i], &events[i]);
  g_autofree char *path = sb_ledger_journal_path (db_path);
  return append_text (path, text, error);
}

/* The events the store could not commit and the held ones, with their
 * keys, for the journal. */
typedef struct
{
  SbLedger *ledger;
  GPtrArray *keys; /* SbBuddyKey *, borrowed from the ledger */
  GArray *events;  /* SbEvent */
} Unsaved;

static void
collect_unsaved (gint64 buddy_id, const SbEvent *event, gpointer data)
{
  Unsaved *unsaved = data;
  SbLedgerBuddy *buddy = g_hash_table_lookup (unsaved->ledger->by_id, &buddy_id);
  if (buddy == NULL)
    return; /* forgotten since */
  g_ptr_array_add (unsaved->keys, buddy->key);
  g_array_append_val (unsaved->events, *event);
}

/* Moves what is not committed, and the held events, to the journal; *@n_kept
 * counts them. */
static gboolean
keep_unsaved (SbLedger *ledger, guint *n_kept, GError **error)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  Unsaved unsaved = { ledger, keys, events };
  sb_store_drop_unsaved (ledger->store, collect_unsaved, &unsaved);
  for (guint i = 0; i < ledger->holding->len; i++)
    {
      SbLedgerBuddy *buddy = g_ptr_array_index (ledger->holding, i);
      for (guint j = 0; j < buddy->held->len; j++)
        collect_unsaved (buddy->id, &g_array_index (buddy->held, SbEvent, j), &unsaved);
    }
  while (ledger->holding->len > 0)
    sb_ledger_release_held (ledger, g_ptr_array_index (ledger->holding, 0));
  *n_kept = events->len;
  return sb_ledger_journal_append (ledger->path, (const SbBuddyKey *const *) keys->pdata,
                                   (const SbEvent *) events->data, events->len, error);
}

gboolean
sb_ledger_save (SbLedger *ledger, guint timeout_ms, guint *n_kept, GError **error)
{
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (n_kept != NULL, FALSE);

  *n_kept = 0;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_autoptr (GError) local = NULL;
  if (sb_store_flush_within (ledger->store, timeout_ms, &local))
    {
      sb_ledger_adopt_row_ids (ledger);
      gint64 left_ms = MAX (0, deadline - g_get_monotonic_time ()) / 1000;
      if (sb_ledger_place_held (ledger, &local)
          && sb_store_flush_within (ledger->store, (guint) left_ms, &local))
        return TRUE;
    }
  if (g_strcmp0 (ledger->path, ":memory:") == 0)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  g_message ("the history could not be saved (%s): keeping %u writes in %s.unsaved",
             local->message, sb_ledger_pending (ledger), ledger->path);
  return keep_unsaved (ledger, n_kept, error);
}

/* One journal line into *@key and *@event; FALSE for a line that is not one. */
static gboolean
parse_line (const char *line, SbBuddyKey **key, SbEvent *event)
{
  g_auto (GStrv) fields = g_strsplit (line, "\t", -1);
  if (g_strv_length (fields) != JOURNAL_FIELDS || g_strcmp0 (fields[0], JOURNAL_VERSION) != 0)
    return FALSE;
  g_autofree char *protocol = g_strcompress (fields[1]);
  g_autofree char *account = g_strcompress (fields[2]);
  g_autofree char *buddy = g_strcompress (fields[3]);
  *event = (SbEvent){
    .time = g_ascii_strtoll (fields[4], NULL, 10),
    .direction = (SbDirection) atoi (fields[5]),
    .kind = (SbEventKind) atoi (fields[6]),
    .source = atoi (fields[7]) == SB_SOURCE_IMPORT ? SB_SOURCE_IMPORT : SB_SOURCE_LIVE,
    .flags = (guint) g_ascii_strtoull (fields[8], NULL, 10),
    .size_bucket = (guint) g_ascii_strtoull (fields[9], NULL, 10),
    .digest = g_ascii_strtoull (fields[10], NULL, 10),
  };
  *key = sb_buddy_key_new (protocol, account, buddy);
  return *key != NULL; /* an empty or invalid name: not a line we wrote */
}

/* The journal's events, by buddy key (SbBuddyKey * -> GArray of SbEvent). */
static GHashTable *
read_journal (const char *contents)
{
  GHashTable *by_key = g_hash_table_new_full (sb_buddy_key_hash, sb_buddy_key_equal,
                                              (GDestroyNotify) sb_buddy_key_free,
                                              (GDestroyNotify) g_array_unref);
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      SbBuddyKey *key = NULL;
      SbEvent event;
      if (lines[i][0] == '\0' || !parse_line (lines[i], &key, &event))
        continue;
      GArray *events = g_hash_table_lookup (by_key, key);
      if (events == NULL)
        {
          events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
          g_hash_table_insert (by_key, key, events);
        }
      else
        sb_buddy_key_free (key);
      g_array_append_val (events, event);
    }
  return by_key;
}

/* Records @events of @key as an import does; an untracked buddy or an
 * invalid line is skipped. */
static gboolean
replay_buddy (SbLedger *ledger, const SbBuddyKey *key, GArray *events, gint64 now, GError **error)
{
  g_autoptr (GError) local = NULL;
  if (sb_ledger_add_events (ledger, key, (const SbEvent *) events->data, events->len, now, NULL,
                            &local))
    return TRUE;
  if (g_error_matches (local, SB_LEDGER_ERROR, SB_LEDGER_ERROR_UNTRACKED)
      || g_error_matches (local, SB_LEDGER_ERROR, SB_LEDGER_ERROR_INVALID))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

gboolean
sb_ledger_replay_journal (SbLedger *ledger, gint64 now, guint *n_replayed, GError **error)
{
  g_return_val_if_fail (ledger != NULL, FALSE);

  if (n_replayed != NULL)
    *n_replayed = 0;
  g_autofree char *path = sb_ledger_journal_path (ledger->path);
  g_autofree char *contents = NULL;
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return TRUE; /* none */

  g_autoptr (GHashTable) by_key = read_journal (contents);
  GHashTableIter iter;
  gpointer key, value;
  guint n = 0;
  g_hash_table_iter_init (&iter, by_key);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (!replay_buddy (ledger, key, value, now, error))
        return FALSE;
      n += ((GArray *) value)->len;
    }
  if (!sb_ledger_flush (ledger, error))
    return FALSE;
  if (g_unlink (path) != 0)
    {
      int saved = errno;
      g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "cannot remove %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  if (n_replayed != NULL)
    *n_replayed = n;
  return TRUE;
}

gboolean
sb_ledger_read_secret (const char *db_path, guint8 *secret, gsize len, GError **error)
{
  g_return_val_if_fail (db_path != NULL && secret != NULL, FALSE);

  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  /* read-write but never written: a read-only connection cannot open a WAL
   * database whose -shm is gone */
  int rc = sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, "SELECT value FROM meta WHERE key = 'secret'", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  gboolean ok = rc == SQLITE_ROW && sqlite3_column_bytes (stmt, 0) == (int) len;
  if (ok)
    memcpy (secret, sqlite3_column_blob (stmt, 0), len);
  else
    g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "cannot read the secret of %s: %s",
                 db_path, rc == SQLITE_ROW ? "wrong size" : sqlite3_errstr (rc));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return ok;
}
