/* test-prompts (e2e): invitations and introductions over real XMPP.
 *
 * The test starts its own Prosody on loopback (with the MUC component
 * conference.localhost) and three libpurple clients in this process: alice,
 * whose Smile Back history is seeded before core-smileback loads (bob and
 * carol are her close friends, both started conversations this month), and
 * bob and carol, the other side (left out of recording).  A handler of
 * "smileback-prompt" plays the UI plugin.
 *
 *   1. alice joins a room: the prompt lists bob and carol, online and not
 *      there; nobody is invited before the answer; answering with bob ticked
 *      sends a real invitation bob's client receives, and none to carol;
 *   2. the introduction of bob and carol, accepted, opens alice's
 *      conversations with both, and neither receives anything; the first
 *      message bob receives is the one alice then types.
 *
 * Every wait is for an event (a delivery, a prompt), bounded generously.
 */
#include <string.h>

#include <smileback-purple/sb-ipc.h>
#include <smileback/smileback.h>

#include "sb-e2e.h"
#include "sb-test-prosody.h"
#include "sb-test-purple.h"

#define PLUGIN_PATH "plugin/purple/core-smileback.so"
#define PREFS "/plugins/core/smileback"
#define CONNECT_MS 30000
#define ROOM "party@" SB_TEST_PROSODY_MUC_DOMAIN
#define ALICE "alice@" SB_TEST_PROSODY_DOMAIN
#define BOB "bob@" SB_TEST_PROSODY_DOMAIN
#define CAROL "carol@" SB_TEST_PROSODY_DOMAIN

static struct
{
  PurpleAccount *alice, *bob, *carol;
  GPtrArray *prompts;   /* SbPrompt * received */
  GHashTable *invites;  /* PurpleAccount * -> invitations received */
  char *invited_room;
} world;

static gboolean
prompt_cb (const SbPrompt *prompt, gpointer data)
{
  g_ptr_array_add (world.prompts, sb_prompt_copy (prompt));
  return TRUE;
}

static int
chat_invited_cb (PurpleAccount *account, const char *inviter, const char *chat,
                 const char *message, GHashTable *components, gpointer data)
{
  g_hash_table_insert (world.invites, account,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (world.invites,
                                                                                account))
                                         + 1));
  g_free (world.invited_room);
  world.invited_room = g_strdup (chat);
  return -1; /* decline quietly: nothing to ask */
}

static guint
invites_of (PurpleAccount *account)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (world.invites, account));
}

/* @n answered conversations of alice with @who, one every @every seconds back
 * from @last_ago ago, started in turn by her and by them. */
static void
seed_friend (SbLedger *ledger, const char *who, guint n, gint64 last_ago, gint64 every, gint64 now)
{
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", ALICE, who);
  guint64 digest = (guint64) g_str_hash (who) << 20;

  for (guint i = 0; i < 2 * n; i++)
    {
      g_autoptr (GError) error = NULL;
      gboolean opener = i % 2 == 0;
      gboolean alice_starts = (i / 2) % 2 == 0;
      SbEvent event = { .time = now - last_ago - (gint64) (i / 2) * every + (opener ? 0 : 600),
                        .direction = opener == alice_starts ? SB_DIRECTION_OUT : SB_DIRECTION_IN,
                        .kind = SB_EVENT_MESSAGE,
                        .source = SB_SOURCE_IMPORT,
                        .size_bucket = 2,
                        .digest = digest + i };

      g_assert_true (sb_ledger_add_event (ledger, key, &event, now, NULL, &error));
      g_assert_no_error (error);
    }
}

