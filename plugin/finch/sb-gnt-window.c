/* sb-gnt-window.c: the "Who smiles back" window of Finch.
 *
 * Above, a table of every buddy with history (smileback-foreach-buddy) with
 * the columns of Pidgin's window, the core's sb-table.h, sorted by
 * the column chosen in "Sort by" (a GntTree has no clickable headers).
 * Below, the "Due to reach out" list: the planner's due prompts in its order,
 * each with its reason (smileback-list-due), the "Who should I reach out
 * to?" list.  Enter on a buddy opens a conversation window for the user to
 * type in; nothing is sent.  The window re-reads the figures (in an idle
 * callback, at most once per burst) when the core plugin reports a change.
 */
#include "sb-gnt-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <conversation.h>
#include <debug.h>

#include <gnt.h>
#include <gntbox.h>
#include <gntcombobox.h>
#include <gntlabel.h>
#include <gnttree.h>
#include <gntwindow.h>

enum
{
  DUE_NAME,
  DUE_WHY,
  DUE_LAST,
  DUE_OVERDUE,
  N_DUE_COLS
};

static const char *const due_titles[N_DUE_COLS] = {
  N_("Buddy"),
  /* TRANSLATORS: column: why a buddy is in the due list ("reach out", "reply") */
  N_("Why"),
  N_("Last conversation"),
  /* TRANSLATORS: column: how long ago a reminder became due */
  N_("Overdue by"),
};

/* Cells wider than this are cut (with an ellipsis). */
#define SB_GNT_MAX_CELL 24

/* A column is at least as wide as its figures, and as its title up to this
 * many cells: the table's thirteen titles in full would not fit a terminal,
 * its figures do. */
#define SB_GNT_TITLE_CELLS 8

/* The tallest the lists grow before they scroll. */
#define SB_GNT_TABLE_ROWS 12
#define SB_GNT_DUE_ROWS 6

/* One buddy of the table (the columns of sb-table.h): the tree's key,
 * freed by the tree. */
typedef struct
{
  SbBuddyKey *key;
  char *name;
  char *account;
  SbHintKind hint;
  SbStats stats;
} SbGntRow;

struct _SbGntWindow
{
  SbGntContext *ctx;
  GntWidget *window;
  GntWidget *sort;  /* GntComboBox: keys are SbTableColumn + 1 */
  GntWidget *table; /* GntTree of SbGntRow * */
  GntWidget *due;   /* GntTree of SbBuddyKey * */
  GPtrArray *rows;  /* SbGntRow * of the last fill, borrowed from the table */
  SbTableColumn sort_column;
  gint64 now;       /* the time of the last fill */
  guint refresh_id;
};

static void
row_free (gpointer data)
{
  SbGntRow *row = data;

  sb_buddy_key_free (row->key);
  g_free (row->name);
  g_free (row->account);
  g_free (row);
}

/* The text of @column for @row: the buddy's name, account and hint here,
 * the figures as sb-table.h writes them.  Caller frees. */
static char *
cell_text (const SbGntRow *row, SbTableColumn column, gint64 now)
{
  const char *hint;

  switch (column)
    {
    case SB_TABLE_BUDDY: return g_strdup (row->name);
    case SB_TABLE_ACCOUNT: return g_strdup (row->account);
    case SB_TABLE_HINT:
      hint = sb_hint_label (row->hint);
      return g_strdup (hint != NULL ? hint : "");
    default: return sb_table_figure_text (column, &row->stats, now);
    }
}

static int
compare_names (const SbGntRow *a, const SbGntRow *b)
{
  g_autofree char *fa = g_utf8_casefold (a->name, -1);
  g_autofree char *fb = g_utf8_casefold (b->name, -1);

  return g_utf8_collate (fa, fb);
}

/* The table's order for sort column @data: by that column (the hint in
 * the view's order of groups), then by name. */
static int
compare_rows (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const SbGntRow *a = *(const SbGntRow *const *) pa;
  const SbGntRow *b = *(const SbGntRow *const *) pb;
  SbTableColumn column = GPOINTER_TO_INT (data);
  int order = 0;

  if (column == SB_TABLE_ACCOUNT)
    order = g_strcmp0 (a->account, b->account);
  else if (column == SB_TABLE_HINT)
    order = (int) sb_hint_group_of (a->hint) - (int) sb_hint_group_of (b->hint);
  else if (sb_table_is_figure (column))
    order = sb_table_compare (column, &a->stats, &b->stats);
  return order != 0 ? order : compare_names (a, b);
}

