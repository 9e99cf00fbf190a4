/* Merging another machine's history: the matching rule on its own (clock
 * skew, messages in the same second, the tolerance's edge, idempotence on
 * random histories), then `smileback merge` end to end: two machines' logs
 * that share some conversations and differ in others, imported each into
 * its own database; A merged into B reports what both imported into one
 * database report; merging again changes nothing; merging a file into
 * itself, a newer or a damaged file is refused and changes nothing; room
 * lines are matched by room, speaker and time, their links kept. */
#include <smileback/smileback.h>
#include <smileback/sb-merge.h>
#include <smileback/sb-room-store.h>
#include "sb-test-util.h"

#include <string.h>

#define T0 (G_GINT64_CONSTANT (1700000000))

static SbEvent
event (gint64 time, SbDirection dir, guint bucket)
{
  return (SbEvent){ .time = time, .direction = dir, .kind = SB_EVENT_MESSAGE,
                    .size_bucket = bucket, .digest = (guint64) time * 7 + dir };
}

static guint
n_unmatched (const SbEvent *theirs, guint n_theirs, const SbEvent *ours, guint n_ours)
{
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  sb_merge_unmatched (theirs, n_theirs, ours, n_ours, out);
  return out->len;
}

static void
test_rule (void)
{
  SbEvent ours[] = { event (T0, SB_DIRECTION_IN, 1) };
  /* The other machine's clock 30 s ahead: the same message. */
  SbEvent skewed[] = { event (T0 + 30, SB_DIRECTION_IN, 1) };
  g_assert_cmpuint (n_unmatched (skewed, 1, ours, 1), ==, 0);
  SbEvent at_edge[] = { event (T0 - SB_MERGE_TOLERANCE_S, SB_DIRECTION_IN, 1) };
  g_assert_cmpuint (n_unmatched (at_edge, 1, ours, 1), ==, 0);
  SbEvent beyond[] = { event (T0 + SB_MERGE_TOLERANCE_S + 1, SB_DIRECTION_IN, 1) };
  g_assert_cmpuint (n_unmatched (beyond, 1, ours, 1), ==, 1);
  /* Another direction, size or kind is another message. */
  SbEvent other_dir[] = { event (T0, SB_DIRECTION_OUT, 1) };
  g_assert_cmpuint (n_unmatched (other_dir, 1, ours, 1), ==, 1);
  SbEvent other_size[] = { event (T0, SB_DIRECTION_IN, 2) };
  g_assert_cmpuint (n_unmatched (other_size, 1, ours, 1), ==, 1);
  SbEvent other_kind[] = { event (T0, SB_DIRECTION_IN, 1) };
  other_kind[0].kind = SB_EVENT_CALL;
  g_assert_cmpuint (n_unmatched (other_kind, 1, ours, 1), ==, 1);
  /* Three in one second there, two here: one is new. */
  SbEvent three[] = { event (T0, SB_DIRECTION_IN, 1), event (T0, SB_DIRECTION_IN, 1),
                      event (T0, SB_DIRECTION_IN, 1) };
  g_assert_cmpuint (n_unmatched (three, 3, three, 2), ==, 1);
  /* One of ours cannot stand for two of theirs. */
  SbEvent around[] = { event (T0 - 50, SB_DIRECTION_IN, 1), event (T0 + 50, SB_DIRECTION_IN, 1) };
  g_assert_cmpuint (n_unmatched (around, 2, ours, 1), ==, 1);
  /* The greedy walk still finds the full matching when shifted: 0/100 there,
   * 55/150 here. */
  SbEvent there[] = { event (T0, SB_DIRECTION_IN, 1), event (T0 + 100, SB_DIRECTION_IN, 1) };
  SbEvent here[] = { event (T0 + 55, SB_DIRECTION_IN, 1), event (T0 + 150, SB_DIRECTION_IN, 1) };
  g_assert_cmpuint (n_unmatched (there, 2, here, 2), ==, 0);
}

