/* The SQLite store: round trip, reopen, migration, damaged, future and locked
 * files, file mode, and a flush that fails without losing the queue. */
#include <smileback/smileback.h>
#include "sb-test-util.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <sys/stat.h>

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = sb_test_make_tmpdir ("sb-store-XXXXXX");
  g_assert_nonnull (f->dir);
  f->path = g_build_filename (f->dir, "smileback.db", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  sb_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static SbEvent
message (gint64 time, SbDirection direction, guint64 digest)
{
  return (SbEvent){ .time = time, .direction = direction, .kind = SB_EVENT_MESSAGE, .digest = digest };
}

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", "me@x", "bob@x");
  SbEpisode episode = { .start = 100, .last = 200, .answered_at = 150, .initiator = SB_DIRECTION_IN,
                        .messages_out = 2, .messages_in = 3, .turns_out = 1, .turns_in = 2,
                        .last_dir = SB_DIRECTION_OUT };
  SbCounts counts = { .episodes = 1, .started_by_them = 1, .answered_by_you = 1,
                      .messages_sent = 2, .messages_received = 3, .last_episode = 100 };
  {
    g_autoptr (SbStore) store = sb_store_open (f->path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (sb_store_get_schema_version (store), ==, SB_STORE_SCHEMA_VERSION);
    gint64 id = sb_store_lookup_buddy (store, key, TRUE, &error);
    g_assert_no_error (error);
    g_assert_cmpint (id, >, 0);
    g_assert_cmpint (sb_store_lookup_buddy (store, key, FALSE, &error), ==, id);

    SbEvent events[] = { message (100, SB_DIRECTION_IN, 7), message (150, SB_DIRECTION_OUT, 8) };
    for (guint i = 0; i < G_N_ELEMENTS (events); i++)
      sb_store_queue_event (store, id, &events[i]);
    sb_store_queue_event (store, id, &events[0]); /* the same message twice */
    sb_store_queue_episode (store, id, &episode);
    sb_store_queue_summary (store, id, &counts, 150);
    g_assert_cmpuint (sb_store_pending (store), ==, 5);
    /* closing flushes */
  }

  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_null (sb_store_get_moved_aside (store));
  gint64 id = sb_store_lookup_buddy (store, key, FALSE, &error);
  g_assert_cmpint (id, >, 0);

  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  g_assert_true (sb_store_load_events (store, id, 0, events, &error));
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpint (g_array_index (events, SbEvent, 1).time, ==, 150);
  g_assert_cmpuint (g_array_index (events, SbEvent, 1).digest, ==, 8);

  g_autoptr (GArray) episodes = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  g_assert_true (sb_store_load_episodes (store, id, 0, episodes, &error));
  g_assert_cmpuint (episodes->len, ==, 1);
  g_assert_cmpmem (&g_array_index (episodes, SbEpisode, 0), sizeof (SbEpisode), &episode,
                   sizeof episode);

  gint64 start = -1;
  g_assert_true (sb_store_last_episode_start (store, id, 1000, SB_DIRECTION_IN, &start, &error));
  g_assert_cmpint (start, ==, 100);
  g_assert_true (sb_store_last_episode_start (store, id, 1000, SB_DIRECTION_OUT, &start, &error));
  g_assert_cmpint (start, ==, 0);

  guint n_new = 0;
  gint64 earliest = 0;
  SbEvent more[] = { message (150, SB_DIRECTION_OUT, 8), message (120, SB_DIRECTION_IN, 9) };
  gboolean inserted[2] = { TRUE, FALSE };
  g_assert_true (sb_store_insert_events (store, id, more, 2, &n_new, &earliest, inserted, &error));
  g_assert_false (inserted[0]);
  g_assert_true (inserted[1]);
  g_assert_cmpuint (n_new, ==, 1);
  g_assert_cmpint (earliest, ==, 120);
}

static void
test_secret_is_stable (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint8 first[32];
  {
    g_autoptr (SbStore) store = sb_store_open (f->path, &error);
    gsize len = 0;
    memcpy (first, sb_store_get_secret (store, &len), sizeof first);
    g_assert_cmpuint (len, ==, 32);
  }
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_assert_cmpmem (sb_store_get_secret (store, NULL), 32, first, 32);

  g_autoptr (SbStore) other = sb_store_open (":memory:", &error);
  g_assert_no_error (error);
  g_assert_true (memcmp (sb_store_get_secret (other, NULL), first, 32) != 0);
}

static void
test_file_mode (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  mode_t old = umask (0);
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  umask (old);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  GStatBuf st;
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  if (g_stat (wal, &st) == 0)
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

/* Writes the first schema as a 0.1 release would have, with one buddy. */
static void
write_schema_v1 (const char *path)
{
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  const char *sql =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB);"
    "CREATE TABLE buddies (id INTEGER PRIMARY KEY, protocol TEXT NOT NULL,"
    "  account TEXT NOT NULL, buddy TEXT NOT NULL, UNIQUE (protocol, account, buddy));"
    "CREATE TABLE events (buddy_id INTEGER NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
    "  time INTEGER NOT NULL, direction INTEGER NOT NULL, kind INTEGER NOT NULL,"
    "  digest INTEGER NOT NULL, source INTEGER NOT NULL, flags INTEGER NOT NULL,"
    "  size_bucket INTEGER NOT NULL,"
    "  PRIMARY KEY (buddy_id, time, direction, kind, digest)) WITHOUT ROWID;"
    "CREATE TABLE episodes (buddy_id INTEGER NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
    "  start INTEGER NOT NULL, last INTEGER NOT NULL, answered_at INTEGER NOT NULL,"
    "  initiator INTEGER NOT NULL, messages_out INTEGER NOT NULL, messages_in INTEGER NOT NULL,"
    "  turns_out INTEGER NOT NULL, turns_in INTEGER NOT NULL, last_dir INTEGER NOT NULL,"
    "  flags INTEGER NOT NULL, PRIMARY KEY (buddy_id, start)) WITHOUT ROWID;"
    "CREATE TABLE summaries (buddy_id INTEGER PRIMARY KEY REFERENCES buddies (id) ON DELETE CASCADE,"
    "  episodes INTEGER NOT NULL, started_by_you INTEGER NOT NULL,"
    "  started_by_them INTEGER NOT NULL, answered_by_them INTEGER NOT NULL,"
    "  answered_by_you INTEGER NOT NULL, messages_sent INTEGER NOT NULL,"
    "  messages_received INTEGER NOT NULL, last_episode INTEGER NOT NULL,"
    "  last_you_started INTEGER NOT NULL, last_event INTEGER NOT NULL);"
    "INSERT INTO buddies VALUES (1, 'prpl-jabber', 'me@x', 'old@x');"
    "INSERT INTO episodes VALUES (1, 100, 100, 0, 0, 1, 0, 1, 0, 0, 0);"
    "INSERT INTO summaries VALUES (1, 1, 1, 0, 0, 0, 1, 0, 100, 100, 100);"
    "PRAGMA user_version = 1;";
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static gboolean
count_buddy (gint64 id, const SbBuddyKey *key, const SbCounts *all, gint64 last_event,
             gboolean tracked, gpointer user_data)
{
  guint *n = user_data;
  g_assert_cmpstr (key->buddy, ==, "old@x");
  g_assert_cmpuint (all->started_by_you, ==, 1);
  g_assert_cmpint (last_event, ==, 100);
  g_assert_true (tracked);
  (*n)++;
  return TRUE;
}

static void
test_migration_from_v1 (Fixture *f, gconstpointer data)
{
  write_schema_v1 (f->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sb_store_get_schema_version (store), ==, SB_STORE_SCHEMA_VERSION);
  guint n = 0;
  g_assert_true (sb_store_foreach_buddy (store, count_buddy, &n, &error));
  g_assert_cmpuint (n, ==, 1);
  /* The new tables work. */
  g_assert_true (sb_store_set_file_mark (store, "/logs/a.html", 10, 20, &error));
  gint64 size = 0, mtime = 0;
  g_assert_true (sb_store_get_file_mark (store, "/logs/a.html", &size, &mtime, &error));
  g_assert_cmpint (size, ==, 10);
  g_assert_false (sb_store_get_file_mark (store, "/logs/b.html", &size, &mtime, &error));
  g_assert_no_error (error);
}

static void
test_future_version_refused (Fixture *f, gconstpointer data)
{
  sqlite3 *db = NULL;
  sqlite3_open (f->path, &db);
  sqlite3_exec (db, "CREATE TABLE precious (x); INSERT INTO precious VALUES (42);"
                    "PRAGMA user_version = 99;", NULL, NULL, NULL);
  sqlite3_close (db);

  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, SB_STORE_ERROR, SB_STORE_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "newer"));

  /* Untouched: still version 99 with its data. */
  sqlite3_open (f->path, &db);
  sqlite3_stmt *stmt = NULL;
  sqlite3_prepare_v2 (db, "SELECT x FROM precious", -1, &stmt, NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 42);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
assert_moved_aside (Fixture *f, SbStore *store, const char *original_content)
{
  const char *aside = sb_store_get_moved_aside (store);
  g_assert_nonnull (aside);
  g_assert_true (g_str_has_prefix (aside, f->path));
  g_assert_nonnull (strstr (aside, ".corrupt-"));
  g_autofree char *kept = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (aside, &kept, &len, NULL));
  if (original_content != NULL)
    g_assert_cmpstr (kept, ==, original_content);
  /* A fresh, working database took its place. */
  g_autoptr (GError) error = NULL;
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("p", "a", "b");
  g_assert_cmpint (sb_store_lookup_buddy (store, key, TRUE, &error), >, 0);
  g_assert_no_error (error);
}

