/* test-import-real-logs: the log importer reads what libpurple 2.14 itself
 * writes, and a message seen live and again in its log counts once.
 *
 * No fixture files: libpurple's own "html" and "txt" loggers
 * (purple_log_new() + purple_log_write()) write the logs into the headless
 * profile of tests/common, with the lines real conversations leave: received
 * and sent messages, auto-replies both ways, /me, a SYSTEM line, an offline
 * message older than the file, times of day and dated stamps as libpurple
 * chooses them (C locale, so "%x %X" gives two-digit years).  SbImport then
 * imports the tree into a fresh ledger and every episode is checked: its start,
 * its initiator and whether and when it was answered.
 *
 * The second half records a conversation live through the loaded
 * core-smileback plugin with libpurple's logging on, closes it (libpurple
 * flushes its log), unloads the plugin and imports the logs into the plugin's
 * own database: every line is a duplicate, and the plugin, loaded again, shows
 * the same figures as before.
 *
 * The process runs in a fixed time zone with summer time (set before
 * libpurple starts), so file names carry a real UTC offset.
 */
#include <string.h>
#include <time.h>

#include <smileback/sb-import.h>
#include <smileback-purple/sb-ipc.h>
#include <smileback/smileback.h>

#include "sb-test-purple.h"

#define PLUGIN_PATH "plugin/purple/core-smileback.so"
/* Central European time, spelled as a POSIX rule: no tzdata needed. */
#define TEST_TZ "CET-1CEST,M3.5.0,M10.5.0/3"
#define HOUR 3600
#define DAY (24 * HOUR)

static PurpleAccount *me;

/* One line for purple_log_write(): @offset seconds after the log's start. */
typedef struct
{
  gint64 offset;
  PurpleMessageFlags flags;
  const char *from;
  const char *text;
} LogLine;

/* One expected episode: start and answer as offsets from the log's start
 * (answered < 0: unanswered). */
typedef struct
{
  gint64 start;
  SbDirection initiator;
  gint64 answered;
} ExpectedEpisode;

/* Writes @lines with the logger @format ("html" or "txt") into a new IM log
 * with @buddy that starts at @start, then closes it. */
static void
write_log (const char *format, const char *buddy, time_t start, const LogLine *lines, gsize n)
{
  PurpleLog *log;

  purple_prefs_set_string ("/purple/logging/format", format);
  log = purple_log_new (PURPLE_LOG_IM, buddy, me, NULL, start, NULL);
  g_assert_nonnull (log);
  for (gsize i = 0; i < n; i++)
    purple_log_write (log, lines[i].flags, lines[i].from, start + lines[i].offset, lines[i].text);
  purple_log_free (log); /* closes the file; the html logger writes its footer */
}

static char *
log_dir (void)
{
  return g_build_filename (sb_test_purple_user_dir (), "logs", NULL);
}

