/* The planner over simulated history: rhythm learned and clamped, manual
 * intervals, counting from the last contact, the daily cap, quiet hours,
 * presence, snooze and mute across a restart, backlog and sign-on floods,
 * reply nudges that come and go, and how prompts worked out.
 *
 * History goes through the real ledger into a SQLite file; time is simulated
 * (noon UTC on a fixed day, and the planner is given UTC as "local").
 */
#include <smileback/smileback.h>
#include <smileback/sb-room-store.h>
#include "sb-test-util.h"

#include <glib/gstdio.h>

#define DAY SB_DAY
#define HOUR SB_HOUR
/* 2025-03-03 12:00:00 UTC, a Monday. */
#define NOON (G_GINT64_CONSTANT (1741003200))

typedef struct
{
  char *dir;
  char *path;
  SbLedger *ledger;
  SbPlanner *planner;
  GTimeZone *utc;
  guint64 digest;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = sb_test_make_tmpdir ("sb-planner-XXXXXX");
  f->path = g_build_filename (f->dir, "smileback.db", NULL);
  g_autoptr (GError) error = NULL;
  f->ledger = sb_ledger_open (f->path, NULL, NOON - 400 * DAY, &error);
  g_assert_no_error (error);
  f->planner = sb_planner_new (sb_ledger_get_store (f->ledger), &error);
  g_assert_no_error (error);
  f->utc = g_time_zone_new_utc ();
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  sb_planner_free (f->planner);
  sb_ledger_free (f->ledger);
  g_time_zone_unref (f->utc);
  sb_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* Reopens ledger and planner from the file, as after a restart. */
static void
restart (Fixture *f, gint64 now)
{
  sb_planner_free (f->planner);
  sb_ledger_free (f->ledger);
  g_autoptr (GError) error = NULL;
  f->ledger = sb_ledger_open (f->path, NULL, now, &error);
  g_assert_no_error (error);
  f->planner = sb_planner_new (sb_ledger_get_store (f->ledger), &error);
  g_assert_no_error (error);
}

static SbBuddyKey *
key_for (const char *name)
{
  g_autofree char *jid = g_strdup_printf ("%s@localhost", name);
  return sb_buddy_key_new ("prpl-jabber", "me@localhost", jid);
}

static void
say (Fixture *f, const char *name, gint64 time, SbDirection direction, guint flags)
{
  g_autoptr (SbBuddyKey) key = key_for (name);
  SbEvent event = { .time = time, .direction = direction, .kind = SB_EVENT_MESSAGE,
                    .flags = flags, .digest = ++f->digest };
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_ledger_add_event (f->ledger, key, &event, time, NULL, &error));
  g_assert_no_error (error);
}

/* A conversation at @time: one side opens, the other answers a minute later. */
static void
chat (Fixture *f, const char *name, gint64 time, SbDirection opener)
{
  say (f, name, time, opener, 0);
  say (f, name, time + 60, opener == SB_DIRECTION_OUT ? SB_DIRECTION_IN : SB_DIRECTION_OUT, 0);
}

/* A conversation every @every seconds for a year, ending at @last. */
static void
rhythm (Fixture *f, const char *name, gint64 every, gint64 last)
{
  gint64 first = last - (365 * DAY / every) * every;
  int n = 0;
  for (gint64 t = first; t <= last; t += every, n++)
    chat (f, name, t, n % 2 == 0 ? SB_DIRECTION_OUT : SB_DIRECTION_IN);
}

/* The planner's view of the buddies, as the plugin would build it. */
typedef struct
{
  GPtrArray *keys;
  GArray *buddies; /* SbPlannerBuddy */
} View;

static void
view_free (View *view)
{
  g_ptr_array_unref (view->keys);
  g_array_unref (view->buddies);
  g_free (view);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (View, view_free)

static View *
view_new (Fixture *f, const char *const *names, gint64 now)
{
  View *view = g_new0 (View, 1);
  view->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_buddy_key_free);
  view->buddies = g_array_new (FALSE, TRUE, sizeof (SbPlannerBuddy));
  /* the plugin plans on a timer, long after the writer committed the
   * buddies, and pairs are looked up among committed rows */
  g_assert_true (sb_ledger_flush (f->ledger, NULL));
  sb_ledger_refresh (f->ledger, now);
  for (const char *const *name = names; *name != NULL; name++)
    {
      SbBuddyKey *key = key_for (*name);
      g_ptr_array_add (view->keys, key);
      SbPlannerBuddy buddy = { .key = key, .stats = sb_ledger_get_stats (f->ledger, key) };
      g_array_append_val (view->buddies, buddy);
    }
  return view;
}

static SbPlannerBuddy *
view_buddy (View *view, guint i)
{
  return &g_array_index (view->buddies, SbPlannerBuddy, i);
}

static SbPlannerMoment
moment_at (Fixture *f, gint64 now)
{
  return (SbPlannerMoment){ .now = now, .tz = f->utc, .available = TRUE };
}

/* The prompts sb_planner_next() gives, as "kind:name" joined by commas. */
static char *
next_names (Fixture *f, View *view, const SbPlannerMoment *moment)
{
  g_autoptr (GPtrArray) prompts = sb_planner_next (f->planner, (SbPlannerBuddy *) view->buddies->data,
                                                   view->buddies->len, moment);
  GString *text = g_string_new (NULL);
  for (guint i = 0; i < prompts->len; i++)
    {
      const SbPrompt *p = g_ptr_array_index (prompts, i);
      g_autofree char *user = g_strndup (p->key->buddy, strcspn (p->key->buddy, "@"));
      g_string_append_printf (text, "%s%c:%s", i > 0 ? "," : "", "RNFCIVQ"[p->kind], user);
    }
  return g_string_free (text, FALSE);
}

