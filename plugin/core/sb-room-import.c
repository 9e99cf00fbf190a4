/* sb-room-import.c: a group chat's log into the store (sb-room-recorder.h).
 *
 * The log's lines go through a recorder in file order, exactly as live
 * capture feeds them, with SB_SOURCE_IMPORT: a line already seen live has
 * the same room, time, speaker and digest, and is stored once.
 */
#include "smileback/sb-room-recorder.h"
#include "smileback/sb-chat-log.h"

/* One import: the recorder and how to name the speakers. */
typedef struct
{
  SbRoomRecorder *recorder;
  gint64 day0;
  char *own_nick;
  SbRoomMemberFunc member_func;
  gpointer user_data;
  guint messages;
} Import;

/* The line's time as UTC seconds. */
static gint64
absolute_time (const Import *import, const SbChatLine *line)
{
  return line->time < SB_ROOM_IMPORT_RELATIVE_S ? import->day0 + line->time : line->time;
}

/* The member key of @nick: NULL for the user's own lines. */
static char *
member_key (const Import *import, const char *nick)
{
  if (import->own_nick != NULL && g_strcmp0 (nick, import->own_nick) == 0)
    return NULL;
  if (import->member_func == NULL)
    return g_strdup (nick);
  return import->member_func (nick, import->user_data);
}

static gboolean
import_message (Import *import, const SbChatLine *line, gint64 time, GError **error)
{
  g_autofree char *member = member_key (import, line->nick);
  import->messages++;
  return sb_room_recorder_add_message (import->recorder, time, line->nick, member, line->text,
                                       NULL, error);
}

/* The user's nick follows the user's nick changes. */
static void
import_nick_change (Import *import, const SbChatLine *line, gint64 time)
{
  if (g_strcmp0 (line->nick, import->own_nick) == 0)
    {
      g_free (import->own_nick);
      import->own_nick = g_strdup (line->new_nick);
    }
  sb_room_recorder_renamed (import->recorder, time, line->nick, line->new_nick);
}

static gboolean
import_line (Import *import, const SbChatLine *line, GError **error)
{
  gint64 time = absolute_time (import, line);
  switch (line->kind)
    {
    case SB_CHAT_LINE_MESSAGE:
      return import_message (import, line, time, error);
    case SB_CHAT_LINE_JOIN:
      sb_room_recorder_joined (import->recorder, time, line->nick);
      return TRUE;
    case SB_CHAT_LINE_PART:
      sb_room_recorder_left (import->recorder, time, line->nick);
      return TRUE;
    case SB_CHAT_LINE_NICK:
      import_nick_change (import, line, time);
      return TRUE;
    case SB_CHAT_LINE_SYSTEM:
      sb_room_recorder_system (import->recorder, time);
      return TRUE;
    }
  g_assert_not_reached ();
}

static gboolean
import_log (Import *import, const SbChatLog *log, GError **error)
{
  for (guint i = 0; i < log->lines->len; i++)
    if (!import_line (import, &g_array_index (log->lines, SbChatLine, i), error))
      return FALSE;
  return TRUE;
}

gboolean
sb_room_import_chat_lines (SbStore *store, const SbRoomKey *room, const char *data, gsize len,
                           gint64 day0, const char *own_nick, SbRoomMemberFunc member_func,
                           gpointer user_data, guint *n_messages, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  g_autoptr (SbChatLog) log = sb_chat_log_parse (data, len, error);
  if (log == NULL)
    return FALSE;
  g_autoptr (SbRoomRecorder) recorder = sb_room_recorder_new (store, room, SB_SOURCE_IMPORT);
  g_return_val_if_fail (recorder != NULL, FALSE);
  Import import = { recorder, day0, g_strdup (own_nick), member_func, user_data, 0 };
  gboolean ok = import_log (&import, log, error) && sb_store_flush (store, error);
  g_free (import.own_nick);
  if (n_messages != NULL)
    *n_messages = import.messages;
  return ok;
}
