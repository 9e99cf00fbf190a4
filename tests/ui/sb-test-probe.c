/* sb-test-probe.c: a test-only Pidgin plugin that lets the ui suite look
 * inside the running Pidgin and act as its user.
 *
 * Loaded into the Pidgin under test next to the two Smile Back plugins.  It
 * polls the directory named by $SB_PROBE_DIR for a file "cmd" holding one
 * command (fields separated by tabs), removes it, runs it and writes the
 * answer to "reply" (written to "reply.tmp", then renamed, so the test never
 * reads half an answer).  Commands:
 *
 *   rows                     the buddy list model: one line per row,
 *                            "type\tname\tmarkup\tx\ty" with the screen
 *                            position of the row's name cell (-1 when not
 *                            shown), after a line "window\tx\ty\tw\th"
 *   tooltip\tBUDDY           what "drawing-tooltip" handlers add for BUDDY
 *   send\tBUDDY\tTEXT        the user sends TEXT to BUDDY (purple_conv_im_send)
 *   action\tLABEL            runs gtk-smileback's plugin action LABEL
 *   widgets\tTITLE           the window titled TITLE: its geometry, labels
 *                            and every tree view's rows (string columns);
 *                            hidden widgets and what they hold are left out;
 *                            "page\tTAB" names each notebook's current page
 *   page\tTITLE\tTAB         shows the notebook page labelled TAB in the
 *                            window titled TITLE
 *   menu\tBUDDY              BUDDY's (or a group's) extended menu, one label per line,
 *                            indented two spaces per submenu level
 *   activate\tBUDDY\tL1\tL2  activates the menu item at that label path
 *   setting\tBUDDY           the keep-in-touch setting on the buddy, its
 *                            contact and its group
 *   alias\tBUDDY\tALIAS      gives BUDDY a local alias
 *   pref-bool\tPATH\t0|1     sets a boolean preference
 *   unload\tID               unloads the plugin ID
 *   plugins                  the ids of the loaded plugins, one a line
 *   merge\tBUDDY\tOTHER       moves OTHER into BUDDY's contact (one person)
 *   prefs\tID                the labels of plugin ID's preference frame
 *   rival\t0|1               stops or starts drawing every buddy name as
 *                            "RIVAL name", like another plugin would, ahead
 *                            of gtk-smileback, and redraws the list
 *   alerts                   the mini-dialogs in the buddy list: per dialog
 *                            "alert\tTITLE\tDESCRIPTION\tshown" (shown: 1 for
 *                            the page on screen), then its "button\tLABEL\t
 *                            SENSITIVE", "check\tLABEL\tACTIVE" and
 *                            "progress\tFRACTION\tTEXT" lines
 *   alert-click\tTITLE\tLABEL clicks the button LABEL of the first dialog whose
 *                            title contains TITLE
 *   alert-tick\tTITLE\tLABEL  toggles its check box LABEL
 *   alert-show\tTITLE        brings that dialog on screen, and the buddy
 *                            list above other windows
 *   ipc\tNAME                "yes" when core-smileback registered IPC NAME
 *   plan-now                 calls core-smileback's smileback-plan-now
 *   conv\tBUDDY              the IM conversation with BUDDY: "conv\tSHOWN\t
 *                            FOCUS\tENTRY TEXT" (SHOWN, FOCUS: 1 or 0), or
 *                            "none"
 *   join\tROOM\tSERVER       joins the group chat ROOM@SERVER on the first
 *                            account, as the user would
 *   chat-send\tROOM\tTEXT    the user says TEXT in the open group chat ROOM
 *                            (ROOM@SERVER), as typed in its entry
 *   dialog-click\tLABEL      clicks the button LABEL (mnemonic included, as
 *                            "_Accept Defaults") in a request dialog on screen
 *
 * It never runs in a user's Pidgin: it is built only under tests/ and loaded
 * through the throwaway profile's prefs.xml.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <purple.h>

#include <gtkblist.h>
#include <gtkconv.h>
#include <gtkplugin.h>
#include <gtkscrollbook.h>
#include <minidialog.h>

#include "smileback-purple/sb-ipc.h"

#define PROBE_ID "sb-test-probe"
#define POLL_MS 100

static guint poll_id;
static char *probe_dir;

/* The first buddy called @name on any account. */
static PurpleBuddy *
find_buddy (const char *name)
{
  for (GList *l = purple_accounts_get_all (); l != NULL; l = l->next)
    {
      PurpleBuddy *buddy = purple_find_buddy (l->data, name);

      if (buddy != NULL)
        return buddy;
    }
  return NULL;
}

