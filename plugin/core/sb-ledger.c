/* sb-ledger.c: the live bookkeeping of who smiles back.
 *
 * Per buddy the ledger keeps in memory (SbLedgerBuddy): the exact all-time
 * counts (loaded from the stored summary, never recomputed), the episodes of
 * the recent past (at least SB_LEDGER_RECENT_S, always the latest one), the
 * events seen since it took over the buddy (the "tail"), and the figures
 * computed from those.
 *
 * An event newer than every event held takes the fast path: it extends or
 * starts the latest episode, in memory, and queues three writes.  An event that
 * is older (a server clock behind, an import) re-segments from the episode it
 * falls into: in memory when the tail covers that episode, otherwise from the
 * store (rebuild_from()).  Both paths end in the same bookkeeping, so counts
 * stay exact whichever way an event came.
 */
#include "smileback/sb-ledger.h"

G_DEFINE_QUARK (sb-ledger-error-quark, sb_ledger_error)

/* The tail is bounded so a chatty buddy costs constant memory; an event older
 * than the tail simply takes the slower store path. */
#define TAIL_MAX 512

typedef struct
{
  SbBuddyKey *key; /* owned; also the hash table's key */
  gint64 id;       /* buddies.id */
  gboolean tracked;
  SbCounts all;       /* exact all-time counts */
  gint64 last_event;  /* latest event of any kind, 0 when none */
  GArray *recent;     /* SbEpisode by start: the recent past and always the latest */
  GArray *tail;       /* SbEvent by time: every event of this buddy newer than tail_floor */
  gint64 tail_floor;  /* events at or before this time are only in the store */
  SbStats stats;      /* valid unless stats_dirty */
  gboolean stats_dirty;
} SbLedgerBuddy;

/* A received text seen recently, for automated-message detection. */
typedef struct
{
  gint64 buddy_id;
  gint64 time;
  gboolean flagged;
} Sighting;

struct _SbLedger
{
  SbStore *store;
  SbParams params;
  GHashTable *buddies; /* SbBuddyKey * -> SbLedgerBuddy * */
  GHashTable *by_id;   /* buddies.id (gint64 *) -> SbLedgerBuddy *, borrowed */
  GHashTable *sightings; /* digest (guint64 *) -> GArray of Sighting, the last window only */
  gint64 now;          /* the last "now" seen, for recomputing figures */
  GArray *scratch;     /* gint64 room for sb_stats_compute_with_scratch() */
  char *moved_aside;   /* where a file damaged beyond the open-time check went */
  SbLedgerChangedFunc changed_func;
  gpointer changed_data;
};

static void
buddy_free (SbLedgerBuddy *buddy)
{
  sb_buddy_key_free (buddy->key);
  g_array_unref (buddy->recent);
  g_array_unref (buddy->tail);
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
  buddy->tail = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  buddy->stats_dirty = TRUE;
  return buddy;
}

static gint64
recent_horizon (SbLedger *ledger, gint64 now)
{
  return now - MAX (SB_LEDGER_RECENT_S, ledger->params.window_s);
}

/* Marks the buddy's figures for recomputation on the next read: a burst of
 * messages costs one computation, and only if someone looks. */
static void
buddy_mark_dirty (SbLedgerBuddy *buddy)
{
  buddy->stats_dirty = TRUE;
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

static void
notify_changed (SbLedger *ledger, SbLedgerBuddy *buddy)
{
  if (ledger->changed_func != NULL)
    ledger->changed_func (ledger, buddy->key, ledger->changed_data);
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
static gboolean
is_automated (const SbEvent *event)
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
static gboolean
buddy_load_sightings (SbLedger *ledger, SbLedgerBuddy *buddy, GError **error)
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
  g_hash_table_remove (ledger->by_id, &buddy->id);
  g_hash_table_remove (ledger->buddies, key);
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
      if (!buddy_load_recent (ledger, buddy, error) || !buddy_load_sightings (ledger, buddy, error))
        return FALSE;
      buddy_mark_dirty (buddy);
    }
  return TRUE;
}

