/* sb-room-recorder.h: one room's lines, live or from a log, into the store.
 *
 * A recorder feeds a room's lines in order to sb-reply.h, which decides what
 * each message answers, and stores every message as metadata only
 * (sb-room-store.h): its time, its speaker's member key, the keyed digest of
 * its text and its parent's time and speaker.  The text is read while the
 * call lasts and never kept.  Live capture (the purple plugin) and the
 * import of .chat logs go through the same recorder, so a line seen both
 * ways gives the same row and is stored once.
 *
 * Nicks are what the room shows (sb-reply.h matches addresses on them);
 * member keys are what the store keeps: the real id where the room shows it,
 * else the nick, NULL for the user.  The recorder keeps, for the last
 * SB_REPLY_WINDOW lines, their time and member key, to store a parent.
 *
 * Pure: GLib and the store.
 */
#pragma once

#include <glib.h>
#include "sb-reply.h"
#include "sb-room-store.h"

G_BEGIN_DECLS

typedef struct _SbRoomRecorder SbRoomRecorder;

/* A recorder for @room (copied) storing into @store (borrowed: it must
 * outlive the recorder) with @source.  Free with sb_room_recorder_free(). */
SbRoomRecorder *sb_room_recorder_new (SbStore *store, const SbRoomKey *room, SbSource source);

/* NULL-safe. */
void sb_room_recorder_free (SbRoomRecorder *recorder);

/* The room's user list when it opens (sb_reply_room_add_member()). */
void sb_room_recorder_add_member (SbRoomRecorder *recorder, gint64 time, const char *nick);

/* Joins, parts, nick changes and other system lines: sb-reply.h's functions
 * of the same names.  Nothing is stored for them. */
void sb_room_recorder_joined (SbRoomRecorder *recorder, gint64 time, const char *nick);
void sb_room_recorder_left (SbRoomRecorder *recorder, gint64 time, const char *nick);
void sb_room_recorder_renamed (SbRoomRecorder *recorder, gint64 time, const char *old_nick,
                               const char *new_nick);
void sb_room_recorder_system (SbRoomRecorder *recorder, gint64 time);

/* @nick (@member, NULL for the user) said @text (not kept) at @time:
 * decides its parent, fills @out (may be NULL) and queues the line in the
 * store.  FALSE with @error when the store cannot add the room or a member;
 * the room's state is updated either way. */
gboolean sb_room_recorder_add_message (SbRoomRecorder *recorder, gint64 time, const char *nick,
                                       const char *member, const char *text, SbReplyLink *out,
                                       GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbRoomRecorder, sb_room_recorder_free)

/* Import of a group chat's log (sb-room-import.c). */

/* The member key of @nick, caller frees; NULL keeps the nick itself. */
typedef char *(*SbRoomMemberFunc) (const char *nick, gpointer user_data);

/* Times of a log's lines below this are relative to its first day (no date
 * on the line, sb-chat-log.h): they get the caller's @day0 added. */
#define SB_ROOM_IMPORT_RELATIVE_S (G_GINT64_CONSTANT (1000) * 24 * 3600)

/* Reads the group chat log in @data (@len bytes: a Pidgin or Finch .chat log,
 * HTML or TXT, or a plain IRC log; sb-chat-log.h), runs its lines in order
 * through a recorder with SB_SOURCE_IMPORT and commits them.  @day0 is the
 * UTC time of the local midnight starting the log's first day (from its
 * file name); the lines of @own_nick (followed through its nick changes) are
 * the user's; @member_func (may be NULL) maps other nicks to member keys.
 * Lines already stored (seen live) are kept once.  *@n_messages (may be
 * NULL) counts the messages read.  FALSE with @error on an empty log or a
 * store failure. */
gboolean sb_room_import_chat_lines (SbStore *store, const SbRoomKey *room, const char *data,
                                    gsize len, gint64 day0, const char *own_nick,
                                    SbRoomMemberFunc member_func, gpointer user_data,
                                    guint *n_messages, GError **error);

G_END_DECLS