static void
append_widget_geometry (GString *out, const char *tag, GtkWidget *widget)
{
  GdkWindow *window = gtk_widget_get_window (widget);
  int x = -1, y = -1, w = -1, h = -1;

  if (window != NULL && gtk_widget_get_mapped (widget))
    {
      gdk_window_get_origin (window, &x, &y);
      gdk_drawable_get_size (GDK_DRAWABLE (window), &w, &h);
    }
  g_string_append_printf (out, "%s\t%d\t%d\t%d\t%d\n", tag, x, y, w, h);
}

static const char *
node_type (PurpleBlistNode *node)
{
  if (PURPLE_BLIST_NODE_IS_BUDDY (node))
    return "buddy";
  if (PURPLE_BLIST_NODE_IS_CONTACT (node))
    return "contact";
  if (PURPLE_BLIST_NODE_IS_GROUP (node))
    return "group";
  return "other";
}

static const char *
node_name (PurpleBlistNode *node)
{
  if (PURPLE_BLIST_NODE_IS_CONTACT (node))
    node = (PurpleBlistNode *) purple_contact_get_priority_buddy ((PurpleContact *) node);
  if (node != NULL && PURPLE_BLIST_NODE_IS_BUDDY (node))
    return purple_buddy_get_name ((PurpleBuddy *) node);
  if (node != NULL && PURPLE_BLIST_NODE_IS_GROUP (node))
    return purple_group_get_name ((PurpleGroup *) node);
  return "";
}

static void
dump_rows (PidginBuddyList *gtkblist, GtkTreeIter *parent, GString *out)
{
  GtkTreeModel *model = GTK_TREE_MODEL (gtkblist->treemodel);
  GtkTreeView *view = GTK_TREE_VIEW (gtkblist->treeview);
  GtkTreeIter iter;
  int ox = 0, oy = 0;

  gdk_window_get_origin (gtk_tree_view_get_bin_window (view), &ox, &oy);
  for (gboolean valid = gtk_tree_model_iter_children (model, &iter, parent); valid;
       valid = gtk_tree_model_iter_next (model, &iter))
    {
      PurpleBlistNode *node = NULL;
      char *markup = NULL;
      char *flat;
      GtkTreePath *path = gtk_tree_model_get_path (model, &iter);
      GdkRectangle cell = { -1, -1, 0, 0 };
      int x = -1, y = -1;

      gtk_tree_model_get (model, &iter, NODE_COLUMN, &node, NAME_COLUMN, &markup, -1);
      /* Rows under a collapsed parent have an empty cell area. */
      gtk_tree_view_get_cell_area (view, path, gtkblist->text_column, &cell);
      if (cell.height > 0)
        {
          x = ox + cell.x + MIN (cell.width / 4, 40);
          y = oy + cell.y + cell.height / 2;
        }
      flat = g_strdelimit (g_strdup (markup != NULL ? markup : ""), "\n\t", ' ');
      g_string_append_printf (out, "%s\t%s\t%s\t%d\t%d\n", node != NULL ? node_type (node) : "?",
                              node != NULL ? node_name (node) : "", flat, x, y);
      g_free (flat);
      g_free (markup);
      dump_rows (gtkblist, &iter, out);
      gtk_tree_path_free (path);
    }
}

static void
cmd_rows (char **args, GString *out)
{
  PidginBuddyList *gtkblist = pidgin_blist_get_default_gtk_blist ();

  if (gtkblist == NULL || gtkblist->treeview == NULL)
    {
      g_string_append (out, "error\tno buddy list\n");
      return;
    }
  append_widget_geometry (out, "window", gtkblist->window);
  dump_rows (gtkblist, NULL, out);
}

static void
cmd_tooltip (char **args, GString *out)
{
  PurpleBuddy *buddy = args[1] != NULL ? find_buddy (args[1]) : NULL;

  if (buddy == NULL)
    {
      g_string_append (out, "error\tno such buddy\n");
      return;
    }
  purple_signal_emit (pidgin_blist_get_handle (), "drawing-tooltip", buddy, out, TRUE);
}

