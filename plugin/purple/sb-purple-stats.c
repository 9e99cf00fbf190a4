/* sb-purple-stats.c: the figures of libpurple's buddies and contacts, and the
 * accounts left out.
 *
 * Buddies are filed under the key of sb-purple-key.h.  A Pidgin contact
 * groups several keys; its figures are the sum of its buddies'.  Contacts
 * have no stable id, so nothing here is kept beyond one call.
 */
#include "sb-purple-private.h"

#include <string.h>

static void
counts_add (SbCounts *sum, const SbCounts *add)
{
  sum->episodes += add->episodes;
  sum->started_by_you += add->started_by_you;
  sum->started_by_them += add->started_by_them;
  sum->answered_by_them += add->answered_by_them;
  sum->answered_by_you += add->answered_by_you;
  sum->messages_sent += add->messages_sent;
  sum->messages_received += add->messages_received;
  sum->last_episode = MAX (sum->last_episode, add->last_episode);
  sum->last_you_started = MAX (sum->last_you_started, add->last_you_started);
}

/* Account names longer than this (none are) take the allocating path. */
#define NAME_MAX_LEN 512

/* The ledger's figures of @who on @account, found without allocating (the
 * buddy list asks for them on every redraw, docs/design.md, "Performance budgets"): the key's
 * strings are a stack copy of the account name and purple_normalize()'s own
 * buffer, used at once.  NULL when unknown. */
static const SbStats *
lookup_stats (SbPurple *ctx, PurpleAccount *account, const char *who)
{
  char account_name[NAME_MAX_LEN];
  const char *normal = purple_normalize (account, purple_account_get_username (account));
  SbBuddyKey key;
  char *slash;

  if (who == NULL || normal == NULL
      || g_strlcpy (account_name, normal, sizeof account_name) >= sizeof account_name)
    {
      g_autoptr (SbBuddyKey) heap = sb_purple_key_new (account, who);

      return heap != NULL ? sb_ledger_get_stats (ctx->ledger, heap) : NULL;
    }
  /* As sb_buddy_key_new(): the account without its resource. */
  slash = strchr (account_name, '/');
  if (slash != NULL)
    *slash = '\0';
  key.protocol = (char *) purple_account_get_protocol_id (account);
  key.account = account_name;
  key.buddy = (char *) purple_normalize (account, who);
  if (key.protocol == NULL || key.buddy == NULL)
    return NULL;
  return sb_ledger_get_stats (ctx->ledger, &key);
}

/* Sums several buddies' figures.  Counts and closeness add up; the pending
 * state is the one of the buddy with the latest episode (only the latest
 * conversation with a person can be waiting); medians and cadence cannot be
 * summed without the episodes, so they are taken from the buddy with the most
 * episodes, the one that dominates the person's history. */
typedef struct
{
  SbStats *out;
  const SbStats *latest;
  const SbStats *largest;
} StatsSum;

static void
stats_sum_begin (StatsSum *sum, SbStats *out)
{
  memset (out, 0, sizeof *out);
  out->median_latency_them_s = out->median_latency_you_s = out->cadence_s = -1;
  sum->out = out;
  sum->latest = sum->largest = NULL;
}

static void
stats_sum_add (StatsSum *sum, const SbStats *stats)
{
  SbStats *out = sum->out;

  if (stats == NULL || stats->all.episodes == 0)
    return;
  counts_add (&out->all, &stats->all);
  counts_add (&out->window, &stats->window);
  out->closeness += stats->closeness;
  out->strong_tie = out->strong_tie || stats->strong_tie;
  if (sum->latest == NULL || stats->all.last_episode > sum->latest->all.last_episode)
    sum->latest = stats;
  if (sum->largest == NULL || stats->all.episodes > sum->largest->all.episodes)
    sum->largest = stats;
}

/* FALSE when nothing with history was added. */
static gboolean
stats_sum_end (StatsSum *sum)
{
  SbStats *out = sum->out;

  if (sum->latest == NULL)
    return FALSE;
  out->waiting_since = sum->latest->waiting_since;
  out->unanswered_since = sum->latest->unanswered_since;
  out->median_latency_them_s = sum->largest->median_latency_them_s;
  out->median_latency_you_s = sum->largest->median_latency_you_s;
  out->cadence_s = sum->largest->cadence_s;
  /* Several buddies together reach the strong-tie threshold their parts may not. */
  out->strong_tie = out->strong_tie
                    || (out->closeness >= 3.0 && out->all.started_by_you > 0
                        && out->all.started_by_them > 0);
  return TRUE;
}

static const SbStats *
buddy_stats (SbPurple *ctx, PurpleBuddy *buddy)
{
  return lookup_stats (ctx, purple_buddy_get_account (buddy), purple_buddy_get_name (buddy));
}

gboolean
sb_purple_stats_for_node (SbPurple *ctx, PurpleBlistNode *node, SbStats *out)
{
  StatsSum sum;

  g_return_val_if_fail (ctx != NULL && out != NULL, FALSE);
  stats_sum_begin (&sum, out);
  if (node != NULL && PURPLE_BLIST_NODE_IS_BUDDY (node))
    stats_sum_add (&sum, buddy_stats (ctx, (PurpleBuddy *) node));
  else if (node != NULL && PURPLE_BLIST_NODE_IS_CONTACT (node))
    {
      for (PurpleBlistNode *child = purple_blist_node_get_first_child (node); child != NULL;
           child = purple_blist_node_get_sibling_next (child))
        if (PURPLE_BLIST_NODE_IS_BUDDY (child))
          stats_sum_add (&sum, buddy_stats (ctx, (PurpleBuddy *) child));
    }
  return stats_sum_end (&sum);
}

gboolean
sb_purple_stats_for_name (SbPurple *ctx, PurpleAccount *account, const char *who, SbStats *out)
{
  PurpleBuddy *buddy;
  StatsSum sum;

  g_return_val_if_fail (ctx != NULL && account != NULL && who != NULL && out != NULL, FALSE);
  buddy = purple_find_buddy (account, who);
  if (buddy != NULL)
    return sb_purple_stats_for_node (ctx, (PurpleBlistNode *) purple_buddy_get_contact (buddy),
                                     out);
  stats_sum_begin (&sum, out);
  stats_sum_add (&sum, lookup_stats (ctx, account, who));
  return stats_sum_end (&sum);
}

gboolean
sb_purple_account_excluded (SbPurple *ctx, PurpleAccount *account)
{
  g_autofree char *name = NULL;
  char *slash;

  g_return_val_if_fail (ctx != NULL && account != NULL, FALSE);
  if (ctx->excluded == NULL || g_hash_table_size (ctx->excluded) == 0)
    return FALSE;
  name = g_utf8_casefold (purple_account_get_username (account), -1);
  slash = strchr (name, '/');
  if (slash != NULL)
    *slash = '\0';
  return g_hash_table_contains (ctx->excluded, name);
}
