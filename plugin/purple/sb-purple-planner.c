/* sb-purple-planner.c: when core-smileback plans its prompts, and for whom
 * (reminders, nudges, introductions, invitations, calls, room questions).
 *
 * An SbPlanner on the ledger's store, run by a timer, by the
 * "smileback-plan-now" IPC call and once the sign-on quiet time is over.  Each
 * run takes a snapshot of the buddy list (the connected accounts' buddies with
 * history: figures from the ledger, presence, the keep-in-touch setting of
 * the buddy, its contact or group, the group's name) and of the moment (the
 * user's status, quiet time after any account signs on), withdraws the open
 * prompts that no longer stand, and shows what sb_planner_next() and
 * sb_planner_next_introduction() choose (sb-purple-prompts.c); the moment
 * carries the questions waiting in the open rooms (sb-purple-rooms.c), and a
 * new one plans a run for when it may be due.  Joining a group chat plans an
 * invitation for it.  A reply nudge or reminder is also
 * withdrawn as soon as that buddy's figures change so that it no longer
 * stands ("smileback-buddy-changed").
 *
 * What the user's answers do is in sb-purple-answers.c.
 */
#include "sb-purple-planner.h"

#include <string.h>

#include <glib/gi18n-lib.h>

/* What the preferences default to (docs/design.md, "Prompts and their manners"; two minutes of sign-on
 * quiet; a planning run every five minutes). */
#define SIGNON_QUIET_S 120
#define PLAN_EVERY_S 300
#define INVITE_DELAY_MS 2000

typedef struct
{
  guint id;
  PurpleAccount *account; /* checked against the account list before use */
  char *room;
} SbPendingInvitation;

/* ---- snapshot of the buddy list and the moment ------------------------------- */

typedef struct
{
  GArray *buddies;    /* SbPlannerBuddy, pointing into keys and stats */
  GPtrArray *keys;    /* SbBuddyKey *, owned */
  GPtrArray *stats;   /* SbStats *, copies, owned */
  GArray *questions;  /* SbPlannerRoomQuestion, waiting in the open rooms */
  SbPlannerMoment moment;
} Snapshot;

static void
snapshot_free (Snapshot *snap)
{
  g_array_unref (snap->questions);
  g_array_unref (snap->buddies);
  g_ptr_array_unref (snap->keys);
  g_ptr_array_unref (snap->stats);
  g_free (snap);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_free)

/* TRUE when the user may be prompted: connected, and every connected
 * account available (not away, busy or invisible). */
static gboolean
user_available (void)
{
  gboolean any = FALSE;

  for (GList *l = purple_accounts_get_all_active (); l != NULL; l = g_list_delete_link (l, l))
    {
      PurpleAccount *account = l->data;
      PurpleStatus *status;

      if (!purple_account_is_connected (account))
        continue;
      status = purple_account_get_active_status (account);
      if (status != NULL
          && purple_status_type_get_primitive (purple_status_get_type (status))
               != PURPLE_STATUS_AVAILABLE)
        {
          g_list_free (l);
          return FALSE;
        }
      any = TRUE;
    }
  return any;
}

static gint64
keep_in_touch_s (PurpleBlistNode *node)
{
  int days = sb_purple_keep_in_touch_days (node);

  return days > 0 ? (gint64) days * SB_DAY : days < 0 ? -1 : 0;
}

