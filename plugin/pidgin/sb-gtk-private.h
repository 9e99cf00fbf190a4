/* sb-gtk-private.h: what the files of the Pidgin plugin (gtk-smileback) share.
 *
 * One context, SbGtkContext, holds every piece of state of the plugin: the
 * hint cache, the timers, the "Who smiles back" window.  It lives from
 * plugin_load() to plugin_unload() and is passed as user data to every signal
 * handler, so nothing else is global.  Each concept has an init (connects its
 * signals with the plugin as handle) and a shutdown that undoes it; unload
 * calls them in reverse order.
 *
 * The plugin reaches the ledger only through what core-smileback publishes
 * (smileback-purple/sb-ipc.h).  It links the core's pure helpers (sb-hint.h
 * for the window's words, sb-prompt.h for the prompts', sb-buddy-key.h) and
 * the buddy-key rule (smileback-purple/sb-purple-key.h), never the ledger or
 * the store: their headers do not compile here (docs/design.md, "Layers").
 */
#pragma once

#include <glib.h>

#include <plugin.h>
#include <pluginpref.h>
#include <blist.h>
#include <gtk/gtk.h>

#include "smileback/sb-buddy-key.h"
#include "smileback/sb-hint.h"
#include "smileback/sb-prompt.h"
#include "smileback/sb-table.h"
#include "smileback-purple/sb-ipc.h"
#include "smileback-purple/sb-purple-key.h"
#include "smileback-purple/sb-purple-ui.h"

G_BEGIN_DECLS

/* Preferences (sb-gtk-prefs.c). */
#define SB_GTK_PREFS_ROOT "/plugins/gtk/smileback"
#define SB_GTK_PREF_SHOW_HINTS SB_GTK_PREFS_ROOT "/show_hints"
#define SB_GTK_PREF_SHOW_NEW SB_GTK_PREFS_ROOT "/show_new"
#define SB_GTK_PREF_SHOW_TOOLTIP SB_GTK_PREFS_ROOT "/show_tooltip"
/* "Say hi" places a friendly draft in the entry (never sent). */
#define SB_GTK_PREF_DRAFT SB_GTK_PREFS_ROOT "/draft"

typedef struct _SbGtkWindow SbGtkWindow;
typedef struct _SbGtkImport SbGtkImport;
typedef struct _SbGtkRooms SbGtkRooms;

/* Who drew the last buddy name: see sb-gtk-hints.c. */
typedef struct
{
  gboolean active;       /* an emission of "drawing-buddy" was seen starting */
  gboolean reached;      /* our handler ran */
  gboolean drew;         /* our handler returned markup */
  gboolean fell_through; /* no handler returned markup: Pidgin drew the plain name */
} SbGtkDrawProbe;

typedef struct
{
  PurplePlugin *plugin; /* gtk-smileback: the handle of every signal and pref callback */
  PurplePlugin *core;   /* core-smileback: its IPC calls and its signals */

  /* sb-gtk-hints.c */
  GHashTable *hints;    /* PurpleBlistNode * (borrowed; dropped on "blist-node-removed")
                         * -> char * hint label, "" when the node has none */
  guint refresh_id;     /* the timer that re-reads time-dependent hints */
  SbGtkDrawProbe probe;
  gboolean other_drawer; /* another plugin was seen drawing buddy names */

  /* sb-gtk-window.c */
  SbGtkWindow *window;  /* NULL while the window is closed */

  /* sb-gtk-prompts.c */
  GHashTable *prompts;        /* gint64 * prompt id -> the prompt's mini-dialog (owned) */
  GPtrArray *pending_prompts; /* SbPrompt * that came before the buddy list window */

  /* sb-gtk-import.c */
  SbGtkImport *import;
} SbGtkContext;

/* sb-gtk-plugin.c: helpers every file uses. */


/* The buddy a contact row stands for: @node itself for a buddy, the priority
 * buddy for a contact, NULL for anything else.  Borrowed. */
PurpleBuddy *sb_gtk_node_buddy (PurpleBlistNode *node);

/* sb-gtk-hints.c: the hint beside each buddy and the tooltip. */
void sb_gtk_hints_init (SbGtkContext *ctx);
void sb_gtk_hints_shutdown (SbGtkContext *ctx);
/* Forgets every cached hint and redraws the whole buddy list (a preference
 * changed). */
void sb_gtk_hints_redraw_all (SbGtkContext *ctx);
/* Forgets the cached hint of @buddy and its contact and redraws its row. */
void sb_gtk_hints_invalidate (SbGtkContext *ctx, PurpleBuddy *buddy);
/* TRUE when another plugin was seen drawing buddy names. */
gboolean sb_gtk_hints_other_drawer (SbGtkContext *ctx);

/* sb-gtk-menu.c: "Show history" in the buddy menu. */
void sb_gtk_menu_init (SbGtkContext *ctx);
void sb_gtk_menu_shutdown (SbGtkContext *ctx);

/* sb-gtk-window.c: the "Who smiles back" window. */
/* Opens the window (or raises it), selecting @buddy when not NULL. */
void sb_gtk_window_show (SbGtkContext *ctx, PurpleBuddy *buddy);
/* Re-reads the figures soon, if the window is open. */
void sb_gtk_window_queue_refresh (SbGtkContext *ctx);
/* Destroys the window if open. */
void sb_gtk_window_shutdown (SbGtkContext *ctx);

/* sb-gtk-rooms.c: the window's "Group chats" page, one row per room
 * (smileback-foreach-room). */
SbGtkRooms *sb_gtk_rooms_new (SbGtkContext *ctx);
/* The page, owned by the window it is packed into. */
GtkWidget *sb_gtk_rooms_widget (SbGtkRooms *rooms);
/* Re-reads every room from the core plugin, keeping the sort. */
void sb_gtk_rooms_fill (SbGtkRooms *rooms);
/* Frees what the page's widgets do not own.  NULL-safe. */
void sb_gtk_rooms_free (SbGtkRooms *rooms);

/* sb-gtk-prompts.c: the planner's prompts as mini-dialogs in the buddy list. */
void sb_gtk_prompts_init (SbGtkContext *ctx);
/* Removes every prompt's mini-dialog (the core keeps their state). */
void sb_gtk_prompts_shutdown (SbGtkContext *ctx);

/* sb-gtk-import.c: the offer to import existing logs, and the import's progress. */
void sb_gtk_import_init (SbGtkContext *ctx);
void sb_gtk_import_shutdown (SbGtkContext *ctx);

/* sb-gtk-chart.c: conversations per month (SbMonthCounts, oldest first) as
 * bars filling @widget's allocation; a hint to select a buddy when @months is
 * NULL or empty. */
void sb_gtk_chart_draw (GtkWidget *widget, cairo_t *cr, const GArray *months);

/* sb-gtk-prefs.c: preferences, shown in Pidgin's plugin dialog. */
/* Registers the preferences with their defaults.  Call from init_plugin. */
void sb_gtk_prefs_register (void);
/* Redraws the buddy list when a preference changes. */
void sb_gtk_prefs_init (SbGtkContext *ctx);
void sb_gtk_prefs_shutdown (SbGtkContext *ctx);
/* The frame for Pidgin's plugin dialog (PurplePluginUiInfo). */
PurplePluginPrefFrame *sb_gtk_prefs_frame (PurplePlugin *plugin);

/* The context of the loaded plugin, NULL when not loaded (for callbacks that
 * only receive the plugin). */
SbGtkContext *sb_gtk_context (void);

G_END_DECLS
