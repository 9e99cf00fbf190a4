/* sb-planner.h: which gentle prompt, for whom, and when (docs/design.md, "Prompts and their manners").
 *
 * The planner is pure policy: given every buddy's figures, the user's
 * preferences, presence and "now", it picks the prompts worth showing:
 *
 * - reach out just because: a buddy with at least 3 conversations, one of them
 *   answered, whose last real contact is older than the due interval (the
 *   user's keep-in-touch setting, else 1.5 x the buddy's rhythm clamped to
 *   7..90 days), ranked by closeness x how overdue;
 * - reply nudge: the buddy started the latest conversation and the user has
 *   not answered for 12 hours (and less than 7 days);
 * - follow-up (off by default): the user wrote, no answer for 3 days;
 * - take it to a call: a conversation of 30+ messages or 10+ turns each way,
 *   at most once a week per buddy;
 * - introduction: two strong ties never seen together, at most one a week;
 * - invitation: when the user joins a group chat, up to 5 online strong ties
 *   on that account who are not there and were not invited in 30 days;
 * - unanswered in a room: a strong tie's question (a line ending with "?") in
 *   a room the user has open has had no answer for 10 minutes, and the user
 *   wrote there within the last 30 minutes.
 *
 * and keeps its manners: a daily cap, quiet hours, nothing while the user is
 * away, busy or invisible, nothing during a sign-on flood or from backlog,
 * online buddies first, one open prompt per buddy.  The user's answers
 * (later, not for this buddy, done) and the prompts shown are kept in the
 * store, so they survive restarts, and so are their outcomes: whether the
 * user wrote within an hour (acted) and whether the buddy answered.
 */
#pragma once

#include <glib.h>
#include "sb-buddy-key.h"
#include "sb-prompt.h"
#include "sb-stats.h"
#include "sb-store.h"

G_BEGIN_DECLS

/* The user's preferences; sb_planner_prefs_init() gives the documented defaults. */
typedef struct
{
  guint max_per_day;         /* 3 */
  int quiet_start_minute;    /* 22:00 -> 1320, local time */
  int quiet_end_minute;      /* 08:00 -> 480; equal start and end: no quiet hours */
  gint64 reply_after_s;      /* 12 h */
  gint64 reply_until_s;      /* 7 days */
  gboolean follow_up;        /* FALSE */
  gint64 follow_up_after_s;  /* 3 days */
  gint64 due_min_s;          /* 7 days */
  gint64 due_max_s;          /* 90 days */
} SbPlannerPrefs;

void sb_planner_prefs_init (SbPlannerPrefs *prefs);

/* What the planner is told about one buddy. */
typedef struct
{
  const SbBuddyKey *key;
  const SbStats *stats;
  gint64 keep_in_touch_s;    /* the user's interval for this buddy or its group;
                                0 = learn it from the rhythm, -1 = no reminders */
  gboolean online;
  const char *group;         /* the buddy-list group, NULL when unknown */
} SbPlannerBuddy;

/* A question a buddy asked in a group chat the user has open, kept in
 * memory while it waits (never its text). */
typedef struct
{
  const SbBuddyKey *key;  /* the asker, a buddy on the room's account */
  const char *room;       /* the normalized room name */
  gint64 asked_at;        /* when the question arrived, UTC seconds */
  gint64 user_spoke_at;   /* the user's last line in that room, 0 = none */
  gboolean answered;      /* a later line answered it (sb-reply.h links) */
} SbPlannerRoomQuestion;

/* What the planner is told about the user and the moment. */
typedef struct
{
  gint64 now;             /* UTC seconds */
  GTimeZone *tz;          /* for quiet hours and "a day"; NULL = local */
  gboolean available;     /* FALSE when away, busy, invisible or offline */
  gint64 quiet_until;     /* no prompts before this (sign-on flood), 0 = none */
  const SbPlannerRoomQuestion *questions; /* waiting in the open rooms, live only */
  guint n_questions;
} SbPlannerMoment;

/* The due interval for a reach-out with the user's clamp (prefs->due_min_s,
 * due_max_s); -1 when the buddy gets no reminders.  The rule itself is
 * sb_hint_due_interval_within(). */
gint64 sb_planner_due_interval (const SbPlannerPrefs *prefs, const SbStats *stats,
                                gint64 keep_in_touch_s);

typedef struct _SbPlanner SbPlanner;

/* A planner keeping its state (snoozes, mutes, the prompt log) in @store,
 * which must outlive it.  Loads that state; NULL with @error on failure. */
SbPlanner *sb_planner_new (SbStore *store, GError **error);
void sb_planner_free (SbPlanner *planner);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbPlanner, sb_planner_free)

void sb_planner_set_prefs (SbPlanner *planner, const SbPlannerPrefs *prefs);
const SbPlannerPrefs *sb_planner_get_prefs (SbPlanner *planner);

/* Every prompt that is due at @moment, best first (online buddies first, then
 * score), ignoring the daily cap, quiet hours and presence: the "Who should I
 * reach out to?" list.  Includes the room questions of @moment that are due
 * (sb_planner_room_question_due()) from askers among @buddies.  A GPtrArray
 * of SbPrompt; caller unrefs. */
GPtrArray *sb_planner_list_due (SbPlanner *planner, const SbPlannerBuddy *buddies, guint n_buddies,
                                const SbPlannerMoment *moment);

/* The prompts to show now, with every manner applied: at most what the daily
 * cap leaves, none in quiet hours, while unavailable or before quiet_until,
 * none for a buddy with an open prompt, snoozed or muted.  Caller unrefs. */
