/* The `smileback` subcommands beyond report's JSON: report's table and CSV,
 * buddy, due, forget, export, check, --help and usage errors.  Each test
 * writes a history through the core API (or `smileback import` of logs) and a
 * blist.xml beside it, then runs the built command. */
#include <smileback/smileback.h>
#include <smileback/sb-hint.h>
#include <smileback/sb-room-store.h>
#include "sb-test-util.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define BOB "bob@localhost"
#define CAROL "carol@localhost"
#define DAVE "dave@localhost"
#define LONG_ID "a-very-long-buddy-name-that-goes-on-and-on-and-on@conference.example.org"
#define ODD "we,\"odd\""

typedef SbTestHistory Fixture;

static const char *const utf8_env[] = { "LC_ALL=C.UTF-8", "COLUMNS=100", NULL };

static int
run (const char *const *args, char **out, char **err)
{
  return sb_test_run_cli (args, utf8_env, out, err);
}

static void
add (SbLedger *ledger, const char *protocol, const char *buddy, gint64 time, SbDirection dir)
{
  static guint64 digest = 1;
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new (protocol, "me@localhost", buddy);
  SbEvent event = { .time = time, .direction = dir, .kind = SB_EVENT_MESSAGE, .digest = digest++ };
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_ledger_add_event (ledger, key, &event, time, NULL, &error));
  g_assert_no_error (error);
}

/* @n conversations with @buddy, @every apart, the last one starting at @last:
 * the user writes, the buddy answers a minute later. */
static void
add_rhythm (SbLedger *ledger, const char *buddy, guint n, gint64 every, gint64 last)
{
  for (guint i = 0; i < n; i++)
    {
      gint64 start = last - (gint64) (n - 1 - i) * every;
      add (ledger, "prpl-jabber", buddy, start, SB_DIRECTION_OUT);
      add (ledger, "prpl-jabber", buddy, start + 60, SB_DIRECTION_IN);
    }
}

/* Bob drifted (every 10 days, last 70 days ago: due), Carol wrote 20 hours
 * ago and waits, Dave keeps his rhythm (not due), a long id, and an IRC
 * nick with a comma and quotes. */
static void
write_history (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->db, NULL, f->now, &error);
  g_assert_no_error (error);
  add_rhythm (ledger, BOB, 4, 10 * SB_DAY, f->now - 70 * SB_DAY);
  add (ledger, "prpl-jabber", CAROL, f->now - 20 * SB_HOUR, SB_DIRECTION_IN);
  add_rhythm (ledger, DAVE, 4, 10 * SB_DAY, f->now - 2 * SB_DAY);
  add (ledger, "prpl-jabber", LONG_ID, f->now - 3 * SB_DAY, SB_DIRECTION_OUT);
  add (ledger, "prpl-irc", ODD, f->now - 4 * SB_DAY, SB_DIRECTION_OUT);
  g_assert_true (sb_ledger_flush (ledger, &error));
}

#define BLIST_BUDDY(name, alias)                                                     \
  "<contact><buddy account='me@localhost/Home' proto='prpl-jabber'><name>" name \
  "</name><alias>" alias "</alias></buddy></contact>\n"

static void
write_blist (Fixture *f)
{
  sb_test_write_file (f->dir, "blist.xml",
                      "<?xml version='1.0' encoding='UTF-8' ?>\n<purple version='1.0'><blist>\n"
                      "<group name='Friends'>\n" BLIST_BUDDY ("Bob@localhost", "Bobby Tables")
                      "<contact alias='日本の友達 Carol'>"
                      "<buddy account='me@localhost/Work' proto='prpl-jabber'>"
                      "<name>carol@localhost</name><alias>C.</alias></buddy></contact>\n"
                      BLIST_BUDDY ("dave@localhost", "bobby tables")
                      BLIST_BUDDY (LONG_ID, "Someone with a long name in a long room")
                      "</group></blist></purple>\n");
}

static void
setup_history (Fixture *f, gconstpointer data)
{
  sb_test_history_setup (f, data);
  write_history (f);
  write_blist (f);
}

#define ROOM "room@muc.localhost"

