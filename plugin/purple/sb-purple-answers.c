/* sb-purple-answers.c: what the user's answer to a prompt does, and the IPC
 * calls UI plugins answer and ask with (sb-ipc.h).
 *
 * Answers (IPC "smileback-answer-prompt", or the fallback dialogs of
 * sb-purple-prompts.c) are kept by the planner in the store.  What an answer
 * does is limited on purpose (docs/design.md, "Prompts and their manners"):
 * open conversation windows, present a group chat the user is in, start a
 * call the user chose, send the group-chat invitations the user ticked.  Nothing here sends a message.
 */
#include "sb-purple-planner.h"

#include <string.h>

/* ---- answers ---------------------------------------------------------------- */

/* Opens the conversation with @to and shows, inside it only, a drafted line
 * introducing @other. */
static void
open_introduction (const SbBuddyKey *to, const SbBuddyKey *other)
{
  PurpleConversation *conv = sb_purple_key_open_conversation (to);
  g_autofree char *to_name = sb_purple_key_display_name (to);
  g_autofree char *other_name = sb_purple_key_display_name (other);
  g_autofree char *draft = NULL;

  if (conv == NULL)
    return;
  draft = sb_prompt_introduction_draft (to_name, other_name);
  /* Written into the window for the user to read, not logged, not sent. */
  purple_conversation_write (conv, NULL, draft,
                             PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_NO_LOG, time (NULL));
}

/* Sends the group-chat invitations the user ticked: only names the prompt
 * suggested. */
static void
invite_chosen (const SbPrompt *prompt, const char *const *chosen)
{
  PurpleAccount *account = sb_purple_key_find_active_account (prompt->key->protocol, prompt->key->account);
  PurpleConversation *conv;
  PurpleConnection *gc;

  if (account == NULL || chosen == NULL || prompt->room == NULL || prompt->invitees == NULL)
    return;
  conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT, prompt->room, account);
  gc = purple_account_get_connection (account);
  if (conv == NULL || gc == NULL || purple_conv_chat_has_left (PURPLE_CONV_CHAT (conv)))
    {
      purple_debug_warning ("smileback", "the room %s is gone: no invitation sent\n",
                            prompt->room);
      return;
    }
  for (guint i = 0; i < prompt->invitees->len; i++)
    {
      const SbBuddyKey *invitee = prompt->invitees->pdata[i];

      /* Recorded as SB_CHAT_INVITE_SENT by capture ("chat-invited-user"). */
      if (g_strv_contains (chosen, invitee->buddy))
        serv_chat_invite (gc, purple_conv_chat_get_id (PURPLE_CONV_CHAT (conv)), NULL,
                          invitee->buddy);
    }
}

/* "Go to the room": presents the chat the question was asked in, when the
 * user is still there.  Never joins, never sends. */
static void
present_room (const SbPrompt *prompt)
{
  PurpleAccount *account = sb_purple_key_find_active_account (prompt->key->protocol,
                                                              prompt->key->account);
  PurpleConversation *conv = NULL;

  if (account != NULL && prompt->room != NULL)
    conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT, prompt->room, account);
  if (conv == NULL || purple_conv_chat_has_left (PURPLE_CONV_CHAT (conv)))
    {
      purple_debug_info ("smileback", "the room of the question is closed: nothing to show\n");
      return;
    }
  purple_conversation_present (conv);
}

