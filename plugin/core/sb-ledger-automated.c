/* sb-ledger-automated.c: telling automated texts from people.
 *
 * A received text of some length that arrives identically from
 * SB_LEDGER_AUTOMATED_BUDDIES buddies within SB_LEDGER_AUTOMATED_WINDOW_S is
 * automated: it never starts or answers an episode (docs/design.md,
 * "Definitions").  Texts are compared by their keyed digest only.  Live
 * events are checked as they arrive against the sightings of the last
 * window, kept in memory.  Texts recorded in bulk (sb_ledger_add_events(),
 * an import) are noted as they go in; sb_ledger_detect_automated() then
 * gathers, in one pass over the stored events without sorting them, every
 * stored text with one of their digests (live, or from an earlier import)
 * and applies the same rule to those digests only.  A text found automated is flagged
 * in the store and its sender re-segmented from it.
 */
#include "sb-ledger-private.h"

#include <stdlib.h>
#include <string.h>

/* TRUE when @event is a received text that automated-message detection looks
 * at: longer than a quick reply, since "ok", "haha" or "thanks" from three
 * friends in a week are people, not a bot (size bucket 2: over 16 characters). */
static gboolean
is_received_text (const SbEvent *event)
{
  return event->direction == SB_DIRECTION_IN && event->kind == SB_EVENT_MESSAGE
         && event->digest != 0 && event->size_bucket >= SB_LEDGER_AUTOMATED_MIN_SIZE;
}

/* TRUE when @event counts toward "sends automated messages". */
gboolean
sb_ledger_is_automated (const SbEvent *event)
{
  return event->direction == SB_DIRECTION_IN
         && (event->kind == SB_EVENT_AUTO_REPLY || (event->flags & SB_EVENT_FLAG_AUTOMATED) != 0);
}

static GArray *
sightings_for (SbLedger *ledger, guint64 digest)
{
  GArray *seen = g_hash_table_lookup (ledger->sightings, &digest);
  if (seen == NULL)
    {
      seen = g_array_new (FALSE, FALSE, sizeof (Sighting));
      g_hash_table_insert (ledger->sightings, g_memdup2 (&digest, sizeof digest), seen);
    }
  return seen;
}

/* Remembers the buddy's received texts of the last window, so detection
 * carries on across a restart. */
gboolean
sb_ledger_load_sightings (SbLedger *ledger, SbLedgerBuddy *buddy, GError **error)
{
  if (buddy->last_event < ledger->now - SB_LEDGER_AUTOMATED_WINDOW_S)
    return TRUE;
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  if (!sb_store_load_events (ledger->store, buddy->id, ledger->now - SB_LEDGER_AUTOMATED_WINDOW_S,
                             events, error))
    return FALSE;
  for (guint i = 0; i < events->len; i++)
    {
      const SbEvent *event = &g_array_index (events, SbEvent, i);
      if (!is_received_text (event))
        continue;
      Sighting sighting = { buddy->id, event->time, (event->flags & SB_EVENT_FLAG_AUTOMATED) != 0 };
      g_array_append_val (sightings_for (ledger, event->digest), sighting);
    }
  return TRUE;
}

/* Marks a received text of @buddy automated, through the queue, and holds
 * the buddy for re-segmentation from it once that is committed. */
static void
mark_automated (SbLedger *ledger, SbLedgerBuddy *buddy, gint64 time, guint64 digest)
{
  sb_store_queue_flag_automated (ledger->store, buddy->id, time, digest);
  buddy->all.automated++;
  for (guint i = 0; buddy->held != NULL && i < buddy->held->len; i++)
    {
      SbEvent *held = &g_array_index (buddy->held, SbEvent, i);
      if (held->time == time && held->digest == digest && is_received_text (held))
        held->flags |= SB_EVENT_FLAG_AUTOMATED;
    }
  sb_ledger_hold (ledger, buddy, NULL, time);
}

/* Live detection: @event (a received text, not yet recorded) joins the
 * sightings of its digest; when SB_LEDGER_AUTOMATED_BUDDIES buddies sent it
 * within the window it is flagged, and so are the earlier sightings. */
