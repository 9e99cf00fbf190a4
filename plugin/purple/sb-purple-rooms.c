/* sb-purple-rooms.c: who answers whom in group chats, live (docs/design.md,
 * "Group chats").
 *
 * Each open chat conversation has a recorder (sb-room-recorder.h) fed in
 * order: the user list as the room opens ("chat-buddy-joined" with
 * new_arrival FALSE), arrivals and departures ("chat-buddy-joined",
 * "chat-buddy-left"), and every line shown ("wrote-chat-msg", which fires
 * once per line displayed, the user's included: PURPLE_MESSAGE_SEND, or the
 * user's nick).  libpurple 2.14 emits no signal for a nick change; the
 * recorder then sees the new nick as a new speaker.  SYSTEM, ERROR, NOTIFY,
 * INVISIBLE and DELAYED lines (the room's history replayed on joining) are
 * not fed.  The text is read in memory to decide the reply link and the
 * digest, and dropped; the store queues the line for the flush timer.
 *
 * A speaker is stored under the member key capture uses for presence
 * (sb_purple_chat_member(): the real id where the room shows it, else the
 * nick), looked up once per nick while it stays in the room.  The state is
 * freed with the conversation ("deleting-conversation") and on unload.
 */
#include "sb-purple-private.h"

#include <smileback/sb-hint.h>
#include <smileback/sb-room-recorder.h>

#define ROOM_DATA "smileback-room"

/* What a chat conversation keeps: its recorder and its speakers' keys. */
typedef struct
{
  SbRoomRecorder *recorder;
  GHashTable *members; /* nick -> member key, while the nick is in the room */
} Room;

static void
room_free (Room *room)
{
  if (room == NULL)
    return;
  sb_room_recorder_free (room->recorder);
  g_hash_table_unref (room->members);
  g_free (room);
}

static void
conversation_forget_room (PurpleConversation *conv)
{
  room_free (purple_conversation_get_data (conv, ROOM_DATA));
  purple_conversation_set_data (conv, ROOM_DATA, NULL);
}

/* Adds the members already listed (the user among them) without lines. */
static void
room_add_present (Room *room, PurpleConversation *conv, gint64 now)
{
  PurpleConvChat *chat = PURPLE_CONV_CHAT (conv);
  const char *nick = purple_conv_chat_get_nick (chat);

  if (nick != NULL)
    sb_room_recorder_add_member (room->recorder, now, nick);
  for (GList *l = purple_conv_chat_get_users (chat); l != NULL; l = l->next)
    sb_room_recorder_add_member (room->recorder, now,
                                 purple_conv_chat_cb_get_name ((PurpleConvChatBuddy *) l->data));
}

static Room *
room_new (SbPurple *ctx, PurpleConversation *conv)
{
  PurpleAccount *account = purple_conversation_get_account (conv);
  g_autoptr (SbBuddyKey) key = NULL;

  if (account == NULL || sb_purple_account_excluded (ctx, account))
    return NULL;
  /* The key of the room's name: protocol, account without resource, name. */
  key = sb_purple_key_new (account, purple_conversation_get_name (conv));
  if (key == NULL)
    return NULL;
  SbRoomKey room_key = { key->protocol, key->account, key->buddy };
  Room *room = g_new0 (Room, 1);
  room->recorder = sb_room_recorder_new (sb_ledger_get_store (ctx->ledger), &room_key,
                                         SB_SOURCE_LIVE);
  room->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  room_add_present (room, conv, sb_purple_now ());
  return room;
}

/* The state of the chat @conv, made on first use; NULL for an IM, an
 * excluded account or a room without a valid name. */
static Room *
conversation_room (SbPurple *ctx, PurpleConversation *conv)
{
  Room *room;

  if (purple_conversation_get_type (conv) != PURPLE_CONV_TYPE_CHAT)
    return NULL;
  room = purple_conversation_get_data (conv, ROOM_DATA);
  if (room != NULL)
    return room;
  room = room_new (ctx, conv);
  if (room != NULL)
    purple_conversation_set_data (conv, ROOM_DATA, room);
  return room;
}

/* The member key of @nick, looked up once while the nick stays. */
static const char *
room_member (Room *room, PurpleConversation *conv, const char *nick)
{
  char *member = g_hash_table_lookup (room->members, nick);

  if (member != NULL)
    return member;
  member = sb_purple_chat_member (conv, nick);
  if (member == NULL)
    return NULL;
  g_hash_table_insert (room->members, g_strdup (nick), member);
  return member;
}