/* In a room: the user starts a thread, Bob answers it, the user answers Bob
 * and Carol answers Bob too.  Lines of @ledger's store, flushed. */
static void
write_bob_in_a_room (Fixture *f, SbLedger *ledger)
{
  SbRoomKey room = { "prpl-jabber", "me@localhost", ROOM };
  const SbRoomEntry lines[] = {
    { .time = f->now - 100, .digest = 11 },
    { .time = f->now - 90, .speaker = BOB, .digest = 12, .has_parent = TRUE,
      .parent_time = f->now - 100, .confident = TRUE },
    { .time = f->now - 80, .digest = 13, .has_parent = TRUE, .parent_time = f->now - 90,
      .parent_speaker = BOB, .confident = TRUE },
    { .time = f->now - 70, .speaker = CAROL, .digest = 14, .has_parent = TRUE,
      .parent_time = f->now - 90, .parent_speaker = BOB, .confident = TRUE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (lines); i++)
    g_assert_true (sb_store_add_room_line (sb_ledger_get_store (ledger), &room, &lines[i], NULL));
  g_assert_true (sb_ledger_flush (ledger, NULL));
}

/* Columns @text takes on a terminal. */
static int
display_width (const char *text)
{
  int width = 0;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    width += g_unichar_iszerowidth (g_utf8_get_char (p)) ? 0
             : g_unichar_iswide (g_utf8_get_char (p))    ? 2
                                                         : 1;
  return width;
}

/* Every line of the table is as wide as the header and fits @columns;
 * the figures' column ("Talks") ends at the same place on every line. */
static void
assert_aligned (const char *out, int columns)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  int width = display_width (lines[0]);
  g_assert_cmpint (width, <=, columns);
  for (int i = 1; lines[i] != NULL && *lines[i] != '\0'; i++)
    g_assert_cmpint (display_width (lines[i]), ==, width);
}

static void
test_report_table (Fixture *f, gconstpointer data)
{
  for (int columns = 60; columns <= 160; columns += 50)
    {
      g_autofree char *width = g_strdup_printf ("COLUMNS=%d", columns);
      const char *env[] = { "LC_ALL=C.UTF-8", width, NULL };
      const char *args[] = { "report", "--db", f->db, NULL };
      g_autofree char *out = NULL;
      g_assert_cmpint (sb_test_run_cli (args, env, &out, NULL), ==, 0);
      assert_aligned (out, columns);
      g_assert_nonnull (strstr (out, "Bobby"));
      g_assert_nonnull (strstr (out, "…")); /* the long id, shortened */
      if (columns >= 160)
        g_assert_true (strstr (out, "Bobby Tables  ") && strstr (out, "日本の友達 Carol"));
    }
  /* Without a UTF-8 locale the ellipsis is ASCII. */
  const char *env_c[] = { "LC_ALL=C", "COLUMNS=80", NULL };
  const char *args[] = { "report", "--db", f->db, NULL };
  g_autofree char *out = NULL;
  g_assert_cmpint (sb_test_run_cli (args, env_c, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "..."));
}

/* report --json is unchanged by the buddy list: no alias key. */
static void
test_report_json_keeps_contract (Fixture *f, gconstpointer data)
{
  const char *args[] = { "report", "--json", "--db", f->db, NULL };
  g_autofree char *out = NULL;
  g_assert_cmpint (run (args, &out, NULL), ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  JsonArray *rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (rows), ==, 5);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      g_assert_cmpuint (json_object_get_size (row), ==, 14);
      g_assert_false (json_object_has_member (row, "alias"));
    }
  g_assert_null (strstr (out, "Bobby"));
}

