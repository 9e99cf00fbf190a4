/* sb-purple-capture.c: libpurple's conversation signals into ledger events.
 *
 * IMs come from "wrote-im-msg", which fires once per line actually shown
 * (unlike "sent-im-msg", which also fires for a send that failed):
 * PURPLE_MESSAGE_RECV lines are the buddy's, SEND lines (REMOTE_SEND
 * included) the user's.  SYSTEM, ERROR, NOTIFY and INVISIBLE lines are not
 * conversation and are skipped, whoever wrote them; AUTO_RESP lines are
 * recorded as auto-replies (never initiations or answers).  The time is the
 * message's own, from the conversation's history (docs/design.md, "libpurple facts"), so an
 * offline message keeps the time it was sent; one that arrives more than
 * SB_PURPLE_BACKLOG_S late is flagged backlog.  The text only passes through
 * the keyed digest and the size bucket: it is never kept.
 *
 * Group chats record the user's joins, who is present with the user (the
 * initial list and later arrivals) and invitations both ways.
 *
 * The handler runs on the UI thread for every message: it does no I/O (the
 * ledger is nonblocking: it queues writes for the store's writer thread) and
 * normalizes names once per conversation, not per message.  While the
 * database waits to be opened (locked at load), events are kept by
 * sb_purple_save_wait(); when the ledger refuses one (too much waits to be
 * saved) the user is told (sb-purple-save.c).
 */
#include "sb-purple-private.h"

#include <string.h>

/* The timestamp of the line just written: the newest history entry, which
 * purple_conversation_write() adds right before emitting wrote-im-msg (or
 * wrote-chat-msg).  Falls
 * back to @now if the history does not hold it (a UI that cleared it). */
gint64
sb_purple_message_time (PurpleConversation *conv, PurpleMessageFlags flags, gint64 now)
{
  GList *history = purple_conversation_get_message_history (conv);
  PurpleConvMessage *newest;

  if (history == NULL)
    return now;
  newest = history->data;
  if (purple_conversation_message_get_flags (newest) != flags)
    return now;
  return purple_conversation_message_get_timestamp (newest);
}

/* The length in characters of @message without its markup: enough for the
 * coarse size bucket, and a single pass (the digest already normalizes the
 * text once; doing it twice would double the handler's cost).  Entities count
 * as their source length. */
static gsize
visible_length (const char *message)
{
  gsize length = 0;
  gboolean in_tag = FALSE;

  for (const char *p = message; *p != '\0'; p++)
    {
      if (*p == '<')
        in_tag = TRUE;
      else if (*p == '>' && in_tag)
        in_tag = FALSE;
      else if (!in_tag && ((guchar) *p & 0xC0) != 0x80)
        length++;
    }
  return length;
}

/* Records @event of @key, or keeps it (with @text, may be NULL, to digest)
 * while the ledger is not open. */
static void
record_event (SbPurple *ctx, const SbBuddyKey *key, SbEvent *event, const char *text,
              gint64 now)
{
  g_autoptr (GError) error = NULL;
  const guint8 *secret;
  gsize secret_len;

  if (ctx->ledger == NULL)
    {
      sb_purple_save_wait (ctx, key, event, text);
      return;
    }
  if (text != NULL)
    {
      secret = sb_ledger_get_secret (ctx->ledger, &secret_len);
      event->digest = sb_text_digest (secret, secret_len, text);
    }
  if (sb_ledger_add_event (ctx->ledger, key, event, now, NULL, &error))
    return;
  if (!g_error_matches (error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_UNTRACKED))
    {
      purple_debug_error ("smileback", "cannot record a message: %s\n", error->message);
      sb_purple_save_report (ctx, error, TRUE);
    }
}

/* The buddy key of an IM conversation, made once per conversation and kept in
 * its data: protocols' normalization is not free (XMPP parses and stringpreps
 * both JIDs, about 1.5 us a message).  Remade when the conversation or the
 * account is renamed; freed with the conversation or on unload. */
#define KEY_DATA "smileback-key"

typedef struct
{
  char *conv_name;
  char *username;
  SbBuddyKey *key;
} CachedKey;

static void
cached_key_free (CachedKey *cached)
{
  if (cached == NULL)
    return;
  g_free (cached->conv_name);
  g_free (cached->username);
  sb_buddy_key_free (cached->key);
  g_free (cached);
}

static void
conversation_forget_key (PurpleConversation *conv)
{
  cached_key_free (purple_conversation_get_data (conv, KEY_DATA));
  purple_conversation_set_data (conv, KEY_DATA, NULL);
}

