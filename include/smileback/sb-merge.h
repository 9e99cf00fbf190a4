/* sb-merge.h: adding another machine's history (Pidgin on a laptop and a
 * desktop) to this one, exactly and idempotently.
 *
 * The same message seen on both machines must count once, but its digest
 * differs: each profile keys sb_text_digest() with its own secret.  So two
 * events are recognised as one message by what both machines record alike:
 *
 *   same buddy key, direction, kind and size bucket, and times at most
 *   SB_MERGE_TOLERANCE_S apart, matched one-to-one in time order.
 *
 * Within each (direction, kind, size bucket) group of a buddy both lists are
 * walked in time order: the earlier head is dropped as unmatched while it is
 * more than the tolerance before the other head, else the two heads match.
 * This greedy walk finds the largest one-to-one matching (an earlier event
 * that cannot match the other head cannot match anything after it either),
 * so messages sharing a second pair off by count, and a machine that missed
 * one of three "ok"s in a second adds exactly one.
 *
 * Only the other machine's unmatched events are added, through
 * sb_ledger_add_events(), the import's path: episodes and summaries are
 * recomputed exactly as an import of the same events would.  An added event
 * keeps its time, flags and digest, so merging again matches every event of
 * the other file to itself: nothing changes (idempotent).
 *
 * The tolerance absorbs clock skew between the machines (each stamps received
 * messages with its own clock) and is small against the pace of distinct
 * messages of one kind, size and direction.  Its price: two different
 * messages, each seen by only one machine, of the same size bucket and
 * direction within the tolerance of each other, count once.
 *
 * Room lines follow the same idea: a line of the other file is one of ours
 * when it is in the same room (by key), by the same speaker (member key, or
 * the user) and at most SB_MERGE_TOLERANCE_S apart, matched one-to-one by
 * the same greedy walk per (room, speaker).  Only unmatched lines are added,
 * with their link and digest; a parent that was matched is re-pointed to our
 * line's time (parents are named by time and speaker), so the link still
 * finds its line, and an added line whose parent now comes later (the other
 * clock was behind) moves up to its parent's time: by at most the
 * tolerance, so it still matches its original.  A matched line keeps our own
 * link.  Merging again matches every line to itself: nothing changes.
 */
#pragma once

#include <glib.h>
#include "sb-dbfile.h"
#include "sb-ledger.h"
#include "sb-room.h"

G_BEGIN_DECLS

#define SB_MERGE_ERROR (sb_merge_error_quark ())
GQuark sb_merge_error_quark (void);

typedef enum
{
  SB_MERGE_ERROR_SAME_FILE, /* the other file is this database */
  SB_MERGE_ERROR_NOT_SMILEBACK,
  SB_MERGE_ERROR_TOO_NEW,   /* written by a newer Smile Back */
  SB_MERGE_ERROR_DAMAGED,   /* fails quick_check: repair or check it first */
} SbMergeError;

/* Two events this far apart, or closer, may be the same message. */
#define SB_MERGE_TOLERANCE_S 60

typedef struct
{
  guint buddies;       /* buddies of the other file with events */
  guint64 events;      /* events read from the other file */
  guint64 matched;     /* of those, already here */
  guint64 added;       /* of those, added */
  guint64 chat_events; /* group-chat observations read (added unless already here) */
  guint64 room_lines;  /* room lines read from the other file */
  guint64 room_lines_added; /* of those, added (the others were already here) */
} SbMergeResult;

/* Appends to @out (GArray of SbEvent) the events of @theirs that match none
 * of @ours by the rule above, in time order.  Both lists are one buddy's. */
void sb_merge_unmatched (const SbEvent *theirs, guint n_theirs, const SbEvent *ours, guint n_ours,
                         GArray *out);

/* For each of @theirs' lines (one room's, in any order), the time of the
 * line of @ours it is by the rule above, or G_MININT64 when it is none of
 * ours (then it is to be added): @matched_time has @n_theirs entries.  The
 * parents of the lines are not looked at. */
void sb_merge_match_room_lines (const SbRoomLine *theirs, guint n_theirs, const SbRoomLine *ours,
                                guint n_ours, gint64 *matched_time);

/* Opens @path read-only as the history to merge into the database at
 * @into_path, refusing the same file, a file that is not Smile Back's, a newer
 * schema and a damaged file (SB_MERGE_ERROR, or the store's errors). */
SbDbFile *sb_merge_open_source (const char *path, const char *into_path, GError **error);

/* Adds every event of @source that @ledger does not have yet (by the rule
 * above), buddy by buddy, then its group-chat observations and room lines
 * (room by room), then flags
 * automated texts as an import does, and flushes.  Buddies marked "don't
 * track" on either side are left out.  Each buddy is added in one step of
 * the ledger, so a failure leaves whole buddies merged and the rest
 * untouched: running the merge again completes it. */
gboolean sb_merge_from (SbLedger *ledger, SbDbFile *source, gint64 now, SbMergeResult *result,
                        GError **error);

G_END_DECLS
