/* Room figures from reply links: the user's threads, answers within 30
 * minutes, who answers whom, the window. */
#include <smileback/smileback.h>

#define T0 (G_GINT64_CONSTANT (1800000000))
#define MINUTE (G_GINT64_CONSTANT (60))
#define YOU NULL

/* One case: a room's lines and the figures they must give. */
typedef struct
{
  const char *name;
  SbRoomLine lines[8];
  guint n;
  gint64 since;
  guint your_messages, your_threads, answered_threads, you_answered;
  gint64 median_answer_s;
  const char *top_member; /* who answered the user most, NULL when nobody */
  guint top_answered_you;
} RoomCase;

static const RoomCase cases[] = {
  { "answered-quickly",
    { { T0, YOU, -1 }, { T0 + 2 * MINUTE, "ada", 0 } }, 2, 0,
    1, 1, 1, 0, 2 * MINUTE, "ada", 1 },
  { "into-the-open-air",
    { { T0, YOU, -1 }, { T0 + MINUTE, "ada", -1 }, { T0 + 2 * MINUTE, "bob", 1 } }, 3, 0,
    1, 1, 0, 0, -1, NULL, 0 },
  { "answered-too-late",
    { { T0, YOU, -1 }, { T0 + 31 * MINUTE, "ada", 0 } }, 2, 0,
    1, 1, 0, 0, -1, "ada", 1 },
  { "answer-to-a-follow-up-answers-the-thread",
    { { T0, YOU, -1 }, { T0 + MINUTE, YOU, 0 }, { T0 + 5 * MINUTE, "bob", 1 } }, 3, 0,
    2, 1, 1, 0, 5 * MINUTE, "bob", 1 },
  { "you-answer-others",
    { { T0, "ada", -1 }, { T0 + MINUTE, YOU, 0 }, { T0 + 2 * MINUTE, "ada", 1 } }, 3, 0,
    1, 0, 0, 1, -1, "ada", 1 },
  { "one-answer-per-thread",
    { { T0, YOU, -1 }, { T0 + MINUTE, "ada", 0 }, { T0 + 3 * MINUTE, "bob", 0 } }, 3, 0,
    1, 1, 1, 0, MINUTE, "ada", 1 },
  { "median-of-threads",
    { { T0, YOU, -1 }, { T0 + MINUTE, "ada", 0 }, { T0 + 10 * MINUTE, YOU, -1 },
      { T0 + 14 * MINUTE, "ada", 2 }, { T0 + 20 * MINUTE, YOU, -1 }, { T0 + 30 * MINUTE, "bob", 4 } },
    6, 0, 3, 3, 3, 0, 4 * MINUTE, "ada", 2 },
  { "forward-and-self-links-start-threads",
    { { T0, YOU, 1 }, { T0 + MINUTE, "ada", 1 } }, 2, 0,
    1, 1, 0, 0, -1, NULL, 0 },
  { "window-leaves-out-older-lines",
    { { T0, YOU, -1 }, { T0 + MINUTE, "ada", 0 }, { T0 + 60 * MINUTE, YOU, -1 } }, 3, T0 + 30 * MINUTE,
    1, 1, 0, 0, -1, NULL, 0 },
  { "empty-room", { { 0 } }, 0, 0, 0, 0, 0, 0, -1, NULL, 0 },
};

static void
test_case (gconstpointer data)
{
  const RoomCase *c = data;
  SbRoomStats stats;
  sb_room_stats_compute (c->lines, c->n, c->since, &stats);

  g_assert_cmpuint (stats.your_messages, ==, c->your_messages);
  g_assert_cmpuint (stats.your_threads, ==, c->your_threads);
  g_assert_cmpuint (stats.answered_threads, ==, c->answered_threads);
  g_assert_cmpuint (stats.you_answered, ==, c->you_answered);
  g_assert_cmpint (stats.median_answer_s, ==, c->median_answer_s);
  if (c->top_member == NULL)
    {
      for (guint i = 0; i < stats.members->len; i++)
        g_assert_cmpuint (((SbRoomMember *) g_ptr_array_index (stats.members, i))->answered_you,
                          ==, 0);
    }
  else
    {
      const SbRoomMember *top = g_ptr_array_index (stats.members, 0);
      g_assert_cmpstr (top->member, ==, c->top_member);
      g_assert_cmpuint (top->answered_you, ==, c->top_answered_you);
      g_assert_true (sb_room_stats_find_member (&stats, c->top_member) == top);
    }
  sb_room_stats_clear (&stats);
  g_assert_null (stats.members);
}

static void
test_answered_share (void)
{
  const SbRoomLine lines[] = {
    { T0, YOU, -1 }, { T0 + MINUTE, "ada", 0 }, { T0 + 2 * MINUTE, YOU, -1 }, { T0 + 3 * MINUTE, YOU, -1 },
  };
  SbRoomStats stats;
  sb_room_stats_compute (lines, G_N_ELEMENTS (lines), 0, &stats);
  g_assert_cmpfloat_with_epsilon (sb_room_stats_answered_share (&stats), 1.0 / 3.0, 1e-9);
  g_assert_null (sb_room_stats_find_member (&stats, "nobody"));
  sb_room_stats_clear (&stats);

  sb_room_stats_compute (NULL, 0, 0, &stats);
  g_assert_cmpfloat (sb_room_stats_answered_share (&stats), ==, -1);
  sb_room_stats_clear (&stats);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/room/stats/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/room/answered-share", test_answered_share);
  return g_test_run ();
}
