/* sb-planner.c: choosing the few prompts worth a person's attention.
 *
 * Two steps.  candidates() asks, buddy by buddy, which prompt kinds are due by
 * the rules of docs/design.md, "Prompts and their manners", and scores them; it knows nothing of manners.
 * sb_planner_next() then applies the manners (presence, quiet hours, the
 * sign-on flood, the daily cap, snoozes, mutes, open prompts) in one place.
 * Answers and shown prompts go to the store at once: they are rare, and they
 * must survive a crash as much as a restart.
 */
#include "smileback/sb-planner.h"
#include "smileback/sb-hint.h"

#include <math.h>
#include <string.h>

/* Snoozes and mutes, per (kind, buddy). */
typedef struct
{
  gint64 snoozed_until;
  gboolean muted;
} PromptState;

struct _SbPlanner
{
  SbStore *store; /* borrowed */
  SbPlannerPrefs prefs;
  GHashTable *states; /* state key -> PromptState */
  GHashTable *open;   /* state keys of prompts shown and not answered */
};

void
sb_planner_prefs_init (SbPlannerPrefs *prefs)
{
  *prefs = (SbPlannerPrefs){
    .max_per_day = 3,
    .quiet_start_minute = 22 * 60,
    .quiet_end_minute = 8 * 60,
    .reply_after_s = 12 * SB_HOUR,
    .reply_until_s = 7 * SB_DAY,
    .follow_up = FALSE,
    .follow_up_after_s = 3 * SB_DAY,
    .due_min_s = 7 * SB_DAY,
    .due_max_s = 90 * SB_DAY,
  };
}

/* "kind|protocol/account/buddy": one string names a (kind, buddy) pair. */
static char *
state_key (SbPromptKind kind, const SbBuddyKey *key)
{
  return g_strdup_printf ("%d|%s/%s/%s", (int) kind, key->protocol, key->account, key->buddy);
}

static PromptState *
state_lookup (SbPlanner *planner, SbPromptKind kind, const SbBuddyKey *key)
{
  g_autofree char *name = state_key (kind, key);
  return g_hash_table_lookup (planner->states, name);
}

static void
load_state_cb (const SbBuddyKey *key, int kind, gint64 snoozed_until, gboolean muted,
               gpointer user_data)
{
  SbPlanner *planner = user_data;
  if (kind < 0 || kind >= SB_PROMPT_KIND_LAST)
    return; /* written by a newer version: not ours to interpret */
  PromptState *state = g_new0 (PromptState, 1);
  state->snoozed_until = snoozed_until;
  state->muted = muted;
  g_hash_table_replace (planner->states, state_key (kind, key), state);
}

SbPlanner *
sb_planner_new (SbStore *store, GError **error)
{
  g_return_val_if_fail (store != NULL, NULL);
  g_autoptr (SbPlanner) planner = g_new0 (SbPlanner, 1);
  planner->store = store;
  sb_planner_prefs_init (&planner->prefs);
  planner->states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  planner->open = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!sb_store_foreach_prompt_state (store, load_state_cb, planner, error))
    return NULL;
  return g_steal_pointer (&planner);
}

void
sb_planner_free (SbPlanner *planner)
{
  if (planner == NULL)
    return;
  g_clear_pointer (&planner->states, g_hash_table_unref);
  g_clear_pointer (&planner->open, g_hash_table_unref);
  g_free (planner);
}

void
sb_planner_set_prefs (SbPlanner *planner, const SbPlannerPrefs *prefs)
{
  planner->prefs = *prefs;
}

const SbPlannerPrefs *
sb_planner_get_prefs (SbPlanner *planner)
{
  return &planner->prefs;
}

gint64
sb_planner_due_interval (const SbPlannerPrefs *prefs, const SbStats *stats, gint64 keep_in_touch_s)
{
  return sb_hint_due_interval_within (stats, keep_in_touch_s, prefs->due_min_s, prefs->due_max_s);
}

static SbPrompt *
prompt_new (SbPromptKind kind, const SbPlannerBuddy *buddy, double score, gint64 since,
            gint64 due_s)
{
  SbPrompt *prompt = g_new0 (SbPrompt, 1);
  prompt->kind = kind;
  prompt->key = sb_buddy_key_copy (buddy->key);
  prompt->score = score;
  prompt->online = buddy->online;
  prompt->since = since;
  prompt->due_s = due_s;
  return prompt;
}

