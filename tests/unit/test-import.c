/* The log importer, on a whole profile written by the test: accounts.xml and a
 * logs/ tree with HTML (2.13 and 2.14) and TXT logs, aliases, a chat room, a
 * .system folder, IRC services, another protocol, bad and empty files.  The
 * resulting episodes are checked exactly, then idempotence (twice, and with the
 * marks defeated), live + import deduplication, resume after a cancel, and
 * "don't track". */
#include <smileback/smileback.h>
#include <smileback/sb-import.h>
#include <smileback/sb-log-reader.h>
#include <smileback/sb-room-recorder.h>
#include <sb-test-util.h>

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <utime.h>

#define NOW (G_GINT64_CONSTANT (1401580800)) /* 2014-06-01 00:00:00 UTC */

#define H13(colour, t, b, body) \
  "<font color=\"#" colour "\"><font size=\"2\">(" t ")</font> <b>" b "</b></font> " body "<br/>\n"
#define H14(colour, t, b, body)                                                        \
  "<span style=\"color: #" colour "\"><span style=\"font-size: smaller\">(" t ")</span> <b>" b \
  "</b></span> " body "<br>\n"
#define HEAD "<html><head><title>Conversation with x at y on me@example.org/Home (jabber)</title></head><body>\n"
#define SENT "16569E"
#define RECV "A82F2F"

typedef struct
{
  const char *path;
  const char *data;
} FixtureFile;

static const FixtureFile tree[] = {
  { "accounts.xml",
    "<?xml version='1.0' encoding='UTF-8' ?>\n<account version='1.0'>\n"
    " <account>\n  <protocol>prpl-jabber</protocol>\n  <name>me@example.org/Home</name>\n"
    "  <alias>Me Myself</alias>\n  <settings><setting name='x' type='string'>y</setting></settings>\n"
    " </account>\n"
    " <account><protocol>prpl-irc</protocol><name>menick@irc.libera.chat</name></account>\n"
    " <account><protocol>prpl-eionrobb-discord</protocol><name>me#1234</name></account>\n"
    "</account>\n" },
  /* bob: two HTML files; the second repeats an offline message of the first */
  { "logs/jabber/me%40example.org/bob%40example.org/2014-05-08.100000+0200CEST.html",
    HEAD H13 (RECV, "10:00:01", "Bob:", "hi") H13 (SENT, "10:00:30", "Me:", "hello")
      "</body></html>\n" },
  { "logs/jabber/me%40example.org/bob%40example.org/2014-05-09.200000+0200CEST.html",
    HEAD H14 (RECV, "2014-05-08 10:00:01", "Bob:", "hi") H14 (SENT, "20:00:00", "Me:", "are you there?")
      H14 (RECV, "20:05:00", "Bob &lt;AUTO-REPLY&gt;:", "away") H14 (RECV, "20:09:00", "Bob:", "yes") },
  { "logs/jabber/me%40example.org/bob%40example.org/notes.txt", "my notes\n" },
  { "logs/jabber/me%40example.org/bob%40example.org/2014-05-10.100000+0200CEST.html", "" },
  /* carol: TXT with the alias from accounts.xml */
  { "logs/jabber/me%40example.org/carol%40example.org/2014-05-08.120000+0200CEST.txt",
    "Conversation with carol@example.org at 2014-05-08 12:00:00 on me@example.org/Home (jabber)\n"
    "(12:00:00) Me Myself: hey carol\n(12:10:00) Carol: hey!\nhow are you\n"
    "(23:00:00) Me Myself: good night\n" },
  /* dave and erin: TXT, nobody's name known: "Mimi" speaks in both, so it is the user */
  { "logs/jabber/me%40example.org/dave%40example.org/2014-05-08.090000+0200CEST.txt",
    "(09:00:00) D.: yo\n(09:01:00) Mimi: yo dave\n" },
  { "logs/jabber/me%40example.org/erin%40example.org/2014-05-08.100000+0200CEST.txt",
    "(10:00:00) Mimi: hi erin\n(10:02:00) E.: hi\n" },
  /* a room: presence only */
  { "logs/jabber/me%40example.org/room%40conference.example.org.chat/2014-05-08.130000+0200CEST.html",
    HEAD H13 (RECV, "13:00:00", "bob:", "hello room") H13 (SENT, "13:00:10", "Me:", "hi all")
      H13 (RECV, "13:00:20", "carol:", "hey") H13 (RECV, "13:00:30", "bob:", "again") },
  { "logs/jabber/me%40example.org/.system/2014-05-08.100000+0200CEST.html",
    "<html><head><title>System log for account me@example.org/Home (jabber) connected at x</title>\n"
    "---- me@example.org/Home signed on @ 2014-05-08 10:00:00 ----<br>\n" },
  /* IRC: a person, a service, the server window */
  { "logs/irc/menick%40irc.libera.chat/alice/2014-05-08.100000+0000UTC.txt",
    "(10:00:00) alice: ping\n(10:00:05) menick: pong\n" },
  { "logs/irc/menick%40irc.libera.chat/nickserv/2014-05-08.100000+0000UTC.txt",
    "(10:00:00) NickServ: This nickname is registered.\n" },
  { "logs/irc/menick%40irc.libera.chat/irc.libera.chat/2014-05-08.100000+0000UTC.txt",
    "(10:00:00) irc.libera.chat: MOTD\n" },
  /* a third-party protocol found through accounts.xml, and an unknown one */
  { "logs/discord/me%231234/friend/2014-05-08.100000+0000UTC.html",
    H14 (RECV, "10:00:00", "friend:", "hey") },
  { "logs/myprpl/someone/pal/2014-05-08.100000+0000UTC.html", H14 (SENT, "10:00:00", "someone:", "hey") },
};

