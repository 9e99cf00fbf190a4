/* sb-gtk-prompts.c: the planner's prompts as mini-dialogs inside the buddy list.
 *
 * core-smileback emits "smileback-prompt" for each prompt its planner chose
 * (sb-ipc.h); this file shows it the way Pidgin shows a connection error, a
 * PidginMiniDialog added with pidgin_blist_add_alert(), and returns TRUE so
 * the core does not also ask through purple_request_action().  Each prompt
 * has its primary action, "Later" (which turns the dialog into a choice of
 * tomorrow or next week) and, for one buddy, "Not for NAME"; every answer
 * goes back to the core with "smileback-answer-prompt", which records it and
 * opens what it implies.  Nothing is ever sent: "Say hi" ends with the
 * conversation window open and the focus in its entry, at most with a
 * friendly draft (SB_GTK_PREF_DRAFT) for the user to change or delete.
 *
 * Prompts that arrive before the buddy list window exists wait for
 * "gtkblist-created".  A dialog goes away when answered, on
 * "smileback-prompt-withdrawn" and on unload (the core keeps the prompt's
 * state, so an unanswered one is not lost); closed with the alert area's own
 * close button, it is answered SB_ANSWER_DISMISSED.
 */
#include "sb-gtk-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <conversation.h>
#include <debug.h>
#include <prefs.h>
#include <prpl.h>
#include <signals.h>

#include <gtkblist.h>
#include <gtkconv.h>
#include <minidialog.h>
#include <pidginstock.h>

/* One prompt on screen. */
typedef struct
{
  SbGtkContext *ctx;
  SbPrompt *prompt;          /* our copy; prompt->id keys ctx->prompts */
  GtkWidget *dialog;         /* the PidginMiniDialog now showing it */
  GPtrArray *checks;         /* invitation: a GtkToggleButton per invitee, in order */
  GtkWidget *invite_button;  /* invitation: off until a name is ticked */
  gboolean audio;            /* call: the protocol reports audio for the buddy */
  gboolean settled;          /* answered, withdrawn or unloading: no answer on destroy */
} SbGtkPrompt;

/* Friendly first lines, placed in the entry (never sent) when the user says hi
 * or plans a call.  One is picked by the buddy's name, so a buddy always gets
 * the same one. */
static const char *const hello_drafts[] = {
  /* TRANSLATORS: a draft first line the user may send after "Say hi" */
  N_("Hi! How have you been?"),
  /* TRANSLATORS: a draft first line the user may send after "Say hi" */
  N_("Hey, I was just thinking of you. How are things?"),
  /* TRANSLATORS: a draft first line the user may send after "Say hi" */
  N_("Hi! It's been a while. What are you up to these days?"),
};

static const char *const follow_up_drafts[] = {
  /* TRANSLATORS: a draft line after "Follow up", when the buddy has not answered */
  N_("Hi again! No rush, just checking you saw my last message."),
};

static const char *const call_drafts[] = {
  /* TRANSLATORS: a draft line after "Plan a call" */
  N_("That was a long chat! Shall we have a call sometime this week?"),
};

/* A mini-dialog button's text is markup with a mnemonic: escape a name in it. */
static char *
button_text (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_auto (GStrv) parts = g_strsplit (escaped, "_", -1);

  return g_strjoinv ("__", parts);
}

/* The button of @widget's tree whose label reads @label, NULL when none. */
static GtkWidget *
find_button (GtkWidget *widget, const char *label)
{
  GtkWidget *found = NULL;

  if (GTK_IS_BUTTON (widget))
    {
      GtkWidget *child = gtk_bin_get_child (GTK_BIN (widget));

      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (child)), label) == 0)
        return widget;
    }
  if (GTK_IS_CONTAINER (widget))
    {
      GList *children = gtk_container_get_children (GTK_CONTAINER (widget));

      for (GList *l = children; l != NULL && found == NULL; l = l->next)
        found = find_button (l->data, label);
      g_list_free (children);
    }
  return found;
}

static gboolean
blist_ready (void)
{
  PidginBuddyList *gtkblist = pidgin_blist_get_default_gtk_blist ();

  return gtkblist != NULL && gtkblist->scrollbook != NULL;
}