static void
add_buddy_cb (const char *protocol, const char *account, const char *buddy,
              const SbStats *stats, gpointer data)
{
  SbGntWindow *win = data;
  SbGntRow *row = g_new0 (SbGntRow, 1);

  row->key = sb_buddy_key_new (protocol, account, buddy);
  row->name = sb_purple_buddy_display_name (protocol, account, buddy);
  row->account = g_strdup (account);
  row->hint = sb_hint_classify (stats, win->now);
  row->stats = *stats;
  g_ptr_array_add (win->rows, row);
}

/* Widens @widths (one per column) to fit @texts, at most SB_GNT_MAX_CELL. */
static void
fit_widths (int *widths, char **texts, int n)
{
  for (int c = 0; c < n; c++)
    widths[c] = MAX (widths[c], MIN ((int) g_utf8_strlen (texts[c], -1), SB_GNT_MAX_CELL));
}

/* Sets @tree's columns to @widths (0: a hidden column) and the tree to the
 * size that holds them: GntTree shares out its width among the columns, so
 * a tree narrower than their sum would shrink every one of them. */
static void
apply_widths (GntTree *tree, const int *widths, int n, int rows)
{
  /* The border on both sides and the scroll bar. */
  int total = 3;
  int visible = 0;

  for (int c = 0; c < n; c++)
    if (widths[c] > 0)
      {
        gnt_tree_set_col_width (tree, c, widths[c]);
        total += widths[c];
        visible++;
      }
  /* One separator between two columns. */
  total += MAX (visible - 1, 0);
  gnt_widget_set_size (GNT_WIDGET (tree), total, rows + 2);
}

static void
fill_due (SbGntWindow *win)
{
  GntTree *tree = GNT_TREE (win->due);
  gboolean ok = FALSE;
  GPtrArray *prompts = purple_plugin_ipc_call (win->ctx->core, SB_IPC_LIST_DUE, &ok);
  int widths[N_DUE_COLS] = { 0 };
  guint shown = 0;

  gnt_tree_remove_all (tree);
  if (ok && prompts != NULL)
    for (guint i = 0; i < prompts->len; i++)
      {
        const SbPrompt *prompt = prompts->pdata[i];
        char *texts[N_DUE_COLS];

        if (prompt->key == NULL || sb_prompt_due_reason (prompt->kind) == NULL)
          continue;
        texts[DUE_NAME] = sb_purple_key_display_name (prompt->key);
        texts[DUE_WHY] = g_strdup (sb_prompt_due_reason (prompt->kind));
        texts[DUE_LAST] = sb_table_format_ago (prompt->since, win->now);
        texts[DUE_OVERDUE] = sb_table_format_duration (sb_prompt_overdue_s (prompt, win->now));
        fit_widths (widths, texts, N_DUE_COLS);
        gnt_tree_add_row_last (tree, sb_buddy_key_copy (prompt->key),
                               gnt_tree_create_row (tree, texts[0], texts[1], texts[2], texts[3]),
                               NULL);
        for (int c = 0; c < N_DUE_COLS; c++)
          g_free (texts[c]);
        shown++;
      }
  if (prompts != NULL)
    g_ptr_array_unref (prompts);
  if (shown == 0)
    /* TRANSLATORS: the due list when no reminder is due */
    gnt_tree_add_row_last (tree, NULL, gnt_tree_create_row (tree, _("Nobody is due."), "", "", ""),
                           NULL);
  for (int c = 0; c < N_DUE_COLS; c++)
    widths[c] = MAX (widths[c], (int) g_utf8_strlen (_(due_titles[c]), -1));
  apply_widths (tree, widths, N_DUE_COLS, SB_GNT_DUE_ROWS);
}

