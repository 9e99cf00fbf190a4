/* test-hint.c: the verdict beside a buddy, its wording, and the tooltip figures
 * (sb-hint.c).  Table-driven: each case builds an SbStats by hand, the way the
 * core plugin's cache holds them, and checks the words a person would read.
 */
#include <string.h>

#include "smileback/sb-hint.h"

#define NOW (G_GINT64_CONSTANT (1700000000))

/* SbStats with @you and @them episodes started, every start answered, nothing
 * pending, the latest episode @ago seconds before NOW. */
static SbStats
make_stats (guint you, guint them, gint64 ago)
{
  SbStats s = { 0 };

  s.all.episodes = you + them;
  s.all.started_by_you = you;
  s.all.started_by_them = them;
  s.all.answered_by_them = you;
  s.all.answered_by_you = them;
  s.all.last_episode = s.all.episodes > 0 ? NOW - ago : 0;
  s.window = s.all;
  s.median_latency_them_s = -1;
  s.median_latency_you_s = -1;
  s.cadence_s = -1;
  return s;
}

typedef struct
{
  const char *path;
  guint you;
  guint them;
  guint window_you;  /* G_MAXUINT: same as all time */
  guint window_them;
  gint64 waiting_ago;    /* 0: not pending; else the buddy's unanswered start, seconds ago */
  gint64 unanswered_ago; /* 0: not pending; else the user's unanswered start, seconds ago */
  SbHintKind expected;
} ClassifyCase;

static const ClassifyCase classify_cases[] = {
  { "/hint/classify/none", 0, 0, G_MAXUINT, 0, 0, 0, SB_HINT_NONE },
  { "/hint/classify/new-one", 1, 0, G_MAXUINT, 0, 0, 0, SB_HINT_NEW },
  { "/hint/classify/new-three", 3, 0, G_MAXUINT, 0, 0, 0, SB_HINT_NEW },
  { "/hint/classify/new-even-when-pending", 2, 1, G_MAXUINT, 0, SB_HOUR, 0, SB_HINT_NEW },
  { "/hint/classify/you-always-start", 4, 0, G_MAXUINT, 0, 0, 0, SB_HINT_YOU_ALWAYS_START },
  { "/hint/classify/you-start-four-in-five", 8, 2, G_MAXUINT, 0, 0, 0, SB_HINT_YOU_ALWAYS_START },
  { "/hint/classify/mutual-three-in-four", 3, 1, G_MAXUINT, 0, 0, 0, SB_HINT_MUTUAL },
  { "/hint/classify/mutual-even", 5, 5, G_MAXUINT, 0, 0, 0, SB_HINT_MUTUAL },
  { "/hint/classify/they-always-start", 0, 4, G_MAXUINT, 0, 0, 0, SB_HINT_THEY_ALWAYS_START },
  { "/hint/classify/they-start-four-in-five", 2, 8, G_MAXUINT, 0, 0, 0, SB_HINT_THEY_ALWAYS_START },
  { "/hint/classify/you-owe-a-reply", 5, 5, G_MAXUINT, 0, 3 * SB_HOUR, 0, SB_HINT_YOU_OWE_A_REPLY },
  { "/hint/classify/owes-you-a-reply", 5, 5, G_MAXUINT, 0, 0, 3 * SB_HOUR, SB_HINT_OWES_YOU_A_REPLY },
  { "/hint/classify/pending-expires", 8, 0, G_MAXUINT, 0, 0, 15 * SB_DAY, SB_HINT_YOU_ALWAYS_START },
  { "/hint/classify/window-wins", 0, 10, 4, 0, 0, 0, SB_HINT_YOU_ALWAYS_START },
  { "/hint/classify/small-window-uses-all-time", 0, 10, 2, 0, 0, 0, SB_HINT_THEY_ALWAYS_START },
};

static void
test_classify (gconstpointer data)
{
  const ClassifyCase *c = data;
  SbStats s = make_stats (c->you, c->them, SB_HOUR);

  if (c->window_you != G_MAXUINT)
    {
      s.window = make_stats (c->window_you, c->window_them, SB_HOUR).all;
    }
  if (c->waiting_ago != 0)
    s.waiting_since = NOW - c->waiting_ago;
  if (c->unanswered_ago != 0)
    s.unanswered_since = NOW - c->unanswered_ago;

  g_assert_cmpint (sb_hint_classify (&s, NOW), ==, c->expected);
}

static void
test_classify_null (void)
{
  g_assert_cmpint (sb_hint_classify (NULL, NOW), ==, SB_HINT_NONE);
}

