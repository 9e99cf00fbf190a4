/* The ledger: incremental updates must equal a full recomputation, whatever
 * order or path (live, out of order, duplicate, import, reopen) events take. */
#include <smileback/smileback.h>
#include "sb-test-util.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#define T0 (G_GINT64_CONSTANT (1700000000))

typedef struct
{
  char *dir;
  char *path;
  SbBuddyKey *key;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = sb_test_make_tmpdir ("sb-ledger-XXXXXX");
  f->path = g_build_filename (f->dir, "smileback.db", NULL);
  f->key = sb_buddy_key_new ("prpl-jabber", "me@localhost/pidgin", "bob@localhost");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  sb_test_remove_tree (f->dir);
  sb_buddy_key_free (f->key);
  g_free (f->dir);
  g_free (f->path);
}

/* A plausible random history: bursts of conversation separated by days, with
 * some auto-replies and unanswered openings. */
static GArray *
random_history (GRand *rand, guint n_events)
{
  GArray *events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  gint64 t = T0;
  for (guint i = 0; i < n_events; i++)
    {
      switch (g_rand_int_range (rand, 0, 10))
        {
        case 0: t += g_rand_int_range (rand, 1, 20) * SB_DAY; break;
        case 1: t += g_rand_int_range (rand, 5, 60) * SB_HOUR; break;
        default: t += g_rand_int_range (rand, 1, 900); break;
        }
      SbEvent event = {
        .time = t,
        .direction = g_rand_boolean (rand) ? SB_DIRECTION_OUT : SB_DIRECTION_IN,
        .kind = g_rand_int_range (rand, 0, 20) == 0 ? SB_EVENT_AUTO_REPLY : SB_EVENT_MESSAGE,
        .digest = i + 1,
      };
      g_array_append_val (events, event);
    }
  return events;
}

static int
compare_time (gconstpointer pa, gconstpointer pb)
{
  const SbEvent *a = pa, *b = pb;
  if (a->time != b->time)
    return a->time < b->time ? -1 : 1;
  if (a->direction != b->direction)
    return a->direction < b->direction ? -1 : 1;
  return (a->digest > b->digest) - (a->digest < b->digest);
}

/* What the figures must be: segment everything from scratch. */
static void
expected_stats (GArray *events, gint64 now, SbStats *stats)
{
  const SbParams params = SB_PARAMS_DEFAULT;
  g_autoptr (GArray) sorted = g_array_copy (events);
  g_array_sort (sorted, compare_time);
  g_autoptr (GArray) episodes = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  sb_episodes_segment ((const SbEvent *) sorted->data, sorted->len, &params, episodes);
  /* The ledger holds the last year in memory: compare the same span. */
  SbCounts all = { 0 };
  guint first = 0;
  for (guint i = 0; i < episodes->len; i++)
    {
      const SbEpisode *e = &g_array_index (episodes, SbEpisode, i);
      sb_counts_add_episode (&all, e, +1);
      if (e->start < now - SB_LEDGER_RECENT_S && i + 1 < episodes->len)
        first = i + 1;
    }
  sb_stats_compute (&g_array_index (episodes, SbEpisode, first), episodes->len - first, &all, now,
                    &params, stats);
}

static void
assert_stats_equal (const SbStats *got, const SbStats *want)
{
  g_assert_cmpuint (got->all.episodes, ==, want->all.episodes);
  g_assert_cmpuint (got->all.started_by_you, ==, want->all.started_by_you);
  g_assert_cmpuint (got->all.started_by_them, ==, want->all.started_by_them);
  g_assert_cmpuint (got->all.answered_by_them, ==, want->all.answered_by_them);
  g_assert_cmpuint (got->all.answered_by_you, ==, want->all.answered_by_you);
  g_assert_cmpuint (got->all.messages_sent, ==, want->all.messages_sent);
  g_assert_cmpuint (got->all.messages_received, ==, want->all.messages_received);
  g_assert_cmpint (got->all.last_episode, ==, want->all.last_episode);
  g_assert_cmpint (got->all.last_you_started, ==, want->all.last_you_started);
  g_assert_cmpuint (got->window.episodes, ==, want->window.episodes);
  g_assert_cmpint (got->median_latency_them_s, ==, want->median_latency_them_s);
  g_assert_cmpint (got->median_latency_you_s, ==, want->median_latency_you_s);
  g_assert_cmpint (got->cadence_s, ==, want->cadence_s);
  g_assert_cmpfloat_with_epsilon (got->closeness, want->closeness, 1e-9);
  g_assert_cmpint (got->strong_tie, ==, want->strong_tie);
  g_assert_cmpint (got->waiting_since, ==, want->waiting_since);
}

/* Closes @ledger (may be NULL) and opens the fixture's file again, as the
 * plugin does (nonblocking) when @nonblocking. */
static SbLedger *
reopen (Fixture *f, SbLedger *ledger, gint64 now, gboolean nonblocking)
{
  g_autoptr (GError) error = NULL;
  g_clear_pointer (&ledger, sb_ledger_free);
  ledger = sb_ledger_open (f->path, NULL, now, &error);
  g_assert_no_error (error);
  sb_ledger_set_nonblocking (ledger, nonblocking);
  return ledger;
}

static gint64
history_end (GArray *events)
{
  gint64 end = 0;
  for (guint i = 0; i < events->len; i++)
    end = MAX (end, g_array_index (events, SbEvent, i).time);
  return end + 3600;
}

