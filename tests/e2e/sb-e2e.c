/* sb-e2e.c: the e2e programs' shared checks (see sb-e2e.h). */
#include "sb-e2e.h"

#include <string.h>

#include "sb-test-prosody.h"
#include "sb-test-purple.h"

/* Deliveries over loopback take milliseconds; this only bounds a hung test. */
#define WAIT_MS 30000

JsonNode *
sb_e2e_report (const char *db_path, GError **error)
{
  g_autofree char *cli = sb_test_build_path ("plugin/cli/smileback");
  const char *argv[] = { cli, "report", "--json", "--db", db_path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                     &status, error))
    return NULL;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "smileback report: %s: ", err);
      return NULL;
    }
  g_test_message ("smileback report --json:\n%s", out);
  if (!json_parser_load_from_data (parser, out, -1, error))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

JsonObject *
sb_e2e_report_find (JsonNode *report, const char *protocol, const char *account,
                    const char *buddy)
{
  JsonArray *rows;

  g_assert_true (JSON_NODE_HOLDS_ARRAY (report));
  rows = json_node_get_array (report);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      if (g_strcmp0 (json_object_get_string_member (row, "protocol"), protocol) == 0
          && g_strcmp0 (json_object_get_string_member (row, "account"), account) == 0
          && g_strcmp0 (json_object_get_string_member (row, "buddy"), buddy) == 0)
        return row;
    }
  return NULL;
}

void
sb_e2e_assert_row (JsonObject *row, const SbE2eExpect *expect)
{
  const struct
  {
    const char *name;
    gint64 value;
  } fields[] = {
    { "episodes", expect->episodes },
    { "started_by_you", expect->started_by_you },
    { "started_by_them", expect->started_by_them },
    { "answered_by_them", expect->answered_by_them },
    { "answered_by_you", expect->answered_by_you },
    { "messages_sent", expect->messages_sent },
    { "messages_received", expect->messages_received },
  };

  g_assert_nonnull (row);
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_assert_true (json_object_has_member (row, fields[i].name));
      g_test_message ("%s: %" G_GINT64_FORMAT " (expected %" G_GINT64_FORMAT ")", fields[i].name,
                      json_object_get_int_member (row, fields[i].name), fields[i].value);
      g_assert_cmpint (json_object_get_int_member (row, fields[i].name), ==, fields[i].value);
    }
}

static GHashTable *inbox; /* PurpleAccount * -> count */

static void
wrote_im_cb (PurpleAccount *account, const char *who, const char *message,
             PurpleConversation *conv, PurpleMessageFlags flags, gpointer data)
{
  if ((flags & PURPLE_MESSAGE_RECV) != 0)
    g_hash_table_insert (inbox, account,
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (inbox, account))
                                           + 1));
}

void
sb_e2e_inbox_start (void)
{
  inbox = g_hash_table_new (NULL, NULL);
  purple_signal_connect (purple_conversations_get_handle (), "wrote-im-msg", &inbox,
                         PURPLE_CALLBACK (wrote_im_cb), NULL);
}

void
sb_e2e_inbox_stop (void)
{
  purple_signal_disconnect (purple_conversations_get_handle (), "wrote-im-msg", &inbox,
                            PURPLE_CALLBACK (wrote_im_cb));
  g_clear_pointer (&inbox, g_hash_table_unref);
}

guint
sb_e2e_inbox_count (PurpleAccount *account)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (inbox, account));
}

typedef struct
{
  PurpleAccount *account;
  guint before;
  const char *buddy;
} WaitData;

static gboolean
received_more (gpointer data)
{
  WaitData *wait = data;

  return sb_e2e_inbox_count (wait->account) > wait->before;
}

gboolean
sb_e2e_wait_received (PurpleAccount *account, guint before)
{
  WaitData wait = { account, before, NULL };

  return sb_test_purple_wait (received_more, &wait, WAIT_MS);
}

static gboolean
buddy_online (gpointer data)
{
  WaitData *wait = data;
  PurpleBuddy *buddy = purple_find_buddy (wait->account, wait->buddy);

  return buddy != NULL && PURPLE_BUDDY_IS_ONLINE (buddy);
}

gboolean
sb_e2e_wait_online (PurpleAccount *account, const char *buddy)
{
  WaitData wait = { account, 0, buddy };

  return sb_test_purple_wait (buddy_online, &wait, WAIT_MS);
}

typedef struct
{
  PurpleAccount *account;
  const char *room;
  const char *text;
} ChatWait;

static PurpleConversation *
find_chat (PurpleAccount *account, const char *room)
{
  return purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT, room, account);
}

static gboolean
chat_open (gpointer data)
{
  ChatWait *wait = data;

  return find_chat (wait->account, wait->room) != NULL;
}

void
sb_e2e_join_room (PurpleAccount *account, const char *room, const char *nick)
{
  g_auto (GStrv) parts = g_strsplit (room, "@", 2);
  ChatWait wait = { account, room, NULL };

  g_assert_nonnull (parts[1]);
  for (int attempt = 0; attempt < 10; attempt++)
    {
      GHashTable *components = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

      g_hash_table_insert (components, g_strdup ("room"), g_strdup (parts[0]));
      g_hash_table_insert (components, g_strdup ("server"), g_strdup (parts[1]));
      g_hash_table_insert (components, g_strdup ("handle"), g_strdup (nick));
      serv_join_chat (purple_account_get_connection (account), components);
      g_hash_table_destroy (components);
      if (sb_test_purple_wait (chat_open, &wait, WAIT_MS / 10))
        return;
      g_test_message ("%s could not join %s yet (attempt %d)", nick, room, attempt + 1);
    }
  g_assert_true (sb_test_purple_wait (chat_open, &wait, WAIT_MS));
}

static gboolean
chat_has_text (gpointer data)
{
  ChatWait *wait = data;
  PurpleConversation *conv = find_chat (wait->account, wait->room);

  for (GList *l = conv != NULL ? purple_conversation_get_message_history (conv) : NULL; l != NULL;
       l = l->next)
    {
      const char *message = purple_conversation_message_get_message (l->data);

      if (message != NULL && strstr (message, wait->text) != NULL)
        return TRUE;
    }
  return FALSE;
}

gboolean
sb_e2e_wait_chat_text (PurpleAccount *account, const char *room, const char *text)
{
  ChatWait wait = { account, room, text };

  return sb_test_purple_wait (chat_has_text, &wait, WAIT_MS);
}