static void
act (SbPurple *ctx, const SbOpenPrompt *open, const char *const *chosen, gboolean call)
{
  const SbPrompt *prompt = open->prompt;
  g_autoptr (GError) error = NULL;
  PurpleConversation *conv;

  switch (prompt->kind)
    {
    case SB_PROMPT_REACH_OUT:
    case SB_PROMPT_REPLY_NUDGE:
    case SB_PROMPT_FOLLOW_UP:
    case SB_PROMPT_CALL:
      conv = sb_purple_key_open_conversation (prompt->key);
      /* The user chose "Call": a call they start, not a message. */
      if (conv != NULL && call && open->audio)
        purple_prpl_initiate_media (purple_conversation_get_account (conv), prompt->key->buddy,
                                    PURPLE_MEDIA_AUDIO);
      break;
    case SB_PROMPT_INTRODUCE:
      if (prompt->other == NULL)
        break;
      open_introduction (prompt->key, prompt->other);
      open_introduction (prompt->other, prompt->key);
      if (!sb_planner_mark_pair (ctx->prompts->planner, prompt->key, prompt->other, TRUE,
                                 sb_purple_now (), &error))
        purple_debug_error ("smileback", "cannot record an introduction: %s\n", error->message);
      break;
    case SB_PROMPT_INVITE:
      invite_chosen (prompt, chosen);
      break;
    case SB_PROMPT_ROOM_QUESTION:
      present_room (prompt);
      break;
    case SB_PROMPT_KIND_LAST:
      break;
    }
}

gboolean
sb_purple_planner_answer (SbPurple *ctx, gint64 id, SbPromptAnswer answer, gint64 snooze_until,
                          const char *const *chosen, gboolean call)
{
  SbOpenPrompt *open = NULL;
  gint64 *stored = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now = sb_purple_now ();

  g_return_val_if_fail (ctx != NULL, FALSE);

  if (ctx->prompts == NULL || ctx->prompts->planner == NULL
      || !g_hash_table_steal_extended (ctx->prompts->open, &id, (gpointer *) &stored,
                                       (gpointer *) &open))
    return FALSE;
  g_free (stored);
  if (open->request != NULL)
    purple_request_close (open->prompt->kind == SB_PROMPT_INVITE ? PURPLE_REQUEST_FIELDS
                                                                 : PURPLE_REQUEST_ACTION,
                          g_steal_pointer (&open->request));
  if (answer == SB_ANSWER_LATER && snooze_until <= now)
    snooze_until = now + SB_DAY;
  if (!sb_planner_answer (ctx->prompts->planner, open->prompt, answer, snooze_until, now, &error))
    purple_debug_error ("smileback", "cannot record an answer: %s\n", error->message);
  if (answer == SB_ANSWER_DONE)
    act (ctx, open, chosen, call);
  sb_purple_open_prompt_free (open);
  return TRUE;
}

/* ---- IPC -------------------------------------------------------------------- */

static gboolean
ipc_answer_prompt (const SbIpcAnswer *answer, gpointer unused)
{
  SbPurple *ctx = sb_purple_get ();

  if (ctx == NULL || answer == NULL || answer->answer <= SB_ANSWER_NONE
      || answer->answer > SB_ANSWER_DISMISSED)
    return FALSE;
  /* A UI that answers shows prompts itself; it starts a call on its own. */
  ctx->prompts->ui_shows = TRUE;
  return sb_purple_planner_answer (ctx, answer->id, answer->answer, answer->snooze_until,
                                   answer->chosen, FALSE);
}

static GPtrArray *
ipc_list_due (gpointer unused)
{
  SbPurple *ctx = sb_purple_get ();

  return ctx != NULL ? sb_purple_planner_list_due (ctx) : NULL;
}

static gboolean
ipc_know_each_other (PurpleBlistNode *a, PurpleBlistNode *b, gpointer unused)
{
  SbPurple *ctx = sb_purple_get ();
  g_autoptr (GPtrArray) keys_a = NULL;
  g_autoptr (GPtrArray) keys_b = NULL;
  gboolean ok = TRUE;

  if (ctx == NULL || a == NULL || b == NULL)
    return FALSE;
  keys_a = sb_purple_keys_for_node (a);
  keys_b = sb_purple_keys_for_node (b);
  if (keys_a->len == 0 || keys_b->len == 0)
    return FALSE;
  for (guint i = 0; i < keys_a->len; i++)
    for (guint j = 0; j < keys_b->len; j++)
      {
        g_autoptr (GError) error = NULL;

        if (!sb_planner_mark_pair (ctx->prompts->planner, keys_a->pdata[i], keys_b->pdata[j],
                                   FALSE, sb_purple_now (), &error))
          {
            purple_debug_error ("smileback", "cannot record a pair: %s\n", error->message);
            ok = FALSE;
          }
      }
  return ok;
}