static void
cmd_send (char **args, GString *out)
{
  PurpleBuddy *buddy = args[1] != NULL ? find_buddy (args[1]) : NULL;
  PurpleConversation *conv;

  if (buddy == NULL || args[2] == NULL)
    {
      g_string_append (out, "error\tno such buddy\n");
      return;
    }
  conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, purple_buddy_get_account (buddy),
                                  purple_buddy_get_name (buddy));
  purple_conv_im_send (PURPLE_CONV_IM (conv), args[2]);
  g_string_append (out, "sent\n");
}

static void
cmd_action (char **args, GString *out)
{
  PurplePlugin *plugin = purple_plugins_find_with_id (SB_GTK_PLUGIN_ID);
  GList *actions;
  gboolean done = FALSE;

  if (plugin == NULL || !purple_plugin_is_loaded (plugin) || plugin->info->actions == NULL
      || args[1] == NULL)
    {
      g_string_append (out, "error\tgtk-smileback is not loaded\n");
      return;
    }
  actions = plugin->info->actions (plugin, NULL);
  for (GList *l = actions; l != NULL; l = l->next)
    {
      PurplePluginAction *action = l->data;

      if (action != NULL && !done && g_strcmp0 (action->label, args[1]) == 0)
        {
          action->plugin = plugin;
          action->callback (action);
          done = TRUE;
        }
      if (action != NULL)
        purple_plugin_action_free (action);
    }
  g_list_free (actions);
  g_string_append (out, done ? "done\n" : "error\tno such action\n");
}

static void
dump_widget (GtkWidget *widget, GString *out)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "label\t%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  if (GTK_IS_NOTEBOOK (widget))
    {
      GtkNotebook *notebook = GTK_NOTEBOOK (widget);
      GtkWidget *page
        = gtk_notebook_get_nth_page (notebook, gtk_notebook_get_current_page (notebook));

      g_string_append_printf (out, "page\t%s\n",
                              page != NULL ? gtk_notebook_get_tab_label_text (notebook, page) : "");
    }
  if (GTK_IS_TREE_VIEW (widget))
    {
      GtkTreeModel *model = gtk_tree_view_get_model (GTK_TREE_VIEW (widget));
      GtkTreeIter iter;
      int n = model != NULL ? gtk_tree_model_get_n_columns (model) : 0;

      g_string_append (out, "view\n");
      for (gboolean valid = model != NULL && gtk_tree_model_get_iter_first (model, &iter); valid;
           valid = gtk_tree_model_iter_next (model, &iter))
        {
          g_string_append (out, "row");
          for (int c = 0; c < n; c++)
            {
              if (gtk_tree_model_get_column_type (model, c) == G_TYPE_STRING)
                {
                  char *value = NULL;

                  gtk_tree_model_get (model, &iter, c, &value, -1);
                  g_string_append_printf (out, "\t%s", value != NULL ? value : "");
                  g_free (value);
                }
            }
          g_string_append_c (out, '\n');
        }
    }
  if (GTK_IS_CONTAINER (widget))
    {
      GList *children = gtk_container_get_children (GTK_CONTAINER (widget));

      for (GList *l = children; l != NULL; l = l->next)
        dump_widget (l->data, out);
      g_list_free (children);
    }
}

/* The visible window titled @title, NULL when none. */
static GtkWidget *
find_window (const char *title)
{
  GList *toplevels = gtk_window_list_toplevels ();
  GtkWidget *found = NULL;

  for (GList *l = toplevels; l != NULL && found == NULL && title != NULL; l = l->next)
    if (g_strcmp0 (gtk_window_get_title (l->data), title) == 0
        && gtk_widget_get_visible (l->data))
      found = l->data;
  g_list_free (toplevels);
  return found;
}

static void
cmd_widgets (char **args, GString *out)
{
  GtkWidget *window = find_window (args[1]);

  if (window == NULL)
    {
      g_string_append (out, "error\tno such window\n");
      return;
    }
  append_widget_geometry (out, "window", window);
  dump_widget (window, out);
}

/* The first widget under @widget for which @match holds. */
static GtkWidget *
find_widget (GtkWidget *widget, gboolean (*match) (GtkWidget *, const char *), const char *label)
{
  GtkWidget *found = NULL;

  if (match (widget, label))
    return widget;
  if (GTK_IS_CONTAINER (widget))
    {
      GList *children = gtk_container_get_children (GTK_CONTAINER (widget));

      for (GList *l = children; l != NULL && found == NULL; l = l->next)
        found = find_widget (l->data, match, label);
      g_list_free (children);
    }
  return found;
}

