/* sb-ledger-segment.c: keeping a buddy's episodes right when events come late.
 *
 * Each buddy holds a tail: every event newer than tail_floor, bounded by
 * TAIL_MAX.  An event newer than everything takes the fast path
 * (sb_ledger_append_in_order()): it extends or starts the latest episode.  An
 * older one re-segments from the episode it falls into: in memory when the
 * tail reaches back to that episode's start, otherwise from the store.  Both
 * paths end in replace_episodes(), so the all-time counts stay exact
 * whichever way an event came (docs/design.md, "Definitions").  A live event
 * that needs the store is held instead (sb_ledger_hold()) and placed once
 * what was queued before it is committed, from committed rows only, so the
 * UI thread never waits on the writer thread or on a lock (docs/design.md,
 * "Reliability").
 */
#include "sb-ledger-private.h"

#include <stdlib.h>

static gboolean
same_event (const SbEvent *a, const SbEvent *b)
{
  return a->time == b->time && a->direction == b->direction && a->kind == b->kind
         && a->digest == b->digest;
}

/* TRUE when @events (SbEvent by time) hold the same message as @event. */
static gboolean
events_contain (const GArray *events, const SbEvent *event)
{
  for (guint i = events->len; i > 0; i--)
    {
      const SbEvent *held = &g_array_index (events, SbEvent, i - 1);
      if (held->time < event->time)
        return FALSE;
      if (same_event (held, event))
        return TRUE;
    }
  return FALSE;
}

/* Inserts @event into @events, kept in time order. */
static void
events_insert (GArray *events, const SbEvent *event)
{
  guint pos = events->len;
  while (pos > 0 && g_array_index (events, SbEvent, pos - 1).time > event->time)
    pos--;
  g_array_insert_val (events, pos, *event);
}

/* The tail's set: events equal as same_event() says. */
static guint
event_hash (gconstpointer p)
{
  const SbEvent *event = p;
  guint64 mix = (guint64) event->time * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15) ^ event->digest
                ^ ((guint64) event->direction << 8) ^ (guint64) event->kind;
  return (guint) (mix ^ (mix >> 32));
}

static gboolean
event_equal (gconstpointer a, gconstpointer b)
{
  return same_event (a, b);
}

void
sb_ledger_tail_init (SbLedgerBuddy *buddy)
{
  buddy->tail = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  buddy->tail_set = g_hash_table_new_full (event_hash, event_equal, g_free, NULL);
}

void
sb_ledger_tail_free (SbLedgerBuddy *buddy)
{
  g_clear_pointer (&buddy->tail, g_array_unref);
  g_clear_pointer (&buddy->tail_set, g_hash_table_unref);
}

void
sb_ledger_tail_clear (SbLedgerBuddy *buddy, gint64 floor)
{
  g_array_set_size (buddy->tail, 0);
  g_hash_table_remove_all (buddy->tail_set);
  buddy->tail_floor = floor;
}

/* Appends @events (@n, not older than the tail's last) to the tail. */
static void
tail_append (SbLedgerBuddy *buddy, const SbEvent *events, guint n)
{
  g_array_append_vals (buddy->tail, events, n);
  for (guint i = 0; i < n; i++)
    g_hash_table_add (buddy->tail_set, g_memdup2 (&events[i], sizeof events[i]));
}

/* Drops the tail's first @n events, with the floor at @floor. */
static void
tail_drop (SbLedgerBuddy *buddy, guint n, gint64 floor)
{
  for (guint i = 0; i < n; i++)
    g_hash_table_remove (buddy->tail_set, &g_array_index (buddy->tail, SbEvent, i));
  g_array_remove_range (buddy->tail, 0, n);
  buddy->tail_floor = floor;
}

gboolean
sb_ledger_tail_contains (SbLedgerBuddy *buddy, const SbEvent *event)
{
  return g_hash_table_contains (buddy->tail_set, event);
}

