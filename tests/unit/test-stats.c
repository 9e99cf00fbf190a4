/* Per-buddy figures: rates, medians, cadence, closeness, window, strong ties. */
#include <smileback/smileback.h>

#define NOW (G_GINT64_CONSTANT (1800000000))

static SbEpisode
episode (gint64 days_ago, SbDirection initiator, gint64 latency)
{
  gint64 start = NOW - days_ago * SB_DAY;
  return (SbEpisode){
    .start = start,
    .last = start + MAX (latency, 0),
    .answered_at = latency >= 0 ? start + latency : 0,
    .initiator = initiator,
    .messages_out = initiator == SB_DIRECTION_OUT ? 1 : (latency >= 0),
    .messages_in = initiator == SB_DIRECTION_IN ? 1 : (latency >= 0),
  };
}

typedef struct
{
  gint64 age;
  double weight;
} WeightCase;

static const WeightCase weights[] = {
  { 0, 1.0 }, { 30 * SB_DAY, 1.0 }, { 30 * SB_DAY + 1, 0.3 }, { 90 * SB_DAY, 0.3 },
  { 90 * SB_DAY + 1, 0.1 }, { 365 * SB_DAY, 0.1 }, { 365 * SB_DAY + 1, 0.0 }, { -5, 1.0 },
};

static void
test_closeness_weight (gconstpointer data)
{
  const WeightCase *c = data;
  g_assert_cmpfloat_with_epsilon (sb_closeness_weight (c->age), c->weight, 1e-9);
}

