/* sb-purple-plugin.c: the core-smileback libpurple plugin's life cycle.
 *
 * Load opens the profile's ledger (purple_user_dir()/smileback.db) and starts
 * preferences and capture, then the parts that need the ledger, in order:
 * IPC and signals (the ledger's change callback emits one), rooms, menu,
 * command, planner, import, timers.  A database locked at load (or on a full
 * disk) is opened in the background instead, capture keeping the events
 * meanwhile, and the rest starts once it is open (sb-purple-save.c).  Unload
 * stops the parts in reverse, commits pending writes (or keeps them in the
 * journal) and closes the database, so a load/unload cycle leaves nothing
 * behind.  Writes are committed by the store's writer thread.  No UI
 * requirement: the plugin runs in Pidgin, Finch and any bare libpurple
 * client.
 */
#include "sb-purple-private.h"

#include <glib/gi18n-lib.h>
#include <smileback/sb-i18n.h>

static SbPurple *the_context;

SbPurple *
sb_purple_get (void)
{
  return the_context;
}

static gboolean
refresh_cb (gpointer data)
{
  SbPurple *ctx = data;

  sb_ledger_refresh (ctx->ledger, sb_purple_now ());
  return G_SOURCE_CONTINUE;
}

static void
ledger_changed_cb (SbLedger *ledger, const SbBuddyKey *key, gpointer user_data)
{
  sb_purple_ipc_emit_changed (user_data, key);
}

static void
context_free (SbPurple *ctx)
{
  sb_purple_history_shutdown (ctx);
  sb_purple_save_close (ctx);
  g_clear_pointer (&ctx->ledger, sb_ledger_free);
  g_clear_pointer (&ctx->waiting, g_array_unref);
  g_clear_pointer (&ctx->excluded, g_hash_table_unref);
  sb_purple_notice_shutdown (ctx);
  g_free (ctx);
}

void
sb_purple_plugin_ready (SbPurple *ctx)
{
  sb_purple_save_init (ctx);
  sb_purple_save_replay (ctx);
  sb_purple_ipc_init (ctx);
  sb_ledger_set_changed_func (ctx->ledger, ledger_changed_cb, ctx);
  sb_purple_rooms_init (ctx);
  sb_purple_menu_init (ctx);
  sb_purple_cmd_init (ctx);
  sb_purple_planner_init (ctx);
  sb_purple_import_init (ctx);
  ctx->refresh_id = purple_timeout_add_seconds (SB_PURPLE_REFRESH_S, refresh_cb, ctx);
  ctx->started = TRUE;
}

/* The parts sb_purple_plugin_ready() started, in reverse. */
static void
stop_parts (SbPurple *ctx)
{
  if (!ctx->started)
    return;
  if (ctx->refresh_id != 0)
    purple_timeout_remove (ctx->refresh_id);
  ctx->refresh_id = 0;
  sb_purple_import_shutdown (ctx);
  sb_purple_planner_shutdown (ctx);
  sb_purple_cmd_shutdown (ctx);
  sb_purple_menu_shutdown (ctx);
  sb_purple_rooms_shutdown (ctx);
  sb_ledger_set_changed_func (ctx->ledger, NULL, NULL);
  sb_purple_ipc_shutdown (ctx);
  sb_purple_save_shutdown (ctx);
  ctx->started = FALSE;
}

static gboolean
plugin_load (PurplePlugin *plugin)
{
  g_autofree char *path = sb_purple_history_path ();
  g_autoptr (GError) error = NULL;
  SbParams params;
  SbPurple *ctx;

  ctx = g_new0 (SbPurple, 1);
  ctx->plugin = plugin;
  sb_purple_notice_init (ctx);
  sb_purple_prefs_get_params (&params);
  ctx->ledger = sb_purple_history_open (ctx, path, &params, &error);
  if (ctx->ledger == NULL && !sb_purple_save_may_retry (error))
    {
      g_free (plugin->error);
      /* TRANSLATORS: the first %s is the database file, the second the reason */
      plugin->error = g_strdup_printf (_("Smile Back cannot open its history %s: %s"), path,
                                       error->message);
      purple_debug_error ("smileback", "%s\n", plugin->error);
      context_free (ctx);
      return FALSE;
    }
  the_context = ctx;

  sb_purple_prefs_init (ctx);
  sb_purple_capture_init (ctx);
  if (ctx->ledger != NULL)
    sb_purple_plugin_ready (ctx);
  else
    sb_purple_save_open_later (ctx, path, &params);
  return TRUE;
}

static gboolean
plugin_unload (PurplePlugin *plugin)
{
  SbPurple *ctx = the_context;

  if (ctx == NULL)
    return TRUE;
  stop_parts (ctx);
  sb_purple_capture_shutdown (ctx);
  sb_purple_prefs_shutdown (ctx);
  sb_purple_save_stop_opener (ctx);
  purple_request_close_with_handle (plugin);
  the_context = NULL;
  context_free (ctx);
  return TRUE;
}

static PurplePluginUiInfo prefs_info = {
  .get_plugin_pref_frame = sb_purple_prefs_frame,
};

static PurplePluginInfo info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_STANDARD,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = SB_CORE_PLUGIN_ID,
  .version = SB_VERSION,
  .author = "Smile Back authors",
  .load = plugin_load,
  .unload = plugin_unload,
  .prefs_info = &prefs_info,
  .actions = sb_purple_actions,
};

static void
init_plugin (PurplePlugin *plugin)
{
  sb_i18n_bind ();

  info.name = _("Smile Back");
  info.summary = _("Who smiles back? Records who starts your conversations.");
  info.description = _("Records, for every buddy, who starts each conversation and whether "
                       "the other side answers, and keeps that history (never the text) in "
                       "smileback.db in your profile.  Its buddy menu sets how often to keep "
                       "in touch; other plugins show the history.");
  sb_purple_prefs_register ();
}

PURPLE_INIT_PLUGIN (smileback, init_plugin, info)
