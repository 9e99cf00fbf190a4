/* sb-purple-prompts.c: how core-smileback's prompts reach the user.
 *
 * Each prompt is first offered to UI plugins through the "smileback-prompt"
 * signal (sb-ipc.h); a UI that shows it (Pidgin's buddy-list mini-dialogs)
 * returns TRUE and reports the answer through "smileback-answer-prompt".
 * When none does (Finch, any other libpurple UI), the prompt is asked here
 * with purple_request_action(), with the same choices: the primary action,
 * "Tomorrow", "Next week", "Not for NAME", "Not now"; an introduction offers
 * "Introduce", "They know each other", "Next week", "Not now"; an invitation
 * uses purple_request_fields() for one check box per friend, none ticked.
 * The words are the core's (sb-prompt.h), the same Pidgin shows; this file
 * only resolves the names and picks the request.  Also the due list's lines.
 */
#include "sb-purple-planner.h"

#include <glib/gi18n-lib.h>

typedef struct
{
  SbPromptAnswer answer;
  int snooze_days;
  gboolean call;        /* the primary action of a call prompt */
  gboolean know;        /* "They know each other" */
} Choice;

/* The fallback dialog's choices, in order, for every kind but introductions
 * and invitations. */
static const Choice buddy_choices[] = {
  { SB_ANSWER_DONE, 0, TRUE, FALSE },
  { SB_ANSWER_LATER, 1, FALSE, FALSE },
  { SB_ANSWER_LATER, 7, FALSE, FALSE },
  { SB_ANSWER_MUTE, 0, FALSE, FALSE },
  { SB_ANSWER_DISMISSED, 0, FALSE, FALSE },
};

static const Choice introduction_choices[] = {
  { SB_ANSWER_DONE, 0, FALSE, FALSE },
  { SB_ANSWER_DISMISSED, 0, FALSE, TRUE },
  { SB_ANSWER_LATER, 7, FALSE, FALSE },
  { SB_ANSWER_DISMISSED, 0, FALSE, FALSE },
};

static void
choice_cb (SbOpenPrompt *open, int index)
{
  SbPurple *ctx = sb_purple_get ();
  gboolean introduction = open->prompt->kind == SB_PROMPT_INTRODUCE;
  const Choice *choices = introduction ? introduction_choices : buddy_choices;
  gsize n = introduction ? G_N_ELEMENTS (introduction_choices) : G_N_ELEMENTS (buddy_choices);
  gint64 id = open->prompt->id;
  const Choice *choice;

  if (ctx == NULL || index < 0 || (gsize) index >= n)
    return;
  choice = &choices[index];
  open->request = NULL; /* the UI closes its own dialog */
  if (choice->know && open->prompt->other != NULL)
    {
      g_autoptr (GError) error = NULL;

      if (!sb_planner_mark_pair (ctx->prompts->planner, open->prompt->key, open->prompt->other,
                                 FALSE, sb_purple_now (), &error))
        purple_debug_error ("smileback", "cannot record a pair: %s\n", error->message);
    }
  sb_purple_planner_answer (ctx, id, choice->answer,
                            sb_purple_now () + (gint64) choice->snooze_days * SB_DAY, NULL,
                            choice->call);
}

char *
sb_purple_prompts_describe (const SbPrompt *prompt, gint64 now)
{
  g_autoptr (SbPromptWording) words = NULL;

  g_return_val_if_fail (prompt != NULL, NULL);
  words = sb_purple_prompt_wording (prompt, FALSE, now);
  return words != NULL ? sb_prompt_wording_markup (words) : g_strdup ("");
}

/* ---- the fallback dialogs ---------------------------------------------------- */

static void
invite_ok_cb (SbOpenPrompt *open, PurpleRequestFields *fields)
{
  SbPurple *ctx = sb_purple_get ();
  g_autoptr (GPtrArray) chosen = g_ptr_array_new ();
  gint64 id = open->prompt->id;

  if (ctx == NULL)
    return;
  open->request = NULL;
  for (guint i = 0; i < open->prompt->invitees->len; i++)
    {
      const SbBuddyKey *invitee = open->prompt->invitees->pdata[i];

      if (purple_request_fields_get_bool (fields, invitee->buddy))
        g_ptr_array_add (chosen, invitee->buddy);
    }
  g_ptr_array_add (chosen, NULL);
  sb_purple_planner_answer (ctx, id, chosen->len > 1 ? SB_ANSWER_DONE : SB_ANSWER_DISMISSED, 0,
                            (const char *const *) chosen->pdata, FALSE);
}

static void
invite_cancel_cb (SbOpenPrompt *open, PurpleRequestFields *fields)
{
  SbPurple *ctx = sb_purple_get ();

  if (ctx == NULL)
    return;
  open->request = NULL;
  sb_purple_planner_answer (ctx, open->prompt->id, SB_ANSWER_DISMISSED, 0, NULL, FALSE);
}