static void
add_all (SbLedger *ledger, const SbBuddyKey *key, GArray *events, gint64 now)
{
  for (guint i = 0; i < events->len; i++)
    {
      g_autoptr (GError) error = NULL;
      gboolean is_new = FALSE;
      g_assert_true (sb_ledger_add_event (ledger, key, &g_array_index (events, SbEvent, i), now,
                                          &is_new, &error));
      g_assert_no_error (error);
    }
}

static void
test_in_order_equals_replay (Fixture *f, gconstpointer data)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (1);
  g_autoptr (GArray) events = random_history (rand, 800);
  gint64 now = history_end (events);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, now, &error);
  g_assert_no_error (error);
  add_all (ledger, f->key, events, now);

  SbStats want;
  expected_stats (events, now, &want);
  g_assert_cmpuint (want.all.episodes, >, 20);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);

  /* Reopen: the stored summary and episodes give the same figures. */
  ledger = reopen (f, g_steal_pointer (&ledger), now, FALSE);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);
}

static void
test_out_of_order (Fixture *f, gconstpointer data)
{
  /* Server timestamps a few minutes behind: swap neighbours now and then, and
   * now and then deliver a message hours late. */
  g_autoptr (GRand) rand = g_rand_new_with_seed (2);
  g_autoptr (GArray) events = random_history (rand, 600);
  g_autoptr (GArray) delivered = g_array_copy (events);
  for (guint i = 1; i < delivered->len; i++)
    if (g_rand_int_range (rand, 0, 8) == 0)
      {
        SbEvent tmp = g_array_index (delivered, SbEvent, i);
        g_array_index (delivered, SbEvent, i) = g_array_index (delivered, SbEvent, i - 1);
        g_array_index (delivered, SbEvent, i - 1) = tmp;
      }
  for (guint i = 0; i + 40 < delivered->len; i += 97)
    {
      SbEvent late = g_array_index (delivered, SbEvent, i);
      g_array_remove_index (delivered, i);
      g_array_insert_val (delivered, i + 39, late);
    }

  gint64 now = history_end (events);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, now, &error);
  add_all (ledger, f->key, delivered, now);

  SbStats want;
  expected_stats (events, now, &want);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);

  g_clear_pointer (&ledger, sb_ledger_free);
  ledger = sb_ledger_open (f->path, NULL, now, &error);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);
}

static void
test_duplicates_count_once (Fixture *f, gconstpointer data)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (3);
  g_autoptr (GArray) events = random_history (rand, 300);
  gint64 now = history_end (events);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, now, &error);
  add_all (ledger, f->key, events, now);

  /* The same messages again, live: none is new. */
  for (guint i = 0; i < events->len; i += 7)
    {
      gboolean is_new = TRUE;
      g_assert_true (sb_ledger_add_event (ledger, f->key, &g_array_index (events, SbEvent, i), now,
                                          &is_new, &error));
      g_assert_false (is_new);
    }
  /* And through import, twice. */
  for (int round = 0; round < 2; round++)
    {
      guint n_new = 99;
      g_assert_true (sb_ledger_add_events (ledger, f->key, (SbEvent *) events->data, events->len,
                                           now, &n_new, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n_new, ==, 0);
    }
  SbStats want;
  expected_stats (events, now, &want);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);

  /* After a restart, duplicates are still recognised (by the store now). */
  g_clear_pointer (&ledger, sb_ledger_free);
  ledger = sb_ledger_open (f->path, NULL, now, &error);
  gboolean is_new = TRUE;
  g_assert_true (sb_ledger_add_event (ledger, f->key,
                                      &g_array_index (events, SbEvent, events->len - 1), now,
                                      &is_new, &error));
  g_assert_false (is_new);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);
}

static void
test_import_merges_with_live (Fixture *f, gconstpointer data)
{
  /* Live capture saw the second half; logs then bring the whole history. */
  g_autoptr (GRand) rand = g_rand_new_with_seed (4);
  g_autoptr (GArray) events = random_history (rand, 500);
  gint64 now = history_end (events);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, now, &error);

  g_autoptr (GArray) live = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  g_array_append_vals (live, &g_array_index (events, SbEvent, 250), 250);
  add_all (ledger, f->key, live, now);

  /* Import file by file, in chronological chunks of 50, the later ones overlapping live. */
  guint total_new = 0;
  for (guint i = 0; i < events->len; i += 50)
    {
      guint n_new = 0;
      g_assert_true (sb_ledger_add_events (ledger, f->key, &g_array_index (events, SbEvent, i),
                                           MIN (50, events->len - i), now, &n_new, &error));
      total_new += n_new;
    }
  g_assert_cmpuint (total_new, ==, 250);

  SbStats want;
  expected_stats (events, now, &want);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);

  /* Live messages after the import keep taking the fast path correctly. */
  SbEvent next = { .time = now + 60, .direction = SB_DIRECTION_IN, .kind = SB_EVENT_MESSAGE, .digest = 424242 };
  g_assert_true (sb_ledger_add_event (ledger, f->key, &next, now + 120, NULL, &error));
  g_array_append_val (events, next);
  expected_stats (events, now + 120, &want);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);
}

