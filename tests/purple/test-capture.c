/* test-capture: the built core-smileback plugin in headless libpurple records
 * IM and group-chat traffic as docs/design.md says.
 *
 * The plugin .so from the build tree is loaded into libpurple with the
 * in-process test protocol (tests/common); the other side is played with
 * serv_got_im() and the user's side with purple_conv_im_send().  Results are
 * read back the way UI plugins read them: through the plugin's IPC calls and
 * signal, and, for group chats, from the database file.  Each case uses its own
 * buddy names, so the cases share one libpurple and one plugin.
 */
#include <sqlite3.h>
#include <string.h>

#include <smileback-purple/sb-ipc.h>
#include <smileback-purple/sb-purple-key.h>
#include <smileback/smileback.h>

#include "sb-test-purple.h"

#define PLUGIN_PATH "plugin/purple/core-smileback.so"

static PurplePlugin *plugin;
static PurpleAccount *me;

/* Reading results through IPC. */

typedef struct
{
  const char *protocol;
  const char *account;
  const char *buddy;
  SbStats stats;
  gboolean found;
} FindData;

static void
find_cb (const char *protocol, const char *account, const char *buddy, const SbStats *stats,
         gpointer user_data)
{
  FindData *find = user_data;

  if (g_strcmp0 (protocol, find->protocol) == 0 && g_strcmp0 (account, find->account) == 0
      && g_strcmp0 (buddy, find->buddy) == 0)
    {
      find->stats = *stats;
      find->found = TRUE;
    }
}

/* The figures of @who on @account as UIs see them: get-stats on the buddy node
 * when @who is in the buddy list, else found through foreach-buddy. */
static gboolean
get_stats (PurpleAccount *account, const char *who, SbStats *out)
{
  PurpleBuddy *buddy = purple_find_buddy (account, who);
  gboolean ok = FALSE;

  if (buddy != NULL)
    {
      gboolean found = GPOINTER_TO_INT (purple_plugin_ipc_call (plugin, SB_IPC_GET_STATS, &ok,
                                                                (PurpleBlistNode *) buddy, out));
      g_assert_true (ok);
      return found;
    }
  else
    {
      g_autofree char *account_name
        = g_strdup (purple_normalize (account, purple_account_get_username (account)));
      g_autofree char *buddy_name = g_strdup (purple_normalize (account, who));
      FindData find = { purple_account_get_protocol_id (account), account_name, buddy_name };

      purple_plugin_ipc_call (plugin, SB_IPC_FOREACH_BUDDY, &ok, find_cb, &find);
      g_assert_true (ok);
      if (find.found)
        *out = find.stats;
      return find.found;
    }
}

static void
assert_no_history (PurpleAccount *account, const char *who)
{
  SbStats stats;

  g_assert_false (get_stats (account, who, &stats));
}

/* Commits what the plugin queued: an unload waits for the final commit. */
static void
commit_by_reload (void)
{
  g_assert_true (purple_plugin_unload (plugin));
  g_assert_true (sb_test_purple_load_plugin (PLUGIN_PATH) == plugin);
}

/* The stored events of @buddy on "me", oldest first, as "direction kind
 * flags;" (SbDirection, SbEventKind, SbEventFlags). */
static char *
stored_events (const char *buddy)
{
  g_autofree char *db_path = g_build_filename (sb_test_purple_user_dir (), "smileback.db", NULL);
  GString *seen = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  commit_by_reload ();
  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT e.direction, e.kind, e.flags FROM events e"
                                       " JOIN buddies b ON b.id = e.buddy_id"
                                       " WHERE b.protocol = ?1 AND b.account = 'me'"
                                       " AND b.buddy = ?2 ORDER BY e.time, e.direction",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, SB_TEST_PRPL_ID, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, buddy, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (seen, "%d %d %d;", sqlite3_column_int (stmt, 0),
                            sqlite3_column_int (stmt, 1), sqlite3_column_int (stmt, 2));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (seen, FALSE);
}

/* /capture/call: libpurple announces a call (the user's, then the buddy's)
 * through the media manager; both are recorded as calls, which start and
 * answer nothing. */