/* Every label is short, plain text, and distinct; NONE has none. */
static void
test_labels (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_null (sb_hint_label (SB_HINT_NONE));
  g_assert_null (sb_hint_label (SB_HINT_LAST));
  for (int k = SB_HINT_NEW; k < SB_HINT_LAST; k++)
    {
      const char *label = sb_hint_label (k);

      g_assert_nonnull (label);
      g_assert_cmpuint (g_utf8_strlen (label, -1), <, 24);
      g_assert_null (strpbrk (label, "<>&"));
      g_assert_false (g_hash_table_contains (seen, label));
      g_hash_table_add (seen, (gpointer) label);
    }
  g_assert_cmpstr (sb_hint_label (SB_HINT_MUTUAL), ==, "mutual");
  g_assert_cmpstr (sb_hint_label (SB_HINT_YOU_ALWAYS_START), ==, "you always start");
  g_assert_cmpstr (sb_hint_label (SB_HINT_THEY_ALWAYS_START), ==, "they always start");
  g_assert_cmpstr (sb_hint_label (SB_HINT_OWES_YOU_A_REPLY), ==, "owes you a reply");
  g_assert_cmpstr (sb_hint_label (SB_HINT_YOU_OWE_A_REPLY), ==, "you owe a reply");
  g_assert_cmpstr (sb_hint_label (SB_HINT_NEW), ==, "new");
}

typedef struct
{
  const char *path;
  gint64 seconds;
  const char *expected;
} DurationCase;

static const DurationCase duration_cases[] = {
  { "/hint/duration/negative", -5, "less than a minute" },
  { "/hint/duration/seconds", 59, "less than a minute" },
  { "/hint/duration/one-minute", 60, "1 minute" },
  { "/hint/duration/minutes", 90 * 60, "90 minutes" },
  { "/hint/duration/hours", 5 * SB_HOUR + 59 * 60, "5 hours" },
  { "/hint/duration/one-day-in-hours", SB_DAY, "24 hours" },
  { "/hint/duration/days", 10 * SB_DAY, "10 days" },
  { "/hint/duration/weeks", 21 * SB_DAY, "3 weeks" },
  { "/hint/duration/months", 100 * SB_DAY, "3 months" },
  { "/hint/duration/one-year", 400 * SB_DAY, "1 year" },
  { "/hint/duration/years", 3 * 366 * SB_DAY, "3 years" },
};

static void
test_duration (gconstpointer data)
{
  const DurationCase *c = data;
  g_autofree char *text = sb_hint_format_duration (c->seconds);

  g_assert_cmpstr (text, ==, c->expected);
}

static void
test_ago (void)
{
  g_autofree char *past = sb_hint_format_ago (NOW - 21 * SB_DAY, NOW);
  g_autofree char *now = sb_hint_format_ago (NOW - 10, NOW);
  g_autofree char *future = sb_hint_format_ago (NOW + 3 * SB_DAY, NOW);

  g_assert_cmpstr (past, ==, "3 weeks ago");
  g_assert_cmpstr (now, ==, "just now");
  g_assert_cmpstr (future, ==, "in 3 days");
}

typedef struct
{
  const char *path;
  guint you;
  guint them;
  guint answered; /* answered episodes, of the user's starts first */
  gint64 cadence_s;
  int keep_days;
  gint64 expected;
} DueCase;

static const DueCase due_cases[] = {
  { "/hint/due/learned", 3, 3, 6, 10 * SB_DAY, 0, 15 * SB_DAY },
  { "/hint/due/clamped-low", 3, 3, 6, SB_DAY, 0, 7 * SB_DAY },
  { "/hint/due/clamped-high", 3, 3, 6, 200 * SB_DAY, 0, 90 * SB_DAY },
  { "/hint/due/keep-in-touch", 3, 3, 6, 10 * SB_DAY, 30, 30 * SB_DAY },
  { "/hint/due/reminders-off", 3, 3, 6, 10 * SB_DAY, -1, -1 },
  { "/hint/due/too-few-episodes", 1, 1, 2, 10 * SB_DAY, 0, -1 },
  { "/hint/due/never-answered", 5, 0, 0, 10 * SB_DAY, 0, -1 },
  { "/hint/due/never-answered-even-with-setting", 5, 0, 0, 10 * SB_DAY, 14, -1 },
  { "/hint/due/no-cadence-waits-longest", 3, 3, 6, -1, 0, 90 * SB_DAY },
  { "/hint/due/no-cadence-with-setting", 3, 3, 6, -1, 7, 7 * SB_DAY },
};

static void
test_due (gconstpointer data)
{
  const DueCase *c = data;
  SbStats s = make_stats (c->you, c->them, SB_DAY);

  s.all.answered_by_them = MIN (c->answered, c->you);
  s.all.answered_by_you = c->answered - s.all.answered_by_them;
  s.cadence_s = c->cadence_s;
  g_assert_cmpint (sb_hint_due_interval (&s, c->keep_days), ==, c->expected);
}