#define N_FILES 14
#define N_IMPORTED 9 /* bob x2, carol, dave, erin, room, alice, friend, pal */

typedef struct
{
  char *root;
  char *logdir;
  char *db;
  SbLedger *ledger;
} Fixture;

static void
write_files (const char *root, const FixtureFile *files, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *path = g_build_filename (root, files[i].path, NULL);
      g_autofree char *dir = g_path_get_dirname (path);
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_autoptr (GError) error = NULL;
      g_file_set_contents (path, files[i].data, -1, &error);
      g_assert_no_error (error);
    }
}

static void
open_ledger (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  SbParams params = SB_PARAMS_DEFAULT;
  f->ledger = sb_ledger_open (f->db, &params, NOW, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->ledger);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  f->root = g_dir_make_tmp ("sb-import-XXXXXX", &error);
  g_assert_no_error (error);
  write_files (f->root, tree, G_N_ELEMENTS (tree));
  f->logdir = g_build_filename (f->root, "logs", NULL);
  f->db = g_build_filename (f->root, "smileback.db", NULL);
  open_ledger (f);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      GDir *dir = g_dir_open (path, 0, NULL);
      const char *name;
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      if (dir != NULL)
        g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->ledger, sb_ledger_free);
  remove_tree (f->root);
  g_free (f->root);
  g_free (f->logdir);
  g_free (f->db);
}

static SbImportProgress
run_import (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbImport) import = sb_import_new (f->ledger, f->logdir, NULL);
  g_assert_true (sb_import_run (import, NOW, &error));
  g_assert_no_error (error);
  g_assert_true (sb_import_is_finished (import));
  return *sb_import_get_progress (import);
}

static const SbStats *
stats_of (Fixture *f, const char *protocol, const char *account, const char *buddy)
{
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new (protocol, account, buddy);
  return sb_ledger_get_stats (f->ledger, key);
}

