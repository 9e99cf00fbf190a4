/* Room lines in the store: insert and dedupe, loading back into SbRoomLine
 * for sb_room_stats_compute(), per-member counts, forget, introductions
 * learning from rooms, migration from schema 5, the recorder and the import
 * of a .chat log that repeats a line seen live. */
#include <smileback/smileback.h>
#include <smileback/sb-hint.h>
#include <smileback/sb-room-recorder.h>
#include <smileback/sb-room-store.h>
#include "sb-test-util.h"

typedef struct
{
  char *dir;
  char *path;
  SbStore *store;
} Fixture;

static const SbRoomKey ROOM = { "prpl-jabber", "me@x", "tea@conference.x" };

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  f->dir = sb_test_make_tmpdir ("sb-room-store-XXXXXX");
  g_assert_nonnull (f->dir);
  f->path = g_build_filename (f->dir, "smileback.db", NULL);
  f->store = sb_store_open (f->path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  sb_store_free (f->store);
  sb_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* A line by @speaker (NULL: the user) answering (@parent_time, @parent), or
 * starting a thread when @parent_time is 0. */
static void
add (Fixture *f, gint64 time, const char *speaker, guint64 digest, gint64 parent_time,
     const char *parent, gboolean confident)
{
  g_autoptr (GError) error = NULL;
  SbRoomEntry line = { .time = time, .speaker = speaker, .digest = digest,
                       .has_parent = parent_time != 0, .parent_time = parent_time,
                       .parent_speaker = parent, .confident = confident };
  g_assert_true (sb_store_add_room_line (f->store, &ROOM, &line, &error));
  g_assert_no_error (error);
}

/* The user asks (100); alice answers (110); bob starts his own thread (120);
 * alice's line again (seen twice); alice replies to bob, unsure (130); the
 * user answers bob (140). */
static void
add_conversation (Fixture *f)
{
  add (f, 100, NULL, 1, 0, NULL, FALSE);
  add (f, 110, "alice@x", 2, 100, "", TRUE);
  add (f, 120, "bob@x", 3, 0, NULL, FALSE);
  add (f, 110, "alice@x", 2, 100, NULL, TRUE);
  add (f, 130, "alice@x", 4, 120, "bob@x", FALSE);
  add (f, 140, NULL, 5, 120, "bob@x", TRUE);
}

static GArray *
load (Fixture *f, gint64 since, GStringChunk *strings)
{
  g_autoptr (GError) error = NULL;
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (SbRoomLine));
  gboolean ok = sb_store_load_room_lines (f->store, &ROOM, since, lines, strings, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  return lines;
}

static void
test_load_back (Fixture *f, gconstpointer data)
{
  add_conversation (f);
  g_autoptr (GStringChunk) strings = g_string_chunk_new (64);
  g_autoptr (GArray) lines = load (f, 0, strings);
  g_assert_cmpuint (lines->len, ==, 5); /* the repeat counts once */
  const gint parents[] = { -1, 0, -1, -1, 2 }; /* unsure links start threads */
  for (guint i = 0; i < lines->len; i++)
    g_assert_cmpint (g_array_index (lines, SbRoomLine, i).parent, ==, parents[i]);
  g_assert_null (g_array_index (lines, SbRoomLine, 0).speaker);
  g_assert_cmpstr (g_array_index (lines, SbRoomLine, 1).speaker, ==, "alice@x");

  SbRoomStats stats = { 0 };
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_store_room_stats (f->store, &ROOM, 0, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.messages, ==, 5);
  g_assert_cmpuint (stats.your_threads, ==, 1);
  g_assert_cmpuint (stats.answered_threads, ==, 1);
  g_assert_cmpint (stats.median_answer_s, ==, 10);
  g_assert_cmpuint (stats.you_answered, ==, 1);
  g_assert_cmpuint (sb_room_stats_find_member (&stats, "alice@x")->answered_you, ==, 1);
  g_assert_cmpuint (sb_room_stats_find_member (&stats, "bob@x")->you_answered, ==, 1);
  sb_room_stats_clear (&stats);

  /* A parent before @since loads as a thread start. */
  g_autoptr (GArray) late = load (f, 105, strings);
  g_assert_cmpuint (late->len, ==, 4);
  g_assert_cmpint (g_array_index (late, SbRoomLine, 0).parent, ==, -1);
}

static gboolean
count_room (const SbRoomKey *room, gpointer data)
{
  g_assert_cmpstr (room->room, ==, ROOM.room);
  (*(guint *) data)++;
  return TRUE;
}

static void
assert_counts (Fixture *f, const char *buddy, gint64 since, guint answered_you,
               guint you_answered)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new (ROOM.protocol, ROOM.account, buddy);
  guint them = 99, you = 99;
  g_assert_true (sb_store_room_member_counts (f->store, key, since, &them, &you, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (them, ==, answered_you);
  g_assert_cmpuint (you, ==, you_answered);
}

static void
test_member_counts (Fixture *f, gconstpointer data)
{
  add_conversation (f);
  assert_counts (f, "alice@x", 0, 1, 0);
  assert_counts (f, "bob@x", 0, 0, 1);
  assert_counts (f, "alice@x", 115, 0, 0);
  assert_counts (f, "carol@x", 0, 0, 0);

  g_autoptr (GError) error = NULL;
  guint rooms = 0;
  g_assert_true (sb_store_foreach_room (f->store, 0, count_room, &rooms, &error));
  g_assert_cmpuint (rooms, ==, 1);
  rooms = 0;
  g_assert_true (sb_store_foreach_room (f->store, 1000, count_room, &rooms, &error));
  g_assert_cmpuint (rooms, ==, 0);
  g_assert_no_error (error);
}

static void
test_forget (Fixture *f, gconstpointer data)
{
  add_conversation (f);
  add (f, 150, "bob@x", 6, 130, "alice@x", TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbBuddyKey) alice = sb_buddy_key_new (ROOM.protocol, ROOM.account, "alice@x");
  gint64 id = sb_store_lookup_buddy (f->store, alice, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (sb_store_forget_buddy (f->store, id, &error));
  g_assert_no_error (error);

  assert_counts (f, "alice@x", 0, 0, 0);
  assert_counts (f, "bob@x", 0, 0, 1);
  g_autoptr (GStringChunk) strings = g_string_chunk_new (64);
  g_autoptr (GArray) lines = load (f, 0, strings);
  g_assert_cmpuint (lines->len, ==, 4); /* alice's two lines are gone */
  for (guint i = 0; i < lines->len; i++)
    g_assert_cmpstr (g_array_index (lines, SbRoomLine, i).speaker, !=, "alice@x");
  /* bob's answer to alice stays, as a thread start. */
  g_assert_cmpint (g_array_index (lines, SbRoomLine, 3).parent, ==, -1);
}

static void
test_seen_together_from_rooms (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbBuddyKey) alice = sb_buddy_key_new (ROOM.protocol, ROOM.account, "alice@x");
  g_autoptr (SbBuddyKey) bob = sb_buddy_key_new (ROOM.protocol, ROOM.account, "bob@x");
  g_autoptr (SbBuddyKey) carol = sb_buddy_key_new (ROOM.protocol, ROOM.account, "carol@x");
  gboolean together = TRUE;

  add (f, 100, "alice@x", 1, 0, NULL, FALSE);
  add (f, 110, "bob@x", 2, 100, "alice@x", FALSE); /* unsure: not yet */
  add (f, 120, "carol@x", 3, 0, NULL, FALSE);
  g_assert_true (sb_store_seen_together (f->store, alice, bob, 0, &together, &error));
  g_assert_false (together);

  add (f, 130, "bob@x", 4, 100, "alice@x", TRUE);
  g_assert_true (sb_store_seen_together (f->store, alice, bob, 0, &together, &error));
  g_assert_true (together);
  g_assert_true (sb_store_seen_together (f->store, bob, alice, 0, &together, &error));
  g_assert_true (together);
  g_assert_true (sb_store_seen_together (f->store, alice, bob, 131, &together, &error));
  g_assert_false (together);
  g_assert_true (sb_store_seen_together (f->store, alice, carol, 0, &together, &error));
  g_assert_false (together);
  g_assert_no_error (error);
}

static void
test_migration_from_v5 (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", "me@x", "old@x");
  gint64 id = sb_store_lookup_buddy (f->store, key, TRUE, &error);
  g_assert_true (sb_store_exec (f->store,
                                "DROP TABLE room_lines; DROP TABLE room_members; DROP TABLE rooms;"
                                " PRAGMA user_version = 5",
                                &error));
  g_assert_no_error (error);
  g_clear_pointer (&f->store, sb_store_free);

  f->store = sb_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sb_store_get_schema_version (f->store), ==, SB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (sb_store_lookup_buddy (f->store, key, FALSE, &error), ==, id);
  add_conversation (f);
  assert_counts (f, "alice@x", 0, 1, 0);
}

static void
test_recorder (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbRoomRecorder) recorder = sb_room_recorder_new (f->store, &ROOM, SB_SOURCE_LIVE);
  SbReplyLink link;
  sb_room_recorder_add_member (recorder, 1000, "me");
  sb_room_recorder_add_member (recorder, 1000, "alice");
  sb_room_recorder_add_member (recorder, 1000, "bob");
  g_assert_true (sb_room_recorder_add_message (recorder, 1010, "me", NULL,
                                               "does anyone know how to set up a MUC?", &link,
                                               &error));
  g_assert_true (sb_room_recorder_add_message (recorder, 1020, "alice", "alice@x",
                                               "me: yes, in the server's config file", &link,
                                               &error));
  g_assert_no_error (error);
  g_assert_cmpint (link.parent, ==, 0);
  g_assert_true (link.confident);
  sb_room_recorder_joined (recorder, 1025, "carol");
  g_assert_true (sb_room_recorder_add_message (recorder, 1030, "bob", "bob@x",
                                               "carol: did you see the match yesterday?", &link,
                                               &error));
  g_assert_cmpint (link.parent, !=, 0);
  assert_counts (f, "alice@x", 0, 1, 0);
  assert_counts (f, "bob@x", 0, 0, 0);
}

/* A Pidgin TXT .chat log: the first two lines were also seen live. */
static const char CHAT_LOG[] =
  "Conversation with tea@conference.x at Sun 29 Nov 2026 09:00:00 PM UTC on me@x/pidgin (jabber)\n"
  "(21:00:10) me: does anyone know how to set up a MUC?\n"
  "(21:00:20) alice: me: yes, in the server's config file\n"
  "(21:00:25) carol entered the room.\n"
  "(21:00:30) bob: carol: did you see the match yesterday?\n"
  "(21:00:40) me: alice: thanks, found it\n";

static char *
member_of (const char *nick, gpointer data)
{
  return g_strconcat (nick, "@x", NULL);
}

static void
test_import_after_live (Fixture *f, gconstpointer data)
{
  const gint64 day0 = 1795737600; /* 2026-11-29 00:00 UTC */
  g_autoptr (GError) error = NULL;
  {
    g_autoptr (SbRoomRecorder) live = sb_room_recorder_new (f->store, &ROOM, SB_SOURCE_LIVE);
    g_assert_true (sb_room_recorder_add_message (live, day0 + 21 * 3600 + 10, "me", NULL,
                                                 "does anyone know how to set up a MUC?", NULL,
                                                 &error));
    g_assert_true (sb_room_recorder_add_message (live, day0 + 21 * 3600 + 20, "alice",
                                                 "alice@x",
                                                 "me: yes, in the server&apos;s config file",
                                                 NULL, &error));
  }
  guint n = 0;
  g_assert_true (sb_room_import_chat_lines (f->store, &ROOM, CHAT_LOG, sizeof CHAT_LOG - 1, day0,
                                            "me", member_of, NULL, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 4);

  g_autoptr (GStringChunk) strings = g_string_chunk_new (64);
  g_autoptr (GArray) lines = load (f, 0, strings);
  g_assert_cmpuint (lines->len, ==, 4); /* the two live lines count once */
  g_assert_cmpint (g_array_index (lines, SbRoomLine, 0).time, ==, day0 + 21 * 3600 + 10);
  g_assert_cmpint (g_array_index (lines, SbRoomLine, 1).parent, ==, 0);
  assert_counts (f, "alice@x", 0, 1, 1);
  assert_counts (f, "bob@x", 0, 0, 0);

  /* Importing again adds nothing. */
  g_assert_true (sb_room_import_chat_lines (f->store, &ROOM, CHAT_LOG, sizeof CHAT_LOG - 1, day0,
                                            "me", member_of, NULL, NULL, &error));
  g_autoptr (GArray) again = load (f, 0, strings);
  g_assert_cmpuint (again->len, ==, 4);
}

static void
test_hint_line (void)
{
  g_assert_null (sb_hint_room_line (0, 0));
  g_autofree char *one = sb_hint_room_line (1, 0);
  g_assert_cmpstr (one, ==, "In rooms: answered you 1 time, you answered them 0 times");
  g_autofree char *many = sb_hint_room_line (3, 2);
  g_assert_cmpstr (many, ==, "In rooms: answered you 3 times, you answered them 2 times");
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("/room-store/load-back", test_load_back);
  ADD ("/room-store/member-counts", test_member_counts);
  ADD ("/room-store/forget", test_forget);
  ADD ("/room-store/seen-together", test_seen_together_from_rooms);
  ADD ("/room-store/migration-from-v5", test_migration_from_v5);
  ADD ("/room-store/recorder", test_recorder);
  ADD ("/room-store/import-after-live", test_import_after_live);
  g_test_add_func ("/room-store/hint-line", test_hint_line);
  return g_test_run ();
}