static gboolean
is_notebook (GtkWidget *widget, const char *unused)
{
  return GTK_IS_NOTEBOOK (widget);
}

static void
cmd_page (char **args, GString *out)
{
  GtkWidget *window = find_window (args[1]);
  GtkWidget *notebook = window != NULL ? find_widget (window, is_notebook, NULL) : NULL;
  int n = notebook != NULL ? gtk_notebook_get_n_pages (GTK_NOTEBOOK (notebook)) : 0;

  for (int i = 0; i < n && args[2] != NULL; i++)
    {
      GtkWidget *page = gtk_notebook_get_nth_page (GTK_NOTEBOOK (notebook), i);

      if (g_strcmp0 (gtk_notebook_get_tab_label_text (GTK_NOTEBOOK (notebook), page), args[2])
          == 0)
        {
          gtk_notebook_set_current_page (GTK_NOTEBOOK (notebook), i);
          g_string_append (out, "shown\n");
          return;
        }
    }
  g_string_append (out, "error\tno such page\n");
}

static void
free_menu (GList *menu)
{
  for (GList *l = menu; l != NULL; l = l->next)
    {
      PurpleMenuAction *action = l->data;

      if (action != NULL)
        {
          free_menu (action->children);
          purple_menu_action_free (action);
        }
    }
  g_list_free (menu);
}

static void
dump_menu (GList *menu, int depth, GString *out)
{
  for (GList *l = menu; l != NULL; l = l->next)
    {
      PurpleMenuAction *action = l->data;

      for (int i = 0; i < depth; i++)
        g_string_append (out, "  ");
      g_string_append_printf (out, "%s\n", action != NULL ? action->label : "---");
      if (action != NULL)
        dump_menu (action->children, depth + 1, out);
    }
}

/* The buddy called @name, else the group called @name. */
static PurpleBlistNode *
menu_node (const char *name)
{
  PurpleBuddy *buddy = name != NULL ? find_buddy (name) : NULL;

  if (buddy != NULL)
    return (PurpleBlistNode *) buddy;
  return name != NULL ? (PurpleBlistNode *) purple_find_group (name) : NULL;
}

static void
cmd_menu (char **args, GString *out)
{
  PurpleBlistNode *node = menu_node (args[1]);
  GList *menu;

  if (node == NULL)
    {
      g_string_append (out, "error\tno such buddy\n");
      return;
    }
  menu = purple_blist_node_get_extended_menu (node);
  dump_menu (menu, 0, out);
  free_menu (menu);
}

/* A label without the check mark gtk-smileback puts before the current choice. */
static gboolean
label_is (const char *label, const char *wanted)
{
  const char *mark = "\342\234\223 ";

  if (label != NULL && g_str_has_prefix (label, mark))
    label += strlen (mark);
  return g_strcmp0 (label, wanted) == 0;
}

static void
cmd_activate (char **args, GString *out)
{
  PurpleBlistNode *node = menu_node (args[1]);
  GList *menu, *level;
  PurpleMenuAction *found = NULL;

  if (node == NULL || args[2] == NULL)
    {
      g_string_append (out, "error\tno such buddy\n");
      return;
    }
  menu = purple_blist_node_get_extended_menu (node);
  level = menu;
  for (int i = 2; args[i] != NULL; i++)
    {
      found = NULL;
      for (GList *l = level; l != NULL; l = l->next)
        if (l->data != NULL && label_is (((PurpleMenuAction *) l->data)->label, args[i]))
          found = l->data;
      if (found == NULL)
        break;
      level = found->children;
    }
  if (found != NULL && found->callback != NULL)
    {
      ((void (*) (PurpleBlistNode *, gpointer)) found->callback) (node, found->data);
      g_string_append (out, "activated\n");
    }
  else
    g_string_append (out, "error\tno such menu item\n");
  free_menu (menu);
}

static void
cmd_setting (char **args, GString *out)
{
  PurpleBlistNode *node = menu_node (args[1]);

  if (node == NULL)
    {
      g_string_append (out, "error\tno such buddy\n");
      return;
    }
  for (const char *tag = "buddy"; node != NULL; node = purple_blist_node_get_parent (node))
    {
      tag = node_type (node);
      g_string_append_printf (out, "%s\t%d\n", tag,
                              purple_blist_node_get_int (node, SB_NODE_KEEP_IN_TOUCH_DAYS));
    }
}

