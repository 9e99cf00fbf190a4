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
 *
 * Questions waiting for an answer ("Unanswered in a room", docs/design.md,
 * "Prompts and their manners") live here too, in memory only: a live line of
 * a buddy that ends with "?" (sb_planner_text_is_question()) is kept as its
 * asker's key, nick, sequence number, thread and time, never its text.  A
 * later line of someone else whose reply link points to the question, or to
 * a later line of the asker in the same thread, answers it; so does any line
 * of the user replying to the asker.  The room also keeps when the user last
 * wrote there.  The planner reads the waiting questions at each run
 * (sb_purple_rooms_waiting_questions()); an answered question, one too old
 * for a reply link to reach, and the questions of a room left or closed are
 * dropped and their prompts withdrawn.
 */
#include "sb-purple-private.h"

#include <smileback/sb-hint.h>
#include <smileback/sb-room-recorder.h>

#define ROOM_DATA "smileback-room"

/* A buddy's question waiting for an answer. */
typedef struct
{
  SbBuddyKey *key; /* the asker's buddy key */
  char *nick;      /* the asker's nick, as sb-reply.h names a parent's speaker */
  gint64 seq;      /* the question's line */
  gint64 thread;   /* the first line of its thread */
  gint64 asked_at; /* UTC seconds */
  gboolean offered; /* shown to the user once: not again */
} Question;

/* What a chat conversation keeps: its recorder, its speakers' keys, and what
 * the room questions need. */
typedef struct
{
  SbBuddyKey *key;           /* the room: protocol, account, normalized name */
  SbRoomRecorder *recorder;
  GHashTable *members;       /* nick -> member key, while the nick is in the room */
  gint64 user_spoke_at;      /* when the user's last live line arrived, 0: none */
  GArray *questions;         /* Question, oldest first */
  struct
  {
    gint64 seq, thread;
  } threads[SB_REPLY_WINDOW]; /* the thread of each recent message, by seq % window */
} Room;

static void
question_clear (Question *question)
{
  sb_buddy_key_free (question->key);
  g_free (question->nick);
}

static void
room_free (Room *room)
{
  if (room == NULL)
    return;
  sb_buddy_key_free (room->key);
  sb_room_recorder_free (room->recorder);
  g_hash_table_unref (room->members);
  g_array_unref (room->questions);
  g_free (room);
}

/* Drops question @i of @room and withdraws its prompt when it was offered. */
static void
room_drop_question (SbPurple *ctx, Room *room, guint i)
{
  Question *question = &g_array_index (room->questions, Question, i);

  if (question->offered && ctx != NULL)
    sb_purple_planner_room_question_gone (ctx, question->key, room->key->buddy);
  g_array_remove_index (room->questions, i);
}

/* Drops every question of @conv's room (NULL-safe): it was closed or left. */
static Room *
conversation_drop_questions (SbPurple *ctx, PurpleConversation *conv)
{
  Room *room = purple_conversation_get_data (conv, ROOM_DATA);

  for (guint i = room != NULL ? room->questions->len : 0; i > 0; i--)
    room_drop_question (ctx, room, i - 1);
  return room;
}

/* Frees the state of @conv; with @ctx, first withdraws the prompts of its
 * questions. */