static const SbBuddyKey *
conversation_key (PurpleConversation *conv, PurpleAccount *account)
{
  CachedKey *cached = purple_conversation_get_data (conv, KEY_DATA);
  const char *name = purple_conversation_get_name (conv);
  const char *username = purple_account_get_username (account);
  SbBuddyKey *key;

  if (cached != NULL && g_strcmp0 (cached->conv_name, name) == 0
      && g_strcmp0 (cached->username, username) == 0)
    return cached->key;
  conversation_forget_key (conv);
  /* The conversation's name is the buddy in both directions. */
  key = sb_purple_key_new (account, name);
  if (key == NULL)
    return NULL;
  cached = g_new0 (CachedKey, 1);
  cached->conv_name = g_strdup (name);
  cached->username = g_strdup (username);
  cached->key = key;
  purple_conversation_set_data (conv, KEY_DATA, cached);
  return key;
}

void
sb_purple_capture_im (SbPurple *ctx, PurpleAccount *account, const char *message,
                      PurpleConversation *conv, PurpleMessageFlags flags)
{
  const SbBuddyKey *key;
  gint64 now;
  SbEvent event = { 0 };

  if ((flags & SB_PURPLE_SKIPPED_FLAGS) != 0 || message == NULL)
    return;
  if ((flags & PURPLE_MESSAGE_SEND) != 0)
    event.direction = SB_DIRECTION_OUT;
  else if ((flags & PURPLE_MESSAGE_RECV) != 0)
    event.direction = SB_DIRECTION_IN;
  else
    return;
  if (sb_purple_account_excluded (ctx, account))
    return;

  key = conversation_key (conv, account);
  if (key == NULL)
    return;

  now = sb_purple_now ();
  event.time = sb_purple_message_time (conv, flags, now);
  event.kind = (flags & PURPLE_MESSAGE_AUTO_RESP) != 0 ? SB_EVENT_AUTO_REPLY : SB_EVENT_MESSAGE;
  event.source = SB_SOURCE_LIVE;
  if (now - event.time > SB_PURPLE_BACKLOG_S || (flags & PURPLE_MESSAGE_DELAYED) != 0)
    event.flags |= SB_EVENT_FLAG_BACKLOG;
  event.size_bucket = sb_size_bucket (visible_length (message));
  record_event (ctx, key, &event, message, now);
}

static void
wrote_im_msg_cb (PurpleAccount *account, const char *who, char *message,
                 PurpleConversation *conv, PurpleMessageFlags flags, gpointer data)
{
  sb_purple_capture_im (data, account, message, conv, flags);
}

static void
deleting_conversation_cb (PurpleConversation *conv, gpointer data)
{
  conversation_forget_key (conv);
}

/* Group chats. */

/* The normalized identity of chat member @name: the real account name when
 * the protocol reveals it (a non-anonymous XMPP room), else the nick. */
static char *
chat_member_name (PurpleConversation *conv, const char *name, const char *room)
{
  PurpleAccount *account = purple_conversation_get_account (conv);
  PurpleConnection *gc = purple_conversation_get_gc (conv);
  PurplePlugin *prpl = gc != NULL ? purple_connection_get_prpl (gc) : NULL;
  PurplePluginProtocolInfo *info = prpl != NULL ? PURPLE_PLUGIN_PROTOCOL_INFO (prpl) : NULL;

  if (info != NULL && PURPLE_PROTOCOL_PLUGIN_HAS_FUNC (info, get_cb_real_name))
    {
      g_autofree char *real
        = info->get_cb_real_name (gc, purple_conv_chat_get_id (PURPLE_CONV_CHAT (conv)), name);
      g_autofree char *normal = real != NULL ? g_strdup (purple_normalize (account, real)) : NULL;

      /* An anonymous room answers with room/nick, which normalizes to the room. */
      if (normal != NULL && g_strcmp0 (normal, room) != 0)
        return g_steal_pointer (&normal);
    }
  return g_strdup (purple_normalize (account, name));
}

/* The same identity, for the invitation planner. */
char *
sb_purple_chat_member (PurpleConversation *conv, const char *name)
{
  g_autofree char *room
    = g_strdup (purple_normalize (purple_conversation_get_account (conv),
                                  purple_conversation_get_name (conv)));

  return chat_member_name (conv, name, room);
}

static void
record_chat (SbPurple *ctx, PurpleAccount *account, const char *room_name, const char *member,
             SbChatKind kind)
{
  g_autofree char *account_name = NULL;
  g_autofree char *room = NULL;
  g_autoptr (GError) error = NULL;
  char *slash;
  SbChatEvent event = { 0 };

  if (ctx->ledger == NULL || account == NULL || room_name == NULL
      || sb_purple_account_excluded (ctx, account))
    return;
  account_name = g_strdup (purple_normalize (account, purple_account_get_username (account)));
  room = g_strdup (purple_normalize (account, room_name));
  if (account_name == NULL || room == NULL)
    return;
  slash = strchr (account_name, '/');
  if (slash != NULL)
    *slash = '\0';
  event.protocol = purple_account_get_protocol_id (account);
  event.account = account_name;
  event.room = room;
  event.member = member;
  event.kind = kind;
  event.source = SB_SOURCE_LIVE;
  event.time = sb_purple_now ();
  if (!sb_ledger_add_chat_event (ctx->ledger, &event, &error))
    purple_debug_error ("smileback", "cannot record a group chat event: %s\n", error->message);
}

