/* sb-stats.h: per-buddy figures derived from episodes (docs/design.md, "Definitions").
 *
 * SbCounts are plain counters that can be added and subtracted episode by
 * episode, so a stored all-time summary stays exact without replaying history.
 * SbStats adds what depends on "now" (the window, closeness, cadence, medians),
 * computed from the episodes of the recent past.
 */
#pragma once

#include <glib.h>
#include "sb-episode.h"
#include "sb-params.h"

G_BEGIN_DECLS

typedef struct
{
  guint episodes;
  guint started_by_you;
  guint started_by_them;
  guint answered_by_them; /* of the user's starts, how many the buddy answered */
  guint answered_by_you;  /* of the buddy's starts, how many the user answered */
  guint messages_sent;
  guint messages_received;
  gint64 last_episode;     /* start of the latest episode, 0 when none */
  gint64 last_you_started; /* start of the latest user-initiated episode, 0 when none */
  guint automated;         /* messages received that were auto-replies or automated texts;
                              not per episode: kept by the ledger, untouched by add_episode */
} SbCounts;

/* Adds (@sign = +1) or removes (@sign = -1) one episode's contribution.
 * Removing cannot restore last_* fields; callers recompute those. */
void sb_counts_add_episode (SbCounts *counts, const SbEpisode *episode, int sign);

typedef struct
{
  SbCounts all;             /* every episode ever (or since the report's start) */
  SbCounts window;          /* episodes started within params->window_s of now */
  gint64 median_latency_them_s; /* buddy answering the user's starts; -1 unknown */
  gint64 median_latency_you_s;  /* user answering the buddy's starts; -1 unknown */
  gint64 cadence_s;         /* median gap between episode starts, -1 with fewer than 3 episodes */
  double closeness;         /* recency-weighted answered episodes */
  gboolean strong_tie;      /* closeness >= 3 and both started one in the last 365 days */
  gint64 waiting_since;     /* the buddy started the latest episode and the user has not answered: its start; else 0 */
  gint64 unanswered_since;  /* the user started the latest episode and the buddy has not answered: its start; else 0 */
  gboolean waiting_is_backlog; /* the unanswered latest episode began as backlog (offline, history) */
  gint64 last_contact;      /* the latest counted message of the latest episode, 0 when none */
  guint latest_messages;    /* messages both ways in the latest episode */
  guint latest_turns_out;   /* the user's turns in the latest episode */
  guint latest_turns_in;    /* the buddy's turns in the latest episode */
} SbStats;

/* The closeness weight of an answered episode that started @age_s seconds ago:
 * 1.0 up to 30 days, 0.3 up to 90, 0.1 up to 365, 0 beyond. */
double sb_closeness_weight (gint64 age_s);

/* Computes everything that depends on @now from @episodes (sorted by start, all
 * of the recent past at least: 365 days or the window, whichever is longer).
 * @all, when not NULL, is the exact all-time counts to report as stats->all;
 * when NULL, stats->all is summed from @episodes.  Never fails. */
void sb_stats_compute (const SbEpisode *episodes, guint n_episodes, const SbCounts *all,
                       gint64 now, const SbParams *params, SbStats *stats);

/* The same, using @scratch (room for at least 3 * @n_episodes values) for the
 * medians instead of allocating: for callers that must not allocate. */
void sb_stats_compute_with_scratch (const SbEpisode *episodes, guint n_episodes,
                                    const SbCounts *all, gint64 now, const SbParams *params,
                                    gint64 *scratch, SbStats *stats);

/* The median of @values (reordered in place); the lower middle for an even
 * count, so the result is always a value that occurred.  -1 when @n is 0. */
gint64 sb_stats_median (gint64 *values, guint n);

/* Initiation share (user-started / all) and the two answer rates, in 0..1;
 * -1 when the denominator is zero. */
double sb_stats_initiation_share (const SbCounts *counts);
double sb_stats_smile_back_rate (const SbCounts *counts);
double sb_stats_reply_rate (const SbCounts *counts);

G_END_DECLS
