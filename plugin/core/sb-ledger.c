/* sb-ledger.c: the live bookkeeping of who smiles back.
 *
 * Per buddy the ledger keeps in memory (SbLedgerBuddy): the exact all-time
 * counts (loaded from the stored summary, never recomputed), the episodes of
 * the recent past (at least SB_LEDGER_RECENT_S, always the latest one), the
 * events seen since it took over the buddy (the "tail"), and the figures
 * computed from those.  This file opens and loads the ledger, takes events
 * in, serves figures, and tracks or forgets buddies; where an event lands in
 * the episodes is sb-ledger-segment.c's business, whether a text is
 * automated sb-ledger-automated.c's.
 */
#include "sb-ledger-private.h"

G_DEFINE_QUARK (sb-ledger-error-quark, sb_ledger_error)

static void
buddy_free (SbLedgerBuddy *buddy)
{
  sb_buddy_key_free (buddy->key);
  g_array_unref (buddy->recent);
  sb_ledger_tail_free (buddy);
  g_clear_pointer (&buddy->held, g_array_unref);
  g_free (buddy);
}

static SbLedgerBuddy *
buddy_new (const SbBuddyKey *key, gint64 id, gboolean tracked)
{
  SbLedgerBuddy *buddy = g_new0 (SbLedgerBuddy, 1);
  buddy->key = sb_buddy_key_copy (key);
  buddy->id = id;
  buddy->tracked = tracked;
  buddy->recent = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  sb_ledger_tail_init (buddy);
  buddy->stats_dirty = TRUE;
  return buddy;
}

static gint64
recent_horizon (SbLedger *ledger, gint64 now)
{
  return now - MAX (SB_LEDGER_RECENT_S, ledger->params.window_s);
}

/* The buddy's figures, recomputed if needed from the recent past only (and
 * always the latest episode), so they read the same whether the episodes came
 * this session or from the store.  Allocates only when the scratch must grow. */
static const SbStats *
buddy_stats (SbLedger *ledger, SbLedgerBuddy *buddy)
{
  if (!buddy->stats_dirty)
    return &buddy->stats;

  gint64 horizon = recent_horizon (ledger, ledger->now);
  guint first = 0;
  while (first + 1 < buddy->recent->len
         && g_array_index (buddy->recent, SbEpisode, first).start < horizon)
    first++;
  guint n = buddy->recent->len - first;
  if (ledger->scratch->len < 3 * n)
    g_array_set_size (ledger->scratch, 3 * n);
  sb_stats_compute_with_scratch (&g_array_index (buddy->recent, SbEpisode, first), n, &buddy->all,
                                 ledger->now, &ledger->params,
                                 (gint64 *) ledger->scratch->data, &buddy->stats);
  buddy->stats_dirty = FALSE;
  return &buddy->stats;
}

/* Loads the buddy's recent episodes (and the latest, however old) from the store. */
static gboolean
buddy_load_recent (SbLedger *ledger, SbLedgerBuddy *buddy, GError **error)
{
  g_array_set_size (buddy->recent, 0);
  gint64 since = recent_horizon (ledger, ledger->now);
  if (buddy->all.last_episode != 0 && buddy->all.last_episode < since)
    since = buddy->all.last_episode;
  return sb_store_load_episodes (ledger->store, buddy->id, since, buddy->recent, error);
}

typedef struct
{
  SbLedger *ledger;
  GError **error;
  gboolean failed;
} LoadContext;

static void
ledger_add_buddy (SbLedger *ledger, SbLedgerBuddy *buddy)
{
  g_hash_table_insert (ledger->buddies, buddy->key, buddy);
  g_hash_table_insert (ledger->by_id, &buddy->id, buddy);
}

static void
ledger_remove_buddy (SbLedger *ledger, const SbBuddyKey *key)
{
  SbLedgerBuddy *buddy = g_hash_table_lookup (ledger->buddies, key);
  if (buddy == NULL)
    return;
  sb_ledger_release_held (ledger, buddy);
  g_ptr_array_remove_fast (ledger->unresolved, buddy);
  g_hash_table_remove (ledger->by_id, &buddy->id);
  if (buddy->queued_id != 0)
    g_hash_table_remove (ledger->by_id, &buddy->queued_id);
  g_hash_table_remove (ledger->buddies, key);
}

/* The texts and sightings noted under @buddy's provisional id move to its
 * row id. */