/* A random history of one buddy: bursts of messages, some in one second. */
static GArray *
random_events (guint n)
{
  GArray *events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  gint64 t = T0;
  for (guint i = 0; i < n; i++)
    {
      t += g_test_rand_bit () ? 0 : g_test_rand_int_range (0, 300);
      SbEvent e = event (t, g_test_rand_bit () ? SB_DIRECTION_IN : SB_DIRECTION_OUT,
                         (guint) g_test_rand_int_range (0, 3));
      g_array_append_val (events, e);
    }
  return events;
}

/* Merging the result of a merge again adds nothing, and a merge adds no
 * more than the other side has. */
static void
test_idempotent_random (void)
{
  for (int round = 0; round < 200; round++)
    {
      g_autoptr (GArray) theirs = random_events ((guint) g_test_rand_int_range (0, 60));
      g_autoptr (GArray) ours = random_events ((guint) g_test_rand_int_range (0, 60));
      g_autoptr (GArray) added = g_array_new (FALSE, FALSE, sizeof (SbEvent));
      sb_merge_unmatched ((SbEvent *) theirs->data, theirs->len, (SbEvent *) ours->data, ours->len,
                          added);
      g_assert_cmpuint (added->len, <=, theirs->len);
      for (guint i = 1; i < added->len; i++)
        g_assert_cmpint (g_array_index (added, SbEvent, i - 1).time, <=,
                         g_array_index (added, SbEvent, i).time);
      g_array_append_vals (ours, added->data, added->len);
      g_assert_cmpuint (n_unmatched ((SbEvent *) theirs->data, theirs->len, (SbEvent *) ours->data,
                                     ours->len), ==, 0);
      /* And everything matches itself. */
      g_assert_cmpuint (n_unmatched ((SbEvent *) theirs->data, theirs->len,
                                     (SbEvent *) theirs->data, theirs->len), ==, 0);
    }
}

static guint
n_room_unmatched (const SbRoomLine *theirs, guint n_theirs, const SbRoomLine *ours, guint n_ours)
{
  g_autofree gint64 *matched = g_new (gint64, n_theirs + 1);
  sb_merge_match_room_lines (theirs, n_theirs, ours, n_ours, matched);
  guint n = 0;
  for (guint i = 0; i < n_theirs; i++)
    n += matched[i] == G_MININT64;
  return n;
}

static void
test_room_rule (void)
{
  const SbRoomLine ours[] = { { T0, NULL, -1 }, { T0 + 10, "bob", -1 } };
  /* The other clock 30 s ahead: the same lines, each matched to its own. */
  const SbRoomLine skewed[] = { { T0 + 40, "bob", 0 }, { T0 + 30, "", -1 } };
  gint64 matched[2];
  sb_merge_match_room_lines (skewed, 2, ours, 2, matched);
  g_assert_cmpint (matched[0], ==, T0 + 10);
  g_assert_cmpint (matched[1], ==, T0); /* "" is the user, like NULL */
  /* Another speaker, or beyond the tolerance, is another line. */
  const SbRoomLine carol[] = { { T0 + 10, "carol", -1 } };
  g_assert_cmpuint (n_room_unmatched (carol, 1, ours, 2), ==, 1);
  const SbRoomLine late[] = { { T0 + 11 + SB_MERGE_TOLERANCE_S, "bob", -1 } };
  g_assert_cmpuint (n_room_unmatched (late, 1, ours, 2), ==, 1);
  /* One to one: two of Bob's there, one here. */
  const SbRoomLine two[] = { { T0 + 10, "bob", -1 }, { T0 + 12, "bob", -1 } };
  g_assert_cmpuint (n_room_unmatched (two, 2, ours, 2), ==, 1);
  g_assert_cmpuint (n_room_unmatched (two, 2, two, 2), ==, 0);
}

/* ---- `smileback merge` on imported logs ------------------------------------ */

typedef struct
{
  char *dir;
  char *a, *b, *both; /* databases */
  gint64 now;
} Fixture;

#define IN(t, body) SB_TEST_HTML_IN (t, "Them:", body)
#define OUT(t, body) SB_TEST_HTML_OUT (t, body)