static void
test_bulk_repeats_within_batch (Fixture *f, gconstpointer data)
{
  /* Two copies of the same log in one batch, out of order: each message
   * counts once, and the store holds it once. */
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  g_autoptr (GArray) events = random_history (rand, 400);
  gint64 now = history_end (events);
  g_autoptr (GArray) twice = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  for (guint i = events->len; i > 0; i--)
    g_array_append_val (twice, g_array_index (events, SbEvent, i - 1));
  g_array_append_vals (twice, events->data, events->len);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, now, &error);
  guint n_new = 0;
  g_assert_true (sb_ledger_add_events (ledger, f->key, (SbEvent *) twice->data, twice->len, now,
                                       &n_new, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, events->len);
  SbStats want;
  expected_stats (events, now, &want);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);

  g_assert_true (sb_ledger_flush (ledger, &error));
  g_autoptr (GArray) stored = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  SbStore *store = sb_ledger_get_store (ledger);
  gint64 id = sb_store_lookup_buddy (store, f->key, FALSE, &error);
  g_assert_cmpint (id, >, 0);
  g_assert_true (sb_store_load_events (store, id, 0, stored, &error));
  g_assert_cmpuint (stored->len, ==, events->len);
  g_clear_pointer (&ledger, sb_ledger_free);
  ledger = sb_ledger_open (f->path, NULL, now, &error);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);
}

static void
test_bulk_rows_ahead_of_figures (Fixture *f, gconstpointer data)
{
  /* A crash left rows the figures do not count yet (written, their summary
   * not).  Importing the same messages again must not count them twice. */
  g_autoptr (GRand) rand = g_rand_new_with_seed (12);
  g_autoptr (GArray) events = random_history (rand, 300);
  gint64 now = history_end (events);
  g_autoptr (GError) error = NULL;
  guint half = events->len / 2;
  {
    g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, now, &error);
    g_assert_true (sb_ledger_add_events (ledger, f->key, (SbEvent *) events->data, half, now, NULL,
                                         &error));
    g_assert_no_error (error);
  }
  /* the second half's rows, behind the ledger's back */
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO events (buddy_id, time, direction, kind, digest,"
                                       " source, flags, size_bucket) SELECT id, ?1, ?2, ?3, ?4, 0, 0, 0"
                                       " FROM buddies",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  for (guint i = half; i < events->len; i++)
    {
      const SbEvent *e = &g_array_index (events, SbEvent, i);
      sqlite3_bind_int64 (stmt, 1, e->time);
      sqlite3_bind_int (stmt, 2, e->direction);
      sqlite3_bind_int (stmt, 3, e->kind);
      sqlite3_bind_int64 (stmt, 4, (gint64) e->digest);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  /* the whole history again, with one message after it */
  SbEvent next = { .time = now + 60, .direction = SB_DIRECTION_IN, .kind = SB_EVENT_MESSAGE,
                   .digest = 777777 };
  g_autoptr (GArray) again = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  g_array_append_vals (again, &g_array_index (events, SbEvent, half), events->len - half);
  g_array_append_val (again, next);
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, now + 120, &error);
  guint n_new = 0;
  g_assert_true (sb_ledger_add_events (ledger, f->key, (SbEvent *) again->data, again->len,
                                       now + 120, &n_new, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, 1);
  /* re-segmented from the stored rows: every message counted once */
  g_array_append_val (events, next);
  SbStats want;
  expected_stats (events, now + 120, &want);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);
}

static void
changed_cb (SbLedger *ledger, const SbBuddyKey *key, gpointer user_data)
{
  guint *calls = user_data;
  (*calls)++;
}

static void
test_track_forget_changed (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, T0, &error);
  guint calls = 0;
  sb_ledger_set_changed_func (ledger, changed_cb, &calls);

  SbEvent hello = { .time = T0, .direction = SB_DIRECTION_OUT, .kind = SB_EVENT_MESSAGE, .digest = 1 };
  g_assert_true (sb_ledger_add_event (ledger, f->key, &hello, T0, NULL, &error));
  g_assert_cmpuint (calls, ==, 1);
  g_assert_nonnull (sb_ledger_get_stats (ledger, f->key));

  g_assert_true (sb_ledger_set_tracked (ledger, f->key, FALSE, &error));
  g_assert_false (sb_ledger_is_tracked (ledger, f->key));
  SbEvent reply = { .time = T0 + 5, .direction = SB_DIRECTION_IN, .kind = SB_EVENT_MESSAGE, .digest = 2 };
  g_assert_false (sb_ledger_add_event (ledger, f->key, &reply, T0, NULL, &error));
  g_assert_error (error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_UNTRACKED);
  g_clear_error (&error);
  g_assert_cmpuint (sb_ledger_get_stats (ledger, f->key)->all.answered_by_them, ==, 0);

  /* "Don't track" survives a restart. */
  g_clear_pointer (&ledger, sb_ledger_free);
  ledger = sb_ledger_open (f->path, NULL, T0, &error);
  g_assert_false (sb_ledger_is_tracked (ledger, f->key));
  sb_ledger_set_changed_func (ledger, changed_cb, &calls);

  g_assert_true (sb_ledger_forget_buddy (ledger, f->key, &error));
  g_assert_null (sb_ledger_get_stats (ledger, f->key));
  g_assert_cmpuint (calls, ==, 2);
  g_clear_pointer (&ledger, sb_ledger_free);
  ledger = sb_ledger_open (f->path, NULL, T0, &error);
  g_assert_null (sb_ledger_get_stats (ledger, f->key));
  g_assert_true (sb_ledger_is_tracked (ledger, f->key)); /* forgotten: a stranger again */
  /* Forgetting someone never seen is fine. */
  g_autoptr (SbBuddyKey) stranger = sb_buddy_key_new ("p", "a", "nobody");
  g_assert_true (sb_ledger_forget_buddy (ledger, stranger, &error));
  g_assert_no_error (error);
}