static void
test_not_a_database (Fixture *f, gconstpointer data)
{
  const char *junk = "this is not a database, but somebody's notes\n";
  g_assert_true (g_file_set_contents (f->path, junk, -1, NULL));
  g_autoptr (GError) error = NULL;
  g_test_expect_message ("smileback-core", G_LOG_LEVEL_WARNING, "*moved aside*");
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  assert_moved_aside (f, store, junk);
}

static void
test_damaged_pages (Fixture *f, gconstpointer data)
{
  /* A real database whose table pages were overwritten: the header is fine,
   * quick_check is not. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (SbStore) store = sb_store_open (f->path, &error);
    g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("p", "a", "b");
    gint64 id = sb_store_lookup_buddy (store, key, TRUE, &error);
    for (int i = 1; i < 2000; i++)
      {
        SbEvent e = message (i, SB_DIRECTION_OUT, i);
        sb_store_queue_event (store, id, &e);
      }
    g_assert_true (sb_store_flush (store, &error));
    g_assert_true (sb_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", &error));
  }
  g_autofree char *content = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (f->path, &content, &len, NULL));
  g_assert_cmpuint (len, >, 4096 * 4);
  for (gsize i = 4096 * 2; i < len; i++)
    content[i] = (char) (i * 7);
  g_assert_true (g_file_set_contents (f->path, content, (gssize) len, NULL));

  g_autoptr (GError) error = NULL;
  g_test_expect_message ("smileback-core", G_LOG_LEVEL_WARNING, "*moved aside*");
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  assert_moved_aside (f, store, NULL);
}

static void
test_locked (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_assert_no_error (error);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("p", "a", "b");
  gint64 id = sb_store_lookup_buddy (store, key, TRUE, &error);

  /* Another process holds the write lock. */
  sqlite3 *other = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  SbEvent e = message (10, SB_DIRECTION_IN, 1);
  sb_store_queue_event (store, id, &e);
  gint64 before = g_get_monotonic_time ();
  g_assert_false (sb_store_flush (store, &error));
  gint64 waited_ms = (g_get_monotonic_time () - before) / 1000;
  g_assert_error (error, SB_STORE_ERROR, SB_STORE_ERROR_BUSY);
  g_test_message ("waited %" G_GINT64_FORMAT " ms for the lock", waited_ms);
  /* Nothing lost: the write waits in the queue. */
  g_assert_cmpuint (sb_store_pending (store), ==, 1);
  g_clear_error (&error);

  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);
  g_assert_true (sb_store_flush (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sb_store_pending (store), ==, 0);
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  g_assert_true (sb_store_load_events (store, id, 0, events, &error));
  g_assert_cmpuint (events->len, ==, 1);
}