/* The reach-out prompt @buddy is due for at @now, or NULL. */
static SbPrompt *
reach_out_candidate (SbPlanner *planner, const SbPlannerBuddy *buddy, gint64 now)
{
  const SbStats *stats = buddy->stats;
  gint64 due = sb_planner_due_interval (&planner->prefs, stats, buddy->keep_in_touch_s);
  /* Counted from the last real contact, never from the last reminder. */
  gint64 since = stats->last_contact;
  if (due <= 0 || since <= 0 || now - since <= due)
    return NULL;
  double overdue = (double) (now - since) / (double) due;
  /* A drifted friend has closeness 0; keep them rankable by how overdue. */
  double score = MAX (stats->closeness, 0.1) * overdue;
  return prompt_new (SB_PROMPT_REACH_OUT, buddy, score, since, due);
}

/* The reply nudge @buddy is due for, or NULL: they opened, the user has not
 * answered for reply_after_s, and it is not older than reply_until_s. */
static SbPrompt *
reply_nudge_candidate (SbPlanner *planner, const SbPlannerBuddy *buddy, gint64 now)
{
  const SbStats *stats = buddy->stats;
  gint64 waited = now - stats->waiting_since;
  if (stats->waiting_since <= 0 || stats->waiting_is_backlog
      || waited < planner->prefs.reply_after_s || waited >= planner->prefs.reply_until_s)
    return NULL;
  /* Sooner nudges for closer friends, and for messages still fresh. */
  double score = (1.0 + stats->closeness) * (double) planner->prefs.reply_until_s / (double) waited;
  return prompt_new (SB_PROMPT_REPLY_NUDGE, buddy, score, stats->waiting_since,
                     planner->prefs.reply_after_s);
}

/* The call suggestion @buddy is due for, or NULL: a conversation still going
 * (its last message within the gap that would end it is not needed: within
 * the hour) that has grown long. */
static SbPrompt *
call_candidate (SbPlanner *planner, const SbPlannerBuddy *buddy, gint64 now)
{
  const SbStats *stats = buddy->stats;
  gboolean ongoing = stats->last_contact > 0 && now - stats->last_contact <= SB_HOUR;
  gboolean long_chat = stats->latest_messages >= SB_PLANNER_CALL_MESSAGES
                       || (stats->latest_turns_out >= SB_PLANNER_CALL_TURNS
                           && stats->latest_turns_in >= SB_PLANNER_CALL_TURNS);
  if (!ongoing || !long_chat)
    return NULL;
  return prompt_new (SB_PROMPT_CALL, buddy, 2.0 + stats->closeness, stats->last_contact, 0);
}

/* The follow-up @buddy is due for, or NULL (off unless the user turned it on). */
static SbPrompt *
follow_up_candidate (SbPlanner *planner, const SbPlannerBuddy *buddy, gint64 now)
{
  const SbStats *stats = buddy->stats;
  gint64 waited = now - stats->unanswered_since;
  if (!planner->prefs.follow_up || stats->unanswered_since <= 0
      || waited < planner->prefs.follow_up_after_s || waited >= planner->prefs.reply_until_s * 2)
    return NULL;
  return prompt_new (SB_PROMPT_FOLLOW_UP, buddy, 1.0 + stats->closeness, stats->unanswered_since,
                     planner->prefs.follow_up_after_s);
}

/* Appends every prompt kind @buddy is due for, by the rules alone. */
static void
candidates (SbPlanner *planner, const SbPlannerBuddy *buddy, gint64 now, GPtrArray *out)
{
  if (buddy->key == NULL || buddy->stats == NULL)
    return;
  SbPrompt *prompts[] = {
    call_candidate (planner, buddy, now),
    reply_nudge_candidate (planner, buddy, now),
    follow_up_candidate (planner, buddy, now),
    reach_out_candidate (planner, buddy, now),
  };
  for (gsize i = 0; i < G_N_ELEMENTS (prompts); i++)
    if (prompts[i] != NULL)
      g_ptr_array_add (out, prompts[i]);
}

gboolean
sb_planner_text_is_question (const char *text)
{
  if (text == NULL)
    return FALSE;
  /* Trailing white space aside, by bytes: '?' is ASCII, and no byte of a
   * longer UTF-8 character is. */
  gsize len = strlen (text);
  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;
  return len > 0 && text[len - 1] == '?';
}