/* Keeps the tail bounded: past TAIL_MAX events the oldest are dropped down to
 * half (so the cost per event stays constant) and the floor rises so the tail
 * stays complete above it.  The floor is exclusive: events of the floor's own
 * second go too, so the newest second is never dropped: a burst within one
 * second stays whole (and the next event of that second still takes the fast
 * path), and is dropped once a later second arrives. */
static void
tail_trim (SbLedgerBuddy *buddy)
{
  if (buddy->tail->len <= TAIL_MAX)
    return;
  gint64 newest = g_array_index (buddy->tail, SbEvent, buddy->tail->len - 1).time;
  if (g_array_index (buddy->tail, SbEvent, 0).time == newest)
    return;
  guint drop = buddy->tail->len - TAIL_MAX / 2;
  gint64 new_floor = g_array_index (buddy->tail, SbEvent, drop - 1).time;
  if (new_floor == newest)
    while (drop > 0 && g_array_index (buddy->tail, SbEvent, drop - 1).time == newest)
      drop--;
  new_floor = g_array_index (buddy->tail, SbEvent, drop - 1).time;
  while (drop < buddy->tail->len && g_array_index (buddy->tail, SbEvent, drop).time == new_floor)
    drop++;
  tail_drop (buddy, drop, new_floor);
}

/* Inserts @event into the time-ordered tail. */
void
sb_ledger_tail_insert (SbLedgerBuddy *buddy, const SbEvent *event)
{
  events_insert (buddy->tail, event);
  g_hash_table_add (buddy->tail_set, g_memdup2 (event, sizeof *event));
  tail_trim (buddy);
}

/* Something was queued for @buddy: held events wait for it too. */
static void
note_queued (SbLedger *ledger, SbLedgerBuddy *buddy)
{
  if (buddy->held != NULL)
    buddy->held_after = sb_store_get_queued (ledger->store);
}

gboolean
sb_ledger_holds (SbLedgerBuddy *buddy, const SbEvent *event)
{
  return buddy->held != NULL && events_contain (buddy->held, event);
}

void
sb_ledger_hold (SbLedger *ledger, SbLedgerBuddy *buddy, const SbEvent *event, gint64 from_time)
{
  gboolean first = buddy->held == NULL;
  if (first)
    {
      buddy->held = g_array_new (FALSE, FALSE, sizeof (SbEvent));
      buddy->held_from = from_time;
      g_ptr_array_add (ledger->holding, buddy);
    }
  buddy->held_from = MIN (buddy->held_from, from_time);
  if (first || event == NULL)
    buddy->held_after = sb_store_get_queued (ledger->store);
  if (event != NULL)
    {
      events_insert (buddy->held, event);
      ledger->n_held++;
    }
}

void
sb_ledger_release_held (SbLedger *ledger, SbLedgerBuddy *buddy)
{
  if (buddy->held == NULL)
    return;
  ledger->n_held -= buddy->held->len;
  g_clear_pointer (&buddy->held, g_array_unref);
  g_ptr_array_remove_fast (ledger->holding, buddy);
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
  /* older than the recent past: long committed */
  return sb_store_read_last_episode_start (ledger->store, buddy->id, from - 1, initiator, start,
                                           error);
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
  note_queued (ledger, buddy);

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

/* @events (every event since @from) becomes the tail, so the next messages
 * of an offline burst or an import re-segment in memory. */
static void
tail_replace (SbLedgerBuddy *buddy, gint64 from, const GArray *events)
{
  sb_ledger_tail_clear (buddy, from == G_MININT64 ? G_MININT64 : from - 1);
  tail_append (buddy, (const SbEvent *) events->data, events->len);
  tail_trim (buddy);
}

/* Re-segments from the episode @time falls into, using the store: the path for
 * imports.  The events are already stored. */
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

  tail_replace (buddy, from, events);
  return TRUE;
}

/* The events held for @buddy that the store does not have (@stored, in the
 * store's order), recorded now: queued, counted, and added to @stored, which
 * is sorted again. */
