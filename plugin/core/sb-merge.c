/* sb-merge.c: another machine's history, added event by event (the rule and
 * why it is exact are in sb-merge.h).
 *
 * sb_merge_unmatched() decides which events are new; sb_merge_from() walks the
 * other file buddy by buddy and hands the new ones to the ledger, which
 * stores them and re-segments exactly as a log import does.  Room lines are
 * matched room by room (sb_merge_match_room_lines()) and the new ones go to
 * the store's queue, as live capture and the import of room logs write them.
 */
#include "smileback/sb-merge.h"
#include "smileback/sb-room-store.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>

G_DEFINE_QUARK (sb-merge-error-quark, sb_merge_error)

/* Events of one group, compared: direction, kind, size bucket, then time. */
static int
compare_grouped (gconstpointer pa, gconstpointer pb)
{
  const SbEvent *a = pa, *b = pb;
  if (a->direction != b->direction)
    return a->direction < b->direction ? -1 : 1;
  if (a->kind != b->kind)
    return a->kind < b->kind ? -1 : 1;
  if (a->size_bucket != b->size_bucket)
    return a->size_bucket < b->size_bucket ? -1 : 1;
  return a->time < b->time ? -1 : a->time > b->time;
}

/* Like compare_grouped() but ignoring the time: <0, 0, >0 between groups. */
static int
compare_group (const SbEvent *a, const SbEvent *b)
{
  SbEvent a0 = *a, b0 = *b;
  a0.time = b0.time = 0;
  return compare_grouped (&a0, &b0);
}

static int
compare_time (gconstpointer pa, gconstpointer pb)
{
  const SbEvent *a = pa, *b = pb;
  return a->time < b->time ? -1 : a->time > b->time;
}

static GArray *
sorted_copy (const SbEvent *events, guint n)
{
  GArray *copy = g_array_sized_new (FALSE, FALSE, sizeof (SbEvent), n);
  g_array_append_vals (copy, events, n);
  g_array_sort (copy, compare_grouped);
  return copy;
}

void
sb_merge_unmatched (const SbEvent *theirs, guint n_theirs, const SbEvent *ours, guint n_ours,
                    GArray *out)
{
  g_autoptr (GArray) a = sorted_copy (theirs, n_theirs);
  g_autoptr (GArray) b = sorted_copy (ours, n_ours);
  guint first = out->len, i = 0, j = 0;
  while (i < a->len)
    {
      const SbEvent *x = &g_array_index (a, SbEvent, i);
      const SbEvent *y = j < b->len ? &g_array_index (b, SbEvent, j) : NULL;
      int group = y != NULL ? compare_group (x, y) : -1;
      if (group < 0 || (group == 0 && x->time < y->time - SB_MERGE_TOLERANCE_S))
        {
          g_array_append_val (out, *x); /* nothing of ours left that it could be */
          i++;
        }
      else if (group > 0 || y->time < x->time - SB_MERGE_TOLERANCE_S)
        j++; /* ours, seen only here */
      else
        i++, j++; /* one message seen on both machines */
    }
  if (out->len > first)
    qsort (&g_array_index (out, SbEvent, first), out->len - first, sizeof (SbEvent), compare_time);
}

/* The (dev, inode) of @path identify it across names and links. */
static gboolean
same_file (const char *a, const char *b)
{
  GStatBuf sa, sb;
  return g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0 && sa.st_dev == sb.st_dev
         && sa.st_ino == sb.st_ino;
}

/* FALSE with @error unless @source is a sound Smile Back file this build
 * can read. */