static void
test_cadence_learned_and_clamped (Fixture *f, gconstpointer data)
{
  gint64 last = NOON - 30 * DAY;
  rhythm (f, "weekly", 7 * DAY, last);
  rhythm (f, "daily", 1 * DAY, last);
  rhythm (f, "quarterly", 100 * DAY, last);

  const SbPlannerPrefs *prefs = sb_planner_get_prefs (f->planner);
  const char *names[] = { "weekly", "daily", "quarterly", NULL };
  g_autoptr (View) view = view_new (f, names, NOON);
  g_assert_cmpint (view_buddy (view, 0)->stats->cadence_s, ==, 7 * DAY);
  g_assert_cmpint (sb_planner_due_interval (prefs, view_buddy (view, 0)->stats, 0), ==, 21 * DAY / 2);
  g_assert_cmpint (sb_planner_due_interval (prefs, view_buddy (view, 1)->stats, 0), ==, 7 * DAY);
  g_assert_cmpint (sb_planner_due_interval (prefs, view_buddy (view, 2)->stats, 0), ==, 90 * DAY);

  /* A month of silence: weekly and daily friends are due, the quarterly one is not. */
  SbPlannerMoment moment = moment_at (f, NOON);
  g_autoptr (GPtrArray) due = sb_planner_list_due (f->planner, (SbPlannerBuddy *) view->buddies->data,
                                                   view->buddies->len, &moment);
  g_assert_cmpuint (due->len, ==, 2);
  for (guint i = 0; i < due->len; i++)
    g_assert_cmpint (((SbPrompt *) g_ptr_array_index (due, i))->kind, ==, SB_PROMPT_REACH_OUT);

  /* Just before and after the weekly friend's 10.5 days. */
  g_autoptr (View) early = view_new (f, names, last + 60 + 10 * DAY);
  moment = moment_at (f, last + 60 + 10 * DAY);
  g_autofree char *before = next_names (f, early, &moment);
  g_assert_cmpstr (before, ==, "R:daily");
  g_autoptr (View) later = view_new (f, names, last + 60 + 11 * DAY);
  moment = moment_at (f, last + 60 + 11 * DAY);
  g_autofree char *after = next_names (f, later, &moment);
  g_assert_nonnull (strstr (after, "R:weekly"));
}

static void
test_manual_interval (Fixture *f, gconstpointer data)
{
  rhythm (f, "bob", 7 * DAY, NOON - 20 * DAY);
  const char *names[] = { "bob", NULL };
  g_autoptr (View) view = view_new (f, names, NOON);
  SbPlannerMoment moment = moment_at (f, NOON);

  view_buddy (view, 0)->keep_in_touch_s = 30 * DAY; /* "every month": not yet */
  g_autofree char *monthly = next_names (f, view, &moment);
  g_assert_cmpstr (monthly, ==, "");
  view_buddy (view, 0)->keep_in_touch_s = 14 * DAY; /* "every 2 weeks": due */
  g_autofree char *fortnightly = next_names (f, view, &moment);
  g_assert_cmpstr (fortnightly, ==, "R:bob");
  view_buddy (view, 0)->keep_in_touch_s = -1; /* "no reminders" */
  g_autofree char *never = next_names (f, view, &moment);
  g_assert_cmpstr (never, ==, "");
}

static void
test_needs_history_and_an_answer (Fixture *f, gconstpointer data)
{
  /* Two conversations are not enough; three one-sided ones are not either. */
  chat (f, "brief", NOON - 200 * DAY, SB_DIRECTION_OUT);
  chat (f, "brief", NOON - 100 * DAY, SB_DIRECTION_IN);
  for (int i = 0; i < 4; i++)
    say (f, "ignored", NOON - (200 - 30 * i) * DAY, SB_DIRECTION_OUT, 0);
  const char *names[] = { "brief", "ignored", "stranger", NULL };
  g_autoptr (View) view = view_new (f, names, NOON);
  g_assert_null (view_buddy (view, 2)->stats);
  SbPlannerMoment moment = moment_at (f, NOON);
  g_autofree char *got = next_names (f, view, &moment);
  g_assert_cmpstr (got, ==, "");
}

static void
test_counts_from_last_contact (Fixture *f, gconstpointer data)
{
  rhythm (f, "bob", 7 * DAY, NOON - 20 * DAY);
  const char *names[] = { "bob", NULL };
  g_autoptr (View) view = view_new (f, names, NOON);
  SbPlannerMoment moment = moment_at (f, NOON);
  g_autoptr (GPtrArray) prompts = sb_planner_next (f->planner, view_buddy (view, 0), 1, &moment);
  g_assert_cmpuint (prompts->len, ==, 1);
  SbPrompt *prompt = g_ptr_array_index (prompts, 0);
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_planner_shown (f->planner, prompt, NOON, &error));
  g_assert_true (sb_planner_answer (f->planner, prompt, SB_ANSWER_DISMISSED, 0, NOON + 60, &error));

  /* The next day, still due, from the same last contact: the reminder did not reset it. */
  g_autoptr (View) tomorrow = view_new (f, names, NOON + DAY);
  moment = moment_at (f, NOON + DAY);
  g_autoptr (GPtrArray) again = sb_planner_next (f->planner, view_buddy (tomorrow, 0), 1, &moment);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpint (((SbPrompt *) g_ptr_array_index (again, 0))->since, ==, prompt->since);

  /* Real contact resets it. */
  chat (f, "bob", NOON + DAY + HOUR, SB_DIRECTION_OUT);
  g_autoptr (View) after = view_new (f, names, NOON + 2 * DAY);
  moment = moment_at (f, NOON + 2 * DAY);
  g_autofree char *got = next_names (f, after, &moment);
  g_assert_cmpstr (got, ==, "");
}