static void
test_call (void)
{
  PurpleMediaManager *manager = purple_media_manager_get ();
  const gboolean initiators[] = { TRUE, FALSE };

  for (gsize i = 0; i < G_N_ELEMENTS (initiators); i++)
    {
      PurpleMedia *media = g_object_new (PURPLE_TYPE_MEDIA, "manager", manager, "account", me,
                                         "initiator", initiators[i], NULL);
      gboolean allowed = FALSE;

      g_signal_emit_by_name (manager, "init-media", media, me, "caller", &allowed);
      g_object_unref (media);
    }
  g_autofree char *events = stored_events ("caller");
  g_assert_cmpstr (events, ==, "0 3 0;1 3 0;");
  assert_no_history (me, "caller");
}

/* /capture/dialogue: the buddy starts, the user answers. */
static void
test_dialogue (void)
{
  time_t now = time (NULL);
  SbStats stats;

  sb_test_prpl_add_buddy (me, "ann");
  sb_test_prpl_receive (me, "ann", "Hi <b>there</b>!", PURPLE_MESSAGE_RECV, now);
  sb_test_prpl_send (me, "ann", "hello ann");
  sb_test_prpl_send (me, "ann", "how are you?");

  g_assert_true (get_stats (me, "ann", &stats));
  g_assert_cmpuint (stats.all.episodes, ==, 1);
  g_assert_cmpuint (stats.all.started_by_them, ==, 1);
  g_assert_cmpuint (stats.all.started_by_you, ==, 0);
  g_assert_cmpuint (stats.all.answered_by_you, ==, 1);
  g_assert_cmpuint (stats.all.messages_received, ==, 1);
  g_assert_cmpuint (stats.all.messages_sent, ==, 2);
  g_assert_cmpint (stats.all.last_episode, ==, now);
}

/* /capture/failed-send: a send the protocol refuses is not a message. */
static void
test_failed_send (void)
{
  guint sent = sb_test_prpl_get_sent_count ();
  SbStats stats;

  sb_test_prpl_add_buddy (me, "bert");
  sb_test_prpl_set_fail_sends (TRUE);
  sb_test_prpl_send (me, "bert", "this never leaves");
  sb_test_prpl_set_fail_sends (FALSE);
  g_assert_cmpuint (sb_test_prpl_get_sent_count (), ==, sent);
  /* libpurple wrote "Unable to send message" as an ERROR line: skipped too. */
  assert_no_history (me, "bert");

  sb_test_prpl_send (me, "bert", "this one does");
  g_assert_true (get_stats (me, "bert", &stats));
  g_assert_cmpuint (stats.all.messages_sent, ==, 1);
  g_assert_cmpuint (stats.all.started_by_you, ==, 1);
}

/* /capture/auto-reply/own: the user's away auto-reply (SEND|AUTO_RESP, written
 * by libpurple itself) is recorded but does not answer. */
static void
test_own_auto_reply (void)
{
  SbStats stats;
  PurpleConversation *conv;
  gboolean auto_reply_seen = FALSE;

  sb_test_prpl_add_buddy (me, "cleo");
  purple_prefs_set_string ("/purple/away/auto_reply", "away");
  purple_account_set_status (me, "away", TRUE, "message", "Out for lunch", NULL);
  sb_test_prpl_receive (me, "cleo", "are you there?", PURPLE_MESSAGE_RECV, time (NULL));
  purple_account_set_status (me, "available", TRUE, NULL);

  /* The premise: libpurple did write the auto-reply into the conversation. */
  conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, "cleo", me);
  g_assert_nonnull (conv);
  for (GList *l = purple_conversation_get_message_history (conv); l != NULL; l = l->next)
    if (purple_conversation_message_get_flags (l->data)
        == (PURPLE_MESSAGE_SEND | PURPLE_MESSAGE_AUTO_RESP))
      auto_reply_seen = TRUE;
  g_assert_true (auto_reply_seen);

  g_assert_true (get_stats (me, "cleo", &stats));
  g_assert_cmpuint (stats.all.episodes, ==, 1);
  g_assert_cmpuint (stats.all.started_by_them, ==, 1);
  g_assert_cmpuint (stats.all.answered_by_you, ==, 0);
  g_assert_cmpuint (stats.all.messages_sent, ==, 0);
  g_assert_cmpint (stats.waiting_since, !=, 0);
  {
    /* same second, so by direction: the out auto-reply, then the in message */
    g_autofree char *events = stored_events ("cleo");
    g_assert_cmpstr (events, ==, "0 1 0;1 0 0;");
  }
}

