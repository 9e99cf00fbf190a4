/* sb-purple-ui.h: what every UI plugin (gtk-smileback, gnt-smileback) asks
 * of the core plugin when it loads, and the clock all three plugins read,
 * written once.
 *
 * Linked into every plugin with the buddy-key rule (sb-purple-key.h):
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

/* Now, in UTC seconds, by the clock the core plugin's figures use (the wall
 * clock plus SB_PREF_CLOCK_OFFSET_S), so every plugin says "2 days ago" of
 * the same moment. */
gint64 sb_purple_now (void);

/* A UI plugin's actions (PurplePluginInfo.actions): "Who smiles back",
 * opening its window with @show_window.  The list and its actions are the
 * caller's (libpurple frees them). */
GList *sb_purple_ui_actions (void (*show_window) (PurplePluginAction *action));

G_END_DECLS