static void
test_daily_cap (Fixture *f, gconstpointer data)
{
  const char *names[] = { "a", "b", "c", "d", "e", NULL };
  for (int i = 0; names[i] != NULL; i++)
    rhythm (f, names[i], 7 * DAY, NOON - (20 + i) * DAY);
  g_autoptr (View) view = view_new (f, names, NOON);
  SbPlannerMoment moment = moment_at (f, NOON);

  g_autoptr (GPtrArray) first = sb_planner_next (f->planner, (SbPlannerBuddy *) view->buddies->data, 5, &moment);
  g_assert_cmpuint (first->len, ==, 3);
  /* Ranked by closeness x overdue: the three best of the five. */
  g_autoptr (GPtrArray) all = sb_planner_list_due (f->planner, (SbPlannerBuddy *) view->buddies->data, 5, &moment);
  g_assert_cmpuint (all->len, ==, 5);
  for (guint i = 0; i < first->len; i++)
    g_assert_cmpstr (((SbPrompt *) g_ptr_array_index (first, i))->key->buddy, ==,
                     ((SbPrompt *) g_ptr_array_index (all, i))->key->buddy);
  for (guint i = 1; i < all->len; i++)
    g_assert_cmpfloat (((SbPrompt *) g_ptr_array_index (all, i - 1))->score, >=,
                       ((SbPrompt *) g_ptr_array_index (all, i))->score);
  g_autoptr (GError) error = NULL;
  for (guint i = 0; i < first->len; i++)
    {
      SbPrompt *p = g_ptr_array_index (first, i);
      g_assert_true (sb_planner_shown (f->planner, p, NOON, &error));
      g_assert_true (sb_planner_answer (f->planner, p, SB_ANSWER_DONE, 0, NOON + 10, &error));
    }
  moment.now = NOON + 3 * HOUR;
  g_autofree char *later_today = next_names (f, view, &moment);
  g_assert_cmpstr (later_today, ==, "");

  /* A new day, a new allowance (answered prompts stay answered, the others come). */
  g_autoptr (View) tomorrow = view_new (f, names, NOON + DAY);
  moment = moment_at (f, NOON + DAY);
  g_autoptr (GPtrArray) next_day = sb_planner_next (f->planner, (SbPlannerBuddy *) tomorrow->buddies->data, 5, &moment);
  g_assert_cmpuint (next_day->len, ==, 3);
}

static void
test_quiet_hours_and_presence (Fixture *f, gconstpointer data)
{
  rhythm (f, "bob", 7 * DAY, NOON - 30 * DAY);
  const char *names[] = { "bob", NULL };
  g_autoptr (View) view = view_new (f, names, NOON);

  const struct
  {
    gint64 at;
    gboolean available;
    gint64 quiet_until;
    const char *expected;
  } cases[] = {
    { NOON, TRUE, 0, "R:bob" },
    { NOON + 11 * HOUR, TRUE, 0, "" },          /* 23:00 */
    { NOON + 19 * HOUR + 59 * 60, TRUE, 0, "" }, /* 07:59 */
    { NOON + 20 * HOUR, TRUE, 0, "R:bob" },     /* 08:00 */
    { NOON, FALSE, 0, "" },                      /* away, busy or invisible */
    { NOON, TRUE, NOON + 120, "" },              /* just signed on */
    { NOON + 121, TRUE, NOON + 120, "R:bob" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SbPlannerMoment moment = moment_at (f, cases[i].at);
      moment.available = cases[i].available;
      moment.quiet_until = cases[i].quiet_until;
      g_autofree char *got = next_names (f, view, &moment);
      g_assert_cmpstr (got, ==, cases[i].expected);
    }

  /* Quiet hours are the user's: none at all when start equals end. */
  SbPlannerPrefs prefs = *sb_planner_get_prefs (f->planner);
  prefs.quiet_start_minute = prefs.quiet_end_minute = 0;
  sb_planner_set_prefs (f->planner, &prefs);
  SbPlannerMoment night = moment_at (f, NOON + 11 * HOUR);
  g_autofree char *got = next_names (f, view, &night);
  g_assert_cmpstr (got, ==, "R:bob");
}

static void
test_online_first_and_one_per_buddy (Fixture *f, gconstpointer data)
{
  rhythm (f, "close", 7 * DAY, NOON - 40 * DAY);
  rhythm (f, "online", 7 * DAY, NOON - 20 * DAY);
  /* "close" also wrote yesterday morning and is waiting for an answer. */
  say (f, "close", NOON - 26 * HOUR, SB_DIRECTION_IN, 0);
  const char *names[] = { "close", "online", NULL };
  g_autoptr (View) view = view_new (f, names, NOON);
  view_buddy (view, 1)->online = TRUE;
  /* "Keep in touch every day" with "close": a reach-out is due too. */
  view_buddy (view, 0)->keep_in_touch_s = DAY;
  SbPlannerMoment moment = moment_at (f, NOON);
  g_autofree char *got = next_names (f, view, &moment);
  /* Online first; one prompt for "close" though two are due. */
  g_assert_cmpstr (got, ==, "R:online,N:close");

  g_autoptr (GPtrArray) due = sb_planner_list_due (f->planner, (SbPlannerBuddy *) view->buddies->data, 2, &moment);
  g_assert_cmpuint (due->len, ==, 3);

  /* While a prompt for "close" is open, nothing more for them. */
  g_autoptr (GPtrArray) shown = sb_planner_next (f->planner, (SbPlannerBuddy *) view->buddies->data, 2, &moment);
  SbPrompt *nudge = g_ptr_array_index (shown, 1);
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_planner_shown (f->planner, nudge, NOON, &error));
  g_assert_true (sb_planner_is_open (f->planner, nudge->key, SB_PROMPT_REPLY_NUDGE));
  view_buddy (view, 1)->online = FALSE;
  g_autofree char *after = next_names (f, view, &moment);
  g_assert_cmpstr (after, ==, "R:online");
}