/* /capture/auto-reply/buddy: the buddy's auto-reply does not answer the user. */
static void
test_buddy_auto_reply (void)
{
  SbStats stats;

  sb_test_prpl_add_buddy (me, "dora");
  sb_test_prpl_send (me, "dora", "lunch tomorrow?");
  sb_test_prpl_receive (me, "dora", "I am away", PURPLE_MESSAGE_RECV | PURPLE_MESSAGE_AUTO_RESP,
                        time (NULL));
  g_assert_true (get_stats (me, "dora", &stats));
  g_assert_cmpuint (stats.all.started_by_you, ==, 1);
  g_assert_cmpuint (stats.all.answered_by_them, ==, 0);
  g_assert_cmpuint (stats.all.messages_received, ==, 0);

  sb_test_prpl_receive (me, "dora", "yes!", PURPLE_MESSAGE_RECV, time (NULL));
  g_assert_true (get_stats (me, "dora", &stats));
  g_assert_cmpuint (stats.all.episodes, ==, 1);
  g_assert_cmpuint (stats.all.answered_by_them, ==, 1);
}

/* /capture/offline-old-timestamp: an offline message keeps its own time (three
 * days ago), is backlog, and the user's answer now is a new episode (G). */
static void
test_offline_message (void)
{
  time_t now = time (NULL);
  time_t sent = now - 3 * 24 * 3600;
  SbStats stats;

  sb_test_prpl_add_buddy (me, "emil");
  sb_test_prpl_receive (me, "emil", "ping from the past", PURPLE_MESSAGE_RECV, sent);
  g_assert_true (get_stats (me, "emil", &stats));
  g_assert_cmpuint (stats.all.episodes, ==, 1);
  g_assert_cmpint (stats.all.last_episode, ==, sent);
  /* Backlog: recorded but not a live "waiting for your reply" past R. */
  g_assert_cmpuint (stats.all.started_by_them, ==, 1);

  sb_test_prpl_send (me, "emil", "sorry, just saw this");
  g_assert_true (get_stats (me, "emil", &stats));
  g_assert_cmpuint (stats.all.episodes, ==, 2);
  g_assert_cmpuint (stats.all.answered_by_you, ==, 0);
  g_assert_cmpuint (stats.all.started_by_you, ==, 1);
  {
    /* the old message is backlog; the live answer is not */
    g_autofree char *events = stored_events ("emil");
    g_assert_cmpstr (events, ==, "1 0 1;0 0 0;");
  }
}

/* /privacy/no-text: no message text reaches the database or its journal. */
static void
test_no_text (void)
{
  static const char *const texts[] = { "zebra-7731 secret words", "Quokka&amp;Wombat 5519" };
  static const char *const words[]
    = { "zebra-7731 secret words", "Quokka&amp;Wombat 5519", "zebra-7731", "Wombat", NULL };

  sb_test_prpl_receive (me, "nina", texts[0], PURPLE_MESSAGE_RECV, time (NULL));
  sb_test_prpl_send (me, "nina", texts[1]);
  commit_by_reload ();
  sb_test_purple_assert_not_stored (words);
}

/* /capture/skip/...: lines that are not conversation record nothing. */
typedef struct
{
  const char *path;
  const char *buddy;
  PurpleMessageFlags flags;
} SkipCase;

static const SkipCase skip_cases[] = {
  { "/capture/skip/system", "sys1", PURPLE_MESSAGE_SYSTEM },
  { "/capture/skip/error", "sys2", PURPLE_MESSAGE_ERROR },
  { "/capture/skip/notify", "sys3", PURPLE_MESSAGE_NOTIFY },
  { "/capture/skip/invisible-recv", "sys4", PURPLE_MESSAGE_RECV | PURPLE_MESSAGE_INVISIBLE },
  { "/capture/skip/system-recv", "sys5", PURPLE_MESSAGE_RECV | PURPLE_MESSAGE_SYSTEM },
  { "/capture/skip/error-send", "sys6", PURPLE_MESSAGE_SEND | PURPLE_MESSAGE_ERROR },
  { "/capture/skip/no-direction", "sys7", PURPLE_MESSAGE_NO_LOG },
};

static void
test_skip (gconstpointer data)
{
  const SkipCase *c = data;
  PurpleConversation *conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, me, c->buddy);

  /* As another plugin or libpurple itself writes such lines. */
  purple_conversation_write (conv, c->buddy, "Buddy is now known as someone else", c->flags,
                             time (NULL));
  assert_no_history (me, c->buddy);
}

/* /capture/remote-send: a message the user sent from another device
 * (SEND|REMOTE_SEND, as XMPP carbons write it) is the user's. */