/* Reports @answer to the core.  FALSE when the core did not take it. */
static gboolean
send_answer (SbGtkPrompt *view, SbPromptAnswer answer, gint64 snooze_until,
             const char *const *chosen)
{
  SbIpcAnswer ipc = {
    .id = view->prompt->id,
    .answer = answer,
    .snooze_until = snooze_until,
    .chosen = chosen,
  };
  gboolean ok = FALSE;
  gboolean taken;

  view->settled = TRUE;
  taken = GPOINTER_TO_INT (purple_plugin_ipc_call (view->ctx->core, SB_IPC_ANSWER_PROMPT, &ok,
                                                   &ipc));

  if (!ok || !taken)
    purple_debug_warning (SB_GTK_PLUGIN_ID, "the core plugin did not take the answer to prompt %"
                          G_GINT64_FORMAT "\n", view->prompt->id);
  return ok && taken;
}

/* The IM conversation with @key, shown with the focus in its entry; @drafts
 * (when the preference allows and the entry is empty) puts one friendly line
 * there, selected so typing replaces it.  The core opened the conversation
 * while taking the answer; it is opened here only if it did not.  Nothing is
 * sent. */
static PurpleConversation *
present_conversation (const SbBuddyKey *key, const char *const *drafts, gsize n_drafts)
{
  PurpleConversation *conv = sb_purple_key_open_conversation (key);
  PidginConversation *gtkconv;

  if (conv == NULL)
    return NULL;
  gtkconv = PIDGIN_CONVERSATION (conv);
  if (gtkconv == NULL || gtkconv->entry == NULL)
    return conv;

  if (n_drafts > 0 && purple_prefs_get_bool (SB_GTK_PREF_DRAFT)
      && gtk_text_buffer_get_char_count (gtkconv->entry_buffer) == 0)
    {
      const char *draft = _(drafts[g_str_hash (key->buddy) % n_drafts]);
      GtkTextIter start, end;

      gtk_text_buffer_set_text (gtkconv->entry_buffer, draft, -1);
      gtk_text_buffer_get_bounds (gtkconv->entry_buffer, &start, &end);
      gtk_text_buffer_select_range (gtkconv->entry_buffer, &start, &end);
    }
  gtk_widget_grab_focus (gtkconv->entry);
  return conv;
}

/* ---- buttons ---------------------------------------------------------------- */

static void
primary_cb (PidginMiniDialog *dialog, GtkButton *button, gpointer data)
{
  SbGtkPrompt *view = data;
  const SbBuddyKey *key = view->prompt->key;

  send_answer (view, SB_ANSWER_DONE, 0, NULL);
  switch (view->prompt->kind)
    {
    case SB_PROMPT_REACH_OUT:
      present_conversation (key, hello_drafts, G_N_ELEMENTS (hello_drafts));
      break;
    case SB_PROMPT_REPLY_NUDGE:
      /* They wrote: the answer is the user's own. */
      present_conversation (key, NULL, 0);
      break;
    case SB_PROMPT_FOLLOW_UP:
      present_conversation (key, follow_up_drafts, G_N_ELEMENTS (follow_up_drafts));
      break;
    case SB_PROMPT_CALL:
      if (view->audio)
        {
          PurpleConversation *conv = present_conversation (key, NULL, 0);

          /* The user asked for the call: start it (a call, not a message). */
          if (conv != NULL)
            purple_prpl_initiate_media (purple_conversation_get_account (conv), key->buddy,
                                        PURPLE_MEDIA_AUDIO);
        }
      else
        present_conversation (key, call_drafts, G_N_ELEMENTS (call_drafts));
      break;
    case SB_PROMPT_INTRODUCE:
    case SB_PROMPT_INVITE:
    case SB_PROMPT_ROOM_QUESTION:
    case SB_PROMPT_KIND_LAST:
      break; /* the core opens both conversations, invites, or presents the room */
    }
}

static void
mute_cb (PidginMiniDialog *dialog, GtkButton *button, gpointer data)
{
  send_answer (data, SB_ANSWER_MUTE, 0, NULL);
}

static void
dismiss_cb (PidginMiniDialog *dialog, GtkButton *button, gpointer data)
{
  send_answer (data, SB_ANSWER_DISMISSED, 0, NULL);
}

/* The first buddy-list node of @key, NULL when it is not in the list. */
static PurpleBlistNode *
key_node (const SbBuddyKey *key)
{
  GSList *buddies = sb_purple_key_find_buddies (key->protocol, key->account, key->buddy);
  PurpleBlistNode *node = buddies != NULL ? buddies->data : NULL;

  g_slist_free (buddies);
  return node;
}