gboolean
sb_planner_room_question_due (const SbPlannerRoomQuestion *question, const SbStats *asker,
                              gint64 now)
{
  g_return_val_if_fail (question != NULL, FALSE);
  return !question->answered && asker != NULL && asker->strong_tie && question->asked_at > 0
         && now - question->asked_at >= SB_PLANNER_ROOM_QUESTION_WAIT_S
         && question->user_spoke_at > 0 && now - question->user_spoke_at <= SB_PLANNER_ROOM_ACTIVE_S;
}

/* Appends a prompt for every question of @moment that is due, asked by one
 * of @buddies. */
static void
room_question_candidates (const SbPlannerBuddy *buddies, guint n_buddies,
                          const SbPlannerMoment *moment, GPtrArray *out)
{
  for (guint q = 0; q < moment->n_questions; q++)
    {
      const SbPlannerRoomQuestion *question = &moment->questions[q];
      for (guint i = 0; i < n_buddies; i++)
        {
          const SbPlannerBuddy *buddy = &buddies[i];
          if (buddy->key == NULL || question->key == NULL
              || !sb_buddy_key_equal (buddy->key, question->key)
              || !sb_planner_room_question_due (question, buddy->stats, moment->now))
            continue;
          /* The moment passes within minutes: it ranks above what can wait a day. */
          double waited = (double) MAX (moment->now - question->asked_at, 1);
          double score = (1.0 + buddy->stats->closeness) * (double) SB_DAY / waited;
          SbPrompt *prompt = prompt_new (SB_PROMPT_ROOM_QUESTION, buddy, score,
                                         question->asked_at, SB_PLANNER_ROOM_QUESTION_WAIT_S);
          prompt->room = g_strdup (question->room);
          g_ptr_array_add (out, prompt);
          break;
        }
    }
}

/* Online buddies first, then the higher score; ties by name, so the order is stable. */
static int
compare_prompts (gconstpointer pa, gconstpointer pb)
{
  const SbPrompt *a = *(SbPrompt *const *) pa;
  const SbPrompt *b = *(SbPrompt *const *) pb;
  if (a->online != b->online)
    return a->online ? -1 : 1;
  if (a->score != b->score)
    return a->score > b->score ? -1 : 1;
  return g_strcmp0 (a->key->buddy, b->key->buddy);
}

GPtrArray *
sb_planner_list_due (SbPlanner *planner, const SbPlannerBuddy *buddies, guint n_buddies,
                     const SbPlannerMoment *moment)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_prompt_free);
  for (guint i = 0; i < n_buddies; i++)
    candidates (planner, &buddies[i], moment->now, out);
  room_question_candidates (buddies, n_buddies, moment, out);
  g_ptr_array_sort (out, compare_prompts);
  return out;
}

static GDateTime *
local_time (const SbPlannerMoment *moment)
{
  g_autoptr (GTimeZone) local = moment->tz == NULL ? g_time_zone_new_local () : NULL;
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (moment->now);
  return utc != NULL ? g_date_time_to_timezone (utc, moment->tz != NULL ? moment->tz : local) : NULL;
}

/* TRUE inside the quiet hours (which may wrap midnight: 22:00-08:00). */
static gboolean
in_quiet_hours (const SbPlannerPrefs *prefs, GDateTime *local)
{
  if (prefs->quiet_start_minute == prefs->quiet_end_minute)
    return FALSE;
  int minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
  if (prefs->quiet_start_minute < prefs->quiet_end_minute)
    return minute >= prefs->quiet_start_minute && minute < prefs->quiet_end_minute;
  return minute >= prefs->quiet_start_minute || minute < prefs->quiet_end_minute;
}

/* TRUE when snoozed, muted or open: the user already has this one. */
static gboolean
held_back (SbPlanner *planner, const SbPrompt *prompt, gint64 now)
{
  g_autofree char *name = state_key (prompt->kind, prompt->key);
  PromptState *state = g_hash_table_lookup (planner->states, name);
  if (state != NULL && (state->muted || state->snoozed_until > now))
    return TRUE;
  /* One open prompt per buddy, whatever its kind. */
  for (int kind = 0; kind < SB_PROMPT_KIND_LAST; kind++)
    if (sb_planner_is_open (planner, prompt->key, kind))
      return TRUE;
  return FALSE;
}

/* How many prompts were shown since local midnight of @local; on a store
 * failure, as many as the cap (show none rather than too many). */