static gboolean
is_users_line (PurpleConversation *conv, const char *who, PurpleMessageFlags flags)
{
  return (flags & PURPLE_MESSAGE_SEND) != 0
         || purple_strequal (who, purple_conv_chat_get_nick (PURPLE_CONV_CHAT (conv)));
}

/* Lines that are not the room's conversation as it happens. */
static gboolean
skipped (const char *who, const char *message, PurpleMessageFlags flags)
{
  return who == NULL || message == NULL
         || (flags & (SB_PURPLE_SKIPPED_FLAGS | PURPLE_MESSAGE_DELAYED)) != 0
         || (flags & (PURPLE_MESSAGE_SEND | PURPLE_MESSAGE_RECV)) == 0;
}

static void
record_message (Room *room, PurpleConversation *conv, const char *who, const char *message,
                PurpleMessageFlags flags)
{
  gboolean yours = is_users_line (conv, who, flags);
  const char *member = yours ? NULL : room_member (room, conv, who);
  g_autofree char *text = purple_markup_strip_html (message);
  g_autoptr (GError) error = NULL;
  gint64 time = sb_purple_message_time (conv, flags, sb_purple_now ());

  if (!yours && member == NULL)
    return;
  if (!sb_room_recorder_add_message (room->recorder, time, who, member, text, NULL, &error))
    purple_debug_error ("smileback", "cannot record a room line: %s\n", error->message);
}

static void
wrote_chat_msg_cb (PurpleAccount *account, const char *who, char *message,
                   PurpleConversation *conv, PurpleMessageFlags flags, gpointer data)
{
  Room *room;

  if (skipped (who, message, flags))
    return;
  room = conversation_room (data, conv);
  if (room != NULL)
    record_message (room, conv, who, message, flags);
}

static void
chat_buddy_joined_cb (PurpleConversation *conv, const char *name, PurpleConvChatBuddyFlags flags,
                      gboolean new_arrival, gpointer data)
{
  Room *room = name != NULL ? conversation_room (data, conv) : NULL;

  if (room == NULL)
    return;
  g_hash_table_remove (room->members, name);
  if (new_arrival)
    sb_room_recorder_joined (room->recorder, sb_purple_now (), name);
  else
    sb_room_recorder_add_member (room->recorder, sb_purple_now (), name);
}

static void
chat_buddy_left_cb (PurpleConversation *conv, const char *name, const char *reason,
                    gpointer data)
{
  Room *room = name != NULL ? conversation_room (data, conv) : NULL;

  if (room == NULL)
    return;
  g_hash_table_remove (room->members, name);
  sb_room_recorder_left (room->recorder, sb_purple_now (), name);
}

static void
deleting_conversation_cb (PurpleConversation *conv, gpointer data)
{
  conversation_forget_room (conv);
}

/* Every signal this file follows, connected and disconnected from one table. */
static const struct
{
  const char *signal;
  PurpleCallback callback;
} handlers[] = {
  { "wrote-chat-msg", PURPLE_CALLBACK (wrote_chat_msg_cb) },
  { "chat-buddy-joined", PURPLE_CALLBACK (chat_buddy_joined_cb) },
  { "chat-buddy-left", PURPLE_CALLBACK (chat_buddy_left_cb) },
  { "deleting-conversation", PURPLE_CALLBACK (deleting_conversation_cb) },
};

void
sb_purple_rooms_init (SbPurple *ctx)
{
  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
    purple_signal_connect (purple_conversations_get_handle (), handlers[i].signal, ctx->plugin,
                           handlers[i].callback, ctx);
}

void
sb_purple_rooms_shutdown (SbPurple *ctx)
{
  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
    purple_signal_disconnect (purple_conversations_get_handle (), handlers[i].signal,
                              ctx->plugin, handlers[i].callback);
  for (GList *l = purple_get_conversations (); l != NULL; l = l->next)
    conversation_forget_room (l->data);
}

/* The tooltip and the IPC calls. */

/* Start of the rolling window of the ledger's parameters. */
static gint64
window_start (SbPurple *ctx)
{
  return sb_purple_now () - sb_ledger_get_params (ctx->ledger)->window_s;
}

gboolean
sb_purple_rooms_node_counts (SbPurple *ctx, PurpleBlistNode *node, guint *answered_you,
                             guint *you_answered)
{
  g_autoptr (GPtrArray) keys = sb_purple_keys_for_node (node);
  SbStore *store = sb_ledger_get_store (ctx->ledger);
  gint64 since = window_start (ctx);

  *answered_you = *you_answered = 0;
  for (guint i = 0; i < keys->len; i++)
    {
      g_autoptr (GError) error = NULL;
      guint them = 0, you = 0;

      if (!sb_store_room_member_counts (store, keys->pdata[i], since, &them, &you, &error))
        {
          purple_debug_error ("smileback", "room figures: %s\n", error->message);
          return FALSE;
        }
      *answered_you += them;
      *you_answered += you;
    }
  return TRUE;
}