static void
chat_joined_cb (PurpleConversation *conv, gpointer data)
{
  record_chat (data, purple_conversation_get_account (conv), purple_conversation_get_name (conv),
               NULL, SB_CHAT_JOINED);
}

static void
chat_buddy_joined_cb (PurpleConversation *conv, const char *name, PurpleConvChatBuddyFlags flags,
                      gboolean new_arrival, gpointer data)
{
  PurpleAccount *account = purple_conversation_get_account (conv);
  g_autofree char *room = NULL;
  g_autofree char *member = NULL;

  if (name == NULL || purple_strequal (name, purple_conv_chat_get_nick (PURPLE_CONV_CHAT (conv))))
    return;
  room = g_strdup (purple_normalize (account, purple_conversation_get_name (conv)));
  member = chat_member_name (conv, name, room);
  if (member != NULL)
    record_chat (data, account, purple_conversation_get_name (conv), member, SB_CHAT_PRESENT);
}

static int
chat_invited_cb (PurpleAccount *account, const char *inviter, const char *chat,
                 const char *message, GHashTable *components, gpointer data)
{
  g_autofree char *member = inviter != NULL ? g_strdup (purple_normalize (account, inviter)) : NULL;

  if (member != NULL)
    record_chat (data, account, chat, member, SB_CHAT_INVITE_RECEIVED);
  return 0; /* no opinion: the user decides */
}

static void
chat_invited_user_cb (PurpleConversation *conv, const char *name, const char *message,
                      gpointer data)
{
  PurpleAccount *account = purple_conversation_get_account (conv);
  g_autofree char *member = name != NULL ? g_strdup (purple_normalize (account, name)) : NULL;

  if (member != NULL)
    record_chat (data, account, purple_conversation_get_name (conv), member,
                 SB_CHAT_INVITE_SENT);
}

/* Calls.  libpurple announces every audio or video session, started by the user
 * or by the buddy, through the media manager's "init-media" GObject signal.
 * An emission hook watches it without taking part in it: a handler's return
 * value would decide whether the call may go ahead, which is not ours to say. */
static gboolean
media_created_hook (GSignalInvocationHint *hint, guint n_params, const GValue *params,
                    gpointer data)
{
  SbPurple *ctx = data;

  if (n_params < 4)
    return TRUE;
  PurpleMedia *media = g_value_get_object (&params[1]);
  PurpleAccount *account = g_value_get_pointer (&params[2]);
  const char *who = g_value_get_string (&params[3]);
  if (media == NULL || account == NULL || who == NULL || sb_purple_account_excluded (ctx, account))
    return TRUE;

  g_autoptr (SbBuddyKey) key = sb_purple_key_new (account, who);
  if (key == NULL)
    return TRUE;
  gint64 now = sb_purple_now ();
  SbEvent event = {
    .time = now,
    .direction = purple_media_is_initiator (media, NULL, NULL) ? SB_DIRECTION_OUT : SB_DIRECTION_IN,
    .kind = SB_EVENT_CALL,
    .source = SB_SOURCE_LIVE,
  };
  record_event (ctx, key, &event, NULL, now);
  return TRUE; /* stay installed */
}

/* Every signal this file follows, connected and disconnected from one table. */
static const struct
{
  const char *signal;
  PurpleCallback callback;
} handlers[] = {
  { "wrote-im-msg", PURPLE_CALLBACK (wrote_im_msg_cb) },
  { "deleting-conversation", PURPLE_CALLBACK (deleting_conversation_cb) },
  { "chat-joined", PURPLE_CALLBACK (chat_joined_cb) },
  { "chat-buddy-joined", PURPLE_CALLBACK (chat_buddy_joined_cb) },
  { "chat-invited", PURPLE_CALLBACK (chat_invited_cb) },
  { "chat-invited-user", PURPLE_CALLBACK (chat_invited_user_cb) },
};

void
sb_purple_capture_init (SbPurple *ctx)
{
  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
    purple_signal_connect (purple_conversations_get_handle (), handlers[i].signal, ctx->plugin,
                           handlers[i].callback, ctx);
  guint init_media = g_signal_lookup ("init-media", PURPLE_TYPE_MEDIA_MANAGER);
  if (init_media != 0)
    ctx->media_hook = g_signal_add_emission_hook (init_media, 0, media_created_hook, ctx, NULL);
}

void
sb_purple_capture_shutdown (SbPurple *ctx)
{
  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
    purple_signal_disconnect (purple_conversations_get_handle (), handlers[i].signal,
                              ctx->plugin, handlers[i].callback);
  if (ctx->media_hook != 0)
    g_signal_remove_emission_hook (g_signal_lookup ("init-media", PURPLE_TYPE_MEDIA_MANAGER),
                                   ctx->media_hook);
  ctx->media_hook = 0;
  for (GList *l = purple_get_conversations (); l != NULL; l = l->next)
    conversation_forget_key (l->data);
}