static void
test_snooze_and_mute_survive_restart (Fixture *f, gconstpointer data)
{
  rhythm (f, "snoozy", 7 * DAY, NOON - 20 * DAY);
  rhythm (f, "muted", 7 * DAY, NOON - 20 * DAY);
  const char *names[] = { "snoozy", "muted", NULL };
  g_autoptr (View) view = view_new (f, names, NOON);
  SbPlannerMoment moment = moment_at (f, NOON);
  g_autoptr (GPtrArray) prompts = sb_planner_next (f->planner, (SbPlannerBuddy *) view->buddies->data, 2, &moment);
  g_assert_cmpuint (prompts->len, ==, 2);
  g_autoptr (GError) error = NULL;
  for (guint i = 0; i < 2; i++)
    {
      SbPrompt *p = g_ptr_array_index (prompts, i);
      g_assert_true (sb_planner_shown (f->planner, p, NOON, &error));
      gboolean mute = g_str_has_prefix (p->key->buddy, "muted");
      g_assert_true (sb_planner_answer (f->planner, p, mute ? SB_ANSWER_MUTE : SB_ANSWER_LATER,
                                        NOON + 7 * DAY, NOON + 5, &error));
    }

  restart (f, NOON + DAY);
  g_autoptr (View) day1 = view_new (f, names, NOON + DAY);
  moment = moment_at (f, NOON + DAY);
  g_autofree char *snoozed = next_names (f, day1, &moment);
  g_assert_cmpstr (snoozed, ==, "");
  g_assert_true (sb_planner_is_muted (f->planner, view_buddy (day1, 1)->key, SB_PROMPT_REACH_OUT));

  restart (f, NOON + 8 * DAY);
  g_autoptr (View) day8 = view_new (f, names, NOON + 8 * DAY);
  moment = moment_at (f, NOON + 8 * DAY);
  g_autofree char *woke = next_names (f, day8, &moment);
  g_assert_cmpstr (woke, ==, "R:snoozy");

  g_assert_true (sb_planner_unmute (f->planner, view_buddy (day8, 1)->key, SB_PROMPT_REACH_OUT, &error));
  g_autofree char *unmuted = next_names (f, day8, &moment);
  g_assert_cmpstr (unmuted, ==, "R:muted,R:snoozy");
}

static void
test_reply_nudge_comes_and_goes (Fixture *f, gconstpointer data)
{
  chat (f, "bob", NOON - 3 * DAY, SB_DIRECTION_OUT);
  say (f, "bob", NOON, SB_DIRECTION_IN, 0);
  /* Alice's message came as backlog (offline delivery): no live nudge. */
  say (f, "alice", NOON, SB_DIRECTION_IN, SB_EVENT_FLAG_BACKLOG);
  const char *names[] = { "bob", "alice", NULL };

  const struct
  {
    gint64 at;
    const char *expected;
  } cases[] = {
    { NOON + 11 * HOUR, "" },            /* not yet 12 hours (and 23:00, but see prefs) */
    { NOON + 13 * HOUR, "N:bob" },
    { NOON + 6 * DAY, "N:bob" },
    { NOON + 7 * DAY, "" },              /* too old to nudge */
  };
  SbPlannerPrefs prefs = *sb_planner_get_prefs (f->planner);
  prefs.quiet_start_minute = prefs.quiet_end_minute = 0;
  sb_planner_set_prefs (f->planner, &prefs);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (View) view = view_new (f, names, cases[i].at);
      SbPlannerMoment moment = moment_at (f, cases[i].at);
      g_autofree char *got = next_names (f, view, &moment);
      g_assert_cmpstr (got, ==, cases[i].expected);
    }

  /* Shown, then the user answers: it no longer stands. */
  g_autoptr (View) view = view_new (f, names, NOON + 13 * HOUR);
  SbPlannerMoment moment = moment_at (f, NOON + 13 * HOUR);
  g_autoptr (GPtrArray) prompts = sb_planner_next (f->planner, view_buddy (view, 0), 1, &moment);
  SbPrompt *nudge = g_ptr_array_index (prompts, 0);
  g_assert_true (sb_planner_still_due (f->planner, nudge, view_buddy (view, 0), &moment));
  say (f, "bob", NOON + 13 * HOUR + 30, SB_DIRECTION_OUT, 0);
  g_autoptr (View) answered = view_new (f, names, NOON + 13 * HOUR + 60);
  moment.now += 60;
  g_assert_false (sb_planner_still_due (f->planner, nudge, view_buddy (answered, 0), &moment));
}

static void
test_follow_up_off_by_default (Fixture *f, gconstpointer data)
{
  chat (f, "bob", NOON - 10 * DAY, SB_DIRECTION_IN);
  say (f, "bob", NOON - 4 * DAY, SB_DIRECTION_OUT, 0);
  const char *names[] = { "bob", NULL };
  g_autoptr (View) view = view_new (f, names, NOON);
  SbPlannerMoment moment = moment_at (f, NOON);
  g_autofree char *off = next_names (f, view, &moment);
  g_assert_cmpstr (off, ==, "");
  SbPlannerPrefs prefs = *sb_planner_get_prefs (f->planner);
  prefs.follow_up = TRUE;
  sb_planner_set_prefs (f->planner, &prefs);
  g_autofree char *on = next_names (f, view, &moment);
  g_assert_cmpstr (on, ==, "F:bob");
}

