/* sb-hint.h: the words beside a buddy and in its tooltip (docs/design.md, "Prompts and their manners").
 *
 * Pure: from an SbStats and "now" to a verdict and translated text.  Hints are
 * short (under about 24 characters), never rely on colour, and with fewer than
 * 4 episodes give no verdict, only "new".
 *
 * The verdict, in order:
 *   - no episode at all: SB_HINT_NONE;
 *   - fewer than SB_HINT_MIN_EPISODES episodes: SB_HINT_NEW;
 *   - the latest episode is one-sided and younger than SB_HINT_PENDING_MAX_S:
 *     SB_HINT_YOU_OWE_A_REPLY (the buddy started it) or SB_HINT_OWES_YOU_A_REPLY
 *     (the user started it);
 *   - otherwise the initiation share, over the rolling window when it holds at
 *     least SB_HINT_MIN_EPISODES episodes, else over all time: at least 0.8 is
 *     "you always start", at most 0.2 "they always start", between "mutual".
 */
#pragma once

#include <glib.h>
#include "sb-stats.h"

G_BEGIN_DECLS

/* The per-node setting (libpurple's purple_blist_node_set_int, saved in
 * blist.xml) on a buddy, contact or group: the user's keep-in-touch interval
 * in days; absent or 0 = learned from the cadence; -1 = no reminders.  Written
 * by core-smileback's buddy menu, read by the smileback command from blist.xml. */
#define SB_NODE_KEEP_IN_TOUCH_DAYS "smileback-keep-in-touch-days"

typedef enum
{
  SB_HINT_NONE = 0,          /* no history: draw nothing */
  SB_HINT_NEW,               /* fewer than 4 episodes: facts only */
  SB_HINT_MUTUAL,
  SB_HINT_YOU_ALWAYS_START,
  SB_HINT_THEY_ALWAYS_START,
  SB_HINT_OWES_YOU_A_REPLY,  /* the user started the latest episode, no answer yet */
  SB_HINT_YOU_OWE_A_REPLY,   /* the buddy started the latest episode, the user has not answered */
  SB_HINT_LAST
} SbHintKind;

/* Below this many episodes there is no verdict (docs/design.md, "Prompts and their manners"). */
#define SB_HINT_MIN_EPISODES 4

/* A one-sided latest episode older than this is history, not a pending reply:
 * two weeks, long past the reply nudge's 7 days, so the hint stops nagging. */
#define SB_HINT_PENDING_MAX_S (14 * SB_DAY)

/* Clamp of the learned reminder interval, and its factor over the cadence
 * (docs/design.md: 1.5 x cadence clamped to 7..90 days). */
#define SB_HINT_DUE_MIN_S (7 * SB_DAY)
#define SB_HINT_DUE_MAX_S (90 * SB_DAY)
#define SB_HINT_DUE_FACTOR 1.5

/* The verdict for @stats at @now (see above).  @stats may be NULL (no history).
 * Never fails. */
SbHintKind sb_hint_classify (const SbStats *stats, gint64 now);

/* The translated short label of @kind ("mutual"), NULL for SB_HINT_NONE and
 * out-of-range values.  Static string, never free. */
const char *sb_hint_label (SbHintKind kind);

/* The one place the "reach out" rule is written (docs/design.md, "Prompts and their manners"): the due
 * interval in seconds for @stats, -1 when no reminder applies (fewer than 3
 * episodes, none answered, or @keep_in_touch_s < 0, reminders off).
 * @keep_in_touch_s > 0 is the user's own interval; 0 means learned: 1.5 x the
 * cadence clamped to @min_s..@max_s, or @max_s while there is no cadence yet.
 * The planner calls it with the user's clamp.  Never fails. */
gint64 sb_hint_due_interval_within (const SbStats *stats, gint64 keep_in_touch_s, gint64 min_s,
                                    gint64 max_s);

/* The same with days (SB_NODE_KEEP_IN_TOUCH_DAYS semantics) and the default
 * 7..90 day clamp:
 * @keep_in_touch_days > 0 (the user's own setting) gives that many days;
 * @keep_in_touch_days < 0 (reminders off) gives -1; 0 (learned) gives 1.5 x
 * the cadence clamped to 7..90 days, or 90 days while there is no cadence yet.
 * -1 as well when no reminder applies (the planner's reach-out condition):
 * fewer than 3 episodes, or none answered.  Never fails. */
gint64 sb_hint_due_interval (const SbStats *stats, int keep_in_touch_days);

/* When the reminder clock starts: the last real contact (stats->last_contact),
 * else the start of the latest episode; 0 when none.  Never fails. */
gint64 sb_hint_last_contact (const SbStats *stats);

/* How overdue the buddy is at @now: time since the last contact / due
 * interval, so > 1 means a reminder is due.  -1 when sb_hint_due_interval()
 * gives -1. */
double sb_hint_overdue_ratio (const SbStats *stats, int keep_in_touch_days, gint64 now);

/* A translated approximate duration: "less than a minute", "5 minutes",
 * "3 hours", "4 days", "3 weeks", "2 months", "1 year".  Negative values count
 * as 0.  Caller frees. */
char *sb_hint_format_duration (gint64 seconds);

/* A translated relative time of @then seen from @now: "just now", "3 weeks ago"
 * ("in 2 days" when @then is in the future).  Caller frees. */
char *sb_hint_format_ago (gint64 then, gint64 now);

/* The tooltip body: the figures behind the hint as Pango markup lines joined
 * with '\n', each "<b>Label:</b> value", translated and escaped: started by
 * you / by them, smiled back, you replied, typical response times each way,
 * last conversation, usual rhythm, and when a reminder would be due with the
 * learned interval.  Lines whose figure is unknown are left out.  NULL when
 * @stats is NULL or has no episode.  Caller frees. */
char *sb_hint_tooltip (const SbStats *stats, gint64 now);

/* The same with the user's keep-in-touch setting for the node
 * (SB_NODE_KEEP_IN_TOUCH_DAYS semantics, see sb_hint_due_interval()). */
char *sb_hint_tooltip_full (const SbStats *stats, gint64 now, int keep_in_touch_days);

/* The tooltip's group-chat line (sb-room-hint.c), plain translated text:
 * "In rooms: answered you N times, you answered them M times" over the
 * window, from sb_store_room_member_counts().  NULL when both are 0.
 * Caller frees. */
char *sb_hint_room_line (guint answered_you, guint you_answered);

G_END_DECLS