static void
test_report_csv (Fixture *f, gconstpointer data)
{
  const char *args[] = { "report", "--csv", "--db", f->db, NULL };
  g_autofree char *out = NULL;
  g_assert_cmpint (run (args, &out, NULL), ==, 0);
  g_auto (GStrv) lines = g_strsplit (out, "\r\n", -1);
  g_assert_cmpstr (lines[0], ==,
                   "protocol,account,buddy,episodes,started_by_you,started_by_them,"
                   "answered_by_them,answered_by_you,messages_sent,messages_received,"
                   "median_latency_them_s,median_latency_you_s,last_episode,closeness");
  g_assert_cmpuint (g_strv_length (lines), ==, 7); /* header, 5 rows, "" after the last CRLF */
  g_assert_cmpstr (lines[6], ==, "");
  /* The IRC nick, quoted as RFC 4180 says; an unknown latency is empty. */
  g_assert_true (g_str_has_prefix (lines[1], "prpl-irc,me@localhost,\"we,\"\"odd\"\"\",1,1,0,0,0,1,0,,,"));
  g_assert_true (g_str_has_prefix (lines[2], "prpl-jabber,me@localhost," LONG_ID ",1,"));
  g_assert_true (g_str_has_prefix (lines[3], "prpl-jabber,me@localhost," BOB ",4,4,0,4,0,4,4,60,,"));
  /* --json and --csv together is a usage error. */
  const char *both[] = { "report", "--csv", "--json", "--db", f->db, NULL };
  g_autofree char *err = NULL;
  g_assert_cmpint (run (both, NULL, &err), ==, 2);
}

static void
test_buddy (Fixture *f, gconstpointer data)
{
  /* By id, any case. */
  const char *args[] = { "buddy", "--db", f->db, "BOB@LOCALHOST", NULL };
  g_autofree char *out = NULL;
  g_assert_cmpint (run (args, &out, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Bobby Tables (" BOB ")"));
  g_assert_nonnull (strstr (out, "4: 4 started by you, 0 by them"));
  g_assert_nonnull (strstr (out, "100% of yours, typically after 1 minute"));
  g_assert_nonnull (strstr (out, "every 10 days")); /* the rhythm */
  g_assert_nonnull (strstr (out, "due now (since 7 weeks ago)")); /* 15 days after 70 days ago */
  g_assert_nonnull (strstr (out, "every 2 weeks"));
  /* Bob's last four months carry a bar each, in block characters. */
  g_assert_nonnull (strstr (out, "█"));
  /* Not seen in a room yet: no room line. */
  g_assert_null (strstr (out, "In rooms"));

  /* Bob answered the user once in a room, the user answered him once: the
   * tooltip's room line. */
  {
    g_autoptr (SbLedger) ledger = sb_ledger_open (f->db, NULL, f->now, NULL);
    write_bob_in_a_room (f, ledger);
  }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (args, &out, NULL), ==, 0);
  g_autofree char *room_line = sb_hint_room_line (1, 1);
  g_assert_nonnull (strstr (out, room_line));
  g_assert_nonnull (strstr (out, "In rooms: answered you 1 time, you answered them 1 time"));

  /* By alias, and the ASCII sparkline outside UTF-8. */
  const char *env_c[] = { "LC_ALL=C", NULL };
  const char *by_alias[] = { "buddy", "--db", f->db, "日本の友達 carol", NULL };
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (by_alias, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, CAROL));
  const char *ascii[] = { "buddy", "--db", f->db, "dave@localhost", NULL };
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sb_test_run_cli (ascii, env_c, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "#"));
  g_assert_null (strstr (out, "In rooms")); /* Dave was never in the room */
  g_assert_null (strstr (out, "█"));

  /* Two buddies share an alias: both are listed, exit 1. */
  const char *ambiguous[] = { "buddy", "--db", f->db, "Bobby Tables", NULL };
  g_autofree char *err = NULL;
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (ambiguous, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "ambiguous"));
  g_assert_nonnull (strstr (err, BOB));
  g_assert_nonnull (strstr (err, DAVE));
  g_assert_cmpstr (out, ==, "");

  const char *unknown[] = { "buddy", "--db", f->db, "nobody", NULL };
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (unknown, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "no buddy called"));
}

/* The buddies' names in the order `due` lists them. */
static GPtrArray *
due_order (const char *out)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      const char *open = strrchr (lines[i], '(');
      const char *close = open != NULL ? strchr (open, ')') : NULL;
      if (lines[i][0] != '\0' && g_ascii_isdigit (lines[i][1]) && close != NULL)
        g_ptr_array_add (names, g_strndup (open + 1, close - open - 1));
    }
  return names;
}