static gint64
utc (const char *text)
{
  g_autofree char *iso = g_strdup_printf ("%sZ", text);
  iso[10] = 'T';
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (iso, NULL);
  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

typedef struct
{
  const char *start;
  const char *answered; /* NULL: unanswered */
  SbDirection initiator;
  guint out, in;
} ExpectEpisode;

static void
assert_episodes (Fixture *f, const char *protocol, const char *buddy, const ExpectEpisode *x,
                 guint n)
{
  const char *account = g_str_equal (protocol, "prpl-jabber") ? "me@example.org"
                                                               : "menick@irc.libera.chat";
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new (protocol, account, buddy);
  g_autoptr (GError) error = NULL;
  SbStore *store = sb_ledger_get_store (f->ledger);
  gint64 id = sb_store_lookup_buddy (store, key, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_autoptr (GArray) episodes = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  g_assert_true (sb_store_load_episodes (store, id, 0, episodes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (episodes->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      const SbEpisode *e = &g_array_index (episodes, SbEpisode, i);
      g_assert_cmpint (e->start, ==, utc (x[i].start));
      g_assert_cmpint (e->answered_at, ==, x[i].answered != NULL ? utc (x[i].answered) : 0);
      g_assert_cmpint (e->initiator, ==, x[i].initiator);
      g_assert_cmpuint (e->messages_out, ==, x[i].out);
      g_assert_cmpuint (e->messages_in, ==, x[i].in);
    }
}

static const ExpectEpisode bob_episodes[] = {
  { "2014-05-08 08:00:01", "2014-05-08 08:00:30", SB_DIRECTION_IN, 1, 1 },
  { "2014-05-09 18:00:00", "2014-05-09 18:09:00", SB_DIRECTION_OUT, 1, 1 },
};
static const ExpectEpisode carol_episodes[] = {
  { "2014-05-08 10:00:00", "2014-05-08 10:10:00", SB_DIRECTION_OUT, 1, 1 },
  { "2014-05-08 21:00:00", NULL, SB_DIRECTION_OUT, 1, 0 },
};
static const ExpectEpisode dave_episodes[] = {
  { "2014-05-08 07:00:00", "2014-05-08 07:01:00", SB_DIRECTION_IN, 1, 1 },
};
static const ExpectEpisode erin_episodes[] = {
  { "2014-05-08 08:00:00", "2014-05-08 08:02:00", SB_DIRECTION_OUT, 1, 1 },
};
static const ExpectEpisode alice_episodes[] = {
  { "2014-05-08 10:00:00", "2014-05-08 10:00:05", SB_DIRECTION_IN, 1, 1 },
};

static void
assert_full_history (Fixture *f)
{
  assert_episodes (f, "prpl-jabber", "bob@example.org", bob_episodes, 2);
  assert_episodes (f, "prpl-jabber", "carol@example.org", carol_episodes, 2);
  assert_episodes (f, "prpl-jabber", "dave@example.org", dave_episodes, 1);
  assert_episodes (f, "prpl-jabber", "erin@example.org", erin_episodes, 1);
  assert_episodes (f, "prpl-irc", "alice", alice_episodes, 1);

  const SbStats *bob = stats_of (f, "prpl-jabber", "me@example.org", "bob@example.org");
  g_assert_nonnull (bob);
  g_assert_cmpuint (bob->all.episodes, ==, 2);
  g_assert_cmpuint (bob->all.started_by_you, ==, 1);
  g_assert_cmpuint (bob->all.started_by_them, ==, 1);
  g_assert_cmpuint (bob->all.answered_by_them, ==, 1);
  g_assert_cmpuint (bob->all.answered_by_you, ==, 1);
  g_assert_cmpuint (bob->all.messages_sent, ==, 2);
  g_assert_cmpuint (bob->all.messages_received, ==, 2); /* the repeated offline "hi" once */

  /* protocols: through accounts.xml, and the fallback */
  g_assert_nonnull (stats_of (f, "prpl-eionrobb-discord", "me#1234", "friend"));
  g_assert_nonnull (stats_of (f, "prpl-myprpl", "someone", "pal"));
  /* not buddies */
  g_assert_null (stats_of (f, "prpl-jabber", "me@example.org", "room@conference.example.org"));
  g_assert_null (stats_of (f, "prpl-irc", "menick@irc.libera.chat", "nickserv"));
  g_assert_null (stats_of (f, "prpl-irc", "menick@irc.libera.chat", "irc.libera.chat"));
}

static void
test_full (Fixture *f, gconstpointer data)
{
  SbImportProgress p = run_import (f);
  g_assert_cmpuint (p.files_total, ==, N_FILES);
  g_assert_cmpuint (p.files_done, ==, N_FILES);
  g_assert_cmpuint (p.files_imported, ==, N_IMPORTED);
  g_assert_cmpuint (p.bytes_done, ==, p.bytes_total);
  g_assert_cmpuint (p.skipped[SB_IMPORT_SKIP_SYSTEM], ==, 1);
  g_assert_cmpuint (p.skipped[SB_IMPORT_SKIP_SERVICE], ==, 2);
  g_assert_cmpuint (p.skipped[SB_IMPORT_SKIP_NOT_A_LOG], ==, 1);
  g_assert_cmpuint (p.skipped[SB_IMPORT_SKIP_EMPTY], ==, 1);
  g_assert_cmpuint (p.skipped[SB_IMPORT_SKIP_UNCHANGED], ==, 0);
  /* bob 4, carol 3, dave 2, erin 2, alice 2, friend 1, pal 1 */
  g_assert_cmpuint (p.messages, ==, 15);
  g_assert_cmpint (p.episodes, ==, 2 + 2 + 1 + 1 + 1 + 1 + 1);
  g_assert_cmpuint (p.duplicates, ==, 1);
  g_assert_cmpuint (p.chat_events, ==, 2); /* bob and carol in the room */
  g_assert_cmpuint (p.guessed, ==, 0);
  assert_full_history (f);

  /* the same again on a reopened database: nothing new */
  g_clear_pointer (&f->ledger, sb_ledger_free);
  open_ledger (f);
  assert_full_history (f);
  SbImportProgress again = run_import (f);
  g_assert_cmpuint (again.files_imported, ==, 0);
  g_assert_cmpuint (again.skipped[SB_IMPORT_SKIP_UNCHANGED], ==, N_IMPORTED + 2);
  g_assert_cmpuint (again.messages, ==, 0);
  g_assert_cmpint (again.episodes, ==, 0);
  assert_full_history (f);
}

/* Touching every file defeats the marks: everything is read again and
 * recognised as already recorded. */
static void
test_idempotent (Fixture *f, gconstpointer data)
{
  run_import (f);
  for (gsize i = 0; i < G_N_ELEMENTS (tree); i++)
    {
      g_autofree char *path = g_build_filename (f->root, tree[i].path, NULL);
      struct utimbuf times = { 1500000000, 1500000000 };
      g_assert_cmpint (g_utime (path, &times), ==, 0);
    }
  SbImportProgress p = run_import (f);
  g_assert_cmpuint (p.files_imported, ==, N_IMPORTED);
  g_assert_cmpuint (p.events, ==, 0);
  g_assert_cmpuint (p.messages, ==, 0);
  g_assert_cmpint (p.episodes, ==, 0);
  assert_full_history (f);
}

/* A message captured live and found again in the log counts once. */
static void
test_live_then_import (Fixture *f, gconstpointer data)
{
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", "me@example.org/Home",
                                                 "bob@example.org");
  gsize len = 0;
  const guint8 *secret = sb_ledger_get_secret (f->ledger, &len);
  SbEvent live = {
    .time = utc ("2014-05-09 18:00:00"),
    .direction = SB_DIRECTION_OUT,
    .kind = SB_EVENT_MESSAGE,
    .source = SB_SOURCE_LIVE,
    .size_bucket = 1,
    .digest = sb_text_digest (secret, len, "are you there?"),
  };
  g_autoptr (GError) error = NULL;
  gboolean is_new = FALSE;
  g_assert_true (sb_ledger_add_event (f->ledger, key, &live, NOW, &is_new, &error));
  g_assert_no_error (error);
  g_assert_true (is_new);

  SbImportProgress p = run_import (f);
  g_assert_cmpuint (p.duplicates, ==, 2); /* the offline "hi" and the live message */
  g_assert_cmpuint (p.messages, ==, 14);
  assert_full_history (f);
}

/* Cancelled after two files, a new import resumes and the result is the same. */
static void
test_resume (Fixture *f, gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  guint first_done;
  {
    g_autoptr (SbImport) import = sb_import_new (f->ledger, f->logdir, cancellable);
    g_assert_true (sb_import_step (import, 2, 0, NOW, &error));
    g_assert_no_error (error);
    const SbImportProgress *p = sb_import_get_progress (import);
    g_assert_cmpuint (p->files_total, ==, N_FILES);
    g_assert_cmpuint (p->files_done, ==, 2);
    first_done = p->files_imported;
    g_cancellable_cancel (cancellable);
    g_assert_false (sb_import_step (import, 2, 0, NOW, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_false (sb_import_is_finished (import));
    g_assert_cmpuint (p->files_done, ==, 2);
  }
  g_clear_pointer (&f->ledger, sb_ledger_free);
  open_ledger (f);
  SbImportProgress p = run_import (f);
  g_assert_cmpuint (p.skipped[SB_IMPORT_SKIP_UNCHANGED], ==, first_done);
  g_assert_cmpuint (p.files_imported + first_done, ==, N_IMPORTED);
  assert_full_history (f);
}

/* The file locked by another process halfway: the import stops with the
 * lock's error, and its saved figures are those of the batches on disk.
 * Nothing is lost: once the lock goes, what waited is written. */
static void
test_locked_midway (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint on_disk = 0;
  {
    g_autoptr (SbImport) import = sb_import_new (f->ledger, f->logdir, NULL);
    g_assert_true (sb_import_step (import, 2, 0, NOW, &error));
    g_assert_true (sb_ledger_flush (f->ledger, &error));
    on_disk = sb_import_get_saved_progress (import)->files_imported;
    g_assert_cmpuint (on_disk, ==, sb_import_get_progress (import)->files_imported);

    sqlite3 *other = NULL;
    g_assert_cmpint (sqlite3_open (f->db, &other), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
    while (sb_import_step (import, 0, 0, NOW, &error))
      ;
    g_assert_error (error, SB_STORE_ERROR, SB_STORE_ERROR_BUSY);
    g_clear_error (&error);
    const SbImportProgress *saved = sb_import_get_saved_progress (import);
    g_assert_cmpuint (saved->files_imported, ==, on_disk);
    g_assert_cmpuint (saved->files_total, ==, N_FILES);
    g_assert_cmpuint (sb_import_get_progress (import)->files_imported, >, on_disk);
    sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close (other);
  }
  g_clear_pointer (&f->ledger, sb_ledger_free);
  open_ledger (f);
  /* what was queued is written once the lock goes; the rest is read now */
  SbImportProgress p = run_import (f);
  g_assert_cmpuint (p.skipped[SB_IMPORT_SKIP_UNCHANGED], >, on_disk);
  assert_full_history (f);
}

/* Slices: by files exactly; by time, at least one file per call whatever the
 * clock says, and progress always grows. */
static void
test_steps (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  {
    g_autoptr (SbImport) import = sb_import_new (f->ledger, f->logdir, NULL);
    guint calls = 0;
    while (sb_import_step (import, 1, 0, NOW, &error))
      {
        calls++;
        g_assert_cmpuint (sb_import_get_progress (import)->files_done, ==, calls);
      }
    g_assert_no_error (error);
    g_assert_cmpuint (calls, ==, N_FILES - 1);
    g_assert_cmpuint (sb_import_get_progress (import)->files_done, ==, N_FILES);
  }
  assert_full_history (f);
  {
    g_autoptr (SbImport) import = sb_import_new (f->ledger, f->logdir, NULL);
    guint calls = 0, last = 0;
    while (sb_import_step (import, 0, 1, NOW, &error))
      {
        const SbImportProgress *p = sb_import_get_progress (import);
        g_assert_cmpuint (p->files_done, >, last);
        last = p->files_done;
        calls++;
      }
    g_assert_no_error (error);
    g_assert_cmpuint (calls, <, N_FILES);
    g_assert_cmpuint (sb_import_get_progress (import)->files_done, ==, N_FILES);
  }
}

static void
test_untracked (Fixture *f, gconstpointer data)
{
  g_autoptr (SbBuddyKey) carol = sb_buddy_key_new ("prpl-jabber", "me@example.org",
                                                   "carol@example.org");
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_ledger_set_tracked (f->ledger, carol, FALSE, &error));
  g_assert_no_error (error);
  SbImportProgress p = run_import (f);
  g_assert_cmpuint (p.skipped[SB_IMPORT_SKIP_UNTRACKED], ==, 1);
  g_assert_cmpuint (p.files_imported, ==, N_IMPORTED - 1);
  g_assert_null (sb_ledger_get_stats (f->ledger, carol));
}

/* A log whose newlines were lost, larger than the reader takes on one line:
 * skipped for that reason, the rest imported. */
static void
test_line_too_long (Fixture *f, gconstpointer data)
{
  sb_test_write_endless_line (f->root,
                              "logs/jabber/me%40example.org/frank%40example.org/"
                              "2014-05-08.100000+0200CEST.html",
                              "<html><head><title>Conversation with frank</title></head><body>",
                              SB_LOG_READER_MAX_LINE + 1024 * 1024);
  SbImportProgress p = run_import (f);
  g_assert_cmpuint (p.files_total, ==, N_FILES + 1);
  g_assert_cmpuint (p.skipped[SB_IMPORT_SKIP_TOO_LONG], ==, 1);
  g_assert_cmpuint (p.files_imported, ==, N_IMPORTED);
  g_assert_cmpstr (sb_import_skip_describe (SB_IMPORT_SKIP_TOO_LONG), !=, "");
}

static void
test_no_logs (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->root, "nowhere", NULL);
  g_autoptr (SbImport) import = sb_import_new (f->ledger, missing, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_false (sb_import_run (import, NOW, &error));
  g_assert_error (error, SB_IMPORT_ERROR, SB_IMPORT_ERROR_NO_LOGS);
}

/* `smileback import`: the summary line, then nothing new on a second run. */
static void
test_cli (Fixture *f, gconstpointer data)
{
  const char *build = g_getenv ("SMILEBACK_BUILD_ROOT");
  if (build == NULL)
    {
      g_test_skip ("SMILEBACK_BUILD_ROOT is not set (run through meson test)");
      return;
    }
  g_autofree char *exe = g_build_filename (build, "plugin", "cli", "smileback", NULL);
  g_autofree char *db = g_build_filename (f->root, "cli.db", NULL);
  const char *argv[] = { exe, "import", "--db", db, f->logdir, NULL };
  g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "LANGUAGE", "C", TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C", TRUE);
  const char *expected[] = {
    "Imported 9 files: 15 new messages, 9 new conversations. Skipped 5 files: system logs: 1; "
    "services (not buddies): 2; not a Pidgin log: 1; empty: 1.\n",
    "Imported 0 files: 0 new messages, 0 new conversations. Skipped 14 files: unchanged since "
    "the last import: 11; system logs: 1; services (not buddies): 2.\n",
  };
  for (gsize run = 0; run < G_N_ELEMENTS (expected); run++)
    {
      g_autofree char *out = NULL, *err = NULL;
      int status = -1;
      g_autoptr (GError) error = NULL;
      g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                   &err, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, expected[run]);
      g_assert_cmpstr (err, ==, ""); /* no progress bar: stderr is not a terminal */
    }
}

static void
test_names (void)
{
  const struct
  {
    const char *icon, *protocol;
  } icons[] = { { "jabber", "prpl-jabber" }, { "gadu-gadu", "prpl-gg" }, { "aim", "prpl-aim" },
                { "icq", "prpl-icq" }, { "irc", "prpl-irc" }, { "telegram", "prpl-telegram" } };
  for (gsize i = 0; i < G_N_ELEMENTS (icons); i++)
    {
      g_autofree char *p = sb_import_protocol_for_icon (icons[i].icon);
      g_assert_cmpstr (p, ==, icons[i].protocol);
    }
  const char *escaped[][2] = { { "bob%40example.org", "bob@example.org" },
                               { "caf%c3%a9", "caf\xc3\xa9" },
                               { "100%", "100%" },
                               { "%zz%4", "%zz%4" },
                               { "bad%ff", "bad\xef\xbf\xbd" } };
  for (gsize i = 0; i < G_N_ELEMENTS (escaped); i++)
    {
      g_autofree char *u = sb_import_unescape_name (escaped[i][0]);
      g_assert_cmpstr (u, ==, escaped[i][1]);
    }
}

/* Three buddies' logs carry the same received text within a week: once all
 * files are read it is marked automated and stops counting as an opening. */
static void
test_automated_across_files (Fixture *f, gconstpointer data)
{
  const char *names[] = { "ann", "ben", "cat" };
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf (
          "%s/jabber/me%%40example.org/%s%%40example.org/2014-05-1%d.100000+0000UTC.html", f->logdir,
          names[i], i + 1);
      g_autofree char *dir = g_path_get_dirname (path);
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_assert_true (g_file_set_contents (
          path, HEAD H14 (RECV, "10:00:00", "x:", "Win a <b>FREE</b> cruise!") H14 (SENT, "10:05:00", "Me:", "what?"),
          -1, NULL));
    }
  SbImportProgress progress = run_import (f);
  g_assert_cmpuint (progress.automated, ==, 3);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *jid = g_strdup_printf ("%s@example.org", names[i]);
      const SbStats *stats = stats_of (f, "prpl-jabber", "me@example.org", jid);
      g_assert_nonnull (stats);
      g_assert_cmpuint (stats->all.automated, ==, 1);
      g_assert_cmpuint (stats->all.started_by_them, ==, 0);
      g_assert_cmpuint (stats->all.started_by_you, ==, 1);
    }
}

/* TXT logs where nobody writes under a name the folder shows: the user's
 * alias in accounts.xml, the buddies' in blist.xml (a buddy alias, a contact
 * alias) and the header's account tell the sides, so neither file is read
 * the wrong way round however much more one side talks. */
static const FixtureFile names_tree[] = {
  { "accounts.xml",
    "<?xml version='1.0' encoding='UTF-8' ?>\n<account version='1.0'>\n"
    " <account><protocol>prpl-jabber</protocol><name>jedi@example.com/Adium</name>"
    "<alias>Obi-Wan</alias></account>\n</account>\n" },
  { "blist.xml",
    "<?xml version='1.0' encoding='UTF-8' ?>\n<purple version='1.0'><blist><group name='Buddies'>\n"
    " <contact><buddy account='jedi@example.com/Adium' proto='prpl-jabber'>"
    "<name>john@example.com</name><alias>John Mick</alias></buddy></contact>\n"
    " <contact alias='Anna K'><buddy account='jedi@example.com/Adium' proto='prpl-jabber'>"
    "<name>anna@example.com</name><setting name='servernick' type='string'>Annie</setting>"
    "</buddy></contact>\n"
    "</group></blist></purple>\n" },
  /* the user unnamed anywhere: only the buddy's alias can tell */
  { "logs/jabber/jedi%40example.com/john%40example.com/2014-05-08.182800+0000UTC.txt",
    "(06:28:17 PM) John Mick: hi\n(06:28:25 PM) Luke: hello\n(06:28:40 PM) Luke: how are you\n"
    "(06:29:00 PM) Luke: long time\n" },
  /* the user under the account's name, the buddy under a contact alias and a
   * server alias */
  { "logs/jabber/jedi%40example.com/anna%40example.com/2014-05-08.100000+0000UTC.txt",
    "Conversation with anna@example.com at 2014-05-08 10:00:00 on jedi@example.com/Adium (jabber)\n"
    "(10:00:00) jedi: one\n(10:00:10) jedi: two\n(10:00:20) Anna K: three\n(10:00:30) Annie: four\n"
    "(10:00:40) Obi-Wan: five\n(10:00:50) jedi: six\n" },
};

static void
test_txt_names (Fixture *f, gconstpointer data)
{
  g_autofree char *profile = g_build_filename (f->root, "profile", NULL);
  write_files (profile, names_tree, G_N_ELEMENTS (names_tree));
  g_autofree char *logs = g_build_filename (profile, "logs", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbImport) import = sb_import_new (f->ledger, logs, NULL);
  g_assert_true (sb_import_run (import, NOW, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sb_import_get_progress (import)->guessed, ==, 0);

  const SbStats *john = stats_of (f, "prpl-jabber", "jedi@example.com", "john@example.com");
  g_assert_nonnull (john);
  g_assert_cmpuint (john->all.messages_sent, ==, 3);
  g_assert_cmpuint (john->all.messages_received, ==, 1);
  g_assert_cmpuint (john->all.started_by_them, ==, 1);
  const SbStats *anna = stats_of (f, "prpl-jabber", "jedi@example.com", "anna@example.com");
  g_assert_nonnull (anna);
  g_assert_cmpuint (anna->all.messages_sent, ==, 4);
  g_assert_cmpuint (anna->all.messages_received, ==, 2);
  g_assert_cmpuint (anna->all.started_by_you, ==, 1);
}

/* Rooms: an XMPP room logged in HTML (the user's lines in the sent colour)
 * and an IRC channel in TXT (the user's nick is the account's). */
static const FixtureFile rooms_tree[] = {
  { "logs/jabber/me%40example.org/room%40conference.example.org.chat/2014-05-08.130000+0200CEST.html",
    HEAD H14 (RECV, "13:00:00", "bob:", "anyone up for lunch today?")
      H14 (SENT, "13:00:40", "Me:", "bob: yes, at noon?")
      H14 (RECV, "13:01:10", "bob:", "Me: great, see you there")
      H14 (RECV, "13:05:00", "carol:", "what did I miss") },
  { "logs/irc/menick%40irc.libera.chat/%23pidgin.chat/2014-05-08.100000+0000UTC.txt",
    "Conversation with #pidgin at 2014-05-08 10:00:00 on menick@irc.libera.chat (irc)\n"
    "(10:00:00) menick: does anyone know how to build this?\n"
    "(10:00:30) alice: menick: run meson setup first\n"
    "(10:02:00) menick: alice: thanks, that worked\n" },
};

static const SbRoomKey xmpp_room = { "prpl-jabber", "me@example.org", "room@conference.example.org" };
static const SbRoomKey irc_room = { "prpl-irc", "menick@irc.libera.chat", "#pidgin" };

typedef struct
{
  const char *time; /* UTC */
  const char *speaker;
  int parent;
} ExpectLine;

static void
assert_room_lines (Fixture *f, const SbRoomKey *room, const ExpectLine *x, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) lines = g_array_new (FALSE, FALSE, sizeof (SbRoomLine));
  g_autoptr (GStringChunk) strings = g_string_chunk_new (256);
  g_assert_true (sb_store_load_room_lines (sb_ledger_get_store (f->ledger), room, 0, lines, strings,
                                           &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lines->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      const SbRoomLine *line = &g_array_index (lines, SbRoomLine, i);
      g_assert_cmpint (line->time, ==, utc (x[i].time));
      g_assert_cmpstr (line->speaker != NULL ? line->speaker : "", ==, x[i].speaker);
      g_assert_cmpint (line->parent, ==, x[i].parent);
    }
}

static void
assert_room_figures (Fixture *f)
{
  static const ExpectLine xmpp[] = {
    { "2014-05-08 11:00:00", "bob", -1 },
    { "2014-05-08 11:00:40", "", 0 },
    { "2014-05-08 11:01:10", "bob", 1 },
    { "2014-05-08 11:05:00", "carol", -1 },
  };
  static const ExpectLine irc[] = {
    { "2014-05-08 10:00:00", "", -1 },
    { "2014-05-08 10:00:30", "alice", 0 },
    { "2014-05-08 10:02:00", "", 1 },
  };
  assert_room_lines (f, &xmpp_room, xmpp, G_N_ELEMENTS (xmpp));
  assert_room_lines (f, &irc_room, irc, G_N_ELEMENTS (irc));

  g_autoptr (GError) error = NULL;
  SbRoomStats stats;
  g_assert_true (sb_store_room_stats (sb_ledger_get_store (f->ledger), &irc_room, 0, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.messages, ==, 3);
  g_assert_cmpuint (stats.your_messages, ==, 2);
  g_assert_cmpuint (stats.your_threads, ==, 1);
  g_assert_cmpuint (stats.answered_threads, ==, 1);
  g_assert_cmpint (stats.median_answer_s, ==, 30);
  g_assert_cmpuint (stats.you_answered, ==, 1);
  sb_room_stats_clear (&stats);
}

static SbImportProgress
import_rooms (Fixture *f, const char *profile)
{
  g_autofree char *logs = g_build_filename (profile, "logs", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbImport) import = sb_import_new (f->ledger, logs, NULL);
  g_assert_true (sb_import_run (import, NOW, &error));
  g_assert_no_error (error);
  return *sb_import_get_progress (import);
}

/* Each line of a .chat log goes through the room recorder: who answered
 * whom comes from history too, once however often it is imported. */
static void
test_room_lines (Fixture *f, gconstpointer data)
{
  g_autofree char *profile = g_build_filename (f->root, "rooms", NULL);
  write_files (profile, rooms_tree, G_N_ELEMENTS (rooms_tree));
  SbImportProgress p = import_rooms (f, profile);
  g_assert_cmpuint (p.files_imported, ==, 2);
  g_assert_cmpuint (p.room_messages, ==, 7);
  assert_room_figures (f);

  /* again: the marks skip both files */
  p = import_rooms (f, profile);
  g_assert_cmpuint (p.skipped[SB_IMPORT_SKIP_UNCHANGED], ==, 2);
  g_assert_cmpuint (p.room_messages, ==, 0);
  assert_room_figures (f);

  /* and with the marks defeated: read again, stored once */
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_store_exec (sb_ledger_get_store (f->ledger), "DELETE FROM imported_files", &error));
  g_assert_no_error (error);
  p = import_rooms (f, profile);
  g_assert_cmpuint (p.files_imported, ==, 2);
  g_assert_cmpuint (p.room_messages, ==, 7);
  assert_room_figures (f);
}

/* A line captured live and read again from the log is one row. */
static void
test_room_live_then_import (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  SbStore *store = sb_ledger_get_store (f->ledger);
  g_autoptr (SbRoomRecorder) live = sb_room_recorder_new (store, &irc_room, SB_SOURCE_LIVE);
  g_assert_true (sb_room_recorder_add_message (live, utc ("2014-05-08 10:00:00"), "menick", NULL,
                                               "does anyone know how to build this?", NULL, &error));
  g_assert_true (sb_room_recorder_add_message (live, utc ("2014-05-08 10:00:30"), "alice", "alice",
                                               "menick: run meson setup first", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sb_store_flush (store, &error));

  g_autofree char *profile = g_build_filename (f->root, "rooms", NULL);
  write_files (profile, rooms_tree, G_N_ELEMENTS (rooms_tree));
  import_rooms (f, profile);
  assert_room_figures (f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("TZ", "UTC", TRUE);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/import/full-and-twice", test_full);
  ADD ("/import/idempotent-without-marks", test_idempotent);
  ADD ("/import/live-then-import", test_live_then_import);
  ADD ("/import/resume-after-cancel", test_resume);
  ADD ("/import/locked-midway", test_locked_midway);
  ADD ("/import/steps", test_steps);
  ADD ("/import/untracked", test_untracked);
  ADD ("/import/no-logs", test_no_logs);
  ADD ("/import/line-too-long", test_line_too_long);
  ADD ("/import/cli", test_cli);
  ADD ("/import/automated-across-files", test_automated_across_files);
  ADD ("/import/txt-names", test_txt_names);
  ADD ("/import/room-lines", test_room_lines);
  ADD ("/import/room-live-then-import", test_room_live_then_import);
  g_test_add_func ("/import/names", test_names);
  return g_test_run ();
}
