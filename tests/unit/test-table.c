/* test-table.c: the table of the "Who smiles back" windows (sb-table.c):
 * its columns and titles, how each figure reads, how each sorts.
 */
#include <string.h>

#include "smileback/sb-table.h"

#define NOW (G_GINT64_CONSTANT (1700000000))
#define DASH "\342\200\224"

/* 3 started by the user (2 answered), 1 by the buddy (answered), the last
 * contact 3 days ago. */
static SbStats
make_stats (void)
{
  SbStats s = { 0 };

  s.all.episodes = 4;
  s.all.started_by_you = 3;
  s.all.started_by_them = 1;
  s.all.answered_by_them = 2;
  s.all.answered_by_you = 1;
  s.all.last_episode = NOW - 3 * SB_DAY;
  s.window = s.all;
  s.median_latency_them_s = 2 * SB_HOUR + 5;
  s.median_latency_you_s = -1;
  s.cadence_s = 10 * SB_DAY;
  s.closeness = 2.34;
  return s;
}

typedef struct
{
  const char *path;
  SbTableColumn column;
  const char *expected;
} TextCase;

static const TextCase text_cases[] = {
  { "/table/text/episodes", SB_TABLE_EPISODES, "4" },
  { "/table/text/by-you", SB_TABLE_BY_YOU, "3" },
  { "/table/text/by-them", SB_TABLE_BY_THEM, "1" },
  { "/table/text/smile-back", SB_TABLE_SMILE_BACK, "67%" },
  { "/table/text/replied", SB_TABLE_REPLIED, "100%" },
  { "/table/text/latency-them", SB_TABLE_LATENCY_THEM, "2 hours" },
  { "/table/text/latency-you-unknown", SB_TABLE_LATENCY_YOU, DASH },
  { "/table/text/last", SB_TABLE_LAST, "3 days ago" },
  { "/table/text/rhythm", SB_TABLE_RHYTHM, "10 days" },
  { "/table/text/closeness", SB_TABLE_CLOSENESS, "2.3" },
};

static void
test_text (gconstpointer data)
{
  const TextCase *c = data;
  SbStats stats = make_stats ();
  g_autofree char *text = sb_table_figure_text (c->column, &stats, NOW);

  g_assert_cmpstr (text, ==, c->expected);
}

static void
test_columns (void)
{
  static const char *const titles[] = {
    "Buddy", "Account", "Hint", "Conversations", "Started by you", "Started by them",
    "Smiled back", "You replied", "They answer in", "You answer in", "Last conversation",
    "Usual rhythm", "Closeness",
  };
  SbStats stats = make_stats ();

  G_STATIC_ASSERT (G_N_ELEMENTS (titles) == SB_TABLE_N_COLUMNS);
  for (int c = 0; c < SB_TABLE_N_COLUMNS; c++)
    {
      g_autofree char *text = sb_table_figure_text ((SbTableColumn) c, &stats, NOW);

      g_assert_cmpstr (sb_table_title ((SbTableColumn) c), ==, titles[c]);
      /* The buddy, account and hint are the UI's; every other cell a figure. */
      g_assert_cmpint (sb_table_is_figure ((SbTableColumn) c), ==, c >= SB_TABLE_EPISODES);
      g_assert_cmpint (text != NULL, ==, sb_table_is_figure ((SbTableColumn) c));
    }
  g_assert_null (sb_table_title (SB_TABLE_N_COLUMNS));
  g_assert_false (sb_table_is_figure (SB_TABLE_N_COLUMNS));
}

/* The larger figure first, the shorter duration first, the latest
 * conversation first, unknown figures last. */
static void
test_compare (void)
{
  SbStats a = make_stats ();
  SbStats b = make_stats ();

  b.all.episodes = 9;
  g_assert_cmpint (sb_table_compare (SB_TABLE_EPISODES, &b, &a), <, 0);
  g_assert_cmpint (sb_table_compare (SB_TABLE_EPISODES, &a, &b), >, 0);
  g_assert_cmpint (sb_table_compare (SB_TABLE_BY_YOU, &a, &b), ==, 0);

  b.median_latency_them_s = 60;
  g_assert_cmpint (sb_table_compare (SB_TABLE_LATENCY_THEM, &b, &a), <, 0);
  b.median_latency_them_s = -1;
  g_assert_cmpint (sb_table_compare (SB_TABLE_LATENCY_THEM, &a, &b), <, 0);

  b.all.last_episode = NOW - SB_DAY;
  g_assert_cmpint (sb_table_compare (SB_TABLE_LAST, &b, &a), <, 0);

  b.all.started_by_you = 0; /* no share to speak of */
  g_assert_cmpint (sb_table_compare (SB_TABLE_SMILE_BACK, &a, &b), <, 0);

  g_assert_cmpint (sb_table_compare (SB_TABLE_BUDDY, &a, &b), ==, 0);
}

static void
test_formats (void)
{
  g_autofree char *half = sb_table_format_percent (0.5);
  g_autofree char *no_share = sb_table_format_percent (-1);
  g_autofree char *no_duration = sb_table_format_duration (-1);
  g_autofree char *never = sb_table_format_ago (0, NOW);
  g_autofree char *week = sb_table_format_ago (NOW - 7 * SB_DAY, NOW);

  g_assert_cmpstr (half, ==, "50%");
  g_assert_cmpstr (no_share, ==, DASH);
  g_assert_cmpstr (no_duration, ==, DASH);
  g_assert_cmpstr (never, ==, DASH);
  g_assert_cmpstr (week, ==, "7 days ago");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (text_cases); i++)
    g_test_add_data_func (text_cases[i].path, &text_cases[i], test_text);
  g_test_add_func ("/table/columns", test_columns);
  g_test_add_func ("/table/compare", test_compare);
  g_test_add_func ("/table/formats", test_formats);
  return g_test_run ();
}