/* The planner's own order, from the ledger's figures. */
static GPtrArray *
planner_order (Fixture *f)
{
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->db, NULL, f->now, NULL);
  g_autoptr (SbPlanner) planner = sb_planner_new (sb_ledger_get_store (ledger), NULL);
  const char *ids[] = { BOB, CAROL, DAVE, LONG_ID };
  SbPlannerBuddy buddies[G_N_ELEMENTS (ids)];
  SbBuddyKey *keys[G_N_ELEMENTS (ids)];
  for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      keys[i] = sb_buddy_key_new ("prpl-jabber", "me@localhost", ids[i]);
      buddies[i] = (SbPlannerBuddy){ .key = keys[i], .stats = sb_ledger_get_stats (ledger, keys[i]) };
    }
  SbPlannerMoment moment = { .now = f->now, .available = TRUE };
  g_autoptr (GPtrArray) due = sb_planner_list_due (planner, buddies, G_N_ELEMENTS (ids), &moment);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < due->len; i++)
    g_ptr_array_add (names, g_strdup (((SbPrompt *) g_ptr_array_index (due, i))->key->buddy));
  for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
    sb_buddy_key_free (keys[i]);
  return names;
}

static void
test_due (Fixture *f, gconstpointer data)
{
  const char *args[] = { "due", "--db", f->db, NULL };
  g_autofree char *out = NULL;
  g_assert_cmpint (run (args, &out, NULL), ==, 0);
  /* Each prompt in its own words, the ones the plugin asks with (sb-prompt.h). */
  g_autoptr (SbBuddyKey) bob = sb_buddy_key_new ("prpl-jabber", "me@localhost", BOB);
  SbPrompt reach_out = { .kind = SB_PROMPT_REACH_OUT, .key = bob, .since = f->now - 69 * SB_DAY };
  SbPromptScene scene = { .name = "Bobby Tables (" BOB ")", .now = f->now };
  g_autoptr (SbPromptWording) words = sb_prompt_wording_new (&reach_out, &scene);
  g_assert_nonnull (strstr (out, words->title));
  g_assert_nonnull (strstr (out, "Reach out to Bobby Tables (" BOB ")?"));
  g_assert_nonnull (strstr (out, "Your last conversation was"));
  g_assert_nonnull (strstr (out, "日本の友達 Carol (" CAROL ") is waiting for an answer"));
  g_assert_nonnull (strstr (out, "They wrote 20 hours ago and have not heard back yet."));
  g_assert_null (strstr (out, DAVE));

  g_autoptr (GPtrArray) listed = due_order (out);
  g_autoptr (GPtrArray) planned = planner_order (f);
  g_assert_cmpuint (listed->len, ==, planned->len);
  for (guint i = 0; i < listed->len; i++)
    g_assert_cmpstr (g_ptr_array_index (listed, i), ==, g_ptr_array_index (planned, i));
}

static gint64
count_rows (const char *db, const char *sql)
{
  sqlite3 *handle = NULL;
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_open_v2 (db, &handle, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  gint64 n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (handle);
  return n;
}

/* Rows of every table about the buddy with row id @id and room member id
 * @member, or naming Bob. */
static gint64
rows_about (const char *db, gint64 id, gint64 member)
{
  static const char *const queries[] = {
    "SELECT count(*) FROM buddies WHERE id = %1$" G_GINT64_FORMAT " OR buddy = '" BOB "'",
    "SELECT count(*) FROM events WHERE buddy_id = %1$" G_GINT64_FORMAT,
    "SELECT count(*) FROM episodes WHERE buddy_id = %1$" G_GINT64_FORMAT,
    "SELECT count(*) FROM summaries WHERE buddy_id = %1$" G_GINT64_FORMAT,
    "SELECT count(*) FROM prompt_state WHERE buddy_id = %1$" G_GINT64_FORMAT,
    "SELECT count(*) FROM prompt_log WHERE buddy_id = %1$" G_GINT64_FORMAT,
    "SELECT count(*) FROM pairs WHERE buddy_a = %1$" G_GINT64_FORMAT " OR buddy_b = %1$" G_GINT64_FORMAT,
    "SELECT count(*) FROM chat_events WHERE member = '" BOB "' AND %1$" G_GINT64_FORMAT " > 0",
    "SELECT count(*) FROM room_members WHERE (id = %2$" G_GINT64_FORMAT " OR member = '" BOB "')"
    " AND %1$" G_GINT64_FORMAT " > 0",
    "SELECT count(*) FROM room_lines WHERE (speaker_id = %2$" G_GINT64_FORMAT
    " OR parent_speaker_id = %2$" G_GINT64_FORMAT ") AND %1$" G_GINT64_FORMAT " > 0",
  };
  gint64 n = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *sql = g_strdup_printf (queries[i], id, member);
      gint64 rows = count_rows (db, sql);
      if (g_test_verbose ())
        g_test_message ("%s: %" G_GINT64_FORMAT, sql, rows);
      n += rows > 0 ? 1 : 0;
    }
  return n; /* how many tables mention the buddy */
}

