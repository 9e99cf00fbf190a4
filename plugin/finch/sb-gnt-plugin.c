/* sb-gnt-plugin.c: gnt-smileback, the Finch face of Smile Back.
 *
 * The plugin's entry points (info, load, unload, actions) and the helpers its
 * files share.  It depends on core-smileback (loading it loads the core
 * first) and reaches the ledger only through the core plugin's signals and
 * IPC (sb-ipc.h).  Prompts, the import offer, the buddy menu and
 * /smileback stay the core plugin's (purple_request_* dialogs in Finch);
 * this plugin adds what only Finch's UI can show: the buddy list grouped by
 * hint and the "Who smiles back" window.
 */
#include "sb-gnt-private.h"

#include <glib/gi18n-lib.h>
#include <smileback/sb-i18n.h>

#include <debug.h>
#include <version.h>

#include <gntplugin.h>

/* The one context of the loaded plugin. */
static SbGntContext *the_context;

SbGntContext *
sb_gnt_context (void)
{
  return the_context;
}

SbHintKind
sb_gnt_hint_kind (SbGntContext *ctx, PurpleBlistNode *node)
{
  gboolean ok = FALSE;
  gpointer kind;

  if (ctx == NULL || node == NULL)
    return SB_HINT_NONE;
  kind = purple_plugin_ipc_call (ctx->core, SB_IPC_GET_HINT_KIND, &ok, node);
  if (!ok || GPOINTER_TO_INT (kind) < SB_HINT_NONE || GPOINTER_TO_INT (kind) >= SB_HINT_LAST)
    return SB_HINT_NONE;
  return (SbHintKind) GPOINTER_TO_INT (kind);
}

static void
show_window_action (PurplePluginAction *action)
{
  if (the_context != NULL)
    sb_gnt_window_show (the_context);
}

static GList *
plugin_actions (PurplePlugin *plugin, gpointer context)
{
  return sb_purple_ui_actions (show_window_action);
}

static gboolean
plugin_load (PurplePlugin *plugin)
{
  PurplePlugin *core = sb_purple_ui_core (plugin);

  if (core == NULL)
    return FALSE;

  the_context = g_new0 (SbGntContext, 1);
  the_context->plugin = plugin;
  the_context->core = core;

  sb_gnt_view_init (the_context);
  purple_debug_info (SB_GNT_PLUGIN_ID, "loaded\n");
  return TRUE;
}

static gboolean
plugin_unload (PurplePlugin *plugin)
{
  SbGntContext *ctx = the_context;

  if (ctx == NULL)
    return TRUE;
  sb_gnt_window_shutdown (ctx);
  sb_gnt_view_shutdown (ctx);
  purple_signals_disconnect_by_handle (plugin);
  the_context = NULL;
  g_free (ctx);
  purple_debug_info (SB_GNT_PLUGIN_ID, "unloaded\n");
  return TRUE;
}

static PurplePluginInfo info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_STANDARD,
  .ui_requirement = FINCH_PLUGIN_TYPE,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = SB_GNT_PLUGIN_ID,
  .version = SB_VERSION,
  .author = "Smile Back contributors",
  .load = plugin_load,
  .unload = plugin_unload,
  .actions = plugin_actions,
};

static void
init_plugin (PurplePlugin *plugin)
{
  sb_i18n_bind ();
  info.dependencies = g_list_append (info.dependencies, (gpointer) SB_CORE_PLUGIN_ID);
  info.name = _("Smile Back for Finch");
  info.summary = _("Who smiles back? Your buddy list grouped by who answers whom.");
  info.description = _("Adds a \"Smile Back\" view to Finch's buddy list (Grouping menu): "
                       "buddies grouped by who usually starts your conversations and whether "
                       "messages are waiting for an answer, with the figures in the tooltip, "
                       "and a \"Who smiles back\" window.  It never sends a message.  Needs "
                       "the Smile Back core plugin.");
}

PURPLE_INIT_PLUGIN (gnt_smileback, init_plugin, info)
