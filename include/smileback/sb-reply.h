/* sb-reply.h: which earlier message a group-chat message answers.
 *
 * A room is fed its lines one by one, in order, the same way for live capture
 * and for imported logs: messages with sb_reply_room_add_message(), joins,
 * parts, nick changes and other system lines with the functions below.  Each
 * line gets a sequence number (0, 1, 2, ... in the order added) and, for a
 * message, the earlier line it answers (its parent) or itself when it starts a
 * new thread.  A system line always links to itself.
 *
 * The decision reads what a human reader uses: whom the message addresses
 * ("nick: ...", "nick, ...", a nick anywhere in it), who addressed the speaker
 * and is still unanswered, the speaker's own recent lines, time gaps, joins
 * and the room's pace, and the words it shares with recent messages.  It is a
 * linear ranking over (message, candidate) pairs plus a "new thread" option,
 * with weights learned from the corpus of Kummerfeld et al., "A Large-Scale
 * Corpus for Conversation Disentanglement" (ACL 2019); see sb-reply.c.
 *
 * Privacy: the text is read at the moment the message is added and never
 * kept.  The room keeps, for its last SB_REPLY_WINDOW lines only: time,
 * speaker nick, the nicks the line addressed, whether it asked a question or
 * was a bot "!command", a length bucket, the chosen parent and how many later
 * lines answered it, and up to SB_REPLY_MAX_WORDS 32-bit hashes of its
 * lowercased words (for the word-overlap feature; hashes only, never the
 * words).  It also keeps the nicks of the room's members (at most
 * SB_REPLY_MAX_MEMBERS) with the time and sequence number of their last line.
 * Memory is bounded whatever the room's length.
 *
 * Pure: GLib only.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How many recent lines a message may answer (and the room remembers). */
#define SB_REPLY_WINDOW 100
/* Word hashes kept per line. */
#define SB_REPLY_MAX_WORDS 24
/* Member nicks kept per room; the least recently seen are forgotten first. */
#define SB_REPLY_MAX_MEMBERS 2048
/* Links whose confidence is below this are to be shown and counted as
 * "unknown", not as answers: on the corpus' dev files, the links above it name
 * the right addressee (who-answered-whom precision) 86% of the time, against
 * 82% for all links (tests/bench/train-reply.c prints the curve). */
#define SB_REPLY_CONFIDENT 0.6

typedef struct _SbReplyRoom SbReplyRoom;

/* The decision for one line. */
typedef struct
{
  gint64 seq;         /* the line's sequence number in the room */
  gint64 parent;      /* the parent's sequence number; == seq for a new thread or system line */
  const char *parent_nick; /* the parent's speaker as added (NULL when parent == seq);
                            * owned by the room, valid until the next call on it */
  double confidence;  /* 0..1: the model's share of the chosen option against the others */
  gboolean confident; /* confidence >= SB_REPLY_CONFIDENT: count this link as an answer */
} SbReplyLink;

/* A new empty room.  Free with sb_reply_room_free(). */
SbReplyRoom *sb_reply_room_new (void);

/* NULL-safe. */
void sb_reply_room_free (SbReplyRoom *room);

/* Records @nick as present (the room's user list when it is opened) without
 * adding a line: it is then recognised when a message addresses it. */
void sb_reply_room_add_member (SbReplyRoom *room, gint64 time, const char *nick);

/* @nick joined at @time (seconds, any epoch, non-decreasing across calls):
 * adds a system line and returns its sequence number. */
gint64 sb_reply_room_member_joined (SbReplyRoom *room, gint64 time, const char *nick);

/* @nick left or quit at @time: adds a system line and returns its sequence
 * number.  The nick stays recognised (people answer those who just left). */
gint64 sb_reply_room_member_left (SbReplyRoom *room, gint64 time, const char *nick);

/* @old_nick is now known as @new_nick: adds a system line and returns its
 * sequence number.  The room's recent lines by, and addressed to, @old_nick
 * are from then on by, and addressed to, @new_nick. */
gint64 sb_reply_room_nick_changed (SbReplyRoom *room, gint64 time, const char *old_nick,
                                   const char *new_nick);

/* Any other system line (topic, mode, /me action, a line that is not a
 * message) at @time: adds it and returns its sequence number. */
gint64 sb_reply_room_add_system (SbReplyRoom *room, gint64 time);

/* @nick said @text (UTF-8, may be invalid; not kept) at @time.  Decides its
 * parent among the last SB_REPLY_WINDOW lines, fills @out (may be NULL) and
 * returns the message's sequence number. */
gint64 sb_reply_room_add_message (SbReplyRoom *room, gint64 time, const char *nick,
                                  const char *text, SbReplyLink *out);

/* Lines added so far (the next sequence number). */
gint64 sb_reply_room_get_n_lines (SbReplyRoom *room);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbReplyRoom, sb_reply_room_free)

G_END_DECLS