static void
test_outcomes (Fixture *f, gconstpointer data)
{
  rhythm (f, "bob", 7 * DAY, NOON - 20 * DAY);
  rhythm (f, "carl", 7 * DAY, NOON - 20 * DAY);
  const char *names[] = { "bob", "carl", NULL };
  g_autoptr (View) view = view_new (f, names, NOON);
  SbPlannerMoment moment = moment_at (f, NOON);
  g_autoptr (GPtrArray) prompts = sb_planner_next (f->planner, (SbPlannerBuddy *) view->buddies->data, 2, &moment);
  g_autoptr (GError) error = NULL;
  for (guint i = 0; i < prompts->len; i++)
    g_assert_true (sb_planner_shown (f->planner, g_ptr_array_index (prompts, i), NOON, &error));
  /* The user writes to both within the hour; only Bob answers. */
  say (f, "bob", NOON + 10 * 60, SB_DIRECTION_OUT, 0);
  say (f, "carl", NOON + 20 * 60, SB_DIRECTION_OUT, 0);
  say (f, "bob", NOON + 2 * HOUR, SB_DIRECTION_IN, 0);
  SbPromptOutcomes outcomes;
  g_assert_true (sb_planner_outcomes (f->planner, SB_PROMPT_REACH_OUT, &outcomes, &error));
  g_assert_cmpuint (outcomes.shown, ==, 2);
  g_assert_cmpuint (outcomes.acted, ==, 2);
  g_assert_cmpuint (outcomes.smiled_back, ==, 1);
}

static void
test_year_of_history (Fixture *f, gconstpointer data)
{
  /* A simulated year, day by day at noon: prompts never exceed the cap, never
   * repeat for a buddy with an open one, and every friend who drifts is
   * reminded at some point. */
  const char *names[] = { "a", "b", "c", "d", "e", "f", NULL };
  const gint64 every[] = { 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 60 * DAY, 5 * DAY };
  gint64 start = NOON - 365 * DAY;
  GHashTable *reminded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (GError) error = NULL;
  guint total = 0;
  for (gint64 day = 0; day < 365; day++)
    {
      gint64 now = start + day * DAY;
      for (int i = 0; names[i] != NULL; i++)
        /* Each friend keeps their rhythm for half a year, then drifts off. */
        if (day < 180 && day % (every[i] / DAY) == 0)
          chat (f, names[i], now - 2 * HOUR, g_rand_boolean (rand) ? SB_DIRECTION_OUT : SB_DIRECTION_IN);
      g_autoptr (View) view = view_new (f, names, now);
      SbPlannerMoment moment = moment_at (f, now);
      g_autoptr (GPtrArray) prompts = sb_planner_next (f->planner, (SbPlannerBuddy *) view->buddies->data,
                                                       view->buddies->len, &moment);
      g_assert_cmpuint (prompts->len, <=, 3);
      for (guint i = 0; i < prompts->len; i++)
        {
          SbPrompt *p = g_ptr_array_index (prompts, i);
          g_assert_true (sb_planner_shown (f->planner, p, now, &error));
          g_assert_true (sb_planner_answer (f->planner, p, SB_ANSWER_LATER, now + 7 * DAY, now, &error));
          g_hash_table_add (reminded, g_strdup (p->key->buddy));
          total++;
        }
    }
  g_assert_cmpuint (g_hash_table_size (reminded), ==, 6);
  g_assert_cmpuint (total, <, 365 * 3);
  g_hash_table_unref (reminded);
}

static void
test_call_after_long_chat (Fixture *f, gconstpointer data)
{
  rhythm (f, "bob", 7 * DAY, NOON - 7 * DAY);
  /* Ten quick turns each way, ending five minutes ago. */
  gint64 start = NOON - 2 * HOUR;
  for (int i = 0; i < 10; i++)
    {
      say (f, "bob", start + i * 600, SB_DIRECTION_OUT, 0);
      say (f, "bob", start + i * 600 + 300, SB_DIRECTION_IN, 0);
    }
  const char *names[] = { "bob", NULL };
  gint64 now = start + 9 * 600 + 300 + 5 * 60;
  g_autoptr (View) view = view_new (f, names, now);
  g_assert_cmpuint (view_buddy (view, 0)->stats->latest_turns_in, ==, 10);
  SbPlannerMoment moment = moment_at (f, now);
  g_autoptr (GPtrArray) prompts = sb_planner_next (f->planner, view_buddy (view, 0), 1, &moment);
  g_assert_cmpuint (prompts->len, ==, 1);
  SbPrompt *call = g_ptr_array_index (prompts, 0);
  g_assert_cmpint (call->kind, ==, SB_PROMPT_CALL);
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_planner_shown (f->planner, call, now, &error));
  g_assert_true (sb_planner_answer (f->planner, call, SB_ANSWER_DONE, 0, now, &error));

  /* Another long chat two days later: not again within the week. */
  gint64 later = now + 2 * DAY;
  for (int i = 0; i < 40; i++)
    say (f, "bob", later + i * 60, i % 2 ? SB_DIRECTION_IN : SB_DIRECTION_OUT, 0);
  g_autoptr (View) view2 = view_new (f, names, later + 40 * 60);
  moment = moment_at (f, later + 40 * 60);
  g_autofree char *got = next_names (f, view2, &moment);
  g_assert_cmpstr (got, ==, "");
  /* A week on, a long chat may suggest a call again. */
  gint64 week = now + 8 * DAY;
  for (int i = 0; i < 30; i++)
    say (f, "bob", week + i * 60, i % 2 ? SB_DIRECTION_IN : SB_DIRECTION_OUT, 0);
  g_autoptr (View) view3 = view_new (f, names, week + 30 * 60);
  moment = moment_at (f, week + 30 * 60);
  g_autofree char *again = next_names (f, view3, &moment);
  g_assert_cmpstr (again, ==, "C:bob");
}

static void
chat_event (Fixture *f, const char *room, const char *member, SbChatKind kind, gint64 time)
{
  g_autofree char *jid = member != NULL ? g_strdup_printf ("%s@localhost", member) : NULL;
  SbChatEvent event = { .protocol = "prpl-jabber", .account = "me@localhost", .room = room,
                        .member = jid, .kind = kind, .time = time };
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_ledger_add_chat_event (f->ledger, &event, &error));
  g_assert_no_error (error);
}