static void
seed_history (void)
{
  g_autofree char *path = g_build_filename (sb_test_purple_user_dir (), "smileback.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  SbParams params;

  sb_params_init (&params);
  ledger = sb_ledger_open (path, &params, now, &error);
  g_assert_no_error (error);
  seed_friend (ledger, BOB, 10, SB_DAY, 2 * SB_DAY, now);
  seed_friend (ledger, CAROL, 8, SB_DAY + 3600, 3 * SB_DAY, now);
  g_assert_true (sb_ledger_flush (ledger, &error));
  g_assert_no_error (error);
}

static const SbPrompt *
prompt_of_kind (SbPromptKind kind)
{
  for (guint i = 0; i < world.prompts->len; i++)
    if (((SbPrompt *) world.prompts->pdata[i])->kind == kind)
      return world.prompts->pdata[i];
  return NULL;
}

static gboolean
have_invitation_prompt (gpointer data)
{
  return prompt_of_kind (SB_PROMPT_INVITE) != NULL;
}

static gboolean
alice_in_room (gpointer data)
{
  return purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT, ROOM, world.alice) != NULL;
}

static gboolean
bob_invited (gpointer data)
{
  return invites_of (world.bob) > 0;
}

static gboolean
answer (PurplePlugin *plugin, gint64 id, SbPromptAnswer what, const char *const *chosen)
{
  SbIpcAnswer ipc = { .id = id, .answer = what, .chosen = chosen };
  gboolean ok = FALSE;
  gboolean taken = GPOINTER_TO_INT (purple_plugin_ipc_call (plugin, SB_IPC_ANSWER_PROMPT, &ok,
                                                            &ipc));

  g_assert_true (ok);
  return taken;
}