static gpointer
request_invitation (SbPurple *ctx, SbOpenPrompt *open, const SbPromptWording *words,
                    PurpleAccount *account)
{
  PurpleRequestFields *fields = purple_request_fields_new ();
  PurpleRequestFieldGroup *group = purple_request_field_group_new (NULL);

  purple_request_fields_add_group (fields, group);
  for (guint i = 0; i < open->prompt->invitees->len; i++)
    {
      const SbBuddyKey *invitee = open->prompt->invitees->pdata[i];
      g_autofree char *name = sb_purple_key_display_name (invitee);
      g_autofree char *label = sb_prompt_invitee_label (name, invitee->buddy);

      purple_request_field_group_add_field (group, purple_request_field_bool_new (invitee->buddy,
                                                                                 label, FALSE));
    }
  return purple_request_fields (ctx->plugin, _("Smile Back"), words->title, words->text, fields,
                                words->primary, G_CALLBACK (invite_ok_cb),
                                sb_prompt_button_label (SB_PROMPT_BUTTON_NOT_NOW),
                                G_CALLBACK (invite_cancel_cb), account, NULL, NULL, open);
}

static gpointer
request_introduction (SbPurple *ctx, SbOpenPrompt *open, const SbPromptWording *words,
                      PurpleAccount *account)
{
  PurpleRequestActionCb cb = (PurpleRequestActionCb) choice_cb;

  return purple_request_action (ctx->plugin, _("Smile Back"), words->title, words->text, 0,
                                account, NULL, NULL, open, G_N_ELEMENTS (introduction_choices),
                                words->primary, cb,
                                sb_prompt_button_label (SB_PROMPT_BUTTON_KNOW_EACH_OTHER), cb,
                                sb_prompt_button_label (SB_PROMPT_BUTTON_NEXT_WEEK), cb,
                                sb_prompt_button_label (SB_PROMPT_BUTTON_NOT_NOW), cb);
}

static gpointer
request_choices (SbPurple *ctx, SbOpenPrompt *open, const SbPromptWording *words,
                 PurpleAccount *account)
{
  PurpleRequestActionCb cb = (PurpleRequestActionCb) choice_cb;

  return purple_request_action (ctx->plugin, _("Smile Back"), words->title, words->text, 0,
                                account, open->prompt->key->buddy, NULL, open,
                                G_N_ELEMENTS (buddy_choices), words->primary, cb,
                                sb_prompt_button_label (SB_PROMPT_BUTTON_TOMORROW), cb,
                                sb_prompt_button_label (SB_PROMPT_BUTTON_NEXT_WEEK), cb,
                                words->mute, cb,
                                sb_prompt_button_label (SB_PROMPT_BUTTON_NOT_NOW), cb);
}

/* Asks @open's question with libpurple's request API, the way every UI can. */
static gpointer
request_prompt (SbPurple *ctx, SbOpenPrompt *open)
{
  g_autoptr (SbPromptWording) words = sb_purple_prompt_wording (open->prompt, open->audio,
                                                                sb_purple_now ());
  PurpleAccount *account = sb_purple_key_find_active_account (open->prompt->key->protocol,
                                                              open->prompt->key->account);

  if (words == NULL)
    return NULL;
  switch (open->prompt->kind)
    {
    case SB_PROMPT_INVITE:
      return request_invitation (ctx, open, words, account);
    case SB_PROMPT_INTRODUCE:
      return request_introduction (ctx, open, words, account);
    default:
      return request_choices (ctx, open, words, account);
    }
}

void
sb_purple_prompts_show (SbPurple *ctx, SbOpenPrompt *open)
{
  gint64 id;
  gpointer request;

  g_return_if_fail (ctx != NULL && open != NULL && open->prompt != NULL);
  id = open->prompt->id;

  if (GPOINTER_TO_INT (purple_signal_emit_return_1 (ctx->plugin, SB_SIGNAL_PROMPT, open->prompt)))
    {
      ctx->prompts->ui_shows = TRUE;
      return;
    }
  request = request_prompt (ctx, open);
  /* A UI may answer at once, inside the call: @open is then gone. */
  open = g_hash_table_lookup (ctx->prompts->open, &id);
  if (open != NULL)
    open->request = request;
}

void
sb_purple_prompts_withdraw (SbPurple *ctx, SbOpenPrompt *open)
{
  g_return_if_fail (ctx != NULL && open != NULL);
  purple_signal_emit (ctx->plugin, SB_SIGNAL_PROMPT_WITHDRAWN, open->prompt);
  if (open->request != NULL)
    purple_request_close (open->prompt->kind == SB_PROMPT_INVITE ? PURPLE_REQUEST_FIELDS
                                                                 : PURPLE_REQUEST_ACTION,
                          g_steal_pointer (&open->request));
}
