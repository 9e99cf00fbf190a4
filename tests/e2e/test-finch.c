/* test-finch: Finch, with core-smileback loaded, records a real XMPP
 * conversation.
 *
 * The test starts its own Prosody on loopback and a throwaway Finch profile:
 * accounts.xml (alice, auto-login for Finch's UI "gnt-purple") and prefs.xml
 * (/finch/plugins/loaded holds the built .so; G = 2 s).  Finch runs in a
 * pseudo-terminal (forkpty) whose output the test keeps reading; the test
 * process is bob, a libpurple client.  Bob writes first; Finch opens the
 * conversation window, where the test types alice's answer as keystrokes
 * through the terminal; after a pause longer than G alice writes again and
 * bob does not answer:
 *
 *   episode 1: bob starts, alice answers;  episode 2: alice starts, unanswered.
 *
 * The plugin commits its queue every 5 s, so the test polls
 * `smileback report --json` on Finch's database until the row is there
 * (bounded by a timeout for a hung run, never a timing assumption), checks the
 * exact figures, then quits Finch with its own key (Alt-q) and, should it not
 * exit, kills it by PID.
 */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sb-e2e.h"
#include "sb-test-prosody.h"
#include "sb-test-purple.h"

#define GAP_S 2
#define PAUSE_MS ((GAP_S + 1) * 1000 + 500)
#define CONNECT_MS 30000
#define REPORT_WAIT_MS 30000
#define FINCH_EXIT_MS 10000

typedef struct
{
  char *dir;
  GPid pid;
  int master;
  guint watch;
  GString *screen; /* everything Finch drew, for diagnostics */
} Finch;

static gboolean
finch_output_cb (GIOChannel *channel, GIOCondition condition, gpointer data)
{
  Finch *finch = data;
  char buffer[4096];
  ssize_t n = read (finch->master, buffer, sizeof buffer);

  if (n <= 0)
    {
      finch->watch = 0;
      return G_SOURCE_REMOVE;
    }
  g_string_append_len (finch->screen, buffer, n);
  return G_SOURCE_CONTINUE;
}

