/* `smileback report`: the JSON contract on a known history; every subcommand's
 * usage errors (exit 2) and failures (exit 1, "smileback: ..." on stderr). */
#include <smileback/smileback.h>
#include "sb-test-util.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

typedef SbTestHistory Fixture;

/* Runs smileback with @args; returns its exit status, output in @out and @err. */
static int
run_cli (const char *const *args, char **out, char **err)
{
  return sb_test_run_cli (args, NULL, out, err);
}

static void
add (SbLedger *ledger, const SbBuddyKey *key, gint64 time, SbDirection dir, SbEventKind kind,
     gint64 now)
{
  static guint64 digest = 1;
  SbEvent event = { .time = time, .direction = dir, .kind = kind, .digest = digest++ };
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_ledger_add_event (ledger, key, &event, now, NULL, &error));
  g_assert_no_error (error);
}

/* Bob: 3 episodes (you start, he answers in 2 min; he starts, you answer in
 * 10 min; you start, no answer).  Carol: one auto-reply only, then she starts
 * and nobody answers. */
static void
write_history (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->db, NULL, f->now, &error);
  g_assert_no_error (error);
  g_autoptr (SbBuddyKey) bob = sb_buddy_key_new ("prpl-jabber", "me@localhost", "bob@localhost");
  g_autoptr (SbBuddyKey) carol = sb_buddy_key_new ("prpl-jabber", "me@localhost", "carol@localhost");
  gint64 d = SB_DAY, n = f->now;
  add (ledger, bob, n - 10 * d, SB_DIRECTION_OUT, SB_EVENT_MESSAGE, n);
  add (ledger, bob, n - 10 * d + 120, SB_DIRECTION_IN, SB_EVENT_MESSAGE, n);
  add (ledger, bob, n - 10 * d + 130, SB_DIRECTION_OUT, SB_EVENT_MESSAGE, n);
  add (ledger, bob, n - 5 * d, SB_DIRECTION_IN, SB_EVENT_MESSAGE, n);
  add (ledger, bob, n - 5 * d + 600, SB_DIRECTION_OUT, SB_EVENT_MESSAGE, n);
  add (ledger, bob, n - 1 * d, SB_DIRECTION_OUT, SB_EVENT_MESSAGE, n);
  add (ledger, carol, n - 2 * d, SB_DIRECTION_IN, SB_EVENT_AUTO_REPLY, n);
  add (ledger, carol, n - 2 * d + 10, SB_DIRECTION_IN, SB_EVENT_MESSAGE, n);
}

static const char *const json_keys[] = {
  "protocol", "account", "buddy", "episodes", "started_by_you", "started_by_them",
  "answered_by_them", "answered_by_you", "messages_sent", "messages_received",
  "median_latency_them_s", "median_latency_you_s", "last_episode", "closeness",
};

