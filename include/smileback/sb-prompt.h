/* sb-prompt.h: one prompt and its words (docs/design.md, "Prompts and their manners").
 *
 * A prompt is what the planner (sb-planner.h) chose to put before the user: a
 * kind, the buddy it is about, and what the kind needs (a second friend, a
 * room, the friends to invite).  Its wording lives here, once: the core plugin
 * asks with it through purple_request_action() and the Pidgin plugin puts it
 * in a mini-dialog, so Finch and Pidgin say the same thing.
 *
 * Pure (GLib only).  Every text is translated and plain (not markup): a UI
 * that shows markup escapes it.  The two functions that return markup say so
 * and escape the names they insert.
 */
#pragma once

#include <glib.h>
#include "sb-buddy-key.h"

G_BEGIN_DECLS

typedef enum
{
  SB_PROMPT_REACH_OUT = 0,
  SB_PROMPT_REPLY_NUDGE = 1,
  SB_PROMPT_FOLLOW_UP = 2,
  SB_PROMPT_CALL = 3,
  SB_PROMPT_INTRODUCE = 4,
  SB_PROMPT_INVITE = 5,
  SB_PROMPT_ROOM_QUESTION = 6, /* a strong tie's question unanswered in an open room */
  SB_PROMPT_KIND_LAST
} SbPromptKind;

typedef enum
{
  SB_ANSWER_NONE = 0,
  SB_ANSWER_DONE = 1,          /* the primary action ("Say hi") */
  SB_ANSWER_LATER = 2,         /* snoozed (until the time given) */
  SB_ANSWER_MUTE = 3,          /* "Not for NAME": no more prompts of this kind */
  SB_ANSWER_DISMISSED = 4,     /* closed without an answer */
} SbPromptAnswer;

/* One prompt the planner chose.  Owned by the caller: sb_prompt_free(). */
typedef struct
{
  gint64 id;             /* once shown, its id in the prompt log (provisional, < 0, in the
                          * session that showed it: sb_store_log_prompt()), else 0 */
  SbPromptKind kind;
  SbBuddyKey *key;
  double score;          /* higher first */
  gboolean online;       /* the buddy was online when planned */
  gint64 since;          /* last contact (reach out), the buddy's unanswered start (nudge),
                            the user's unanswered start (follow-up), the question (room
                            question) */
  gint64 due_s;          /* reach out: the due interval used; else the wait that triggered it */
  SbBuddyKey *other;     /* introduce: the second friend; else NULL */
  char *room;            /* invite, room question: the normalized room; else NULL */
  GPtrArray *invitees;   /* invite: SbBuddyKey * to suggest, best first; else NULL */
} SbPrompt;

/* A deep copy of @prompt (keys, room, invitees). */
SbPrompt *sb_prompt_copy (const SbPrompt *prompt);
/* NULL-safe. */
void sb_prompt_free (SbPrompt *prompt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbPrompt, sb_prompt_free)

/* TRUE for SB_PROMPT_REACH_OUT .. SB_PROMPT_ROOM_QUESTION. */
gboolean sb_prompt_kind_is_valid (SbPromptKind kind);

/* How prompts of one kind worked out: shown, acted on (the user wrote to the
 * buddy within an hour), smiled back (that conversation was answered). */
typedef struct
{
  guint shown;
  guint acted;
  guint smiled_back;
} SbPromptOutcomes;

/* ---- words ------------------------------------------------------------------ */

/* What the UI knows that the prompt does not: the names the user knows the
 * two buddies by (the buddy-list alias), whether the protocol has audio for a
 * call, and "now". */
typedef struct
{
  const char *name;       /* prompt->key's buddy; NULL: key->buddy */
  const char *other_name; /* an introduction's second friend; NULL: other->buddy */
  gboolean audio;         /* a call prompt: "Call" rather than "Plan a call" */
  gint64 now;             /* UTC seconds */
} SbPromptScene;

/* The words of one prompt, plain text, translated. */
typedef struct
{
  char *title;     /* the question: "Reach out to Ann?" */
  char *text;      /* why it is asked */
  char *primary;   /* the primary action's button: "Say hi", "Reply", "Go to the room"... */
  char *mute;      /* "Not for Ann"; NULL for an introduction or an invitation */
} SbPromptWording;

/* The words of @prompt in @scene; NULL for an invalid kind.  Free with
 * sb_prompt_wording_free(). */
SbPromptWording *sb_prompt_wording_new (const SbPrompt *prompt, const SbPromptScene *scene);
/* NULL-safe. */
void sb_prompt_wording_free (SbPromptWording *wording);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbPromptWording, sb_prompt_wording_free)

/* The buttons every prompt shares, beside its primary action and "Not for
 * NAME". */
typedef enum
{
  SB_PROMPT_BUTTON_LATER = 0,       /* snooze; then the choice of when */
  SB_PROMPT_BUTTON_TOMORROW,        /* snooze for a day */
  SB_PROMPT_BUTTON_NEXT_WEEK,       /* snooze for a week */
  SB_PROMPT_BUTTON_NOT_NOW,         /* close without an answer */
  SB_PROMPT_BUTTON_KNOW_EACH_OTHER, /* an introduction: never suggest the pair again */
  SB_PROMPT_BUTTON_LAST
} SbPromptButton;

/* The translated label of @button (static, "" for an invalid one). */
const char *sb_prompt_button_label (SbPromptButton button);

/* The days @button snoozes a prompt for: 1 for "Tomorrow", 7 for "Next
 * week", 0 for the others. */
int sb_prompt_button_snooze_days (SbPromptButton button);

/* Why a due prompt of @kind puts its buddy in the "Who should I reach out
 * to?" list of a window, translated: "reach out", "waiting for your reply",
 * "no answer yet", "a call?"; NULL for the kinds that are not about one
 * buddy (introduction, invitation, room question).  Static, never free. */
const char *sb_prompt_due_reason (SbPromptKind kind);

/* How long @prompt of that list is overdue at @now, in seconds: only a
 * reach-out has a due date; -1 for the others, which show since when they
 * wait (prompt->since). */
gint64 sb_prompt_overdue_s (const SbPrompt *prompt, gint64 now);

/* The title of the choice "Later" leads to: "Remind me again...". */
const char *sb_prompt_snooze_title (void);

/* The label of an invitee's check box: @name, or "@name (@buddy)" when the
 * alias differs from the buddy name.  Plain text.  Caller frees. */
char *sb_prompt_invitee_label (const char *name, const char *buddy);

/* One line for the "Who should I reach out to?" list: the title in bold and
 * the text, as markup (names escaped).  Caller frees. */
char *sb_prompt_wording_markup (const SbPromptWording *wording);

/* The drafted introduction of @other_name shown in the conversation with
 * @to_name, as markup (names escaped): a line the user may copy, never sent.
 * Caller frees. */
char *sb_prompt_introduction_draft (const char *to_name, const char *other_name);

G_END_DECLS
