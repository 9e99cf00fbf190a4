/* test-xmpp: a scripted conversation over real XMPP, checked through the CLI.
 *
 * The test starts its own Prosody on loopback, then two libpurple clients
 * (accounts) log in: alice, whose conversations core-smileback records, and
 * bob, the other side, whose account is on the plugin's "leave out" list.
 * G is set to 2 s and R to an hour, so real pauses of a few seconds separate
 * episodes.  Every pause only has to be *at least* its length (a slow machine
 * makes it longer, never shorter), and every delivery is awaited, so the
 * outcome does not depend on timing:
 *
 *   1. alice: "hi bob"                          -> episode 1, alice starts, never answered
 *      (pause > G)
 *   2. alice: "are you around?", bob: "yes!"    -> episode 2, alice starts, bob answers
 *      (pause > G)
 *   3. bob: "got a minute?"; alice is away: her client auto-replies
 *      (SEND|AUTO_RESP, not an answer); (pause > G, < R) alice: "sorry, here now"
 *                                               -> episode 3, bob starts, alice answers late
 *
 * libpurple's XMPP protocol does not ask for libpurple's auto-responder, so
 * the test sets PURPLE_CONNECTION_AUTO_RESP on alice's connection: libpurple
 * then does exactly what it does for protocols that do (sends the away message
 * over the wire and writes it as SEND|AUTO_RESP).
 *
 * The plugin is unloaded (flushing its queue), then `smileback report --json`
 * must show exactly these episodes, initiators and answers.
 *
 * Two more cases on their own servers: an offline message keeps its original
 * time, and a group chat on the MUC component records the join and who was
 * there (by real JID).
 */
#include <sqlite3.h>

#include <smileback-purple/sb-ipc.h>

#include "sb-e2e.h"
#include "sb-test-prosody.h"
#include "sb-test-purple.h"

#define PLUGIN_PATH "plugin/purple/core-smileback.so"
#define GAP_S 2

/* Starts a Prosody with @users and loads the plugin into *@plugin; NULL (the
 * test skipped) where Prosody is not installed. */
static SbTestProsody *
start_world (const SbTestProsodyUser *users, gsize n_users, PurplePlugin **plugin)
{
  g_autoptr (GError) error = NULL;
  SbTestProsody *server;

  if (!sb_test_prosody_available ())
    {
      g_test_skip ("prosody is not installed");
      return NULL;
    }
  server = sb_test_prosody_start (users, n_users, TRUE, &error);
  g_assert_no_error (error);
  *plugin = sb_test_purple_load_plugin (PLUGIN_PATH);
  g_assert_nonnull (*plugin);
  return server;
}

/* A pause that is surely more than G in whole seconds of message time. */
#define PAUSE_MS ((GAP_S + 1) * 1000 + 500)
#define CONNECT_MS 30000

static void
send_and_wait (PurpleAccount *from, const char *to, const char *text, PurpleAccount *receiver)
{
  guint before = sb_e2e_inbox_count (receiver);

  sb_test_prpl_send (from, to, text);
  g_assert_true (sb_e2e_wait_received (receiver, before));
}