static void
test_remote_send (void)
{
  PurpleConversation *conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, me, "fay");
  SbStats stats;

  purple_conv_im_write (PURPLE_CONV_IM (conv), "fay", "sent from my phone",
                        PURPLE_MESSAGE_SEND | PURPLE_MESSAGE_REMOTE_SEND, time (NULL));
  g_assert_true (get_stats (me, "fay", &stats));
  g_assert_cmpuint (stats.all.started_by_you, ==, 1);
  g_assert_cmpuint (stats.all.messages_sent, ==, 1);
}

/* /capture/conversation-renamed: a conversation that changes its name (a
 * protocol following the buddy's new name) records under the new name. */
static void
test_conversation_renamed (void)
{
  PurpleConversation *conv;
  SbStats stats;

  sb_test_prpl_send (me, "rena", "before");
  conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, "rena", me);
  purple_conversation_set_name (conv, "renata");
  sb_test_prpl_send (me, "renata", "after");
  g_assert_true (get_stats (me, "rena", &stats));
  g_assert_cmpuint (stats.all.messages_sent, ==, 1);
  g_assert_true (get_stats (me, "renata", &stats));
  g_assert_cmpuint (stats.all.messages_sent, ==, 1);
  purple_conversation_destroy (conv);
}

/* /capture/unknown-sender: someone not in the buddy list is recorded, under
 * the protocol's normalized name. */
static void
test_unknown_sender (void)
{
  SbStats stats;

  g_assert_null (purple_find_buddy (me, "Stranger"));
  sb_test_prpl_receive (me, "Stranger", "hello?", PURPLE_MESSAGE_RECV, time (NULL));
  g_assert_true (get_stats (me, "stranger", &stats));
  g_assert_cmpuint (stats.all.started_by_them, ==, 1);
}

/* /capture/contact/two-accounts: one person, a buddy on each of two accounts,
 * merged into one contact: the contact's figures are the sum. */
static void
test_contact_two_accounts (void)
{
  PurpleAccount *work = sb_test_prpl_account_new ("me-at-work");
  PurpleBuddy *home_buddy = sb_test_prpl_add_buddy (me, "gus");
  PurpleBuddy *work_buddy = sb_test_prpl_add_buddy (work, "gus.w");
  PurpleContact *contact = purple_buddy_get_contact (home_buddy);
  gboolean ok = FALSE;
  SbStats stats;

  purple_blist_merge_contact (purple_buddy_get_contact (work_buddy), (PurpleBlistNode *) contact);
  g_assert_true (purple_buddy_get_contact (work_buddy) == contact);

  sb_test_prpl_receive (me, "gus", "home question", PURPLE_MESSAGE_RECV, time (NULL));
  sb_test_prpl_send (me, "gus", "home answer");
  sb_test_prpl_send (work, "gus.w", "work question");

  g_assert_true (get_stats (me, "gus", &stats));
  g_assert_cmpuint (stats.all.episodes, ==, 1);
  g_assert_true (get_stats (work, "gus.w", &stats));
  g_assert_cmpuint (stats.all.episodes, ==, 1);

  g_assert_true (GPOINTER_TO_INT (purple_plugin_ipc_call (plugin, SB_IPC_GET_STATS, &ok,
                                                          (PurpleBlistNode *) contact, &stats)));
  g_assert_true (ok);
  g_assert_cmpuint (stats.all.episodes, ==, 2);
  g_assert_cmpuint (stats.all.started_by_you, ==, 1);
  g_assert_cmpuint (stats.all.started_by_them, ==, 1);
  g_assert_cmpuint (stats.all.answered_by_you, ==, 1);
  g_assert_cmpuint (stats.all.messages_sent, ==, 2);
}

/* /capture/excluded-account: an account the user left out records nothing;
 * taking it off the list records again. */
static void
test_excluded_account (void)
{
  PurpleAccount *secret = sb_test_prpl_account_new ("Private.Me");
  SbStats stats;

  purple_prefs_set_string ("/plugins/core/smileback/excluded_accounts", "someone, private.me");
  sb_test_prpl_receive (secret, "hal", "psst", PURPLE_MESSAGE_RECV, time (NULL));
  sb_test_prpl_send (secret, "hal", "shh");
  assert_no_history (secret, "hal");

  purple_prefs_set_string ("/plugins/core/smileback/excluded_accounts", "");
  sb_test_prpl_send (secret, "hal", "now it counts");
  g_assert_true (get_stats (secret, "hal", &stats));
  g_assert_cmpuint (stats.all.messages_sent, ==, 1);
}