/* Bob in every table: a prompt shown and snoozed, a pair, a room seen and
 * lines in it. */
static void
write_bob_everywhere (Fixture *f)
{
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->db, NULL, f->now, NULL);
  SbStore *store = sb_ledger_get_store (ledger);
  g_autoptr (SbPlanner) planner = sb_planner_new (store, NULL);
  g_autoptr (SbBuddyKey) bob = sb_buddy_key_new ("prpl-jabber", "me@localhost", BOB);
  g_autoptr (SbBuddyKey) dave = sb_buddy_key_new ("prpl-jabber", "me@localhost", DAVE);
  SbPrompt prompt = { .kind = SB_PROMPT_REACH_OUT, .key = bob };
  g_assert_true (sb_planner_shown (planner, &prompt, f->now, NULL));
  g_assert_true (sb_planner_answer (planner, &prompt, SB_ANSWER_LATER, f->now + SB_DAY, f->now, NULL));
  g_assert_true (sb_planner_mark_pair (planner, bob, dave, TRUE, f->now, NULL));
  SbChatEvent seen = { .protocol = "prpl-jabber", .account = "me@localhost",
                       .room = "room@muc.localhost", .member = BOB, .kind = SB_CHAT_PRESENT,
                       .time = f->now };
  g_assert_true (sb_ledger_add_chat_event (ledger, &seen, NULL));
  write_bob_in_a_room (f, ledger);
}