static SbLedger *
ledger_open_once (const char *path, const SbParams *params, gint64 now, GError **error)
{
  g_autoptr (SbStore) store = sb_store_open (path, error);
  if (store == NULL)
    return NULL;

  g_autoptr (SbLedger) ledger = g_new0 (SbLedger, 1);
  ledger->store = g_steal_pointer (&store);
  ledger->params = *params;
  ledger->now = now;
  ledger->buddies = g_hash_table_new_full (sb_buddy_key_hash, sb_buddy_key_equal, NULL,
                                           (GDestroyNotify) buddy_free);
  ledger->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  ledger->sightings = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                             (GDestroyNotify) g_array_unref);
  ledger->scratch = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!load_all (ledger, error))
    return NULL;
  return g_steal_pointer (&ledger);
}

SbLedger *
sb_ledger_open (const char *path, const SbParams *params, gint64 now, GError **error)
{
  SbParams defaults = SB_PARAMS_DEFAULT;
  if (params == NULL)
    params = &defaults;
  if (!sb_params_validate (params, error))
    return NULL;

  g_autoptr (GError) local = NULL;
  SbLedger *ledger = ledger_open_once (path, params, now, &local);
  if (ledger != NULL)
    return ledger;
  if (!g_error_matches (local, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT)
      || g_strcmp0 (path, ":memory:") == 0)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }

  /* Damage the open-time check did not reach showed while loading: keep the
   * file for a person to look at, start a new history. */
  g_autofree char *moved = sb_store_move_aside (path, error);
  if (moved == NULL)
    return NULL;
  ledger = ledger_open_once (path, params, now, error);
  if (ledger != NULL)
    ledger->moved_aside = g_steal_pointer (&moved);
  return ledger;
}

const char *
sb_ledger_get_moved_aside (SbLedger *ledger)
{
  return ledger->moved_aside != NULL ? ledger->moved_aside
                                     : sb_store_get_moved_aside (ledger->store);
}

void
sb_ledger_free (SbLedger *ledger)
{
  if (ledger == NULL)
    return;
  g_clear_pointer (&ledger->sightings, g_hash_table_unref);
  g_clear_pointer (&ledger->by_id, g_hash_table_unref);
  g_clear_pointer (&ledger->buddies, g_hash_table_unref);
  g_clear_pointer (&ledger->scratch, g_array_unref);
  g_clear_pointer (&ledger->store, sb_store_free);
  g_free (ledger->moved_aside);
  g_free (ledger);
}

SbStore *
sb_ledger_get_store (SbLedger *ledger)
{
  return ledger->store;
}

const SbParams *
sb_ledger_get_params (SbLedger *ledger)
{
  return &ledger->params;
}

const guint8 *
sb_ledger_get_secret (SbLedger *ledger, gsize *len)
{
  return sb_store_get_secret (ledger->store, len);
}

void
sb_ledger_set_changed_func (SbLedger *ledger, SbLedgerChangedFunc func, gpointer user_data)
{
  ledger->changed_func = func;
  ledger->changed_data = user_data;
}

static SbLedgerBuddy *
find_buddy (SbLedger *ledger, const SbBuddyKey *key)
{
  return g_hash_table_lookup (ledger->buddies, key);
}

/* The buddy for @key, added to the store and memory on first sight. */
static SbLedgerBuddy *
ensure_buddy (SbLedger *ledger, const SbBuddyKey *key, GError **error)
{
  SbLedgerBuddy *buddy = find_buddy (ledger, key);
  if (buddy != NULL)
    return buddy;

  gint64 id = sb_store_lookup_buddy (ledger->store, key, TRUE, error);
  if (id == 0)
    return NULL;
  buddy = buddy_new (key, id, TRUE);
  ledger_add_buddy (ledger, buddy);
  return buddy;
}

/* The buddy that events for @key go to, created on first sight; NULL with
 * SB_LEDGER_ERROR_UNTRACKED for a buddy the user said not to track.  Moves
 * the ledger's clock to @now. */