static void
test_locked_on_open (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  {
    g_autoptr (SbStore) store = sb_store_open (f->path, &error);
    g_assert_nonnull (store);
  }
  sqlite3 *other = NULL;
  sqlite3_open (f->path, &other);
  /* An exclusive lock in rollback-journal terms blocks even readers. */
  sqlite3_exec (other, "PRAGMA journal_mode = DELETE; PRAGMA locking_mode = EXCLUSIVE;"
                       "BEGIN EXCLUSIVE", NULL, NULL, NULL);
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, SB_STORE_ERROR, SB_STORE_ERROR_BUSY);
  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);
  /* Never moved aside. */
  GDir *dir = g_dir_open (f->dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_null (strstr (name, "corrupt"));
  g_dir_close (dir);
}

/* Every table, with a row in it, passes quick_check on reopen: a schema that
 * trips SQLite's checker would have the history moved aside at every start. */
static void
test_full_tables_reopen (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  {
    g_autoptr (SbStore) store = sb_store_open (f->path, &error);
    g_autoptr (SbBuddyKey) a = sb_buddy_key_new ("p", "me", "a");
    g_autoptr (SbBuddyKey) b = sb_buddy_key_new ("p", "me", "b");
    gint64 id_a = sb_store_lookup_buddy (store, a, TRUE, &error);
    gint64 id_b = sb_store_lookup_buddy (store, b, TRUE, &error);
    SbEvent e = message (10, SB_DIRECTION_IN, 1);
    SbEpisode episode = { .start = 10, .last = 10 };
    SbCounts counts = { .episodes = 1 };
    sb_store_queue_event (store, id_a, &e);
    sb_store_queue_episode (store, id_a, &episode);
    sb_store_queue_summary (store, id_a, &counts, 10);
    SbChatEvent chat = { .protocol = "p", .account = "me", .room = "r", .member = "a",
                         .kind = SB_CHAT_PRESENT, .time = 10 };
    g_assert_true (sb_store_add_chat_event (store, &chat, &error));
    g_assert_true (sb_store_set_file_mark (store, "/logs/x", 1, 2, &error));
    g_assert_true (sb_store_set_prompt_state (store, id_a, 0, 5, FALSE, &error));
    g_assert_cmpint (sb_store_log_prompt (store, id_a, 0, 10, &error), !=, 0);
    g_assert_true (sb_store_mark_pair (store, id_b, id_a, SB_PAIR_INTRODUCED, 10, &error));
    g_assert_no_error (error);
  }
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_null (sb_store_get_moved_aside (store));
}

