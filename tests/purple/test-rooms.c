/* test-rooms: the built core-smileback plugin follows who answers whom in a
 * group chat (docs/design.md, "Group chats").
 *
 * A room is replayed through libpurple's chat paths with the in-process test
 * protocol: serv_got_joined_chat() and the member list, serv_got_chat_in()
 * for the others' lines, purple_conv_chat_send() for the user's (echoed back
 * by the protocol, as a real room does).  Results are read the way UI
 * plugins read them (the IPC calls, the tooltip) and from the database file,
 * which must hold no word of the messages.
 */
#include <sqlite3.h>
#include <string.h>

#include <smileback-purple/sb-ipc.h>
#include <smileback/smileback.h>

#include "sb-test-purple.h"

#define PLUGIN_PATH "plugin/purple/core-smileback.so"

static PurplePlugin *plugin;
static PurpleAccount *me;

/* The words of the room's messages, none of which may be stored. */
static const char *const WORDS[] = { "grinder", "espresso", "saturday", "stadium", "dial", NULL };

/* Commits what the plugin queued: an unload waits for the final commit. */
static void
commit_by_reload (void)
{
  g_assert_true (purple_plugin_unload (plugin));
  g_assert_true (sb_test_purple_load_plugin (PLUGIN_PATH) == plugin);
}

/* The room: the user asks, alice answers the user, bob talks to carol about
 * something else, carol answers bob, the user thanks alice. */
static PurpleConversation *
replay_room (void)
{
  static const char *const members[] = { "me", "alice", "bob", "carol", NULL };
  PurpleConversation *conv = sb_test_prpl_join_chat (me, "Tea", members);
  time_t now = time (NULL);

  sb_test_prpl_chat_send (conv, "does anyone know how to set the espresso grinder?");
  sb_test_prpl_chat_receive (conv, "alice", "me: yes, turn the dial to seven", now + 20);
  sb_test_prpl_chat_receive (conv, "bob", "carol: are you coming to the stadium on saturday?",
                             now + 40);
  sb_test_prpl_chat_receive (conv, "carol", "bob: sure, see you there", now + 60);
  sb_test_prpl_chat_member_joins (conv, "dan");
  sb_test_prpl_chat_member_leaves (conv, "dan");
  /* Not the conversation: the room's history and a notice. */
  serv_got_chat_in (purple_conversation_get_gc (conv),
                    purple_conv_chat_get_id (PURPLE_CONV_CHAT (conv)), "bob",
                    PURPLE_MESSAGE_RECV | PURPLE_MESSAGE_DELAYED, "old espresso line", now - 600);
  purple_conv_chat_write (PURPLE_CONV_CHAT (conv), "", "the dial topic", PURPLE_MESSAGE_SYSTEM,
                          now + 70);
  sb_test_prpl_chat_receive (conv, "me", "alice: thanks, that worked", now + 80);
  return conv;
}

/* The stored links, in order: "speaker>parent confident;" ('' is the user,
 * - no parent). */
static char *
stored_links (void)
{
  g_autofree char *db_path = g_build_filename (sb_test_purple_user_dir (), "smileback.db", NULL);
  GString *seen = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  commit_by_reload ();
  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT s.member, coalesce (p.member, '-'), l.confident"
                                       " FROM room_lines l JOIN rooms r ON r.id = l.room_id"
                                       " JOIN room_members s ON s.id = l.speaker_id"
                                       " LEFT JOIN room_members p ON p.id = l.parent_speaker_id"
                                       " WHERE r.protocol = ?1 AND r.room = 'tea'"
                                       " ORDER BY l.time, l.id",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, SB_TEST_PRPL_ID, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (seen, "%s>%s %d;", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1), sqlite3_column_int (stmt, 2));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (seen, FALSE);
}

static gboolean
room_counts (const char *who, guint *answered_you, guint *you_answered)
{
  PurpleBuddy *buddy = sb_test_prpl_add_buddy (me, who);
  gboolean ok = FALSE;
  gboolean found = GPOINTER_TO_INT (purple_plugin_ipc_call (
    plugin, SB_IPC_GET_ROOM_COUNTS, &ok, (PurpleBlistNode *) buddy, answered_you, you_answered));

  g_assert_true (ok);
  return found;
}

static char *
tooltip (const char *who)
{
  PurpleBuddy *buddy = sb_test_prpl_add_buddy (me, who);
  gboolean ok = FALSE;
  char *text = purple_plugin_ipc_call (plugin, SB_IPC_GET_TOOLTIP, &ok, (PurpleBlistNode *) buddy);

  g_assert_true (ok);
  return text;
}

static void
found_room (const SbIpcRoom *room, gpointer data)
{
  SbIpcRoom *out = data;

  if (g_strcmp0 (room->room, "tea") != 0)
    return;
  g_assert_cmpstr (room->protocol_id, ==, SB_TEST_PRPL_ID);
  g_assert_cmpuint (room->stats->messages, ==, 5);
  g_assert_cmpuint (room->stats->your_threads, ==, 1);
  g_assert_cmpuint (room->stats->answered_threads, ==, 1);
  g_assert_cmpfloat (room->answered_share, ==, 1.0);
  g_assert_cmpstr (room->answers_you_most, ==, "alice");
  g_assert_cmpstr (room->you_answer_most, ==, "alice");
  out->answers_you_most_count = room->answers_you_most_count;
}

static void
test_room (void)
{
  PurpleConversation *conv = replay_room ();
  guint them = 0, you = 0;
  gboolean ok = FALSE;
  SbIpcRoom room = { 0 };

  /* The links as stored: the user's question, alice's answer to it, bob's
   * line to carol (not the user's), carol's, the user's thanks to alice. */
  g_autofree char *links = stored_links ();
  g_assert_true (g_str_has_prefix (links, ">- 0;alice> 1;bob>"));
  g_assert_true (g_str_has_suffix (links, ">alice 1;"));
  g_assert_null (strstr (links, "bob> 1"));

  g_assert_true (room_counts ("alice", &them, &you));
  g_assert_cmpuint (them, ==, 1);
  g_assert_cmpuint (you, ==, 1);
  g_assert_false (room_counts ("bob", &them, &you));
  g_assert_cmpuint (them + you, ==, 0);

  g_autofree char *alice_tip = tooltip ("alice");
  g_assert_nonnull (alice_tip);
  g_assert_nonnull (strstr (alice_tip, "In rooms: answered you 1 time, you answered them 1 time"));
  g_autofree char *bob_tip = tooltip ("bob");
  g_assert_true (bob_tip == NULL || strstr (bob_tip, "In rooms") == NULL);

  purple_plugin_ipc_call (plugin, SB_IPC_FOREACH_ROOM, &ok, found_room, &room);
  g_assert_true (ok);
  g_assert_cmpuint (room.answers_you_most_count, ==, 1);

  commit_by_reload ();
  sb_test_purple_assert_not_stored (WORDS);
  /* The room's state goes with its conversation. */
  purple_conversation_destroy (purple_find_chat (purple_account_get_connection (me),
                                                 purple_conv_chat_get_id (PURPLE_CONV_CHAT (conv))));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  sb_test_purple_init ();
  plugin = sb_test_purple_load_plugin (PLUGIN_PATH);
  g_assert_nonnull (plugin);
  me = sb_test_prpl_account_new ("me");

  g_test_add_func ("/rooms/who-answers-whom", test_room);

  status = g_test_run ();
  purple_plugin_unload (plugin);
  sb_test_purple_shutdown ();
  return status;
}