static void
write_profile (const char *dir, guint16 port)
{
  g_autofree char *plugin = sb_test_build_path ("plugin/purple/core-smileback.so");
  g_autofree char *plugin_xml = g_markup_escape_text (plugin, -1);
  g_autofree char *accounts = g_strdup_printf (
    "<?xml version='1.0' encoding='UTF-8' ?>\n"
    "<account version='1.0'>\n"
    " <account>\n"
    "  <protocol>prpl-jabber</protocol>\n"
    "  <name>alice@" SB_TEST_PROSODY_DOMAIN "/finch</name>\n"
    "  <password>alice-pw</password>\n"
    "  <settings>\n"
    "   <setting name='connect_server' type='string'>127.0.0.1</setting>\n"
    "   <setting name='port' type='int'>%u</setting>\n"
    "   <setting name='connection_security' type='string'>none</setting>\n"
    "   <setting name='auth_plain_in_clear' type='bool'>1</setting>\n"
    "   <setting name='ft_proxies' type='string'></setting>\n"
    "  </settings>\n"
    "  <settings ui='gnt-purple'>\n"
    "   <setting name='auto-login' type='bool'>1</setting>\n"
    "  </settings>\n"
    " </account>\n"
    "</account>\n",
    port);
  g_autofree char *prefs = g_strdup_printf (
    "<?xml version='1.0' encoding='UTF-8' ?>\n"
    "<pref version='1' name='/'>\n"
    " <pref name='finch'>\n"
    "  <pref name='plugins'>\n"
    "   <pref name='loaded' type='pathlist'>\n"
    "    <item value='%s'/>\n"
    "   </pref>\n"
    "  </pref>\n"
    " </pref>\n"
    " <pref name='plugins'>\n"
    "  <pref name='core'>\n"
    "   <pref name='smileback'>\n"
    "    <pref name='gap_s' type='int' value='%d'/>\n"
    "    <pref name='answer_s' type='int' value='3600'/>\n"
    "   </pref>\n"
    "  </pref>\n"
    " </pref>\n"
    "</pref>\n",
    plugin_xml, GAP_S);
  g_autofree char *accounts_path = g_build_filename (dir, "accounts.xml", NULL);
  g_autofree char *prefs_path = g_build_filename (dir, "prefs.xml", NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (accounts_path, accounts, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (prefs_path, prefs, -1, &error);
  g_assert_no_error (error);
}

static Finch *
finch_start (guint16 port)
{
  g_autoptr (GError) error = NULL;
  struct winsize size = { .ws_row = 40, .ws_col = 132 };
  Finch *finch = g_new0 (Finch, 1);
  g_auto(GStrv) envp = NULL;
  const char *argv[] = { "finch", "-c", NULL, NULL };
  g_autofree char *log_path = NULL;
  int log_fd;
  GIOChannel *channel;
  pid_t pid;

  finch->dir = g_dir_make_tmp ("smileback-finch-XXXXXX", &error);
  g_assert_no_error (error);
  finch->screen = g_string_new (NULL);
  write_profile (finch->dir, port);

  /* Finch gets its own HOME (no ~/.gntrc) and a plain terminal.  Everything
   * is prepared before the fork: the child only execs. */
  envp = g_get_environ ();
  envp = g_environ_setenv (envp, "HOME", finch->dir, TRUE);
  envp = g_environ_setenv (envp, "TERM", "xterm", TRUE);
  /* Finch is not ours to make strict: GLib criticals of its own (a stale
   * source id at start-up) must not abort it. */
  envp = g_environ_unsetenv (envp, "G_DEBUG");

  argv[2] = finch->dir;
  log_path = g_build_filename (finch->dir, "finch-stderr.log", NULL);
  log_fd = open (log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (log_fd, >=, 0);
  pid = forkpty (&finch->master, NULL, NULL, &size);
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* Finch dies with the test, even when an assertion aborts it. */
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      /* Finch's warnings go to stderr: a file, not the screen. */
      dup2 (log_fd, STDERR_FILENO);
      execvpe ("finch", (char **) argv, envp);
      _exit (127);
    }
  close (log_fd);
  finch->pid = pid;
  channel = g_io_channel_unix_new (finch->master);
  finch->watch = g_io_add_watch (channel, G_IO_IN | G_IO_HUP | G_IO_ERR, finch_output_cb, finch);
  g_io_channel_unref (channel);
  return finch;
}

static void
finch_type (Finch *finch, const char *keys)
{
  gsize len = strlen (keys);

  g_assert_cmpint (write (finch->master, keys, len), ==, (gssize) len);
}

static gboolean
finch_exited (gpointer data)
{
  Finch *finch = data;

  return waitpid (finch->pid, NULL, WNOHANG) == finch->pid;
}

static void
finch_stop (Finch *finch)
{
  if (finch->pid > 0)
    {
      /* Finch's own "quit" key first, so it unloads plugins; then by PID. */
      finch_type (finch, "\033q");
      if (!sb_test_purple_wait (finch_exited, finch, FINCH_EXIT_MS))
        {
          g_test_message ("Finch did not quit on Alt-q: killing PID %d", finch->pid);
          kill (finch->pid, SIGKILL);
          waitpid (finch->pid, NULL, 0);
        }
      finch->pid = 0;
    }
  if (finch->watch != 0)
    g_source_remove (finch->watch);
  close (finch->master);
  if (g_getenv ("SMILEBACK_TEST_KEEP") == NULL)
    sb_test_rm_rf (finch->dir);
  g_free (finch->dir);
  g_string_free (finch->screen, TRUE);
  g_free (finch);
}

static void
dump_screen (Finch *finch)
{
  g_autofree char *log_path = g_build_filename (finch->dir, "finch-stderr.log", NULL);
  g_autofree char *log = NULL;

  if (g_file_get_contents (log_path, &log, NULL, NULL))
    g_test_message ("Finch's stderr:\n%s", log);
  g_autofree char *printable = g_strescape (finch->screen->str, "\n");
  gsize len = strlen (printable);

  g_test_message ("Finch's terminal output (last 4 KB):\n%s",
                  len > 4096 ? printable + len - 4096 : printable);
}

typedef struct
{
  const char *db_path;
  const char *field;
  gint64 at_least;
  JsonNode *report;
  gint64 last_poll;
} ReportWait;

/* TRUE once the database shows alice's row with @field at least @at_least,
 * keeping that report.  Polled at most every half second (the CLI is a
 * process start). */
static gboolean
report_ready (gpointer data)
{
  ReportWait *wait = data;
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_monotonic_time ();
  JsonNode *report;
  JsonObject *row;

  if (now - wait->last_poll < G_USEC_PER_SEC / 2)
    return FALSE;
  wait->last_poll = now;
  if (!g_file_test (wait->db_path, G_FILE_TEST_EXISTS))
    return FALSE;
  report = sb_e2e_report (wait->db_path, &error);
  if (report == NULL)
    return FALSE; /* locked for a moment by the writer: try again */
  row = sb_e2e_report_find (report, "prpl-jabber", "alice@localhost", "bob@localhost");
  if (row != NULL && json_object_get_int_member (row, wait->field) >= wait->at_least)
    {
      g_clear_pointer (&wait->report, json_node_unref);
      wait->report = report;
      return TRUE;
    }
  json_node_unref (report);
  return FALSE;
}

/* Waits until the plugin in Finch committed alice's row with @field >=
 * @at_least (its queue is committed every 5 s); the report is returned in
 * *@report when not NULL.  Fails the test, showing Finch's screen, on timeout. */
static void
wait_report (Finch *finch, const char *db_path, const char *field, gint64 at_least,
             JsonNode **report)
{
  ReportWait wait = { db_path, field, at_least, NULL, 0 };

  if (!sb_test_purple_wait (report_ready, &wait, REPORT_WAIT_MS))
    {
      dump_screen (finch);
      g_assert_not_reached ();
    }
  if (report != NULL)
    *report = wait.report;
  else
    json_node_unref (wait.report);
}

static void
test_finch_conversation (void)
{
  static const SbTestProsodyUser users[] = { { "alice", "alice-pw" }, { "bob", "bob-pw" } };
  g_autoptr (SbTestProsody) server = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *finch_path = NULL;
  PurpleAccount *bob;
  Finch *finch;
  guint before;
  g_autoptr (JsonNode) report = NULL;
  const SbE2eExpect expect = {
    .episodes = 2,
    .started_by_you = 1,
    .started_by_them = 1,
    .answered_by_them = 0,
    .answered_by_you = 1,
    .messages_sent = 2,
    .messages_received = 1,
  };

  finch_path = g_find_program_in_path ("finch");
  if (!sb_test_prosody_available () || finch_path == NULL)
    {
      g_test_skip ("prosody or finch is not installed");
      return;
    }
  if (g_strcmp0 (g_getenv ("SMILEBACK_SANITIZED"), "1") == 0)
    {
      /* See tests/e2e/meson.build: an uninstrumented Finch cannot load an
       * instrumented plugin.  The plain build runs this test. */
      g_test_skip ("sanitized build: Finch cannot load an instrumented plugin");
      return;
    }
  server = sb_test_prosody_start (users, G_N_ELEMENTS (users), TRUE, &error);
  g_assert_no_error (error);

  finch = finch_start (sb_test_prosody_get_port (server));
  db_path = g_build_filename (finch->dir, "smileback.db", NULL);
  bob = sb_test_purple_xmpp_account_new ("bob", SB_TEST_PROSODY_DOMAIN,
                                         sb_test_prosody_get_port (server), "bob-pw");
  g_assert_true (sb_test_purple_wait_connected (bob, CONNECT_MS));
  /* Alice is online once Finch logged in: then the plugin is loaded too. */
  if (!sb_e2e_wait_online (bob, "alice@localhost"))
    {
      dump_screen (finch);
      g_assert_not_reached ();
    }
  sb_e2e_inbox_start ();

  /* Episode 1: bob starts; alice answers from Finch's conversation window,
   * which opens without focus (gnt marks it urgent): Alt-Tab goes to it. */
  sb_test_prpl_send (bob, "alice@localhost", "hello finch");
  /* Recorded means shown: Finch's conversation window exists. */
  wait_report (finch, db_path, "messages_received", 1, NULL);
  finch_type (finch, "\033\t");
  before = sb_e2e_inbox_count (bob);
  finch_type (finch, "hi bob, typed in finch\r");
  if (!sb_e2e_wait_received (bob, before))
    {
      dump_screen (finch);
      g_assert_not_reached ();
    }

  /* Episode 2, after more than G: alice starts, bob stays silent. */
  sb_test_purple_run_for (PAUSE_MS);
  before = sb_e2e_inbox_count (bob);
  finch_type (finch, "still there?\r");
  g_assert_true (sb_e2e_wait_received (bob, before));
  sb_e2e_inbox_stop ();

  wait_report (finch, db_path, "messages_sent", expect.messages_sent, &report);
  sb_e2e_assert_row (sb_e2e_report_find (report, "prpl-jabber", "alice@localhost",
                                         "bob@localhost"),
                     &expect);

  finch_stop (finch);
  purple_accounts_delete (bob);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  sb_test_purple_init ();
  g_test_add_func ("/e2e/finch/conversation", test_finch_conversation);
  status = g_test_run ();
  sb_test_purple_shutdown ();
  return status;
}