static void
test_forget (Fixture *f, gconstpointer data)
{
  write_bob_everywhere (f);
  gint64 bob_id = count_rows (f->db, "SELECT id FROM buddies WHERE buddy = '" BOB "'");
  gint64 member_id = count_rows (f->db, "SELECT id FROM room_members WHERE member = '" BOB "'");
  g_assert_cmpint (rows_about (f->db, bob_id, member_id), ==, 10); /* Bob is in every table */

  /* Not on a terminal and no --yes: refused, nothing deleted. */
  const char *unsure[] = { "forget", "--db", f->db, "Bob@localhost", NULL };
  g_autofree char *err = NULL;
  g_assert_cmpint (run (unsure, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--yes"));
  g_assert_cmpint (count_rows (f->db, "SELECT count(*) FROM buddies WHERE buddy = '" BOB "'"), ==, 1);

  const char *sure[] = { "forget", "--yes", "--db", f->db, "Bob@localhost", NULL };
  g_autofree char *out = NULL;
  g_assert_cmpint (run (sure, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Forgot Bobby Tables"));
  g_assert_cmpint (rows_about (f->db, bob_id, member_id), ==, 0);
  /* The lines that answered Bob stay, as lines that start a thread. */
  g_assert_cmpint (count_rows (f->db, "SELECT count(*) FROM room_lines"), ==, 3);
  g_assert_cmpint (count_rows (f->db, "SELECT count(*) FROM room_lines WHERE parent_time IS NULL"
                                      " AND parent_speaker_id IS NULL"), ==, 3);
  /* The others are untouched. */
  g_assert_cmpint (count_rows (f->db, "SELECT count(*) FROM buddies"), ==, 4);
  g_assert_cmpint (count_rows (f->db, "SELECT count(*) FROM events"), ==, 1 + 8 + 1 + 1); /* Carol, Dave, the long id, the IRC nick */
}


static void
import_logs (Fixture *f)
{
  sb_test_write_file (f->dir, "logs/jabber/me%40example.org/bob%40example.org/2024-05-08.100000+0000UTC.html",
                      SB_TEST_HTML_HEAD SB_TEST_HTML_IN ("10:00:01", "Bob:", "marmalade xylophone")
                        SB_TEST_HTML_OUT ("10:00:30", "quixotic zeppelin"));
  g_autofree char *logs = g_build_filename (f->dir, "logs", NULL);
  const char *args[] = { "import", "--db", f->db, logs, NULL };
  g_assert_cmpint (run (args, NULL, NULL), ==, 0);
}

/* Runs `smileback forget NAME` on a terminal (script(1) makes one),
 * answering @answer; returns its exit status. */
static int
forget_on_tty (Fixture *f, const char *name, const char *answer)
{
  g_autofree char *exe = g_build_filename (g_getenv ("SMILEBACK_BUILD_ROOT"), "plugin", "cli",
                                           "smileback", NULL);
  g_autofree char *command = g_strdup_printf ("%s forget --db %s %s", exe, f->db, name);
  g_autofree char *quoted_command = g_shell_quote (command);
  g_autofree char *shell = g_strdup_printf ("printf '%s\\n' | script -qec %s /dev/null", answer,
                                            quoted_command);
  const char *argv[] = { "/bin/sh", "-c", shell, NULL };
  int status = -1;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, NULL));
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_forget_asks (Fixture *f, gconstpointer data)
{
  g_autofree char *script = g_find_program_in_path ("script");
  if (script == NULL)
    {
      g_test_skip ("script(1) is not installed");
      return;
    }
  const char *count = "SELECT count(*) FROM buddies WHERE buddy = '" CAROL "'";
  g_assert_cmpint (forget_on_tty (f, CAROL, "n"), ==, 1);
  g_assert_cmpint (count_rows (f->db, count), ==, 1);
  g_assert_cmpint (forget_on_tty (f, CAROL, "y"), ==, 0);
  g_assert_cmpint (count_rows (f->db, count), ==, 0);
}

static void
test_export (Fixture *f, gconstpointer data)
{
  import_logs (f);
  {
    g_autoptr (SbLedger) ledger = sb_ledger_open (f->db, NULL, f->now, NULL);
    write_bob_in_a_room (f, ledger);
  }
  g_autofree char *file = g_build_filename (f->dir, "export.json", NULL);
  const char *args[] = { "export", "--db", f->db, file, NULL };
  g_assert_cmpint (run (args, NULL, NULL), ==, 0);

  GStatBuf st;
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  for (const char *const *word = (const char *const[]){ "marmalade", "xylophone", "quixotic",
                                                        "zeppelin", "digest", NULL };
       *word != NULL; word++)
    g_assert_null (strstr (text, *word));

  /* The secret, in hex and base64, is nowhere. */
  {
    g_autoptr (SbStore) store = sb_store_open (f->db, NULL);
    gsize len = 0;
    const guint8 *secret = sb_store_get_secret (store, &len);
    g_autoptr (GString) hex = g_string_new (NULL);
    for (gsize i = 0; i < len; i++)
      g_string_append_printf (hex, "%02x", secret[i]);
    g_autofree char *base64 = g_base64_encode (secret, len);
    g_autofree char *upper = g_ascii_strup (hex->str, -1);
    g_assert_null (strstr (text, hex->str));
    g_assert_null (strstr (text, upper));
    g_assert_null (strstr (text, base64));
  }

  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "smileback-export");
  const char *tables[] = { "buddies", "events", "episodes", "summaries", "chat_events",
                           "prompt_state", "prompt_log", "pairs", "rooms", "room_lines" };
  for (gsize i = 0; i < G_N_ELEMENTS (tables); i++)
    g_assert_true (json_object_has_member (root, tables[i]));
  JsonArray *events = json_object_get_array_member (root, "events");
  g_assert_cmpuint (json_array_get_length (events), ==, 2);
  JsonObject *first = json_array_get_object_element (events, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "buddy"), ==, "bob@example.org");
  g_assert_cmpint (json_object_get_int_member (first, "direction"), ==, SB_DIRECTION_IN);

  /* The room by its key; its lines by room key, time and speakers, the user
   * as null; a line that starts a thread has a null parent. */
  JsonArray *rooms = json_object_get_array_member (root, "rooms");
  g_assert_cmpuint (json_array_get_length (rooms), ==, 1);
  JsonObject *room = json_array_get_object_element (rooms, 0);
  g_assert_cmpstr (json_object_get_string_member (room, "protocol"), ==, "prpl-jabber");
  g_assert_cmpstr (json_object_get_string_member (room, "account"), ==, "me@localhost");
  g_assert_cmpstr (json_object_get_string_member (room, "room"), ==, ROOM);
  JsonArray *lines = json_object_get_array_member (root, "room_lines");
  g_assert_cmpuint (json_array_get_length (lines), ==, 4);
  JsonObject *start = json_array_get_object_element (lines, 0);
  g_assert_cmpstr (json_object_get_string_member (start, "room"), ==, ROOM);
  g_assert_cmpint (json_object_get_int_member (start, "time"), ==, f->now - 100);
  g_assert_true (json_object_get_null_member (start, "speaker"));
  g_assert_true (json_object_get_null_member (start, "parent_time"));
  g_assert_true (json_object_get_null_member (start, "parent_speaker"));
  g_assert_cmpint (json_object_get_int_member (start, "confident"), ==, FALSE);
  JsonObject *bob = json_array_get_object_element (lines, 1);
  g_assert_cmpstr (json_object_get_string_member (bob, "speaker"), ==, BOB);
  g_assert_cmpint (json_object_get_int_member (bob, "parent_time"), ==, f->now - 100);
  g_assert_true (json_object_get_null_member (bob, "parent_speaker"));
  g_assert_cmpint (json_object_get_int_member (bob, "confident"), ==, TRUE);
  JsonObject *you = json_array_get_object_element (lines, 2);
  g_assert_true (json_object_get_null_member (you, "speaker"));
  g_assert_cmpstr (json_object_get_string_member (you, "parent_speaker"), ==, BOB);
  g_assert_cmpuint (json_object_get_size (you), ==, 9);

  /* To stdout without a file, the same JSON. */
  const char *to_stdout[] = { "export", "--db", f->db, NULL };
  g_autofree char *out = NULL;
  g_assert_cmpint (run (to_stdout, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"smileback-export\""));
  g_assert_null (strstr (out, "marmalade"));
}

/* Overwrites a page in the middle of @path with garbage. */
static void
damage (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, >, 8 * 4096);
  memset (data + 4 * 4096, 0x5a, 2 * 4096);
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
}