typedef struct
{
  const char *name;
  SbEvent event;
} BadEvent;

static const BadEvent bad_events[] = {
  { "zero-time", { .time = 0, .kind = SB_EVENT_MESSAGE } },
  { "negative-time", { .time = -5, .kind = SB_EVENT_MESSAGE } },
  { "bad-direction", { .time = T0, .direction = 7, .kind = SB_EVENT_MESSAGE } },
  { "bad-kind", { .time = T0, .kind = 99 } },
};

static void
test_bad_event (gconstpointer data)
{
  const BadEvent *bad = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (":memory:", NULL, T0, &error);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("p", "a", "b");
  g_assert_false (sb_ledger_add_event (ledger, key, &bad->event, T0, NULL, &error));
  g_assert_error (error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sb_ledger_add_events (ledger, key, &bad->event, 1, T0, NULL, &error));
  g_assert_error (error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_INVALID);
  g_assert_null (sb_ledger_get_stats (ledger, key));
}

static void
test_bad_params (void)
{
  g_autoptr (GError) error = NULL;
  SbParams params = { 0, 10, 10 };
  g_assert_null (sb_ledger_open (":memory:", &params, T0, &error));
  g_assert_error (error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sb_params_validate (&params, &error));
  g_assert_error (error, SB_PARAMS_ERROR, SB_PARAMS_ERROR_INVALID);
  g_clear_error (&error);

  g_autoptr (SbLedger) ledger = sb_ledger_open (":memory:", NULL, T0, &error);
  g_assert_false (sb_ledger_set_params (ledger, &params, T0, &error));
  g_assert_error (error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_INVALID);
}

static void
test_set_params_resegments (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, T0, &error);
  /* Two bursts 3 hours apart: one episode with G = 6 h, two with G = 1 h. */
  const SbEvent script[] = {
    { .time = T0, .direction = SB_DIRECTION_OUT, .digest = 1 },
    { .time = T0 + 60, .direction = SB_DIRECTION_IN, .digest = 2 },
    { .time = T0 + 3 * 3600, .direction = SB_DIRECTION_OUT, .digest = 3 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (script); i++)
    g_assert_true (sb_ledger_add_event (ledger, f->key, &script[i], T0 + 4 * 3600, NULL, &error));
  g_assert_cmpuint (sb_ledger_get_stats (ledger, f->key)->all.episodes, ==, 1);

  SbParams params = SB_PARAMS_DEFAULT;
  params.gap_s = 3600;
  params.answer_s = 1800;
  g_assert_true (sb_ledger_set_params (ledger, &params, T0 + 4 * 3600, &error));
  g_assert_no_error (error);
  const SbStats *stats = sb_ledger_get_stats (ledger, f->key);
  g_assert_cmpuint (stats->all.episodes, ==, 2);
  g_assert_cmpuint (stats->all.started_by_you, ==, 2);
  g_assert_cmpint (stats->unanswered_since, ==, T0 + 3 * 3600);
}

static void
test_refresh_ages (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, T0, &error);
  const SbEvent script[] = {
    { .time = T0, .direction = SB_DIRECTION_OUT, .digest = 1 },
    { .time = T0 + 60, .direction = SB_DIRECTION_IN, .digest = 2 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (script); i++)
    g_assert_true (sb_ledger_add_event (ledger, f->key, &script[i], T0 + 60, NULL, &error));
  g_assert_cmpfloat (sb_ledger_get_stats (ledger, f->key)->closeness, ==, 1.0);
  sb_ledger_refresh (ledger, T0 + 60 * SB_DAY);
  g_assert_cmpfloat_with_epsilon (sb_ledger_get_stats (ledger, f->key)->closeness, 0.3, 1e-9);
  sb_ledger_refresh (ledger, T0 + 400 * SB_DAY);
  const SbStats *stats = sb_ledger_get_stats (ledger, f->key);
  g_assert_cmpfloat (stats->closeness, ==, 0.0);
  g_assert_cmpuint (stats->window.episodes, ==, 0);
  g_assert_cmpuint (stats->all.episodes, ==, 1);
}

/* Sends @text from @name at @time, as live capture would. */
static void
receive_text (SbLedger *ledger, const char *name, gint64 time, const char *text, gint64 now)
{
  g_autofree char *jid = g_strdup_printf ("%s@localhost", name);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", "me@localhost", jid);
  gsize len = 0;
  const guint8 *secret = sb_ledger_get_secret (ledger, &len);
  g_autofree char *visible = sb_text_normalize (text);
  SbEvent event = { .time = time, .direction = SB_DIRECTION_IN, .kind = SB_EVENT_MESSAGE,
                    .digest = sb_text_digest (secret, len, text),
                    .size_bucket = sb_size_bucket (g_utf8_strlen (visible, -1)) };
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_ledger_add_event (ledger, key, &event, now, NULL, &error));
  g_assert_no_error (error);
}