static void
test_overdue_ratio (void)
{
  SbStats s = make_stats (3, 3, 30 * SB_DAY);

  s.cadence_s = 10 * SB_DAY; /* due after 15 days */
  g_assert_cmpfloat_with_epsilon (sb_hint_overdue_ratio (&s, 0, NOW), 2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (sb_hint_overdue_ratio (&s, 60, NOW), 0.5, 1e-9);
  g_assert_cmpfloat (sb_hint_overdue_ratio (&s, -1, NOW), ==, -1);
  g_assert_cmpfloat (sb_hint_overdue_ratio (NULL, 0, NOW), ==, -1);

  /* The clock starts at the last real contact when the ledger knows it. */
  s.last_contact = NOW - 15 * SB_DAY;
  g_assert_cmpint (sb_hint_last_contact (&s), ==, NOW - 15 * SB_DAY);
  g_assert_cmpfloat_with_epsilon (sb_hint_overdue_ratio (&s, 0, NOW), 1.0, 1e-9);
}

/* A full tooltip: every figure a person needs, one line each. */
static void
test_tooltip_full (void)
{
  SbStats s = make_stats (6, 2, 21 * SB_DAY);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  s.all.answered_by_them = 3; /* of 6: 50% */
  s.all.answered_by_you = 2;  /* of 2: 100% */
  s.median_latency_them_s = 3 * SB_HOUR;
  s.median_latency_you_s = 5 * 60;
  s.cadence_s = 10 * SB_DAY; /* due 15 days after the last, 6 days ago */

  text = sb_hint_tooltip (&s, NOW);
  g_assert_nonnull (text);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 9);
  g_assert_cmpstr (lines[0], ==, "<b>Started by you:</b> 6 of 8 conversations");
  g_assert_cmpstr (lines[1], ==, "<b>Started by them:</b> 2 of 8 conversations");
  g_assert_cmpstr (lines[2], ==, "<b>Smiled back:</b> 50% (3 of 6)");
  g_assert_cmpstr (lines[3], ==, "<b>You replied:</b> 100% (2 of 2)");
  g_assert_cmpstr (lines[4], ==, "<b>They answer:</b> typically 3 hours");
  g_assert_cmpstr (lines[5], ==, "<b>You answer:</b> typically 5 minutes");
  g_assert_cmpstr (lines[6], ==, "<b>Last conversation:</b> 3 weeks ago");
  g_assert_cmpstr (lines[7], ==, "<b>Usual rhythm:</b> every 10 days");
  g_assert_cmpstr (lines[8], ==, "<b>Reminder due:</b> now (6 days overdue)");
}

/* Unknown figures are left out rather than shown as nonsense. */
static void
test_tooltip_sparse (void)
{
  SbStats s = make_stats (1, 0, 2 * SB_HOUR);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  s.all.answered_by_them = 0;
  text = sb_hint_tooltip (&s, NOW);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[0], ==, "<b>Started by you:</b> 1 of 1 conversation");
  g_assert_cmpstr (lines[1], ==, "<b>Started by them:</b> 0 of 1 conversation");
  g_assert_cmpstr (lines[2], ==, "<b>Smiled back:</b> 0% (0 of 1)");
  g_assert_cmpstr (lines[3], ==, "<b>Last conversation:</b> 2 hours ago");
}

/* A buddy who sent automated texts: the tooltip says so. */
static void
test_tooltip_automated (void)
{
  SbStats s = make_stats (1, 0, 2 * SB_HOUR);
  s.all.automated = 2;
  g_autofree char *text = sb_hint_tooltip (&s, NOW);
  g_assert_nonnull (strstr (text, "<b>Automated:</b> 2 messages, not counted"));
}

static void
test_tooltip_due_later_and_off (void)
{
  SbStats s = make_stats (2, 2, 2 * SB_DAY);
  g_autofree char *later = NULL;
  g_autofree char *off = NULL;

  s.cadence_s = 4 * SB_DAY; /* clamped up to 7 days: due in 5 */
  later = sb_hint_tooltip (&s, NOW);
  g_assert_true (g_str_has_suffix (later, "\n<b>Reminder due:</b> in 5 days"));
  off = sb_hint_tooltip_full (&s, NOW, -1);
  g_assert_true (g_str_has_suffix (off, "\n<b>Reminder:</b> off for this buddy"));
}

static void
test_tooltip_none (void)
{
  SbStats s = make_stats (0, 0, 0);

  g_assert_null (sb_hint_tooltip (NULL, NOW));
  g_assert_null (sb_hint_tooltip (&s, NOW));
}

int
main (int argc, char **argv)
{
  /* The English wording is what the tests check. */
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (classify_cases); i++)
    g_test_add_data_func (classify_cases[i].path, &classify_cases[i], test_classify);
  g_test_add_func ("/hint/classify/null", test_classify_null);
  g_test_add_func ("/hint/labels", test_labels);
  for (gsize i = 0; i < G_N_ELEMENTS (duration_cases); i++)
    g_test_add_data_func (duration_cases[i].path, &duration_cases[i], test_duration);
  g_test_add_func ("/hint/ago", test_ago);
  for (gsize i = 0; i < G_N_ELEMENTS (due_cases); i++)
    g_test_add_data_func (due_cases[i].path, &due_cases[i], test_due);
  g_test_add_func ("/hint/due/overdue-ratio", test_overdue_ratio);
  g_test_add_func ("/hint/tooltip/full", test_tooltip_full);
  g_test_add_func ("/hint/tooltip/sparse", test_tooltip_sparse);
  g_test_add_func ("/hint/tooltip/automated", test_tooltip_automated);
  g_test_add_func ("/hint/tooltip/due-later-and-off", test_tooltip_due_later_and_off);
  g_test_add_func ("/hint/tooltip/none", test_tooltip_none);

  return g_test_run ();
}
