/* sb-purple-ui.h: what every UI plugin (gtk-smileback, gnt-smileback) asks
 * of the core plugin when it loads, written once.
 *
 * Linked into each UI plugin with the buddy-key rule (sb-purple-key.h):
 * plugins share no code at run time (docs/design.md, "Layers").  libpurple
 * and the contract of sb-ipc.h only.
 */
#pragma once

#include <glib.h>
#include <plugin.h>

G_BEGIN_DECLS

/* The loaded core plugin (core-smileback) @ui_plugin depends on; NULL when
 * it is not loaded, with @ui_plugin->error set to a translated message for
 * the client's plugin dialog (libpurple loads dependencies first, so only a
 * failed core gets there).  Borrowed. */
PurplePlugin *sb_purple_ui_core (PurplePlugin *ui_plugin);

/* A UI plugin's actions (PurplePluginInfo.actions): "Who smiles back",
 * opening its window with @show_window.  The list and its actions are the
 * caller's (libpurple frees them). */
GList *sb_purple_ui_actions (void (*show_window) (PurplePluginAction *action));

G_END_DECLS