static void
rename_texts (SbLedger *ledger, gint64 from, gint64 to)
{
  for (guint i = 0; i < ledger->added_texts->len; i++)
    if (g_array_index (ledger->added_texts, TextRow, i).buddy_id == from)
      g_array_index (ledger->added_texts, TextRow, i).buddy_id = to;
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, ledger->sightings);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    for (guint i = 0; i < ((GArray *) value)->len; i++)
      if (g_array_index ((GArray *) value, Sighting, i).buddy_id == from)
        g_array_index ((GArray *) value, Sighting, i).buddy_id = to;
}

void
sb_ledger_adopt_row_ids (SbLedger *ledger)
{
  for (guint i = ledger->unresolved->len; i > 0; i--)
    {
      SbLedgerBuddy *buddy = g_ptr_array_index (ledger->unresolved, i - 1);
      gint64 row = sb_store_resolve_buddy (ledger->store, buddy->id);
      if (row <= 0)
        continue;
      g_hash_table_remove (ledger->by_id, &buddy->id);
      buddy->queued_id = buddy->id;
      buddy->id = row;
      g_hash_table_insert (ledger->by_id, &buddy->id, buddy);
      g_hash_table_insert (ledger->by_id, &buddy->queued_id, buddy);
      rename_texts (ledger, buddy->queued_id, row);
      g_ptr_array_remove_index_fast (ledger->unresolved, i - 1);
    }
}

static gboolean
load_buddy_cb (gint64 id, const SbBuddyKey *key, const SbCounts *all, gint64 last_event,
               gboolean tracked, gpointer user_data)
{
  LoadContext *ctx = user_data;
  SbLedgerBuddy *buddy = buddy_new (key, id, tracked);
  buddy->all = *all;
  buddy->last_event = last_event;
  buddy->tail_floor = last_event;
  ledger_add_buddy (ctx->ledger, buddy);
  return TRUE;
}

static gboolean
load_all (SbLedger *ledger, GError **error)
{
  LoadContext ctx = { ledger, error, FALSE };
  if (!sb_store_foreach_buddy (ledger->store, load_buddy_cb, &ctx, error))
    return FALSE;

  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, ledger->buddies);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SbLedgerBuddy *buddy = value;
      if (!buddy_load_recent (ledger, buddy, error) || !sb_ledger_load_sightings (ledger, buddy, error))
        return FALSE;
      buddy_mark_dirty (buddy);
    }
  return TRUE;
}

static SbLedger *
ledger_open_once (const char *path, SbStoreMode mode, const SbParams *params, gint64 now,
                  GError **error)
{
  g_autoptr (SbStore) store = sb_store_open_with (path, mode, error);
  if (store == NULL)
    return NULL;

  g_autoptr (SbLedger) ledger = g_new0 (SbLedger, 1);
  ledger->store = g_steal_pointer (&store);
  ledger->path = g_strdup (path);
  ledger->params = *params;
  ledger->now = now;
  ledger->buddies = g_hash_table_new_full (sb_buddy_key_hash, sb_buddy_key_equal, NULL,
                                           (GDestroyNotify) buddy_free);
  ledger->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  ledger->sightings = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                             (GDestroyNotify) g_array_unref);
  ledger->added_texts = g_array_new (FALSE, FALSE, sizeof (TextRow));
  ledger->scratch = g_array_new (FALSE, FALSE, sizeof (gint64));
  ledger->unresolved = g_ptr_array_new ();
  ledger->holding = g_ptr_array_new ();
  if (!sb_store_get_texts_unchecked (ledger->store, &ledger->texts_unchecked, error))
    return NULL;
  ledger->check_all = ledger->texts_unchecked;
  if (!load_all (ledger, error))
    return NULL;
  return g_steal_pointer (&ledger);
}

/* sb_params_validate(), reported as the ledger's own SB_LEDGER_ERROR_INVALID. */
static gboolean
check_params (const SbParams *params, GError **error)
{
  g_autoptr (GError) local = NULL;
  if (sb_params_validate (params, &local))
    return TRUE;
  g_set_error_literal (error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_INVALID, local->message);
  return FALSE;
}

SbLedger *
sb_ledger_open (const char *path, const SbParams *params, gint64 now, GError **error)
{
  return sb_ledger_open_with (path, SB_STORE_OWNER, params, now, error);
}