static gboolean
source_is_mergeable (SbDbFile *source, GError **error)
{
  const char *path = sb_dbfile_get_path (source);
  int version = sb_dbfile_get_schema_version (source);
  g_autofree char *problem = NULL;
  if (version > SB_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, SB_MERGE_ERROR, SB_MERGE_ERROR_TOO_NEW,
                   _("%s was written by a newer Smile Back (schema %d, this one knows %d)"),
                   path, version, SB_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  if (!sb_dbfile_check_integrity (source, FALSE, &problem, error))
    return FALSE;
  if (problem != NULL)
    {
      g_set_error (error, SB_MERGE_ERROR, SB_MERGE_ERROR_DAMAGED,
                   _("%s is damaged (%s); nothing was merged"), path, problem);
      return FALSE;
    }
  if (version < 1)
    {
      g_set_error (error, SB_MERGE_ERROR, SB_MERGE_ERROR_NOT_SMILEBACK,
                   _("%s is not a Smile Back database"), path);
      return FALSE;
    }
  return TRUE;
}

SbDbFile *
sb_merge_open_source (const char *path, const char *into_path, GError **error)
{
  if (same_file (path, into_path))
    {
      g_set_error (error, SB_MERGE_ERROR, SB_MERGE_ERROR_SAME_FILE,
                   _("%s is this database: there is nothing to merge"), path);
      return NULL;
    }
  g_autoptr (SbDbFile) source = sb_dbfile_open (path, error);
  if (source == NULL || !source_is_mergeable (source, error))
    return NULL;
  return g_steal_pointer (&source);
}

typedef struct
{
  gint64 id;
  SbBuddyKey *key;
  gboolean tracked;
} SourceBuddy;

static void
source_buddy_clear (SourceBuddy *buddy)
{
  sb_buddy_key_free (buddy->key);
}

static void
collect_buddy (gint64 buddy_id, const SbBuddyKey *key, gboolean tracked, gpointer user_data)
{
  SourceBuddy buddy = { buddy_id, sb_buddy_key_copy (key), tracked };
  g_array_append_val ((GArray *) user_data, buddy);
}

/* This database's events of @key (none when the buddy is unknown here). */
static GArray *
our_events (SbLedger *ledger, const SbBuddyKey *key, GError **error)
{
  SbStore *store = sb_ledger_get_store (ledger);
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  g_autoptr (GError) local = NULL;
  gint64 id = sb_store_lookup_buddy (store, key, FALSE, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (id != 0 && !sb_store_load_events (store, id, G_MININT64, events, error))
    return NULL;
  return g_steal_pointer (&events);
}

/* Merges one buddy of @source; counts into @result. */
static gboolean
merge_buddy (SbLedger *ledger, SbDbFile *source, const SourceBuddy *buddy, gint64 now,
             SbMergeResult *result, GError **error)
{
  if (!buddy->tracked || !sb_ledger_is_tracked (ledger, buddy->key))
    return TRUE;
  g_autoptr (GArray) theirs = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  if (!sb_dbfile_load_events (source, buddy->id, theirs, error))
    return FALSE;
  if (theirs->len == 0)
    return TRUE;
  g_autoptr (GArray) ours = our_events (ledger, buddy->key, error);
  if (ours == NULL)
    return FALSE;
  g_autoptr (GArray) added = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  sb_merge_unmatched ((const SbEvent *) theirs->data, theirs->len, (const SbEvent *) ours->data,
                      ours->len, added);
  result->buddies++;
  result->events += theirs->len;
  result->matched += theirs->len - added->len;
  result->added += added->len;
  return added->len == 0
         || sb_ledger_add_events (ledger, buddy->key, (const SbEvent *) added->data, added->len,
                                  now, NULL, error);
}

typedef struct
{
  SbLedger *ledger;
  SbMergeResult *result;
  GError *error;
} ChatCall;

static const char *
text_of (const SbDbFileValue *values, guint n, const char *name)
{
  for (guint i = 0; i < n; i++)
    if (g_str_equal (values[i].name, name))
      return values[i].text;
  return NULL;
}

static gint64
number_of (const SbDbFileValue *values, guint n, const char *name)
{
  for (guint i = 0; i < n; i++)
    if (g_str_equal (values[i].name, name))
      return values[i].number;
  return 0;
}

/* Group-chat rows are keyed by names and times alike on every machine: the
 * store's own key ignores the ones already here. */
static void
merge_chat_row (const SbDbFileValue *values, guint n, gpointer user_data)
{
  ChatCall *call = user_data;
  if (call->error != NULL)
    return;
  SbChatEvent event = {
    .protocol = text_of (values, n, "protocol"),
    .account = text_of (values, n, "account"),
    .room = text_of (values, n, "room"),
    .member = text_of (values, n, "member"),
    .kind = (SbChatKind) number_of (values, n, "kind"),
    .source = (SbSource) number_of (values, n, "source"),
    .time = number_of (values, n, "time"),
  };
  call->result->chat_events++;
  (void) sb_ledger_add_chat_event (call->ledger, &event, &call->error);
}

static gboolean
merge_chat_events (SbLedger *ledger, SbDbFile *source, SbMergeResult *result, GError **error)
{
  ChatCall call = { ledger, result, NULL };
  if (!sb_dbfile_foreach_row (source, SB_DBFILE_CHAT_EVENTS, merge_chat_row, &call, error))
    {
      g_clear_error (&call.error);
      return FALSE;
    }
  if (call.error != NULL)
    {
      g_propagate_error (error, call.error);
      return FALSE;
    }
  return TRUE;
}

/* ---- room lines ------------------------------------------------------------- */

/* One line of one side as the walk sees it: its speaker, time and index. */
typedef struct
{
  const char *speaker; /* NULL: the user */
  gint64 time;
  guint index;
} Seen;

/* By speaker, then time, then index. */
static int
compare_seen (gconstpointer pa, gconstpointer pb)
{
  const Seen *a = pa, *b = pb;
  int speaker = g_strcmp0 (a->speaker, b->speaker);
  if (speaker != 0)
    return speaker;
  if (a->time != b->time)
    return a->time < b->time ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

static GArray *
sorted_seen (const SbRoomLine *lines, guint n)
{
  GArray *seen = g_array_sized_new (FALSE, FALSE, sizeof (Seen), n);
  for (guint i = 0; i < n; i++)
    {
      Seen one = { lines[i].speaker != NULL && lines[i].speaker[0] != '\0' ? lines[i].speaker : NULL,
                   lines[i].time, i };
      g_array_append_val (seen, one);
    }
  g_array_sort (seen, compare_seen);
  return seen;
}

void
sb_merge_match_room_lines (const SbRoomLine *theirs, guint n_theirs, const SbRoomLine *ours,
                           guint n_ours, gint64 *matched_time)
{
  g_autoptr (GArray) a = sorted_seen (theirs, n_theirs);
  g_autoptr (GArray) b = sorted_seen (ours, n_ours);
  guint i = 0, j = 0;
  /* The walk of sb_merge_unmatched(), grouped by speaker. */
  while (i < a->len)
    {
      const Seen *x = &g_array_index (a, Seen, i);
      const Seen *y = j < b->len ? &g_array_index (b, Seen, j) : NULL;
      int group = y != NULL ? g_strcmp0 (x->speaker, y->speaker) : -1;
      if (group < 0 || (group == 0 && x->time < y->time - SB_MERGE_TOLERANCE_S))
        {
          matched_time[x->index] = G_MININT64; /* nothing of ours left that it could be */
          i++;
        }
      else if (group > 0 || y->time < x->time - SB_MERGE_TOLERANCE_S)
        j++; /* ours, seen only here */
      else
        {
          matched_time[x->index] = y->time; /* one line seen on both machines */
          i++, j++;
        }
    }
}

/* "TIME\x1fSPEAKER": a line as parents name it.  Caller frees. */
static char *
line_name (gint64 time, const char *speaker)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "\x1f%s", time, speaker != NULL ? speaker : "");
}

/* Adds the lines of @theirs (one room's) that @ledger does not have, each
 * parent that was matched re-pointed to our line's time. */
static gboolean
merge_room (SbLedger *ledger, const SbDbFileRoomLine *theirs, guint n, SbMergeResult *result,
            GError **error)
{
  SbStore *store = sb_ledger_get_store (ledger);
  const SbRoomKey *room = &theirs[0].room;
  g_autoptr (GArray) ours = g_array_new (FALSE, FALSE, sizeof (SbRoomLine));
  GStringChunk *strings = g_string_chunk_new (256);
  gboolean ok = sb_store_load_room_lines (store, room, G_MININT64, ours, strings, error);
  g_autofree SbRoomLine *lines = g_new0 (SbRoomLine, n);
  g_autofree gint64 *matched = g_new (gint64, n);
  /* Where each of their lines is, by the name parents use; the latest wins,
   * as when the store loads lines. */
  g_autoptr (GHashTable) named = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < n; i++)
    {
      lines[i] = (SbRoomLine){ theirs[i].line.time, theirs[i].line.speaker, -1 };
      g_hash_table_insert (named, line_name (theirs[i].line.time, theirs[i].line.speaker),
                           GUINT_TO_POINTER (i + 1));
    }
  if (ok)
    sb_merge_match_room_lines (lines, n, (const SbRoomLine *) (gpointer) ours->data, ours->len,
                               matched);
  /* Where each of their lines is here: our line's time when matched, else
   * its own, moved up to its parent's (by at most the tolerance) so that a
   * line never comes before the line it answers. */
  g_autofree gint64 *where = g_new (gint64, n);
  for (guint i = 0; i < n; i++)
    where[i] = matched[i] != G_MININT64 ? matched[i] : lines[i].time;
  for (guint i = 0; ok && i < n; i++)
    {
      if (matched[i] != G_MININT64)
        continue;
      SbRoomEntry line = theirs[i].line;
      if (line.has_parent)
        {
          g_autofree char *parent = line_name (line.parent_time, line.parent_speaker);
          guint p = GPOINTER_TO_UINT (g_hash_table_lookup (named, parent));
          if (p != 0)
            line.parent_time = where[p - 1];
          /* Within the tolerance: the added line still matches its original. */
          if (p != 0 && p - 1 != i && line.parent_time - line.time <= SB_MERGE_TOLERANCE_S)
            line.time = where[i] = MAX (line.time, line.parent_time);
        }
      ok = sb_store_add_room_line (store, room, &line, error);
      result->room_lines_added += ok ? 1 : 0;
    }
  result->room_lines += n;
  g_string_chunk_free (strings);
  return ok;
}