/* Which machine has a log file: A, B or both. */
typedef enum { ON_A = 1, ON_B = 2, ON_BOTH = 3 } Where;

typedef struct
{
  Where where;
  const char *buddy;
  int days_ago;
  const char *hour; /* "100000" */
  const char *lines;
} LogFile;

static const LogFile logs[] = {
  /* Seen by both: two answers in one second, and a long chat. */
  { ON_BOTH, "bob", 40, "100000",
    IN ("10:00:01", "hi there") OUT ("10:00:30", "hello") IN ("10:01:00", "ok") IN ("10:01:00", "sure") },
  { ON_BOTH, "erin", 15, "090000", OUT ("09:00:00", "morning erin") IN ("09:30:00", "morning!") },
  /* Only one machine was on. */
  { ON_A, "bob", 20, "180000", OUT ("18:00:00", "are you there") IN ("18:05:00", "yes") },
  { ON_B, "bob", 10, "080000", IN ("08:00:00", "ping") OUT ("08:00:20", "pong") },
  { ON_A, "carol", 30, "120000", IN ("12:00:00", "lunch?") OUT ("13:00:00", "sorry, late") },
  { ON_B, "dave", 5, "070000", OUT ("07:00:00", "how are things") },
  { ON_A, "erin", 15, "200000", IN ("20:00:00", "and good evening") OUT ("20:10:00", "evening") },
};

static void
write_logs (Fixture *f, const char *machine, Where which)
{
  for (gsize i = 0; i < G_N_ELEMENTS (logs); i++)
    {
      if (!(logs[i].where & which))
        continue;
      g_autoptr (GDateTime) day = g_date_time_new_from_unix_utc (f->now - logs[i].days_ago * SB_DAY);
      g_autofree char *date = g_date_time_format (day, "%Y-%m-%d");
      g_autofree char *path = g_strdup_printf ("%s/logs/jabber/me%%40example.org/%s%%40example.org/"
                                               "%s.%s+0000UTC.html",
                                               machine, logs[i].buddy, date, logs[i].hour);
      g_autofree char *data = g_strconcat (SB_TEST_HTML_HEAD, logs[i].lines, NULL);
      sb_test_write_file (f->dir, path, data);
    }
}

static void
import (Fixture *f, const char *db, const char *machine)
{
  g_autofree char *logdir = g_build_filename (f->dir, machine, "logs", NULL);
  const char *args[] = { "import", "--db", db, logdir, NULL };
  g_autofree char *err = NULL;
  g_assert_cmpint (sb_test_run_cli (args, NULL, NULL, &err), ==, 0);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = sb_test_make_tmpdir ("sb-merge-XXXXXX");
  f->now = g_get_real_time () / G_USEC_PER_SEC;
  f->a = g_build_filename (f->dir, "a.db", NULL);
  f->b = g_build_filename (f->dir, "b.db", NULL);
  f->both = g_build_filename (f->dir, "both.db", NULL);
  write_logs (f, "a", ON_A);
  write_logs (f, "b", ON_B);
  import (f, f->a, "a");
  import (f, f->b, "b");
  import (f, f->both, "a");
  import (f, f->both, "b");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  sb_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->a);
  g_free (f->b);
  g_free (f->both);
}

static char *
report (const char *db)
{
  const char *args[] = { "report", "--json", "--db", db, NULL };
  char *out = NULL;
  g_assert_cmpint (sb_test_run_cli (args, NULL, &out, NULL), ==, 0);
  return out;
}

static int
merge (const char *into, const char *other, char **out, char **err)
{
  const char *args[] = { "merge", "--db", into, other, NULL };
  return sb_test_run_cli (args, NULL, out, err);
}