SbLedger *
sb_ledger_open_with (const char *path, SbStoreMode mode, const SbParams *params, gint64 now,
                     GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (mode != SB_STORE_READ_ONLY, NULL);

  SbParams defaults = SB_PARAMS_DEFAULT;
  if (params == NULL)
    params = &defaults;
  if (!check_params (params, error))
    return NULL;

  g_autoptr (GError) local = NULL;
  SbLedger *ledger = ledger_open_once (path, mode, params, now, &local);
  if (ledger != NULL)
    return ledger;
  if (!g_error_matches (local, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT)
      || g_strcmp0 (path, ":memory:") == 0 || mode != SB_STORE_OWNER)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }

  /* Damage the open-time check did not reach showed while loading: keep the
   * file for a person to look at, start a new history. */
  g_autofree char *moved = sb_store_move_aside (path, error);
  if (moved == NULL)
    return NULL;
  ledger = ledger_open_once (path, mode, params, now, error);
  if (ledger != NULL)
    ledger->moved_aside = g_steal_pointer (&moved);
  return ledger;
}

gboolean
sb_ledger_start_over (SbLedger *ledger, GError **error)
{
  g_return_val_if_fail (ledger != NULL, FALSE);

  g_clear_pointer (&ledger->moved_aside, g_free);
  if (!sb_store_start_over (ledger->store, error))
    return FALSE;
  /* Every buddy's figures go: tell the owner of each, once they are gone. */
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_buddy_key_free);
  GHashTableIter iter;
  gpointer key;
  g_hash_table_iter_init (&iter, ledger->buddies);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, sb_buddy_key_copy (key));
  g_hash_table_remove_all (ledger->by_id);
  g_hash_table_remove_all (ledger->buddies);
  g_hash_table_remove_all (ledger->sightings);
  g_array_set_size (ledger->added_texts, 0);
  ledger->texts_unchecked = ledger->texts_before = ledger->check_all = FALSE;
  for (guint i = 0; i < keys->len && ledger->changed_func != NULL; i++)
    ledger->changed_func (ledger, g_ptr_array_index (keys, i), ledger->changed_data);
  return TRUE;
}

const char *
sb_ledger_get_moved_aside (SbLedger *ledger)
{
  g_return_val_if_fail (ledger != NULL, NULL);

  return ledger->moved_aside != NULL ? ledger->moved_aside
                                     : sb_store_get_moved_aside (ledger->store);
}

void
sb_ledger_free (SbLedger *ledger)
{
  if (ledger == NULL)
    return;
  g_clear_pointer (&ledger->sightings, g_hash_table_unref);
  g_clear_pointer (&ledger->added_texts, g_array_unref);
  g_clear_pointer (&ledger->unresolved, g_ptr_array_unref);
  g_clear_pointer (&ledger->holding, g_ptr_array_unref);
  g_clear_pointer (&ledger->by_id, g_hash_table_unref);
  g_clear_pointer (&ledger->buddies, g_hash_table_unref);
  g_clear_pointer (&ledger->scratch, g_array_unref);
  g_clear_pointer (&ledger->store, sb_store_free);
  g_free (ledger->path);
  g_free (ledger->moved_aside);
  g_free (ledger);
}

SbStore *
sb_ledger_get_store (SbLedger *ledger)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  return ledger->store;
}

const SbParams *
sb_ledger_get_params (SbLedger *ledger)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  return &ledger->params;
}

const guint8 *
sb_ledger_get_secret (SbLedger *ledger, gsize *len)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  return sb_store_get_secret (ledger->store, len);
}

void
sb_ledger_set_changed_func (SbLedger *ledger, SbLedgerChangedFunc func, gpointer user_data)
{
  g_return_if_fail (ledger != NULL);
  ledger->changed_func = func;
  ledger->changed_data = user_data;
}

static SbLedgerBuddy *
find_buddy (SbLedger *ledger, const SbBuddyKey *key)
{
  return g_hash_table_lookup (ledger->buddies, key);
}

/* The buddy for @key, added to memory on first sight, and to the store
 * through its queue: always when @queued (live capture, which never waits on
 * the store), else only when the store does not hold it yet (a bulk add, which
 * may find a row another process added since the ledger was loaded). */
