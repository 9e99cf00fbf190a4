/* Episode segmentation (docs/design.md, "Definitions") at and around the G and R limits.
 *
 * Each case is a short script of lines and the episodes it must make, written
 * as "o+60" (the user started, the buddy answered 60 s later), "i-" (the buddy
 * started, no answer), separated by commas.  G = 6 h, R = 48 h.
 */
#include <smileback/smileback.h>

#define G (6 * 3600)
#define R (48 * 3600)

typedef struct
{
  gint64 t;
  char who; /* 'o' the user, 'i' the buddy */
  SbEventKind kind;
  guint flags;
} Line;

typedef struct
{
  const char *name;
  Line lines[8];
  guint n_lines;
  const char *expected;
} SegmentCase;

#define MSG SB_EVENT_MESSAGE
static const SegmentCase cases[] = {
  { "single-line", { { 0, 'o', MSG } }, 1, "o-" },
  { "answered", { { 0, 'o', MSG }, { 90, 'i', MSG } }, 2, "o+90" },
  { "gap-exactly-G-continues", { { 0, 'i', MSG }, { 100, 'i', MSG }, { 100 + G, 'i', MSG } }, 3, "i-" },
  { "gap-over-G-same-side-new", { { 0, 'o', MSG }, { G + 1, 'o', MSG } }, 2, "o-,o-" },
  { "answer-after-G-within-R", { { 0, 'o', MSG }, { G + 1, 'i', MSG } }, 2, "o+21601" },
  { "answer-exactly-R", { { 0, 'o', MSG }, { R, 'i', MSG } }, 2, "o+172800" },
  { "answer-after-R-new", { { 0, 'o', MSG }, { R + 1, 'i', MSG } }, 2, "o-,i-" },
  { "R-counts-from-start", { { 0, 'o', MSG }, { G, 'o', MSG }, { 2 * G, 'o', MSG }, { R + 1, 'i', MSG } }, 4, "o-,i-" },
  { "R-only-while-one-sided", { { 0, 'o', MSG }, { 60, 'i', MSG }, { 60 + G + 1, 'i', MSG } }, 3, "o+60,i-" },
  { "second-answer-keeps-first-latency", { { 0, 'i', MSG }, { 30, 'o', MSG }, { 90, 'o', MSG } }, 3, "i+30" },
  { "auto-reply-never-answers", { { 0, 'o', MSG }, { 5, 'i', SB_EVENT_AUTO_REPLY } }, 2, "o-" },
  { "auto-reply-then-real-answer", { { 0, 'o', MSG }, { 5, 'i', SB_EVENT_AUTO_REPLY }, { 600, 'i', MSG } }, 3, "o+600" },
  { "auto-reply-never-initiates", { { 0, 'i', SB_EVENT_AUTO_REPLY }, { 10, 'o', MSG } }, 2, "o-" },
  { "system-line-ignored", { { 0, 'i', SB_EVENT_SYSTEM }, { 10, 'o', MSG }, { 20, 'i', SB_EVENT_SYSTEM } }, 3, "o-" },
  { "automated-ignored", { { 0, 'i', MSG, SB_EVENT_FLAG_AUTOMATED }, { 10, 'o', MSG } }, 2, "o-" },
  { "only-uncounted", { { 0, 'i', SB_EVENT_AUTO_REPLY }, { 10, 'i', SB_EVENT_CALL } }, 2, "" },
};

static GArray *
events_from_lines (const Line *lines, guint n)
{
  GArray *events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  for (guint i = 0; i < n; i++)
    {
      SbEvent event = {
        .time = 1000000 + lines[i].t,
        .direction = lines[i].who == 'o' ? SB_DIRECTION_OUT : SB_DIRECTION_IN,
        .kind = lines[i].kind,
        .flags = lines[i].flags,
        .digest = i + 1,
      };
      g_array_append_val (events, event);
    }
  return events;
}

static char *
describe (const GArray *episodes)
{
  GString *text = g_string_new (NULL);
  for (guint i = 0; i < episodes->len; i++)
    {
      const SbEpisode *episode = &g_array_index (episodes, SbEpisode, i);
      if (i > 0)
        g_string_append_c (text, ',');
      g_string_append_c (text, episode->initiator == SB_DIRECTION_OUT ? 'o' : 'i');
      if (sb_episode_is_answered (episode))
        g_string_append_printf (text, "+%" G_GINT64_FORMAT, sb_episode_latency (episode));
      else
        g_string_append_c (text, '-');
    }
  return g_string_free (text, FALSE);
}

static void
test_segment (gconstpointer data)
{
  const SegmentCase *c = data;
  const SbParams params = SB_PARAMS_DEFAULT;
  g_autoptr (GArray) events = events_from_lines (c->lines, c->n_lines);
  g_autoptr (GArray) episodes = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  sb_episodes_segment ((const SbEvent *) events->data, events->len, &params, episodes);
  g_autofree char *got = describe (episodes);
  g_assert_cmpstr (got, ==, c->expected);
}

static void
test_turns_and_counts (void)
{
  const Line lines[] = { { 0, 'o', MSG }, { 1, 'o', MSG }, { 2, 'i', MSG },
                         { 3, 'o', MSG }, { 4, 'i', MSG }, { 5, 'i', MSG } };
  const SbParams params = SB_PARAMS_DEFAULT;
  g_autoptr (GArray) events = events_from_lines (lines, G_N_ELEMENTS (lines));
  g_autoptr (GArray) episodes = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  sb_episodes_segment ((const SbEvent *) events->data, events->len, &params, episodes);
  g_assert_cmpuint (episodes->len, ==, 1);
  const SbEpisode *e = &g_array_index (episodes, SbEpisode, 0);
  g_assert_cmpuint (e->messages_out, ==, 3);
  g_assert_cmpuint (e->messages_in, ==, 3);
  g_assert_cmpuint (e->turns_out, ==, 2);
  g_assert_cmpuint (e->turns_in, ==, 2);
  g_assert_cmpint (e->last - e->start, ==, 5);
  g_assert_cmpint (sb_episode_latency (e), ==, 2);
}

static void
test_custom_params (void)
{
  /* With G = 1 h, a 2 h same-side gap starts a new conversation. */
  const SbParams params = { 3600, 7200, 30 * SB_DAY };
  const Line lines[] = { { 0, 'i', MSG }, { 7200, 'i', MSG }, { 7300, 'o', MSG } };
  g_autoptr (GArray) events = events_from_lines (lines, G_N_ELEMENTS (lines));
  g_autoptr (GArray) episodes = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  sb_episodes_segment ((const SbEvent *) events->data, events->len, &params, episodes);
  g_autofree char *got = describe (episodes);
  g_assert_cmpstr (got, ==, "i-,i+100");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/episode/segment/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_segment);
    }
  g_test_add_func ("/episode/turns-and-counts", test_turns_and_counts);
  g_test_add_func ("/episode/custom-params", test_custom_params);
  return g_test_run ();
}