static Snapshot *
snapshot_new (SbPurple *ctx)
{
  Snapshot *snap = g_new0 (Snapshot, 1);
  g_autoptr (GHashTable) seen = g_hash_table_new (sb_buddy_key_hash, sb_buddy_key_equal);

  snap->buddies = g_array_new (FALSE, TRUE, sizeof (SbPlannerBuddy));
  snap->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_buddy_key_free);
  snap->stats = g_ptr_array_new_with_free_func (g_free);
  for (PurpleBlistNode *node = purple_blist_get_root (); node != NULL;
       node = purple_blist_node_next (node, FALSE))
    {
      PurpleBuddy *buddy;
      PurpleAccount *account;
      SbBuddyKey *key;
      const SbStats *stats;
      PurpleGroup *group;
      SbPlannerBuddy entry = { 0 };

      if (!PURPLE_BLIST_NODE_IS_BUDDY (node))
        continue;
      buddy = (PurpleBuddy *) node;
      account = purple_buddy_get_account (buddy);
      if (!purple_account_is_connected (account) || sb_purple_account_excluded (ctx, account))
        continue;
      key = sb_purple_key_new (account, purple_buddy_get_name (buddy));
      if (key == NULL || g_hash_table_contains (seen, key)
          || (stats = sb_ledger_get_stats (ctx->ledger, key)) == NULL)
        {
          sb_buddy_key_free (key);
          continue;
        }
      g_ptr_array_add (snap->keys, key);
      g_hash_table_add (seen, key);
      g_ptr_array_add (snap->stats, g_memdup2 (stats, sizeof *stats));
      group = purple_buddy_get_group (buddy);
      entry.keep_in_touch_s = keep_in_touch_s (node);
      entry.online = PURPLE_BUDDY_IS_ONLINE (buddy);
      entry.group = group != NULL ? purple_group_get_name (group) : NULL;
      g_array_append_val (snap->buddies, entry);
    }
  for (guint i = 0; i < snap->buddies->len; i++)
    {
      SbPlannerBuddy *entry = &g_array_index (snap->buddies, SbPlannerBuddy, i);

      entry->key = snap->keys->pdata[i];
      entry->stats = snap->stats->pdata[i];
    }
  snap->moment.now = sb_purple_now ();
  snap->moment.available = user_available ();
  snap->moment.quiet_until = ctx->prompts->quiet_until;
  snap->questions = sb_purple_rooms_waiting_questions (ctx);
  snap->moment.questions = (const SbPlannerRoomQuestion *) snap->questions->data;
  snap->moment.n_questions = snap->questions->len;
  return snap;
}

static const SbPlannerBuddy *
snapshot_find (Snapshot *snap, const SbBuddyKey *key)
{
  for (guint i = 0; i < snap->buddies->len; i++)
    {
      const SbPlannerBuddy *entry = &g_array_index (snap->buddies, SbPlannerBuddy, i);

      if (sb_buddy_key_equal (entry->key, key))
        return entry;
    }
  return NULL;
}

/* ---- helpers ---------------------------------------------------------------- */

void
sb_purple_open_prompt_free (SbOpenPrompt *open)
{
  sb_prompt_free (open->prompt);
  g_free (open);
}

/* Records @prompt as shown, keeps it open and shows it.  Takes @prompt. */
static void
show (SbPurple *ctx, SbPrompt *prompt)
{
  g_autoptr (GError) error = NULL;
  SbOpenPrompt *open;
  gint64 *id;

  if (!sb_planner_shown (ctx->prompts->planner, prompt, sb_purple_now (), &error))
    {
      purple_debug_error ("smileback", "cannot record a prompt: %s\n", error->message);
      sb_prompt_free (prompt);
      return;
    }
  open = g_new0 (SbOpenPrompt, 1);
  open->prompt = prompt;
  open->audio = prompt->kind == SB_PROMPT_CALL && sb_purple_key_has_audio (prompt->key);
  id = g_new (gint64, 1);
  *id = prompt->id;
  g_hash_table_insert (ctx->prompts->open, id, open);
  if (prompt->kind == SB_PROMPT_ROOM_QUESTION)
    sb_purple_rooms_question_offered (ctx, prompt->key, prompt->room);
  sb_purple_prompts_show (ctx, open);
}

/* Withdraws the open prompt @id: it no longer stands.  The planner closes it
 * as dismissed, so it may come back when due again. */
