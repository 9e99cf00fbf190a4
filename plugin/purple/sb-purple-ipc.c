/* sb-purple-ipc.c: what core-smileback publishes to UI plugins (sb-ipc.h).
 *
 * Plugins share no symbols, so the one ledger is reached through purple
 * signals emitted on this plugin's handle and purple IPC calls registered on
 * it.  Everything a buddy list draws (stats, hint, tooltip) is served from the
 * ledger's memory; only the monthly history, asked for when a window opens,
 * reads the store.  Signals and IPC are registered on load and unregistered
 * on unload.
 */
#include "sb-purple-private.h"

#include <smileback/sb-hint.h>

/* IPC functions are called through libpurple's marshallers, which pass one
 * trailing data pointer (NULL for IPC): each takes it as @unused. */

static gboolean
ipc_get_stats (PurpleBlistNode *node, SbStats *out, gpointer unused)
{
  SbPurple *ctx = sb_purple_get ();

  if (ctx == NULL || node == NULL || out == NULL)
    return FALSE;
  return sb_purple_stats_for_node (ctx, node, out);
}

/* The verdict of @node's figures now; SB_HINT_NONE without history. */
static SbHintKind
node_hint_kind (PurpleBlistNode *node)
{
  SbPurple *ctx = sb_purple_get ();
  SbStats stats;

  if (ctx == NULL || node == NULL || !sb_purple_stats_for_node (ctx, node, &stats))
    return SB_HINT_NONE;
  return sb_hint_classify (&stats, sb_purple_now ());
}

static char *
ipc_get_hint (PurpleBlistNode *node, gpointer unused)
{
  const char *label = sb_hint_label (node_hint_kind (node));

  return label != NULL ? g_strdup (label) : NULL;
}

static gpointer
ipc_get_hint_kind (PurpleBlistNode *node, gpointer unused)
{
  return GINT_TO_POINTER (node_hint_kind (node));
}

static char *
ipc_get_tooltip (PurpleBlistNode *node, gpointer unused)
{
  SbPurple *ctx = sb_purple_get ();
  SbStats stats;
  char *tooltip = NULL;

  if (ctx == NULL || node == NULL)
    return NULL;
  if (sb_purple_stats_for_node (ctx, node, &stats))
    tooltip = sb_hint_tooltip_full (&stats, sb_purple_now (), sb_purple_keep_in_touch_days (node));
  return sb_purple_rooms_add_to_tooltip (ctx, node, tooltip);
}

typedef struct
{
  SbIpcBuddyFunc func;
  gpointer user_data;
} ForeachData;

static void
foreach_cb (const SbBuddyKey *key, const SbStats *stats, gpointer data)
{
  ForeachData *foreach = data;

  if (stats != NULL && stats->all.episodes > 0)
    foreach->func (key->protocol, key->account, key->buddy, stats, foreach->user_data);
}

static void
ipc_foreach_buddy (SbIpcBuddyFunc func, gpointer user_data, gpointer unused)
{
  SbPurple *ctx = sb_purple_get ();
  ForeachData data = { func, user_data };

  if (ctx != NULL && func != NULL)
    sb_ledger_foreach (ctx->ledger, foreach_cb, &data);
}

/* The episodes of the months charted: fetched here from committed rows (the
 * UI thread never waits for the writer; a commit is at most about half a
 * second behind), counted by the core (sb_stats_count_months). */
static GArray *
ipc_get_monthly (const char *protocol, const char *account, const char *buddy, int months,
                 gpointer unused)
{
  SbPurple *ctx = sb_purple_get ();
  g_autoptr (SbBuddyKey) key = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) episodes = NULL;
  gint64 now = sb_purple_now ();
  SbStore *store;
  gint64 id;

  if (ctx == NULL || months <= 0 || months > 1200)
    return NULL;
  key = sb_buddy_key_new (protocol, account, buddy);
  if (key == NULL)
    return NULL;
  store = sb_ledger_get_store (ctx->ledger);
  id = sb_store_lookup_buddy (store, key, FALSE, &error);
  episodes = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  if (id == 0
      || !sb_store_read_episodes (store, id, sb_stats_months_start (now, NULL, months), episodes,
                                  &error))
    {
      if (error != NULL)
        purple_debug_error ("smileback", "monthly history: %s\n", error->message);
      return NULL;
    }
  return sb_stats_count_months ((const SbEpisode *) episodes->data, episodes->len, now, NULL,
                                months);
}

