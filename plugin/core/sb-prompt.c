/* sb-prompt.c: a prompt, its copy, and what it says.
 *
 * Each kind has one function writing its title, text and primary button, so
 * a wording is found by its kind's name.  The texts are plain: the Pidgin
 * plugin's mini-dialog escapes its title and text itself, and the two markup
 * helpers at the end escape every name they insert.  See sb-prompt.h.
 */
#include "smileback/sb-prompt.h"
#include "smileback/sb-hint.h"

#include <glib/gi18n-lib.h>

SbPrompt *
sb_prompt_copy (const SbPrompt *prompt)
{
  SbPrompt *copy;

  g_return_val_if_fail (prompt != NULL, NULL);
  copy = g_new (SbPrompt, 1);
  *copy = *prompt;
  copy->key = prompt->key != NULL ? sb_buddy_key_copy (prompt->key) : NULL;
  copy->other = prompt->other != NULL ? sb_buddy_key_copy (prompt->other) : NULL;
  copy->room = g_strdup (prompt->room);
  copy->invitees = NULL;
  if (prompt->invitees != NULL)
    {
      copy->invitees = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_buddy_key_free);
      for (guint i = 0; i < prompt->invitees->len; i++)
        g_ptr_array_add (copy->invitees, sb_buddy_key_copy (g_ptr_array_index (prompt->invitees, i)));
    }
  return copy;
}

void
sb_prompt_free (SbPrompt *prompt)
{
  if (prompt == NULL)
    return;
  sb_buddy_key_free (prompt->key);
  sb_buddy_key_free (prompt->other);
  g_free (prompt->room);
  g_clear_pointer (&prompt->invitees, g_ptr_array_unref);
  g_free (prompt);
}

gboolean
sb_prompt_kind_is_valid (SbPromptKind kind)
{
  return kind >= SB_PROMPT_REACH_OUT && kind < SB_PROMPT_KIND_LAST;
}

/* ---- one function per kind -------------------------------------------------- */

/* What the kind functions are given: the names already resolved, the time
 * since the prompt's moment already said ("6 weeks ago"). */
typedef struct
{
  const char *name;
  const char *other_name;
  const char *ago;
  const char *room;
  gboolean audio;
} Words;

static void
word_reach_out (const Words *w, SbPromptWording *out)
{
  /* TRANSLATORS: a prompt's title; %s is a buddy's name */
  out->title = g_strdup_printf (_("Reach out to %s?"), w->name);
  /* TRANSLATORS: %s is a time in the past such as "6 weeks ago" */
  out->text = g_strdup_printf (_("Your last conversation was %s. A hello just because "
                                 "can make someone's day."), w->ago);
  /* TRANSLATORS: button: opens a conversation window; nothing is sent */
  out->primary = g_strdup (_("Say hi"));
}

static void
word_reply_nudge (const Words *w, SbPromptWording *out)
{
  /* TRANSLATORS: a prompt's title; %s is a buddy's name */
  out->title = g_strdup_printf (_("%s is waiting for an answer"), w->name);
  /* TRANSLATORS: %s is a time in the past such as "14 hours ago" */
  out->text = g_strdup_printf (_("They wrote %s and have not heard back yet."), w->ago);
  /* TRANSLATORS: button: opens the conversation window */
  out->primary = g_strdup (_("Reply"));
}

static void
word_follow_up (const Words *w, SbPromptWording *out)
{
  /* TRANSLATORS: a prompt's title; %s is a buddy's name */
  out->title = g_strdup_printf (_("No answer from %s yet"), w->name);
  /* TRANSLATORS: %s is a time in the past such as "3 days ago" */
  out->text = g_strdup_printf (_("You wrote %s. Maybe it got lost: a friendly follow-up?"),
                               w->ago);
  /* TRANSLATORS: button: opens the conversation window; nothing is sent */
  out->primary = g_strdup (_("Follow up"));
}