static const SbStats *
stats_of (SbLedger *ledger, const char *name)
{
  g_autofree char *jid = g_strdup_printf ("%s@localhost", name);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", "me@localhost", jid);
  return sb_ledger_get_stats (ledger, key);
}

static void
say_to (SbLedger *ledger, const char *name, gint64 time, gint64 now)
{
  g_autofree char *jid = g_strdup_printf ("%s@localhost", name);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", "me@localhost", jid);
  SbEvent event = { .time = time, .direction = SB_DIRECTION_OUT, .kind = SB_EVENT_MESSAGE,
                    .digest = (guint64) time };
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_ledger_add_event (ledger, key, &event, now, NULL, &error));
}

static void
test_automated_live (Fixture *f, gconstpointer data)
{
  const char *spam = "<b>Win</b> a FREE   phone: http://example.org/win";
  gint64 now = T0 + 7 * SB_DAY;
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, now, &error);

  /* Anna's message answered the user's, until it turned out to be spam. */
  say_to (ledger, "anna", T0, now);
  receive_text (ledger, "anna", T0 + 60, spam, now);
  g_assert_cmpuint (stats_of (ledger, "anna")->all.answered_by_them, ==, 1);

  receive_text (ledger, "bert", T0 + 2 * SB_DAY, spam, now);
  g_assert_cmpuint (stats_of (ledger, "bert")->all.automated, ==, 0);
  /* The same text twice from one buddy is not three buddies. */
  receive_text (ledger, "bert", T0 + 3 * SB_DAY, "win a free phone: http://example.org/win", now);
  g_assert_cmpuint (stats_of (ledger, "anna")->all.answered_by_them, ==, 1);

  /* A third buddy within 7 days: all of them are automated. */
  receive_text (ledger, "cleo", T0 + 6 * SB_DAY, spam, now);
  g_assert_cmpuint (stats_of (ledger, "anna")->all.answered_by_them, ==, 0);
  g_assert_cmpuint (stats_of (ledger, "anna")->all.automated, ==, 1);
  g_assert_null (stats_of (ledger, "bert")); /* nothing but automated texts */
  g_assert_null (stats_of (ledger, "cleo"));

  /* And after a restart, a fourth is recognised at once. */
  g_clear_pointer (&ledger, sb_ledger_free);
  ledger = sb_ledger_open (f->path, NULL, now, &error);
  g_assert_cmpuint (stats_of (ledger, "anna")->all.answered_by_them, ==, 0);
  g_assert_cmpuint (stats_of (ledger, "anna")->all.automated, ==, 1);
  receive_text (ledger, "dora", T0 + 7 * SB_DAY, spam, now);
  g_assert_null (stats_of (ledger, "dora"));
  say_to (ledger, "dora", T0 + 7 * SB_DAY + 60, now);
  g_assert_cmpuint (stats_of (ledger, "dora")->all.started_by_you, ==, 1);
  g_assert_cmpuint (stats_of (ledger, "dora")->all.automated, ==, 1);
}

static void
test_automated_needs_three_within_window (Fixture *f, gconstpointer data)
{
  gint64 now = T0 + 30 * SB_DAY;
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, now, &error);
  /* Three buddies, but spread over 13 days: no 7-day window holds all three. */
  receive_text (ledger, "anna", T0 + 10 * SB_DAY, "happy birthday!", now);
  receive_text (ledger, "bert", T0 + 15 * SB_DAY, "happy birthday!", now);
  receive_text (ledger, "cleo", T0 + 23 * SB_DAY, "happy birthday!", now);
  for (const char *const *name = (const char *const[]){ "anna", "bert", "cleo", NULL }; *name; name++)
    {
      g_assert_cmpuint (stats_of (ledger, *name)->all.started_by_them, ==, 1);
      g_assert_cmpuint (stats_of (ledger, *name)->all.automated, ==, 0);
    }
  guint marked = 99;
  g_assert_true (sb_ledger_detect_automated (ledger, &marked, &error));
  g_assert_cmpuint (marked, ==, 0);
}

static void
test_automated_not_short_replies (Fixture *f, gconstpointer data)
{
  /* "haha" from three friends in a day is three friends laughing. */
  gint64 now = T0 + 2 * SB_DAY;
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, now, &error);
  for (const char *const *name = (const char *const[]){ "anna", "bert", "cleo", NULL }; *name; name++)
    {
      say_to (ledger, *name, T0, now);
      receive_text (ledger, *name, T0 + 60, "haha", now);
      g_assert_cmpuint (stats_of (ledger, *name)->all.answered_by_them, ==, 1);
    }
  guint marked = 99;
  g_assert_true (sb_ledger_detect_automated (ledger, &marked, &error));
  g_assert_cmpuint (marked, ==, 0);
}