/* The only file in logs/sbtest/me/@buddy, read.  Caller frees. */
static char *
read_only_log (const char *buddy)
{
  g_autofree char *root = log_dir ();
  g_autofree char *dir = g_build_filename (root, "sbtest", "me", buddy, NULL);
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  g_autofree char *path = NULL;
  char *text = NULL;

  g_assert_nonnull (listing);
  name = g_dir_read_name (listing);
  g_assert_nonnull (name);
  path = g_build_filename (dir, name, NULL);
  g_assert_null (g_dir_read_name (listing));
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* Imports the whole log tree into @ledger; returns the figures. */
static SbImportProgress
import_all (SbLedger *ledger)
{
  g_autofree char *logs = log_dir ();
  g_autoptr (SbImport) import = sb_import_new (ledger, logs, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (sb_import_run (import, time (NULL), &error));
  g_assert_no_error (error);
  g_assert_true (sb_import_is_finished (import));
  return *sb_import_get_progress (import);
}

static SbBuddyKey *
key_for (const char *buddy)
{
  return sb_buddy_key_new (SB_TEST_PRPL_ID, "me", buddy);
}

/* @buddy's episodes in @ledger are exactly @expected (times relative to @t0). */
static void
assert_episodes (SbLedger *ledger, const char *buddy, time_t t0, const ExpectedEpisode *expected,
                 gsize n)
{
  g_autoptr (SbBuddyKey) key = key_for (buddy);
  g_autoptr (GArray) episodes = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  g_autoptr (GError) error = NULL;
  SbStore *store = sb_ledger_get_store (ledger);
  gint64 id;

  g_assert_true (sb_ledger_flush (ledger, &error));
  id = sb_store_lookup_buddy (store, key, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_true (sb_store_load_episodes (store, id, 0, episodes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (episodes->len, ==, n);
  for (gsize i = 0; i < n; i++)
    {
      const SbEpisode *episode = &g_array_index (episodes, SbEpisode, i);

      g_test_message ("%s episode %" G_GSIZE_FORMAT ": start %+" G_GINT64_FORMAT
                      " initiator %d answered %+" G_GINT64_FORMAT,
                      buddy, i, episode->start - t0, episode->initiator,
                      episode->answered_at != 0 ? episode->answered_at - t0 : -1);
      g_assert_cmpint (episode->start - t0, ==, expected[i].start);
      g_assert_cmpint (episode->initiator, ==, expected[i].initiator);
      if (expected[i].answered < 0)
        {
          g_assert_false (sb_episode_is_answered (episode));
          g_assert_cmpint (episode->answered_at, ==, 0);
        }
      else
        {
          g_assert_true (sb_episode_is_answered (episode));
          g_assert_cmpint (episode->answered_at - t0, ==, expected[i].answered);
        }
    }
}

/* An old HTML conversation (2019, so every stamp is dated "%x %X"): an
 * offline message three days older than the file, a SYSTEM line, the user's
 * late answer, a /me answer, the user's auto-reply, then a new episode the
 * buddy starts after a day rollover. */
static const LogLine html_lines[] = {
  { -3 * DAY, PURPLE_MESSAGE_RECV | PURPLE_MESSAGE_DELAYED, "Alice", "are you around this week?" },
  { 0, PURPLE_MESSAGE_SYSTEM, "", "Alice has signed on." },
  { 60, PURPLE_MESSAGE_SEND, "me", "sorry, only saw this <b>now</b> &amp; then" },
  { 120, PURPLE_MESSAGE_RECV, "Alice", "/me waves" },
  { 180, PURPLE_MESSAGE_SEND | PURPLE_MESSAGE_AUTO_RESP, "me", "I am away from my computer" },
  { 11 * HOUR, PURPLE_MESSAGE_RECV, "Alice", "still there? it is past midnight" },
  { 11 * HOUR + 30, PURPLE_MESSAGE_SEND, "me", "yes!" },
};

static const ExpectedEpisode html_episodes[] = {
  /* the offline message: more than R before the answer, left unanswered */
  { -3 * DAY, SB_DIRECTION_IN, -1 },
  /* the user's late answer starts its own episode; the /me answers it */
  { 60, SB_DIRECTION_OUT, 120 },
  { 11 * HOUR, SB_DIRECTION_IN, 11 * HOUR + 30 },
};

/* A TXT conversation of a few minutes ago (times of day only): the buddy's
 * auto-reply does not answer, the /me does. */
static const LogLine txt_lines[] = {
  { 0, PURPLE_MESSAGE_SEND, "me", "hi bob" },
  { 10, PURPLE_MESSAGE_RECV | PURPLE_MESSAGE_AUTO_RESP, "Bob", "gone fishing" },
  { 100, PURPLE_MESSAGE_RECV, "Bob", "/me is back" },
  { 200, PURPLE_MESSAGE_SYSTEM, "", "Bob has gone away." },
  { 300, PURPLE_MESSAGE_RECV, "Bob", "yes, hello" },
};

static const ExpectedEpisode txt_episodes[] = {
  { 0, SB_DIRECTION_OUT, 100 },
};

static time_t html_start;
static time_t txt_start;

/* /import/real-logs/html-and-txt */
static void
test_html_and_txt (void)
{
  g_autofree char *html = NULL;
  g_autofree char *txt = NULL;
  g_autoptr (SbLedger) ledger = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SbBuddyKey) alice = key_for ("alice");
  g_autoptr (SbBuddyKey) bob = key_for ("bob");
  SbParams params = SB_PARAMS_DEFAULT;
  struct tm tm = { .tm_year = 2019 - 1900, .tm_mon = 3 - 1, .tm_mday = 10, .tm_hour = 14,
                   .tm_isdst = -1 };
  const SbStats *stats;
  SbImportProgress progress;

  html_start = mktime (&tm); /* 14:00 local, 13:00 UTC */
  txt_start = time (NULL) - 600;
  write_log ("html", "alice", html_start, html_lines, G_N_ELEMENTS (html_lines));
  write_log ("txt", "bob", txt_start, txt_lines, G_N_ELEMENTS (txt_lines));

  /* The premises: libpurple 2.14's formats, as this test relies on them. */
  html = read_only_log ("alice");
  g_test_message ("html log:\n%s", html);
  g_assert_nonnull (strstr (html, "<title>Conversation with alice at "));
  g_assert_nonnull (strstr (html, "<span style=\"color: #A82F2F\">"));
  g_assert_nonnull (strstr (html, "<span style=\"color: #16569E\">"));
  g_assert_nonnull (strstr (html, "&lt;AUTO-REPLY&gt;"));
  g_assert_nonnull (strstr (html, "***Alice"));
  g_assert_nonnull (strstr (html, "(03/07/19 "));        /* the offline message's date */
  g_assert_nonnull (strstr (html, "(03/11/19 01:00:00)")); /* after midnight */
  g_assert_nonnull (strstr (html, "<!DOCTYPE HTML"));
  g_assert_nonnull (strstr (html, "</p>\n</body>\n</html>\n"));
  txt = read_only_log ("bob");
  g_test_message ("txt log:\n%s", txt);
  g_assert_true (g_str_has_prefix (txt, "Conversation with bob at "));
  g_assert_nonnull (strstr (txt, ") Bob <AUTO-REPLY>: gone fishing\n"));
  g_assert_nonnull (strstr (txt, ") ***Bob is back\n"));
  g_assert_nonnull (strstr (txt, ") Bob has gone away.\n"));

  ledger = sb_ledger_open (":memory:", &params, time (NULL), &error);
  g_assert_no_error (error);
  progress = import_all (ledger);
  g_assert_cmpuint (progress.files_imported, ==, 2);
  g_assert_cmpuint (progress.events, ==, G_N_ELEMENTS (html_lines) + G_N_ELEMENTS (txt_lines));
  g_assert_cmpuint (progress.messages, ==, 5 + 3);
  g_assert_cmpuint (progress.duplicates, ==, 0);
  g_assert_cmpint (progress.episodes, ==, G_N_ELEMENTS (html_episodes) + G_N_ELEMENTS (txt_episodes));
  g_assert_cmpuint (progress.guessed, ==, 0);

  assert_episodes (ledger, "alice", html_start, html_episodes, G_N_ELEMENTS (html_episodes));
  stats = sb_ledger_get_stats (ledger, alice);
  g_assert_nonnull (stats);
  g_assert_cmpuint (stats->all.messages_sent, ==, 2);
  g_assert_cmpuint (stats->all.messages_received, ==, 3);
  g_assert_cmpuint (stats->all.started_by_you, ==, 1);
  g_assert_cmpuint (stats->all.started_by_them, ==, 2);
  g_assert_cmpuint (stats->all.answered_by_them, ==, 1);
  g_assert_cmpuint (stats->all.answered_by_you, ==, 1);

  assert_episodes (ledger, "bob", txt_start, txt_episodes, G_N_ELEMENTS (txt_episodes));
  stats = sb_ledger_get_stats (ledger, bob);
  g_assert_nonnull (stats);
  g_assert_cmpuint (stats->all.messages_sent, ==, 1);
  g_assert_cmpuint (stats->all.messages_received, ==, 2);
  g_assert_cmpuint (stats->all.automated, ==, 1); /* the auto-reply */

  /* Again: nothing new, every file unchanged. */
  progress = import_all (ledger);
  g_assert_cmpuint (progress.events, ==, 0);
  g_assert_cmpuint (progress.skipped[SB_IMPORT_SKIP_UNCHANGED], ==, 2);
}

/* The live half. */

typedef struct
{
  PurplePlugin *plugin;
  SbStats stats;
  gboolean found;
} LiveStats;

static void
live_find_cb (const char *protocol, const char *account, const char *buddy, const SbStats *stats,
              gpointer user_data)
{
  LiveStats *live = user_data;

  if (g_strcmp0 (protocol, SB_TEST_PRPL_ID) == 0 && g_strcmp0 (account, "me") == 0
      && g_strcmp0 (buddy, "carol") == 0)
    {
      live->stats = *stats;
      live->found = TRUE;
    }
}

/* Carol's figures as the loaded plugin reports them. */
static SbStats
plugin_stats_of_carol (PurplePlugin *plugin)
{
  LiveStats live = { plugin };
  gboolean ok = FALSE;

  purple_plugin_ipc_call (plugin, SB_IPC_FOREACH_BUDDY, &ok, live_find_cb, &live);
  g_assert_true (ok);
  g_assert_true (live.found);
  return live.stats;
}

static void
assert_same_counts (const SbCounts *a, const SbCounts *b)
{
  g_assert_cmpuint (a->episodes, ==, b->episodes);
  g_assert_cmpuint (a->started_by_you, ==, b->started_by_you);
  g_assert_cmpuint (a->started_by_them, ==, b->started_by_them);
  g_assert_cmpuint (a->answered_by_them, ==, b->answered_by_them);
  g_assert_cmpuint (a->answered_by_you, ==, b->answered_by_you);
  g_assert_cmpuint (a->messages_sent, ==, b->messages_sent);
  g_assert_cmpuint (a->messages_received, ==, b->messages_received);
  g_assert_cmpint (a->last_episode, ==, b->last_episode);
  g_assert_cmpint (a->last_you_started, ==, b->last_you_started);
  g_assert_cmpuint (a->automated, ==, b->automated);
}

/* /import/real-logs/live-then-import: recorded live by the plugin, then
 * imported from the logs libpurple wrote meanwhile: each line counts once. */
static void
test_live_then_import (void)
{
  g_autofree char *db_path = g_build_filename (sb_test_purple_user_dir (), "smileback.db", NULL);
  g_autoptr (SbBuddyKey) carol = key_for ("carol");
  g_autoptr (GError) error = NULL;
  SbParams params = SB_PARAMS_DEFAULT;
  time_t now = time (NULL);
  PurplePlugin *plugin;
  PurpleConversation *conv;
  SbLedger *ledger;
  SbStats live, again;
  SbImportProgress progress;
  guint lines;

  plugin = sb_test_purple_load_plugin (PLUGIN_PATH);
  g_assert_nonnull (plugin);
  purple_prefs_set_string ("/purple/logging/format", "html");
  purple_prefs_set_bool ("/purple/logging/log_ims", TRUE);

  sb_test_prpl_add_buddy (me, "carol");
  /* offline delivery: two days old, a dated stamp before the file's start */
  sb_test_prpl_receive (me, "Carol", "did you get my <i>letter</i>?", PURPLE_MESSAGE_RECV,
                        now - 2 * DAY);
  sb_test_prpl_receive (me, "carol", "hello again", PURPLE_MESSAGE_RECV, now - 300);
  sb_test_prpl_receive (me, "carol", "/me knocks", PURPLE_MESSAGE_RECV, now - 240);
  sb_test_prpl_send (me, "carol", "hi carol, yes &lt;3");
  sb_test_prpl_receive (me, "carol", "Auto-reply: in a meeting",
                        PURPLE_MESSAGE_RECV | PURPLE_MESSAGE_AUTO_RESP, now);
  sb_test_prpl_send (me, "carol", "talk later");
  lines = 6;

  live = plugin_stats_of_carol (plugin);
  g_assert_cmpuint (live.all.episodes, ==, 2);
  g_assert_cmpuint (live.all.started_by_them, ==, 2);
  g_assert_cmpuint (live.all.answered_by_you, ==, 1);
  g_assert_cmpuint (live.all.messages_received, ==, 3);
  g_assert_cmpuint (live.all.messages_sent, ==, 2);

  /* Closing the window closes (flushes) libpurple's log file. */
  conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, "carol", me);
  g_assert_nonnull (conv);
  purple_conversation_destroy (conv);
  purple_prefs_set_bool ("/purple/logging/log_ims", FALSE);
  g_assert_true (purple_plugin_unload (plugin));

  /* The plugin's own database, as the import command of a UI would use it. */
  ledger = sb_ledger_open (db_path, &params, time (NULL), &error);
  g_assert_no_error (error);
  progress = import_all (ledger);
  /* carol's file is all duplicates (other logs of this profile are new here) */
  g_assert_cmpuint (progress.files_imported, >=, 1);
  g_assert_cmpuint (progress.duplicates, ==, lines);
  assert_same_counts (&sb_ledger_get_stats (ledger, carol)->all, &live.all);
  sb_ledger_free (ledger);

  /* The plugin, loaded again, agrees. */
  g_assert_true (purple_plugin_load (plugin));
  again = plugin_stats_of_carol (plugin);
  assert_same_counts (&again.all, &live.all);
  g_assert_true (purple_plugin_unload (plugin));
}

int
main (int argc, char **argv)
{
  int status;

  g_setenv ("TZ", TEST_TZ, TRUE);
  tzset ();
  g_test_init (&argc, &argv, NULL);
  sb_test_purple_init ();
  me = sb_test_prpl_account_new ("me");

  g_test_add_func ("/import/real-logs/html-and-txt", test_html_and_txt);
  g_test_add_func ("/import/real-logs/live-then-import", test_live_then_import);

  status = g_test_run ();
  sb_test_purple_shutdown ();
  return status;
}