static void
record_held (SbLedger *ledger, SbLedgerBuddy *buddy, GArray *stored)
{
  guint n_stored = stored->len;
  for (guint i = 0; i < buddy->held->len; i++)
    {
      const SbEvent *event = &g_array_index (buddy->held, SbEvent, i);
      if (bsearch (event, stored->data, n_stored, sizeof (SbEvent), sb_ledger_compare_events)
          != NULL)
        continue;
      static const gboolean recorded = TRUE;
      sb_store_queue_event (ledger->store, buddy->id, event);
      buddy->all.automated += sb_ledger_is_automated (event) ? 1 : 0;
      sb_ledger_note_added_texts (ledger, buddy->id, event, &recorded, 1);
      g_array_append_val (stored, *event);
    }
  g_array_sort (stored, sb_ledger_compare_events);
}

/* Places @buddy's held events: the events and episodes since the episode the
 * earliest falls into are read as committed, the new held events added, and
 * the whole re-segmented, as sb_ledger_rebuild_from() does. */
static gboolean
place_buddy (SbLedger *ledger, SbLedgerBuddy *buddy, GError **error)
{
  gint64 from = 0;
  if (!sb_store_read_last_episode_start (ledger->store, buddy->id, buddy->held_from, -1, &from,
                                         error))
    return FALSE;
  if (from == 0)
    from = G_MININT64;
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  g_autoptr (GArray) old = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  g_autoptr (GArray) fresh = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  if (!sb_store_read_events (ledger->store, buddy->id, from, events, error)
      || !sb_store_read_episodes (ledger->store, buddy->id, from, old, error))
    return FALSE;
  record_held (ledger, buddy, events);
  sb_episodes_segment ((const SbEvent *) events->data, events->len, &ledger->params, fresh);
  if (events->len > 0)
    buddy->last_event = MAX (buddy->last_event, g_array_index (events, SbEvent, events->len - 1).time);
  sb_ledger_release_held (ledger, buddy);
  if (!replace_episodes (ledger, buddy, from, old, fresh, error))
    return FALSE;
  tail_replace (buddy, from, events);
  buddy_mark_dirty (buddy);
  notify_changed (ledger, buddy);
  return TRUE;
}

gboolean
sb_ledger_place_held (SbLedger *ledger, GError **error)
{
  if (ledger->holding->len == 0)
    return TRUE;
  guint64 committed = sb_store_get_committed (ledger->store);
  for (guint i = ledger->holding->len; i > 0; i--)
    {
      SbLedgerBuddy *buddy = g_ptr_array_index (ledger->holding, i - 1);
      if (buddy->held_after <= committed && !place_buddy (ledger, buddy, error))
        return FALSE;
    }
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
  note_queued (ledger, buddy);
}

/* ---- after texts were flagged automated -------------------------------- */

/* sb_episodes_segment() carried on from *@current (when *@have_current). */
static void
segment_more (const SbEvent *events, guint n, const SbParams *params, SbEpisode *current,
              gboolean *have_current, GArray *out)
{
  for (guint i = 0; i < n; i++)
    {
      const SbEvent *event = &events[i];
      if (!sb_event_is_counted (event))
        continue;
      if (*have_current && sb_episode_continues (current, event->time, event->direction, params))
        {
          sb_episode_extend (current, event);
          continue;
        }
      if (*have_current)
        g_array_append_val (out, *current);
      sb_episode_begin (current, event);
      *have_current = TRUE;
    }
}

static gboolean
same_episode (const SbEpisode *a, const SbEpisode *b)
{
  return a->start == b->start && a->last == b->last && a->answered_at == b->answered_at
         && a->initiator == b->initiator && a->messages_out == b->messages_out
         && a->messages_in == b->messages_in && a->turns_out == b->turns_out
         && a->turns_in == b->turns_in && a->last_dir == b->last_dir && a->flags == b->flags;
}

/* Segments the events of [@since, @until) (@until G_MAXINT64: all after)
 * on from *@current. */