static void
test_automated_after_import (Fixture *f, gconstpointer data)
{
  /* Old logs: the detection pass finds what live capture never saw. */
  gint64 old = T0 - 400 * SB_DAY;
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, T0, &error);
  gsize len = 0;
  const guint8 *secret = sb_ledger_get_secret (ledger, &len);
  guint64 spam = sb_text_digest (secret, len, "Your account will be suspended");
  const char *names[] = { "anna", "bert", "cleo" };
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *jid = g_strdup_printf ("%s@localhost", names[i]);
      g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", "me@localhost", jid);
      SbEvent events[] = {
        { .time = old + i * SB_DAY, .direction = SB_DIRECTION_IN, .digest = spam, .size_bucket = 2,
          .source = SB_SOURCE_IMPORT },
        { .time = old + i * SB_DAY + 30, .direction = SB_DIRECTION_OUT, .digest = 1000 + i, .source = SB_SOURCE_IMPORT },
      };
      g_assert_true (sb_ledger_add_events (ledger, key, events, 2, T0, NULL, &error));
      g_assert_cmpuint (sb_ledger_get_stats (ledger, key)->all.started_by_them, ==, 1);
    }
  guint marked = 0;
  g_assert_true (sb_ledger_detect_automated (ledger, &marked, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (marked, ==, 3);
  for (int i = 0; i < 3; i++)
    {
      const SbStats *stats = stats_of (ledger, names[i]);
      g_assert_cmpuint (stats->all.started_by_them, ==, 0);
      g_assert_cmpuint (stats->all.started_by_you, ==, 1);
      g_assert_cmpuint (stats->all.automated, ==, 1);
    }
  /* Idempotent. */
  g_assert_true (sb_ledger_detect_automated (ledger, &marked, &error));
  g_assert_cmpuint (marked, ==, 0);
}

/* Imports @text from @name at @time, with a reply of the user's a minute later. */
static void
import_text (SbLedger *ledger, const char *name, gint64 time, const char *text, gint64 now)
{
  g_autofree char *jid = g_strdup_printf ("%s@localhost", name);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", "me@localhost", jid);
  gsize len = 0;
  const guint8 *secret = sb_ledger_get_secret (ledger, &len);
  SbEvent events[] = {
    { .time = time, .direction = SB_DIRECTION_IN, .digest = sb_text_digest (secret, len, text),
      .size_bucket = 2, .source = SB_SOURCE_IMPORT },
    { .time = time + 60, .direction = SB_DIRECTION_OUT, .digest = (guint64) time,
      .source = SB_SOURCE_IMPORT },
  };
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_ledger_add_events (ledger, key, events, G_N_ELEMENTS (events), now, NULL, &error));
  g_assert_no_error (error);
}

static void
assert_automated_once (SbLedger *ledger, const char *const *names)
{
  for (const char *const *name = names; *name != NULL; name++)
    {
      g_assert_cmpuint (stats_of (ledger, *name)->all.automated, ==, 1);
      g_assert_cmpuint (stats_of (ledger, *name)->all.started_by_them, ==, 0);
    }
}

