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
 * Also the texts of the due list and of a drafted introduction.
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

      if (!sb_planner_mark_pair (ctx->planner->planner, open->prompt->key, open->prompt->other,
                                 FALSE, sb_purple_now (), &error))
        purple_debug_error ("smileback", "cannot record a pair: %s\n", error->message);
    }
  sb_purple_planner_answer (ctx, id, choice->answer,
                            sb_purple_now () + (gint64) choice->snooze_days * SB_DAY, NULL,
                            choice->call);
}

/* Whole days (at least one) since @since. */
static int
days_since (gint64 since, gint64 now)
{
  return (int) MAX ((now - since) / SB_DAY, 1);
}

/* The question of @prompt: title line (*primary) and explanation, both
 * translated, names not escaped (request dialogs show plain text). */
static void
describe_plain (const SbPrompt *prompt, gint64 now, char **primary, char **secondary)
{
  g_autofree char *name = sb_purple_display_name (prompt->key);
  int days = days_since (prompt->since, now);
  int hours = (int) MAX ((now - prompt->since) / 3600, 1);

  switch (prompt->kind)
    {
    case SB_PROMPT_REACH_OUT:
      /* TRANSLATORS: %s is a buddy's name */
      *primary = g_strdup_printf (_("Reach out to %s?"), name);
      /* TRANSLATORS: %d is a number of days */
      *secondary = g_strdup_printf (ngettext ("You have not been in touch for %d day. "
                                              "A short hello is enough.",
                                              "You have not been in touch for %d days. "
                                              "A short hello is enough.",
                                              days),
                                    days);
      break;
    case SB_PROMPT_REPLY_NUDGE:
      /* TRANSLATORS: %s is a buddy's name */
      *primary = g_strdup_printf (_("Reply to %s?"), name);
      /* TRANSLATORS: %d is a number of hours */
      *secondary = g_strdup_printf (ngettext ("They wrote %d hour ago and wait for your answer.",
                                              "They wrote %d hours ago and wait for your answer.",
                                              hours),
                                    hours);
      break;
    case SB_PROMPT_FOLLOW_UP:
      /* TRANSLATORS: %s is a buddy's name */
      *primary = g_strdup_printf (_("Follow up with %s?"), name);
      /* TRANSLATORS: %d is a number of days */
      *secondary = g_strdup_printf (ngettext ("You wrote %d day ago, no answer yet.",
                                              "You wrote %d days ago, no answer yet.", days),
                                    days);
      break;
    case SB_PROMPT_CALL:
      /* TRANSLATORS: %s is a buddy's name */
      *primary = g_strdup_printf (_("Take it to a call with %s?"), name);
      *secondary = g_strdup (_("You have been chatting a lot: a call may be easier."));
      break;
    case SB_PROMPT_INTRODUCE:
      {
        g_autofree char *other = prompt->other != NULL ? sb_purple_display_name (prompt->other)
                                                       : g_strdup ("");

        /* TRANSLATORS: both %s are buddies' names */
        *primary = g_strdup_printf (_("Introduce %s and %s?"), name, other);
        *secondary = g_strdup (_("Both are close friends of yours and have never been seen "
                                 "together.  Introducing opens a conversation with each; "
                                 "nothing is sent."));
      }
      break;
    case SB_PROMPT_INVITE:
      /* TRANSLATORS: %s is a group chat's name */
      *primary = g_strdup_printf (_("Invite friends to %s?"), prompt->room);
      *secondary = g_strdup (_("These close friends are online and not in the room.  Only the "
                               "ones you tick are invited."));
      break;
    case SB_PROMPT_KIND_LAST:
    default:
      *primary = g_strdup ("");
      *secondary = g_strdup ("");
      break;
    }
}

char *
sb_purple_prompts_describe (const SbPrompt *prompt, gint64 now)
{
  g_autofree char *primary = NULL;
  g_autofree char *secondary = NULL;
  g_autofree char *escaped_primary = NULL;
  g_autofree char *escaped_secondary = NULL;

  describe_plain (prompt, now, &primary, &secondary);
  escaped_primary = g_markup_escape_text (primary, -1);
  escaped_secondary = g_markup_escape_text (secondary, -1);
  return g_strdup_printf ("<b>%s</b> %s", escaped_primary, escaped_secondary);
}

