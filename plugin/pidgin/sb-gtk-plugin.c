/* sb-gtk-plugin.c: gtk-smileback, the Pidgin face of Smile Back.
 *
 * The plugin's entry points (info, load, unload, actions) and the small
 * helpers the other files share (the clock, the buddy of a contact row); the
 * buddy keys and lookups are the purple layer's (sb-purple-key.h).  It
 * depends on core-smileback (loading this plugin loads the core first) and
 * reaches the ledger only through the core plugin's signals and IPC
 * (sb-ipc.h).
 */
#include "sb-gtk-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <smileback/sb-i18n.h>

#include <account.h>
#include <debug.h>
#include <util.h>
#include <version.h>

#include <gtkplugin.h>

/* The one context of the loaded plugin. */
static SbGtkContext *the_context;

SbGtkContext *
sb_gtk_context (void)
{
  return the_context;
}

PurpleBuddy *
sb_gtk_node_buddy (PurpleBlistNode *node)
{
  if (node == NULL)
    return NULL;
  if (PURPLE_BLIST_NODE_IS_BUDDY (node))
    return (PurpleBuddy *) node;
  if (PURPLE_BLIST_NODE_IS_CONTACT (node))
    return purple_contact_get_priority_buddy ((PurpleContact *) node);
  return NULL;
}

static void
show_window_action (PurplePluginAction *action)
{
  if (the_context != NULL)
    sb_gtk_window_show (the_context, NULL);
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

  the_context = g_new0 (SbGtkContext, 1);
  the_context->plugin = plugin;
  the_context->core = core;

  sb_gtk_prefs_init (the_context);
  sb_gtk_hints_init (the_context);
  sb_gtk_menu_init (the_context);
  sb_gtk_prompts_init (the_context);
  sb_gtk_import_init (the_context);
  purple_debug_info (SB_GTK_PLUGIN_ID, "loaded\n");
  return TRUE;
}

static gboolean
plugin_unload (PurplePlugin *plugin)
{
  SbGtkContext *ctx = the_context;

  if (ctx == NULL)
    return TRUE;
  sb_gtk_import_shutdown (ctx);
  sb_gtk_prompts_shutdown (ctx);
  sb_gtk_window_shutdown (ctx);
  sb_gtk_menu_shutdown (ctx);
  sb_gtk_hints_shutdown (ctx);
  sb_gtk_prefs_shutdown (ctx);
  /* Anything a module forgot: libpurple does this too, but not for timers. */
  purple_signals_disconnect_by_handle (plugin);
  the_context = NULL;
  g_free (ctx);
  purple_debug_info (SB_GTK_PLUGIN_ID, "unloaded\n");
  return TRUE;
}

static PurplePluginUiInfo prefs_info = {
  .get_plugin_pref_frame = sb_gtk_prefs_frame,
};

static PurplePluginInfo info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_STANDARD,
  .ui_requirement = PIDGIN_PLUGIN_TYPE,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = SB_GTK_PLUGIN_ID,
  .version = SB_VERSION,
  .author = "Smile Back contributors",
  .load = plugin_load,
  .unload = plugin_unload,
  .prefs_info = &prefs_info,
  .actions = plugin_actions,
};

static void
init_plugin (PurplePlugin *plugin)
{
  sb_i18n_bind ();
  info.dependencies = g_list_append (info.dependencies, (gpointer) SB_CORE_PLUGIN_ID);
  info.name = _("Smile Back for Pidgin");
  info.summary = _("Who smiles back? Reciprocity hints beside your buddies.");
  info.description = _("Shows beside each buddy who usually starts your conversations and "
                       "whether messages are waiting for an answer, with the figures in the "
                       "tooltip, a \"Who smiles back\" window with charts, and gentle "
                       "reminders inside the buddy list.  It never sends a message.  Needs the Smile Back core plugin.");
  sb_gtk_prefs_register ();
}

PURPLE_INIT_PLUGIN (gtk_smileback, init_plugin, info)
