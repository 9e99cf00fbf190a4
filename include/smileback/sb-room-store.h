/* sb-room-store.h: group-chat lines in the store, and the figures read back.
 *
 * docs/design.md, "Group chats": each room message is kept as metadata only
 * (when, who said it, a keyed digest of its text, and which earlier line it
 * answers), never its text.  The same line seen live and again through a log
 * import is one row: lines are unique on (room, time, speaker, digest).
 *
 * Members are keyed per protocol and account: the member key (the normalized
 * real id where the room shows it, else the nick), so a member whose key is a
 * buddy's name on the same account is that buddy.  The user is the empty key.
 *
 * Room figures stand beside the 1:1 figures and never feed episodes or
 * closeness.  "Forget this buddy" (sb_store_forget_buddy()) deletes the
 * buddy's room lines and unlinks the lines that answered them.
 */
#pragma once

#include <glib.h>
#include "sb-buddy-key.h"
#include "sb-event.h"
#include "sb-room.h"
#include "sb-store.h"

G_BEGIN_DECLS

/* A room: protocol id, normalized account (no resource), normalized room name. */
typedef struct
{
  const char *protocol;
  const char *account;
  const char *room;
} SbRoomKey;

/* One room message as stored. */
typedef struct
{
  gint64 time;
  const char *speaker;        /* member key; NULL or "" for the user */
  guint64 digest;             /* sb_text_digest() of the text with the profile secret */
  gboolean has_parent;        /* FALSE when the line starts a thread */
  gint64 parent_time;         /* the parent's time, when has_parent */
  const char *parent_speaker; /* the parent's speaker, when has_parent; NULL or "" for the user */
  gboolean confident;         /* SbReplyLink.confident: count the link as an answer */
  SbSource source;
} SbRoomEntry;

/* Records @line in @room.  It is queued like live events and committed by
 * the next flush, with the room and members seen for the first time (under
 * provisional ids), so a UI thread never waits on the disk.  A line already
 * stored (same room, time, speaker and digest) is ignored at the flush.
 * FALSE with @error when looking the room or a member up fails, or
 * SB_STORE_ERROR_FULL while the queue is full (sb_store_queue_full()). */
gboolean sb_store_add_room_line (SbStore *store, const SbRoomKey *room, const SbRoomEntry *line,
                                 GError **error);

/* Appends to @lines (GArray of SbRoomLine) the lines of @room at or after
 * @since, in arrival order (time, then the order they were stored), with
 * each parent mapped back to its index in @lines.  A link that is not
 * confident, or whose parent is before @since or unknown, loads as "starts a
 * thread" (parent -1).  Speakers are copied into @strings, which must outlive
 * @lines.  Flushes the queue first.  An unknown room adds nothing. */
gboolean sb_store_load_room_lines (SbStore *store, const SbRoomKey *room, gint64 since,
                                   GArray *lines, GStringChunk *strings, GError **error);

/* sb_room_stats_compute() over the lines of @room since @since (loaded from
 * SB_ROOM_ANSWER_WITHIN_S earlier, so that answers to a thread started just
 * before @since resolve).  Free @stats with sb_room_stats_clear(). */
gboolean sb_store_room_stats (SbStore *store, const SbRoomKey *room, gint64 since,
                              SbRoomStats *stats, GError **error);

/* Calls @func for every room with a line at or after @since, in no
 * particular order.  Stops early when @func returns FALSE.  Flushes first. */
typedef gboolean (*SbStoreRoomFunc) (const SbRoomKey *room, gpointer user_data);
gboolean sb_store_foreach_room (SbStore *store, gint64 since, SbStoreRoomFunc func,
                                gpointer user_data, GError **error);

/* Over every room of @buddy's protocol and account since @since: how many of
 * the buddy's lines answered one of the user's (*@answered_you) and how many
 * of the user's answered one of the buddy's (*@you_answered), confident links
 * only.  Zero for a buddy never seen in a room.  Flushes first. */
gboolean sb_store_room_member_counts (SbStore *store, const SbBuddyKey *buddy, gint64 since,
                                      guint *answered_you, guint *you_answered, GError **error);

/* TRUE in *@answered when, at or after @since, @a answered @b or @b answered
 * @a in a room (a confident link) on one account: they know each other. */
gboolean sb_store_answered_each_other (SbStore *store, const SbBuddyKey *a, const SbBuddyKey *b,
                                       gint64 since, gboolean *answered, GError **error);

G_END_DECLS