static SbLedgerBuddy *
ensure_buddy (SbLedger *ledger, const SbBuddyKey *key, gboolean queued, GError **error)
{
  SbLedgerBuddy *buddy = find_buddy (ledger, key);
  if (buddy != NULL)
    return buddy;

  gint64 id = queued ? sb_store_queue_buddy (ledger->store, key)
                     : sb_store_buddy_id (ledger->store, key, error);
  if (id == 0)
    return NULL;
  buddy = buddy_new (key, id, TRUE);
  ledger_add_buddy (ledger, buddy);
  if (id < 0)
    g_ptr_array_add (ledger->unresolved, buddy);
  return buddy;
}

/* The buddy that events for @key go to, created on first sight (through
 * the queue when @queued); NULL with SB_LEDGER_ERROR_UNTRACKED for a buddy
 * the user said not to track.  Moves the ledger's clock to @now. */
static SbLedgerBuddy *
tracked_buddy (SbLedger *ledger, const SbBuddyKey *key, gboolean queued, gint64 now,
               GError **error)
{
  SbLedgerBuddy *buddy = ensure_buddy (ledger, key, queued, error);
  if (buddy == NULL)
    return NULL;
  if (!buddy->tracked)
    {
      g_set_error (error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_UNTRACKED, "%s is not tracked",
                   key->buddy);
      return NULL;
    }
  ledger->now = MAX (ledger->now, now);
  return buddy;
}

/* An event older than the tail, for a ledger that may wait on the store:
 * the store says whether it is new (*@added), then the buddy is re-segmented
 * from it. */
static gboolean
add_older (SbLedger *ledger, SbLedgerBuddy *buddy, const SbEvent *event, gboolean *added,
           GError **error)
{
  guint n_new = 0;
  gint64 earliest = 0;
  if (!sb_store_insert_events (ledger->store, buddy->id, event, 1, &n_new, &earliest, NULL,
                               error))
    return FALSE;
  *added = n_new > 0;
  if (n_new == 0)
    return TRUE;
  buddy->all.automated += sb_ledger_is_automated (event) ? 1 : 0;
  return sb_ledger_rebuild_from (ledger, buddy, event->time, error);
}

/* A new event within the tail's reach: queued, and placed in memory, or held
 * for the store when the tail does not reach back to its episode (placed at
 * once unless the ledger is nonblocking). */
static gboolean
add_to_tail (SbLedger *ledger, SbLedgerBuddy *buddy, const SbEvent *event, GError **error)
{
  buddy->all.automated += sb_ledger_is_automated (event) ? 1 : 0;
  gboolean in_order = event->time >= buddy->last_event;
  sb_ledger_tail_insert (buddy, event);
  sb_store_queue_event (ledger->store, buddy->id, event);
  buddy->last_event = MAX (buddy->last_event, event->time);

  if (in_order || !sb_event_is_counted (event))
    {
      sb_ledger_append_in_order (ledger, buddy, event, 1);
      return TRUE;
    }
  gboolean done = FALSE;
  if (!sb_ledger_resegment_in_memory (ledger, buddy, event->time, error, &done))
    return FALSE;
  if (done)
    return TRUE;
  sb_ledger_hold (ledger, buddy, NULL, event->time);
  return ledger->nonblocking || sb_ledger_flush (ledger, error);
}

void
sb_ledger_set_nonblocking (SbLedger *ledger, gboolean nonblocking)
{
  g_return_if_fail (ledger != NULL);
  ledger->nonblocking = nonblocking;
  sb_store_set_nonblocking (ledger->store, nonblocking);
}

static gboolean
check_event (const SbBuddyKey *key, const SbEvent *event, GError **error)
{
  if (key == NULL || key->protocol == NULL || key->account == NULL || key->buddy == NULL)
    {
      g_set_error (error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_INVALID, "an event without a buddy");
      return FALSE;
    }
  if (event->time <= 0 || (event->direction != SB_DIRECTION_OUT
                           && event->direction != SB_DIRECTION_IN)
      || (guint) event->kind >= SB_EVENT_KIND_LAST)
    {
      g_set_error (error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_INVALID,
                   "invalid event (time %" G_GINT64_FORMAT ", direction %d, kind %d)", event->time,
                   event->direction, event->kind);
      return FALSE;
    }
  return TRUE;
}