/* Weekly two-way chats with each of @names for a year: strong ties. */
static View *
strong_ties (Fixture *f, const char *const *names)
{
  for (int i = 0; names[i] != NULL; i++)
    rhythm (f, names[i], 7 * DAY, NOON - (1 + i) * DAY);
  View *view = view_new (f, names, NOON);
  for (guint i = 0; i < view->buddies->len; i++)
    g_assert_true (view_buddy (view, i)->stats->strong_tie);
  return view;
}

static void
test_introductions (Fixture *f, gconstpointer data)
{
  const char *names[] = { "anna", "bert", "cleo", "dora", NULL };
  g_autoptr (View) view = strong_ties (f, names);
  view_buddy (view, 0)->group = "Climbing";
  view_buddy (view, 3)->group = "Climbing";
  /* Bert and Cleo were in a room together; Anna and Bert know each other. */
  chat_event (f, "book-club@conference.localhost", "bert", SB_CHAT_PRESENT, NOON - 30 * DAY);
  chat_event (f, "book-club@conference.localhost", "cleo", SB_CHAT_PRESENT, NOON - 30 * DAY);
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_planner_mark_pair (f->planner, view_buddy (view, 1)->key,
                                       view_buddy (view, 0)->key, FALSE, NOON, &error));

  SbPlannerMoment moment = moment_at (f, NOON);
  g_autoptr (GPtrArray) pairs = sb_planner_list_introductions (
      f->planner, (SbPlannerBuddy *) view->buddies->data, 4, &moment, &error);
  g_assert_no_error (error);
  /* Six pairs, less Bert-Cleo (seen together) and Anna-Bert (know each other). */
  g_assert_cmpuint (pairs->len, ==, 4);
  SbPrompt *best = g_ptr_array_index (pairs, 0);
  /* The shared group lifts Anna-Dora to the top. */
  g_assert_cmpstr (best->key->buddy, ==, "anna@localhost");
  g_assert_cmpstr (best->other->buddy, ==, "dora@localhost");

  g_autoptr (SbPrompt) first = sb_planner_next_introduction (f->planner, (SbPlannerBuddy *) view->buddies->data, 4, &moment);
  g_assert_nonnull (first);
  g_assert_true (sb_planner_shown (f->planner, first, NOON, &error));
  g_assert_true (sb_planner_mark_pair (f->planner, first->key, first->other, TRUE, NOON, &error));
  g_assert_true (sb_planner_answer (f->planner, first, SB_ANSWER_DONE, 0, NOON, &error));

  /* At most one a week, and never the same pair twice. */
  moment.now = NOON + 3 * DAY;
  g_autoptr (SbPrompt) too_soon = sb_planner_next_introduction (f->planner, (SbPlannerBuddy *) view->buddies->data, 4, &moment);
  g_assert_null (too_soon);
  moment.now = NOON + 8 * DAY;
  g_autoptr (SbPrompt) next_week = sb_planner_next_introduction (f->planner, (SbPlannerBuddy *) view->buddies->data, 4, &moment);
  g_assert_nonnull (next_week);
  g_assert_false (g_str_equal (next_week->key->buddy, "anna@localhost")
                  && g_str_equal (next_week->other->buddy, "dora@localhost"));

  /* Anna and Dora then meet in a room: a success. */
  guint introduced = 0, met = 0;
  g_assert_true (sb_planner_introduction_outcomes (f->planner, &introduced, &met, &error));
  g_assert_cmpuint (introduced, ==, 1);
  g_assert_cmpuint (met, ==, 0);
  chat_event (f, "crag@conference.localhost", "anna", SB_CHAT_PRESENT, NOON + DAY);
  chat_event (f, "crag@conference.localhost", "dora", SB_CHAT_PRESENT, NOON + DAY);
  g_assert_true (sb_planner_introduction_outcomes (f->planner, &introduced, &met, &error));
  g_assert_cmpuint (met, ==, 1);
}

/* Two members who answer each other in a room know each other, even with no
 * presence recorded (docs/design.md, "Group chats"). */
static void
test_introductions_room_answers (Fixture *f, gconstpointer data)
{
  const char *names[] = { "anna", "bert", "cleo", NULL };
  g_autoptr (View) view = strong_ties (f, names);
  const SbRoomKey room = { "prpl-jabber", "me@localhost", "crag@conference.localhost" };
  SbRoomEntry asked = { .time = NOON - DAY, .speaker = "anna@localhost", .digest = 1 };
  SbRoomEntry answer = { .time = NOON - DAY + 30, .speaker = "cleo@localhost", .digest = 2,
                         .has_parent = TRUE, .parent_time = NOON - DAY,
                         .parent_speaker = "anna@localhost", .confident = TRUE };
  g_autoptr (GError) error = NULL;
  SbStore *store = sb_ledger_get_store (f->ledger);
  g_assert_true (sb_store_add_room_line (store, &room, &asked, &error));
  g_assert_true (sb_store_add_room_line (store, &room, &answer, &error));

  SbPlannerMoment moment = moment_at (f, NOON);
  g_autoptr (GPtrArray) pairs = sb_planner_list_introductions (
      f->planner, (SbPlannerBuddy *) view->buddies->data, 3, &moment, &error);
  g_assert_no_error (error);
  /* Three pairs, less Anna-Cleo. */
  g_assert_cmpuint (pairs->len, ==, 2);
  for (guint i = 0; i < pairs->len; i++)
    {
      SbPrompt *pair = g_ptr_array_index (pairs, i);
      g_autofree char *names_of = g_strconcat (pair->key->buddy, " ", pair->other->buddy, NULL);
      g_assert_cmpstr (names_of, !=, "anna@localhost cleo@localhost");
      g_assert_cmpstr (names_of, !=, "cleo@localhost anna@localhost");
    }
}