/* /capture/signal/buddy-changed: the plugin's signal carries the normalized key. */
typedef struct
{
  guint calls;
  char *protocol;
  char *account;
  char *buddy;
} ChangedData;

static void
changed_cb (const char *protocol, const char *account, const char *buddy, gpointer data)
{
  ChangedData *changed = data;

  changed->calls++;
  g_free (changed->protocol);
  g_free (changed->account);
  g_free (changed->buddy);
  changed->protocol = g_strdup (protocol);
  changed->account = g_strdup (account);
  changed->buddy = g_strdup (buddy);
}

static void
test_signal_changed (void)
{
  ChangedData changed = { 0 };
  int handle;

  purple_signal_connect (plugin, SB_SIGNAL_BUDDY_CHANGED, &handle, PURPLE_CALLBACK (changed_cb),
                         &changed);
  sb_test_prpl_receive (me, "Ivy", "hi", PURPLE_MESSAGE_RECV, time (NULL));
  purple_signal_disconnect (plugin, SB_SIGNAL_BUDDY_CHANGED, &handle, PURPLE_CALLBACK (changed_cb));

  g_assert_cmpuint (changed.calls, ==, 1);
  g_assert_cmpstr (changed.protocol, ==, SB_TEST_PRPL_ID);
  g_assert_cmpstr (changed.account, ==, "me");
  g_assert_cmpstr (changed.buddy, ==, "ivy");
  g_free (changed.protocol);
  g_free (changed.account);
  g_free (changed.buddy);
}

/* /ipc/hint-tooltip-monthly: what the buddy list asks for (the hint, its
 * verdict, the tooltip, the monthly counts). */
static void
test_ipc_views (void)
{
  PurpleBuddy *buddy = sb_test_prpl_add_buddy (me, "jo");
  gboolean ok = FALSE;
  g_autofree char *hint = NULL;
  g_autofree char *tooltip = NULL;
  g_autoptr (GArray) monthly = NULL;
  const SbMonthCounts *current;

  hint = purple_plugin_ipc_call (plugin, SB_IPC_GET_HINT, &ok, (PurpleBlistNode *) buddy);
  g_assert_true (ok);
  g_assert_null (hint); /* no history, no hint */
  g_assert_cmpint (GPOINTER_TO_INT (purple_plugin_ipc_call (plugin, SB_IPC_GET_HINT_KIND, &ok,
                                                            (PurpleBlistNode *) buddy)),
                   ==, SB_HINT_NONE);
  g_assert_true (ok);

  sb_test_prpl_send (me, "jo", "hey jo");
  sb_test_prpl_receive (me, "jo", "hey you", PURPLE_MESSAGE_RECV, time (NULL));
  hint = purple_plugin_ipc_call (plugin, SB_IPC_GET_HINT, &ok, (PurpleBlistNode *) buddy);
  g_assert_nonnull (hint);
  /* The verdict behind the label, for a list grouped by hint. */
  g_assert_cmpstr (sb_hint_label ((SbHintKind) GPOINTER_TO_INT (purple_plugin_ipc_call (
                     plugin, SB_IPC_GET_HINT_KIND, &ok, (PurpleBlistNode *) buddy))),
                   ==, hint);
  tooltip = purple_plugin_ipc_call (plugin, SB_IPC_GET_TOOLTIP, &ok, (PurpleBlistNode *) buddy);
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "<b>"));

  /* The chart reads committed rows: the writer commits within a second. */
  for (guint tries = 0; monthly == NULL && tries < 50; tries++)
    {
      monthly = purple_plugin_ipc_call (plugin, SB_IPC_GET_MONTHLY, &ok, SB_TEST_PRPL_ID, "me",
                                        "jo", 3);
      g_assert_true (ok);
      if (monthly == NULL)
        sb_test_purple_run_for (100);
    }
  g_assert_nonnull (monthly);
  g_assert_cmpuint (monthly->len, ==, 3);
  current = &g_array_index (monthly, SbMonthCounts, 2);
  g_assert_cmpuint (current->started_by_you, ==, 1);
  g_assert_cmpuint (current->answered_by_them, ==, 1);
  g_assert_cmpuint (g_array_index (monthly, SbMonthCounts, 0).started_by_you, ==, 0);
  g_assert_null (purple_plugin_ipc_call (plugin, SB_IPC_GET_MONTHLY, &ok, SB_TEST_PRPL_ID, "me",
                                         "nobody-at-all", 3));
}