static void
know_each_other_cb (PidginMiniDialog *dialog, GtkButton *button, gpointer data)
{
  SbGtkPrompt *view = data;
  PurpleBlistNode *a = key_node (view->prompt->key);
  PurpleBlistNode *b = view->prompt->other != NULL ? key_node (view->prompt->other) : NULL;
  gboolean ok = FALSE;

  if (a != NULL && b != NULL)
    purple_plugin_ipc_call (view->ctx->core, SB_IPC_KNOW_EACH_OTHER, &ok, a, b);
  if (!ok)
    purple_debug_warning (SB_GTK_PLUGIN_ID, "could not mark the pair as knowing each other\n");
  send_answer (view, SB_ANSWER_DISMISSED, 0, NULL);
}

static void
invite_cb (PidginMiniDialog *dialog, GtkButton *button, gpointer data)
{
  SbGtkPrompt *view = data;
  g_autoptr (GPtrArray) chosen = g_ptr_array_new ();

  for (guint i = 0; i < view->checks->len; i++)
    if (gtk_toggle_button_get_active (view->checks->pdata[i]))
      g_ptr_array_add (chosen, ((SbBuddyKey *) view->prompt->invitees->pdata[i])->buddy);
  g_ptr_array_add (chosen, NULL);
  if (chosen->len > 1)
    send_answer (view, SB_ANSWER_DONE, 0, (const char *const *) chosen->pdata);
  else
    send_answer (view, SB_ANSWER_DISMISSED, 0, NULL);
}

static void
check_toggled_cb (GtkToggleButton *check, SbGtkPrompt *view)
{
  gboolean any = FALSE;

  for (guint i = 0; i < view->checks->len && !any; i++)
    any = gtk_toggle_button_get_active (view->checks->pdata[i]);
  if (view->invite_button != NULL)
    gtk_widget_set_sensitive (view->invite_button, any);
}

static void
snooze_cb (PidginMiniDialog *dialog, GtkButton *button, gpointer data)
{
  SbGtkPrompt *view = data;
  int days = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "smileback-days"));

  send_answer (view, SB_ANSWER_LATER, sb_purple_now () + days * SB_DAY, NULL);
}

static void show_dialog (SbGtkPrompt *view, GtkWidget *dialog);

/* "Later": the dialog makes way for the choice of when. */
static void
later_cb (PidginMiniDialog *dialog, GtkButton *button, gpointer data)
{
  static const SbPromptButton choices[] = { SB_PROMPT_BUTTON_TOMORROW, SB_PROMPT_BUTTON_NEXT_WEEK };
  SbGtkPrompt *view = data;
  PidginMiniDialog *when;
  g_autofree char *what = NULL;

  /* The question snoozed, as a reminder of what it was. */
  g_object_get (dialog, "title", &what, NULL);
  when = pidgin_mini_dialog_new (sb_prompt_snooze_title (), what, PIDGIN_STOCK_DIALOG_INFO);
  for (gsize i = 0; i < G_N_ELEMENTS (choices); i++)
    {
      const char *label = sb_prompt_button_label (choices[i]);
      GtkWidget *choice;

      pidgin_mini_dialog_add_button (when, label, snooze_cb, view);
      choice = find_button (GTK_WIDGET (when), label);
      if (choice != NULL)
        g_object_set_data (G_OBJECT (choice), "smileback-days",
                           GINT_TO_POINTER (sb_prompt_button_snooze_days (choices[i])));
    }
  /* This dialog is destroyed right after this callback; the new one takes
   * the prompt over. */
  show_dialog (view, GTK_WIDGET (when));
}

/* ---- dialogs ---------------------------------------------------------------- */

static void
prompt_free (SbGtkPrompt *view)
{
  g_clear_pointer (&view->prompt, sb_prompt_free);
  g_clear_pointer (&view->checks, g_ptr_array_unref);
  g_free (view);
}

static void
dialog_destroy_cb (GtkWidget *dialog, SbGtkPrompt *view)
{
  if (view->dialog != dialog)
    return; /* replaced by the "Later" choice */
  /* Closed with the alert area's close button: "closed without an answer". */
  if (!view->settled)
    send_answer (view, SB_ANSWER_DISMISSED, 0, NULL);
  view->dialog = NULL;
  view->invite_button = NULL;
  /* Frees @view (the table's value destroy). */
  g_hash_table_remove (view->ctx->prompts, &view->prompt->id);
}