static void
test_automated_live_then_import (Fixture *f, gconstpointer data)
{
  /* Two buddies' identical texts came live (two are not enough); a third's
   * arrives by import: the check after the import finds all three. */
  const char *spam = "Your account will be suspended, log in here";
  gint64 now = T0 + 7 * SB_DAY;
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, now, &error);
  receive_text (ledger, "anna", T0, spam, now);
  receive_text (ledger, "bert", T0 + SB_DAY, spam, now);
  g_assert_cmpuint (stats_of (ledger, "anna")->all.automated, ==, 0);
  import_text (ledger, "cleo", T0 - 2 * SB_DAY, spam, now);
  guint marked = 0;
  g_assert_true (sb_ledger_detect_automated (ledger, &marked, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (marked, ==, 3);
  g_assert_null (stats_of (ledger, "anna")); /* nothing but automated texts */
  g_assert_null (stats_of (ledger, "bert"));
  assert_automated_once (ledger, (const char *const[]){ "cleo", NULL });
  g_assert_cmpuint (stats_of (ledger, "cleo")->all.started_by_you, ==, 1);
  g_assert_true (sb_ledger_detect_automated (ledger, &marked, &error));
  g_assert_cmpuint (marked, ==, 0);
}

static void
test_automated_next_session (Fixture *f, gconstpointer data)
{
  /* Texts imported by a session that ended before its check: the next
   * session's check still finds them. */
  const char *spam = "Your account will be suspended, log in here";
  gint64 old = T0 - 400 * SB_DAY;
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, T0, &error);
  import_text (ledger, "anna", old, spam, T0);
  import_text (ledger, "bert", old + SB_DAY, spam, T0);
  import_text (ledger, "cleo", old + 2 * SB_DAY, spam, T0);
  g_clear_pointer (&ledger, sb_ledger_free);

  ledger = sb_ledger_open (f->path, NULL, T0, &error);
  guint marked = 0;
  g_assert_true (sb_ledger_detect_automated (ledger, &marked, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (marked, ==, 3);
  assert_automated_once (ledger, (const char *const[]){ "anna", "bert", "cleo", NULL });
  g_clear_pointer (&ledger, sb_ledger_free);

  ledger = sb_ledger_open (f->path, NULL, T0, &error);
  g_assert_true (sb_ledger_detect_automated (ledger, &marked, &error));
  g_assert_cmpuint (marked, ==, 0);
}

/* A file closed cleanly, then damaged where the quick open-time check does
 * not look (the episodes table): loading finds it, the file is moved aside,
 * never deleted, and a new history starts. */
static void
test_damaged_after_clean_close (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 root = 0;
  {
    g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, T0, &error);
    g_autoptr (GRand) rand = g_rand_new_with_seed (9);
    g_autoptr (GArray) events = random_history (rand, 2000);
    g_assert_true (sb_ledger_add_events (ledger, f->key, (SbEvent *) events->data, events->len, T0,
                                         NULL, &error));
    g_assert_true (sb_store_exec (sb_ledger_get_store (ledger), "PRAGMA wal_checkpoint(TRUNCATE)",
                                  &error));
  }
  {
    /* Find the episodes table's first page with a plain connection. */
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_stmt *stmt = NULL;
    sqlite3_prepare_v2 (db, "SELECT rootpage FROM sqlite_master WHERE name = 'episodes'", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    root = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
  g_autofree char *content = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (f->path, &content, &len, NULL));
  g_assert_cmpuint (len, >=, (gsize) root * 4096);
  memset (content + (root - 1) * 4096, 0x5a, 4096);
  g_assert_true (g_file_set_contents (f->path, content, (gssize) len, NULL));

  g_test_expect_message ("smileback-core", G_LOG_LEVEL_WARNING, "*moved aside*");
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->path, NULL, T0, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  const char *aside = sb_ledger_get_moved_aside (ledger);
  g_assert_nonnull (aside);
  g_assert_true (g_file_test (aside, G_FILE_TEST_IS_REGULAR));
  g_assert_null (sb_ledger_get_stats (ledger, f->key));
  SbEvent hello = { .time = T0, .direction = SB_DIRECTION_OUT, .kind = SB_EVENT_MESSAGE, .digest = 1 };
  g_assert_true (sb_ledger_add_event (ledger, f->key, &hello, T0, NULL, &error));
}

/* A copy of @events in a random order (every event once), for @rand. */
static GArray *
shuffled (GArray *events, GRand *rand)
{
  GArray *copy = g_array_copy (events);
  for (guint i = copy->len; i > 1; i--)
    {
      guint j = g_rand_int_range (rand, 0, (gint32) i);
      SbEvent tmp = g_array_index (copy, SbEvent, i - 1);
      g_array_index (copy, SbEvent, i - 1) = g_array_index (copy, SbEvent, j);
      g_array_index (copy, SbEvent, j) = tmp;
    }
  return copy;
}

/* A nonblocking ledger (the plugin's) holds what needs the store and places
 * it once committed: after a flush the figures are those of a replay, in
 * this session and the next, whatever the order. */
static void
test_nonblocking_equals_replay (Fixture *f, gconstpointer data)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (GArray) events = random_history (rand, 600);
  g_autoptr (GArray) order = shuffled (events, rand);
  gint64 now = history_end (events);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = reopen (f, NULL, now, TRUE);

  /* the first half, then (reopened, so the buddy's events are in the store
   * only) the rest, older ones included, and the first half again */
  g_autoptr (GArray) first = g_array_copy (order);
  g_array_set_size (first, order->len / 2);
  add_all (ledger, f->key, first, now);
  g_assert_true (sb_ledger_flush (ledger, &error));
  ledger = reopen (f, g_steal_pointer (&ledger), now, TRUE);
  add_all (ledger, f->key, order, now);
  g_assert_cmpuint (sb_ledger_pending (ledger), >, 0);
  g_assert_true (sb_ledger_flush (ledger, &error));
  g_assert_cmpuint (sb_ledger_pending (ledger), ==, 0);

  SbStats want;
  expected_stats (events, now, &want);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);
  ledger = reopen (f, g_steal_pointer (&ledger), now, FALSE);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);
}

/* Thousands of messages within one second all count, once. */
static void
test_same_second_burst (Fixture *f, gconstpointer data)
{
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  for (guint i = 0; i < 3000; i++)
    {
      SbEvent event = { .time = T0, .direction = SB_DIRECTION_IN, .kind = SB_EVENT_MESSAGE,
                        .digest = i + 1 };
      g_array_append_val (events, event);
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = reopen (f, NULL, T0, TRUE);
  add_all (ledger, f->key, events, T0);
  add_all (ledger, f->key, events, T0); /* each again: duplicates */
  g_assert_true (sb_ledger_flush (ledger, &error));
  g_assert_cmpuint (sb_ledger_get_stats (ledger, f->key)->all.messages_received, ==, 3000);
}

/* Saving while another connection holds the write lock keeps the events in
 * the journal; the next session replays them and removes it. */
static void
test_journal (Fixture *f, gconstpointer data)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (3);
  g_autoptr (GArray) events = random_history (rand, 200);
  gint64 now = history_end (events);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = reopen (f, NULL, now, TRUE);

  sqlite3 *other = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);
  add_all (ledger, f->key, events, now);
  guint kept = 0;
  g_assert_true (sb_ledger_save (ledger, 300, &kept, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kept, ==, events->len);
  g_clear_pointer (&ledger, sb_ledger_free);
  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);

  g_autofree char *journal = sb_ledger_journal_path (f->path);
  g_assert_true (g_file_test (journal, G_FILE_TEST_EXISTS));
  ledger = reopen (f, NULL, now, TRUE);
  guint replayed = 0;
  g_assert_true (sb_ledger_replay_journal (ledger, now, &replayed, &error));
  g_assert_cmpuint (replayed, ==, events->len);
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  SbStats want;
  expected_stats (events, now, &want);
  assert_stats_equal (sb_ledger_get_stats (ledger, f->key), &want);
}

/* A damaged journal: lines that are not the journal's (a name emptied, a
 * field lost, another version, noise) are passed over; the others count. */