static void
test_invite_and_introduce (void)
{
  static const SbTestProsodyUser users[] = {
    { "alice", "alice-pw" }, { "bob", "bob-pw" }, { "carol", "carol-pw" }
  };
  static const char *const tick_bob[] = { BOB, NULL };
  static int handle;
  g_autoptr (SbTestProsody) server = NULL;
  g_autoptr (GError) error = NULL;
  GHashTable *components;
  PurplePlugin *plugin;
  const SbPrompt *prompt;
  gboolean ok = FALSE;
  guint16 port;

  if (!sb_test_prosody_available ())
    {
      g_test_skip ("prosody is not installed");
      return;
    }
  server = sb_test_prosody_start (users, G_N_ELEMENTS (users), TRUE, &error);
  g_assert_no_error (error);
  port = sb_test_prosody_get_port (server);
  seed_history ();

  plugin = sb_test_purple_load_plugin (PLUGIN_PATH);
  g_assert_nonnull (plugin);
  purple_prefs_set_string (PREFS "/excluded_accounts", "bob@localhost, carol@localhost");
  purple_prefs_set_int (PREFS "/prompts/quiet_start_minute", 0);
  purple_prefs_set_int (PREFS "/prompts/quiet_end_minute", 0);
  purple_prefs_set_int (PREFS "/prompts/max_per_day", 20);
  purple_prefs_set_int (PREFS "/prompts/signon_quiet_s", 0);
  purple_prefs_set_int (PREFS "/prompts/invite_delay_ms", 1000);
  purple_signal_connect (plugin, SB_SIGNAL_PROMPT, &handle, PURPLE_CALLBACK (prompt_cb), NULL);
  purple_signal_connect (purple_conversations_get_handle (), "chat-invited", &handle,
                         PURPLE_CALLBACK (chat_invited_cb), NULL);

  world.alice = sb_test_purple_xmpp_account_new ("alice", SB_TEST_PROSODY_DOMAIN, port, "alice-pw");
  world.bob = sb_test_purple_xmpp_account_new ("bob", SB_TEST_PROSODY_DOMAIN, port, "bob-pw");
  world.carol = sb_test_purple_xmpp_account_new ("carol", SB_TEST_PROSODY_DOMAIN, port, "carol-pw");
  for (PurpleAccount **a = (PurpleAccount *[]){ world.alice, world.bob, world.carol, NULL };
       *a != NULL; a++)
    g_assert_true (sb_test_purple_wait_connected (*a, CONNECT_MS));
  g_assert_true (sb_e2e_wait_online (world.alice, BOB));
  g_assert_true (sb_e2e_wait_online (world.alice, CAROL));

  /* 1. alice joins a room: the prompt lists bob and carol. */
  components = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (components, g_strdup ("room"), g_strdup ("party"));
  g_hash_table_insert (components, g_strdup ("server"), g_strdup (SB_TEST_PROSODY_MUC_DOMAIN));
  g_hash_table_insert (components, g_strdup ("handle"), g_strdup ("alice"));
  serv_join_chat (purple_account_get_connection (world.alice), components);
  g_hash_table_destroy (components);
  g_assert_true (sb_test_purple_wait (alice_in_room, NULL, CONNECT_MS));
  g_assert_true (sb_test_purple_wait (have_invitation_prompt, NULL, CONNECT_MS));
  prompt = prompt_of_kind (SB_PROMPT_INVITE);
  g_assert_cmpstr (prompt->room, ==, ROOM);
  g_assert_cmpuint (prompt->invitees->len, ==, 2);
  g_assert_cmpstr (((SbBuddyKey *) prompt->invitees->pdata[0])->buddy, ==, BOB);
  g_assert_cmpstr (((SbBuddyKey *) prompt->invitees->pdata[1])->buddy, ==, CAROL);

  /* Nothing leaves before the click (a round trip to the server and back
   * would have brought it by now: bob and carol see alice's presence). */
  sb_test_purple_run_for (1500);
  g_assert_cmpuint (invites_of (world.bob), ==, 0);
  g_assert_cmpuint (invites_of (world.carol), ==, 0);

  /* "Invite" with bob ticked: bob's client receives the room's invitation. */
  g_assert_true (answer (plugin, prompt->id, SB_ANSWER_DONE, tick_bob));
  g_assert_true (sb_test_purple_wait (bob_invited, NULL, CONNECT_MS));
  g_assert_cmpuint (invites_of (world.bob), ==, 1);
  g_assert_cmpstr (world.invited_room, ==, ROOM);
  sb_test_purple_run_for (1500);
  g_assert_cmpuint (invites_of (world.carol), ==, 0);

  /* 2. the introduction (planned once the accounts signed on, or now):
   * two conversations open, nothing is received. */
  sb_e2e_inbox_start ();
  purple_plugin_ipc_call (plugin, SB_IPC_PLAN_NOW, &ok);
  g_assert_true (ok);
  prompt = prompt_of_kind (SB_PROMPT_INTRODUCE);
  g_assert_nonnull (prompt);
  g_assert_nonnull (prompt->other);
  g_assert_true ((g_strcmp0 (prompt->key->buddy, BOB) == 0
                  && g_strcmp0 (prompt->other->buddy, CAROL) == 0)
                 || (g_strcmp0 (prompt->key->buddy, CAROL) == 0
                     && g_strcmp0 (prompt->other->buddy, BOB) == 0));
  g_assert_null (purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, BOB, world.alice));
  g_assert_true (answer (plugin, prompt->id, SB_ANSWER_DONE, NULL));
  g_assert_nonnull (purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, BOB, world.alice));
  g_assert_nonnull (
    purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, CAROL, world.alice));
  sb_test_purple_run_for (2000);
  g_assert_cmpuint (sb_e2e_inbox_count (world.bob), ==, 0);
  g_assert_cmpuint (sb_e2e_inbox_count (world.carol), ==, 0);

  /* The way is open: what alice types now is the first thing bob receives. */
  sb_test_prpl_send (world.alice, BOB, "typed by alice");
  g_assert_true (sb_e2e_wait_received (world.bob, 0));
  sb_test_purple_run_for (500);
  g_assert_cmpuint (sb_e2e_inbox_count (world.bob), ==, 1);
  g_assert_cmpuint (sb_e2e_inbox_count (world.carol), ==, 0);
  sb_e2e_inbox_stop ();

  purple_signals_disconnect_by_handle (&handle);
  g_assert_true (purple_plugin_unload (plugin));
  purple_accounts_delete (world.alice);
  purple_accounts_delete (world.bob);
  purple_accounts_delete (world.carol);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  sb_test_purple_init ();
  world.prompts = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_prompt_free);
  world.invites = g_hash_table_new (NULL, NULL);
  g_test_add_func ("/e2e/prompts/invite-and-introduce", test_invite_and_introduce);
  status = g_test_run ();
  g_ptr_array_unref (world.prompts);
  g_hash_table_unref (world.invites);
  g_free (world.invited_room);
  sb_test_purple_shutdown ();
  return status;
}