static void
cmd_alias (char **args, GString *out)
{
  PurpleBuddy *buddy = args[1] != NULL ? find_buddy (args[1]) : NULL;

  if (buddy == NULL || args[2] == NULL)
    {
      g_string_append (out, "error\tno such buddy\n");
      return;
    }
  purple_blist_alias_buddy (buddy, args[2]);
  g_string_append (out, "aliased\n");
}

static void
cmd_pref_bool (char **args, GString *out)
{
  if (args[1] == NULL || args[2] == NULL || !purple_prefs_exists (args[1]))
    {
      g_string_append (out, "error\tno such preference\n");
      return;
    }
  purple_prefs_set_bool (args[1], g_str_equal (args[2], "1"));
  g_string_append (out, "set\n");
}

static void
cmd_unload (char **args, GString *out)
{
  PurplePlugin *plugin = args[1] != NULL ? purple_plugins_find_with_id (args[1]) : NULL;

  if (plugin == NULL || !purple_plugin_is_loaded (plugin))
    {
      g_string_append (out, "error\tnot loaded\n");
      return;
    }
  g_string_append (out, purple_plugin_unload (plugin) ? "unloaded\n" : "error\tunload failed\n");
}

static void
cmd_merge (char **args, GString *out)
{
  PurpleBuddy *buddy = args[1] != NULL ? find_buddy (args[1]) : NULL;
  PurpleBuddy *other = args[1] != NULL && args[2] != NULL ? find_buddy (args[2]) : NULL;

  if (buddy == NULL || other == NULL)
    {
      g_string_append (out, "error\tno such buddy\n");
      return;
    }
  purple_blist_add_buddy (other, purple_buddy_get_contact (buddy), purple_buddy_get_group (buddy),
                          NULL);
  g_string_append (out, "merged\n");
}

static void
cmd_plugins (char **args, GString *out)
{
  for (GList *l = purple_plugins_get_loaded (); l != NULL; l = l->next)
    {
      PurplePlugin *plugin = l->data;

      if (plugin->info != NULL && plugin->info->id != NULL)
        g_string_append_printf (out, "%s\n", plugin->info->id);
    }
}

static void
cmd_prefs (char **args, GString *out)
{
  PurplePlugin *plugin = args[1] != NULL ? purple_plugins_find_with_id (args[1]) : NULL;
  PurplePluginPrefFrame *frame;

  if (plugin == NULL || plugin->info->prefs_info == NULL
      || plugin->info->prefs_info->get_plugin_pref_frame == NULL)
    {
      g_string_append (out, "error\tno preferences\n");
      return;
    }
  frame = plugin->info->prefs_info->get_plugin_pref_frame (plugin);
  for (GList *l = purple_plugin_pref_frame_get_prefs (frame); l != NULL; l = l->next)
    {
      PurplePluginPref *pref = l->data;

      g_string_append_printf (out, "%s\t%s\n", purple_plugin_pref_get_name (pref) ? purple_plugin_pref_get_name (pref) : "",
                              purple_plugin_pref_get_label (pref));
    }
  purple_plugin_pref_frame_destroy (frame);
}

static char *
rival_drawing_buddy_cb (PurpleBuddy *buddy, gpointer data)
{
  return g_markup_printf_escaped ("RIVAL %s", purple_buddy_get_alias (buddy));
}

static void
cmd_rival (char **args, GString *out)
{
  PurplePlugin *self = purple_plugins_find_with_id (PROBE_ID);

  if (args[1] != NULL && g_str_equal (args[1], "1"))
    /* Just after the earliest slot: ahead of every default-priority handler. */
    purple_signal_connect_priority (pidgin_blist_get_handle (), "drawing-buddy", self,
                                    PURPLE_CALLBACK (rival_drawing_buddy_cb), NULL,
                                    PURPLE_SIGNAL_PRIORITY_LOWEST + 1);
  else
    purple_signal_disconnect (pidgin_blist_get_handle (), "drawing-buddy", self,
                              PURPLE_CALLBACK (rival_drawing_buddy_cb));
  pidgin_blist_refresh (purple_get_blist ());
  g_string_append (out, "redrawn\n");
}

/* The mini-dialogs in the buddy list's alert area, in order.  Free with
 * g_list_free(). */
static GList *
alert_dialogs (void)
{
  PidginBuddyList *gtkblist = pidgin_blist_get_default_gtk_blist ();
  PidginScrollBook *book;

  if (gtkblist == NULL || gtkblist->scrollbook == NULL)
    return NULL;
  book = PIDGIN_SCROLL_BOOK (gtkblist->scrollbook);
  return gtk_container_get_children (GTK_CONTAINER (book->notebook));
}