static void
word_call (const Words *w, SbPromptWording *out)
{
  /* TRANSLATORS: a prompt's title; %s is a buddy's name */
  out->title = g_strdup_printf (_("Take it to a call with %s?"), w->name);
  out->text = g_strdup (_("That was a long conversation. Some things are easier said out "
                          "loud."));
  /* TRANSLATORS: buttons: "Call" starts an audio call; "Plan a call" opens the
   * conversation to agree on a time */
  out->primary = g_strdup (w->audio ? _("Call") : _("Plan a call"));
}

static void
word_introduce (const Words *w, SbPromptWording *out)
{
  /* TRANSLATORS: a prompt's title; %s and %s are two buddies' names */
  out->title = g_strdup_printf (_("Introduce %s and %s?"), w->name, w->other_name);
  out->text = g_strdup (_("Both are close to you and have never met here. They might enjoy "
                          "knowing each other."));
  /* TRANSLATORS: button: opens a conversation with each, with a drafted
   * introduction; nothing is sent */
  out->primary = g_strdup (_("Introduce"));
}

static void
word_invite (const Words *w, SbPromptWording *out)
{
  /* TRANSLATORS: a prompt's title; %s is a group chat's name */
  out->title = g_strdup_printf (_("Invite friends to %s?"), w->room);
  out->text = g_strdup (_("These friends are online and not in the room. Only the ones you "
                          "tick are invited."));
  /* TRANSLATORS: button: invites the ticked friends to the group chat */
  out->primary = g_strdup (_("Invite"));
}

static void
word_room_question (const Words *w, SbPromptWording *out)
{
  /* TRANSLATORS: a prompt's title; the first %s is a buddy's name, the second
   * a group chat's name */
  out->title = g_strdup_printf (_("%s's question in %s has no answer yet"), w->name, w->room);
  /* TRANSLATORS: %s is a time in the past such as "10 minutes ago" */
  out->text = g_strdup_printf (_("They asked %s and nobody has answered. Maybe you know, or "
                                 "know who does."), w->ago);
  /* TRANSLATORS: button: shows the group chat's window; nothing is sent */
  out->primary = g_strdup (_("Go to the room"));
}

/* "Not for NAME": only a prompt about one buddy can be muted for that buddy. */
static char *
mute_label (SbPromptKind kind, const char *name)
{
  if (kind == SB_PROMPT_INTRODUCE || kind == SB_PROMPT_INVITE)
    return NULL;
  /* TRANSLATORS: button: no more prompts of this kind for this buddy; %s is the name */
  return g_strdup_printf (_("Not for %s"), name);
}

SbPromptWording *
sb_prompt_wording_new (const SbPrompt *prompt, const SbPromptScene *scene)
{
  static void (*const word[SB_PROMPT_KIND_LAST]) (const Words *, SbPromptWording *) = {
    [SB_PROMPT_REACH_OUT] = word_reach_out,     [SB_PROMPT_REPLY_NUDGE] = word_reply_nudge,
    [SB_PROMPT_FOLLOW_UP] = word_follow_up,     [SB_PROMPT_CALL] = word_call,
    [SB_PROMPT_INTRODUCE] = word_introduce,     [SB_PROMPT_INVITE] = word_invite,
    [SB_PROMPT_ROOM_QUESTION] = word_room_question,
  };
  g_autofree char *ago = NULL;
  SbPromptWording *out;
  Words w;

  g_return_val_if_fail (prompt != NULL && scene != NULL, NULL);
  if (!sb_prompt_kind_is_valid (prompt->kind) || prompt->key == NULL)
    return NULL;
  ago = sb_hint_format_ago (prompt->since, scene->now);
  w = (Words){
    .name = scene->name != NULL ? scene->name : prompt->key->buddy,
    .other_name = scene->other_name != NULL ? scene->other_name
                  : prompt->other != NULL   ? prompt->other->buddy
                                            : "?",
    .ago = ago,
    .room = prompt->room != NULL ? prompt->room : "",
    .audio = scene->audio,
  };
  out = g_new0 (SbPromptWording, 1);
  word[prompt->kind](&w, out);
  out->mute = mute_label (prompt->kind, w.name);
  return out;
}

