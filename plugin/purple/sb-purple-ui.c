/* sb-purple-ui.c: what every UI plugin asks of the core plugin when it loads,
 * and the plugins' clock (see sb-purple-ui.h). */
#include "smileback-purple/sb-purple-ui.h"

#include <glib/gi18n-lib.h>
#include <prefs.h>

#include "smileback-purple/sb-ipc.h"

PurplePlugin *
sb_purple_ui_core (PurplePlugin *ui_plugin)
{
  PurplePlugin *core = purple_plugins_find_with_id (SB_CORE_PLUGIN_ID);

  g_return_val_if_fail (ui_plugin != NULL, NULL);
  if (core != NULL && purple_plugin_is_loaded (core))
    return core;
  g_free (ui_plugin->error);
  ui_plugin->error = g_strdup (_("The Smile Back core plugin is not loaded."));
  return NULL;
}

gint64
sb_purple_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC + purple_prefs_get_int (SB_PREF_CLOCK_OFFSET_S);
}

GList *
sb_purple_ui_actions (void (*show_window) (PurplePluginAction *action))
{
  /* TRANSLATORS: plugin action (Pidgin's Tools menu, Finch's Plugins menu)
   * opening the window of figures */
  return g_list_append (NULL, purple_plugin_action_new (_("Who smiles back"), show_window));
}