static void
dump_alert_widget (GtkWidget *widget, GString *out)
{
  if (GTK_IS_CHECK_BUTTON (widget))
    {
      g_string_append_printf (out, "check\t%s\t%d\n",
                              gtk_button_get_label (GTK_BUTTON (widget)),
                              gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (widget)));
      return;
    }
  if (GTK_IS_BUTTON (widget))
    {
      GtkWidget *child = gtk_bin_get_child (GTK_BIN (widget));

      g_string_append_printf (out, "button\t%s\t%d\n",
                              GTK_IS_LABEL (child) ? gtk_label_get_text (GTK_LABEL (child)) : "",
                              gtk_widget_is_sensitive (widget));
      return;
    }
  if (GTK_IS_PROGRESS_BAR (widget))
    {
      const char *text = gtk_progress_bar_get_text (GTK_PROGRESS_BAR (widget));

      g_string_append_printf (out, "progress\t%.3f\t%s\n",
                              gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (widget)),
                              text != NULL ? text : "");
      return;
    }
  if (GTK_IS_CONTAINER (widget))
    {
      GList *children = gtk_container_get_children (GTK_CONTAINER (widget));

      for (GList *l = children; l != NULL; l = l->next)
        dump_alert_widget (l->data, out);
      g_list_free (children);
    }
}

static void
cmd_alerts (char **args, GString *out)
{
  PidginBuddyList *gtkblist = pidgin_blist_get_default_gtk_blist ();
  GList *dialogs = alert_dialogs ();
  int current = -1;
  int index = 0;

  if (gtkblist != NULL && gtkblist->scrollbook != NULL)
    current = gtk_notebook_get_current_page (
      GTK_NOTEBOOK (PIDGIN_SCROLL_BOOK (gtkblist->scrollbook)->notebook));
  for (GList *l = dialogs; l != NULL; l = l->next, index++)
    {
      char *title = NULL;
      char *description = NULL;

      if (!PIDGIN_IS_MINI_DIALOG (l->data))
        continue;
      g_object_get (l->data, "title", &title, "description", &description, NULL);
      g_strdelimit (title, "\t\n", ' ');
      g_strdelimit (description, "\t\n", ' ');
      g_string_append_printf (out, "alert\t%s\t%s\t%d\n", title != NULL ? title : "",
                              description != NULL ? description : "", index == current);
      dump_alert_widget (l->data, out);
      g_free (title);
      g_free (description);
    }
  g_list_free (dialogs);
  if (out->len == 0)
    g_string_append (out, "none\n");
}

/* The first mini-dialog whose title contains @needle. */
static GtkWidget *
find_alert (const char *needle, int *index_out)
{
  GList *dialogs = alert_dialogs ();
  GtkWidget *found = NULL;
  int index = 0;

  for (GList *l = dialogs; l != NULL && found == NULL && needle != NULL; l = l->next, index++)
    {
      char *title = NULL;

      if (!PIDGIN_IS_MINI_DIALOG (l->data))
        continue;
      g_object_get (l->data, "title", &title, NULL);
      if (title != NULL && strstr (title, needle) != NULL)
        {
          found = l->data;
          if (index_out != NULL)
            *index_out = index;
        }
      g_free (title);
    }
  g_list_free (dialogs);
  return found;
}

/* A mini-dialog's button labelled @label (the text of its label child). */
static gboolean
is_alert_button (GtkWidget *widget, const char *label)
{
  GtkWidget *child = GTK_IS_BUTTON (widget) && !GTK_IS_CHECK_BUTTON (widget)
                       ? gtk_bin_get_child (GTK_BIN (widget))
                       : NULL;

  return GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (child)), label) == 0;
}

static gboolean
is_check_button (GtkWidget *widget, const char *label)
{
  return GTK_IS_CHECK_BUTTON (widget)
         && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static void
alert_press (char **args, GString *out, gboolean check)
{
  GtkWidget *dialog = args[1] != NULL ? find_alert (args[1], NULL) : NULL;
  GtkWidget *button = dialog != NULL && args[2] != NULL
                        ? find_widget (dialog, check ? is_check_button : is_alert_button, args[2])
                        : NULL;

  if (button == NULL)
    {
      g_string_append (out, "error\tno such alert or button\n");
      return;
    }
  if (!gtk_widget_is_sensitive (button))
    {
      g_string_append (out, "error\tinsensitive\n");
      return;
    }
  if (check)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button),
                                  !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  else
    gtk_button_clicked (GTK_BUTTON (button));
  g_string_append (out, "clicked\n");
}