void
sb_prompt_wording_free (SbPromptWording *wording)
{
  if (wording == NULL)
    return;
  g_free (wording->title);
  g_free (wording->text);
  g_free (wording->primary);
  g_free (wording->mute);
  g_free (wording);
}

/* ---- shared buttons --------------------------------------------------------- */

const char *
sb_prompt_due_reason (SbPromptKind kind)
{
  switch (kind)
    {
    /* TRANSLATORS: due-list reasons */
    case SB_PROMPT_REACH_OUT: return _("reach out");
    case SB_PROMPT_REPLY_NUDGE: return _("waiting for your reply");
    case SB_PROMPT_FOLLOW_UP: return _("no answer yet");
    case SB_PROMPT_CALL: return _("a call?");
    default: return NULL;
    }
}

gint64
sb_prompt_overdue_s (const SbPrompt *prompt, gint64 now)
{
  g_return_val_if_fail (prompt != NULL, -1);
  return prompt->kind == SB_PROMPT_REACH_OUT ? now - prompt->since - prompt->due_s : -1;
}

const char *
sb_prompt_button_label (SbPromptButton button)
{
  switch (button)
    {
    case SB_PROMPT_BUTTON_LATER:
      /* TRANSLATORS: button: snooze the prompt (then: tomorrow or next week) */
      return _("Later");
    case SB_PROMPT_BUTTON_TOMORROW:
      /* TRANSLATORS: button: ask again tomorrow */
      return _("Tomorrow");
    case SB_PROMPT_BUTTON_NEXT_WEEK:
      /* TRANSLATORS: button: ask again in a week */
      return _("Next week");
    case SB_PROMPT_BUTTON_NOT_NOW:
      /* TRANSLATORS: button: close the question without an answer */
      return _("Not now");
    case SB_PROMPT_BUTTON_KNOW_EACH_OTHER:
      /* TRANSLATORS: button: never suggest introducing these two again */
      return _("They know each other");
    case SB_PROMPT_BUTTON_LAST:
    default:
      return "";
    }
}

int
sb_prompt_button_snooze_days (SbPromptButton button)
{
  switch (button)
    {
    case SB_PROMPT_BUTTON_TOMORROW:
      return 1;
    case SB_PROMPT_BUTTON_NEXT_WEEK:
      return 7;
    default:
      return 0;
    }
}

const char *
sb_prompt_snooze_title (void)
{
  /* TRANSLATORS: title after "Later" on a prompt; the buttons say when */
  return _("Remind me again\342\200\246");
}

char *
sb_prompt_invitee_label (const char *name, const char *buddy)
{
  g_return_val_if_fail (name != NULL && buddy != NULL, NULL);
  if (g_strcmp0 (name, buddy) == 0)
    return g_strdup (name);
  /* TRANSLATORS: an invitation check box: alias (buddy name) */
  return g_strdup_printf (_("%s (%s)"), name, buddy);
}

/* ---- markup ----------------------------------------------------------------- */

char *
sb_prompt_wording_markup (const SbPromptWording *wording)
{
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (wording != NULL, NULL);
  title = g_markup_escape_text (wording->title, -1);
  text = g_markup_escape_text (wording->text, -1);
  return g_strdup_printf ("<b>%s</b> %s", title, text);
}

char *
sb_prompt_introduction_draft (const char *to_name, const char *other_name)
{
  g_autofree char *to = NULL;
  g_autofree char *other = NULL;

  g_return_val_if_fail (to_name != NULL && other_name != NULL, NULL);
  to = g_markup_escape_text (to_name, -1);
  other = g_markup_escape_text (other_name, -1);
  /* TRANSLATORS: shown in the conversation window only, never sent; the first
   * %s is the buddy of this conversation, the second the friend introduced */
  return g_strdup_printf (_("Smile Back: to introduce them, you could write \342\200\234Hi %s! "
                            "I'd like you to meet %s, a friend of mine: I think you two would "
                            "get along.\342\200\235 Nothing has been sent."),
                          to, other);
}
