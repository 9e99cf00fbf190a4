/* sb-ledger-segment.c: keeping a buddy's episodes right when events come late.
 *
 * Each buddy holds a tail: every event newer than tail_floor, bounded by
 * TAIL_MAX.  An event newer than everything takes the fast path
 * (sb_ledger_append_in_order()): it extends or starts the latest episode.  An
 * older one re-segments from the episode it falls into: in memory when the
 * tail reaches back to that episode's start, otherwise from the store.  Both
 * paths end in replace_episodes(), so the all-time counts stay exact
 * whichever way an event came (docs/design.md, "Definitions").
 */
#include "sb-ledger-private.h"

static gboolean
same_event (const SbEvent *a, const SbEvent *b)
{
  return a->time == b->time && a->direction == b->direction && a->kind == b->kind
         && a->digest == b->digest;
}

gboolean
sb_ledger_tail_contains (SbLedgerBuddy *buddy, const SbEvent *event)
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
void
sb_ledger_tail_insert (SbLedgerBuddy *buddy, const SbEvent *event)
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
gboolean
sb_ledger_rebuild_from (SbLedger *ledger, SbLedgerBuddy *buddy, gint64 time, GError **error)
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
 * tail does not reach back to that episode's start (use sb_ledger_rebuild_from()). */
gboolean
sb_ledger_resegment_in_memory (SbLedger *ledger, SbLedgerBuddy *buddy, gint64 time, GError **error,
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
void
sb_ledger_append_in_order (SbLedger *ledger, SbLedgerBuddy *buddy, const SbEvent *events, guint n)
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