static void
show_dialog (SbGtkPrompt *view, GtkWidget *dialog)
{
  view->dialog = dialog;
  g_signal_connect (dialog, "destroy", G_CALLBACK (dialog_destroy_cb), view);
  gtk_widget_show_all (dialog);
  pidgin_blist_add_alert (dialog);
}

/* The check boxes of an invitation, in the dialog's contents. */
static void
add_invitees (SbGtkPrompt *view, PidginMiniDialog *dialog)
{
  view->checks = g_ptr_array_new ();
  for (guint i = 0; view->prompt->invitees != NULL && i < view->prompt->invitees->len; i++)
    {
      const SbBuddyKey *invitee = view->prompt->invitees->pdata[i];
      g_autofree char *name = sb_purple_key_display_name (invitee);
      g_autofree char *label = sb_prompt_invitee_label (name, invitee->buddy);
      GtkWidget *check = gtk_check_button_new_with_label (label);

      g_signal_connect (check, "toggled", G_CALLBACK (check_toggled_cb), view);
      gtk_box_pack_start (dialog->contents, check, FALSE, FALSE, 0);
      g_ptr_array_add (view->checks, check);
    }
}

static void
add_introduction_buttons (SbGtkPrompt *view, PidginMiniDialog *dialog,
                          const SbPromptWording *words)
{
  pidgin_mini_dialog_add_button (dialog, words->primary, primary_cb, view);
  pidgin_mini_dialog_add_button (dialog, sb_prompt_button_label (SB_PROMPT_BUTTON_KNOW_EACH_OTHER),
                                 know_each_other_cb, view);
  pidgin_mini_dialog_add_button (dialog, sb_prompt_button_label (SB_PROMPT_BUTTON_LATER),
                                 later_cb, view);
}

/* The check boxes, then "Invite", off until a name is ticked, and "Not now". */
static void
add_invitation_buttons (SbGtkPrompt *view, PidginMiniDialog *dialog,
                        const SbPromptWording *words)
{
  add_invitees (view, dialog);
  pidgin_mini_dialog_add_button (dialog, words->primary, invite_cb, view);
  view->invite_button = find_button (GTK_WIDGET (dialog), words->primary);
  if (view->invite_button != NULL)
    gtk_widget_set_sensitive (view->invite_button, FALSE);
  pidgin_mini_dialog_add_button (dialog, sb_prompt_button_label (SB_PROMPT_BUTTON_NOT_NOW),
                                 dismiss_cb, view);
}

/* A prompt about one buddy: its action, "Later" and "Not for NAME". */
static void
add_buddy_buttons (SbGtkPrompt *view, PidginMiniDialog *dialog, const SbPromptWording *words)
{
  g_autofree char *mute = button_text (words->mute);

  pidgin_mini_dialog_add_button (dialog, words->primary, primary_cb, view);
  pidgin_mini_dialog_add_button (dialog, sb_prompt_button_label (SB_PROMPT_BUTTON_LATER),
                                 later_cb, view);
  pidgin_mini_dialog_add_button (dialog, mute, mute_cb, view);
}

/* Builds the dialog of @view's prompt.  NULL for a kind the core does not word. */
static PidginMiniDialog *
build_dialog (SbGtkPrompt *view)
{
  g_autoptr (SbPromptWording) words = NULL;
  PidginMiniDialog *dialog;

  view->audio = view->prompt->kind == SB_PROMPT_CALL && sb_purple_key_has_audio (view->prompt->key);
  words = sb_purple_prompt_wording (view->prompt, view->audio, sb_purple_now ());
  if (words == NULL)
    return NULL;
  /* The mini-dialog escapes its title and description: the words go in plain. */
  dialog = pidgin_mini_dialog_new (words->title, words->text, PIDGIN_STOCK_DIALOG_INFO);
  switch (view->prompt->kind)
    {
    case SB_PROMPT_INTRODUCE:
      add_introduction_buttons (view, dialog, words);
      break;
    case SB_PROMPT_INVITE:
      add_invitation_buttons (view, dialog, words);
      break;
    default:
      add_buddy_buttons (view, dialog, words);
      break;
    }
  return dialog;
}

/* Shows @prompt (copied).  FALSE for a kind this file does not know. */
static gboolean
show_prompt (SbGtkContext *ctx, const SbPrompt *prompt)
{
  SbGtkPrompt *view = g_new0 (SbGtkPrompt, 1);
  PidginMiniDialog *dialog;

  view->ctx = ctx;
  view->prompt = sb_prompt_copy (prompt);
  dialog = build_dialog (view);
  if (dialog == NULL)
    {
      prompt_free (view);
      return FALSE;
    }
  g_hash_table_replace (ctx->prompts, &view->prompt->id, view);
  show_dialog (view, GTK_WIDGET (dialog));
  return TRUE;
}