static void
test_invitations (Fixture *f, gconstpointer data)
{
  const char *names[] = { "anna", "bert", "cleo", "dora", "emil", "finn", "gus", NULL };
  g_autoptr (View) view = strong_ties (f, names);
  /* A casual acquaintance: online, but no strong tie. */
  say (f, "hal", NOON - DAY, SB_DIRECTION_IN, 0);
  const char *room = "party@conference.localhost";
  for (guint i = 0; i < view->buddies->len; i++)
    view_buddy (view, i)->online = i != 6; /* gus is offline */
  chat_event (f, room, "emil", SB_CHAT_INVITE_SENT, NOON - 10 * DAY); /* invited recently */
  chat_event (f, room, "finn", SB_CHAT_INVITE_SENT, NOON - 40 * DAY); /* long ago: fine */
  const char *present[] = { "anna@localhost", NULL };

  SbPlannerMoment moment = moment_at (f, NOON + 11 * HOUR); /* quiet hours do not apply */
  g_autoptr (SbPrompt) prompt = sb_planner_invitation (f->planner, "prpl-jabber", "me@localhost",
                                                       room, present,
                                                       (SbPlannerBuddy *) view->buddies->data,
                                                       view->buddies->len, &moment);
  g_assert_nonnull (prompt);
  g_assert_cmpint (prompt->kind, ==, SB_PROMPT_INVITE);
  g_assert_cmpstr (prompt->room, ==, room);
  /* bert, cleo, dora, finn: not anna (there), emil (invited), gus (offline). */
  g_assert_cmpuint (prompt->invitees->len, ==, 4);
  for (guint i = 0; i < prompt->invitees->len; i++)
    {
      const SbBuddyKey *key = g_ptr_array_index (prompt->invitees, i);
      g_assert_false (g_str_has_prefix (key->buddy, "anna") || g_str_has_prefix (key->buddy, "emil")
                      || g_str_has_prefix (key->buddy, "gus"));
    }

  /* Another account, or the user away: nothing. */
  g_autoptr (SbPrompt) other = sb_planner_invitation (f->planner, "prpl-jabber", "work@localhost", room,
                                                      present, (SbPlannerBuddy *) view->buddies->data,
                                                      view->buddies->len, &moment);
  g_assert_null (other);
  moment.available = FALSE;
  g_autoptr (SbPrompt) away = sb_planner_invitation (f->planner, "prpl-jabber", "me@localhost", room,
                                                     present, (SbPlannerBuddy *) view->buddies->data,
                                                     view->buddies->len, &moment);
  g_assert_null (away);

  /* Finn, invited, joins: a success. */
  chat_event (f, room, "finn", SB_CHAT_INVITE_SENT, NOON + 11 * HOUR);
  chat_event (f, room, "finn", SB_CHAT_PRESENT, NOON + 12 * HOUR);
  guint invited = 0, joined = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_planner_invitation_outcomes (f->planner, &invited, &joined, &error));
  g_assert_cmpuint (invited, ==, 3);
  g_assert_cmpuint (joined, ==, 1);
}

static void
test_invitation_at_most_five (Fixture *f, gconstpointer data)
{
  const char *names[] = { "a", "b", "c", "d", "e", "f", "g", NULL };
  g_autoptr (View) view = strong_ties (f, names);
  for (guint i = 0; i < view->buddies->len; i++)
    view_buddy (view, i)->online = TRUE;
  SbPlannerMoment moment = moment_at (f, NOON);
  g_autoptr (SbPrompt) prompt = sb_planner_invitation (f->planner, "prpl-jabber", "me@localhost",
                                                       "r@conference.localhost", NULL,
                                                       (SbPlannerBuddy *) view->buddies->data,
                                                       view->buddies->len, &moment);
  g_assert_cmpuint (prompt->invitees->len, ==, SB_PLANNER_INVITE_MAX);
  g_autoptr (SbPrompt) copy = sb_prompt_copy (prompt);
  g_assert_cmpuint (copy->invitees->len, ==, SB_PLANNER_INVITE_MAX);
}

/* A question in a room: due after 10 minutes unanswered, while the user
 * wrote there within 30 minutes, from a strong tie only. */
static void
test_room_question_due (Fixture *f, gconstpointer data)
{
  g_autoptr (SbBuddyKey) anna = key_for ("anna");
  const SbStats strong = { .strong_tie = TRUE }, weak = { .strong_tie = FALSE };
  const gint64 asked = NOON;
  SbPlannerRoomQuestion q = { .key = anna, .room = "tea@conference.localhost",
                              .asked_at = asked, .user_spoke_at = asked - 60 };

  g_assert_false (sb_planner_room_question_due (&q, &strong, asked + 9 * 60));
  g_assert_false (sb_planner_room_question_due (&q, &strong, asked + 10 * 60 - 1));
  g_assert_true (sb_planner_room_question_due (&q, &strong, asked + 10 * 60));
  g_assert_cmpint (SB_PLANNER_ROOM_QUESTION_WAIT_S, ==, 10 * 60);
  /* Not a strong tie, or no history. */
  g_assert_false (sb_planner_room_question_due (&q, &weak, asked + 10 * 60));
  g_assert_false (sb_planner_room_question_due (&q, NULL, asked + 10 * 60));
  /* Answered. */
  q.answered = TRUE;
  g_assert_false (sb_planner_room_question_due (&q, &strong, asked + 10 * 60));
  q.answered = FALSE;
  /* The user inactive there: last line 31 minutes ago, or none. */
  q.user_spoke_at = asked + 10 * 60 - SB_PLANNER_ROOM_ACTIVE_S - 60;
  g_assert_false (sb_planner_room_question_due (&q, &strong, asked + 10 * 60));
  q.user_spoke_at = asked + 10 * 60 - SB_PLANNER_ROOM_ACTIVE_S;
  g_assert_true (sb_planner_room_question_due (&q, &strong, asked + 10 * 60));
  q.user_spoke_at = 0;
  g_assert_false (sb_planner_room_question_due (&q, &strong, asked + 10 * 60));

  /* A question ends with "?", white space aside. */
  g_assert_true (sb_planner_text_is_question ("anyone tried the new place?"));
  g_assert_true (sb_planner_text_is_question ("  really?  \n"));
  g_assert_true (sb_planner_text_is_question ("\302\277qu\303\251 tal?"));
  g_assert_false (sb_planner_text_is_question ("ok, see you there."));
  g_assert_false (sb_planner_text_is_question ("why? because"));
  g_assert_false (sb_planner_text_is_question ("   "));
  g_assert_false (sb_planner_text_is_question (NULL));
}

