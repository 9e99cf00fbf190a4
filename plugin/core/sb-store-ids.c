/* sb-store-ids.c: provisional ids, for rows that are queued but not yet written.
 *
 * A buddy, room or room member seen for the first time, and a prompt shown,
 * are queued (sb-store-writer.c) under a provisional id: negative, -1, -2, ...
 * The writer gives each its row id in the batch that adds it (SbBatchIds),
 * and publishes those ids to the store once the batch is committed, so a
 * later write or read can turn a provisional id into its row id
 * (sb_store_row_id()).  The tables are shared with the writer thread under
 * store->ids_lock.
 */
#include "sb-store-private.h"

void
sb_store_ids_init (SbStore *store)
{
  g_mutex_init (&store->ids_lock);
  store->provisional = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                              (GDestroyNotify) sb_buddy_key_free);
  store->resolved = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  store->queued_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  store->names = g_string_chunk_new (1024);
  store->sent_invites = g_array_new (FALSE, FALSE, sizeof (SbQueuedChat));
  store->shown_prompts = g_array_new (FALSE, FALSE, sizeof (SbQueuedPrompt));
}

void
sb_store_ids_clear (SbStore *store)
{
  g_clear_pointer (&store->provisional, g_hash_table_unref);
  g_clear_pointer (&store->resolved, g_hash_table_unref);
  g_clear_pointer (&store->queued_ids, g_hash_table_unref);
  g_clear_pointer (&store->names, g_string_chunk_free);
  g_clear_pointer (&store->sent_invites, g_array_unref);
  g_clear_pointer (&store->shown_prompts, g_array_unref);
  g_mutex_clear (&store->ids_lock);
}

gint64
sb_store_row_id (SbStore *store, gint64 buddy_id)
{
  if (buddy_id >= 0)
    return buddy_id;
  g_mutex_lock (&store->ids_lock);
  const gint64 *row = g_hash_table_lookup (store->resolved, &buddy_id);
  gint64 id = row != NULL ? *row : 0;
  g_mutex_unlock (&store->ids_lock);
  return id;
}

gint64
sb_store_resolve_buddy (SbStore *store, gint64 buddy_id)
{
  g_return_val_if_fail (store != NULL, 0);
  return buddy_id < 0 ? sb_store_row_id (store, buddy_id) : buddy_id;
}

const char *
sb_store_intern (SbStore *store, const char *s)
{
  return s != NULL ? g_string_chunk_insert_const (store->names, s) : NULL;
}

gint64
sb_store_new_provisional (SbStore *store)
{
  g_mutex_lock (&store->ids_lock);
  gint64 id = --store->next_provisional;
  g_mutex_unlock (&store->ids_lock);
  return id;
}

/* The key of store->queued_ids for @key in the table of @kind. */
static char *
queued_name (SbStoreOpKind kind, const SbBuddyKey *key)
{
  return g_strdup_printf ("%d\x1f%s\x1f%s\x1f%s", kind, key->protocol, key->account, key->buddy);
}

gint64
sb_store_queued_id (SbStore *store, SbStoreOpKind kind, const SbBuddyKey *key)
{
  g_autofree char *name = queued_name (kind, key);
  const gint64 *id = g_hash_table_lookup (store->queued_ids, name);
  return id != NULL ? *id : 0;
}

/* @key as it is: a room or member name is no buddy name (the user's member
 * name is empty), so sb_buddy_key_copy() would refuse it. */
static SbBuddyKey *
copy_key (const SbBuddyKey *key)
{
  SbBuddyKey *copy = g_new0 (SbBuddyKey, 1);
  copy->protocol = g_strdup (key->protocol);
  copy->account = g_strdup (key->account);
  copy->buddy = g_strdup (key->buddy);
  return copy;
}

gint64
sb_store_new_provisional_row (SbStore *store, SbStoreOpKind kind, const SbBuddyKey *key)
{
  gint64 id = sb_store_new_provisional (store);
  g_mutex_lock (&store->ids_lock);
  g_hash_table_insert (store->provisional, g_memdup2 (&id, sizeof id), copy_key (key));
  g_mutex_unlock (&store->ids_lock);
  g_hash_table_replace (store->queued_ids, queued_name (kind, key), g_memdup2 (&id, sizeof id));
  return id;
}

SbBuddyKey *
sb_store_provisional_key (SbStore *store, gint64 id)
{
  g_mutex_lock (&store->ids_lock);
  SbBuddyKey *key = g_hash_table_lookup (store->provisional, &id);
  g_mutex_unlock (&store->ids_lock);
  return key;
}

/* ---- a batch's ids --------------------------------------------------- */

void
sb_batch_ids_init (SbBatchIds *ids, SbStore *store)
{
  ids->store = store;
  ids->resolved = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

void
sb_batch_ids_clear (SbBatchIds *ids)
{
  g_clear_pointer (&ids->resolved, g_hash_table_unref);
}

void
sb_batch_ids_resolve (SbBatchIds *ids, gint64 id, gint64 row)
{
  g_hash_table_insert (ids->resolved, g_memdup2 (&id, sizeof id), g_memdup2 (&row, sizeof row));
}

gint64
sb_batch_ids_row_id (SbBatchIds *ids, gint64 id, GError **error)
{
  const gint64 *row = id < 0 ? g_hash_table_lookup (ids->resolved, &id) : NULL;
  gint64 found = row != NULL ? *row : sb_store_row_id (ids->store, id);
  if (found == 0)
    g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "a write names an unknown row");
  return found;
}

void
sb_batch_ids_publish (SbBatchIds *ids)
{
  GHashTableIter iter;
  gpointer key, value;
  g_mutex_lock (&ids->store->ids_lock);
  g_hash_table_iter_init (&iter, ids->resolved);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_hash_table_iter_steal (&iter);
      g_hash_table_replace (ids->store->resolved, key, value);
    }
  g_mutex_unlock (&ids->store->ids_lock);
}