static SbLedgerBuddy *
tracked_buddy (SbLedger *ledger, const SbBuddyKey *key, gint64 now, GError **error)
{
  SbLedgerBuddy *buddy = ensure_buddy (ledger, key, error);
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

static gboolean
same_event (const SbEvent *a, const SbEvent *b)
{
  return a->time == b->time && a->direction == b->direction && a->kind == b->kind
         && a->digest == b->digest;
}

static gboolean
tail_contains (SbLedgerBuddy *buddy, const SbEvent *event)
{
  for (guint i = buddy->tail->len; i > 0; i--)
    {
      const SbEvent *held = &g_array_index (buddy->tail, SbEvent, i - 1);
      if (held->time < event->time)
        return FALSE;
      if (same_event (held, event))
        return TRUE;
    }
  return FALSE;
}

/* Keeps the tail bounded: past TAIL_MAX events the oldest are dropped down to
 * half (so the cost per event stays constant) and the floor rises so the tail
 * stays complete above it.  The floor is exclusive: events of the floor's own
 * second go too. */
static void
tail_trim (SbLedgerBuddy *buddy)
{
  if (buddy->tail->len <= TAIL_MAX)
    return;
  guint drop = buddy->tail->len - TAIL_MAX / 2;
  gint64 new_floor = g_array_index (buddy->tail, SbEvent, drop - 1).time;
  while (drop < buddy->tail->len && g_array_index (buddy->tail, SbEvent, drop).time == new_floor)
    drop++;
  g_array_remove_range (buddy->tail, 0, drop);
  buddy->tail_floor = new_floor;
}

/* Inserts @event into the time-ordered tail. */
static void
tail_insert (SbLedgerBuddy *buddy, const SbEvent *event)
{
  guint pos = buddy->tail->len;
  while (pos > 0 && g_array_index (buddy->tail, SbEvent, pos - 1).time > event->time)
    pos--;
  g_array_insert_val (buddy->tail, pos, *event);
  tail_trim (buddy);
}

/* The start of the buddy's latest episode before @from (started by @initiator
 * when >= 0), from memory when it holds one, else from the store; 0 when none. */
static gboolean
episode_start_before (SbLedger *ledger, SbLedgerBuddy *buddy, gint64 from, int initiator,
                      gint64 *start, GError **error)
{
  *start = 0;
  if (from == G_MININT64)
    return TRUE;
  for (guint i = buddy->recent->len; i > 0; i--)
    {
      const SbEpisode *episode = &g_array_index (buddy->recent, SbEpisode, i - 1);
      if (episode->start < from && (initiator < 0 || episode->initiator == (SbDirection) initiator))
        {
          *start = episode->start;
          return TRUE;
        }
    }
  return sb_store_last_episode_start (ledger->store, buddy->id, from - 1, initiator, start, error);
}

/* Replaces the buddy's episodes that start at or after @from with @fresh (the
 * re-segmentation of every event since @from), keeping counts, memory and the
 * store's queue in step.  @old holds the episodes being replaced. */
static gboolean
replace_episodes (SbLedger *ledger, SbLedgerBuddy *buddy, gint64 from, const GArray *old,
                  const GArray *fresh, GError **error)
{
  SbCounts counts = buddy->all;
  for (guint i = 0; i < old->len; i++)
    sb_counts_add_episode (&counts, &g_array_index (old, SbEpisode, i), -1);

  /* Subtracting cannot restore the "last" fields: take them from the fresh
   * episodes, or from what lies before @from. */
  gint64 last_before = counts.last_episode < from ? counts.last_episode : -1;
  gint64 last_you_before = counts.last_you_started < from ? counts.last_you_started : -1;
  counts.last_episode = 0;
  counts.last_you_started = 0;
  for (guint i = 0; i < fresh->len; i++)
    sb_counts_add_episode (&counts, &g_array_index (fresh, SbEpisode, i), +1);

  if (counts.last_episode == 0)
    {
      if (last_before < 0
          && !episode_start_before (ledger, buddy, from, -1, &last_before, error))
        return FALSE;
      counts.last_episode = last_before;
    }
  if (counts.last_you_started == 0)
    {
      if (last_you_before < 0
          && !episode_start_before (ledger, buddy, from, SB_DIRECTION_OUT, &last_you_before, error))
        return FALSE;
      counts.last_you_started = last_you_before;
    }
  buddy->all = counts;

  sb_store_queue_delete_episodes (ledger->store, buddy->id, from);
  for (guint i = 0; i < fresh->len; i++)
    sb_store_queue_episode (ledger->store, buddy->id, &g_array_index (fresh, SbEpisode, i));
  sb_store_queue_summary (ledger->store, buddy->id, &buddy->all, buddy->last_event);

  guint keep = 0;
  while (keep < buddy->recent->len && g_array_index (buddy->recent, SbEpisode, keep).start < from)
    keep++;
  g_array_set_size (buddy->recent, keep);
  g_array_append_vals (buddy->recent, fresh->data, fresh->len);
  return TRUE;
}

/* The start of the latest held episode that started at or before @time, or
 * G_MININT64 when none is held. */
static gint64
recent_start_before (SbLedgerBuddy *buddy, gint64 time)
{
  for (guint i = buddy->recent->len; i > 0; i--)
    {
      const SbEpisode *episode = &g_array_index (buddy->recent, SbEpisode, i - 1);
      if (episode->start <= time)
        return episode->start;
    }
  return G_MININT64;
}

/* Re-segments from the episode @time falls into, using the store: the path for
 * imports and for events older than the tail.  The events are already stored. */
static gboolean
rebuild_from (SbLedger *ledger, SbLedgerBuddy *buddy, gint64 time, GError **error)
{
  gint64 from = 0;
  if (!sb_store_last_episode_start (ledger->store, buddy->id, time, -1, &from, error))
    return FALSE;
  if (from == 0)
    from = G_MININT64; /* before the first episode: replay everything */

  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  g_autoptr (GArray) old = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  g_autoptr (GArray) fresh = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  if (!sb_store_load_events (ledger->store, buddy->id, from, events, error)
      || !sb_store_load_episodes (ledger->store, buddy->id, from, old, error))
    return FALSE;

  sb_episodes_segment ((const SbEvent *) events->data, events->len, &ledger->params, fresh);
  if (events->len > 0)
    buddy->last_event = MAX (buddy->last_event, g_array_index (events, SbEvent, events->len - 1).time);

  if (!replace_episodes (ledger, buddy, from, old, fresh, error))
    return FALSE;

  /* @events is every event since @from: it becomes the tail, so the next
   * messages of an offline burst or an import re-segment in memory. */
  g_array_set_size (buddy->tail, 0);
  g_array_append_vals (buddy->tail, events->data, events->len);
  buddy->tail_floor = from == G_MININT64 ? G_MININT64 : from - 1;
  tail_trim (buddy);
  return TRUE;
}

/* Re-segments in memory from the episode @event falls into; FALSE when the
 * tail does not reach back to that episode's start (use rebuild_from()). */
static gboolean
resegment_in_memory (SbLedger *ledger, SbLedgerBuddy *buddy, gint64 time, GError **error,
                     gboolean *done)
{
  *done = FALSE;
  gint64 from = recent_start_before (buddy, time);
  if (from == G_MININT64 || from <= buddy->tail_floor)
    return TRUE;

  guint first = 0;
  while (first < buddy->tail->len && g_array_index (buddy->tail, SbEvent, first).time < from)
    first++;

  g_autoptr (GArray) old = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  for (guint i = 0; i < buddy->recent->len; i++)
    if (g_array_index (buddy->recent, SbEpisode, i).start >= from)
      g_array_append_val (old, g_array_index (buddy->recent, SbEpisode, i));

  g_autoptr (GArray) fresh = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  sb_episodes_segment (&g_array_index (buddy->tail, SbEvent, first), buddy->tail->len - first,
                       &ledger->params, fresh);
  if (!replace_episodes (ledger, buddy, from, old, fresh, error))
    return FALSE;
  *done = TRUE;
  return TRUE;
}

/* Extends or starts the buddy's latest episode with @event, a counted
 * message newer than everything the buddy has, in memory only; returns the
 * index in buddy->recent of the episode it went to. */
static guint
extend_latest (SbLedger *ledger, SbLedgerBuddy *buddy, const SbEvent *event)
{
  SbEpisode *latest = buddy->recent->len > 0
                          ? &g_array_index (buddy->recent, SbEpisode, buddy->recent->len - 1)
                          : NULL;
  if (latest != NULL && sb_episode_continues (latest, event->time, event->direction, &ledger->params))
    {
      sb_counts_add_episode (&buddy->all, latest, -1);
      sb_episode_extend (latest, event);
    }
  else
    {
      SbEpisode fresh;
      sb_episode_begin (&fresh, event);
      g_array_append_val (buddy->recent, fresh);
      latest = &g_array_index (buddy->recent, SbEpisode, buddy->recent->len - 1);
    }
  sb_counts_add_episode (&buddy->all, latest, +1);
  return buddy->recent->len - 1;
}

/* The fast path: @n events in order (sorted as the store sorts them), all
 * newer than everything the buddy has; each episode they touch and the
 * summary are queued once. */
static void
append_in_order (SbLedger *ledger, SbLedgerBuddy *buddy, const SbEvent *events, guint n)
{
  guint first_touched = G_MAXUINT;
  for (guint i = 0; i < n; i++)
    {
      buddy->last_event = MAX (buddy->last_event, events[i].time);
      if (sb_event_is_counted (&events[i]))
        {
          guint touched = extend_latest (ledger, buddy, &events[i]);
          first_touched = MIN (first_touched, touched);
        }
    }
  for (guint i = first_touched; i < buddy->recent->len; i++)
    sb_store_queue_episode (ledger->store, buddy->id, &g_array_index (buddy->recent, SbEpisode, i));
  sb_store_queue_summary (ledger->store, buddy->id, &buddy->all, buddy->last_event);
}

/* Marks a stored received text automated and re-segments its buddy from it. */
static gboolean
mark_automated (SbLedger *ledger, SbLedgerBuddy *buddy, gint64 time, guint64 digest,
                gboolean *marked, GError **error)
{
  if (!sb_store_flag_automated (ledger->store, buddy->id, time, digest, marked, error))
    return FALSE;
  if (!*marked)
    return TRUE;
  buddy->all.automated++;
  if (!rebuild_from (ledger, buddy, time, error))
    return FALSE;
  buddy_mark_dirty (buddy);
  notify_changed (ledger, buddy);
  return TRUE;
}

/* Live detection: @event (a received text, not yet recorded) joins the
 * sightings of its digest; when SB_LEDGER_AUTOMATED_BUDDIES buddies sent it
 * within the window it is flagged, and so are the earlier sightings. */
static gboolean
detect_live (SbLedger *ledger, SbLedgerBuddy *buddy, SbEvent *event, GError **error)
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
          gboolean marked = FALSE;
          if (s->flagged || sender == NULL || ABS (s->time - event->time) > SB_LEDGER_AUTOMATED_WINDOW_S)
            continue;
          s->flagged = TRUE;
          if (!mark_automated (ledger, sender, s->time, event->digest, &marked, error))
            return FALSE;
        }
    }
  Sighting sighting = { buddy->id, event->time, automated };
  g_array_append_val (seen, sighting);
  return TRUE;
}