static guint
shown_today (SbPlanner *planner, GDateTime *local)
{
  g_autoptr (GDateTime) midnight = g_date_time_add_full (local, 0, 0, 0,
                                                         -g_date_time_get_hour (local),
                                                         -g_date_time_get_minute (local),
                                                         -g_date_time_get_seconds (local));
  guint count = 0;
  g_autoptr (GError) error = NULL;
  if (!sb_store_count_prompts_since (planner->store, g_date_time_to_unix (midnight), -1, &count,
                                     &error))
    {
      g_warning ("cannot count today's prompts, showing none: %s", error->message);
      return planner->prefs.max_per_day;
    }
  return count;
}

static gboolean manners_allow (SbPlanner *planner, const SbPlannerMoment *moment);

GPtrArray *
sb_planner_next (SbPlanner *planner, const SbPlannerBuddy *buddies, guint n_buddies,
                 const SbPlannerMoment *moment)
{
  GPtrArray *chosen = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_prompt_free);
  if (!manners_allow (planner, moment))
    return chosen;
  g_autoptr (GDateTime) local = local_time (moment);
  guint room = planner->prefs.max_per_day - shown_today (planner, local);

  g_autoptr (GPtrArray) due = sb_planner_list_due (planner, buddies, n_buddies, moment);
  g_autoptr (GHashTable) taken = g_hash_table_new (sb_buddy_key_hash, sb_buddy_key_equal);
  for (guint i = 0; i < due->len && chosen->len < room; i++)
    {
      SbPrompt *prompt = g_ptr_array_index (due, i);
      if (held_back (planner, prompt, moment->now) || g_hash_table_contains (taken, prompt->key))
        continue;
      g_hash_table_add (taken, prompt->key);
      g_ptr_array_add (chosen, sb_prompt_copy (prompt));
    }
  return chosen;
}

static gboolean save_state (SbPlanner *planner, SbPromptKind kind, const SbBuddyKey *key,
                            gint64 snoozed_until, gboolean muted, GError **error);

gboolean
sb_planner_shown (SbPlanner *planner, SbPrompt *prompt, gint64 now, GError **error)
{
  gint64 buddy_id = sb_store_buddy_id (planner->store, prompt->key, error);
  if (buddy_id == 0)
    return FALSE;
  gint64 id = sb_store_log_prompt (planner->store, buddy_id, prompt->kind, now, error);
  if (id == 0)
    return FALSE;
  prompt->id = id;
  g_hash_table_add (planner->open, state_key (prompt->kind, prompt->key));
  /* A call suggestion waits a week before the next for this buddy. */
  if (prompt->kind == SB_PROMPT_CALL)
    return save_state (planner, prompt->kind, prompt->key, now + SB_PLANNER_CALL_EVERY_S, FALSE,
                       error);
  return TRUE;
}

/* Saves the (kind, buddy) state in memory and in the store. */
static gboolean
save_state (SbPlanner *planner, SbPromptKind kind, const SbBuddyKey *key, gint64 snoozed_until,
            gboolean muted, GError **error)
{
  gint64 buddy_id = sb_store_buddy_id (planner->store, key, error);
  if (buddy_id == 0
      || !sb_store_set_prompt_state (planner->store, buddy_id, kind, snoozed_until, muted, error))
    return FALSE;
  PromptState *state = g_new0 (PromptState, 1);
  state->snoozed_until = snoozed_until;
  state->muted = muted;
  g_hash_table_replace (planner->states, state_key (kind, key), state);
  return TRUE;
}

gboolean
sb_planner_answer (SbPlanner *planner, const SbPrompt *prompt, SbPromptAnswer answer,
                   gint64 until, gint64 now, GError **error)
{
  g_autofree char *name = state_key (prompt->kind, prompt->key);
  g_hash_table_remove (planner->open, name);

  if (prompt->id != 0 && !sb_store_answer_prompt (planner->store, prompt->id, answer, now, error))
    return FALSE;
  switch (answer)
    {
    case SB_ANSWER_LATER:
      return save_state (planner, prompt->kind, prompt->key, until, FALSE, error);
    case SB_ANSWER_MUTE:
      return save_state (planner, prompt->kind, prompt->key, 0, TRUE, error);
    case SB_ANSWER_NONE:
    case SB_ANSWER_DONE:
    case SB_ANSWER_DISMISSED:
      return TRUE;
    }
  return TRUE;
}

gboolean
sb_planner_still_due (SbPlanner *planner, const SbPrompt *prompt, const SbPlannerBuddy *buddy,
                      const SbPlannerMoment *moment)
{
  g_autoptr (GPtrArray) now_due = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_prompt_free);
  candidates (planner, buddy, moment->now, now_due);
  for (guint i = 0; i < now_due->len; i++)
    if (((SbPrompt *) g_ptr_array_index (now_due, i))->kind == prompt->kind)
      return TRUE;
  return FALSE;
}