/* Refills the table, in the chosen order, and the due list. */
static void
fill (SbGntWindow *win)
{
  GntTree *tree = GNT_TREE (win->table);
  gpointer selected = gnt_tree_get_selection_data (tree);
  g_autoptr (SbBuddyKey) selected_key = selected != NULL ? sb_buddy_key_copy (((SbGntRow *) selected)->key) : NULL;
  g_autoptr (GHashTable) accounts = g_hash_table_new (g_str_hash, g_str_equal);
  int widths[SB_TABLE_N_COLUMNS];
  gboolean ok = FALSE;

  win->now = sb_purple_now ();
  gnt_tree_remove_all (tree);
  g_ptr_array_set_size (win->rows, 0);
  purple_plugin_ipc_call (win->ctx->core, SB_IPC_FOREACH_BUDDY, &ok,
                          (SbIpcBuddyFunc) add_buddy_cb, win);
  if (!ok)
    purple_debug_warning (SB_GNT_PLUGIN_ID, "the core plugin did not list buddies\n");
  g_ptr_array_sort_with_data (win->rows, compare_rows, GINT_TO_POINTER (win->sort_column));

  for (int c = 0; c < SB_TABLE_N_COLUMNS; c++)
    widths[c] = MIN ((int) g_utf8_strlen (sb_table_title ((SbTableColumn) c), -1), SB_GNT_TITLE_CELLS);
  for (guint i = 0; i < win->rows->len; i++)
    {
      SbGntRow *row = win->rows->pdata[i];
      char *texts[SB_TABLE_N_COLUMNS];
      GList *list = NULL;

      g_hash_table_add (accounts, row->account);
      for (int c = SB_TABLE_N_COLUMNS - 1; c >= 0; c--)
        list = g_list_prepend (list, texts[c] = cell_text (row, (SbTableColumn) c, win->now));
      fit_widths (widths, texts, SB_TABLE_N_COLUMNS);
      gnt_tree_add_row_last (tree, row, gnt_tree_create_row_from_list (tree, list), NULL);
      g_list_free_full (list, g_free);
      if (selected_key != NULL && sb_buddy_key_equal (row->key, selected_key))
        gnt_tree_set_selected (tree, row);
    }
  /* The account column only helps with several accounts. */
  gnt_tree_set_column_visible (tree, SB_TABLE_ACCOUNT, g_hash_table_size (accounts) > 1);
  if (g_hash_table_size (accounts) <= 1)
    widths[SB_TABLE_ACCOUNT] = 0;
  apply_widths (tree, widths, SB_TABLE_N_COLUMNS, SB_GNT_TABLE_ROWS);
  fill_due (win);
  gnt_box_readjust (GNT_BOX (win->window));
  gnt_widget_draw (win->window);
}

static gboolean
refresh_cb (gpointer data)
{
  SbGntWindow *win = data;

  win->refresh_id = 0;
  fill (win);
  return G_SOURCE_REMOVE;
}

static void
buddy_changed_cb (const char *protocol, const char *account, const char *buddy,
                  SbGntWindow *win)
{
  if (win->refresh_id == 0)
    win->refresh_id = g_idle_add (refresh_cb, win);
}

static void
sort_changed_cb (GntComboBox *box, gpointer old, gpointer now, SbGntWindow *win)
{
  win->sort_column = (SbTableColumn) (GPOINTER_TO_INT (now) - 1);
  fill (win);
}

static void
table_activate_cb (GntWidget *widget, SbGntWindow *win)
{
  SbGntRow *row = gnt_tree_get_selection_data (GNT_TREE (widget));

  if (row != NULL)
    sb_purple_key_open_conversation (row->key);
}

static void
due_activate_cb (GntWidget *widget, SbGntWindow *win)
{
  const SbBuddyKey *key = gnt_tree_get_selection_data (GNT_TREE (widget));

  if (key != NULL)
    sb_purple_key_open_conversation (key);
}

static void
window_destroy_cb (GntWidget *widget, SbGntWindow *win)
{
  g_clear_handle_id (&win->refresh_id, g_source_remove);
  purple_signal_disconnect (win->ctx->core, SB_SIGNAL_BUDDY_CHANGED, win->ctx->plugin,
                            PURPLE_CALLBACK (buddy_changed_cb));
  if (win->ctx->window == win)
    win->ctx->window = NULL;
  g_ptr_array_unref (win->rows);
  g_free (win);
}

