/* sb-gnt-view.c: the "Smile Back" view of Finch's buddy list.
 *
 * A FinchBlistManager (Finch's gntblist.h), offered in the buddy list's
 * "Grouping" menu beside Finch's own: each contact sits under a heading named
 * after its hint (sb-hint-group.h), the headings in the order of
 * SbHintGroup, always all of them so the list does not jump; chats go under
 * a last heading; Finch's own groups are not shown.  Each contact's group is
 * the core plugin's verdict ("smileback-get-hint-kind", from memory).
 *
 * Finch asks find_parent() again whenever a node is updated and moves the row
 * when the answer changed (gntblist.c, node_update).  So on the core's
 * "smileback-buddy-changed" the buddy's node is updated
 * (purple_blist_update_node_icon), and a slow timer does the same for
 * contacts whose verdict expired with time.  The tooltip is Finch's own,
 * followed by the hint and the core's figures (smileback-get-tooltip) as
 * plain text.
 *
 * Finch calls a manager's functions with no user data: they find the plugin
 * through sb_gnt_context().  The headings are static nodes of type
 * PURPLE_BLIST_OTHER_NODE, keys of the buddy list's GntTree only.
 */
#include "sb-gnt-private.h"

#include <glib/gi18n-lib.h>

#include <debug.h>
#include <prefs.h>
#include <util.h>

#include <gntblist.h>
#include <gnttree.h>

/* Finch's preference naming the chosen buddy-list manager. */
#define FINCH_PREF_GROUPING "/finch/blist/grouping"

/* How often contacts are re-placed when their verdict expires with time
 * (seconds): such verdicts change over hours or days. */
#define SB_GNT_REFRESH_S 300

static PurpleBlistNode headings[SB_HINT_GROUP_LAST];
static PurpleBlistNode chats_heading;

/* Finch's own manager: what to show, and its tooltip, come from it. */
static FinchBlistManager *default_manager;

static gboolean
view_is_shown (void)
{
  return g_strcmp0 (purple_prefs_get_string (FINCH_PREF_GROUPING), SB_GNT_VIEW_ID) == 0
         && finch_blist_get_tree () != NULL;
}

static gboolean
tree_has_row (GntTree *tree, gpointer key)
{
  return g_list_find (gnt_tree_get_rows (tree), key) != NULL;
}

/* Adds the headings in their order: each after the one before it, so
 * Finch's sort order does not apply to them. */
static gboolean
view_init (void)
{
  GntTree *tree = finch_blist_get_tree ();
  PurpleBlistNode *previous = NULL;

  if (tree == NULL)
    return TRUE;
  for (int g = 0; g < SB_HINT_GROUP_LAST; g++)
    {
      if (!tree_has_row (tree, &headings[g]))
        gnt_tree_add_row_after (tree, &headings[g],
                                gnt_tree_create_row (tree, sb_hint_group_title ((SbHintGroup) g)),
                                NULL, previous);
      previous = &headings[g];
    }
  return TRUE;
}

static gboolean
view_uninit (void)
{
  return TRUE;
}

/* The chats' heading, added after the last hint heading when a chat first
 * needs it. */
static PurpleBlistNode *
chats_parent (void)
{
  GntTree *tree = finch_blist_get_tree ();

  if (tree != NULL && !tree_has_row (tree, &chats_heading))
    /* TRANSLATORS: heading of the group chats in Finch's buddy list,
     * grouped by Smile Back's hints */
    gnt_tree_add_row_after (tree, &chats_heading, gnt_tree_create_row (tree, _("Chats")), NULL,
                            &headings[SB_HINT_GROUP_LAST - 1]);
  return &chats_heading;
}

/* Finch's groups are replaced by the headings; the rest is shown when
 * Finch's own view would show it (online, or offline buddies if chosen). */
static gboolean
view_can_add_node (PurpleBlistNode *node)
{
  if (PURPLE_BLIST_NODE_IS_GROUP (node))
    return FALSE;
  return default_manager != NULL && default_manager->can_add_node (node);
}

static gpointer
view_find_parent (PurpleBlistNode *node)
{
  PurpleBlistNode *parent;

  switch (purple_blist_node_get_type (node))
    {
    case PURPLE_BLIST_BUDDY_NODE:
      /* A buddy stays in its contact, as in Finch's view. */
      parent = purple_blist_node_get_parent (node);
      finch_blist_manager_add_node (parent);
      return parent;
    case PURPLE_BLIST_CONTACT_NODE:
      return &headings[sb_hint_group_of (sb_gnt_hint_kind (sb_gnt_context (), node))];
    case PURPLE_BLIST_CHAT_NODE:
      return chats_parent ();
    case PURPLE_BLIST_GROUP_NODE:
    case PURPLE_BLIST_OTHER_NODE:
    default:
      return NULL;
    }
}

/* How many contacts a heading holds now. */
static guint
count_under (PurpleBlistNode *heading)
{
  GntTree *tree = finch_blist_get_tree ();
  guint n = 0;

  for (PurpleBlistNode *node = purple_blist_get_root (); node != NULL;
       node = purple_blist_node_next (node, FALSE))
    if (PURPLE_BLIST_NODE_IS_CONTACT (node) && tree != NULL
        && purple_blist_node_get_ui_data (node) != NULL
        && gnt_tree_get_parent_key (tree, node) == heading)
      n++;
  return n;
}

/* Appends the Smile Back lines of @node's tooltip to @body: the hint, then
 * the core's figures with their markup removed (a terminal has no bold). */