GPtrArray *sb_planner_next (SbPlanner *planner, const SbPlannerBuddy *buddies, guint n_buddies,
                            const SbPlannerMoment *moment);

/* Records that @prompt was shown at @now: it counts toward the day's cap and is
 * open until answered.  Sets prompt->id.  FALSE with @error on store failure. */
gboolean sb_planner_shown (SbPlanner *planner, SbPrompt *prompt, gint64 now, GError **error);

/* Records the user's answer to an open prompt.  For SB_ANSWER_LATER,
 * @until is when it may come back.  Closes the prompt. */
gboolean sb_planner_answer (SbPlanner *planner, const SbPrompt *prompt, SbPromptAnswer answer,
                            gint64 until, gint64 now, GError **error);

/* TRUE when @prompt, shown earlier, still stands for @buddy at @moment (a reply
 * nudge stops standing once the user answers). */
gboolean sb_planner_still_due (SbPlanner *planner, const SbPrompt *prompt,
                               const SbPlannerBuddy *buddy, const SbPlannerMoment *moment);

/* TRUE when a prompt of @kind for @key is open (shown, not answered). */
gboolean sb_planner_is_open (SbPlanner *planner, const SbBuddyKey *key, SbPromptKind kind);

/* Clears the mute of @kind for @key ("remind me again"). */
gboolean sb_planner_unmute (SbPlanner *planner, const SbBuddyKey *key, SbPromptKind kind,
                            GError **error);
gboolean sb_planner_is_muted (SbPlanner *planner, const SbBuddyKey *key, SbPromptKind kind);

/* Call suggestions wait this long between two for one buddy, and
 * introductions between any two. */
#define SB_PLANNER_CALL_EVERY_S (7 * SB_DAY)
#define SB_PLANNER_INTRODUCE_EVERY_S (7 * SB_DAY)
/* A long chat: this many messages, or this many turns each way. */
#define SB_PLANNER_CALL_MESSAGES 30
#define SB_PLANNER_CALL_TURNS 10
/* An invitation suggests at most this many friends, none invited in this long. */
#define SB_PLANNER_INVITE_MAX 5
#define SB_PLANNER_INVITE_AGAIN_S (30 * SB_DAY)

/* Every pair of strong ties worth introducing at @moment, best first: never
 * seen together in a group chat, never introduced, not marked as knowing each
 * other; a shared buddy-list group or server domain raises the score.
 * GPtrArray of SbPrompt (kind SB_PROMPT_INTRODUCE, key and other); NULL with
 * @error on store failure. */
GPtrArray *sb_planner_list_introductions (SbPlanner *planner, const SbPlannerBuddy *buddies,
                                          guint n_buddies, const SbPlannerMoment *moment,
                                          GError **error);

/* The introduction to show now, or NULL: the best of the list, with the
 * manners of sb_planner_next(), when none was shown in the last week and none
 * is open. */
SbPrompt *sb_planner_next_introduction (SbPlanner *planner, const SbPlannerBuddy *buddies,
                                        guint n_buddies, const SbPlannerMoment *moment);

/* "They know each other" (or, with @introduced, "introduced them"): the pair
 * is never suggested again. */
gboolean sb_planner_mark_pair (SbPlanner *planner, const SbBuddyKey *a, const SbBuddyKey *b,
                               gboolean introduced, gint64 now, GError **error);

/* The invitation to offer as the user joins @room on (@protocol, @account),
 * or NULL when nobody fits: up to SB_PLANNER_INVITE_MAX online strong ties of
 * that account, not among @present (normalized names, NULL-terminated), not
 * invited there in SB_PLANNER_INVITE_AGAIN_S, closest first.  Presence and
 * the sign-on flood apply; the daily cap and quiet hours do not, since the
 * user has just acted. */
SbPrompt *sb_planner_invitation (SbPlanner *planner, const char *protocol, const char *account,
                                 const char *room, const char *const *present,
                                 const SbPlannerBuddy *buddies, guint n_buddies,
                                 const SbPlannerMoment *moment);

/* A room question becomes a prompt after waiting this long unanswered... */
#define SB_PLANNER_ROOM_QUESTION_WAIT_S (10 * 60)
/* ...while the user's last line in that room is at most this old. */
#define SB_PLANNER_ROOM_ACTIVE_S (30 * 60)

/* TRUE when @text (plain, markup already stripped) asks a question: its last
 * character, trailing white space aside, is "?".  Decided when the line
 * arrives; the text is not kept. */
gboolean sb_planner_text_is_question (const char *text);

/* TRUE when @question, asked by a buddy with figures @asker (NULL: no
 * history), is due at @now: unanswered, the asker a strong tie, asked at
 * least SB_PLANNER_ROOM_QUESTION_WAIT_S ago, and the user's last line in the
 * room at most SB_PLANNER_ROOM_ACTIVE_S old.  Manners aside: the prompt goes
 * through sb_planner_next() with the others (moment->questions). */
gboolean sb_planner_room_question_due (const SbPlannerRoomQuestion *question,
                                       const SbStats *asker, gint64 now);

/* How introductions and invitations worked out: pairs introduced and later
 * seen together; invitations sent and followed by the invitee joining. */
gboolean sb_planner_introduction_outcomes (SbPlanner *planner, guint *introduced, guint *met,
                                           GError **error);
gboolean sb_planner_invitation_outcomes (SbPlanner *planner, guint *invited, guint *joined,
                                         GError **error);

/* How prompts of @kind worked out (SbPromptOutcomes), from the prompt log and
 * the recorded history. */
gboolean sb_planner_outcomes (SbPlanner *planner, SbPromptKind kind, SbPromptOutcomes *out,
                              GError **error);

G_END_DECLS