/* ---- signals ---------------------------------------------------------------- */

static gboolean
prompt_cb (const SbPrompt *prompt, SbGtkContext *ctx)
{
  if (prompt == NULL || prompt->key == NULL || !sb_prompt_kind_is_valid (prompt->kind))
    return FALSE;
  if (g_hash_table_contains (ctx->prompts, &prompt->id))
    return TRUE; /* already on screen */
  if (!blist_ready ())
    {
      g_ptr_array_add (ctx->pending_prompts, sb_prompt_copy (prompt));
      return TRUE;
    }
  return show_prompt (ctx, prompt);
}

static void
prompt_withdrawn_cb (const SbPrompt *prompt, SbGtkContext *ctx)
{
  SbGtkPrompt *view;

  if (prompt == NULL)
    return;
  for (guint i = ctx->pending_prompts->len; i > 0; i--)
    if (((SbPrompt *) ctx->pending_prompts->pdata[i - 1])->id == prompt->id)
      g_ptr_array_remove_index (ctx->pending_prompts, i - 1);
  view = g_hash_table_lookup (ctx->prompts, &prompt->id);
  /* A settled prompt is being answered: its dialog closes itself when the
   * button's callback returns, which may still use @view. */
  if (view != NULL && view->dialog != NULL && !view->settled)
    {
      view->settled = TRUE;
      gtk_widget_destroy (view->dialog); /* frees @view */
    }
}

/* Asks the core to plan now that prompts can be shown. */
static void
plan_now (SbGtkContext *ctx)
{
  gboolean ok = FALSE;

  purple_plugin_ipc_call (ctx->core, SB_IPC_PLAN_NOW, &ok);
}

static void
blist_created_cb (PurpleBuddyList *blist, SbGtkContext *ctx)
{
  g_autoptr (GPtrArray) pending = g_steal_pointer (&ctx->pending_prompts);

  ctx->pending_prompts = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_prompt_free);
  for (guint i = 0; i < pending->len; i++)
    show_prompt (ctx, pending->pdata[i]);
  plan_now (ctx);
}

void
sb_gtk_prompts_init (SbGtkContext *ctx)
{
  ctx->prompts = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                        (GDestroyNotify) prompt_free);
  ctx->pending_prompts = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_prompt_free);
  purple_signal_connect (ctx->core, SB_SIGNAL_PROMPT, ctx->plugin, PURPLE_CALLBACK (prompt_cb),
                         ctx);
  purple_signal_connect (ctx->core, SB_SIGNAL_PROMPT_WITHDRAWN, ctx->plugin,
                         PURPLE_CALLBACK (prompt_withdrawn_cb), ctx);
  purple_signal_connect (pidgin_blist_get_handle (), "gtkblist-created", ctx->plugin,
                         PURPLE_CALLBACK (blist_created_cb), ctx);
  if (blist_ready ())
    plan_now (ctx);
}

void
sb_gtk_prompts_shutdown (SbGtkContext *ctx)
{
  GList *views;

  purple_signal_disconnect (ctx->core, SB_SIGNAL_PROMPT, ctx->plugin, PURPLE_CALLBACK (prompt_cb));
  purple_signal_disconnect (ctx->core, SB_SIGNAL_PROMPT_WITHDRAWN, ctx->plugin,
                            PURPLE_CALLBACK (prompt_withdrawn_cb));
  purple_signal_disconnect (pidgin_blist_get_handle (), "gtkblist-created", ctx->plugin,
                            PURPLE_CALLBACK (blist_created_cb));
  /* Each destroy removes its view from the table: destroy from a copy. */
  views = g_hash_table_get_values (ctx->prompts);
  for (GList *l = views; l != NULL; l = l->next)
    {
      SbGtkPrompt *view = l->data;

      view->settled = TRUE; /* the prompt stays open in the core */
      l->data = view->dialog != NULL ? g_object_ref (view->dialog) : NULL;
    }
  for (GList *l = views; l != NULL; l = l->next)
    if (l->data != NULL)
      {
        gtk_widget_destroy (l->data);
        g_object_unref (l->data);
      }
  g_list_free (views);
  g_clear_pointer (&ctx->prompts, g_hash_table_destroy);
  g_clear_pointer (&ctx->pending_prompts, g_ptr_array_unref);
}