gboolean
sb_ledger_add_event (SbLedger *ledger, const SbBuddyKey *key, const SbEvent *event, gint64 now,
                     gboolean *is_new, GError **error)
{
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  if (is_new != NULL)
    *is_new = FALSE;
  if (!check_event (key, event, error))
    return FALSE;

  if (sb_store_queue_full (ledger->store) || ledger->n_held >= SB_STORE_QUEUE_MAX)
    {
      g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FULL,
                   "%u writes wait already (the file is locked or the disk full)",
                   SB_STORE_QUEUE_MAX);
      return FALSE;
    }
  SbLedgerBuddy *buddy = tracked_buddy (ledger, key, ledger->nonblocking, now, error);
  if (buddy == NULL)
    return FALSE;

  SbEvent copy = *event;
  event = &copy;
  if (!sb_ledger_detect_live (ledger, buddy, &copy, error))
    return FALSE;

  if (!ledger->nonblocking && event->time <= buddy->tail_floor)
    {
      /* Older than what memory holds completely: let the store decide whether
       * it is new, then re-segment from it. */
      gboolean added = FALSE;
      if (!add_older (ledger, buddy, event, &added, error))
        return FALSE;
      if (!added)
        return TRUE;
    }
  else if (buddy->held != NULL || event->time <= buddy->tail_floor)
    {
      /* Older than what memory holds completely, or behind held ones: the
       * store decides whether it is new once it has what was queued. */
      if ((event->time > buddy->tail_floor && sb_ledger_tail_contains (buddy, event))
          || sb_ledger_holds (buddy, event))
        return TRUE;
      sb_ledger_hold (ledger, buddy, event, event->time);
      if (is_new != NULL)
        *is_new = TRUE;
      return TRUE;
    }
  else
    {
      if (sb_ledger_tail_contains (buddy, event))
        return TRUE;
      if (!add_to_tail (ledger, buddy, event, error))
        return FALSE;
    }

  static const gboolean recorded = TRUE;
  sb_ledger_note_added_texts (ledger, buddy->id, event, &recorded, 1);
  if (is_new != NULL)
    *is_new = TRUE;
  buddy_mark_dirty (buddy);
  notify_changed (ledger, buddy);
  return TRUE;
}

int
sb_ledger_compare_events (const void *pa, const void *pb)
{
  const SbEvent *a = pa, *b = pb;
  if (a->time != b->time)
    return a->time < b->time ? -1 : 1;
  if (a->direction != b->direction)
    return a->direction < b->direction ? -1 : 1;
  if (a->kind != b->kind)
    return a->kind < b->kind ? -1 : 1;
  if (a->digest != b->digest) /* stored as a signed 64-bit integer */
    return (gint64) a->digest < (gint64) b->digest ? -1 : 1;
  return 0;
}

/* The time after which nothing of @buddy is recorded: its latest event in
 * memory, or in the store's rows when those go further (figures a crash
 * left behind the rows), read once per session. */
static gboolean
recorded_until (SbLedger *ledger, SbLedgerBuddy *buddy, gint64 *until, GError **error)
{
  if (!buddy->rows_read)
    {
      if (!sb_store_last_event_time (ledger->store, buddy->id, &buddy->stored_last, error))
        return FALSE;
      /* a provisional id has no rows yet: read again once it is written */
      buddy->rows_read = buddy->id > 0;
    }
  *until = MAX (buddy->last_event, buddy->stored_last);
  return TRUE;
}

/* @events (n > 0) by time, each message once. */
static GArray *
sorted_once (const SbEvent *events, guint n)
{
  GArray *sorted = g_array_sized_new (FALSE, FALSE, sizeof (SbEvent), n);
  g_array_append_vals (sorted, events, n);
  g_array_sort (sorted, sb_ledger_compare_events); /* stable: the first of equals stays first */
  guint kept = 1;
  for (guint i = 1; i < sorted->len; i++)
    if (sb_ledger_compare_events (&g_array_index (sorted, SbEvent, i),
                                  &g_array_index (sorted, SbEvent, kept - 1))
        != 0)
      g_array_index (sorted, SbEvent, kept++) = g_array_index (sorted, SbEvent, i);
  g_array_set_size (sorted, kept);
  return sorted;
}

/* Records @events of @buddy and returns the new ones, by time.  When they all
 * come after everything recorded (an import reading a buddy's files in
 * order) only repeats among them can be known already: the rest is queued,
 * and the caller never waits on the store.  Otherwise they are inserted at
 * once and the store says which were new. */
