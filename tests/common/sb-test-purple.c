/* sb-test-purple.c: headless libpurple and the in-process test protocol
 * (see the header).
 *
 * The event loop and the XMPP accounts are plugin/headless's, shared with
 * the demo.  The
 * request ops answer every question at once with its last choice (the
 * "Cancel"/"Reject" of libpurple's own dialogs), so nothing waits for a person
 * and nothing leaks a pending request.
 */
#include "sb-test-purple.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sb-headless.h"
#include "sb-test-prosody.h"

static struct
{
  char *user_dir;
  PurplePlugin *prpl;
  gboolean fail_sends;
  guint sent;
  int next_chat_id;
  int request_choice; /* -1 = last action */
  guint requests;
  guint notices;
  char *last_notice; /* its primary text */
} test = { .request_choice = -1 };

/* Requests: answered at once with the chosen action. */

static void *
request_action (const char *title, const char *primary, const char *secondary,
                int default_action, PurpleAccount *account, const char *who,
                PurpleConversation *conv, void *user_data, size_t action_count, va_list actions)
{
  size_t choice = test.request_choice < 0 ? action_count - 1 : (size_t) test.request_choice;
  PurpleRequestActionCb chosen = NULL;

  test.requests++;
  for (size_t i = 0; i < action_count; i++)
    {
      PurpleRequestActionCb cb;

      (void) va_arg (actions, const char *);
      cb = va_arg (actions, PurpleRequestActionCb);
      if (i == choice)
        chosen = cb;
    }
  if (chosen != NULL)
    chosen (user_data, (int) choice);
  /* libpurple keeps the request until its owner closes it (a plugin on
   * unload, a connection when it ends), then closes the UI handle, which
   * must not be NULL; nothing is open behind it. */
  return &test;
}

static void
request_close (PurpleRequestType type, void *ui_handle)
{
}

static PurpleRequestUiOps request_ops = {
  .request_action = request_action,
  .close_request = request_close,
};

/* Notices: counted and dropped (NULL: nothing stays open). */
static void *
notify_message (PurpleNotifyMsgType type, const char *title, const char *primary,
                const char *secondary)
{
  test.notices++;
  g_free (test.last_notice);
  test.last_notice = g_strdup (primary);
  return NULL;
}

static PurpleNotifyUiOps notify_ops = {
  .notify_message = notify_message,
};

static void
ui_init (void)
{
  purple_request_set_ui_ops (&request_ops);
  purple_notify_set_ui_ops (&notify_ops);
}

static PurpleCoreUiOps core_ops = {
  .ui_init = ui_init,
};

/* The test protocol. */

static const char *
prpl_list_icon (PurpleAccount *account, PurpleBuddy *buddy)
{
  return "sbtest";
}

/* Like most protocols: names compare without case.  A static buffer, as
 * purple_normalize() promises. */
static const char *
prpl_normalize (const PurpleAccount *account, const char *who)
{
  static char buffer[256];
  g_autofree char *lower = g_utf8_strdown (who, -1);

  g_strlcpy (buffer, lower, sizeof buffer);
  return buffer;
}

static GList *
prpl_status_types (PurpleAccount *account)
{
  GList *types = NULL;

  types = g_list_append (types,
                         purple_status_type_new_with_attrs (PURPLE_STATUS_AVAILABLE, "available",
                                                            NULL, TRUE, TRUE, FALSE, "message",
                                                            "Message",
                                                            purple_value_new (PURPLE_TYPE_STRING),
                                                            NULL));
  types = g_list_append (types,
                         purple_status_type_new_with_attrs (PURPLE_STATUS_AWAY, "away", NULL, TRUE,
                                                            TRUE, FALSE, "message", "Message",
                                                            purple_value_new (PURPLE_TYPE_STRING),
                                                            NULL));
  types = g_list_append (types,
                         purple_status_type_new (PURPLE_STATUS_OFFLINE, "offline", NULL, TRUE));
  return types;
}

static void
prpl_login (PurpleAccount *account)
{
  PurpleConnection *gc = purple_account_get_connection (account);

  gc->flags |= PURPLE_CONNECTION_AUTO_RESP;
  purple_connection_set_state (gc, PURPLE_CONNECTED);
}