gboolean
sb_planner_is_open (SbPlanner *planner, const SbBuddyKey *key, SbPromptKind kind)
{
  g_autofree char *name = state_key (kind, key);
  return g_hash_table_contains (planner->open, name);
}

gboolean
sb_planner_is_muted (SbPlanner *planner, const SbBuddyKey *key, SbPromptKind kind)
{
  PromptState *state = state_lookup (planner, kind, key);
  return state != NULL && state->muted;
}

gboolean
sb_planner_unmute (SbPlanner *planner, const SbBuddyKey *key, SbPromptKind kind, GError **error)
{
  return save_state (planner, kind, key, 0, FALSE, error);
}

gboolean
sb_planner_outcomes (SbPlanner *planner, SbPromptKind kind, SbPromptOutcomes *out, GError **error)
{
  return sb_store_prompt_outcomes (planner->store, kind, &out->shown, &out->acted,
                                   &out->smiled_back, error);
}

/* The part of a buddy name after '@', or NULL. */
static const char *
server_domain (const SbBuddyKey *key)
{
  const char *at = strrchr (key->buddy, '@');
  return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

/* Scores the pair (a, b) of strong ties, or returns < 0 when it must not be
 * suggested (seen together, introduced, known to each other).  Runs a few
 * indexed queries: for the planning timer, never a message handler. */
static double
pair_score (SbPlanner *planner, const SbPlannerBuddy *a, const SbPlannerBuddy *b, GError **error)
{
  gint64 id_a = sb_store_lookup_buddy (planner->store, a->key, FALSE, error);
  gint64 id_b = id_a != 0 ? sb_store_lookup_buddy (planner->store, b->key, FALSE, error) : 0;
  guint marks = 0;
  gboolean together = FALSE;
  if (id_a == 0 || id_b == 0 || !sb_store_pair_marks (planner->store, id_a, id_b, &marks, error)
      || marks != 0 || !sb_store_seen_together (planner->store, a->key, b->key, 0, &together, error)
      || together)
    return -1;

  double score = sqrt (a->stats->closeness * b->stats->closeness);
  if (a->group != NULL && g_strcmp0 (a->group, b->group) == 0)
    score *= 1.5;
  const char *domain_a = server_domain (a->key), *domain_b = server_domain (b->key);
  if (domain_a != NULL && g_ascii_strcasecmp (domain_a, domain_b != NULL ? domain_b : "") == 0)
    score *= 1.5;
  return score;
}

GPtrArray *
sb_planner_list_introductions (SbPlanner *planner, const SbPlannerBuddy *buddies, guint n_buddies,
                               const SbPlannerMoment *moment, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_prompt_free);
  for (guint i = 0; i < n_buddies; i++)
    {
      const SbPlannerBuddy *a = &buddies[i];
      if (a->stats == NULL || !a->stats->strong_tie)
        continue;
      for (guint j = i + 1; j < n_buddies; j++)
        {
          const SbPlannerBuddy *b = &buddies[j];
          if (b->stats == NULL || !b->stats->strong_tie || sb_buddy_key_equal (a->key, b->key))
            continue;
          g_autoptr (GError) local = NULL;
          double score = pair_score (planner, a, b, &local);
          if (local != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return NULL;
            }
          if (score < 0)
            continue;
          SbPrompt *prompt = prompt_new (SB_PROMPT_INTRODUCE, a, score, 0, 0);
          prompt->online = a->online && b->online;
          prompt->other = sb_buddy_key_copy (b->key);
          g_ptr_array_add (out, prompt);
        }
    }
  g_ptr_array_sort (out, compare_prompts);
  return g_steal_pointer (&out);
}

/* TRUE when the manners allow a prompt at @moment (presence, sign-on flood,
 * quiet hours, the daily cap). */
static gboolean
manners_allow (SbPlanner *planner, const SbPlannerMoment *moment)
{
  if (!moment->available || moment->now < moment->quiet_until)
    return FALSE;
  g_autoptr (GDateTime) local = local_time (moment);
  if (local == NULL || in_quiet_hours (&planner->prefs, local))
    return FALSE;
  return shown_today (planner, local) < planner->prefs.max_per_day;
}