static void
cmd_alert_click (char **args, GString *out)
{
  alert_press (args, out, FALSE);
}

static void
cmd_alert_tick (char **args, GString *out)
{
  alert_press (args, out, TRUE);
}

static void
cmd_alert_show (char **args, GString *out)
{
  PidginBuddyList *gtkblist = pidgin_blist_get_default_gtk_blist ();
  int index = -1;

  if (args[1] == NULL || find_alert (args[1], &index) == NULL)
    {
      g_string_append (out, "error\tno such alert\n");
      return;
    }
  gtk_notebook_set_current_page (
    GTK_NOTEBOOK (PIDGIN_SCROLL_BOOK (gtkblist->scrollbook)->notebook), index);
  /* No window manager under Xvfb: raise it ourselves. */
  gtk_window_present (GTK_WINDOW (gtkblist->window));
  if (gtk_widget_get_window (gtkblist->window) != NULL)
    gdk_window_raise (gtk_widget_get_window (gtkblist->window));
  g_string_append (out, "shown\n");
}

static void
cmd_ipc (char **args, GString *out)
{
  PurplePlugin *core = purple_plugins_find_with_id (SB_CORE_PLUGIN_ID);
  gboolean registered = core != NULL && purple_plugin_is_loaded (core) && args[1] != NULL
                        && purple_plugin_ipc_get_params (core, args[1], NULL, NULL, NULL);

  g_string_append (out, registered ? "yes\n" : "no\n");
}

static void
cmd_plan_now (char **args, GString *out)
{
  PurplePlugin *core = purple_plugins_find_with_id (SB_CORE_PLUGIN_ID);
  gboolean ok = FALSE;

  if (core != NULL)
    purple_plugin_ipc_call (core, SB_IPC_PLAN_NOW, &ok);
  g_string_append (out, ok ? "planned\n" : "error\tno smileback-plan-now\n");
}

static void
cmd_conv (char **args, GString *out)
{
  PurpleBuddy *buddy = args[1] != NULL ? find_buddy (args[1]) : NULL;
  PurpleConversation *conv = NULL;
  PidginConversation *gtkconv;
  GtkTextIter start, end;
  char *text;
  gboolean shown;

  if (buddy != NULL)
    conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM,
                                                  purple_buddy_get_name (buddy),
                                                  purple_buddy_get_account (buddy));
  gtkconv = conv != NULL ? PIDGIN_CONVERSATION (conv) : NULL;
  if (gtkconv == NULL || gtkconv->entry == NULL)
    {
      g_string_append (out, "none\n");
      return;
    }
  shown = gtkconv->win != NULL && gtk_widget_get_visible (gtkconv->win->window)
          && pidgin_conv_window_is_active_conversation (conv);
  gtk_text_buffer_get_bounds (gtkconv->entry_buffer, &start, &end);
  text = gtk_text_buffer_get_text (gtkconv->entry_buffer, &start, &end, FALSE);
  g_strdelimit (text, "\t\n", ' ');
  g_string_append_printf (out, "conv\t%d\t%d\t%s\n", shown,
                          gtk_widget_is_focus (gtkconv->entry), text);
  g_free (text);
}

static void
cmd_join (char **args, GString *out)
{
  GList *accounts = purple_accounts_get_all_active ();
  PurpleAccount *account = accounts != NULL ? accounts->data : NULL;
  PurpleConnection *gc = account != NULL ? purple_account_get_connection (account) : NULL;
  GHashTable *components;

  g_list_free (accounts);
  if (gc == NULL || args[1] == NULL || args[2] == NULL)
    {
      g_string_append (out, "error\tnot connected\n");
      return;
    }
  components = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (components, g_strdup ("room"), g_strdup (args[1]));
  g_hash_table_insert (components, g_strdup ("server"), g_strdup (args[2]));
  g_hash_table_insert (components, g_strdup ("handle"), g_strdup ("alice"));
  serv_join_chat (gc, components);
  g_hash_table_destroy (components);
  g_string_append (out, "joining\n");
}