static void
prpl_close (PurpleConnection *gc)
{
}

static int
prpl_send_im (PurpleConnection *gc, const char *who, const char *message,
              PurpleMessageFlags flags)
{
  if (test.fail_sends)
    return -EIO;
  test.sent++;
  return 1;
}

static GList *
prpl_chat_info (PurpleConnection *gc)
{
  struct proto_chat_entry *entry = g_new0 (struct proto_chat_entry, 1);

  entry->label = "Room";
  entry->identifier = "room";
  entry->required = TRUE;
  return g_list_append (NULL, entry);
}

static char *
prpl_get_chat_name (GHashTable *components)
{
  return g_strdup (g_hash_table_lookup (components, "room"));
}

static void
prpl_join_chat (PurpleConnection *gc, GHashTable *components)
{
  const char *room = g_hash_table_lookup (components, "room");

  if (room != NULL)
    serv_got_joined_chat (gc, ++test.next_chat_id, room);
}

static void
prpl_chat_invite (PurpleConnection *gc, int id, const char *message, const char *who)
{
}

/* Like a real server, the room echoes the user's line back under the user's
 * nick: that echo is what libpurple shows (as PURPLE_MESSAGE_SEND). */
static int
prpl_chat_send (PurpleConnection *gc, int id, const char *message, PurpleMessageFlags flags)
{
  PurpleConversation *conv = purple_find_chat (gc, id);

  if (test.fail_sends)
    return -EIO;
  if (conv != NULL)
    serv_got_chat_in (gc, id, purple_conv_chat_get_nick (PURPLE_CONV_CHAT (conv)),
                      PURPLE_MESSAGE_SEND, message, time (NULL));
  return 1;
}

static PurplePluginProtocolInfo prpl_info = {
  .options = OPT_PROTO_NO_PASSWORD,
  .icon_spec = NO_BUDDY_ICONS,
  .list_icon = prpl_list_icon,
  .status_types = prpl_status_types,
  .chat_info = prpl_chat_info,
  .login = prpl_login,
  .close = prpl_close,
  .send_im = prpl_send_im,
  .normalize = prpl_normalize,
  .join_chat = prpl_join_chat,
  .get_chat_name = prpl_get_chat_name,
  .chat_invite = prpl_chat_invite,
  .chat_send = prpl_chat_send,
  .struct_size = sizeof (PurplePluginProtocolInfo),
};

static PurplePluginInfo prpl_plugin_info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_PROTOCOL,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = SB_TEST_PRPL_ID,
  .name = "Smile Back test protocol",
  .version = "1",
  .summary = "In-process protocol for Smile Back's tests",
  .description = "In-process protocol for Smile Back's tests",
  .author = "Smile Back",
  .homepage = "",
  .extra_info = &prpl_info,
};

/* Set-up. */

void
sb_test_purple_init (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (test.user_dir);
  test.user_dir = g_dir_make_tmp ("smileback-purple-XXXXXX", &error);
  g_assert_no_error (error);

  purple_util_set_user_dir (test.user_dir);
  purple_debug_set_enabled (g_getenv ("SMILEBACK_TEST_DEBUG") != NULL);
  purple_core_set_ui_ops (&core_ops);
  purple_eventloop_set_ui_ops (sb_headless_loop_ops ());

  if (!purple_core_init (SB_TEST_UI_ID))
    g_error ("purple_core_init failed");

  /* A static protocol, as PURPLE_INIT_PLUGIN registers one: native with no
   * module.  Registered after core init (the D-Bus pointer map exists only
   * then) and loaded by a probe for an extension no file has, which only
   * processes libpurple's load queue. */
  test.prpl = purple_plugin_new (TRUE, NULL);
  test.prpl->info = &prpl_plugin_info;
  purple_plugin_register (test.prpl);
  purple_plugins_probe (".sbtest-no-such-extension");
  g_assert_nonnull (purple_find_prpl (SB_TEST_PRPL_ID));
  purple_set_blist (purple_blist_new ());
  purple_blist_load ();
  purple_prefs_set_bool ("/purple/logging/log_ims", FALSE);
  purple_prefs_set_bool ("/purple/logging/log_chats", FALSE);
  purple_prefs_set_bool ("/purple/logging/log_system", FALSE);
}