static void
test_conversation (void)
{
  static const SbTestProsodyUser users[] = { { "alice", "alice-pw" }, { "bob", "bob-pw" } };
  g_autoptr (SbTestProsody) server = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) report = NULL;
  g_autofree char *db_path = g_build_filename (sb_test_purple_user_dir (), "smileback.db", NULL);
  PurplePlugin *plugin;
  PurpleAccount *alice, *bob;
  JsonObject *row;
  guint before;
  const SbE2eExpect expect = {
    .episodes = 3,
    .started_by_you = 2,
    .started_by_them = 1,
    .answered_by_them = 1,
    .answered_by_you = 1,
    .messages_sent = 3,     /* the auto-reply is not a message */
    .messages_received = 2,
  };

  server = start_world (users, G_N_ELEMENTS (users), &plugin);
  if (server == NULL)
    return;
  purple_prefs_set_int ("/plugins/core/smileback/gap_s", GAP_S);
  purple_prefs_set_int ("/plugins/core/smileback/answer_s", 3600);
  purple_prefs_set_string ("/plugins/core/smileback/excluded_accounts", "bob@localhost");
  purple_prefs_set_string ("/purple/away/auto_reply", "away");

  alice = sb_test_purple_xmpp_account_new ("alice", SB_TEST_PROSODY_DOMAIN,
                                           sb_test_prosody_get_port (server), "alice-pw");
  bob = sb_test_purple_xmpp_account_new ("bob", SB_TEST_PROSODY_DOMAIN,
                                         sb_test_prosody_get_port (server), "bob-pw");
  g_assert_true (sb_test_purple_wait_connected (alice, CONNECT_MS));
  g_assert_true (sb_test_purple_wait_connected (bob, CONNECT_MS));
  g_assert_true (sb_e2e_wait_online (alice, "bob@localhost"));
  g_assert_true (sb_e2e_wait_online (bob, "alice@localhost"));
  sb_e2e_inbox_start ();

  /* 1. never answered */
  send_and_wait (alice, "bob@localhost", "hi bob", bob);
  sb_test_purple_run_for (PAUSE_MS);

  /* 2. answered */
  send_and_wait (alice, "bob@localhost", "are you <b>around</b>?", bob);
  send_and_wait (bob, "alice@localhost", "yes!", alice);
  sb_test_purple_run_for (PAUSE_MS);

  /* 3. bob starts; alice's auto-reply; alice answers after a long pause */
  purple_account_get_connection (alice)->flags |= PURPLE_CONNECTION_AUTO_RESP;
  purple_account_set_status (alice, "away", TRUE, "message", "Away for a moment", NULL);
  before = sb_e2e_inbox_count (bob);
  send_and_wait (bob, "alice@localhost", "got a minute?", alice);
  g_assert_true (sb_e2e_wait_received (bob, before)); /* the auto-reply reached bob */
  purple_account_set_status (alice, "available", TRUE, NULL);
  sb_test_purple_run_for (PAUSE_MS);
  send_and_wait (alice, "bob@localhost", "sorry, here now", bob);

  sb_e2e_inbox_stop ();
  g_assert_true (purple_plugin_unload (plugin));

  report = sb_e2e_report (db_path, &error);
  g_assert_no_error (error);
  row = sb_e2e_report_find (report, "prpl-jabber", "alice@localhost", "bob@localhost");
  sb_e2e_assert_row (row, &expect);
  /* Bob answered within the same second or so; alice after the long pause. */
  g_assert_false (json_node_is_null (json_object_get_member (row, "median_latency_them_s")));
  g_assert_cmpint (json_object_get_int_member (row, "median_latency_them_s"), >=, 0);
  g_assert_cmpint (json_object_get_int_member (row, "median_latency_you_s"), >=, GAP_S + 1);
  /* The left-out account recorded nothing. */
  g_assert_null (sb_e2e_report_find (report, "prpl-jabber", "bob@localhost", "alice@localhost"));

  purple_accounts_delete (alice);
  purple_accounts_delete (bob);
}

/* /e2e/xmpp/offline-message: dave writes while carol is offline; Prosody
 * keeps the message and delivers it when carol logs in, seconds later, as a
 * plain RECV line carrying its original time (XEP-0203).  The plugin records
 * the original time, not the delivery time. */
static void
test_offline_message (void)
{
  static const SbTestProsodyUser users[] = { { "carol", "carol-pw" }, { "dave", "dave-pw" } };
  g_autoptr (SbTestProsody) server = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (GDateTime) recorded = NULL;
  g_autofree char *db_path = g_build_filename (sb_test_purple_user_dir (), "smileback.db", NULL);
  PurplePlugin *plugin;
  PurpleAccount *carol, *dave;
  JsonObject *row;
  gint64 sent, login;
  const SbE2eExpect expect = {
    .episodes = 1,
    .started_by_them = 1,
    .messages_received = 1,
  };

  server = start_world (users, G_N_ELEMENTS (users), &plugin);
  if (server == NULL)
    return;

  dave = sb_test_purple_xmpp_account_new ("dave", SB_TEST_PROSODY_DOMAIN,
                                          sb_test_prosody_get_port (server), "dave-pw");
  g_assert_true (sb_test_purple_wait_connected (dave, CONNECT_MS));
  sent = g_get_real_time () / G_USEC_PER_SEC;
  sb_test_prpl_send (dave, "carol@localhost", "left while you were out");
  /* Carol logs in later: at least two whole seconds after the message. */
  sb_test_purple_run_for (PAUSE_MS);

  sb_e2e_inbox_start ();
  login = g_get_real_time () / G_USEC_PER_SEC;
  carol = sb_test_purple_xmpp_account_new ("carol", SB_TEST_PROSODY_DOMAIN,
                                           sb_test_prosody_get_port (server), "carol-pw");
  g_assert_true (sb_test_purple_wait_connected (carol, CONNECT_MS));
  g_assert_true (sb_e2e_wait_received (carol, 0));
  sb_e2e_inbox_stop ();
  g_assert_true (purple_plugin_unload (plugin));

  report = sb_e2e_report (db_path, &error);
  g_assert_no_error (error);
  row = sb_e2e_report_find (report, "prpl-jabber", "carol@localhost", "dave@localhost");
  sb_e2e_assert_row (row, &expect);
  recorded = g_date_time_new_from_iso8601 (json_object_get_string_member (row, "last_episode"),
                                           NULL);
  g_assert_nonnull (recorded);
  g_assert_cmpint (g_date_time_to_unix (recorded), >=, sent);
  g_assert_cmpint (g_date_time_to_unix (recorded), <, login);

  purple_accounts_delete (carol);
  purple_accounts_delete (dave);
}

