/* sb-gtk-prefs.c: the Pidgin plugin's preferences and their frame.
 *
 * What the buddy list shows: hints on or off, "new" for buddies with too
 * little history, the figures in tooltips.  The frame also tells the user when
 * another plugin draws buddy names, since only one of them can win.  The
 * ledger's own settings (G, R, the window, excluded accounts) are the core
 * plugin's, in its own frame.
 */
#include "sb-gtk-private.h"

#include <glib/gi18n-lib.h>

#include <pluginpref.h>
#include <prefs.h>

void
sb_gtk_prefs_register (void)
{
  purple_prefs_add_none ("/plugins/gtk");
  purple_prefs_add_none (SB_GTK_PREFS_ROOT);
  purple_prefs_add_bool (SB_GTK_PREF_SHOW_HINTS, TRUE);
  purple_prefs_add_bool (SB_GTK_PREF_SHOW_NEW, TRUE);
  purple_prefs_add_bool (SB_GTK_PREF_SHOW_TOOLTIP, TRUE);
  purple_prefs_add_bool (SB_GTK_PREF_DRAFT, TRUE);
}

static void
pref_changed_cb (const char *name, PurplePrefType type, gconstpointer value, gpointer data)
{
  sb_gtk_hints_redraw_all (data);
}

void
sb_gtk_prefs_init (SbGtkContext *ctx)
{
  purple_prefs_connect_callback (ctx->plugin, SB_GTK_PREF_SHOW_HINTS, pref_changed_cb, ctx);
  purple_prefs_connect_callback (ctx->plugin, SB_GTK_PREF_SHOW_NEW, pref_changed_cb, ctx);
}

void
sb_gtk_prefs_shutdown (SbGtkContext *ctx)
{
  purple_prefs_disconnect_by_handle (ctx->plugin);
}

static void
add_bool (PurplePluginPrefFrame *frame, const char *pref, const char *label)
{
  purple_plugin_pref_frame_add (frame, purple_plugin_pref_new_with_name_and_label (pref, label));
}

PurplePluginPrefFrame *
sb_gtk_prefs_frame (PurplePlugin *plugin)
{
  PurplePluginPrefFrame *frame = purple_plugin_pref_frame_new ();
  SbGtkContext *ctx = sb_gtk_context ();

  purple_plugin_pref_frame_add (frame, purple_plugin_pref_new_with_label (_("Buddy list")));
  add_bool (frame, SB_GTK_PREF_SHOW_HINTS,
            _("Show a hint beside each buddy (\"mutual\", \"you always start\", ...)"));
  add_bool (frame, SB_GTK_PREF_SHOW_NEW,
            _("Show \"new\" for buddies with fewer than 4 conversations"));
  add_bool (frame, SB_GTK_PREF_SHOW_TOOLTIP, _("Show the figures in buddy tooltips"));
  purple_plugin_pref_frame_add (frame, purple_plugin_pref_new_with_label (_("Reminders")));
  add_bool (frame, SB_GTK_PREF_DRAFT,
            _("\"Say hi\" suggests a friendly first line in the message box (never sent)"));

  if (ctx != NULL && sb_gtk_hints_other_drawer (ctx))
    purple_plugin_pref_frame_add (
      frame, purple_plugin_pref_new_with_label (
               _("Another plugin also changes how buddy names are drawn.  Only one of them "
                 "can show its text beside a name: turn one of them off if hints are missing.")));
  return frame;
}