static gboolean
segment_range (SbLedger *ledger, SbLedgerBuddy *buddy, gint64 since, gint64 until,
               SbEpisode *current, gboolean *have_current, GArray *out, GError **error)
{
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  if (until == G_MAXINT64 ? !sb_store_load_events (ledger->store, buddy->id, since, events, error)
                          : !sb_store_load_events_between (ledger->store, buddy->id, since, until,
                                                           events, error))
    return FALSE;
  segment_more ((const SbEvent *) events->data, events->len, &ledger->params, current,
                have_current, out);
  if (events->len > 0)
    buddy->last_event = MAX (buddy->last_event, g_array_index (events, SbEvent, events->len - 1).time);
  return TRUE;
}

/* Re-segments old episode by old episode, reading only the events of those
 * that may change: where the re-segmentation reaches an old episode's start in
 * the same state as the old one (the previous episode, unchanged) and no
 * flagged text lies in that episode, the episode comes out as it was.  This
 * relies on the stored episodes being the segmentation of the stored events,
 * as everything that writes them keeps them. */
static gboolean
plan_by_episode (SbLedger *ledger, SbResegment *plan, const gint64 *times, guint n,
                 GError **error)
{
  const SbEpisode *old = (const SbEpisode *) plan->old->data;
  SbEpisode current = { 0 };
  gboolean have_current = FALSE;
  guint t = 0;
  for (guint k = 0; k < plan->old->len; k++)
    {
      gint64 until = k + 1 < plan->old->len ? old[k + 1].start : G_MAXINT64;
      while (t < n && times[t] < old[k].start)
        t++;
      gboolean flagged_inside = t < n && times[t] < until;
      if (k > 0 && have_current && !flagged_inside && same_episode (&current, &old[k - 1]))
        {
          g_array_append_val (plan->fresh, current);
          current = old[k];
          continue;
        }
      if (!segment_range (ledger, plan->buddy, old[k].start, until, &current, &have_current,
                          plan->fresh, error))
        return FALSE;
    }
  if (have_current)
    g_array_append_val (plan->fresh, current);
  return TRUE;
}

gboolean
sb_ledger_plan_resegment (SbLedger *ledger, SbLedgerBuddy *buddy, const gint64 *times, guint n,
                          SbResegment *plan, GError **error)
{
  g_return_val_if_fail (n > 0, FALSE);
  *plan = (SbResegment){
    .buddy = buddy,
    .settled = times[n - 1],
    .old = g_array_new (FALSE, FALSE, sizeof (SbEpisode)),
    .fresh = g_array_new (FALSE, FALSE, sizeof (SbEpisode)),
  };
  gint64 from = 0;
  if (!sb_store_last_episode_start (ledger->store, buddy->id, times[0], -1, &from, error))
    return FALSE;
  plan->from = from != 0 ? from : G_MININT64; /* before the first episode: replay everything */
  if (!sb_store_load_episodes (ledger->store, buddy->id, plan->from, plan->old, error))
    return FALSE;
  if (plan->from != G_MININT64 && plan->old->len > 0)
    return plan_by_episode (ledger, plan, times, n, error);

  SbEpisode current = { 0 };
  gboolean have_current = FALSE;
  if (!segment_range (ledger, buddy, plan->from, G_MAXINT64, &current, &have_current, plan->fresh,
                      error))
    return FALSE;
  if (have_current)
    g_array_append_val (plan->fresh, current);
  return TRUE;
}

/* The tail loses what the flagging made stale: its events up to @settled. */
static void
tail_forget_through (SbLedgerBuddy *buddy, gint64 settled)
{
  if (settled <= buddy->tail_floor)
    return;
  guint drop = 0;
  while (drop < buddy->tail->len && g_array_index (buddy->tail, SbEvent, drop).time <= settled)
    drop++;
  tail_drop (buddy, drop, settled);
}

gboolean
sb_ledger_apply_resegment (SbLedger *ledger, SbResegment *plan, GError **error)
{
  if (!replace_episodes (ledger, plan->buddy, plan->from, plan->old, plan->fresh, error))
    return FALSE;
  tail_forget_through (plan->buddy, plan->settled);
  return TRUE;
}

void
sb_ledger_resegment_clear (SbResegment *plan)
{
  g_clear_pointer (&plan->old, g_array_unref);
  g_clear_pointer (&plan->fresh, g_array_unref);
}