void
sb_test_purple_shutdown (void)
{
  purple_core_quit ();
  if (g_getenv ("SMILEBACK_TEST_KEEP") == NULL)
    sb_test_rm_rf (test.user_dir);
  g_clear_pointer (&test.user_dir, g_free);
  g_clear_pointer (&test.last_notice, g_free);
}

void
sb_test_purple_set_request_choice (int index)
{
  test.request_choice = index;
}

guint
sb_test_purple_get_request_count (void)
{
  return test.requests;
}

guint
sb_test_purple_get_notice_count (void)
{
  return test.notices;
}

const char *
sb_test_purple_get_last_notice (void)
{
  return test.last_notice;
}

const char *
sb_test_purple_user_dir (void)
{
  return test.user_dir;
}

char *
sb_test_build_path (const char *relative)
{
  const char *root = g_getenv ("SMILEBACK_BUILD_ROOT");

  if (root == NULL)
    g_error ("SMILEBACK_BUILD_ROOT is not set: run this test through meson test");
  return g_build_filename (root, relative, NULL);
}

PurplePlugin *
sb_test_purple_load_plugin (const char *relative)
{
  g_autofree char *path = sb_test_build_path (relative);
  PurplePlugin *plugin = purple_plugin_probe (path);

  if (plugin == NULL)
    {
      g_test_message ("cannot probe %s", path);
      return NULL;
    }
  if (!purple_plugin_is_loaded (plugin) && !purple_plugin_load (plugin))
    {
      g_test_message ("cannot load %s: %s", path,
                      plugin->error != NULL ? plugin->error : "(no reason)");
      return NULL;
    }
  return plugin;
}

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
sb_test_purple_wait (SbTestCondition cond, gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  /* The waker bounds each blocking iteration so the deadline is noticed. */
  guint waker = g_timeout_add (20, wake_up, NULL);
  gboolean done;

  while (!(done = (cond != NULL && cond (data))) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (waker);
  return done;
}

void
sb_test_purple_run_for (guint ms)
{
  sb_test_purple_wait (NULL, NULL, ms);
}

/* The test protocol's helpers. */

PurpleAccount *
sb_test_prpl_account_new (const char *username)
{
  PurpleAccount *account = purple_account_new (username, SB_TEST_PRPL_ID);

  purple_accounts_add (account);
  purple_account_set_status (account, "available", TRUE, NULL);
  purple_account_set_enabled (account, SB_TEST_UI_ID, TRUE);
  if (!purple_account_is_connected (account))
    purple_account_connect (account);
  g_assert_true (purple_account_is_connected (account));
  return account;
}

PurpleBuddy *
sb_test_prpl_add_buddy (PurpleAccount *account, const char *who)
{
  PurpleBuddy *buddy = purple_find_buddy (account, who);
  PurpleGroup *group;

  if (buddy != NULL)
    return buddy;
  group = purple_find_group ("Buddies");
  if (group == NULL)
    {
      group = purple_group_new ("Buddies");
      purple_blist_add_group (group, NULL);
    }
  buddy = purple_buddy_new (account, who, NULL);
  purple_blist_add_buddy (buddy, NULL, group, NULL);
  return buddy;
}

void
sb_test_prpl_receive (PurpleAccount *account, const char *who, const char *text,
                      PurpleMessageFlags flags, time_t mtime)
{
  serv_got_im (purple_account_get_connection (account), who, text, flags, mtime);
}

void
sb_test_prpl_send (PurpleAccount *account, const char *who, const char *text)
{
  PurpleConversation *conv
    = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, who, account);

  if (conv == NULL)
    conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, account, who);
  purple_conv_im_send (PURPLE_CONV_IM (conv), text);
}

void
sb_test_prpl_set_fail_sends (gboolean fail)
{
  test.fail_sends = fail;
}

guint
sb_test_prpl_get_sent_count (void)
{
  return test.sent;
}

