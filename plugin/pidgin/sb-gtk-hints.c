/* sb-gtk-hints.c: the hint beside each buddy and the figures in its tooltip.
 *
 * Pidgin asks "drawing-buddy" for the markup of every row it draws, often: on
 * every status change, every redraw.  The answer comes from a cache per blist
 * node filled from the core plugin's in-memory IPC (smileback-get-hint) and
 * invalidated by its "smileback-buddy-changed" signal, so a redraw costs a hash
 * lookup and the returned string.  A slow timer re-reads the cached hints,
 * since a verdict such as "you owe a reply" expires with time.
 *
 * The first "drawing-buddy" handler that returns markup wins.  Two extra
 * handlers, one run before every other and one after, tell whether another
 * plugin draws buddy names too (ours was skipped, or a later one drew when we
 * did not); the preferences then say so.
 */
#include "sb-gtk-private.h"

#include <glib/gi18n-lib.h>

#include <debug.h>
#include <prefs.h>
#include <signals.h>

#include <gtkblist.h>

/* How often cached hints are re-read (seconds): the verdicts that depend on
 * time change over hours or days, so five minutes is plenty. */
#define SB_GTK_REFRESH_S 300

/* The node whose figures a row shows: for a collapsed contact row, the contact
 * (its buddies summed); for a buddy row, the buddy. */
static PurpleBlistNode *
row_node (PurpleBuddy *buddy, gboolean *contact_row)
{
  PurpleContact *contact = purple_buddy_get_contact (buddy);
  PurpleBlistNode *contact_node = (PurpleBlistNode *) contact;

  *contact_row = contact_node != NULL && purple_blist_node_get_ui_data (contact_node) != NULL
                 && !pidgin_blist_node_is_contact_expanded (contact_node);
  return *contact_row ? contact_node : (PurpleBlistNode *) buddy;
}

/* The hint label of @node (buddy or contact), NULL when it has none.  Borrowed
 * from the cache, valid until the next invalidation. */
static const char *
cached_hint (SbGtkContext *ctx, PurpleBlistNode *node)
{
  const char *hint;
  char *fetched;
  gboolean ok = FALSE;

  if (g_hash_table_lookup_extended (ctx->hints, node, NULL, (gpointer *) &hint))
    return *hint != '\0' ? hint : NULL;

  fetched = purple_plugin_ipc_call (ctx->core, SB_IPC_GET_HINT, &ok, node);
  if (!ok)
    g_clear_pointer (&fetched, g_free);
  g_hash_table_insert (ctx->hints, node, fetched != NULL ? fetched : g_strdup (""));
  return fetched;
}

/* The hint to draw beside @node after the preferences, NULL for none. */
static const char *
visible_hint (SbGtkContext *ctx, PurpleBlistNode *node)
{
  const char *hint;

  if (!purple_prefs_get_bool (SB_GTK_PREF_SHOW_HINTS))
    return NULL;
  hint = cached_hint (ctx, node);
  if (hint != NULL && !purple_prefs_get_bool (SB_GTK_PREF_SHOW_NEW)
      && g_strcmp0 (hint, sb_hint_label (SB_HINT_NEW)) == 0)
    return NULL;
  return hint;
}

static void
probe_finish (SbGtkContext *ctx)
{
  SbGtkDrawProbe *probe = &ctx->probe;

  if (probe->active && (!probe->reached || (!probe->drew && !probe->fell_through))
      && !ctx->other_drawer)
    {
      purple_debug_info (SB_GTK_PLUGIN_ID, "another plugin draws buddy names\n");
      ctx->other_drawer = TRUE;
    }
  *probe = (SbGtkDrawProbe){ 0 };
}

/* Runs before every other "drawing-buddy" handler. */
static char *
drawing_buddy_first_cb (PurpleBuddy *buddy, SbGtkContext *ctx)
{
  probe_finish (ctx);
  ctx->probe.active = TRUE;
  return NULL;
}

/* Runs only when no handler returned markup. */
static char *
drawing_buddy_last_cb (PurpleBuddy *buddy, SbGtkContext *ctx)
{
  ctx->probe.fell_through = TRUE;
  return NULL;
}

/* The markup that replaces the name: the name as Pidgin would show it,
 * escaped, then the hint in an absolute small size (relative sizes vanish in
 * this cell).  The separator and the words carry the meaning, not a colour. */