static gboolean
same_room (const SbRoomKey *a, const SbRoomKey *b)
{
  return g_str_equal (a->protocol, b->protocol) && g_str_equal (a->account, b->account)
         && g_str_equal (a->room, b->room);
}

static gboolean
merge_room_lines (SbLedger *ledger, SbDbFile *source, SbMergeResult *result, GError **error)
{
  g_autoptr (GArray) theirs = g_array_new (FALSE, FALSE, sizeof (SbDbFileRoomLine));
  GStringChunk *strings = g_string_chunk_new (1024);
  gboolean ok = sb_dbfile_load_room_lines (source, theirs, strings, error);
  const SbDbFileRoomLine *all = (const SbDbFileRoomLine *) (gpointer) theirs->data;
  for (guint start = 0, end = 0; ok && start < theirs->len; start = end)
    {
      for (end = start + 1; end < theirs->len && same_room (&all[end].room, &all[start].room); end++)
        ;
      ok = merge_room (ledger, all + start, end - start, result, error);
    }
  g_string_chunk_free (strings);
  return ok;
}

gboolean
sb_merge_from (SbLedger *ledger, SbDbFile *source, gint64 now, SbMergeResult *result,
               GError **error)
{
  *result = (SbMergeResult){ 0 };
  g_autoptr (GArray) buddies = g_array_new (FALSE, FALSE, sizeof (SourceBuddy));
  g_array_set_clear_func (buddies, (GDestroyNotify) source_buddy_clear);
  if (!sb_dbfile_begin (source, error))
    return FALSE;
  gboolean ok = sb_dbfile_foreach_buddy (source, collect_buddy, buddies, error);
  for (guint i = 0; ok && i < buddies->len; i++)
    ok = merge_buddy (ledger, source, &g_array_index (buddies, SourceBuddy, i), now, result,
                      error);
  ok = ok && merge_chat_events (ledger, source, result, error)
       && merge_room_lines (ledger, source, result, error);
  sb_dbfile_end (source);
  return ok && sb_ledger_detect_automated (ledger, NULL, error) && sb_ledger_flush (ledger, error);
}