/* Forgets sightings older than the window before @now. */
static void
prune_sightings (SbLedger *ledger, gint64 now)
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
sb_ledger_add_event (SbLedger *ledger, const SbBuddyKey *key, const SbEvent *event, gint64 now,
                     gboolean *is_new, GError **error)
{
  if (is_new != NULL)
    *is_new = FALSE;
  if (!check_event (key, event, error))
    return FALSE;

  SbLedgerBuddy *buddy = tracked_buddy (ledger, key, now, error);
  if (buddy == NULL)
    return FALSE;

  SbEvent copy = *event;
  event = &copy;
  if (!detect_live (ledger, buddy, &copy, error))
    return FALSE;

  if (event->time <= buddy->tail_floor)
    {
      /* Older than what memory holds completely: let the store decide whether
       * it is new, then re-segment from it. */
      guint n_new = 0;
      gint64 earliest = 0;
      if (!sb_store_insert_events (ledger->store, buddy->id, event, 1, &n_new, &earliest, NULL,
                                   error))
        return FALSE;
      if (n_new == 0)
        return TRUE;
      buddy->all.automated += is_automated (event) ? 1 : 0;
      if (!rebuild_from (ledger, buddy, event->time, error))
        return FALSE;
    }
  else
    {
      if (tail_contains (buddy, event))
        return TRUE;

      buddy->all.automated += is_automated (event) ? 1 : 0;
      gboolean in_order = event->time >= buddy->last_event;
      tail_insert (buddy, event);
      sb_store_queue_event (ledger->store, buddy->id, event);
      buddy->last_event = MAX (buddy->last_event, event->time);

      if (in_order || !sb_event_is_counted (event))
        append_in_order (ledger, buddy, event, 1);
      else
        {
          gboolean done = FALSE;
          if (!resegment_in_memory (ledger, buddy, event->time, error, &done))
            return FALSE;
          if (!done && !rebuild_from (ledger, buddy, event->time, error))
            return FALSE;
        }
    }

  if (is_new != NULL)
    *is_new = TRUE;
  buddy_mark_dirty (buddy);
  notify_changed (ledger, buddy);
  return TRUE;
}