static GntWidget *
sort_box (SbGntWindow *win)
{
  GntWidget *box = gnt_box_new (FALSE, FALSE);

  gnt_box_set_fill (GNT_BOX (box), FALSE);

  win->sort = gnt_combo_box_new ();
  for (int c = 0; c < SB_TABLE_N_COLUMNS; c++)
    gnt_combo_box_add_data (GNT_COMBO_BOX (win->sort), GINT_TO_POINTER (c + 1), sb_table_title ((SbTableColumn) c));
  gnt_combo_box_set_selected (GNT_COMBO_BOX (win->sort), GINT_TO_POINTER (win->sort_column + 1));
  g_signal_connect (win->sort, "selection-changed", G_CALLBACK (sort_changed_cb), win);
  /* TRANSLATORS: label before the choice of the column the table is sorted by */
  gnt_box_add_widget (GNT_BOX (box), gnt_label_new (_("Sort by:")));
  gnt_box_add_widget (GNT_BOX (box), win->sort);
  return box;
}

static SbGntWindow *
window_new (SbGntContext *ctx)
{
  SbGntWindow *win = g_new0 (SbGntWindow, 1);
  GntTree *table, *due;

  win->ctx = ctx;
  win->rows = g_ptr_array_new ();
  win->sort_column = SB_TABLE_LAST;

  win->window = gnt_window_box_new (FALSE, TRUE);
  gnt_box_set_toplevel (GNT_BOX (win->window), TRUE);
  /* TRANSLATORS: window title */
  gnt_box_set_title (GNT_BOX (win->window), _("Who smiles back"));
  gnt_box_set_alignment (GNT_BOX (win->window), GNT_ALIGN_LEFT);
  /* Each list keeps the width of its columns. */
  gnt_box_set_fill (GNT_BOX (win->window), FALSE);
  gnt_widget_set_name (win->window, "smileback");

  gnt_box_add_widget (GNT_BOX (win->window), sort_box (win));

  win->table = gnt_tree_new_with_columns (SB_TABLE_N_COLUMNS);
  table = GNT_TREE (win->table);
  /* The rows own themselves: the tree frees them when removed. */
  gnt_tree_set_hash_fns (table, g_direct_hash, g_direct_equal, row_free);
  gnt_tree_set_show_title (table, TRUE);
  for (int c = 0; c < SB_TABLE_N_COLUMNS; c++)
    {
      gnt_tree_set_column_title (table, c, sb_table_title ((SbTableColumn) c));
      gnt_tree_set_column_is_right_aligned (table, c, sb_table_is_figure ((SbTableColumn) c));
    }
  g_signal_connect (win->table, "activate", G_CALLBACK (table_activate_cb), win);
  gnt_box_add_widget (GNT_BOX (win->window), win->table);

  /* TRANSLATORS: heading of the list of buddies a reminder is due for */
  gnt_box_add_widget (GNT_BOX (win->window),
                      gnt_label_new_with_format (_("Due to reach out"), GNT_TEXT_FLAG_BOLD));
  win->due = gnt_tree_new_with_columns (N_DUE_COLS);
  due = GNT_TREE (win->due);
  gnt_tree_set_hash_fns (due, g_direct_hash, g_direct_equal, (GDestroyNotify) sb_buddy_key_free);
  gnt_tree_set_show_title (due, TRUE);
  for (int c = 0; c < N_DUE_COLS; c++)
    gnt_tree_set_column_title (due, c, _(due_titles[c]));
  g_signal_connect (win->due, "activate", G_CALLBACK (due_activate_cb), win);
  gnt_box_add_widget (GNT_BOX (win->window), win->due);

  g_signal_connect (win->window, "destroy", G_CALLBACK (window_destroy_cb), win);
  purple_signal_connect (ctx->core, SB_SIGNAL_BUDDY_CHANGED, ctx->plugin,
                         PURPLE_CALLBACK (buddy_changed_cb), win);
  return win;
}

void
sb_gnt_window_show (SbGntContext *ctx)
{
  gboolean created = ctx->window == NULL;

  if (created)
    ctx->window = window_new (ctx);
  fill (ctx->window);
  if (created)
    gnt_widget_show (ctx->window->window);
  else
    gnt_window_present (ctx->window->window);
}

void
sb_gnt_window_shutdown (SbGntContext *ctx)
{
  if (ctx->window != NULL)
    gnt_widget_destroy (ctx->window->window);
  g_assert (ctx->window == NULL);
}