static void
test_merge_equals_both_imported (Fixture *f, gconstpointer data)
{
  g_autofree char *a_alone = report (f->a);
  g_autofree char *b_alone = report (f->b);
  g_autofree char *expected = report (f->both);
  g_assert_cmpstr (b_alone, !=, expected);
  g_assert_nonnull (strstr (expected, "carol@example.org"));
  g_assert_nonnull (strstr (expected, "dave@example.org"));

  g_autofree char *out = NULL;
  g_assert_cmpint (merge (f->b, f->a, &out, NULL), ==, 0);
  /* A's 12 events: bob's shared 4 and erin's shared 2 were already in B. */
  g_assert_nonnull (strstr (out, "Merged 12 events of 3 buddies: 6 added, 6 already here."));
  g_autofree char *merged = report (f->b);
  g_assert_cmpstr (merged, ==, expected);

  /* Again: nothing changes. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (merge (f->b, f->a, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "0 added, 12 already here."));
  g_autofree char *twice = report (f->b);
  g_assert_cmpstr (twice, ==, expected);

  /* The other way round too: B into A gives the same. */
  g_autofree char *b_copy = g_build_filename (f->dir, "b-copy.db", NULL);
  import (f, b_copy, "b");
  g_assert_cmpint (merge (f->a, b_copy, NULL, NULL), ==, 0);
  g_autofree char *reverse = report (f->a);
  g_assert_cmpstr (reverse, ==, expected);
  g_assert_cmpstr (a_alone, !=, expected);
}

static void
assert_refused (Fixture *f, const char *other, const char *message)
{
  g_autofree char *before = report (f->b);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (merge (f->b, other, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, message));
  g_assert_true (g_str_has_prefix (err, "smileback: "));
  g_assert_cmpstr (out, ==, "");
  g_autofree char *after = report (f->b);
  g_assert_cmpstr (after, ==, before);
}

static void
test_merge_refused (Fixture *f, gconstpointer data)
{
  assert_refused (f, f->b, "is this database");
  /* Through another name for the same file. */
  g_autofree char *link = g_build_filename (f->dir, "link.db", NULL);
  g_assert_cmpint (symlink (f->b, link), ==, 0);
  assert_refused (f, link, "is this database");

  {
    g_autoptr (SbStore) store = sb_store_open (f->a, NULL);
    g_assert_true (sb_store_exec (store, "PRAGMA user_version = 77", NULL));
  }
  assert_refused (f, f->a, "newer");

  g_autofree char *junk = g_build_filename (f->dir, "junk.db", NULL);
  g_autofree char *garbage = g_strnfill (8192, 'x');
  g_assert_true (g_file_set_contents (junk, garbage, -1, NULL));
  assert_refused (f, junk, "damaged");
  /* Refusing never moves the other file aside. */
  g_assert_true (g_file_test (junk, G_FILE_TEST_IS_REGULAR));
}

#define ROOM_T0 (T0 + 1000)

/* Room lines of @db's room "room@muc.example.org". */
static void
add_room_lines (Fixture *f, const char *db, const SbRoomEntry *lines, gsize n)
{
  g_autoptr (SbLedger) ledger = sb_ledger_open (db, NULL, f->now, NULL);
  SbRoomKey room = { "prpl-jabber", "me@example.org", "room@muc.example.org" };
  for (gsize i = 0; i < n; i++)
    g_assert_true (sb_store_add_room_line (sb_ledger_get_store (ledger), &room, &lines[i], NULL));
  g_assert_true (sb_ledger_flush (ledger, NULL));
}

/* The lines of @db's room, each "time speaker -> parent's index". */
static char *
room_lines (const char *db)
{
  g_autoptr (SbStore) store = sb_store_open (db, NULL);
  SbRoomKey room = { "prpl-jabber", "me@example.org", "room@muc.example.org" };
  g_autoptr (GArray) lines = g_array_new (FALSE, FALSE, sizeof (SbRoomLine));
  GStringChunk *strings = g_string_chunk_new (64);
  g_assert_true (sb_store_load_room_lines (store, &room, G_MININT64, lines, strings, NULL));
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < lines->len; i++)
    {
      const SbRoomLine *line = &g_array_index (lines, SbRoomLine, i);
      g_string_append_printf (out, "%+" G_GINT64_FORMAT " %s -> %d\n", line->time - ROOM_T0,
                              line->speaker != NULL ? line->speaker : "me", line->parent);
    }
  g_string_chunk_free (strings);
  return g_string_free (out, FALSE);
}