static void
withdraw (SbPurple *ctx, gint64 id)
{
  SbOpenPrompt *open = NULL;
  gint64 *stored = NULL;
  g_autoptr (GError) error = NULL;

  if (!g_hash_table_steal_extended (ctx->prompts->open, &id, (gpointer *) &stored,
                                    (gpointer *) &open))
    return;
  g_free (stored);
  sb_purple_prompts_withdraw (ctx, open);
  if (!sb_planner_answer (ctx->prompts->planner, open->prompt, SB_ANSWER_DISMISSED, 0,
                          sb_purple_now (), &error))
    purple_debug_error ("smileback", "cannot close a prompt: %s\n", error->message);
  sb_purple_open_prompt_free (open);
}

/* TRUE for the kinds about one buddy's own figures. */
static gboolean
kind_follows_figures (SbPromptKind kind)
{
  return kind == SB_PROMPT_REACH_OUT || kind == SB_PROMPT_REPLY_NUDGE
         || kind == SB_PROMPT_FOLLOW_UP || kind == SB_PROMPT_CALL;
}

/* Withdraws every open prompt about @key (NULL: any buddy) that @snap says
 * no longer stands. */
static void
withdraw_stale (SbPurple *ctx, Snapshot *snap, const SbBuddyKey *key)
{
  g_autoptr (GArray) stale = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  SbOpenPrompt *open;

  g_hash_table_iter_init (&iter, ctx->prompts->open);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &open))
    {
      const SbPlannerBuddy *entry;

      if (!kind_follows_figures (open->prompt->kind)
          || (key != NULL && !sb_buddy_key_equal (key, open->prompt->key)))
        continue;
      entry = snapshot_find (snap, open->prompt->key);
      if (entry != NULL
          && !sb_planner_still_due (ctx->prompts->planner, open->prompt, entry, &snap->moment))
        g_array_append_val (stale, open->prompt->id);
    }
  for (guint i = 0; i < stale->len; i++)
    withdraw (ctx, g_array_index (stale, gint64, i));
}

void
sb_purple_planner_room_question_gone (SbPurple *ctx, const SbBuddyKey *key, const char *room)
{
  GHashTableIter iter;
  SbOpenPrompt *open;
  gint64 id = 0;

  if (ctx->prompts == NULL || ctx->prompts->open == NULL)
    return;
  g_hash_table_iter_init (&iter, ctx->prompts->open);
  while (id == 0 && g_hash_table_iter_next (&iter, NULL, (gpointer *) &open))
    if (open->prompt->kind == SB_PROMPT_ROOM_QUESTION
        && sb_buddy_key_equal (open->prompt->key, key) && g_strcmp0 (open->prompt->room, room) == 0)
      id = open->prompt->id;
  if (id != 0)
    withdraw (ctx, id);
}

static void
read_prefs (SbPurple *ctx)
{
  SbPlannerPrefs prefs;

  sb_planner_prefs_init (&prefs);
  prefs.max_per_day = (guint) CLAMP (purple_prefs_get_int (SB_PREF_MAX_PER_DAY), 0, 100);
  prefs.quiet_start_minute = CLAMP (purple_prefs_get_int (SB_PREF_QUIET_START), 0, 24 * 60 - 1);
  prefs.quiet_end_minute = CLAMP (purple_prefs_get_int (SB_PREF_QUIET_END), 0, 24 * 60 - 1);
  prefs.follow_up = purple_prefs_get_bool (SB_PREF_FOLLOW_UP);
  sb_planner_set_prefs (ctx->prompts->planner, &prefs);
}

/* One planning run, every manner applied. */
void
sb_purple_planner_plan_now (SbPurple *ctx)
{
  g_autoptr (Snapshot) snap = NULL;
  g_autoptr (GPtrArray) next = NULL;
  SbPrompt *introduction;

  read_prefs (ctx);
  snap = snapshot_new (ctx);
  withdraw_stale (ctx, snap, NULL);
  next = sb_planner_next (ctx->prompts->planner, (const SbPlannerBuddy *) snap->buddies->data,
                          snap->buddies->len, &snap->moment);
  for (guint i = 0; i < next->len; i++)
    show (ctx, g_steal_pointer (&next->pdata[i]));
  introduction = sb_planner_next_introduction (ctx->prompts->planner,
                                               (const SbPlannerBuddy *) snap->buddies->data,
                                               snap->buddies->len, &snap->moment);
  if (introduction != NULL)
    show (ctx, introduction);
}