static void
conversation_forget_room (SbPurple *ctx, PurpleConversation *conv)
{
  room_free (conversation_drop_questions (ctx, conv));
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
  room->questions = g_array_new (FALSE, TRUE, sizeof (Question));
  g_array_set_clear_func (room->questions, (GDestroyNotify) question_clear);
  room->key = g_steal_pointer (&key);
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

/* ---- questions waiting for an answer ------------------------------------------ */

/* The first line of the thread of message @seq, when it is still known. */
static gint64
room_thread_of (const Room *room, gint64 seq)
{
  const gint64 slot = seq % SB_REPLY_WINDOW;

  return room->threads[slot].seq == seq ? room->threads[slot].thread : seq;
}

/* TRUE when @link, a line of @nick (the user's when @yours), answers
 * @question. */
static gboolean
answers (const Room *room, const Question *question, const SbReplyLink *link, const char *nick,
         gboolean yours)
{
  if (link->parent == link->seq || link->parent_nick == NULL
      || purple_strequal (nick, question->nick)
      || !purple_strequal (link->parent_nick, question->nick))
    return FALSE;
  /* The user replying to the asker, or anyone replying to the question or
   * to the asker's later lines in its thread. */
  return yours
         || (link->parent >= question->seq
             && room_thread_of (room, link->parent) == question->thread);
}

/* Settles the questions the line @link of @nick answers, and those too old
 * for any later line to reach. */
static void
room_settle_questions (SbPurple *ctx, Room *room, const SbReplyLink *link, const char *nick,
                       gboolean yours)
{
  for (guint i = room->questions->len; i > 0; i--)
    {
      const Question *question = &g_array_index (room->questions, Question, i - 1);

      if (link->seq - question->seq >= SB_REPLY_WINDOW
          || answers (room, question, link, nick, yours))
        room_drop_question (ctx, room, i - 1);
    }
}

/* Keeps the live line @link of @nick (@member) as a waiting question when it
 * is one, from a buddy.  One question per asker: the first still waiting,
 * unless it was offered already. */
static void
room_add_question (SbPurple *ctx, Room *room, PurpleConversation *conv, const SbReplyLink *link,
                   const char *nick, const char *member, gint64 time)
{
  PurpleAccount *account = purple_conversation_get_account (conv);
  g_autoptr (SbBuddyKey) key = sb_purple_key_new (account, member);
  Question question;

  if (key == NULL || purple_find_buddy (account, key->buddy) == NULL)
    return;
  for (guint i = 0; i < room->questions->len; i++)
    {
      const Question *waiting = &g_array_index (room->questions, Question, i);

      if (!sb_buddy_key_equal (waiting->key, key))
        continue;
      if (!waiting->offered)
        return;
      room_drop_question (ctx, room, i);
      break;
    }
  question = (Question){
    .key = g_steal_pointer (&key),
    .nick = g_strdup (nick),
    .seq = link->seq,
    .thread = room_thread_of (room, link->seq),
    .asked_at = time,
  };
  g_array_append_val (room->questions, question);
  sb_purple_planner_plan_in (ctx, SB_PLANNER_ROOM_QUESTION_WAIT_S + 1);
}

/* What the room questions take from the line @link: its thread, answers,
 * the user's activity (a line of theirs shown now) and a new question, when
 * @live (not backlog: history lines never get here). */
static void
room_follow_questions (SbPurple *ctx, Room *room, PurpleConversation *conv,
                       const SbReplyLink *link, const char *nick, const char *member,
                       const char *text, gint64 time, gboolean live)
{
  gboolean yours = member == NULL;
  gint64 slot = link->seq % SB_REPLY_WINDOW;
  /* Read before the slot is written: the parent may be the line it held. */
  gint64 thread = link->parent == link->seq ? link->seq : room_thread_of (room, link->parent);

  room->threads[slot].seq = link->seq;
  room->threads[slot].thread = thread;
  room_settle_questions (ctx, room, link, nick, yours);
  if (yours)
    room->user_spoke_at = sb_purple_now ();
  else if (live && sb_planner_text_is_question (text))
    room_add_question (ctx, room, conv, link, nick, member, MIN (time, sb_purple_now ()));
}

GArray *
sb_purple_rooms_waiting_questions (SbPurple *ctx)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (SbPlannerRoomQuestion));

  for (GList *l = purple_get_chats (); l != NULL; l = l->next)
    {
      PurpleConversation *conv = l->data;
      Room *room = purple_conversation_get_data (conv, ROOM_DATA);

      if (room == NULL || purple_conv_chat_has_left (PURPLE_CONV_CHAT (conv)))
        continue;
      for (guint i = 0; i < room->questions->len; i++)
        {
          const Question *question = &g_array_index (room->questions, Question, i);
          SbPlannerRoomQuestion waiting = {
            .key = question->key,
            .room = room->key->buddy,
            .asked_at = question->asked_at,
            .user_spoke_at = room->user_spoke_at,
          };

          if (!question->offered)
            g_array_append_val (out, waiting);
        }
    }
  return out;
}

void
sb_purple_rooms_question_offered (SbPurple *ctx, const SbBuddyKey *key, const char *room_name)
{
  for (GList *l = purple_get_chats (); l != NULL; l = l->next)
    {
      Room *room = purple_conversation_get_data (l->data, ROOM_DATA);

      if (room == NULL || g_strcmp0 (room->key->buddy, room_name) != 0)
        continue;
      for (guint i = 0; i < room->questions->len; i++)
        {
          Question *question = &g_array_index (room->questions, Question, i);

          if (sb_buddy_key_equal (question->key, key))
            question->offered = TRUE;
        }
    }
}

/* ---- lines ------------------------------------------------------------------- */

static void
record_message (SbPurple *ctx, Room *room, PurpleConversation *conv, const char *who,
                const char *message, PurpleMessageFlags flags)
{
  gboolean yours = is_users_line (conv, who, flags);
  const char *member = yours ? NULL : room_member (room, conv, who);
  g_autofree char *text = purple_markup_strip_html (message);
  g_autoptr (GError) error = NULL;
  gint64 now = sb_purple_now ();
  gint64 time = sb_purple_message_time (conv, flags, now);
  SbReplyLink link = { 0 };

  if (!yours && member == NULL)
    return;
  if (!sb_room_recorder_add_message (room->recorder, time, who, member, text, &link, &error))
    purple_debug_error ("smileback", "cannot record a room line: %s\n", error->message);
  room_follow_questions (ctx, room, conv, &link, who, member, text, time,
                         now - time <= SB_PURPLE_BACKLOG_S);
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
    record_message (data, room, conv, who, message, flags);
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
  conversation_forget_room (data, conv);
}

/* The user left the room (the window may stay open): its questions go. */
static void
chat_left_cb (PurpleConversation *conv, gpointer data)
{
  conversation_drop_questions (data, conv);
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
  { "chat-left", PURPLE_CALLBACK (chat_left_cb) },
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
  /* The planner withdraws every open prompt itself as it stops. */
  for (GList *l = purple_get_conversations (); l != NULL; l = l->next)
    conversation_forget_room (NULL, l->data);
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
