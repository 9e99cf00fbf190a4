/* sb-stats.c: from episodes to the figures a person reads (docs/design.md, "Definitions"). */
#include "smileback/sb-stats.h"


void
sb_counts_add_episode (SbCounts *counts, const SbEpisode *episode, int sign)
{
  gboolean by_you = episode->initiator == SB_DIRECTION_OUT;
  gboolean answered = sb_episode_is_answered (episode);

  counts->episodes += sign;
  if (by_you)
    {
      counts->started_by_you += sign;
      counts->answered_by_them += answered ? sign : 0;
    }
  else
    {
      counts->started_by_them += sign;
      counts->answered_by_you += answered ? sign : 0;
    }
  counts->messages_sent += sign * (int) episode->messages_out;
  counts->messages_received += sign * (int) episode->messages_in;

  if (sign > 0)
    {
      counts->last_episode = MAX (counts->last_episode, episode->start);
      if (by_you)
        counts->last_you_started = MAX (counts->last_you_started, episode->start);
    }
}

double
sb_closeness_weight (gint64 age_s)
{
  /* docs/design.md, "Definitions": recent answered conversations weigh most. */
  if (age_s <= 30 * SB_DAY)
    return 1.0;
  if (age_s <= 90 * SB_DAY)
    return 0.3;
  if (age_s <= 365 * SB_DAY)
    return 0.1;
  return 0.0;
}

static void
swap (gint64 *a, gint64 *b)
{
  gint64 t = *a;
  *a = *b;
  *b = t;
}

/* Hoare's selection: linear on average, where sorting would be n log n, since
 * this runs for the buddy list after every message. */
gint64
sb_stats_median (gint64 *values, guint n)
{
  if (n == 0)
    return -1;
  guint k = (n - 1) / 2;
  guint lo = 0, hi = n - 1;
  while (lo < hi)
    {
      /* Median-of-three pivot keeps sorted input (episode gaps often are) linear. */
      guint mid = lo + (hi - lo) / 2;
      if (values[mid] < values[lo])
        swap (&values[mid], &values[lo]);
      if (values[hi] < values[lo])
        swap (&values[hi], &values[lo]);
      if (values[hi] < values[mid])
        swap (&values[hi], &values[mid]);
      gint64 pivot = values[mid];

      guint i = lo, j = hi;
      while (i <= j)
        {
          while (values[i] < pivot)
            i++;
          while (values[j] > pivot)
            j--;
          if (i <= j)
            {
              swap (&values[i], &values[j]);
              i++;
              if (j == 0)
                break;
              j--;
            }
        }
      if (k <= j)
        hi = j;
      else if (k >= i)
        lo = i;
      else
        break;
    }
  return values[k];
}

void
sb_stats_compute (const SbEpisode *episodes, guint n_episodes, const SbCounts *all, gint64 now,
                  const SbParams *params, SbStats *stats)
{
  g_autofree gint64 *scratch = g_new (gint64, 3 * (gsize) n_episodes + 1);
  sb_stats_compute_with_scratch (episodes, n_episodes, all, now, params, scratch, stats);
}

void
sb_stats_compute_with_scratch (const SbEpisode *episodes, guint n_episodes, const SbCounts *all,
                               gint64 now, const SbParams *params, gint64 *scratch,
                               SbStats *stats)
{
  *stats = (SbStats){ .median_latency_them_s = -1, .median_latency_you_s = -1, .cadence_s = -1 };

  gint64 *latency_them = scratch;
  gint64 *latency_you = scratch + n_episodes;
  gint64 *gaps = scratch + 2 * (gsize) n_episodes;
  guint n_them = 0, n_you = 0, n_gaps = 0;
  gboolean you_started_this_year = FALSE, they_started_this_year = FALSE;

  for (guint i = 0; i < n_episodes; i++)
    {
      const SbEpisode *episode = &episodes[i];
      gint64 age = now - episode->start;

      if (all == NULL)
        sb_counts_add_episode (&stats->all, episode, +1);
      if (age <= params->window_s)
        sb_counts_add_episode (&stats->window, episode, +1);

      gint64 latency = sb_episode_latency (episode);
      if (latency >= 0 && episode->initiator == SB_DIRECTION_OUT)
        latency_them[n_them++] = latency;
      else if (latency >= 0)
        latency_you[n_you++] = latency;

      if (i > 0)
        gaps[n_gaps++] = episode->start - episodes[i - 1].start;

      if (sb_episode_is_answered (episode))
        stats->closeness += sb_closeness_weight (age);

      if (age <= 365 * SB_DAY)
        {
          if (episode->initiator == SB_DIRECTION_OUT)
            you_started_this_year = TRUE;
          else
            they_started_this_year = TRUE;
        }
    }

  if (all != NULL)
    stats->all = *all;

  stats->median_latency_them_s = sb_stats_median (latency_them, n_them);
  stats->median_latency_you_s = sb_stats_median (latency_you, n_you);
  /* A rhythm needs at least three conversations (two gaps). */
  if (n_episodes >= 3)
    stats->cadence_s = sb_stats_median (gaps, n_gaps);

  /* A strong tie is close and two-way within the last year. */
  stats->strong_tie = stats->closeness >= 3.0 && you_started_this_year && they_started_this_year;

  if (n_episodes > 0)
    {
      const SbEpisode *latest = &episodes[n_episodes - 1];
      stats->last_contact = latest->last;
      stats->latest_messages = latest->messages_out + latest->messages_in;
      stats->latest_turns_out = latest->turns_out;
      stats->latest_turns_in = latest->turns_in;
      stats->waiting_is_backlog = (latest->flags & SB_EVENT_FLAG_BACKLOG) != 0;
      if (!sb_episode_is_answered (latest))
        {
          if (latest->initiator == SB_DIRECTION_IN)
            stats->waiting_since = latest->start;
          else
            stats->unanswered_since = latest->start;
        }
    }
}

static double
ratio (guint numerator, guint denominator)
{
  return denominator == 0 ? -1.0 : (double) numerator / (double) denominator;
}

double
sb_stats_initiation_share (const SbCounts *counts)
{
  return ratio (counts->started_by_you, counts->episodes);
}

double
sb_stats_smile_back_rate (const SbCounts *counts)
{
  return ratio (counts->answered_by_them, counts->started_by_you);
}

double
sb_stats_reply_rate (const SbCounts *counts)
{
  return ratio (counts->answered_by_you, counts->started_by_them);
}