/* /cmd/smileback: the command writes a local line and sends nothing. */
static void
test_command (void)
{
  PurpleConversation *conv;
  guint sent;
  char *error = NULL;
  PurpleConvMessage *newest;
  SbStats stats;

  sb_test_prpl_add_buddy (me, "kim");
  sb_test_prpl_receive (me, "kim", "hello", PURPLE_MESSAGE_RECV, time (NULL));
  conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, "kim", me);
  sent = sb_test_prpl_get_sent_count ();

  g_assert_cmpint (purple_cmd_do_command (conv, "smileback", "smileback", &error), ==,
                   PURPLE_CMD_STATUS_OK);
  g_assert_null (error);
  g_assert_cmpuint (sb_test_prpl_get_sent_count (), ==, sent);
  newest = purple_conversation_get_message_history (conv)->data;
  g_assert_true (purple_conversation_message_get_flags (newest) & PURPLE_MESSAGE_SYSTEM);
  g_assert_nonnull (strstr (purple_conversation_message_get_message (newest), "Smile Back"));
  /* The local line is not a message. */
  g_assert_true (get_stats (me, "kim", &stats));
  g_assert_cmpuint (stats.all.messages_sent, ==, 0);
  g_assert_cmpuint (stats.all.messages_received, ==, 1);
}

/* Frees @action and its submenu (purple_menu_action_free() frees neither
 * the children nor their list). */
static void
menu_action_free (PurpleMenuAction *action)
{
  g_list_free_full (g_steal_pointer (&action->children), (GDestroyNotify) menu_action_free);
  purple_menu_action_free (action);
}

/* The action labelled @label in @node's extended menu, run. */
static void
run_menu_action (PurpleBlistNode *node, const char *label)
{
  GList *menu = purple_blist_node_get_extended_menu (node);
  gboolean ran = FALSE;

  for (GList *l = menu; l != NULL; l = l->next)
    {
      PurpleMenuAction *action = l->data;

      if (action != NULL && !ran && g_strcmp0 (action->label, label) == 0)
        {
          ((void (*) (PurpleBlistNode *, gpointer)) action->callback) (node, action->data);
          ran = TRUE;
        }
      if (action != NULL)
        menu_action_free (action);
    }
  g_list_free (menu);
  g_assert_true (ran);
}

/* /menu/dont-track: nothing more is recorded until tracked again. */
static void
test_menu_dont_track (void)
{
  PurpleBuddy *buddy = sb_test_prpl_add_buddy (me, "lou");
  SbStats stats;

  sb_test_prpl_send (me, "lou", "one");
  run_menu_action ((PurpleBlistNode *) buddy, "Don't track this buddy");
  sb_test_prpl_receive (me, "lou", "two", PURPLE_MESSAGE_RECV, time (NULL));
  g_assert_true (get_stats (me, "lou", &stats));
  g_assert_cmpuint (stats.all.messages_received, ==, 0);

  run_menu_action ((PurpleBlistNode *) buddy, "Track this buddy again");
  sb_test_prpl_receive (me, "lou", "three", PURPLE_MESSAGE_RECV, time (NULL));
  g_assert_true (get_stats (me, "lou", &stats));
  g_assert_cmpuint (stats.all.messages_received, ==, 1);
}

/* /menu/forget: asks first; "Cancel" keeps, "Forget" deletes every row. */
static void
test_menu_forget (void)
{
  PurpleBuddy *buddy = sb_test_prpl_add_buddy (me, "max");
  guint requests = sb_test_purple_get_request_count ();
  SbStats stats;

  sb_test_prpl_send (me, "max", "remember me");
  run_menu_action ((PurpleBlistNode *) buddy, "Forget this buddy"); /* answered: Cancel */
  g_assert_cmpuint (sb_test_purple_get_request_count (), ==, requests + 1);
  g_assert_true (get_stats (me, "max", &stats));

  sb_test_purple_set_request_choice (0); /* Forget */
  run_menu_action ((PurpleBlistNode *) buddy, "Forget this buddy");
  sb_test_purple_set_request_choice (-1);
  assert_no_history (me, "max");
}

/* The entries labelled @label in @node's extended menu: how many there are,
 * and, when @child is given, runs that entry of the first one's submenu. */