static char *
drawing_buddy_cb (PurpleBuddy *buddy, SbGtkContext *ctx)
{
  gboolean contact_row;
  PurpleBlistNode *node = row_node (buddy, &contact_row);
  PurpleContact *contact = purple_buddy_get_contact (buddy);
  const char *hint;
  const char *name;

  ctx->probe.reached = TRUE;
  hint = visible_hint (ctx, node);
  if (hint == NULL)
    return NULL;

  /* Pidgin's own choice of name (gtkblist.c): the contact's alias on a
   * collapsed contact row, else the buddy's alias. */
  if (contact_row && contact != NULL && contact->alias != NULL)
    name = contact->alias;
  else
    name = purple_buddy_get_alias (buddy);

  ctx->probe.drew = TRUE;
  /* TRANSLATORS: a buddy-list row: the buddy's name, then the Smile Back hint
   * in small type.  Keep the markup. */
  return g_markup_printf_escaped (_("%s <span size='small'>\302\267 %s</span>"),
                                  name != NULL ? name : "", hint);
}

static void
drawing_tooltip_cb (PurpleBlistNode *node, GString *text, gboolean full, SbGtkContext *ctx)
{
  const char *hint;
  g_autofree char *line = NULL;
  g_autofree char *figures = NULL;
  gboolean ok = FALSE;

  if (!PURPLE_BLIST_NODE_IS_BUDDY (node) && !PURPLE_BLIST_NODE_IS_CONTACT (node))
    return;
  if (!purple_prefs_get_bool (SB_GTK_PREF_SHOW_TOOLTIP))
    return;
  hint = cached_hint (ctx, node);
  if (hint == NULL)
    return;

  /* TRANSLATORS: tooltip line, "Smile Back: mutual" */
  line = g_markup_printf_escaped (_("<b>Smile Back:</b> %s"), hint);
  g_string_append_printf (text, "\n%s", line);
  if (!full)
    return;
  figures = purple_plugin_ipc_call (ctx->core, SB_IPC_GET_TOOLTIP, &ok, node);
  if (ok && figures != NULL)
    g_string_append_printf (text, "\n%s", figures);
}

static void
forget_node (SbGtkContext *ctx, PurpleBlistNode *node)
{
  if (node != NULL)
    g_hash_table_remove (ctx->hints, node);
}

static gboolean
is_contact_entry (gpointer key, gpointer value, gpointer user_data)
{
  return PURPLE_BLIST_NODE_IS_CONTACT ((PurpleBlistNode *) key);
}

/* A buddy joined or left a contact (or a node went away): contact sums may
 * have changed, and a removed node must never be looked up again. */
static void
blist_node_changed_cb (PurpleBlistNode *node, SbGtkContext *ctx)
{
  forget_node (ctx, node);
  if (PURPLE_BLIST_NODE_IS_BUDDY (node) || PURPLE_BLIST_NODE_IS_CONTACT (node))
    g_hash_table_foreach_remove (ctx->hints, is_contact_entry, NULL);
}

void
sb_gtk_hints_invalidate (SbGtkContext *ctx, PurpleBuddy *buddy)
{
  PurpleBlistNode *node = (PurpleBlistNode *) buddy;

  forget_node (ctx, node);
  forget_node (ctx, purple_blist_node_get_parent (node));
  /* Redraws the buddy's row and its contact's. */
  purple_blist_update_node_icon (node);
}

static void
buddy_changed_cb (const char *protocol, const char *account, const char *buddy,
                  SbGtkContext *ctx)
{
  GSList *buddies = sb_purple_key_find_buddies (protocol, account, buddy);

  for (GSList *l = buddies; l != NULL; l = l->next)
    sb_gtk_hints_invalidate (ctx, l->data);
  g_slist_free (buddies);
  sb_gtk_window_queue_refresh (ctx);
}

static gboolean
refresh_cb (gpointer data)
{
  SbGtkContext *ctx = data;
  GList *nodes = g_hash_table_get_keys (ctx->hints);

  /* Re-read every cached hint; redraw only the rows whose words changed. */
  for (GList *l = nodes; l != NULL; l = l->next)
    {
      PurpleBlistNode *node = l->data;
      g_autofree char *before = g_strdup (g_hash_table_lookup (ctx->hints, node));
      const char *after;

      g_hash_table_remove (ctx->hints, node);
      after = cached_hint (ctx, node);
      if (g_strcmp0 (before, after != NULL ? after : "") != 0)
        purple_blist_update_node_icon (node);
    }
  g_list_free (nodes);
  sb_gtk_window_queue_refresh (ctx);
  return G_SOURCE_CONTINUE;
}

static gboolean
gtkblist_exists (void)
{
  PidginBuddyList *gtkblist = pidgin_blist_get_default_gtk_blist ();

  return gtkblist != NULL && gtkblist->treeview != NULL;
}