/* The store's order of events (sb_store_load_events): time, direction, kind, digest. */
static int
compare_events (gconstpointer pa, gconstpointer pb)
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

gboolean
sb_ledger_add_events (SbLedger *ledger, const SbBuddyKey *key, const SbEvent *events,
                      guint n_events, gint64 now, guint *n_new, GError **error)
{
  if (n_new != NULL)
    *n_new = 0;
  for (guint i = 0; i < n_events; i++)
    if (!check_event (key, &events[i], error))
      return FALSE;
  if (n_events == 0)
    return TRUE;

  SbLedgerBuddy *buddy = tracked_buddy (ledger, key, now, error);
  if (buddy == NULL)
    return FALSE;

  guint added = 0;
  gint64 earliest = 0;
  g_autofree gboolean *inserted = g_new (gboolean, n_events);
  if (!sb_store_insert_events (ledger->store, buddy->id, events, n_events, &added, &earliest,
                               inserted, error))
    return FALSE;
  if (n_new != NULL)
    *n_new = added;
  if (added == 0)
    return TRUE;
  for (guint i = 0; i < n_events; i++)
    buddy->all.automated += inserted[i] && is_automated (&events[i]) ? 1 : 0;

  if (earliest > buddy->last_event)
    {
      /* Everything new comes after everything recorded (an import reading a
       * buddy's files in order): extend the episodes in memory, as live
       * capture does, instead of reading the events back. */
      g_autoptr (GArray) fresh = g_array_sized_new (FALSE, FALSE, sizeof (SbEvent), added);
      for (guint i = 0; i < n_events; i++)
        if (inserted[i])
          g_array_append_val (fresh, events[i]);
      g_array_sort (fresh, compare_events);
      append_in_order (ledger, buddy, (const SbEvent *) fresh->data, fresh->len);
      /* the tail no longer covers everything after its floor */
      g_array_set_size (buddy->tail, 0);
      buddy->tail_floor = buddy->last_event;
    }
  else if (!rebuild_from (ledger, buddy, earliest, error))
    return FALSE;
  buddy_mark_dirty (buddy);
  notify_changed (ledger, buddy);
  return TRUE;
}