static void
append_figures (SbGntContext *ctx, PurpleBlistNode *node, GString *body)
{
  const char *hint = sb_hint_label (sb_gnt_hint_kind (ctx, node));
  g_autofree char *markup = NULL;
  g_auto (GStrv) lines = NULL;
  gboolean ok = FALSE;

  if (hint == NULL)
    return;
  if (body->len > 0)
    g_string_append_c (body, '\n');
  /* TRANSLATORS: tooltip line in Finch's buddy list, "Smile Back: mutual" */
  g_string_append_printf (body, _("Smile Back: %s"), hint);
  markup = purple_plugin_ipc_call (ctx->core, SB_IPC_GET_TOOLTIP, &ok, node);
  if (!ok || markup == NULL)
    return;
  /* Line by line: stripping markup joins lines as HTML would. */
  lines = g_strsplit (markup, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_autofree char *plain = purple_markup_strip_html (*line);

      g_string_append_printf (body, "\n%s", plain);
    }
}

static gboolean
view_create_tooltip (gpointer selected_row, GString **body, char **title)
{
  PurpleBlistNode *node = selected_row;
  SbGntContext *ctx = sb_gnt_context ();
  GString *text = NULL;

  if (node == NULL)
    return FALSE;
  if (purple_blist_node_get_type (node) == PURPLE_BLIST_OTHER_NODE)
    {
      guint n = count_under (node);

      if (node == &chats_heading)
        return FALSE;
      if (body != NULL)
        {
          *body = g_string_new (NULL);
          /* TRANSLATORS: tooltip of a heading of Finch's buddy list grouped by hint */
          g_string_printf (*body, g_dngettext (GETTEXT_PACKAGE, "%u buddy", "%u buddies", n), n);
        }
      if (title != NULL)
        *title = g_strdup (sb_hint_group_title ((SbHintGroup) (node - headings)));
      return TRUE;
    }

  if (default_manager == NULL || !default_manager->create_tooltip (node, &text, title))
    text = g_string_new (NULL);
  if (ctx != NULL && (PURPLE_BLIST_NODE_IS_BUDDY (node) || PURPLE_BLIST_NODE_IS_CONTACT (node)))
    append_figures (ctx, node, text);
  if (body != NULL)
    *body = text;
  else
    g_string_free (text, TRUE);
  return TRUE;
}

static FinchBlistManager view_manager = {
  .id = SB_GNT_VIEW_ID,
  .init = view_init,
  .uninit = view_uninit,
  .can_add_node = view_can_add_node,
  .find_parent = view_find_parent,
  .create_tooltip = view_create_tooltip,
};

/* Re-places @node's row if its heading is no longer its verdict's. */
static void
replace_if_moved (PurpleBlistNode *contact)
{
  GntTree *tree = finch_blist_get_tree ();

  if (tree == NULL || purple_blist_node_get_ui_data (contact) == NULL)
    return;
  if (gnt_tree_get_parent_key (tree, contact) != view_find_parent (contact))
    /* Finch's node_update moves the row to find_parent()'s answer. */
    purple_blist_update_node_icon (contact);
}

static void
buddy_changed_cb (const char *protocol, const char *account, const char *buddy,
                  SbGntContext *ctx)
{
  GSList *buddies;

  if (!view_is_shown ())
    return;
  buddies = sb_purple_key_find_buddies (protocol, account, buddy);
  for (GSList *l = buddies; l != NULL; l = l->next)
    replace_if_moved (purple_blist_node_get_parent (l->data));
  g_slist_free (buddies);
}

static gboolean
refresh_cb (gpointer data)
{
  if (!view_is_shown ())
    return G_SOURCE_CONTINUE;
  for (PurpleBlistNode *node = purple_blist_get_root (); node != NULL;
       node = purple_blist_node_next (node, FALSE))
    if (PURPLE_BLIST_NODE_IS_CONTACT (node))
      replace_if_moved (node);
  return G_SOURCE_CONTINUE;
}

void
sb_gnt_view_init (SbGntContext *ctx)
{
  for (int g = 0; g < SB_HINT_GROUP_LAST; g++)
    headings[g].type = PURPLE_BLIST_OTHER_NODE;
  chats_heading.type = PURPLE_BLIST_OTHER_NODE;
  default_manager = finch_blist_manager_find ("default");
  /* TRANSLATORS: the name of the buddy-list view in Finch's Grouping menu */
  view_manager.name = _("Smile Back");

  purple_signal_connect (ctx->core, SB_SIGNAL_BUDDY_CHANGED, ctx->plugin,
                         PURPLE_CALLBACK (buddy_changed_cb), ctx);
  ctx->refresh_id = purple_timeout_add_seconds (SB_GNT_REFRESH_S, refresh_cb, ctx);
  /* Shows the view at once when it is the chosen one (gntblist.c). */
  finch_blist_install_manager (&view_manager);
}

void
sb_gnt_view_shutdown (SbGntContext *ctx)
{
  if (ctx->refresh_id != 0)
    {
      purple_timeout_remove (ctx->refresh_id);
      ctx->refresh_id = 0;
    }
  purple_signal_disconnect (ctx->core, SB_SIGNAL_BUDDY_CHANGED, ctx->plugin,
                            PURPLE_CALLBACK (buddy_changed_cb));
  /* When the view was shown, Finch redraws its own (the preference keeps
   * naming this view, so it comes back with the plugin). */
  finch_blist_uninstall_manager (&view_manager);
  default_manager = NULL;
}
