/* sb-room-recorder.c: a room's lines through sb-reply.h into the store
 * (sb-room-recorder.h).
 *
 * sb-reply.h names a parent by its sequence number; the store names it by
 * time and speaker.  The recorder keeps a ring of the last SB_REPLY_WINDOW
 * lines' times and member keys (the window a parent can be in) to translate.
 */
#include "smileback/sb-room-recorder.h"

/* What the ring keeps of a line: never its text. */
typedef struct
{
  gint64 time;
  char *member;     /* NULL for the user's lines and system lines */
  gboolean message; /* FALSE for a system line, which is never a parent */
} Recent;

struct _SbRoomRecorder
{
  SbStore *store;
  char *protocol, *account, *room;
  SbSource source;
  SbReplyRoom *reply;
  Recent recent[SB_REPLY_WINDOW];
};

SbRoomRecorder *
sb_room_recorder_new (SbStore *store, const SbRoomKey *room, SbSource source)
{
  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (room != NULL && room->protocol != NULL && room->account != NULL
                          && room->room != NULL,
                        NULL);

  SbRoomRecorder *recorder = g_new0 (SbRoomRecorder, 1);
  recorder->store = store;
  recorder->protocol = g_strdup (room->protocol);
  recorder->account = g_strdup (room->account);
  recorder->room = g_strdup (room->room);
  recorder->source = source;
  recorder->reply = sb_reply_room_new ();
  return recorder;
}

void
sb_room_recorder_free (SbRoomRecorder *recorder)
{
  if (recorder == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (recorder->recent); i++)
    g_free (recorder->recent[i].member);
  sb_reply_room_free (recorder->reply);
  g_free (recorder->protocol);
  g_free (recorder->account);
  g_free (recorder->room);
  g_free (recorder);
}

/* Remembers line @seq of the room. */
static void
remember (SbRoomRecorder *recorder, gint64 seq, gint64 time, const char *member, gboolean message)
{
  Recent *slot = &recorder->recent[seq % SB_REPLY_WINDOW];
  g_free (slot->member);
  *slot = (Recent){ .time = time, .member = g_strdup (member), .message = message };
}

static void
remember_system (SbRoomRecorder *recorder, gint64 seq, gint64 time)
{
  remember (recorder, seq, time, NULL, FALSE);
}

void
sb_room_recorder_add_member (SbRoomRecorder *recorder, gint64 time, const char *nick)
{
  g_return_if_fail (recorder != NULL);
  g_return_if_fail (nick != NULL);
  sb_reply_room_add_member (recorder->reply, time, nick);
}

void
sb_room_recorder_joined (SbRoomRecorder *recorder, gint64 time, const char *nick)
{
  g_return_if_fail (recorder != NULL);
  g_return_if_fail (nick != NULL);
  remember_system (recorder, sb_reply_room_member_joined (recorder->reply, time, nick), time);
}

void
sb_room_recorder_left (SbRoomRecorder *recorder, gint64 time, const char *nick)
{
  g_return_if_fail (recorder != NULL);
  g_return_if_fail (nick != NULL);
  remember_system (recorder, sb_reply_room_member_left (recorder->reply, time, nick), time);
}

void
sb_room_recorder_renamed (SbRoomRecorder *recorder, gint64 time, const char *old_nick,
                          const char *new_nick)
{
  g_return_if_fail (recorder != NULL);
  g_return_if_fail (old_nick != NULL && new_nick != NULL);
  remember_system (recorder,
                   sb_reply_room_nick_changed (recorder->reply, time, old_nick, new_nick), time);
}

void
sb_room_recorder_system (SbRoomRecorder *recorder, gint64 time)
{
  g_return_if_fail (recorder != NULL);
  remember_system (recorder, sb_reply_room_add_system (recorder->reply, time), time);
}

/* The remembered parent of @link, NULL when it starts a thread or its parent
 * is not a message still in the ring. */
static const Recent *
parent_of (const SbRoomRecorder *recorder, const SbReplyLink *link)
{
  if (link->parent == link->seq || link->parent < 0 || link->seq - link->parent >= SB_REPLY_WINDOW)
    return NULL;
  const Recent *parent = &recorder->recent[link->parent % SB_REPLY_WINDOW];
  return parent->message ? parent : NULL;
}

/* The stored form of the message @link decided. */
static SbRoomEntry
entry_for (const SbRoomRecorder *recorder, const SbReplyLink *link, gint64 time,
           const char *member, const char *text)
{
  gsize secret_len = 0;
  const guint8 *secret = sb_store_get_secret (recorder->store, &secret_len);
  const Recent *parent = parent_of (recorder, link);
  return (SbRoomEntry){
    .time = time,
    .speaker = member,
    .digest = sb_text_digest (secret, secret_len, text),
    .has_parent = parent != NULL,
    .parent_time = parent != NULL ? parent->time : 0,
    .parent_speaker = parent != NULL ? parent->member : NULL,
    .confident = parent != NULL && link->confident,
    .source = recorder->source,
  };
}

gboolean
sb_room_recorder_add_message (SbRoomRecorder *recorder, gint64 time, const char *nick,
                              const char *member, const char *text, SbReplyLink *out,
                              GError **error)
{
  g_return_val_if_fail (recorder != NULL, FALSE);
  g_return_val_if_fail (nick != NULL && text != NULL, FALSE);

  SbReplyLink link = { 0 };
  sb_reply_room_add_message (recorder->reply, time, nick, text, &link);
  SbRoomEntry entry = entry_for (recorder, &link, time, member, text);
  SbRoomKey room = { recorder->protocol, recorder->account, recorder->room };
  gboolean ok = sb_store_add_room_line (recorder->store, &room, &entry, error);
  /* After the entry is made: the slot may be the parent's. */
  remember (recorder, link.seq, time, member, TRUE);
  if (out != NULL)
    *out = link;
  return ok;
}