/* A received text found by sb_store_foreach_repeated_text(). */
typedef struct
{
  SbEvent event;
  gint64 buddy_id;
} TextRow;

static void
collect_text_cb (gint64 buddy_id, gint64 time, guint64 digest, guint flags, gpointer user_data)
{
  TextRow row = {
    .event = { .time = time, .direction = SB_DIRECTION_IN, .digest = digest, .flags = flags },
    .buddy_id = buddy_id,
  };
  g_array_append_val ((GArray *) user_data, row);
}

/* TRUE when the text at rows[i] lies in a window with enough distinct senders.
 * @rows[first..last) share one digest and are sorted by time. */
static gboolean
in_automated_window (const TextRow *rows, guint first, guint last, guint i)
{
  gint64 senders[SB_LEDGER_AUTOMATED_BUDDIES];
  /* Any window of the rule's length that holds rows[i] starts within the
   * window before it; try each such start. */
  for (guint start = first; start <= i; start++)
    {
      if (rows[i].event.time - rows[start].event.time > SB_LEDGER_AUTOMATED_WINDOW_S)
        continue;
      guint n = 0;
      for (guint j = start; j < last && n < SB_LEDGER_AUTOMATED_BUDDIES; j++)
        {
          if (rows[j].event.time - rows[start].event.time > SB_LEDGER_AUTOMATED_WINDOW_S)
            break;
          gboolean known = FALSE;
          for (guint k = 0; k < n; k++)
            known |= senders[k] == rows[j].buddy_id;
          if (!known)
            senders[n++] = rows[j].buddy_id;
        }
      if (n >= SB_LEDGER_AUTOMATED_BUDDIES)
        return TRUE;
    }
  return FALSE;
}