/* A saw the whole exchange: the user starts, Bob answers, the user answers
 * Bob and Carol answers the user.  B, its clock 30 s ahead, saw the first two
 * lines only, and a line of Dave's later on.  A into B adds A's last two
 * lines, linked to B's copies of their parents; again, nothing changes. */
static void
test_merge_room_lines (Fixture *f, gconstpointer data)
{
  const SbRoomEntry on_a[] = {
    { .time = ROOM_T0, .digest = 1 },
    { .time = ROOM_T0 + 10, .speaker = "bob@example.org", .digest = 2, .has_parent = TRUE,
      .parent_time = ROOM_T0, .confident = TRUE },
    { .time = ROOM_T0 + 20, .digest = 3, .has_parent = TRUE, .parent_time = ROOM_T0 + 10,
      .parent_speaker = "bob@example.org", .confident = TRUE },
    { .time = ROOM_T0 + 25, .speaker = "carol@example.org", .digest = 4, .has_parent = TRUE,
      .parent_time = ROOM_T0 + 20, .confident = TRUE },
  };
  const SbRoomEntry on_b[] = {
    { .time = ROOM_T0 + 30, .digest = 91 },
    { .time = ROOM_T0 + 40, .speaker = "bob@example.org", .digest = 92, .has_parent = TRUE,
      .parent_time = ROOM_T0 + 30, .confident = TRUE },
    { .time = ROOM_T0 + 500, .speaker = "dave@example.org", .digest = 93 },
  };
  add_room_lines (f, f->a, on_a, G_N_ELEMENTS (on_a));
  add_room_lines (f, f->b, on_b, G_N_ELEMENTS (on_b));

  g_autofree char *out = NULL;
  g_assert_cmpint (merge (f->b, f->a, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Merged 4 room lines: 2 added, 2 already here."));
  /* The added lines come no earlier than B's copy of what they answer. */
  g_autofree char *merged = room_lines (f->b);
  g_assert_cmpstr (merged, ==,
                   "+30 me -> -1\n"
                   "+40 bob@example.org -> 0\n"
                   "+40 me -> 1\n"
                   "+40 carol@example.org -> 2\n"
                   "+500 dave@example.org -> -1\n");
  {
    g_autoptr (SbStore) store = sb_store_open (f->b, NULL);
    g_autoptr (SbBuddyKey) bob = sb_buddy_key_new ("prpl-jabber", "me@example.org", "bob@example.org");
    guint them = 0, you = 0;
    g_assert_true (sb_store_room_member_counts (store, bob, G_MININT64, &them, &you, NULL));
    g_assert_cmpuint (them, ==, 1);
    g_assert_cmpuint (you, ==, 1);
  }

  /* Again: every line is already here. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (merge (f->b, f->a, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Merged 4 room lines: 0 added, 4 already here."));
  g_autofree char *twice = room_lines (f->b);
  g_assert_cmpstr (twice, ==, merged);

  /* And B into A: A gains Dave's line only. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (merge (f->a, f->b, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Merged 5 room lines: 1 added, 4 already here."));
  g_autofree char *a_merged = room_lines (f->a);
  g_assert_cmpstr (a_merged, ==,
                   "+0 me -> -1\n"
                   "+10 bob@example.org -> 0\n"
                   "+20 me -> 1\n"
                   "+25 carol@example.org -> 2\n"
                   "+500 dave@example.org -> -1\n");
}

int
main (int argc, char **argv)
{
  g_setenv ("LC_ALL", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/merge/rule", test_rule);
  g_test_add_func ("/merge/idempotent-random", test_idempotent_random);
  g_test_add ("/merge/cli/equals-both-imported", Fixture, NULL, fixture_setup,
              test_merge_equals_both_imported, fixture_teardown);
  g_test_add_func ("/merge/room-rule", test_room_rule);
  g_test_add ("/merge/cli/room-lines", Fixture, NULL, fixture_setup, test_merge_room_lines,
              fixture_teardown);
  g_test_add ("/merge/cli/refused", Fixture, NULL, fixture_setup, test_merge_refused,
              fixture_teardown);
  return g_test_run ();
}