static void
cmd_chat_send (char **args, GString *out)
{
  GList *accounts = purple_accounts_get_all_active ();
  PurpleConversation *conv = NULL;

  if (accounts != NULL && args[1] != NULL)
    conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT, args[1], accounts->data);
  g_list_free (accounts);
  if (conv == NULL || args[2] == NULL)
    {
      g_string_append (out, "error\tno such chat\n");
      return;
    }
  purple_conv_chat_send (PURPLE_CONV_CHAT (conv), args[2]);
  g_string_append (out, "sent\n");
}

static gboolean
is_button_labelled (GtkWidget *widget, const char *label)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_visible (widget)
         && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static void
cmd_dialog_click (char **args, GString *out)
{
  GList *toplevels = gtk_window_list_toplevels ();
  GtkWidget *button = NULL;

  for (GList *l = toplevels; l != NULL && button == NULL && args[1] != NULL; l = l->next)
    if (GTK_IS_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      button = find_widget (l->data, is_button_labelled, args[1]);
  g_list_free (toplevels);
  if (button == NULL)
    {
      g_string_append (out, "error\tno such button\n");
      return;
    }
  gtk_button_clicked (GTK_BUTTON (button));
  g_string_append (out, "clicked\n");
}

typedef struct
{
  const char *verb;
  void (*run) (char **args, GString *out);
} ProbeCommand;

static const ProbeCommand commands[] = {
  { "rows", cmd_rows },         { "tooltip", cmd_tooltip }, { "send", cmd_send },
  { "action", cmd_action },     { "widgets", cmd_widgets }, { "menu", cmd_menu },
  { "activate", cmd_activate }, { "setting", cmd_setting }, { "alias", cmd_alias },
  { "pref-bool", cmd_pref_bool }, { "unload", cmd_unload },   { "plugins", cmd_plugins },
  { "prefs", cmd_prefs },       { "rival", cmd_rival },     { "merge", cmd_merge },
  { "alerts", cmd_alerts },     { "alert-click", cmd_alert_click },
  { "alert-tick", cmd_alert_tick }, { "alert-show", cmd_alert_show },
  { "ipc", cmd_ipc },           { "plan-now", cmd_plan_now }, { "conv", cmd_conv },
  { "join", cmd_join },         { "chat-send", cmd_chat_send },
  { "dialog-click", cmd_dialog_click }, { "page", cmd_page },
};

static gboolean
poll_cb (gpointer data)
{
  g_autofree char *cmd_path = g_build_filename (probe_dir, "cmd", NULL);
  g_autofree char *tmp_path = g_build_filename (probe_dir, "reply.tmp", NULL);
  g_autofree char *reply_path = g_build_filename (probe_dir, "reply", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) args = NULL;
  GString *out;

  if (!g_file_get_contents (cmd_path, &text, NULL, NULL))
    return G_SOURCE_CONTINUE;
  g_unlink (cmd_path);
  g_strchomp (text);
  args = g_strsplit (text, "\t", -1);
  out = g_string_new (NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (args[0] != NULL && strcmp (args[0], commands[i].verb) == 0)
      commands[i].run (args, out);
  if (out->len == 0)
    g_string_append (out, "ok\n");
  if (g_file_set_contents (tmp_path, out->str, out->len, NULL))
    g_rename (tmp_path, reply_path);
  g_string_free (out, TRUE);
  return G_SOURCE_CONTINUE;
}

static gboolean
plugin_load (PurplePlugin *plugin)
{
  const char *dir = g_getenv ("SB_PROBE_DIR");

  if (dir == NULL)
    return FALSE;
  probe_dir = g_strdup (dir);
  poll_id = purple_timeout_add (POLL_MS, poll_cb, NULL);
  return TRUE;
}

static gboolean
plugin_unload (PurplePlugin *plugin)
{
  if (poll_id != 0)
    purple_timeout_remove (poll_id);
  poll_id = 0;
  g_clear_pointer (&probe_dir, g_free);
  return TRUE;
}

static PurplePluginInfo info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_STANDARD,
  .ui_requirement = PIDGIN_PLUGIN_TYPE,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = PROBE_ID,
  .name = "Smile Back test probe",
  .version = "0",
  .summary = "Lets the ui test suite look inside Pidgin.",
  .description = "Test-only: reads commands from $SB_PROBE_DIR/cmd.",
  .load = plugin_load,
  .unload = plugin_unload,
};

static void
init_plugin (PurplePlugin *plugin)
{
}

PURPLE_INIT_PLUGIN (sb_test_probe, init_plugin, info)