gboolean
sb_ledger_detect_automated (SbLedger *ledger, guint *n_marked, GError **error)
{
  if (n_marked != NULL)
    *n_marked = 0;
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (TextRow));
  if (!sb_store_foreach_repeated_text (ledger->store, SB_LEDGER_AUTOMATED_BUDDIES,
                                       SB_LEDGER_AUTOMATED_MIN_SIZE, collect_text_cb, rows, error))
    return FALSE;

  /* Flag every automated row first, in one transaction, remembering each
   * sender's earliest flagged time; then re-segment each sender once (one
   * rebuild per flagged row made this quadratic in a big import). */
  g_autoptr (GHashTable) earliest = g_hash_table_new (NULL, NULL); /* SbLedgerBuddy * -> index */
  g_autoptr (GArray) from = g_array_new (FALSE, FALSE, sizeof (gint64));
  const TextRow *all = (const TextRow *) rows->data;
  guint marked_total = 0;
  if (!sb_store_exec (ledger->store, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (guint first = 0; first < rows->len;)
    {
      guint last = first;
      while (last < rows->len && all[last].event.digest == all[first].event.digest)
        last++;
      for (guint i = first; i < last; i++)
        {
          SbLedgerBuddy *sender = g_hash_table_lookup (ledger->by_id, &all[i].buddy_id);
          gboolean marked = FALSE;
          if (sender == NULL || (all[i].event.flags & SB_EVENT_FLAG_AUTOMATED) != 0
              || !in_automated_window (all, first, last, i))
            continue;
          if (!sb_store_flag_automated (ledger->store, sender->id, all[i].event.time,
                                        all[i].event.digest, &marked, error))
            {
              (void) sb_store_exec (ledger->store, "ROLLBACK", NULL);
              return FALSE;
            }
          if (!marked)
            continue;
          marked_total++;
          sender->all.automated++;
          gpointer index;
          if (g_hash_table_lookup_extended (earliest, sender, NULL, &index))
            {
              gint64 *t = &g_array_index (from, gint64, GPOINTER_TO_UINT (index));
              *t = MIN (*t, all[i].event.time);
            }
          else
            {
              g_hash_table_insert (earliest, sender, GUINT_TO_POINTER (from->len));
              g_array_append_val (from, all[i].event.time);
            }
        }
      first = last;
    }
  if (!sb_store_exec (ledger->store, "COMMIT", error))
    {
      (void) sb_store_exec (ledger->store, "ROLLBACK", NULL);
      return FALSE;
    }

  GHashTableIter it;
  gpointer key, index;
  g_hash_table_iter_init (&it, earliest);
  while (g_hash_table_iter_next (&it, &key, &index))
    {
      SbLedgerBuddy *sender = key;
      if (!rebuild_from (ledger, sender, g_array_index (from, gint64, GPOINTER_TO_UINT (index)),
                         error))
        return FALSE;
      buddy_mark_dirty (sender);
      notify_changed (ledger, sender);
    }
  if (n_marked != NULL)
    *n_marked = marked_total;
  return TRUE;
}

gboolean
sb_ledger_add_chat_event (SbLedger *ledger, const SbChatEvent *event, GError **error)
{
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
  SbLedgerBuddy *buddy = find_buddy (ledger, key);
  if (buddy == NULL || buddy->all.episodes == 0)
    return NULL;
  return buddy_stats (ledger, buddy);
}

void
sb_ledger_refresh (SbLedger *ledger, gint64 now)
{
  ledger->now = now;
  prune_sightings (ledger, now);
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
  if (!sb_params_validate (params, error))
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
      if (!rebuild_from (ledger, buddy, G_MININT64, error) || !buddy_load_recent (ledger, buddy, error))
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
  SbLedgerBuddy *buddy = ensure_buddy (ledger, key, error);
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
  SbLedgerBuddy *buddy = find_buddy (ledger, key);
  return buddy == NULL || buddy->tracked;
}

gboolean
sb_ledger_forget_buddy (SbLedger *ledger, const SbBuddyKey *key, GError **error)
{
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
  return sb_store_flush (ledger->store, error);
}

gboolean
sb_ledger_flush_in_background (SbLedger *ledger, GError **error)
{
  return sb_store_flush_in_background (ledger->store, error);
}