/* libpurple has no marshaller for (pointer, pointer, pointer, int) -> pointer. */
static void
marshal_POINTER__POINTER_POINTER_POINTER_INT (PurpleCallback cb, va_list args, void *data,
                                              void **return_val)
{
  typedef gpointer (*Func) (gpointer, gpointer, gpointer, int, gpointer);
  gpointer a1 = va_arg (args, gpointer);
  gpointer a2 = va_arg (args, gpointer);
  gpointer a3 = va_arg (args, gpointer);
  int a4 = va_arg (args, int);
  gpointer ret = ((Func) cb) (a1, a2, a3, a4, data);

  if (return_val != NULL)
    *return_val = ret;
}

void
sb_purple_ipc_init (SbPurple *ctx)
{
  PurplePlugin *plugin = ctx->plugin;

  purple_signal_register (plugin, SB_SIGNAL_BUDDY_CHANGED,
                          purple_marshal_VOID__POINTER_POINTER_POINTER, NULL, 3,
                          purple_value_new (PURPLE_TYPE_STRING),
                          purple_value_new (PURPLE_TYPE_STRING),
                          purple_value_new (PURPLE_TYPE_STRING));
  purple_signal_register (plugin, SB_SIGNAL_PROMPT, purple_marshal_BOOLEAN__POINTER,
                          purple_value_new (PURPLE_TYPE_BOOLEAN), 1,
                          purple_value_new (PURPLE_TYPE_POINTER));

  purple_plugin_ipc_register (plugin, SB_IPC_GET_STATS, PURPLE_CALLBACK (ipc_get_stats),
                              purple_marshal_BOOLEAN__POINTER_POINTER,
                              purple_value_new (PURPLE_TYPE_BOOLEAN), 2,
                              purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_BLIST_NODE),
                              purple_value_new (PURPLE_TYPE_POINTER));
  purple_plugin_ipc_register (plugin, SB_IPC_GET_HINT, PURPLE_CALLBACK (ipc_get_hint),
                              purple_marshal_POINTER__POINTER,
                              purple_value_new (PURPLE_TYPE_STRING), 1,
                              purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_BLIST_NODE));
  purple_plugin_ipc_register (plugin, SB_IPC_GET_HINT_KIND, PURPLE_CALLBACK (ipc_get_hint_kind),
                              purple_marshal_POINTER__POINTER,
                              purple_value_new (PURPLE_TYPE_INT), 1,
                              purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_BLIST_NODE));
  purple_plugin_ipc_register (plugin, SB_IPC_GET_TOOLTIP, PURPLE_CALLBACK (ipc_get_tooltip),
                              purple_marshal_POINTER__POINTER,
                              purple_value_new (PURPLE_TYPE_STRING), 1,
                              purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_BLIST_NODE));
  purple_plugin_ipc_register (plugin, SB_IPC_FOREACH_BUDDY, PURPLE_CALLBACK (ipc_foreach_buddy),
                              purple_marshal_VOID__POINTER_POINTER, NULL, 2,
                              purple_value_new (PURPLE_TYPE_POINTER),
                              purple_value_new (PURPLE_TYPE_POINTER));
  purple_plugin_ipc_register (plugin, SB_IPC_GET_MONTHLY, PURPLE_CALLBACK (ipc_get_monthly),
                              marshal_POINTER__POINTER_POINTER_POINTER_INT,
                              purple_value_new (PURPLE_TYPE_POINTER), 4,
                              purple_value_new (PURPLE_TYPE_STRING),
                              purple_value_new (PURPLE_TYPE_STRING),
                              purple_value_new (PURPLE_TYPE_STRING),
                              purple_value_new (PURPLE_TYPE_INT));
  sb_purple_rooms_ipc_register (ctx);
}

void
sb_purple_ipc_shutdown (SbPurple *ctx)
{
  purple_plugin_ipc_unregister_all (ctx->plugin);
  purple_signals_unregister_by_instance (ctx->plugin);
}

void
sb_purple_ipc_emit_changed (SbPurple *ctx, const SbBuddyKey *key)
{
  g_return_if_fail (ctx != NULL && key != NULL);
  purple_signal_emit (ctx->plugin, SB_SIGNAL_BUDDY_CHANGED, key->protocol, key->account,
                      key->buddy);
}

void
sb_purple_ipc_emit_import_progress (SbPurple *ctx, const SbImportProgress *progress,
                                    gboolean finished)
{
  SbIpcImportProgress ipc;

  g_return_if_fail (ctx != NULL && progress != NULL);
  ipc = (SbIpcImportProgress){
    .files_total = progress->files_total,
    .files_done = progress->files_done,
    .files_imported = progress->files_imported,
    .files_unchanged = progress->skipped[SB_IMPORT_SKIP_UNCHANGED],
    .bytes_total = progress->bytes_total,
    .bytes_done = progress->bytes_done,
    .messages = progress->messages,
    .episodes = progress->episodes,
  };
  purple_signal_emit (ctx->plugin, SB_SIGNAL_IMPORT_PROGRESS, &ipc, finished);
}
