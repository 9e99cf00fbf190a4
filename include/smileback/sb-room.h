/* sb-room.h: who answers whom in a group chat, as figures a person reads.
 *
 * Each room message is kept as an SbRoomLine: when, who said it, and which
 * earlier line it answers (its reply link, decided by sb-reply.h when the
 * message arrived).  Never the text.  From a room's lines this file derives
 * the figures of docs/design.md, "Group chats": the user's messages and
 * threads, how many threads were answered, by whom and how fast, and how often
 * the user answered each member.  Room figures stand beside the 1:1 figures;
 * they never feed episodes or closeness.
 *
 * Pure: GLib only.  Time comes in as a parameter.
 */
#pragma once

#include <glib.h>
#include "sb-params.h"

G_BEGIN_DECLS

/* A thread of the user's counts as answered when another member's line links
 * into it within this long of the thread's first line. */
#define SB_ROOM_ANSWER_WITHIN_S (G_GINT64_CONSTANT (30) * 60)

/* One line of a room, in arrival order.  @speaker is the member key (the
 * normalized real id where the room shows it, else the nick), NULL for the
 * user's own lines.  @parent is the index of the line it answers within the
 * same array, or -1 when it starts a thread. */
typedef struct
{
  gint64 time;
  const char *speaker;
  gint parent;
} SbRoomLine;

/* What one member and the user did to each other in a room. */
typedef struct
{
  char *member;      /* the member key; owned */
  guint answered_you; /* the member's lines that answered one of the user's */
  guint you_answered; /* the user's lines that answered one of the member's */
} SbRoomMember;

/* A room's figures over the lines given. */
typedef struct
{
  guint messages;         /* every line */
  guint your_messages;    /* the user's lines */
  guint your_threads;     /* the user's lines that started a thread (a line that
                             follows the user's own belongs to its thread) */
  guint answered_threads; /* of those, answered by another member in time */
  gint64 median_answer_s; /* median time from a thread's start to its first answer; -1 none */
  guint you_answered;     /* the user's lines that answered another member */
  GPtrArray *members;     /* SbRoomMember, most answering first; owned */
} SbRoomStats;

/* Computes @stats from @lines (arrival order, @n of them), counting only lines
 * at or after @since.  Links that point outside the array or forward are read
 * as "starts a thread".  Never fails; free with sb_room_stats_clear(). */
void sb_room_stats_compute (const SbRoomLine *lines, guint n, gint64 since, SbRoomStats *stats);

/* Frees what @stats owns and zeroes it.  NULL-safe. */
void sb_room_stats_clear (SbRoomStats *stats);

/* The member of @stats named @member, NULL when absent.  Borrowed. */
const SbRoomMember *sb_room_stats_find_member (const SbRoomStats *stats, const char *member);

/* The share of the user's threads that were answered, 0..1; -1 with none. */
double sb_room_stats_answered_share (const SbRoomStats *stats);

G_END_DECLS