static GArray *
record_events (SbLedger *ledger, SbLedgerBuddy *buddy, const SbEvent *events, guint n,
               GError **error)
{
  gint64 until = 0;
  if (!recorded_until (ledger, buddy, &until, error))
    return NULL;
  g_autoptr (GArray) fresh = sorted_once (events, n);
  if (buddy->held == NULL && g_array_index (fresh, SbEvent, 0).time > until)
    {
      for (guint i = 0; i < fresh->len; i++)
        sb_store_queue_event (ledger->store, buddy->id, &g_array_index (fresh, SbEvent, i));
      return g_steal_pointer (&fresh);
    }

  guint added = 0;
  gint64 earliest = 0;
  g_autofree gboolean *inserted = g_new (gboolean, n);
  if (!sb_store_insert_events (ledger->store, buddy->id, events, n, &added, &earliest, inserted,
                               error))
    return NULL;
  g_array_set_size (fresh, 0);
  for (guint i = 0; i < n; i++)
    if (inserted[i])
      g_array_append_val (fresh, events[i]);
  g_array_sort (fresh, sb_ledger_compare_events);
  return g_steal_pointer (&fresh);
}

gboolean
sb_ledger_add_events (SbLedger *ledger, const SbBuddyKey *key, const SbEvent *events,
                      guint n_events, gint64 now, guint *n_new, GError **error)
{
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (events != NULL || n_events == 0, FALSE);

  if (n_new != NULL)
    *n_new = 0;
  for (guint i = 0; i < n_events; i++)
    if (!check_event (key, &events[i], error))
      return FALSE;
  if (n_events == 0)
    return TRUE;

  sb_ledger_adopt_row_ids (ledger);
  SbLedgerBuddy *buddy = tracked_buddy (ledger, key, FALSE, now, error);
  if (buddy == NULL)
    return FALSE;

  if (!sb_ledger_mark_unchecked (ledger, events, n_events, error))
    return FALSE;
  g_autoptr (GArray) fresh = record_events (ledger, buddy, events, n_events, error);
  if (fresh == NULL)
    return FALSE;
  if (n_new != NULL)
    *n_new = fresh->len;
  /* rows after the latest event the figures count: written before a crash
   * that lost their figures, counted now */
  gboolean behind = buddy->stored_last > buddy->last_event;
  if (fresh->len == 0 && !behind)
    return TRUE;
  const SbEvent *added = (const SbEvent *) fresh->data;
  for (guint i = 0; i < fresh->len; i++)
    buddy->all.automated += sb_ledger_is_automated (&added[i]) ? 1 : 0;
  sb_ledger_note_added_texts (ledger, buddy->id, added, NULL, fresh->len);

  gint64 first = fresh->len > 0 ? added[0].time : G_MAXINT64;
  if (!behind && first > buddy->last_event)
    {
      /* Everything new comes after everything recorded: extend the episodes
       * in memory, as live capture does, instead of reading the events back. */
      sb_ledger_append_in_order (ledger, buddy, added, fresh->len);
      /* the tail no longer covers everything after its floor */
      sb_ledger_tail_clear (buddy, buddy->last_event);
    }
  else if (!sb_ledger_rebuild_from (ledger, buddy, behind ? MIN (first, buddy->last_event) : first,
                                    error))
    return FALSE;
  buddy_mark_dirty (buddy);
  notify_changed (ledger, buddy);
  return TRUE;
}

gboolean
sb_ledger_add_chat_event (SbLedger *ledger, const SbChatEvent *event, GError **error)
{
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  if (event->protocol == NULL || event->account == NULL || event->room == NULL
      || event->time <= 0 || (event->kind != SB_CHAT_JOINED && event->member == NULL))
    {
      g_set_error (error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_INVALID, "invalid group chat event");
      return FALSE;
    }
  return sb_store_add_chat_event (ledger->store, event, error);
}

const SbStats *
sb_ledger_get_stats (SbLedger *ledger, const SbBuddyKey *key)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  SbLedgerBuddy *buddy = find_buddy (ledger, key);
  if (buddy == NULL || buddy->all.episodes == 0)
    return NULL;
  return buddy_stats (ledger, buddy);
}