static void
test_check (Fixture *f, gconstpointer data)
{
  {
    g_autoptr (SbLedger) ledger = sb_ledger_open (f->db, NULL, f->now, NULL);
    for (int i = 0; i < 3000; i++)
      add (ledger, "prpl-jabber", i % 2 ? BOB : CAROL, f->now - 100000 + i * 30,
           i % 3 ? SB_DIRECTION_IN : SB_DIRECTION_OUT);
    g_assert_true (sb_ledger_flush (ledger, NULL));
  }
  const char *args[] = { "check", "--db", f->db, NULL };
  g_autofree char *out = NULL;
  g_assert_cmpint (run (args, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Integrity:           ok"));
  g_assert_nonnull (strstr (out, "Room lines:          0"));
  {
    g_autoptr (SbLedger) ledger = sb_ledger_open (f->db, NULL, f->now, NULL);
    write_bob_in_a_room (f, ledger);
  }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (args, &out, NULL), ==, 0);
  g_autofree char *current = g_strdup_printf ("%d (current)", SB_STORE_SCHEMA_VERSION);
  g_assert_nonnull (strstr (out, current));
  g_assert_nonnull (strstr (out, "Buddies:             2"));
  g_assert_nonnull (strstr (out, "Events:              3000"));
  g_assert_nonnull (strstr (out, "Room lines:          4"));
  g_assert_nonnull (strstr (out, "Moved aside:         nothing"));

  /* A copy the store moved aside earlier is listed. */
  g_autofree char *aside = g_strconcat (f->db, ".corrupt-1700000000", NULL);
  g_assert_true (g_file_set_contents (aside, "old", -1, NULL));
  damage (f->db);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (args, &out, NULL), ==, 1);
  g_assert_nonnull (strstr (out, "damaged"));
  g_assert_nonnull (strstr (out, aside));
  /* check only looks: the damaged file is where it was, nothing new moved aside. */
  g_assert_true (g_file_test (f->db, G_FILE_TEST_IS_REGULAR));
  g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
  guint corrupt = 0;
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    corrupt += strstr (name, ".corrupt-") != NULL;
  g_assert_cmpuint (corrupt, ==, 1);
}