gboolean
sb_ledger_detect_live (SbLedger *ledger, SbLedgerBuddy *buddy, SbEvent *event, GError **error)
{
  if (!is_received_text (event) || event->time < ledger->now - SB_LEDGER_AUTOMATED_WINDOW_S)
    return TRUE;

  GArray *seen = sightings_for (ledger, event->digest);
  gint64 senders[SB_LEDGER_AUTOMATED_BUDDIES] = { buddy->id };
  guint n_senders = 1;
  for (guint i = 0; i < seen->len && n_senders < SB_LEDGER_AUTOMATED_BUDDIES; i++)
    {
      const Sighting *s = &g_array_index (seen, Sighting, i);
      if (ABS (s->time - event->time) > SB_LEDGER_AUTOMATED_WINDOW_S)
        continue;
      gboolean known = FALSE;
      for (guint j = 0; j < n_senders; j++)
        known |= senders[j] == s->buddy_id;
      if (!known)
        senders[n_senders++] = s->buddy_id;
    }

  gboolean automated = n_senders >= SB_LEDGER_AUTOMATED_BUDDIES;
  if (automated)
    {
      event->flags |= SB_EVENT_FLAG_AUTOMATED;
      for (guint i = 0; i < seen->len; i++)
        {
          Sighting *s = &g_array_index (seen, Sighting, i);
          SbLedgerBuddy *sender = g_hash_table_lookup (ledger->by_id, &s->buddy_id);
          if (s->flagged || sender == NULL || ABS (s->time - event->time) > SB_LEDGER_AUTOMATED_WINDOW_S)
            continue;
          s->flagged = TRUE;
          mark_automated (ledger, sender, s->time, event->digest);
        }
      /* a ledger that may wait places the marked texts at once */
      if (!ledger->nonblocking && !sb_ledger_flush (ledger, error))
        return FALSE;
    }
  Sighting sighting = { buddy->id, event->time, automated };
  g_array_append_val (seen, sighting);
  return TRUE;
}

/* Forgets sightings older than the window before @now. */
void
sb_ledger_prune_sightings (SbLedger *ledger, gint64 now)
{
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, ledger->sightings);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GArray *seen = value;
      for (guint i = seen->len; i > 0; i--)
        if (g_array_index (seen, Sighting, i - 1).time < now - SB_LEDGER_AUTOMATED_WINDOW_S)
          g_array_remove_index_fast (seen, i - 1);
      if (seen->len == 0)
        g_hash_table_iter_remove (&iter);
    }
}

gboolean
sb_ledger_mark_unchecked (SbLedger *ledger, const SbEvent *events, guint n, GError **error)
{
  if (ledger->texts_unchecked)
    return TRUE;
  for (guint i = 0; i < n; i++)
    if (is_received_text (&events[i]))
      {
        if (!sb_store_has_received_text (ledger->store, SB_LEDGER_AUTOMATED_MIN_SIZE,
                                         &ledger->texts_before, error)
            || !sb_store_set_texts_unchecked (ledger->store, TRUE, error))
          return FALSE;
        ledger->texts_unchecked = TRUE;
        return TRUE;
      }
  return TRUE;
}

void
sb_ledger_note_added_texts (SbLedger *ledger, gint64 buddy_id, const SbEvent *events,
                            const gboolean *inserted, guint n)
{
  if (!ledger->texts_unchecked)
    return;
  for (guint i = 0; i < n; i++)
    {
      if ((inserted != NULL && !inserted[i]) || !is_received_text (&events[i]))
        continue;
      if (ledger->added_texts->len == 0)
        ledger->added_first = ledger->added_last = events[i].time;
      ledger->added_first = MIN (ledger->added_first, events[i].time);
      ledger->added_last = MAX (ledger->added_last, events[i].time);
      TextRow row = {
        .event = { .time = events[i].time, .direction = SB_DIRECTION_IN,
                   .digest = events[i].digest, .flags = events[i].flags },
        .buddy_id = buddy_id,
      };
      g_array_append_val (ledger->added_texts, row);
    }
}

static int
compare_digests (gconstpointer pa, gconstpointer pb)
{
  guint64 a = *(const guint64 *) pa, b = *(const guint64 *) pb;
  return a < b ? -1 : a > b ? 1 : 0;
}

static int
compare_rows (gconstpointer pa, gconstpointer pb)
{
  const TextRow *a = pa, *b = pb;
  int by_digest = compare_digests (&a->event.digest, &b->event.digest);
  if (by_digest != 0)
    return by_digest;
  return a->event.time < b->event.time ? -1 : a->event.time > b->event.time ? 1 : 0;
}

static int
compare_rows_with_data (gconstpointer pa, gconstpointer pb, gpointer user_data)
{
  return compare_rows (pa, pb);
}