static void
test_journal_damaged (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *journal = sb_ledger_journal_path (f->path);
  g_autofree char *good = g_strdup_printf ("1\tprpl-jabber\tme@localhost\tbob@localhost\t%"
                                           G_GINT64_FORMAT "\t%d\t%d\t0\t0\t0\t42\n",
                                           T0, SB_DIRECTION_IN, SB_EVENT_MESSAGE);
  g_autofree char *text = g_strconcat ("1\tprpl-jabber\tme@localhost\t\t1700000000\t1\t0\t0\t0\t0\t7\n",
                                       "1\t\t\t\t1\t1\t0\t0\t0\t0\t7\n",
                                       "1\tprpl-jabber\tme@localhost\n",
                                       "2\tprpl-jabber\tme@localhost\tbob@localhost\t1\t1\t0\t0\t0\t0\t7\n",
                                       "\xff\xfe not a journal\n", good, NULL);
  g_assert_true (g_file_set_contents (journal, text, -1, &error));
  g_autoptr (SbLedger) ledger = reopen (f, NULL, T0, TRUE);
  guint replayed = 0;
  g_assert_true (sb_ledger_replay_journal (ledger, T0, &replayed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (replayed, ==, 1);
  g_autoptr (SbBuddyKey) bob = sb_buddy_key_new ("prpl-jabber", "me@localhost", "bob@localhost");
  g_assert_cmpuint (sb_ledger_get_stats (ledger, bob)->all.messages_received, ==, 1);
}

/* While commits fail, SB_STORE_QUEUE_MAX writes wait and no more: past it
 * an event is refused with SB_STORE_ERROR_FULL and nothing of it changes;
 * once the lock goes everything accepted is saved and events are taken
 * again. */
static void
test_queue_bound (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = reopen (f, NULL, T0, TRUE);
  sqlite3 *other = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);

  guint accepted = 0;
  SbEvent event = { .time = T0, .direction = SB_DIRECTION_IN, .kind = SB_EVENT_MESSAGE };
  for (; accepted < 10; accepted++)
    {
      event.digest = accepted + 1;
      g_assert_true (sb_ledger_add_event (ledger, f->key, &event, T0, NULL, &error));
    }
  /* the writer's first commit fails on the lock */
  while (sb_ledger_flush_in_background (ledger, &error))
    g_usleep (50 * 1000);
  g_assert_error (error, SB_STORE_ERROR, SB_STORE_ERROR_BUSY);
  g_clear_error (&error);
  for (;; accepted++)
    {
      event.time = T0 + accepted;
      event.digest = accepted + 1;
      if (!sb_ledger_add_event (ledger, f->key, &event, T0, NULL, &error))
        break;
    }
  g_assert_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FULL);
  g_clear_error (&error);
  g_assert_cmpuint (sb_ledger_pending (ledger), <=, SB_STORE_QUEUE_MAX + 3);
  g_test_message ("%u messages waited before the next was refused", accepted);

  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);
  g_assert_true (sb_ledger_flush (ledger, &error));
  g_assert_true (sb_ledger_add_event (ledger, f->key, &event, T0, NULL, &error));
  g_assert_no_error (error);
  ledger = reopen (f, g_steal_pointer (&ledger), T0 + accepted, FALSE);
  g_assert_cmpuint (sb_ledger_get_stats (ledger, f->key)->all.messages_received, ==, accepted + 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/ledger/in-order-equals-replay", test_in_order_equals_replay);
  ADD ("/ledger/nonblocking-equals-replay", test_nonblocking_equals_replay);
  ADD ("/ledger/same-second-burst", test_same_second_burst);
  ADD ("/ledger/journal", test_journal);
  ADD ("/ledger/journal-damaged", test_journal_damaged);
  ADD ("/ledger/queue-bound", test_queue_bound);
  ADD ("/ledger/out-of-order", test_out_of_order);
  ADD ("/ledger/duplicates-count-once", test_duplicates_count_once);
  ADD ("/ledger/import-merges-with-live", test_import_merges_with_live);
  ADD ("/ledger/bulk/repeats-within-a-batch", test_bulk_repeats_within_batch);
  ADD ("/ledger/bulk/rows-ahead-of-figures", test_bulk_rows_ahead_of_figures);
  ADD ("/ledger/track-forget-changed", test_track_forget_changed);
  ADD ("/ledger/set-params-resegments", test_set_params_resegments);
  ADD ("/ledger/refresh-ages", test_refresh_ages);
  ADD ("/ledger/damaged-after-clean-close", test_damaged_after_clean_close);
  ADD ("/ledger/automated/live", test_automated_live);
  ADD ("/ledger/automated/needs-three-within-window", test_automated_needs_three_within_window);
  ADD ("/ledger/automated/after-import", test_automated_after_import);
  ADD ("/ledger/automated/not-short-replies", test_automated_not_short_replies);
  ADD ("/ledger/automated/live-then-import", test_automated_live_then_import);
  ADD ("/ledger/automated/next-session", test_automated_next_session);
#undef ADD
  for (gsize i = 0; i < G_N_ELEMENTS (bad_events); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ledger/bad-event/%s", bad_events[i].name);
      g_test_add_data_func (path, &bad_events[i], test_bad_event);
    }
  g_test_add_func ("/ledger/bad-params", test_bad_params);
  return g_test_run ();
}