static void
test_report_json (Fixture *f, gconstpointer data)
{
  write_history (f);
  g_autofree char *out = NULL, *err = NULL;
  const char *args[] = { "report", "--json", "--db", f->db, NULL };
  g_assert_cmpint (run_cli (args, &out, &err), ==, 0);

  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  JsonArray *rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);

  JsonObject *bob = json_array_get_object_element (rows, 0);
  g_assert_cmpuint (json_object_get_size (bob), ==, G_N_ELEMENTS (json_keys));
  for (gsize i = 0; i < G_N_ELEMENTS (json_keys); i++)
    g_assert_true (json_object_has_member (bob, json_keys[i]));
  g_assert_cmpstr (json_object_get_string_member (bob, "protocol"), ==, "prpl-jabber");
  g_assert_cmpstr (json_object_get_string_member (bob, "account"), ==, "me@localhost");
  g_assert_cmpstr (json_object_get_string_member (bob, "buddy"), ==, "bob@localhost");
  g_assert_cmpint (json_object_get_int_member (bob, "episodes"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (bob, "started_by_you"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (bob, "started_by_them"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (bob, "answered_by_them"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (bob, "answered_by_you"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (bob, "messages_sent"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (bob, "messages_received"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (bob, "median_latency_them_s"), ==, 120);
  g_assert_cmpint (json_object_get_int_member (bob, "median_latency_you_s"), ==, 600);
  g_autoptr (GDateTime) last = g_date_time_new_from_unix_utc (f->now - SB_DAY);
  g_autofree char *last_text = g_date_time_format (last, "%Y-%m-%dT%H:%M:%SZ");
  g_assert_cmpstr (json_object_get_string_member (bob, "last_episode"), ==, last_text);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (bob, "closeness"), 2.0, 1e-9);

  JsonObject *carol = json_array_get_object_element (rows, 1);
  g_assert_cmpstr (json_object_get_string_member (carol, "buddy"), ==, "carol@localhost");
  g_assert_cmpint (json_object_get_int_member (carol, "episodes"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (carol, "started_by_them"), ==, 1);
  g_assert_true (json_object_get_null_member (carol, "median_latency_them_s"));
  g_assert_true (json_object_get_null_member (carol, "median_latency_you_s"));
  g_assert_cmpfloat (json_object_get_double_member (carol, "closeness"), ==, 0.0);

  /* --since keeps only later conversations. */
  g_autoptr (GDateTime) since = g_date_time_new_from_unix_utc (f->now - 3 * SB_DAY);
  g_autofree char *since_text = g_date_time_format (since, "%Y-%m-%dT%H:%M:%SZ");
  const char *args_since[] = { "report", "--json", "--db", f->db, "--since", since_text, NULL };
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (args_since, &out, NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (rows, 0), "episodes"), ==, 1);

  /* And the table for people. */
  const char *args_table[] = { "report", "--db", f->db, NULL };
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (args_table, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "bob@localhost"));
  g_assert_nonnull (strstr (out, "100%"));
}

static void
test_report_empty (Fixture *f, gconstpointer data)
{
  {
    g_autoptr (SbStore) store = sb_store_open (f->db, NULL);
    g_assert_nonnull (store);
  }
  g_autofree char *out = NULL;
  const char *args[] = { "report", "--json", "--db", f->db, NULL };
  g_assert_cmpint (run_cli (args, &out, NULL), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, "[]");
}

typedef struct
{
  const char *name;
  const char *args[6];
  int status;
  const char *message;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "no-command", { NULL }, 2, "Usage" },
  { "unknown-command", { "frobnicate", NULL }, 2, "unknown command" },
  { "unknown-option", { "report", "--colour", NULL }, 2, "colour" },
  { "bad-date", { "report", "--since", "yesterday-ish", "--db", "DB", NULL }, 2, "not a date" },
  { "missing-db", { "report", "--db", "MISSING", NULL }, 1, "no history" },
  { "future-db", { "report", "--db", "FUTURE", NULL }, 1, "newer" },
  { "buddy-no-name", { "buddy", "--db", "DB", NULL }, 2, "NAME is missing" },
  { "buddy-two-names", { "buddy", "--db", "DB", "a", "b", NULL }, 2, "unexpected argument" },
  { "due-argument", { "due", "--db", "DB", "bob", NULL }, 2, "unexpected argument" },
  { "forget-no-name", { "forget", "--yes", "--db", "DB", NULL }, 2, "NAME is missing" },
  { "export-bad-option", { "export", "--text", NULL }, 2, "text" },
  { "check-argument", { "check", "--db", "DB", "x", NULL }, 2, "unexpected argument" },
  { "merge-no-file", { "merge", "--db", "DB", NULL }, 2, "OTHER.db is missing" },
  { "merge-missing-file", { "merge", "--db", "DB", "MISSING", NULL }, 1, "no history" },
  { "buddy-missing-db", { "buddy", "--db", "MISSING", "bob", NULL }, 1, "no history" },
  { "check-missing-db", { "check", "--db", "MISSING", NULL }, 1, "no history" },
  { "export-unwritable", { "export", "--db", "DB", "/nonexistent/dir/out.json", NULL }, 1,
    "cannot write" },
  { "threads-no-file", { "threads", NULL }, 2, "no log file" },
  { "threads-unknown-option", { "threads", "--colour", "MISSING", NULL }, 2, "colour" },
  { "threads-missing-file", { "threads", "MISSING", NULL }, 1, "cannot read" },
};

static void
test_errors (Fixture *f, gconstpointer data)
{
  const ErrorCase *c = data;
  {
    g_autoptr (SbStore) store = sb_store_open (f->db, NULL);
    g_assert_nonnull (store);
  }
  g_autofree char *missing = g_build_filename (f->dir, "missing.db", NULL);
  g_autofree char *future = g_build_filename (f->dir, "future.db", NULL);
  {
    g_autoptr (SbStore) store = sb_store_open (future, NULL);
    g_assert_true (sb_store_exec (store, "PRAGMA user_version = 77", NULL));
  }
  const char *args[8] = { NULL };
  for (int i = 0; c->args[i] != NULL; i++)
    args[i] = g_str_equal (c->args[i], "DB") ? f->db
              : g_str_equal (c->args[i], "MISSING") ? missing
              : g_str_equal (c->args[i], "FUTURE") ? future : c->args[i];

  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (run_cli (args, &out, &err), ==, c->status);
  g_assert_nonnull (strstr (err, c->message));
  g_assert_true (c->status == 2 || g_str_has_prefix (err, "smileback: "));
  g_assert_cmpstr (out, ==, "");
}

/* `smileback threads`: a plain IRC log and the same room as Pidgin logs (HTML
 * and TXT) give "LINE PARENT" rows; headers and system lines link to
 * themselves. */
typedef struct
{
  const char *name;
  const char *log;
  const char *expected;
} ThreadsCase;

static const ThreadsCase threads_cases[] = {
  { "plain.log",
    "[10:00] <alice> how do I mount an iso image?\n"
    "=== bob [~bob@example.org]  has joined #ubuntu\n"
    "[10:01] <carol> has anyone tried the new kernel yet?\n"
    "[10:01] <bob> alice: sudo mount -o loop file.iso /mnt\n"
    "[10:02] <dave> carol: yes, works fine here\n"
    "[10:02] <alice> bob: thanks, that worked\n",
    "0 0\n1 1\n2 2\n3 0\n4 2\n5 3\n" },
  { "2014-05-08.100000+0200CEST.html",
    "<html><head><title>Conversation with room at 2014-05-08 10:00:00 on me (jabber)</title>"
    "</head><body><h3>Conversation with room at 2014-05-08 10:00:00 on me (jabber)</h3>\n"
    "<font color=\"#A82F2F\"><font size=\"2\">(10:00:01)</font> <b>alice:</b></font> how do I "
    "mount an iso image?<br/>\n"
    "<font size=\"2\">(10:00:02)</font><b> bob entered the room.</b><br/>\n"
    "<font color=\"#A82F2F\"><font size=\"2\">(10:00:10)</font> <b>carol:</b></font> has anyone "
    "tried the new kernel yet?<br/>\n"
    "<font color=\"#A82F2F\"><font size=\"2\">(10:00:20)</font> <b>bob:</b></font> alice: sudo "
    "mount -o loop file.iso /mnt<br/>\n"
    "</body></html>\n",
    "0 0\n1 1\n2 2\n3 3\n4 1\n5 5\n" },
  { "2014-05-08.100000+0200CEST.txt",
    "Conversation with room at 2014-05-08 10:00:00 on me (jabber)\n"
    "(10:00:01) alice: how do I mount an iso image?\n"
    "(10:00:02) bob entered the room.\n"
    "(10:00:10) carol: has anyone tried the new kernel yet?\n"
    "(10:00:20) bob: alice: sudo mount -o loop file.iso /mnt\n",
    "0 0\n1 1\n2 2\n3 3\n4 1\n" },
};

static void
test_threads (Fixture *f, gconstpointer data)
{
  const ThreadsCase *c = data;
  g_autofree char *path = g_build_filename (f->dir, c->name, NULL);
  g_assert_true (g_file_set_contents (path, c->log, -1, NULL));
  const char *args[] = { "threads", path, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpstr (out, ==, c->expected);
}

/* Several files: each row prefixed by its file; --help exits 0. */
static void
test_threads_several (Fixture *f, gconstpointer data)
{
  g_autofree char *a = g_build_filename (f->dir, "a.log", NULL);
  g_autofree char *b = g_build_filename (f->dir, "b.log", NULL);
  g_assert_true (g_file_set_contents (a, "[10:00] <alice> hi\n", -1, NULL));
  g_assert_true (g_file_set_contents (b, "* bob waves\n", -1, NULL));
  const char *args[] = { "threads", a, b, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  g_autofree char *expected = g_strdup_printf ("%s:0 0\n%s:0 0\n", a, b);
  g_assert_cmpstr (out, ==, expected);

  const char *help[] = { "threads", "--help", NULL };
  g_autofree char *help_out = NULL, *help_err = NULL;
  g_assert_cmpint (run_cli (help, &help_out, &help_err), ==, 0);
  g_assert_nonnull (strstr (help_out, "LINE PARENT"));
}

int
main (int argc, char **argv)
{
  g_setenv ("LC_ALL", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cli/report/json", Fixture, NULL, sb_test_history_setup, test_report_json, sb_test_history_teardown);
  g_test_add ("/cli/report/empty", Fixture, NULL, sb_test_history_setup, test_report_empty, sb_test_history_teardown);
  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/errors/%s", error_cases[i].name);
      g_test_add (path, Fixture, &error_cases[i], sb_test_history_setup, test_errors, sb_test_history_teardown);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (threads_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/threads/%s", threads_cases[i].name);
      g_test_add (path, Fixture, &threads_cases[i], sb_test_history_setup, test_threads, sb_test_history_teardown);
    }
  g_test_add ("/cli/threads/several", Fixture, NULL, sb_test_history_setup, test_threads_several,
              sb_test_history_teardown);
  return g_test_run ();
}