void
sb_gtk_hints_redraw_all (SbGtkContext *ctx)
{
  g_hash_table_remove_all (ctx->hints);
  if (gtkblist_exists ())
    pidgin_blist_refresh (purple_get_blist ());
}

static void
gtkblist_created_cb (PurpleBuddyList *blist, SbGtkContext *ctx)
{
  sb_gtk_hints_redraw_all (ctx);
}

gboolean
sb_gtk_hints_other_drawer (SbGtkContext *ctx)
{
  probe_finish (ctx);
  return ctx->other_drawer;
}

void
sb_gtk_hints_init (SbGtkContext *ctx)
{
  void *gtkblist_handle = pidgin_blist_get_handle ();
  void *blist_handle = purple_blist_get_handle ();

  ctx->hints = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);

  purple_signal_connect_priority (gtkblist_handle, "drawing-buddy", ctx->plugin,
                                  PURPLE_CALLBACK (drawing_buddy_first_cb), ctx,
                                  PURPLE_SIGNAL_PRIORITY_LOWEST);
  purple_signal_connect (gtkblist_handle, "drawing-buddy", ctx->plugin,
                         PURPLE_CALLBACK (drawing_buddy_cb), ctx);
  purple_signal_connect_priority (gtkblist_handle, "drawing-buddy", ctx->plugin,
                                  PURPLE_CALLBACK (drawing_buddy_last_cb), ctx,
                                  PURPLE_SIGNAL_PRIORITY_HIGHEST);
  purple_signal_connect (gtkblist_handle, "drawing-tooltip", ctx->plugin,
                         PURPLE_CALLBACK (drawing_tooltip_cb), ctx);
  purple_signal_connect (gtkblist_handle, "gtkblist-created", ctx->plugin,
                         PURPLE_CALLBACK (gtkblist_created_cb), ctx);
  purple_signal_connect (blist_handle, "blist-node-added", ctx->plugin,
                         PURPLE_CALLBACK (blist_node_changed_cb), ctx);
  purple_signal_connect (blist_handle, "blist-node-removed", ctx->plugin,
                         PURPLE_CALLBACK (blist_node_changed_cb), ctx);
  purple_signal_connect (ctx->core, SB_SIGNAL_BUDDY_CHANGED, ctx->plugin,
                         PURPLE_CALLBACK (buddy_changed_cb), ctx);

  ctx->refresh_id = purple_timeout_add_seconds (SB_GTK_REFRESH_S, refresh_cb, ctx);

  /* The buddy list may already be on screen: show the hints now. */
  sb_gtk_hints_redraw_all (ctx);
}

void
sb_gtk_hints_shutdown (SbGtkContext *ctx)
{
  void *gtkblist_handle = pidgin_blist_get_handle ();
  void *blist_handle = purple_blist_get_handle ();

  if (ctx->refresh_id != 0)
    {
      purple_timeout_remove (ctx->refresh_id);
      ctx->refresh_id = 0;
    }
  purple_signal_disconnect (gtkblist_handle, "drawing-buddy", ctx->plugin,
                            PURPLE_CALLBACK (drawing_buddy_first_cb));
  purple_signal_disconnect (gtkblist_handle, "drawing-buddy", ctx->plugin,
                            PURPLE_CALLBACK (drawing_buddy_cb));
  purple_signal_disconnect (gtkblist_handle, "drawing-buddy", ctx->plugin,
                            PURPLE_CALLBACK (drawing_buddy_last_cb));
  purple_signal_disconnect (gtkblist_handle, "drawing-tooltip", ctx->plugin,
                            PURPLE_CALLBACK (drawing_tooltip_cb));
  purple_signal_disconnect (gtkblist_handle, "gtkblist-created", ctx->plugin,
                            PURPLE_CALLBACK (gtkblist_created_cb));
  purple_signal_disconnect (blist_handle, "blist-node-added", ctx->plugin,
                            PURPLE_CALLBACK (blist_node_changed_cb));
  purple_signal_disconnect (blist_handle, "blist-node-removed", ctx->plugin,
                            PURPLE_CALLBACK (blist_node_changed_cb));
  purple_signal_disconnect (ctx->core, SB_SIGNAL_BUDDY_CHANGED, ctx->plugin,
                            PURPLE_CALLBACK (buddy_changed_cb));

  /* Rows drawn with hints get their plain names back. */
  g_hash_table_remove_all (ctx->hints);
  if (gtkblist_exists ())
    pidgin_blist_refresh (purple_get_blist ());
  g_clear_pointer (&ctx->hints, g_hash_table_destroy);
}
