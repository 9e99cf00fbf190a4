/* test-finch: Finch, with core-smileback loaded, records a real XMPP
 * conversation.
 *
 * The test starts its own Prosody on loopback and a throwaway Finch profile:
 * accounts.xml (alice, auto-login for Finch's UI "gnt-purple") and prefs.xml
 * (/finch/plugins/loaded holds the built .so; G = 2 s).  Finch runs in a
 * pseudo-terminal (sb-e2e-finch.h) whose output the test keeps reading; the
 * test process is bob, a libpurple client.  Bob writes first; Finch opens the
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
#include "sb-e2e.h"
#include "sb-e2e-finch.h"
#include "sb-test-prosody.h"
#include "sb-test-purple.h"

#define GAP_S 2
#define PAUSE_MS ((GAP_S + 1) * 1000 + 500)
#define CONNECT_MS 30000
#define REPORT_WAIT_MS 30000

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
wait_report (SbE2eFinch *finch, const char *db_path, const char *field, gint64 at_least,
             JsonNode **report)
{
  ReportWait wait = { db_path, field, at_least, NULL, 0 };

  if (!sb_test_purple_wait (report_ready, &wait, REPORT_WAIT_MS))
    {
      sb_e2e_finch_dump (finch);
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
  PurpleAccount *bob;
  SbE2eFinch *finch;
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
  static const char *const plugins[] = { "plugin/purple/core-smileback.so", NULL };
  const SbE2eFinchOptions options = {
    .plugins = plugins,
    .smileback_prefs = "    <pref name='gap_s' type='int' value='" G_STRINGIFY (GAP_S) "'/>\n"
                       "    <pref name='answer_s' type='int' value='3600'/>\n",
  };
  const char *why = NULL;

  if (!sb_test_prosody_available ())
    {
      g_test_skip ("prosody is not installed");
      return;
    }
  if (!sb_e2e_finch_usable (&why))
    {
      g_test_skip (why);
      return;
    }
  server = sb_test_prosody_start (users, G_N_ELEMENTS (users), TRUE, &error);
  g_assert_no_error (error);

  finch = sb_e2e_finch_start (sb_test_prosody_get_port (server), &options);
  db_path = g_build_filename (finch->dir, "smileback.db", NULL);
  bob = sb_test_purple_xmpp_account_new ("bob", SB_TEST_PROSODY_DOMAIN,
                                         sb_test_prosody_get_port (server), "bob-pw");
  g_assert_true (sb_test_purple_wait_connected (bob, CONNECT_MS));
  /* Alice is online once Finch logged in: then the plugin is loaded too. */
  if (!sb_e2e_wait_online (bob, "alice@localhost"))
    {
      sb_e2e_finch_dump (finch);
      g_assert_not_reached ();
    }
  sb_e2e_inbox_start ();

  /* Episode 1: bob starts; alice answers from Finch's conversation window,
   * which opens without focus (gnt marks it urgent): Alt-Tab goes to it. */
  sb_test_prpl_send (bob, "alice@localhost", "hello finch");
  /* Recorded means shown: Finch's conversation window exists. */
  wait_report (finch, db_path, "messages_received", 1, NULL);
  sb_e2e_finch_type (finch, "\033\t");
  before = sb_e2e_inbox_count (bob);
  sb_e2e_finch_type (finch, "hi bob, typed in finch\r");
  if (!sb_e2e_wait_received (bob, before))
    {
      sb_e2e_finch_dump (finch);
      g_assert_not_reached ();
    }

  /* Episode 2, after more than G: alice starts, bob stays silent. */
  sb_test_purple_run_for (PAUSE_MS);
  before = sb_e2e_inbox_count (bob);
  sb_e2e_finch_type (finch, "still there?\r");
  g_assert_true (sb_e2e_wait_received (bob, before));
  sb_e2e_inbox_stop ();

  wait_report (finch, db_path, "messages_sent", expect.messages_sent, &report);
  sb_e2e_assert_row (sb_e2e_report_find (report, "prpl-jabber", "alice@localhost",
                                         "bob@localhost"),
                     &expect);

  sb_e2e_finch_stop (finch);
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