static guint
run_submenu_action (PurpleBlistNode *node, const char *label, const char *child)
{
  GList *menu = purple_blist_node_get_extended_menu (node);
  guint found = 0;
  gboolean ran = child == NULL;

  for (GList *l = menu; l != NULL; l = l->next)
    {
      PurpleMenuAction *action = l->data;

      if (action == NULL)
        continue;
      if (g_strcmp0 (action->label, label) == 0 && found++ == 0)
        for (GList *c = action->children; c != NULL && !ran; c = c->next)
          {
            PurpleMenuAction *entry = c->data;

            if (g_strcmp0 (entry->label, child) == 0)
              {
                ((void (*) (PurpleBlistNode *, gpointer)) entry->callback) (node, entry->data);
                ran = TRUE;
              }
          }
      menu_action_free (action);
    }
  g_list_free (menu);
  g_assert_true (ran);
  return found;
}

#define KEEP_IN_TOUCH "Keep in touch every\342\200\246"

/* /menu/keep-in-touch: the core plugin's buddy and group menus (so Finch
 * has them too) set the interval on the node, where the planner and the
 * tooltip's reminder line read it, a buddy's own before its group's; a UI
 * hears of it through "smileback-buddy-changed". */
static void
test_menu_keep_in_touch (void)
{
  PurpleBuddy *buddy = sb_test_prpl_add_buddy (me, "kit");
  PurpleBlistNode *node = (PurpleBlistNode *) buddy;
  PurpleBlistNode *group = (PurpleBlistNode *) purple_buddy_get_group (buddy);
  ChangedData changed = { 0 };
  gboolean ok = FALSE;
  char *tooltip;
  int handle;

  sb_test_prpl_send (me, "kit", "hello");
  sb_test_prpl_receive (me, "kit", "hi!", PURPLE_MESSAGE_RECV, time (NULL));
  g_assert_cmpuint (run_submenu_action (node, KEEP_IN_TOUCH, NULL), ==, 1);
  g_assert_cmpuint (run_submenu_action (group, KEEP_IN_TOUCH, NULL), ==, 1);

  purple_signal_connect (plugin, SB_SIGNAL_BUDDY_CHANGED, &handle, PURPLE_CALLBACK (changed_cb),
                         &changed);
  run_submenu_action (node, KEEP_IN_TOUCH, "Every 2 weeks");
  g_assert_cmpint (purple_blist_node_get_int (node, SB_NODE_KEEP_IN_TOUCH_DAYS), ==, 14);
  g_assert_cmpuint (changed.calls, ==, 1);
  g_assert_cmpstr (changed.buddy, ==, "kit");
  /* Ticked in the submenu: the first entry's label changes. */
  run_submenu_action (node, KEEP_IN_TOUCH, "\342\234\223 Every 2 weeks");

  run_submenu_action (group, KEEP_IN_TOUCH, "No reminders");
  g_assert_cmpint (purple_blist_node_get_int (group, SB_NODE_KEEP_IN_TOUCH_DAYS), ==, -1);
  g_assert_cmpuint (changed.calls, >=, 2);
  run_submenu_action (node, KEEP_IN_TOUCH, "Automatic (from your usual rhythm)");
  g_assert_cmpint (purple_blist_node_get_int (node, SB_NODE_KEEP_IN_TOUCH_DAYS), ==, 0);
  g_assert_cmpint (sb_purple_keep_in_touch_days (node), ==, -1); /* the group's */
  tooltip = purple_plugin_ipc_call (plugin, SB_IPC_GET_TOOLTIP, &ok, node);
  g_assert_true (ok);
  g_assert_nonnull (strstr (tooltip, "<b>Reminder:</b> off for this buddy"));
  g_free (tooltip);
  run_submenu_action (group, KEEP_IN_TOUCH, "Automatic (from your usual rhythm)");
  g_assert_cmpint (sb_purple_keep_in_touch_days (node), ==, 0);
  purple_signal_disconnect (plugin, SB_SIGNAL_BUDDY_CHANGED, &handle, PURPLE_CALLBACK (changed_cb));
  g_free (changed.protocol);
  g_free (changed.account);
  g_free (changed.buddy);
}

/* /prefs/gap: a smaller G cuts the same history into more episodes, at once. */
static void
test_prefs_gap (void)
{
  time_t now = time (NULL);
  SbStats stats;

  sb_test_prpl_add_buddy (me, "ned");
  sb_test_prpl_receive (me, "ned", "morning", PURPLE_MESSAGE_RECV, now - 600);
  sb_test_prpl_receive (me, "ned", "still there?", PURPLE_MESSAGE_RECV, now - 300);
  g_assert_true (get_stats (me, "ned", &stats));
  g_assert_cmpuint (stats.all.episodes, ==, 1);

  purple_prefs_set_int ("/plugins/core/smileback/gap_s", 60);
  g_assert_true (get_stats (me, "ned", &stats));
  g_assert_cmpuint (stats.all.episodes, ==, 2);
  purple_prefs_set_int ("/plugins/core/smileback/gap_s", 6 * 3600);
  g_assert_true (get_stats (me, "ned", &stats));
  g_assert_cmpuint (stats.all.episodes, ==, 1);
}