void
sb_ledger_refresh (SbLedger *ledger, gint64 now)
{
  g_return_if_fail (ledger != NULL);

  ledger->now = now;
  sb_ledger_prune_sightings (ledger, now);
  gint64 horizon = recent_horizon (ledger, now);

  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, ledger->buddies);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SbLedgerBuddy *buddy = value;
      /* Drop what has aged out of the recent past, but keep the latest. */
      guint drop = 0;
      while (drop + 1 < buddy->recent->len
             && g_array_index (buddy->recent, SbEpisode, drop).start < horizon)
        drop++;
      if (drop > 0)
        g_array_remove_range (buddy->recent, 0, drop);
      buddy_mark_dirty (buddy);
    }
}

void
sb_ledger_foreach (SbLedger *ledger, SbLedgerFunc func, gpointer user_data)
{
  g_return_if_fail (ledger != NULL);
  g_return_if_fail (func != NULL);

  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, ledger->buddies);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SbLedgerBuddy *buddy = value;
      if (buddy->all.episodes > 0)
        func (buddy->key, buddy_stats (ledger, buddy), user_data);
    }
}

gboolean
sb_ledger_set_params (SbLedger *ledger, const SbParams *params, gint64 now, GError **error)
{
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if (!check_params (params, error))
    return FALSE;
  SbParams before = ledger->params;
  ledger->params = *params;
  ledger->now = MAX (ledger->now, now);

  if (before.gap_s == params->gap_s && before.answer_s == params->answer_s)
    {
      sb_ledger_refresh (ledger, ledger->now);
      return TRUE;
    }

  /* G and R change where conversations begin: re-segment everything. */
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, ledger->buddies);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SbLedgerBuddy *buddy = value;
      if (!sb_ledger_rebuild_from (ledger, buddy, G_MININT64, error) || !buddy_load_recent (ledger, buddy, error))
        {
          ledger->params = before;
          return FALSE;
        }
      buddy_mark_dirty (buddy);
    }
  return sb_ledger_flush (ledger, error);
}

gboolean
sb_ledger_set_tracked (SbLedger *ledger, const SbBuddyKey *key, gboolean tracked, GError **error)
{
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  SbLedgerBuddy *buddy = ensure_buddy (ledger, key, ledger->nonblocking, error);
  if (buddy == NULL)
    return FALSE;
  if (!sb_store_set_tracked (ledger->store, buddy->id, tracked, error))
    return FALSE;
  buddy->tracked = tracked;
  return TRUE;
}

gboolean
sb_ledger_is_tracked (SbLedger *ledger, const SbBuddyKey *key)
{
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  SbLedgerBuddy *buddy = find_buddy (ledger, key);
  return buddy == NULL || buddy->tracked;
}

gboolean
sb_ledger_forget_buddy (SbLedger *ledger, const SbBuddyKey *key, GError **error)
{
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  SbLedgerBuddy *buddy = find_buddy (ledger, key);
  g_autoptr (GError) local = NULL;
  gint64 id = buddy != NULL ? buddy->id : sb_store_lookup_buddy (ledger->store, key, FALSE, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (id == 0)
    return TRUE; /* nothing recorded: nothing to forget */
  if (!sb_store_forget_buddy (ledger->store, id, error))
    return FALSE;

  g_autoptr (SbBuddyKey) copy = sb_buddy_key_copy (key);
  ledger_remove_buddy (ledger, key);
  if (ledger->changed_func != NULL)
    ledger->changed_func (ledger, copy, ledger->changed_data);
  return TRUE;
}

gboolean
sb_ledger_flush (SbLedger *ledger, GError **error)
{
  g_return_val_if_fail (ledger != NULL, FALSE);
  if (!sb_store_flush (ledger->store, error))
    return FALSE;
  sb_ledger_adopt_row_ids (ledger);
  if (ledger->holding->len == 0)
    return TRUE;
  return sb_ledger_place_held (ledger, error) && sb_store_flush (ledger->store, error);
}

gboolean
sb_ledger_flush_in_background (SbLedger *ledger, GError **error)
{
  g_return_val_if_fail (ledger != NULL, FALSE);
  sb_ledger_adopt_row_ids (ledger);
  g_autoptr (GError) local = NULL;
  gboolean placed = sb_ledger_place_held (ledger, &local);
  if (!sb_store_flush_in_background (ledger->store, error))
    return FALSE;
  if (!placed) /* held still, placed at a later call */
    g_propagate_error (error, g_steal_pointer (&local));
  return placed;
}

guint
sb_ledger_pending (SbLedger *ledger)
{
  g_return_val_if_fail (ledger != NULL, 0);
  return sb_store_pending (ledger->store) + ledger->n_held;
}