static gboolean
chat_has_users (gpointer data)
{
  PurpleConversation **conv = data;

  return *conv != NULL && g_list_length (purple_conv_chat_get_users (PURPLE_CONV_CHAT (*conv))) >= 2;
}

/* /e2e/xmpp/group-chat: erin (recorded) opens a room on the MUC component,
 * frank joins it: the database holds erin's join and frank's presence under
 * his real JID (erin owns the room, so the server shows her members' JIDs). */
static void
test_group_chat (void)
{
  static const SbTestProsodyUser users[] = { { "erin", "erin-pw" }, { "frank", "frank-pw" } };
  g_autoptr (SbTestProsody) server = NULL;
  g_autofree char *db_path = g_build_filename (sb_test_purple_user_dir (), "smileback.db", NULL);
  g_autoptr (GString) seen = g_string_new (NULL);
  PurplePlugin *plugin;
  PurpleAccount *erin, *frank;
  PurpleConversation *conv;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  server = start_world (users, G_N_ELEMENTS (users), &plugin);
  if (server == NULL)
    return;
  purple_prefs_set_string ("/plugins/core/smileback/excluded_accounts", "frank@localhost");

  erin = sb_test_purple_xmpp_account_new ("erin", SB_TEST_PROSODY_DOMAIN,
                                          sb_test_prosody_get_port (server), "erin-pw");
  frank = sb_test_purple_xmpp_account_new ("frank", SB_TEST_PROSODY_DOMAIN,
                                           sb_test_prosody_get_port (server), "frank-pw");
  g_assert_true (sb_test_purple_wait_connected (erin, CONNECT_MS));
  g_assert_true (sb_test_purple_wait_connected (frank, CONNECT_MS));

  /* Erin creates the room (the headless UI accepts the default configuration). */
  sb_e2e_join_room (erin, "party@" SB_TEST_PROSODY_MUC_DOMAIN, "erin");
  sb_e2e_join_room (frank, "party@" SB_TEST_PROSODY_MUC_DOMAIN, "frank");
  conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT,
                                                "party@" SB_TEST_PROSODY_MUC_DOMAIN, erin);
  g_assert_true (sb_test_purple_wait (chat_has_users, &conv, CONNECT_MS));
  g_assert_true (purple_plugin_unload (plugin));

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT account, room, kind, member FROM chat_events"
                                       " WHERE protocol = 'prpl-jabber' AND room = ?1"
                                       " ORDER BY kind, member",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, "party@" SB_TEST_PROSODY_MUC_DOMAIN, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (seen, "%s %d %s;", sqlite3_column_text (stmt, 0),
                            sqlite3_column_int (stmt, 2), sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_test_message ("chat events: %s", seen->str);
  g_assert_cmpstr (seen->str, ==, "erin@localhost 0 ;erin@localhost 1 frank@localhost;");

  purple_prefs_set_string ("/plugins/core/smileback/excluded_accounts", "");
  purple_accounts_delete (erin);
  purple_accounts_delete (frank);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  sb_test_purple_init ();
  g_test_add_func ("/e2e/xmpp/libpurple-conversation", test_conversation);
  g_test_add_func ("/e2e/xmpp/offline-message", test_offline_message);
  g_test_add_func ("/e2e/xmpp/group-chat", test_group_chat);
  status = g_test_run ();
  sb_test_purple_shutdown ();
  return status;
}