char *
sb_purple_rooms_add_to_tooltip (SbPurple *ctx, PurpleBlistNode *node, char *tooltip)
{
  guint them = 0, you = 0;
  g_autofree char *line = NULL;
  g_autofree char *escaped = NULL;
  char *out;

  if (!sb_purple_rooms_node_counts (ctx, node, &them, &you))
    return tooltip;
  line = sb_hint_room_line (them, you);
  if (line == NULL)
    return tooltip;
  escaped = g_markup_escape_text (line, -1);
  out = tooltip != NULL ? g_strconcat (tooltip, "\n", escaped, NULL) : g_strdup (escaped);
  g_free (tooltip);
  return out;
}

static gboolean
ipc_get_room_counts (PurpleBlistNode *node, guint *answered_you, guint *you_answered,
                     gpointer unused)
{
  SbPurple *ctx = sb_purple_get ();

  if (ctx == NULL || node == NULL || answered_you == NULL || you_answered == NULL)
    return FALSE;
  return sb_purple_rooms_node_counts (ctx, node, answered_you, you_answered)
         && *answered_you + *you_answered > 0;
}

/* The member of @stats who answered the user most, and whom the user answered most. */
static void
room_extremes (const SbRoomStats *stats, SbIpcRoom *out)
{
  for (guint i = 0; i < stats->members->len; i++)
    {
      const SbRoomMember *m = g_ptr_array_index (stats->members, i);

      if (m->answered_you > out->answers_you_most_count)
        {
          out->answers_you_most = m->member;
          out->answers_you_most_count = m->answered_you;
        }
      if (m->you_answered > out->you_answer_most_count)
        {
          out->you_answer_most = m->member;
          out->you_answer_most_count = m->you_answered;
        }
    }
}

typedef struct
{
  SbPurple *ctx;
  gint64 since;
  SbIpcRoomFunc func;
  gpointer user_data;
} ForeachRoom;

static gboolean
foreach_room_cb (const SbRoomKey *room, gpointer data)
{
  ForeachRoom *foreach = data;
  SbRoomStats stats = { 0 };
  g_autoptr (GError) error = NULL;

  if (!sb_store_room_stats (sb_ledger_get_store (foreach->ctx->ledger), room, foreach->since,
                            &stats, &error))
    {
      purple_debug_error ("smileback", "room figures: %s\n", error->message);
      return FALSE;
    }
  SbIpcRoom out = {
    .protocol_id = room->protocol,
    .account = room->account,
    .room = room->room,
    .stats = &stats,
    .answered_share = sb_room_stats_answered_share (&stats),
  };
  room_extremes (&stats, &out);
  foreach->func (&out, foreach->user_data);
  sb_room_stats_clear (&stats);
  return TRUE;
}

static void
ipc_foreach_room (SbIpcRoomFunc func, gpointer user_data, gpointer unused)
{
  SbPurple *ctx = sb_purple_get ();
  g_autoptr (GError) error = NULL;

  if (ctx == NULL || func == NULL)
    return;
  ForeachRoom data = { ctx, window_start (ctx), func, user_data };
  if (!sb_store_foreach_room (sb_ledger_get_store (ctx->ledger), data.since, foreach_room_cb,
                              &data, &error))
    purple_debug_error ("smileback", "rooms: %s\n", error->message);
}

void
sb_purple_rooms_ipc_register (SbPurple *ctx)
{
  purple_plugin_ipc_register (ctx->plugin, SB_IPC_FOREACH_ROOM, PURPLE_CALLBACK (ipc_foreach_room),
                              purple_marshal_VOID__POINTER_POINTER, NULL, 2,
                              purple_value_new (PURPLE_TYPE_POINTER),
                              purple_value_new (PURPLE_TYPE_POINTER));
  purple_plugin_ipc_register (ctx->plugin, SB_IPC_GET_ROOM_COUNTS,
                              PURPLE_CALLBACK (ipc_get_room_counts),
                              purple_marshal_BOOLEAN__POINTER_POINTER_POINTER,
                              purple_value_new (PURPLE_TYPE_BOOLEAN), 3,
                              purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_BLIST_NODE),
                              purple_value_new (PURPLE_TYPE_POINTER),
                              purple_value_new (PURPLE_TYPE_POINTER));
}