/* The due question goes through sb_planner_next() with every manner: quiet
 * hours, presence, the sign-on flood, the daily cap, one open prompt per
 * buddy, "Not for NAME". */
static void
test_room_question_manners (Fixture *f, gconstpointer data)
{
  const char *names[] = { "anna", "bert", NULL };
  g_autoptr (View) view = strong_ties (f, names);
  const gint64 asked = NOON;
  SbPlannerRoomQuestion q = { .key = view_buddy (view, 0)->key, .room = "tea@conference.localhost",
                              .asked_at = asked, .user_spoke_at = asked };
  SbPlannerMoment moment = moment_at (f, asked + 10 * 60);
  moment.questions = &q;
  moment.n_questions = 1;

  g_autofree char *due = next_names (f, view, &moment);
  g_assert_cmpstr (due, ==, "Q:anna");
  g_autoptr (GPtrArray) listed = sb_planner_list_due (f->planner, (SbPlannerBuddy *) view->buddies->data,
                                                      view->buddies->len, &moment);
  g_assert_cmpuint (listed->len, ==, 1);
  SbPrompt *prompt = g_ptr_array_index (listed, 0);
  g_assert_cmpint (prompt->kind, ==, SB_PROMPT_ROOM_QUESTION);
  g_assert_cmpstr (prompt->room, ==, "tea@conference.localhost");
  g_assert_cmpint (prompt->since, ==, asked);

  /* Not before 10 minutes. */
  SbPlannerMoment early = moment;
  early.now = asked + 9 * 60;
  g_autofree char *none = next_names (f, view, &early);
  g_assert_cmpstr (none, ==, "");

  /* Away, the sign-on flood, quiet hours (the user is still "active": the
   * line was just before 23:00). */
  SbPlannerMoment away = moment;
  away.available = FALSE;
  g_autofree char *got_away = next_names (f, view, &away);
  g_assert_cmpstr (got_away, ==, "");
  SbPlannerMoment flood = moment;
  flood.quiet_until = moment.now + 60;
  g_autofree char *got_flood = next_names (f, view, &flood);
  g_assert_cmpstr (got_flood, ==, "");
  SbPlannerRoomQuestion late = q;
  late.asked_at = late.user_spoke_at = NOON + 11 * HOUR - 10 * 60;
  SbPlannerMoment night = moment_at (f, NOON + 11 * HOUR);
  night.questions = &late;
  night.n_questions = 1;
  g_autofree char *got_night = next_names (f, view, &night);
  g_assert_cmpstr (got_night, ==, "");

  /* Shown: open, so nothing more for anna; the day's cap counts it. */
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_planner_shown (f->planner, prompt, moment.now, &error));
  g_assert_no_error (error);
  g_autofree char *open = next_names (f, view, &moment);
  g_assert_cmpstr (open, ==, "");
  g_assert_true (sb_planner_answer (f->planner, prompt, SB_ANSWER_DISMISSED, 0, moment.now, &error));
  SbPlannerPrefs prefs = *sb_planner_get_prefs (f->planner);
  prefs.max_per_day = 1;
  sb_planner_set_prefs (f->planner, &prefs);
  g_autofree char *capped = next_names (f, view, &moment);
  g_assert_cmpstr (capped, ==, "");
  prefs.max_per_day = 3;
  sb_planner_set_prefs (f->planner, &prefs);
  g_autofree char *again = next_names (f, view, &moment);
  g_assert_cmpstr (again, ==, "Q:anna");

  /* "Not for anna". */
  g_assert_true (sb_planner_answer (f->planner, prompt, SB_ANSWER_MUTE, 0, moment.now, &error));
  g_assert_no_error (error);
  g_autofree char *muted = next_names (f, view, &moment);
  g_assert_cmpstr (muted, ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/planner/reach-out/cadence-learned-and-clamped", test_cadence_learned_and_clamped);
  ADD ("/planner/reach-out/manual-interval", test_manual_interval);
  ADD ("/planner/reach-out/needs-history-and-an-answer", test_needs_history_and_an_answer);
  ADD ("/planner/reach-out/counts-from-last-contact", test_counts_from_last_contact);
  ADD ("/planner/manners/daily-cap", test_daily_cap);
  ADD ("/planner/manners/quiet-hours-and-presence", test_quiet_hours_and_presence);
  ADD ("/planner/manners/online-first-one-per-buddy", test_online_first_and_one_per_buddy);
  ADD ("/planner/answers/snooze-and-mute-survive-restart", test_snooze_and_mute_survive_restart);
  ADD ("/planner/reply-nudge/comes-and-goes", test_reply_nudge_comes_and_goes);
  ADD ("/planner/follow-up/off-by-default", test_follow_up_off_by_default);
  ADD ("/planner/outcomes", test_outcomes);
  ADD ("/planner/simulated-year", test_year_of_history);
  ADD ("/planner/call/after-long-chat", test_call_after_long_chat);
  ADD ("/planner/introductions", test_introductions);
  ADD ("/planner/introductions/room-answers", test_introductions_room_answers);
  ADD ("/planner/invitations", test_invitations);
  ADD ("/planner/invitations/at-most-five", test_invitation_at_most_five);
  ADD ("/planner/room-question/due", test_room_question_due);
  ADD ("/planner/room-question/manners", test_room_question_manners);
#undef ADD
  return g_test_run ();
}