static gboolean
ipc_get_outcomes (SbIpcOutcomes *out, gpointer unused)
{
  SbPurple *ctx = sb_purple_get ();
  g_autoptr (GError) error = NULL;
  SbPlanner *planner;

  if (ctx == NULL || out == NULL)
    return FALSE;
  memset (out, 0, sizeof *out);
  planner = ctx->prompts->planner;
  if (!sb_planner_outcomes (planner, SB_PROMPT_REACH_OUT, &out->reach_out, &error)
      || !sb_planner_outcomes (planner, SB_PROMPT_REPLY_NUDGE, &out->reply_nudge, &error)
      || !sb_planner_introduction_outcomes (planner, &out->introduced, &out->introduced_met,
                                            &error)
      || !sb_planner_invitation_outcomes (planner, &out->invited, &out->invited_joined, &error))
    {
      purple_debug_error ("smileback", "cannot read outcomes: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

static void
ipc_plan_now (gpointer unused)
{
  SbPurple *ctx = sb_purple_get ();

  if (ctx != NULL)
    sb_purple_planner_plan_now (ctx);
}

/* libpurple has no marshaller for pointer (void). */
static void
marshal_POINTER__VOID (PurpleCallback cb, va_list args, void *data, void **return_val)
{
  gpointer ret = ((gpointer (*) (gpointer)) cb) (data);

  if (return_val != NULL)
    *return_val = ret;
}

void
sb_purple_answers_init (SbPurple *ctx)
{
  PurplePlugin *plugin = ctx->plugin;

  purple_plugin_ipc_register (plugin, SB_IPC_ANSWER_PROMPT, PURPLE_CALLBACK (ipc_answer_prompt),
                              purple_marshal_BOOLEAN__POINTER,
                              purple_value_new (PURPLE_TYPE_BOOLEAN), 1,
                              purple_value_new (PURPLE_TYPE_POINTER));
  purple_plugin_ipc_register (plugin, SB_IPC_LIST_DUE, PURPLE_CALLBACK (ipc_list_due),
                              marshal_POINTER__VOID, purple_value_new (PURPLE_TYPE_POINTER), 0);
  purple_plugin_ipc_register (plugin, SB_IPC_KNOW_EACH_OTHER,
                              PURPLE_CALLBACK (ipc_know_each_other),
                              purple_marshal_BOOLEAN__POINTER_POINTER,
                              purple_value_new (PURPLE_TYPE_BOOLEAN), 2,
                              purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_BLIST_NODE),
                              purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_BLIST_NODE));
  purple_plugin_ipc_register (plugin, SB_IPC_GET_OUTCOMES, PURPLE_CALLBACK (ipc_get_outcomes),
                              purple_marshal_BOOLEAN__POINTER,
                              purple_value_new (PURPLE_TYPE_BOOLEAN), 1,
                              purple_value_new (PURPLE_TYPE_POINTER));
  purple_plugin_ipc_register (plugin, SB_IPC_PLAN_NOW, PURPLE_CALLBACK (ipc_plan_now),
                              purple_marshal_VOID, NULL, 0);
}

void
sb_purple_answers_shutdown (SbPurple *ctx)
{
  PurplePlugin *plugin = ctx->plugin;

  purple_plugin_ipc_unregister (plugin, SB_IPC_ANSWER_PROMPT);
  purple_plugin_ipc_unregister (plugin, SB_IPC_LIST_DUE);
  purple_plugin_ipc_unregister (plugin, SB_IPC_KNOW_EACH_OTHER);
  purple_plugin_ipc_unregister (plugin, SB_IPC_GET_OUTCOMES);
  purple_plugin_ipc_unregister (plugin, SB_IPC_PLAN_NOW);
}