SbPrompt *
sb_planner_next_introduction (SbPlanner *planner, const SbPlannerBuddy *buddies, guint n_buddies,
                              const SbPlannerMoment *moment)
{
  if (!manners_allow (planner, moment))
    return NULL;
  guint recent = 0;
  g_autoptr (GError) error = NULL;
  if (!sb_store_count_prompts_since (planner->store, moment->now - SB_PLANNER_INTRODUCE_EVERY_S,
                                     SB_PROMPT_INTRODUCE, &recent, &error))
    {
      g_warning ("cannot count introductions, suggesting none: %s", error->message);
      return NULL;
    }
  if (recent > 0)
    return NULL;

  g_autoptr (GPtrArray) all = sb_planner_list_introductions (planner, buddies, n_buddies, moment,
                                                             &error);
  if (all == NULL)
    {
      g_warning ("cannot plan introductions: %s", error->message);
      return NULL;
    }
  for (guint i = 0; i < all->len; i++)
    {
      SbPrompt *prompt = g_ptr_array_index (all, i);
      if (!held_back (planner, prompt, moment->now))
        return sb_prompt_copy (prompt);
    }
  return NULL;
}

gboolean
sb_planner_mark_pair (SbPlanner *planner, const SbBuddyKey *a, const SbBuddyKey *b,
                      gboolean introduced, gint64 now, GError **error)
{
  gint64 id_a = sb_store_buddy_id (planner->store, a, error);
  gint64 id_b = id_a != 0 ? sb_store_buddy_id (planner->store, b, error) : 0;
  if (id_a == 0 || id_b == 0)
    return FALSE;
  return sb_store_mark_pair (planner->store, id_a, id_b,
                             introduced ? SB_PAIR_INTRODUCED : SB_PAIR_KNOW_EACH_OTHER, now, error);
}

static int
compare_closeness (gconstpointer pa, gconstpointer pb)
{
  const SbPlannerBuddy *a = *(const SbPlannerBuddy *const *) pa;
  const SbPlannerBuddy *b = *(const SbPlannerBuddy *const *) pb;
  if (a->stats->closeness != b->stats->closeness)
    return a->stats->closeness > b->stats->closeness ? -1 : 1;
  return g_strcmp0 (a->key->buddy, b->key->buddy);
}

SbPrompt *
sb_planner_invitation (SbPlanner *planner, const char *protocol, const char *account,
                       const char *room, const char *const *present,
                       const SbPlannerBuddy *buddies, guint n_buddies,
                       const SbPlannerMoment *moment)
{
  if (!moment->available || moment->now < moment->quiet_until || room == NULL)
    return NULL;

  g_autoptr (GPtrArray) fitting = g_ptr_array_new ();
  for (guint i = 0; i < n_buddies; i++)
    {
      const SbPlannerBuddy *b = &buddies[i];
      if (!b->online || b->stats == NULL || !b->stats->strong_tie
          || g_strcmp0 (b->key->protocol, protocol) != 0 || g_strcmp0 (b->key->account, account) != 0
          || (present != NULL && g_strv_contains (present, b->key->buddy)))
        continue;
      gboolean invited = FALSE;
      g_autoptr (GError) error = NULL;
      if (!sb_store_invited_since (planner->store, protocol, account, room, b->key->buddy,
                                   moment->now - SB_PLANNER_INVITE_AGAIN_S, &invited, &error))
        {
          g_warning ("cannot look for invitations, suggesting none: %s", error->message);
          return NULL;
        }
      if (!invited)
        g_ptr_array_add (fitting, (gpointer) b);
    }
  if (fitting->len == 0)
    return NULL;
  g_ptr_array_sort (fitting, compare_closeness);

  const SbPlannerBuddy *best = g_ptr_array_index (fitting, 0);
  SbPrompt *prompt = prompt_new (SB_PROMPT_INVITE, best, best->stats->closeness, moment->now, 0);
  prompt->room = g_strdup (room);
  prompt->invitees = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_buddy_key_free);
  for (guint i = 0; i < fitting->len && i < SB_PLANNER_INVITE_MAX; i++)
    g_ptr_array_add (prompt->invitees,
                     sb_buddy_key_copy (((const SbPlannerBuddy *) g_ptr_array_index (fitting, i))->key));
  return prompt;
}

gboolean
sb_planner_introduction_outcomes (SbPlanner *planner, guint *introduced, guint *met, GError **error)
{
  return sb_store_introduction_outcomes (planner->store, introduced, met, error);
}

gboolean
sb_planner_invitation_outcomes (SbPlanner *planner, guint *invited, guint *joined, GError **error)
{
  return sb_store_invitation_outcomes (planner->store, invited, joined, error);
}