static void
test_unwritable_dir (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open ("/nonexistent-dir/for/sure/smileback.db", &error);
  g_assert_null (store);
  g_assert_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED);
}

static void
test_forget_cascades (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("p", "a", "b");
  gint64 id = sb_store_lookup_buddy (store, key, TRUE, &error);
  SbEvent e = message (10, SB_DIRECTION_IN, 1);
  SbEpisode episode = { .start = 10, .last = 10 };
  SbCounts counts = { .episodes = 1 };
  sb_store_queue_event (store, id, &e);
  sb_store_queue_episode (store, id, &episode);
  sb_store_queue_summary (store, id, &counts, 10);
  g_assert_true (sb_store_forget_buddy (store, id, &error));
  g_assert_cmpint (sb_store_lookup_buddy (store, key, FALSE, &error), ==, 0);
  gint64 rows = -1;
  sqlite3 *db = NULL;
  sqlite3_open (f->path, &db);
  sqlite3_stmt *stmt = NULL;
  sqlite3_prepare_v2 (db, "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM episodes)"
                          " + (SELECT count(*) FROM summaries)", -1, &stmt, NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  rows = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpint (rows, ==, 0);
}

/* Pair marks are bits: two rows with marks 1 and 3 read as 1 | 3 = 3 (a sum
 * of the distinct marks would say 4). */
static void
test_pair_marks_or (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_autoptr (SbBuddyKey) a = sb_buddy_key_new ("p", "me", "a");
  g_autoptr (SbBuddyKey) b = sb_buddy_key_new ("p", "me", "b");
  gint64 id_a = sb_store_lookup_buddy (store, a, TRUE, &error);
  gint64 id_b = sb_store_lookup_buddy (store, b, TRUE, &error);
  guint marks = 99;
  g_assert_true (sb_store_pair_marks (store, id_a, id_b, &marks, &error));
  g_assert_cmpuint (marks, ==, 0);

  g_assert_true (sb_store_mark_pair (store, id_b, id_a, SB_PAIR_KNOW_EACH_OTHER, 10, &error));
  g_autofree char *sql = g_strdup_printf ("INSERT INTO pairs (buddy_a, buddy_b, mark, time)"
                                          " VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                                          ", 3, 20)",
                                          MIN (id_a, id_b), MAX (id_a, id_b));
  g_assert_true (sb_store_exec (store, sql, &error));
  g_assert_true (sb_store_pair_marks (store, id_a, id_b, &marks, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (marks, ==, 3);
}

/* A prompt is acted on when the user writes within the hour, and smiled back
 * at when the buddy writes within 48 hours after that; received lines of
 * another kind, or later, do not count. */
static void
test_prompt_outcomes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  const char *names[] = { "acted", "late", "answered", "answered-late", "auto" };
  gint64 ids[G_N_ELEMENTS (names)];
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("p", "me", names[i]);
      ids[i] = sb_store_lookup_buddy (store, key, TRUE, &error);
      g_assert_cmpint (sb_store_log_prompt (store, ids[i], 7, 1000, &error), !=, 0);
    }
  const gint64 hour = SB_HOUR, day = SB_DAY;
  SbEvent auto_reply = message (1000 + hour + 20, SB_DIRECTION_IN, 5);
  auto_reply.kind = SB_EVENT_AUTO_REPLY;
  struct
  {
    guint buddy;
    SbEvent event;
  } events[] = {
    { 0, message (1000 + hour, SB_DIRECTION_OUT, 1) },
    { 1, message (1000 + hour + 1, SB_DIRECTION_OUT, 1) },
    { 2, message (1010, SB_DIRECTION_OUT, 1) },
    { 2, message (1010 + 2 * day, SB_DIRECTION_IN, 2) },
    { 3, message (1010, SB_DIRECTION_OUT, 1) },
    { 3, message (1010 + 2 * day + 1, SB_DIRECTION_IN, 2) },
    { 4, message (1010, SB_DIRECTION_OUT, 1) },
    { 4, auto_reply },
  };
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    sb_store_queue_event (store, ids[events[i].buddy], &events[i].event);

  guint shown = 0, acted = 0, smiled_back = 0;
  g_assert_true (sb_store_prompt_outcomes (store, 7, &shown, &acted, &smiled_back, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (shown, ==, 5);
  g_assert_cmpuint (acted, ==, 4);
  g_assert_cmpuint (smiled_back, ==, 1);
  g_assert_true (sb_store_prompt_outcomes (store, 8, &shown, &acted, &smiled_back, &error));
  g_assert_cmpuint (shown, ==, 0);
}

/* Invitations count as joined when the invitee is present within a day;
 * introductions as met when both are present in one room afterwards. */
/* A nonblocking store counts a prompt shown at once, before the writer
 * committed it (the planner's caps read this count right after showing
 * one), and once after. */
static void
test_prompt_counted_before_commit (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_assert_no_error (error);
  sb_store_set_nonblocking (store, TRUE);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("p", "me", "ana");
  gint64 buddy = sb_store_buddy_id (store, key, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sb_store_log_prompt (store, buddy, 3, 1000, &error), <, 0);
  guint count = 0;
  g_assert_true (sb_store_count_prompts_since (store, 900, 3, &count, &error));
  g_assert_cmpuint (count, ==, 1);
  g_assert_true (sb_store_count_prompts_since (store, 900, -1, &count, &error));
  g_assert_cmpuint (count, ==, 1);
  g_assert_true (sb_store_count_prompts_since (store, 900, 4, &count, &error));
  g_assert_cmpuint (count, ==, 0);
  g_assert_true (sb_store_count_prompts_since (store, 1001, 3, &count, &error));
  g_assert_cmpuint (count, ==, 0);

  g_assert_true (sb_store_flush (store, &error));
  g_assert_true (sb_store_count_prompts_since (store, 900, 3, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 1);
}

static void
test_chat_outcomes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_autoptr (SbBuddyKey) a = sb_buddy_key_new ("p", "me", "a");
  g_autoptr (SbBuddyKey) b = sb_buddy_key_new ("p", "me", "b");
  gint64 id_a = sb_store_lookup_buddy (store, a, TRUE, &error);
  gint64 id_b = sb_store_lookup_buddy (store, b, TRUE, &error);
  SbChatEvent chats[] = {
    { "p", "me", "r", "a", SB_CHAT_INVITE_SENT, SB_SOURCE_LIVE, 100 },
    { "p", "me", "r", "a", SB_CHAT_PRESENT, SB_SOURCE_LIVE, 100 + SB_DAY },
    { "p", "me", "s", "b", SB_CHAT_INVITE_SENT, SB_SOURCE_LIVE, 100 },
    { "p", "me", "s", "b", SB_CHAT_PRESENT, SB_SOURCE_LIVE, 101 + SB_DAY },
    { "p", "me", "r", "b", SB_CHAT_PRESENT, SB_SOURCE_LIVE, 200 + SB_DAY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (chats); i++)
    g_assert_true (sb_store_add_chat_event (store, &chats[i], &error));

  guint invited = 0, joined = 0, introduced = 0, met = 0;
  gboolean yes = FALSE;
  g_assert_true (sb_store_invitation_outcomes (store, &invited, &joined, &error));
  g_assert_cmpuint (invited, ==, 2);
  g_assert_cmpuint (joined, ==, 1);
  g_assert_true (sb_store_invited_since (store, "p", "me", "r", "a", 100, &yes, &error));
  g_assert_true (yes);
  g_assert_true (sb_store_invited_since (store, "p", "me", "r", "b", 0, &yes, &error));
  g_assert_false (yes);
  g_assert_true (sb_store_seen_together (store, a, b, 0, &yes, &error));
  g_assert_true (yes);

  g_assert_true (sb_store_mark_pair (store, id_a, id_b, SB_PAIR_KNOW_EACH_OTHER, 10, &error));
  g_assert_true (sb_store_introduction_outcomes (store, &introduced, &met, &error));
  g_assert_cmpuint (introduced, ==, 0);
  g_assert_true (sb_store_mark_pair (store, id_a, id_b, SB_PAIR_INTRODUCED, 10, &error));
  g_assert_true (sb_store_introduction_outcomes (store, &introduced, &met, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (introduced, ==, 1);
  g_assert_cmpuint (met, ==, 1);
}

/* Only a received message is marked automated, once. */
static void
test_flag_automated (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("p", "me", "a");
  gint64 id = sb_store_lookup_buddy (store, key, TRUE, &error);
  SbEvent in = message (10, SB_DIRECTION_IN, 42);
  SbEvent out = message (20, SB_DIRECTION_OUT, 42);
  sb_store_queue_event (store, id, &in);
  sb_store_queue_event (store, id, &out);
  gboolean changed = FALSE;
  g_assert_true (sb_store_flag_automated (store, id, 20, 42, &changed, &error));
  g_assert_false (changed);
  g_assert_true (sb_store_flag_automated (store, id, 10, 42, &changed, &error));
  g_assert_true (changed);
  g_assert_true (sb_store_flag_automated (store, id, 10, 42, &changed, &error));
  g_assert_false (changed);

  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  g_assert_true (sb_store_load_events (store, id, 0, events, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpuint (g_array_index (events, SbEvent, 0).flags, ==, SB_EVENT_FLAG_AUTOMATED);
  g_assert_cmpuint (g_array_index (events, SbEvent, 1).flags, ==, SB_EVENT_FLAG_NONE);
}

/* Events and file marks as another connection sees them, in one snapshot. */
static void
count_committed (const char *path, int *events, int *marks)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT (SELECT count (*) FROM events),"
                                       " (SELECT count (*) FROM imported_files)",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *events = sqlite3_column_int (stmt, 0);
  *marks = sqlite3_column_int (stmt, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_group_commits_together (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_assert_no_error (error);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("p", "a", "b");
  gint64 id = sb_store_queue_buddy (store, key);

  sb_store_begin_group (store);
  for (int i = 0; i < 3; i++)
    {
      SbEvent e = message (10 + i, SB_DIRECTION_IN, (guint64) i + 1);
      sb_store_queue_event (store, id, &e);
    }
  sb_store_queue_file_mark (store, "jabber/a/b/1.html", 100, 200);
  /* held in the group: past the writer's delay, nothing is written */
  g_usleep ((SB_STORE_COMMIT_DELAY_MS + 300) * 1000);
  int events = -1, marks = -1;
  count_committed (f->path, &events, &marks);
  g_assert_cmpint (events, ==, 0);
  g_assert_cmpint (marks, ==, 0);
  /* the buddy, queued before the group, went on its own */
  g_assert_cmpuint (sb_store_pending (store), ==, 4);
  sb_store_end_group (store);

  /* whenever another reader looks, the events and the mark are there
   * together or not at all */
  for (;;)
    {
      count_committed (f->path, &events, &marks);
      g_assert_true ((events == 0 && marks == 0) || (events == 3 && marks == 1));
      if (events == 3)
        break;
      g_usleep (20 * 1000);
    }
  gint64 size = 0, mtime = 0;
  g_assert_true (sb_store_get_file_mark (store, "jabber/a/b/1.html", &size, &mtime, &error));
  g_assert_cmpint (size, ==, 100);
  g_assert_cmpint (mtime, ==, 200);
}

static void
test_group_flushed_inside (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("p", "a", "b");
  gint64 id = sb_store_queue_buddy (store, key);
  sb_store_begin_group (store);
  SbEvent e = message (10, SB_DIRECTION_IN, 1);
  sb_store_queue_event (store, id, &e);
  /* a flush inside the group commits what it holds so far */
  g_assert_true (sb_store_flush (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sb_store_pending (store), ==, 0);
  gint64 last = 0;
  g_assert_true (sb_store_last_event_time (store, id, &last, &error));
  g_assert_cmpint (last, ==, 10);
  sb_store_end_group (store);
  g_assert_cmpuint (sb_store_pending (store), ==, 0);
}

static void
test_wait_for_room_locked (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open (f->path, &error);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("p", "a", "b");
  gint64 id = sb_store_lookup_buddy (store, key, TRUE, &error);
  g_assert_no_error (error);

  sqlite3 *other = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  for (int i = 0; i < 10; i++)
    {
      SbEvent e = message (10 + i, SB_DIRECTION_OUT, (guint64) i + 1);
      sb_store_queue_event (store, id, &e);
    }
  /* the writer cannot commit: the producer is told, and nothing is lost */
  g_assert_false (sb_store_wait_for_room (store, 0, 0, &error));
  g_assert_error (error, SB_STORE_ERROR, SB_STORE_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpuint (sb_store_pending (store), ==, 10);
  /* under the bound, it does not wait */
  g_assert_true (sb_store_wait_for_room (store, 10, 0, &error));

  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);
  /* the writer retries by itself; the wait ends once it committed */
  while (!sb_store_wait_for_room (store, 0, 0, NULL))
    g_usleep (SB_STORE_RETRY_MIN_MS * 1000);
  gint64 last = 0;
  g_assert_true (sb_store_last_event_time (store, id, &last, &error));
  g_assert_cmpint (last, ==, 19);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/store/round-trip", test_round_trip);
  ADD ("/store/secret-is-stable", test_secret_is_stable);
  ADD ("/store/file-mode-0600", test_file_mode);
  ADD ("/store/migration/from-v1", test_migration_from_v1);
  ADD ("/store/bad-file/future-version-refused", test_future_version_refused);
  ADD ("/store/bad-file/not-a-database", test_not_a_database);
  ADD ("/store/bad-file/damaged-pages", test_damaged_pages);
  ADD ("/store/bad-file/locked-write", test_locked);
  ADD ("/store/bad-file/locked-on-open", test_locked_on_open);
  ADD ("/store/forget-cascades", test_forget_cascades);
  ADD ("/store/full-tables-reopen", test_full_tables_reopen);
  ADD ("/store/pair-marks-or", test_pair_marks_or);
  ADD ("/store/prompt-outcomes", test_prompt_outcomes);
  ADD ("/store/prompt-counted-before-commit", test_prompt_counted_before_commit);
  ADD ("/store/chat-outcomes", test_chat_outcomes);
  ADD ("/store/flag-automated", test_flag_automated);
  ADD ("/store/group/commits-together", test_group_commits_together);
  ADD ("/store/group/flushed-inside", test_group_flushed_inside);
  ADD ("/store/bad-file/locked-wait-for-room", test_wait_for_room_locked);
#undef ADD
  g_test_add_func ("/store/bad-file/unwritable-dir", test_unwritable_dir);
  return g_test_run ();
}