PurpleConversation *
sb_test_prpl_join_chat (PurpleAccount *account, const char *room, const char *const *members)
{
  PurpleConnection *gc = purple_account_get_connection (account);
  PurpleConversation *conv = serv_got_joined_chat (gc, ++test.next_chat_id, room);
  GList *users = NULL;
  GList *flags = NULL;

  g_assert_nonnull (conv);
  for (guint i = 0; members != NULL && members[i] != NULL; i++)
    {
      users = g_list_append (users, (gpointer) members[i]);
      flags = g_list_append (flags, GINT_TO_POINTER (PURPLE_CBFLAGS_NONE));
    }
  if (users != NULL)
    purple_conv_chat_add_users (PURPLE_CONV_CHAT (conv), users, NULL, flags, FALSE);
  g_list_free (users);
  g_list_free (flags);
  return conv;
}

void
sb_test_prpl_chat_member_joins (PurpleConversation *conv, const char *member)
{
  purple_conv_chat_add_user (PURPLE_CONV_CHAT (conv), member, NULL, PURPLE_CBFLAGS_NONE, TRUE);
}

void
sb_test_prpl_chat_member_leaves (PurpleConversation *conv, const char *member)
{
  purple_conv_chat_remove_user (PURPLE_CONV_CHAT (conv), member, NULL);
}

void
sb_test_prpl_chat_receive (PurpleConversation *conv, const char *who, const char *text,
                           time_t mtime)
{
  serv_got_chat_in (purple_conversation_get_gc (conv),
                    purple_conv_chat_get_id (PURPLE_CONV_CHAT (conv)), who, PURPLE_MESSAGE_RECV,
                    text, mtime);
}

void
sb_test_prpl_chat_send (PurpleConversation *conv, const char *text)
{
  purple_conv_chat_send (PURPLE_CONV_CHAT (conv), text);
}

void
sb_test_prpl_receive_invite (PurpleAccount *account, const char *room, const char *who)
{
  GHashTable *components = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_insert (components, g_strdup ("room"), g_strdup (room));
  serv_got_chat_invite (purple_account_get_connection (account), room, who, NULL, components);
}

void
sb_test_prpl_send_invite (PurpleConversation *conv, const char *who)
{
  PurpleConnection *gc = purple_conversation_get_gc (conv);

  serv_chat_invite (gc, purple_conv_chat_get_id (PURPLE_CONV_CHAT (conv)), NULL, who);
}

/* XMPP. */

PurpleAccount *
sb_test_purple_xmpp_account_new (const char *user, const char *domain, guint16 port,
                                 const char *password)
{
  g_autofree char *name = g_strdup_printf ("%s@%s/smileback", user, domain);

  return sb_headless_xmpp_account_new (name, port, password, SB_TEST_UI_ID);
}

static gboolean
account_connected (gpointer data)
{
  return purple_account_is_connected (data);
}

gboolean
sb_test_purple_wait_connected (PurpleAccount *account, guint timeout_ms)
{
  return sb_test_purple_wait (account_connected, account, timeout_ms);
}

void
sb_test_purple_assert_not_stored (const char *const *words)
{
  static const char *const files[] = { "smileback.db", "smileback.db-wal" };

  for (gsize f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *path = g_build_filename (sb_test_purple_user_dir (), files[f], NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &data, &len, NULL))
        continue;
      for (gsize w = 0; words[w] != NULL; w++)
        if (memmem (data, len, words[w], strlen (words[w])) != NULL)
          g_error ("\"%s\" is stored in %s", words[w], files[f]);
    }
}

void
sb_test_purple_allow_prompts (void)
{
  purple_prefs_add_none ("/plugins/core");
  purple_prefs_add_none ("/plugins/core/smileback");
  purple_prefs_add_none ("/plugins/core/smileback/prompts");
  purple_prefs_set_int ("/plugins/core/smileback/prompts/quiet_start_minute", 0);
  purple_prefs_set_int ("/plugins/core/smileback/prompts/quiet_end_minute", 0);
  purple_prefs_set_int ("/plugins/core/smileback/prompts/max_per_day", 20);
  purple_prefs_set_int ("/plugins/core/smileback/prompts/signon_quiet_s", 0);
}