GPtrArray *
sb_purple_planner_list_due (SbPurple *ctx)
{
  g_autoptr (Snapshot) snap = NULL;

  g_return_val_if_fail (ctx != NULL, NULL);
  if (ctx->prompts->planner == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) sb_prompt_free);
  read_prefs (ctx);
  snap = snapshot_new (ctx);
  return sb_planner_list_due (ctx->prompts->planner, (const SbPlannerBuddy *) snap->buddies->data,
                              snap->buddies->len, &snap->moment);
}

/* ---- signals and timers ------------------------------------------------------ */

static gboolean
plan_cb (gpointer data)
{
  sb_purple_planner_plan_now (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
plan_soon_cb (gpointer data)
{
  SbPurple *ctx = data;

  ctx->prompts->soon_id = 0;
  sb_purple_planner_plan_now (ctx);
  return G_SOURCE_REMOVE;
}

/* A pending one-shot run stays: when it is the sign-on's, it comes sooner,
 * and the periodic run follows. */
void
sb_purple_planner_plan_in (SbPurple *ctx, guint seconds)
{
  if (ctx->prompts == NULL || ctx->prompts->planner == NULL || ctx->prompts->soon_id != 0)
    return;
  ctx->prompts->soon_id = purple_timeout_add_seconds (seconds, plan_soon_cb, ctx);
}

/* An account signed on: its flood of presences and offline messages gives
 * no prompt; plan once it is over. */
static void
signed_on_cb (PurpleConnection *gc, SbPurple *ctx)
{
  int quiet_s = MAX (purple_prefs_get_int (SB_PREF_SIGNON_QUIET_S), 0);

  ctx->prompts->quiet_until = MAX (ctx->prompts->quiet_until, sb_purple_now () + quiet_s);
  if (ctx->prompts->soon_id != 0)
    purple_timeout_remove (ctx->prompts->soon_id);
  ctx->prompts->soon_id = purple_timeout_add_seconds (quiet_s + 1, plan_soon_cb, ctx);
}

/* A buddy's figures changed: an open reminder or nudge may no longer stand. */
static void
buddy_changed_cb (const char *protocol, const char *account, const char *buddy, SbPurple *ctx)
{
  g_autoptr (SbBuddyKey) key = NULL;
  g_autoptr (Snapshot) snap = NULL;
  GHashTableIter iter;
  SbOpenPrompt *open;
  gboolean concerned = FALSE;

  if (g_hash_table_size (ctx->prompts->open) == 0)
    return;
  key = sb_buddy_key_new (protocol, account, buddy);
  if (key == NULL)
    return;
  g_hash_table_iter_init (&iter, ctx->prompts->open);
  while (!concerned && g_hash_table_iter_next (&iter, NULL, (gpointer *) &open))
    concerned = kind_follows_figures (open->prompt->kind)
                && sb_buddy_key_equal (open->prompt->key, key);
  if (!concerned)
    return;
  snap = snapshot_new (ctx);
  withdraw_stale (ctx, snap, key);
}

static void
pending_invitation_free (SbPendingInvitation *pending)
{
  if (pending->id != 0)
    purple_timeout_remove (pending->id);
  g_free (pending->room);
  g_free (pending);
}

/* Plans the invitation for the room @pending names, with its members now. */
static gboolean
invitation_cb (gpointer data)
{
  SbPendingInvitation *pending = data;
  SbPurple *ctx = sb_purple_get ();
  PurpleConversation *conv = NULL;
  g_autoptr (Snapshot) snap = NULL;
  g_autoptr (GPtrArray) present = NULL;
  g_autoptr (SbBuddyKey) self = NULL;
  g_autofree char *room = NULL;
  SbPrompt *prompt;

  pending->id = 0;
  if (ctx == NULL)
    return G_SOURCE_REMOVE;
  ctx->prompts->invitations = g_list_remove (ctx->prompts->invitations, pending);
  if (g_list_find (purple_accounts_get_all (), pending->account) != NULL)
    conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT, pending->room,
                                                  pending->account);
  if (conv == NULL || purple_conv_chat_has_left (PURPLE_CONV_CHAT (conv))
      || sb_purple_account_excluded (ctx, pending->account))
    {
      pending_invitation_free (pending);
      return G_SOURCE_REMOVE;
    }

  present = g_ptr_array_new_with_free_func (g_free);
  for (GList *l = purple_conv_chat_get_users (PURPLE_CONV_CHAT (conv)); l != NULL; l = l->next)
    {
      const char *name = purple_conv_chat_cb_get_name (l->data);
      char *member = name != NULL ? sb_purple_chat_member (conv, name) : NULL;

      if (member != NULL)
        g_ptr_array_add (present, member);
    }
  g_ptr_array_add (present, NULL);
  self = sb_purple_key_new (pending->account, purple_account_get_username (pending->account));
  room = g_strdup (purple_normalize (pending->account, purple_conversation_get_name (conv)));
  pending_invitation_free (pending);
  if (self == NULL || room == NULL)
    return G_SOURCE_REMOVE;

  snap = snapshot_new (ctx);
  prompt = sb_planner_invitation (ctx->prompts->planner, self->protocol, self->account, room,
                                  (const char *const *) present->pdata,
                                  (const SbPlannerBuddy *) snap->buddies->data,
                                  snap->buddies->len, &snap->moment);
  if (prompt != NULL)
    show (ctx, prompt);
  return G_SOURCE_REMOVE;
}

static void
chat_joined_cb (PurpleConversation *conv, SbPurple *ctx)
{
  SbPendingInvitation *pending = g_new0 (SbPendingInvitation, 1);

  pending->account = purple_conversation_get_account (conv);
  pending->room = g_strdup (purple_conversation_get_name (conv));
  pending->id = purple_timeout_add (MAX (purple_prefs_get_int (SB_PREF_INVITE_DELAY_MS), 0),
                                    invitation_cb, pending);
  ctx->prompts->invitations = g_list_prepend (ctx->prompts->invitations, pending);
}

/* ---- plugin actions ---------------------------------------------------------- */

static void
who_action_cb (PurplePluginAction *action)
{
  SbPurple *ctx = sb_purple_get ();
  g_autoptr (GPtrArray) due = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  gint64 now = sb_purple_now ();

  if (ctx == NULL)
    return;
  due = sb_purple_planner_list_due (ctx);
  for (guint i = 0; i < due->len; i++)
    {
      g_autofree char *line = sb_purple_prompts_describe (due->pdata[i], now);

      g_string_append_printf (text, "%s<br>", line);
    }
  if (due->len == 0)
    g_string_append (text, _("Nobody is waiting for you right now."));
  purple_notify_formatted (ctx->plugin, _("Who should I reach out to?"),
                           _("Who should I reach out to?"),
                           due->len == 0 ? NULL
                                         : _("Friends you have not written to for a while, "
                                             "and messages waiting for your answer:"),
                           text->str, NULL, NULL);
}

static void
import_action_cb (PurplePluginAction *action)
{
  SbPurple *ctx = sb_purple_get ();

  if (ctx != NULL)
    sb_purple_import_action (ctx);
}

GList *
sb_purple_actions (PurplePlugin *plugin, gpointer context)
{
  GList *actions = NULL;

  actions = g_list_append (actions, purple_plugin_action_new (_("Who should I reach out to?"),
                                                              who_action_cb));
  actions = g_list_append (actions, purple_plugin_action_new (_("Import Pidgin logs\342\200\246"),
                                                              import_action_cb));
  return actions;
}

/* ---- life cycle --------------------------------------------------------------- */

static void
register_prefs (void)
{
  SbPlannerPrefs defaults;

  sb_planner_prefs_init (&defaults);
  purple_prefs_add_none (SB_PREF_PROMPTS);
  purple_prefs_add_int (SB_PREF_MAX_PER_DAY, (int) defaults.max_per_day);
  purple_prefs_add_int (SB_PREF_QUIET_START, defaults.quiet_start_minute);
  purple_prefs_add_int (SB_PREF_QUIET_END, defaults.quiet_end_minute);
  purple_prefs_add_bool (SB_PREF_FOLLOW_UP, defaults.follow_up);
  purple_prefs_add_int (SB_PREF_SIGNON_QUIET_S, SIGNON_QUIET_S);
  purple_prefs_add_int (SB_PREF_PLAN_EVERY_S, PLAN_EVERY_S);
  purple_prefs_add_int (SB_PREF_INVITE_DELAY_MS, INVITE_DELAY_MS);
}

void
sb_purple_planner_init (SbPurple *ctx)
{
  PurplePlugin *plugin = ctx->plugin;
  g_autoptr (GError) error = NULL;
  SbPurplePrompts *self = g_new0 (SbPurplePrompts, 1);

  register_prefs ();
  self->planner = sb_planner_new (sb_ledger_get_store (ctx->ledger), &error);
  if (self->planner == NULL)
    purple_debug_error ("smileback", "no prompts: cannot load their state: %s\n", error->message);
  self->open = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                      (GDestroyNotify) sb_purple_open_prompt_free);
  ctx->prompts = self;
  if (self->planner == NULL)
    return;

  purple_signal_register (plugin, SB_SIGNAL_PROMPT_WITHDRAWN, purple_marshal_VOID__POINTER, NULL,
                          1, purple_value_new (PURPLE_TYPE_POINTER));
  sb_purple_answers_init (ctx);

  purple_signal_connect (purple_connections_get_handle (), "signed-on", plugin,
                         PURPLE_CALLBACK (signed_on_cb), ctx);
  purple_signal_connect (purple_conversations_get_handle (), "chat-joined", plugin,
                         PURPLE_CALLBACK (chat_joined_cb), ctx);
  purple_signal_connect (plugin, SB_SIGNAL_BUDDY_CHANGED, plugin,
                         PURPLE_CALLBACK (buddy_changed_cb), ctx);
  self->plan_id = purple_timeout_add_seconds (
    MAX (purple_prefs_get_int (SB_PREF_PLAN_EVERY_S), 10), plan_cb, ctx);
}