/* Rows in one bucket beyond this many are sorted by g_qsort_with_data(), as
 * g_array_sort() sorts. */
#define INSERTION_MAX 16

/* Sorts rows[@first..@last) by compare_rows(), keeping equal rows in order. */
static void
sort_bucket (TextRow *rows, guint first, guint last)
{
  if (last - first > INSERTION_MAX)
    {
      g_qsort_with_data (rows + first, (gint) (last - first), sizeof (TextRow),
                         compare_rows_with_data, NULL);
      return;
    }
  for (guint i = first + 1; i < last; i++)
    {
      TextRow row = rows[i];
      guint j = i;
      for (; j > first && compare_rows (&rows[j - 1], &row) > 0; j--)
        rows[j] = rows[j - 1];
      rows[j] = row;
    }
}

/* Sorts @rows (TextRow) by digest, then time, as g_array_sort() with
 * compare_rows() does (equal rows keep their order), in linear time: the
 * digests are keyed hashes, spread evenly, so one counting pass on their top
 * bits leaves a few rows per bucket. */
static void
sort_rows (GArray *rows)
{
  guint n = rows->len, bits = 4;
  while (bits < 16 && (1u << bits) < n)
    bits++;
  guint n_buckets = 1u << bits;
  g_autofree guint *starts = g_new0 (guint, n_buckets + 1);
  g_autofree guint *next = g_new (guint, n_buckets);
  const TextRow *in = (const TextRow *) rows->data;
  for (guint i = 0; i < n; i++)
    starts[(in[i].event.digest >> (64 - bits)) + 1]++;
  for (guint b = 0; b < n_buckets; b++)
    starts[b + 1] += starts[b];
  memcpy (next, starts, n_buckets * sizeof (guint));
  g_autofree TextRow *out = g_new (TextRow, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    out[next[in[i].event.digest >> (64 - bits)]++] = in[i];
  for (guint b = 0; b < n_buckets; b++)
    sort_bucket (out, starts[b], starts[b + 1]);
  if (n > 0)
    memcpy (rows->data, out, n * sizeof (TextRow));
}

/* The digests of @rows (TextRow), sorted, each once. */
static GArray *
sorted_digests (const GArray *rows)
{
  GArray *digests = g_array_sized_new (FALSE, FALSE, sizeof (guint64), rows->len);
  for (guint i = 0; i < rows->len; i++)
    g_array_append_val (digests, g_array_index (rows, TextRow, i).event.digest);
  g_array_sort (digests, compare_digests);
  guint kept = 0;
  for (guint i = 0; i < digests->len; i++)
    if (kept == 0 || g_array_index (digests, guint64, i) != g_array_index (digests, guint64, kept - 1))
      g_array_index (digests, guint64, kept++) = g_array_index (digests, guint64, i);
  g_array_set_size (digests, kept);
  return digests;
}

/* The stored texts to collect: those whose digest is in @digests (sorted),
 * or all of them when it is NULL. */
typedef struct
{
  const GArray *digests;
  GArray *rows; /* TextRow */
} Collect;

static void
collect_text_cb (gint64 buddy_id, gint64 time, guint64 digest, guint flags, gpointer user_data)
{
  Collect *collect = user_data;
  if (collect->digests != NULL
      && bsearch (&digest, collect->digests->data, collect->digests->len, sizeof (guint64),
               compare_digests)
      == NULL)
    return;
  TextRow row = {
    .event = { .time = time, .direction = SB_DIRECTION_IN, .digest = digest, .flags = flags },
    .buddy_id = buddy_id,
  };
  g_array_append_val (collect->rows, row);
}

/* How many different senders rows[@start..@last) hold, counting no further
 * than SB_LEDGER_AUTOMATED_BUDDIES and no row more than @span seconds after
 * rows[@start]'s. */
static guint
count_senders (const TextRow *rows, guint start, guint last, gint64 span)
{
  gint64 senders[SB_LEDGER_AUTOMATED_BUDDIES];
  guint n = 0;
  for (guint j = start; j < last && n < SB_LEDGER_AUTOMATED_BUDDIES; j++)
    {
      if (rows[j].event.time - rows[start].event.time > span)
        break;
      gboolean known = FALSE;
      for (guint k = 0; k < n; k++)
        known |= senders[k] == rows[j].buddy_id;
      if (!known)
        senders[n++] = rows[j].buddy_id;
    }
  return n;
}

/* TRUE when the text at rows[i] lies in a window with enough distinct senders.
 * @rows[first..last) share one digest and are sorted by time. */
static gboolean
in_automated_window (const TextRow *rows, guint first, guint last, guint i)
{
  /* Any window of the rule's length that holds rows[i] starts within the
   * window before it; try each such start. */
  for (guint start = first; start <= i; start++)
    if (rows[i].event.time - rows[start].event.time <= SB_LEDGER_AUTOMATED_WINDOW_S
        && count_senders (rows, start, last, SB_LEDGER_AUTOMATED_WINDOW_S)
             >= SB_LEDGER_AUTOMATED_BUDDIES)
      return TRUE;
  return FALSE;
}

/* What a pass over the stored texts flagged: each sender's flagged times, so
 * each is re-segmented once (one rebuild per flagged row made this quadratic
 * in a big import). */
typedef struct
{
  GHashTable *times; /* SbLedgerBuddy * -> GArray of gint64 */
  guint marked;
} Flagged;

static void
flagged_note (Flagged *flagged, SbLedgerBuddy *sender, gint64 time)
{
  flagged->marked++;
  sender->all.automated++;
  GArray *times = g_hash_table_lookup (flagged->times, sender);
  if (times == NULL)
    {
      times = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (flagged->times, sender, times);
    }
  g_array_append_val (times, time);
}

/* Flags the automated rows among @all[first..last), which share one digest. */
static gboolean
flag_digest (SbLedger *ledger, const TextRow *all, guint first, guint last, Flagged *flagged,
             GError **error)
{
  /* most texts come from one or two buddies in all: nothing to look at */
  if (count_senders (all, first, last, G_MAXINT64) < SB_LEDGER_AUTOMATED_BUDDIES)
    return TRUE;
  for (guint i = first; i < last; i++)
    {
      SbLedgerBuddy *sender = g_hash_table_lookup (ledger->by_id, &all[i].buddy_id);
      gboolean marked = FALSE;
      if (sender == NULL || (all[i].event.flags & SB_EVENT_FLAG_AUTOMATED) != 0
          || !in_automated_window (all, first, last, i))
        continue;
      if (!sb_store_flag_automated (ledger->store, sender->id, all[i].event.time,
                                    all[i].event.digest, &marked, error))
        return FALSE;
      if (marked)
        flagged_note (flagged, sender, all[i].event.time);
    }
  return TRUE;
}

/* Flags every automated row of @rows (sorted by digest, then time). */
static gboolean
flag_rows (SbLedger *ledger, const GArray *rows, Flagged *flagged, GError **error)
{
  const TextRow *all = (const TextRow *) rows->data;
  for (guint first = 0; first < rows->len;)
    {
      guint last = first;
      while (last < rows->len && all[last].event.digest == all[first].event.digest)
        last++;
      if (!flag_digest (ledger, all, first, last, flagged, error))
        return FALSE;
      first = last;
    }
  return TRUE;
}

/* flag_rows() in one transaction on the store's connection, after what the
 * writer holds (it could not write while the transaction is open). */
static gboolean
flag_rows_at_once (SbLedger *ledger, const GArray *rows, Flagged *flagged, GError **error)
{
  if (!sb_store_flush (ledger->store, error) || !sb_store_exec (ledger->store, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!flag_rows (ledger, rows, flagged, error) || !sb_store_exec (ledger->store, "COMMIT", error))
    {
      (void) sb_store_exec (ledger->store, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

static int
compare_times (gconstpointer pa, gconstpointer pb)
{
  gint64 a = *(const gint64 *) pa, b = *(const gint64 *) pb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/* Re-segments each flagged sender once, around its flagged texts: every
 * sender's events are read before anything is queued, so the reads commit
 * nothing in between. */
static gboolean
rebuild_flagged (SbLedger *ledger, const Flagged *flagged, GError **error)
{
  g_autoptr (GArray) plans = g_array_new (FALSE, TRUE, sizeof (SbResegment));
  g_array_set_clear_func (plans, (GDestroyNotify) sb_ledger_resegment_clear);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, flagged->times);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      GArray *times = value;
      g_array_sort (times, compare_times);
      g_array_set_size (plans, plans->len + 1);
      if (!sb_ledger_plan_resegment (ledger, key, (const gint64 *) times->data, times->len,
                                     &g_array_index (plans, SbResegment, plans->len - 1), error))
        return FALSE;
    }
  for (guint i = 0; i < plans->len; i++)
    {
      SbResegment *plan = &g_array_index (plans, SbResegment, i);
      if (!sb_ledger_apply_resegment (ledger, plan, error))
        return FALSE;
      buddy_mark_dirty (plan->buddy);
      notify_changed (ledger, plan->buddy);
    }
  return TRUE;
}

/* The stored received texts whose digest is among the added ones, within the
 * window around the added texts' times: one pass over the store, for the
 * texts that were there before the added ones. */
static gboolean
load_added_digests (SbLedger *ledger, GArray *rows, GError **error)
{
  g_autoptr (GArray) digests = sorted_digests (ledger->added_texts);
  Collect collect = { digests, rows };
  return sb_store_foreach_received_text (ledger->store, SB_LEDGER_AUTOMATED_MIN_SIZE,
                                         ledger->added_first - SB_LEDGER_AUTOMATED_WINDOW_S,
                                         ledger->added_last + SB_LEDGER_AUTOMATED_WINDOW_S,
                                         collect_text_cb, &collect, error);
}

/* The added texts themselves, taken from the ledger, when the store held no
 * other: those of buddies still there (not forgotten since). */
static GArray *
take_added_texts (SbLedger *ledger)
{
  GArray *rows = g_steal_pointer (&ledger->added_texts);
  ledger->added_texts = g_array_new (FALSE, FALSE, sizeof (TextRow));
  guint kept = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      const TextRow *row = &g_array_index (rows, TextRow, i);
      if (g_hash_table_contains (ledger->by_id, &row->buddy_id))
        g_array_index (rows, TextRow, kept++) = *row;
    }
  g_array_set_size (rows, kept);
  return rows;
}

/* Every stored received text whose digest came from enough buddies in all:
 * the check after a session that ended with texts unchecked. */
static gboolean
load_repeated_texts (SbLedger *ledger, GArray *rows, GError **error)
{
  Collect collect = { NULL, rows };
  return sb_store_foreach_repeated_text (ledger->store, SB_LEDGER_AUTOMATED_BUDDIES,
                                         SB_LEDGER_AUTOMATED_MIN_SIZE, collect_text_cb, &collect,
                                         error);
}

/* The texts to check, sorted by digest, then time. */
static GArray *
load_texts_to_check (SbLedger *ledger, GError **error)
{
  g_autoptr (GArray) rows = NULL;
  if (!ledger->check_all && !ledger->texts_before)
    rows = take_added_texts (ledger);
  else
    {
      rows = g_array_new (FALSE, FALSE, sizeof (TextRow));
      if (ledger->check_all ? !load_repeated_texts (ledger, rows, error)
                            : ledger->added_texts->len > 0 && !load_added_digests (ledger, rows, error))
        return NULL;
    }
  sort_rows (rows);
  return g_steal_pointer (&rows);
}

/* The check is done: clears the store's mark. */
static gboolean
clear_unchecked (SbLedger *ledger, GError **error)
{
  if (ledger->texts_unchecked && !sb_store_set_texts_unchecked (ledger->store, FALSE, error))
    return FALSE;
  ledger->texts_unchecked = FALSE;
  ledger->check_all = FALSE;
  g_array_set_size (ledger->added_texts, 0);
  return TRUE;
}

gboolean
sb_ledger_detect_automated (SbLedger *ledger, guint *n_marked, GError **error)
{
  g_return_val_if_fail (ledger != NULL, FALSE);

  if (n_marked != NULL)
    *n_marked = 0;
  /* the texts' buddies with their row ids, as the stored rows name them */
  if (!sb_ledger_flush (ledger, error))
    return FALSE;
  g_autoptr (GArray) rows = load_texts_to_check (ledger, error);
  g_autoptr (GHashTable) times = g_hash_table_new_full (NULL, NULL, NULL,
                                                        (GDestroyNotify) g_array_unref);
  Flagged flagged = { times, 0 };
  if (rows == NULL || !flag_rows_at_once (ledger, rows, &flagged, error)
      || !rebuild_flagged (ledger, &flagged, error) || !clear_unchecked (ledger, error))
    {
      /* the texts in hand may be gone: the next call looks at all */
      ledger->check_all = TRUE;
      return FALSE;
    }
  if (n_marked != NULL)
    *n_marked = flagged.marked;
  return TRUE;
}
