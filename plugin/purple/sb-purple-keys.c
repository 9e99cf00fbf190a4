/* sb-purple-keys.c: from libpurple's accounts, buddies and contacts to buddy
 * keys and summed figures.
 *
 * A key is (protocol id, account, buddy), normalized the way the protocol does
 * it (purple_normalize(), whose static buffer is copied at once) with the
 * account's resource removed by sb_buddy_key_new().  A Pidgin contact groups
 * several keys; its figures are the sum of its buddies'.  Contacts have no
 * stable id, so nothing here is kept beyond one call.
 */
#include "sb-purple-private.h"

#include <string.h>

SbBuddyKey *
sb_purple_key_new (PurpleAccount *account, const char *who)
{
  g_autofree char *account_name = NULL;
  g_autofree char *buddy_name = NULL;

  if (account == NULL || who == NULL)
    return NULL;
  /* purple_normalize() returns a static buffer: copy before the next call. */
  account_name = g_strdup (purple_normalize (account, purple_account_get_username (account)));
  buddy_name = g_strdup (purple_normalize (account, who));
  return sb_buddy_key_new (purple_account_get_protocol_id (account), account_name, buddy_name);
}

static void
add_buddy_key (GPtrArray *keys, PurpleBuddy *buddy)
{
  SbBuddyKey *key = sb_purple_key_new (purple_buddy_get_account (buddy),
                                       purple_buddy_get_name (buddy));

  if (key != NULL)
    g_ptr_array_add (keys, key);
}

GPtrArray *
sb_purple_keys_for_node (PurpleBlistNode *node)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_buddy_key_free);

  if (node == NULL)
    return keys;
  if (PURPLE_BLIST_NODE_IS_BUDDY (node))
    add_buddy_key (keys, (PurpleBuddy *) node);
  else if (PURPLE_BLIST_NODE_IS_CONTACT (node))
    {
      for (PurpleBlistNode *child = purple_blist_node_get_first_child (node); child != NULL;
           child = purple_blist_node_get_sibling_next (child))
        if (PURPLE_BLIST_NODE_IS_BUDDY (child))
          add_buddy_key (keys, (PurpleBuddy *) child);
    }
  return keys;
}

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

/* Sums several buddies' figures.  Counts and closeness add up; the pending
 * state is the one of the buddy with the latest episode (only the latest
 * conversation with a person can be waiting); medians and cadence cannot be
 * summed without the episodes, so they are taken from the buddy with the most
 * episodes, the one that dominates the person's history. */
static gboolean
stats_sum (SbPurple *ctx, GPtrArray *keys, SbStats *out)
{
  const SbStats *latest = NULL;
  const SbStats *largest = NULL;
  gboolean found = FALSE;

  memset (out, 0, sizeof *out);
  out->median_latency_them_s = out->median_latency_you_s = out->cadence_s = -1;
  for (guint i = 0; i < keys->len; i++)
    {
      const SbStats *stats = sb_ledger_get_stats (ctx->ledger, keys->pdata[i]);

      if (stats == NULL || stats->all.episodes == 0)
        continue;
      found = TRUE;
      counts_add (&out->all, &stats->all);
      counts_add (&out->window, &stats->window);
      out->closeness += stats->closeness;
      out->strong_tie = out->strong_tie || stats->strong_tie;
      if (latest == NULL || stats->all.last_episode > latest->all.last_episode)
        latest = stats;
      if (largest == NULL || stats->all.episodes > largest->all.episodes)
        largest = stats;
    }
  if (!found)
    return FALSE;
  out->waiting_since = latest->waiting_since;
  out->unanswered_since = latest->unanswered_since;
  out->median_latency_them_s = largest->median_latency_them_s;
  out->median_latency_you_s = largest->median_latency_you_s;
  out->cadence_s = largest->cadence_s;
  /* Several buddies together reach the strong-tie threshold their parts may not. */
  out->strong_tie = out->strong_tie
                    || (out->closeness >= 3.0 && out->all.started_by_you > 0
                        && out->all.started_by_them > 0);
  return TRUE;
}

gboolean
sb_purple_stats_for_node (SbPurple *ctx, PurpleBlistNode *node, SbStats *out)
{
  g_autoptr(GPtrArray) keys = sb_purple_keys_for_node (node);

  return stats_sum (ctx, keys, out);
}

gboolean
sb_purple_stats_for_name (SbPurple *ctx, PurpleAccount *account, const char *who, SbStats *out)
{
  PurpleBuddy *buddy = purple_find_buddy (account, who);
  g_autoptr(GPtrArray) keys = NULL;

  if (buddy != NULL)
    return sb_purple_stats_for_node (ctx, (PurpleBlistNode *) purple_buddy_get_contact (buddy),
                                     out);
  keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_buddy_key_free);
  {
    SbBuddyKey *key = sb_purple_key_new (account, who);
    if (key != NULL)
      g_ptr_array_add (keys, key);
  }
  return stats_sum (ctx, keys, out);
}

int
sb_purple_keep_in_touch_days (PurpleBlistNode *node)
{
  for (; node != NULL; node = purple_blist_node_get_parent (node))
    {
      int days = purple_blist_node_get_int (node, SB_NODE_KEEP_IN_TOUCH_DAYS);

      if (days != 0)
        return days;
    }
  return 0;
}

gboolean
sb_purple_account_excluded (SbPurple *ctx, PurpleAccount *account)
{
  g_autofree char *name = NULL;
  char *slash;

  if (ctx->excluded == NULL || g_hash_table_size (ctx->excluded) == 0)
    return FALSE;
  name = g_utf8_casefold (purple_account_get_username (account), -1);
  slash = strchr (name, '/');
  if (slash != NULL)
    *slash = '\0';
  return g_hash_table_contains (ctx->excluded, name);
}