void
sb_purple_planner_shutdown (SbPurple *ctx)
{
  SbPurplePrompts *self = ctx->prompts;
  PurplePlugin *plugin = ctx->plugin;
  GHashTableIter iter;
  SbOpenPrompt *open;

  if (self == NULL)
    return;
  if (self->planner != NULL)
    {
      purple_signal_disconnect (purple_connections_get_handle (), "signed-on", plugin,
                                PURPLE_CALLBACK (signed_on_cb));
      purple_signal_disconnect (purple_conversations_get_handle (), "chat-joined", plugin,
                                PURPLE_CALLBACK (chat_joined_cb));
      purple_signal_disconnect (plugin, SB_SIGNAL_BUDDY_CHANGED, plugin,
                                PURPLE_CALLBACK (buddy_changed_cb));
    }
  if (self->plan_id != 0)
    purple_timeout_remove (self->plan_id);
  if (self->soon_id != 0)
    purple_timeout_remove (self->soon_id);
  g_list_free_full (g_steal_pointer (&self->invitations),
                    (GDestroyNotify) pending_invitation_free);
  /* Open prompts leave the screen; unanswered, they may come back next time. */
  g_hash_table_iter_init (&iter, self->open);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &open))
    sb_purple_prompts_withdraw (ctx, open);
  g_hash_table_remove_all (self->open);
  if (self->planner != NULL)
    {
      purple_signal_unregister (plugin, SB_SIGNAL_PROMPT_WITHDRAWN);
      sb_purple_answers_shutdown (ctx);
    }
  g_clear_pointer (&self->open, g_hash_table_unref);
  g_clear_pointer (&self->planner, sb_planner_free);
  g_clear_pointer (&ctx->prompts, g_free);
}
