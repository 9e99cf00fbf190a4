/* test-rooms: who answers whom in a real XMPP group chat (docs/design.md,
 * "Group chats").
 *
 * The test starts its own Prosody with a MUC component; three libpurple
 * clients log in: me, whose conversations core-smileback records, and two
 * peers, alice and bob, whose accounts are on the "leave out" list.  me opens
 * the room (as its owner, me sees the members' real JIDs), the peers join,
 * then, each line awaited where me sees it:
 *
 *   me:    "does anyone know how to set the espresso grinder?"
 *   alice: "me: yes, turn the dial to seven"       -> answers me
 *   bob:   "alice: are you coming to the stadium on saturday?"
 *                                                 -> talks past me, to alice
 *
 * Through the plugin's IPC on me's buddy nodes: alice answered me once, bob
 * never; and the database holds none of the words.
 */
#include <string.h>

#include <smileback-purple/sb-ipc.h>

#include "sb-e2e.h"
#include "sb-test-prosody.h"
#include "sb-test-purple.h"

#define PLUGIN_PATH "plugin/purple/core-smileback.so"
#define ROOM "tea@" SB_TEST_PROSODY_MUC_DOMAIN
#define CONNECT_MS 30000

static const char *const WORDS[] = { "grinder", "espresso", "stadium", "saturday", NULL };

typedef struct
{
  PurpleAccount *me, *alice, *bob;
} World;

static PurpleAccount *
log_in (SbTestProsody *server, const char *user, const char *password)
{
  PurpleAccount *account = sb_test_purple_xmpp_account_new (
    user, SB_TEST_PROSODY_DOMAIN, sb_test_prosody_get_port (server), password);

  g_assert_true (sb_test_purple_wait_connected (account, CONNECT_MS));
  return account;
}

static gboolean
everyone_in (gpointer data)
{
  PurpleConversation *conv
    = purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT, ROOM, data);

  return conv != NULL && g_list_length (purple_conv_chat_get_users (PURPLE_CONV_CHAT (conv))) >= 3;
}

/* @from says @text in the room, awaited where me sees it. */
static void
say (World *world, PurpleAccount *from, const char *text)
{
  PurpleConversation *conv
    = purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT, ROOM, from);

  g_assert_nonnull (conv);
  purple_conv_chat_send (PURPLE_CONV_CHAT (conv), text);
  g_assert_true (sb_e2e_wait_chat_text (world->me, ROOM, text));
}

/* alice's or bob's room counts, as a UI reads them on me's buddy node. */
static gboolean
room_counts (PurplePlugin *plugin, World *world, const char *who, guint *answered_you,
             guint *you_answered)
{
  PurpleBuddy *buddy = purple_find_buddy (world->me, who);
  gboolean ok = FALSE;
  gboolean found;

  g_assert_nonnull (buddy);
  found = GPOINTER_TO_INT (purple_plugin_ipc_call (plugin, SB_IPC_GET_ROOM_COUNTS, &ok,
                                                   (PurpleBlistNode *) buddy, answered_you,
                                                   you_answered));
  g_assert_true (ok);
  g_test_message ("%s: answered you %u, you answered %u", who, *answered_you, *you_answered);
  return found;
}

/* room_counts() once the plugin committed the lines (the counts read
 * committed rows: within about half a second). */
static gboolean
room_counts_committed (PurplePlugin *plugin, World *world, const char *who, guint *answered_you,
                       guint *you_answered)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!room_counts (plugin, world, who, answered_you, you_answered))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      sb_test_purple_run_for (100);
    }
  return TRUE;
}

static void
test_who_answers_whom (void)
{
  static const SbTestProsodyUser users[]
    = { { "me", "me-pw" }, { "alice", "alice-pw" }, { "bob", "bob-pw" } };
  g_autoptr (SbTestProsody) server = NULL;
  g_autoptr (GError) error = NULL;
  PurplePlugin *plugin;
  World world;
  guint them = 0, you = 0;

  if (!sb_test_prosody_available ())
    {
      g_test_skip ("prosody is not installed");
      return;
    }
  server = sb_test_prosody_start (users, G_N_ELEMENTS (users), TRUE, &error);
  g_assert_no_error (error);
  plugin = sb_test_purple_load_plugin (PLUGIN_PATH);
  g_assert_nonnull (plugin);
  purple_prefs_set_string ("/plugins/core/smileback/excluded_accounts",
                           "alice@localhost,bob@localhost");

  world.me = log_in (server, "me", "me-pw");
  world.alice = log_in (server, "alice", "alice-pw");
  world.bob = log_in (server, "bob", "bob-pw");
  g_assert_true (sb_e2e_wait_online (world.me, "alice@localhost"));
  g_assert_true (sb_e2e_wait_online (world.me, "bob@localhost"));

  /* me creates the room (the headless UI accepts the default configuration). */
  sb_e2e_join_room (world.me, ROOM, "me");
  sb_e2e_join_room (world.alice, ROOM, "alice");
  sb_e2e_join_room (world.bob, ROOM, "bob");
  g_assert_true (sb_test_purple_wait (everyone_in, world.me, CONNECT_MS));

  say (&world, world.me, "does anyone know how to set the espresso grinder?");
  say (&world, world.alice, "me: yes, turn the dial to seven");
  say (&world, world.bob, "alice: are you coming to the stadium on saturday?");

  g_assert_true (room_counts_committed (plugin, &world, "alice@localhost", &them, &you));
  g_assert_cmpuint (them, ==, 1);
  g_assert_cmpuint (you, ==, 0);
  g_assert_false (room_counts (plugin, &world, "bob@localhost", &them, &you));

  g_assert_true (purple_plugin_unload (plugin));
  sb_test_purple_assert_not_stored (WORDS);

  purple_prefs_set_string ("/plugins/core/smileback/excluded_accounts", "");
  purple_accounts_delete (world.me);
  purple_accounts_delete (world.alice);
  purple_accounts_delete (world.bob);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  sb_test_purple_init ();
  g_test_add_func ("/e2e/rooms/who-answers-whom", test_who_answers_whom);
  status = g_test_run ();
  sb_test_purple_shutdown ();
  return status;
}