static void
test_compute (void)
{
  const SbParams params = SB_PARAMS_DEFAULT;
  const SbEpisode episodes[] = {
    episode (400, SB_DIRECTION_OUT, 60),   /* answered, too old for closeness and window */
    episode (200, SB_DIRECTION_OUT, -1),   /* unanswered, outside the 180-day window */
    episode (60, SB_DIRECTION_IN, 300),    /* you answered in 5 min; 0.3 */
    episode (20, SB_DIRECTION_OUT, 120),   /* 1.0 */
    episode (10, SB_DIRECTION_OUT, 600),   /* 1.0 */
    episode (1, SB_DIRECTION_IN, -1),      /* waiting for you */
  };
  SbStats stats;
  sb_stats_compute (episodes, G_N_ELEMENTS (episodes), NULL, NOW, &params, &stats);

  g_assert_cmpuint (stats.all.episodes, ==, 6);
  g_assert_cmpuint (stats.all.started_by_you, ==, 4);
  g_assert_cmpuint (stats.all.started_by_them, ==, 2);
  g_assert_cmpuint (stats.all.answered_by_them, ==, 3);
  g_assert_cmpuint (stats.all.answered_by_you, ==, 1);
  g_assert_cmpint (stats.all.last_episode, ==, NOW - 1 * SB_DAY);
  g_assert_cmpint (stats.all.last_you_started, ==, NOW - 10 * SB_DAY);

  g_assert_cmpuint (stats.window.episodes, ==, 4);
  g_assert_cmpuint (stats.window.started_by_you, ==, 2);
  g_assert_cmpuint (stats.window.answered_by_them, ==, 2);

  /* Latencies of the buddy answering you: 60, 120, 600 -> 120. */
  g_assert_cmpint (stats.median_latency_them_s, ==, 120);
  g_assert_cmpint (stats.median_latency_you_s, ==, 300);
  /* Gaps 200, 140, 40, 10, 9 days -> median 40 days. */
  g_assert_cmpint (stats.cadence_s, ==, 40 * SB_DAY);
  g_assert_cmpfloat_with_epsilon (stats.closeness, 2.3, 1e-9);
  g_assert_false (stats.strong_tie);
  g_assert_cmpint (stats.waiting_since, ==, NOW - 1 * SB_DAY);
  g_assert_cmpint (stats.unanswered_since, ==, 0);

  g_assert_cmpfloat_with_epsilon (sb_stats_initiation_share (&stats.all), 4.0 / 6.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (sb_stats_smile_back_rate (&stats.all), 0.75, 1e-9);
  g_assert_cmpfloat_with_epsilon (sb_stats_reply_rate (&stats.all), 0.5, 1e-9);
}

static void
test_strong_tie (void)
{
  const SbParams params = SB_PARAMS_DEFAULT;
  SbEpisode episodes[] = {
    episode (25, SB_DIRECTION_IN, 30),
    episode (15, SB_DIRECTION_OUT, 30),
    episode (5, SB_DIRECTION_OUT, 30),
  };
  SbStats stats;
  sb_stats_compute (episodes, 3, NULL, NOW, &params, &stats);
  g_assert_cmpfloat_with_epsilon (stats.closeness, 3.0, 1e-9);
  g_assert_true (stats.strong_tie);

  /* Close, but one-way: the buddy never started one. */
  episodes[0].initiator = SB_DIRECTION_OUT;
  sb_stats_compute (episodes, 3, NULL, NOW, &params, &stats);
  g_assert_false (stats.strong_tie);
}

static void
test_cadence_needs_three (void)
{
  const SbParams params = SB_PARAMS_DEFAULT;
  const SbEpisode episodes[] = { episode (20, SB_DIRECTION_OUT, -1), episode (10, SB_DIRECTION_OUT, -1) };
  SbStats stats;
  sb_stats_compute (episodes, 2, NULL, NOW, &params, &stats);
  g_assert_cmpint (stats.cadence_s, ==, -1);
  g_assert_cmpint (stats.median_latency_them_s, ==, -1);
  g_assert_cmpint (stats.unanswered_since, ==, NOW - 10 * SB_DAY);
  g_assert_cmpfloat (sb_stats_smile_back_rate (&stats.all), ==, 0.0);
  g_assert_cmpfloat (sb_stats_reply_rate (&stats.all), <, 0.0);

  sb_stats_compute (NULL, 0, NULL, NOW, &params, &stats);
  g_assert_cmpuint (stats.all.episodes, ==, 0);
  g_assert_cmpfloat (sb_stats_initiation_share (&stats.all), <, 0.0);
}

static void
test_counts_add_remove (void)
{
  SbCounts counts = { 0 };
  SbEpisode a = episode (3, SB_DIRECTION_OUT, 10);
  SbEpisode b = episode (2, SB_DIRECTION_IN, -1);
  sb_counts_add_episode (&counts, &a, +1);
  sb_counts_add_episode (&counts, &b, +1);
  sb_counts_add_episode (&counts, &a, -1);
  g_assert_cmpuint (counts.episodes, ==, 1);
  g_assert_cmpuint (counts.started_by_you, ==, 0);
  g_assert_cmpuint (counts.answered_by_them, ==, 0);
  g_assert_cmpuint (counts.started_by_them, ==, 1);
  g_assert_cmpuint (counts.messages_sent, ==, b.messages_out);
}

/* An episode started at @start by @initiator, answered or not. */
static SbEpisode
month_episode (gint64 start, SbDirection initiator, gboolean answered)
{
  SbEpisode e = { 0 };

  e.start = e.last = start;
  e.initiator = initiator;
  e.last_dir = initiator;
  if (initiator == SB_DIRECTION_OUT)
    e.messages_out = 1;
  else
    e.messages_in = 1;
  if (answered)
    {
      e.answered_at = start + 60;
      if (initiator == SB_DIRECTION_OUT)
        e.messages_in = 1;
      else
        e.messages_out = 1;
    }
  return e;
}

static gint64
utc (int year, int month, int day)
{
  g_autoptr (GDateTime) dt = g_date_time_new_utc (year, month, day, 12, 0, 0);

  return g_date_time_to_unix (dt);
}

/* Three months ending in February 2024 (UTC): December, January, February;
 * an episode of November is left out, every month is present. */
static void
test_count_months (void)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_utc ();
  SbEpisode episodes[] = {
    month_episode (utc (2023, 11, 30), SB_DIRECTION_OUT, TRUE),  /* too early */
    month_episode (utc (2023, 12, 1), SB_DIRECTION_OUT, TRUE),
    month_episode (utc (2023, 12, 31), SB_DIRECTION_OUT, FALSE),
    month_episode (utc (2024, 2, 3), SB_DIRECTION_IN, TRUE),
    month_episode (utc (2024, 2, 4), SB_DIRECTION_IN, FALSE),
    month_episode (utc (2024, 2, 5), SB_DIRECTION_OUT, TRUE),
  };
  g_autoptr (GArray) months = sb_stats_count_months (episodes, G_N_ELEMENTS (episodes),
                                                     utc (2024, 2, 20), tz, 3);
  const SbMonthCounts *dec, *jan, *feb;

  g_assert_cmpuint (months->len, ==, 3);
  dec = &g_array_index (months, SbMonthCounts, 0);
  jan = &g_array_index (months, SbMonthCounts, 1);
  feb = &g_array_index (months, SbMonthCounts, 2);
  g_assert_cmpint (dec->year, ==, 2023);
  g_assert_cmpint (dec->month, ==, 12);
  g_assert_cmpuint (dec->started_by_you, ==, 2);
  g_assert_cmpuint (dec->answered_by_them, ==, 1);
  g_assert_cmpuint (dec->started_by_them, ==, 0);
  g_assert_cmpint (jan->year, ==, 2024);
  g_assert_cmpint (jan->month, ==, 1);
  g_assert_cmpuint (jan->started_by_you + jan->started_by_them, ==, 0);
  g_assert_cmpint (feb->month, ==, 2);
  g_assert_cmpuint (feb->started_by_them, ==, 2);
  g_assert_cmpuint (feb->answered_by_you, ==, 1);
  g_assert_cmpuint (feb->started_by_you, ==, 1);
  g_assert_cmpuint (feb->answered_by_them, ==, 1);
  g_assert_cmpint (sb_stats_months_start (utc (2024, 2, 20), tz, 3), ==,
                   utc (2023, 12, 1) - 12 * 3600);
}

/* No episodes: every month present and empty; a year back crosses January. */
static void
test_count_months_empty (void)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_utc ();
  g_autoptr (GArray) months = sb_stats_count_months (NULL, 0, utc (2024, 1, 15), tz, 12);
  const SbMonthCounts *first = &g_array_index (months, SbMonthCounts, 0);
  const SbMonthCounts *last = &g_array_index (months, SbMonthCounts, 11);

  g_assert_cmpuint (months->len, ==, 12);
  g_assert_cmpint (first->year, ==, 2023);
  g_assert_cmpint (first->month, ==, 2);
  g_assert_cmpint (last->year, ==, 2024);
  g_assert_cmpint (last->month, ==, 1);
  g_assert_cmpuint (last->started_by_you, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (weights); i++)
    {
      g_autofree char *path = g_strdup_printf ("/stats/closeness-weight/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &weights[i], test_closeness_weight);
    }
  g_test_add_func ("/stats/compute", test_compute);
  g_test_add_func ("/stats/strong-tie", test_strong_tie);
  g_test_add_func ("/stats/cadence-needs-three", test_cadence_needs_three);
  g_test_add_func ("/stats/counts-add-remove", test_counts_add_remove);
  g_test_add_func ("/stats/count-months", test_count_months);
  g_test_add_func ("/stats/count-months-empty", test_count_months_empty);
  return g_test_run ();
}