/* /prefs/frame: the frame (Pidgin and Finch) offers the four ledger
 * preferences and the four of the prompts, every one registered. */
static void
test_prefs_frame (void)
{
  PurplePluginUiInfo *ui = plugin->info->prefs_info;
  PurplePluginPrefFrame *frame;
  guint named = 0;

  g_assert_nonnull (ui);
  frame = ui->get_plugin_pref_frame (plugin);
  for (GList *l = purple_plugin_pref_frame_get_prefs (frame); l != NULL; l = l->next)
    if (purple_plugin_pref_get_name (l->data) != NULL)
      {
        g_assert_true (purple_prefs_exists (purple_plugin_pref_get_name (l->data)));
        named++;
      }
  g_assert_cmpuint (named, ==, 8);
  purple_plugin_pref_frame_destroy (frame);
}

/* /chat/...: joins, presence and invitations reach the database. */
static void
test_chat (void)
{
  static const char *const members[] = { "me", "Olga", "pat", NULL };
  g_autofree char *db_path = g_build_filename (sb_test_purple_user_dir (), "smileback.db", NULL);
  PurpleConversation *conv;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *seen = g_string_new (NULL);

  conv = sb_test_prpl_join_chat (me, "Room1", members);
  sb_test_prpl_chat_member_joins (conv, "quinn");
  sb_test_prpl_send_invite (conv, "rita");
  sb_test_prpl_receive_invite (me, "room2", "sam");

  /* A second connection reads what the plugin wrote: chat events are queued
   * and committed by the writer within a second. */
  sb_test_purple_run_for (1000);
  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT room, kind, member FROM chat_events"
                                       " WHERE protocol = ?1 ORDER BY room, kind, member",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, SB_TEST_PRPL_ID, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (seen, "%s %d %s;", sqlite3_column_text (stmt, 0),
                            sqlite3_column_int (stmt, 1), sqlite3_column_text (stmt, 2));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpstr (seen->str, ==, "room1 0 ;room1 1 olga;room1 1 pat;room1 1 quinn;"
                                  "room1 2 rita;room2 3 sam;");
  g_string_free (seen, TRUE);
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

  g_test_add_func ("/capture/dialogue", test_dialogue);
  g_test_add_func ("/capture/call", test_call);
  g_test_add_func ("/capture/failed-send", test_failed_send);
  g_test_add_func ("/capture/auto-reply/own", test_own_auto_reply);
  g_test_add_func ("/capture/auto-reply/buddy", test_buddy_auto_reply);
  g_test_add_func ("/capture/offline-old-timestamp", test_offline_message);
  for (gsize i = 0; i < G_N_ELEMENTS (skip_cases); i++)
    g_test_add_data_func (skip_cases[i].path, &skip_cases[i], test_skip);
  g_test_add_func ("/capture/remote-send", test_remote_send);
  g_test_add_func ("/capture/unknown-sender", test_unknown_sender);
  g_test_add_func ("/capture/conversation-renamed", test_conversation_renamed);
  g_test_add_func ("/capture/contact/two-accounts", test_contact_two_accounts);
  g_test_add_func ("/capture/excluded-account", test_excluded_account);
  g_test_add_func ("/capture/signal/buddy-changed", test_signal_changed);
  g_test_add_func ("/ipc/hint-tooltip-monthly", test_ipc_views);
  g_test_add_func ("/cmd/smileback", test_command);
  g_test_add_func ("/menu/dont-track", test_menu_dont_track);
  g_test_add_func ("/menu/forget", test_menu_forget);
  g_test_add_func ("/menu/keep-in-touch", test_menu_keep_in_touch);
  g_test_add_func ("/prefs/gap", test_prefs_gap);
  g_test_add_func ("/prefs/frame", test_prefs_frame);
  g_test_add_func ("/chat/joins-presence-invites", test_chat);
  g_test_add_func ("/privacy/no-text", test_no_text);

  status = g_test_run ();
  purple_plugin_unload (plugin);
  sb_test_purple_shutdown ();
  return status;
}