/* Another process (Pidgin) in the middle of a write: @db locked until
 * unlock_later() lets go. */
static sqlite3 *
lock (const char *db)
{
  sqlite3 *handle = NULL;
  g_assert_cmpint (sqlite3_open (db, &handle), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (handle, "BEGIN IMMEDIATE; UPDATE meta SET value = value", NULL,
                                 NULL, NULL), ==, SQLITE_OK);
  return handle;
}

static gpointer
unlock_later (gpointer handle)
{
  g_usleep (G_USEC_PER_SEC);
  g_assert_cmpint (sqlite3_exec (handle, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  return NULL;
}

static void
test_busy (Fixture *f, gconstpointer data)
{
  sqlite3 *handle = lock (f->db);
  /* Reading needs no lock: the integrity, the report. */
  const char *check[] = { "check", "--db", f->db, NULL };
  g_assert_cmpint (run (check, NULL, NULL), ==, 0);
  const char *report[] = { "report", "--db", f->db, NULL };
  g_autofree char *out = NULL;
  g_assert_cmpint (run (report, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Bobby"));
  /* A command that writes, locked out for good: a clear error after the wait. */
  g_autofree char *logs = g_build_filename (f->dir, "logs", NULL);
  g_assert_cmpint (g_mkdir (logs, 0700), ==, 0);
  const char *import[] = { "import", "--db", f->db, logs, NULL };
  g_autofree char *err = NULL;
  g_assert_cmpint (run (import, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "stayed locked by another program"));
  /* Locked for a second: the command waits and succeeds. */
  GThread *thread = g_thread_new ("unlock", unlock_later, handle);
  g_assert_cmpint (run (import, NULL, NULL), ==, 0);
  g_thread_join (thread);
  sqlite3_close (handle);
}

static void
test_help (Fixture *f, gconstpointer data)
{
  const char *commands[] = { "report", "buddy", "due", "forget", "export", "check", "merge" };
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *args[] = { commands[i], "--help", NULL };
      g_autofree char *out = NULL;
      g_assert_cmpint (run (args, &out, NULL), ==, 0);
      g_assert_nonnull (strstr (out, "--db=FILE"));
    }
  const char *args[] = { "--help", NULL };
  g_autofree char *out = NULL;
  g_assert_cmpint (run (args, &out, NULL), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_assert_nonnull (strstr (out, commands[i]));
}

int
main (int argc, char **argv)
{
  g_setenv ("LC_ALL", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
#define ADD(path, setup, func) g_test_add (path, Fixture, NULL, setup, func, sb_test_history_teardown)
  ADD ("/cli/report/table", setup_history, test_report_table);
  ADD ("/cli/report/json-contract", setup_history, test_report_json_keeps_contract);
  ADD ("/cli/report/csv", setup_history, test_report_csv);
  ADD ("/cli/buddy", setup_history, test_buddy);
  ADD ("/cli/due", setup_history, test_due);
  ADD ("/cli/forget", setup_history, test_forget);
  ADD ("/cli/forget/asks-on-a-terminal", setup_history, test_forget_asks);
  ADD ("/cli/export", sb_test_history_setup, test_export);
  ADD ("/cli/check", sb_test_history_setup, test_check);
  ADD ("/cli/help", sb_test_history_setup, test_help);
  ADD ("/cli/busy", setup_history, test_busy);
  return g_test_run ();
}