char *
sb_purple_prompts_introduction_draft (const char *to, const char *other)
{
  g_autofree char *to_escaped = g_markup_escape_text (to, -1);
  g_autofree char *other_escaped = g_markup_escape_text (other, -1);

  /* TRANSLATORS: shown in the conversation window only, never sent; the first
   * %s is the buddy of this conversation, the second the friend introduced */
  return g_strdup_printf (_("Smile Back: to introduce them, you could write \342\200\234Hi %s! "
                            "I'd like you to meet %s, a friend of mine: I think you two would "
                            "get along.\342\200\235 Nothing has been sent."),
                          to_escaped, other_escaped);
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
request_invitation (SbPurple *ctx, SbOpenPrompt *open, const char *primary, const char *secondary,
                    PurpleAccount *account)
{
  PurpleRequestFields *fields = purple_request_fields_new ();
  PurpleRequestFieldGroup *group = purple_request_field_group_new (NULL);

  purple_request_fields_add_group (fields, group);
  for (guint i = 0; i < open->prompt->invitees->len; i++)
    {
      const SbBuddyKey *invitee = open->prompt->invitees->pdata[i];
      g_autofree char *name = sb_purple_display_name (invitee);

      purple_request_field_group_add_field (group, purple_request_field_bool_new (invitee->buddy,
                                                                                 name, FALSE));
    }
  return purple_request_fields (ctx->plugin, _("Smile Back"), primary, secondary, fields,
                                /* TRANSLATORS: button: invite the ticked friends */
                                _("Invite"), G_CALLBACK (invite_ok_cb),
                                /* TRANSLATORS: button: close without inviting */
                                _("Not now"), G_CALLBACK (invite_cancel_cb), account, NULL, NULL,
                                open);
}

static gpointer
request_choices (SbPurple *ctx, SbOpenPrompt *open, const char *primary, const char *secondary,
                 PurpleAccount *account)
{
  PurpleRequestActionCb cb = (PurpleRequestActionCb) choice_cb;
  const SbPrompt *prompt = open->prompt;

  if (prompt->kind == SB_PROMPT_INTRODUCE)
    return purple_request_action (ctx->plugin, _("Smile Back"), primary, secondary, 0, account,
                                  NULL, NULL, open, G_N_ELEMENTS (introduction_choices),
                                  /* TRANSLATORS: button: open a conversation with each */
                                  _("Introduce"), cb,
                                  /* TRANSLATORS: button: never suggest this pair again */
                                  _("They know each other"), cb,
                                  /* TRANSLATORS: button: ask again in a week */
                                  _("Next week"), cb,
                                  /* TRANSLATORS: button: close the question */
                                  _("Not now"), cb);
  else
    {
      g_autofree char *name = sb_purple_display_name (prompt->key);
      /* TRANSLATORS: button: no more prompts of this kind for the buddy %s */
      g_autofree char *mute = g_strdup_printf (_("Not for %s"), name);
      const char *primary_label;

      switch (prompt->kind)
        {
        case SB_PROMPT_REPLY_NUDGE:
          /* TRANSLATORS: button: opens the conversation to answer */
          primary_label = _("Reply");
          break;
        case SB_PROMPT_FOLLOW_UP:
          /* TRANSLATORS: button: opens the conversation */
          primary_label = _("Follow up");
          break;
        case SB_PROMPT_CALL:
          /* TRANSLATORS: buttons: start an audio call, or open the conversation to plan one */
          primary_label = open->audio ? _("Call") : _("Plan a call");
          break;
        default:
          /* TRANSLATORS: button: opens the conversation; nothing is sent */
          primary_label = _("Say hi");
          break;
        }
      return purple_request_action (ctx->plugin, _("Smile Back"), primary, secondary, 0, account,
                                    prompt->key->buddy, NULL, open, G_N_ELEMENTS (buddy_choices),
                                    primary_label, cb,
                                    /* TRANSLATORS: button: ask again tomorrow */
                                    _("Tomorrow"), cb,
                                    /* TRANSLATORS: button: ask again in a week */
                                    _("Next week"), cb, mute, cb,
                                    /* TRANSLATORS: button: close the question */
                                    _("Not now"), cb);
    }
}

void
sb_purple_prompts_show (SbPurple *ctx, SbOpenPrompt *open)
{
  g_autofree char *primary = NULL;
  g_autofree char *secondary = NULL;
  PurpleAccount *account;
  gint64 id = open->prompt->id;
  gpointer request;

  if (GPOINTER_TO_INT (purple_signal_emit_return_1 (ctx->plugin, SB_SIGNAL_PROMPT, open->prompt)))
    {
      ctx->planner->ui_shows = TRUE;
      return;
    }
  describe_plain (open->prompt, sb_purple_now (), &primary, &secondary);
  account = sb_purple_find_account (open->prompt->key);
  request = open->prompt->kind == SB_PROMPT_INVITE
              ? request_invitation (ctx, open, primary, secondary, account)
              : request_choices (ctx, open, primary, secondary, account);
  /* A UI may answer at once, inside the call: @open is then gone. */
  open = g_hash_table_lookup (ctx->planner->open, &id);
  if (open != NULL)
    open->request = request;
}

void
sb_purple_prompts_withdraw (SbPurple *ctx, SbOpenPrompt *open)
{
  purple_signal_emit (ctx->plugin, SB_SIGNAL_PROMPT_WITHDRAWN, open->prompt);
  if (open->request != NULL)
    purple_request_close (open->prompt->kind == SB_PROMPT_INVITE ? PURPLE_REQUEST_FIELDS
                                                                 : PURPLE_REQUEST_ACTION,
                          g_steal_pointer (&open->request));
}
