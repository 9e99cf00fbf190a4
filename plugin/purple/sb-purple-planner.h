/* sb-purple-planner.h: what the prompt files of core-smileback share:
 * the planner on the ledger's store (sb-purple-planner.c), how
 * its prompts reach the user (sb-purple-prompts.c: the "smileback-prompt"
 * signal, else purple_request_*), and the log import (sb-purple-import.c).
 *
 * Open prompts are kept by id (SbPrompt.id, set by sb_planner_shown) until
 * the user answers or they stop standing; a prompt shown through the fallback
 * dialog keeps its request handle so it can be closed.
 */
#pragma once

#include "sb-purple-private.h"

G_BEGIN_DECLS

/* Preferences of the prompts, under SB_PREF_ROOT (its callback sees them too
 * and ignores them: they are read at every planning run). */
#define SB_PREF_PROMPTS SB_PREF_ROOT "/prompts"
#define SB_PREF_MAX_PER_DAY SB_PREF_PROMPTS "/max_per_day"
#define SB_PREF_QUIET_START SB_PREF_PROMPTS "/quiet_start_minute"
#define SB_PREF_QUIET_END SB_PREF_PROMPTS "/quiet_end_minute"
#define SB_PREF_FOLLOW_UP SB_PREF_PROMPTS "/follow_up"
/* Seconds after an account signs on during which nothing is prompted (the
 * sign-on flood of presences and offline messages). */
#define SB_PREF_SIGNON_QUIET_S SB_PREF_PROMPTS "/signon_quiet_s"
/* Seconds between two planning runs. */
#define SB_PREF_PLAN_EVERY_S SB_PREF_PROMPTS "/plan_every_s"
/* Milliseconds between joining a group chat and planning its invitation, so
 * the members already there are listed (XMPP sends them after the join). */
#define SB_PREF_INVITE_DELAY_MS SB_PREF_PROMPTS "/invite_delay_ms"
/* The log import: 0 never offered or unfinished, 1 declined, 2 done. */
#define SB_PREF_IMPORT_STATE SB_PREF_ROOT "/import_state"

typedef enum
{
  SB_IMPORT_STATE_NONE = 0,
  SB_IMPORT_STATE_DECLINED = 1,
  SB_IMPORT_STATE_DONE = 2,
} SbImportState;

typedef struct
{
  SbPrompt *prompt;  /* owned */
  gpointer request;  /* the fallback dialog's handle while open, else NULL */
  gboolean audio;    /* a call prompt: the protocol reports audio for the buddy */
} SbOpenPrompt;

struct _SbPurplePrompts
{
  SbPlanner *planner;
  GHashTable *open;   /* gint64 * id -> SbOpenPrompt * */
  guint plan_id;      /* the periodic run */
  guint soon_id;      /* one run once the sign-on quiet time is over, or once a
                         room question may be due */
  gint64 quiet_until; /* UTC seconds */
  GList *invitations; /* pending SbPendingInvitation * (sb-purple-planner.c) */
  gboolean ui_shows;  /* a UI plugin took a prompt or the import offer */
};

/* sb-purple-planner.c */

/* Plans now, every manner applied (the timer's run, "smileback-plan-now"). */
void sb_purple_planner_plan_now (SbPurple *ctx);

/* Frees @open and its prompt (the open table's value destroy). */
void sb_purple_open_prompt_free (SbOpenPrompt *open);

/* sb-purple-answers.c */

/* Registers and unregisters the IPC calls of prompts (answer, due list, "they
 * know each other", outcomes, plan now). */
void sb_purple_answers_init (SbPurple *ctx);
void sb_purple_answers_shutdown (SbPurple *ctx);

/* The user's answer to the open prompt @id: records it and does what it
 * implies (opens conversations, invites exactly @chosen, starts a call when
 * @call and the prompt is a call prompt with audio).  Never sends a message.
 * FALSE when @id is not open. */
gboolean sb_purple_planner_answer (SbPurple *ctx, gint64 id, SbPromptAnswer answer,
                                   gint64 snooze_until, const char *const *chosen,
                                   gboolean call);

/* Every prompt due now, manners aside (the "Who should I reach out to?"
 * list).  GPtrArray of SbPrompt; caller unrefs. */
GPtrArray *sb_purple_planner_list_due (SbPurple *ctx);

/* sb-purple-prompts.c */

/* Shows @open: emits SB_SIGNAL_PROMPT and, when no UI handler returns TRUE,
 * asks with purple_request_action() (purple_request_fields() for an
 * invitation's check boxes).  @open stays in ctx->prompts->open. */
void sb_purple_prompts_show (SbPurple *ctx, SbOpenPrompt *open);

/* Removes @open from the user's sight: emits SB_SIGNAL_PROMPT_WITHDRAWN and
 * closes its fallback dialog. */
void sb_purple_prompts_withdraw (SbPurple *ctx, SbOpenPrompt *open);

/* The translated line describing @prompt in the due list (HTML, escaped:
 * sb_prompt_wording_markup()).  Caller frees. */
char *sb_purple_prompts_describe (const SbPrompt *prompt, gint64 now);

/* sb-purple-import.c */

/* "Import Pidgin logs…": starts the import of the profile's logs folder
 * (or says it is already running). */
void sb_purple_import_action (SbPurple *ctx);

G_END_DECLS
