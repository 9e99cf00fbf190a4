/* sb-gnt-window.c: the "Who smiles back" window of Finch.
 *
 * Above, a table of every buddy with history (smileback-foreach-buddy) with
 * the columns of Pidgin's window (plugin/pidgin/sb-gtk-window.c), sorted by
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

/* The table's columns, in Pidgin's order. */
typedef enum
{
  COL_NAME,
  COL_ACCOUNT,
  COL_HINT,
  COL_EPISODES,
  COL_BY_YOU,
  COL_BY_THEM,
  COL_SMILE_BACK,
  COL_REPLIED,
  COL_LATENCY_THEM,
  COL_LATENCY_YOU,
  COL_LAST,
  COL_RHYTHM,
  COL_CLOSENESS,
  N_COLS
} SbGntColumn;

static const char *const column_titles[N_COLS] = {
  N_("Buddy"),
  N_("Account"),
  N_("Hint"),
  N_("Conversations"),
  N_("Started by you"),
  N_("Started by them"),
  /* TRANSLATORS: column: share of the user's starts the buddy answered */
  N_("Smiled back"),
  /* TRANSLATORS: column: share of the buddy's starts the user answered */
  N_("You replied"),
  /* TRANSLATORS: column: the buddy's typical (median) time to answer */
  N_("They answer in"),
  N_("You answer in"),
  N_("Last conversation"),
  /* TRANSLATORS: column: the typical gap between conversations */
  N_("Usual rhythm"),
  /* TRANSLATORS: column: recency-weighted count of answered conversations */
  N_("Closeness"),
};

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

/* What is unknown reads as a dash. */
#define SB_GNT_DASH "\342\200\224"

/* One buddy of the table: the tree's key, freed by the tree. */
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
  GntWidget *sort;  /* GntComboBox: keys are SbGntColumn + 1 */
  GntWidget *table; /* GntTree of SbGntRow * */
  GntWidget *due;   /* GntTree of SbBuddyKey * */
  GPtrArray *rows;  /* SbGntRow * of the last fill, borrowed from the table */
  SbGntColumn sort_column;
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

static char *
format_percent (double value)
{
  /* TRANSLATORS: a percentage in a table cell */
  return value < 0 ? g_strdup (SB_GNT_DASH) : g_strdup_printf (_("%d%%"), (int) (value * 100 + 0.5));
}

static char *
format_duration (gint64 seconds)
{
  return seconds < 0 ? g_strdup (SB_GNT_DASH) : sb_hint_format_duration (seconds);
}

static char *
format_ago (gint64 then, gint64 now)
{
  return then <= 0 ? g_strdup (SB_GNT_DASH) : sb_hint_format_ago (then, now);
}

/* The text of @column for @row.  Caller frees. */
static char *
cell_text (const SbGntRow *row, SbGntColumn column, gint64 now)
{
  const SbStats *s = &row->stats;
  const char *hint;

  switch (column)
    {
    case COL_NAME: return g_strdup (row->name);
    case COL_ACCOUNT: return g_strdup (row->account);
    case COL_HINT:
      hint = sb_hint_label (row->hint);
      return g_strdup (hint != NULL ? hint : "");
    case COL_EPISODES: return g_strdup_printf ("%u", s->all.episodes);
    case COL_BY_YOU: return g_strdup_printf ("%u", s->all.started_by_you);
    case COL_BY_THEM: return g_strdup_printf ("%u", s->all.started_by_them);
    case COL_SMILE_BACK: return format_percent (sb_stats_smile_back_rate (&s->all));
    case COL_REPLIED: return format_percent (sb_stats_reply_rate (&s->all));
    case COL_LATENCY_THEM: return format_duration (s->median_latency_them_s);
    case COL_LATENCY_YOU: return format_duration (s->median_latency_you_s);
    case COL_LAST: return format_ago (sb_hint_last_contact (s), now);
    case COL_RHYTHM: return format_duration (s->cadence_s);
    case COL_CLOSENESS: return g_strdup_printf ("%.1f", s->closeness);
    case N_COLS:
    default: return g_strdup ("");
    }
}

/* The value @column sorts on: the larger first; unknown figures last. */
static double
sort_value (const SbGntRow *row, SbGntColumn column)
{
  const SbStats *s = &row->stats;
  double rate;

  switch (column)
    {
    case COL_HINT: return -(double) sb_hint_group_of (row->hint); /* the view's order */
    case COL_EPISODES: return s->all.episodes;
    case COL_BY_YOU: return s->all.started_by_you;
    case COL_BY_THEM: return s->all.started_by_them;
    case COL_SMILE_BACK:
      rate = sb_stats_smile_back_rate (&s->all);
      return rate < 0 ? -G_MAXDOUBLE : rate;
    case COL_REPLIED:
      rate = sb_stats_reply_rate (&s->all);
      return rate < 0 ? -G_MAXDOUBLE : rate;
    /* Durations: the shortest first. */
    case COL_LATENCY_THEM:
      return s->median_latency_them_s < 0 ? -G_MAXDOUBLE : -(double) s->median_latency_them_s;
    case COL_LATENCY_YOU:
      return s->median_latency_you_s < 0 ? -G_MAXDOUBLE : -(double) s->median_latency_you_s;
    case COL_RHYTHM: return s->cadence_s < 0 ? -G_MAXDOUBLE : -(double) s->cadence_s;
    case COL_LAST: return (double) sb_hint_last_contact (s); /* the latest first */
    case COL_CLOSENESS: return s->closeness;
    case COL_NAME:
    case COL_ACCOUNT:
    case N_COLS:
    default: return 0;
    }
}

static int
compare_names (const SbGntRow *a, const SbGntRow *b)
{
  g_autofree char *fa = g_utf8_casefold (a->name, -1);
  g_autofree char *fb = g_utf8_casefold (b->name, -1);

  return g_utf8_collate (fa, fb);
}

static int
compare_rows (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const SbGntRow *a = *(const SbGntRow *const *) pa;
  const SbGntRow *b = *(const SbGntRow *const *) pb;
  SbGntColumn column = GPOINTER_TO_INT (data);
  double va, vb;
  int by_account;

  if (column == COL_ACCOUNT && (by_account = g_strcmp0 (a->account, b->account)) != 0)
    return by_account;
  va = sort_value (a, column);
  vb = sort_value (b, column);
  if (va != vb)
    return va > vb ? -1 : 1;
  return compare_names (a, b);
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
        texts[DUE_LAST] = format_ago (prompt->since, win->now);
        /* Only a reach-out is "overdue"; the others show when it started. */
        texts[DUE_OVERDUE] = prompt->kind == SB_PROMPT_REACH_OUT
                               ? format_duration (win->now - prompt->since - prompt->due_s)
                               : g_strdup (SB_GNT_DASH);
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
  int widths[N_COLS];
  gboolean ok = FALSE;

  win->now = sb_gnt_now ();
  gnt_tree_remove_all (tree);
  g_ptr_array_set_size (win->rows, 0);
  purple_plugin_ipc_call (win->ctx->core, SB_IPC_FOREACH_BUDDY, &ok,
                          (SbIpcBuddyFunc) add_buddy_cb, win);
  if (!ok)
    purple_debug_warning (SB_GNT_PLUGIN_ID, "the core plugin did not list buddies\n");
  g_ptr_array_sort_with_data (win->rows, compare_rows, GINT_TO_POINTER (win->sort_column));

  for (int c = 0; c < N_COLS; c++)
    widths[c] = MIN ((int) g_utf8_strlen (_(column_titles[c]), -1), SB_GNT_TITLE_CELLS);
  for (guint i = 0; i < win->rows->len; i++)
    {
      SbGntRow *row = win->rows->pdata[i];
      char *texts[N_COLS];
      GList *list = NULL;

      g_hash_table_add (accounts, row->account);
      for (int c = N_COLS - 1; c >= 0; c--)
        list = g_list_prepend (list, texts[c] = cell_text (row, (SbGntColumn) c, win->now));
      fit_widths (widths, texts, N_COLS);
      gnt_tree_add_row_last (tree, row, gnt_tree_create_row_from_list (tree, list), NULL);
      g_list_free_full (list, g_free);
      if (selected_key != NULL && sb_buddy_key_equal (row->key, selected_key))
        gnt_tree_set_selected (tree, row);
    }
  /* The account column only helps with several accounts. */
  gnt_tree_set_column_visible (tree, COL_ACCOUNT, g_hash_table_size (accounts) > 1);
  if (g_hash_table_size (accounts) <= 1)
    widths[COL_ACCOUNT] = 0;
  apply_widths (tree, widths, N_COLS, SB_GNT_TABLE_ROWS);
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
  win->sort_column = (SbGntColumn) (GPOINTER_TO_INT (now) - 1);
  fill (win);
}

/* Opens (or raises) a conversation with @key's buddy; never sends. */
static void
open_conversation (const SbBuddyKey *key)
{
  PurpleAccount *account;
  PurpleConversation *conv;

  if (key == NULL)
    return;
  account = sb_purple_key_find_account (key->protocol, key->account);
  if (account == NULL)
    return;
  conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, key->buddy, account);
  if (conv == NULL)
    conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, account, key->buddy);
  purple_conversation_present (conv);
}

static void
table_activate_cb (GntWidget *widget, SbGntWindow *win)
{
  SbGntRow *row = gnt_tree_get_selection_data (GNT_TREE (widget));

  if (row != NULL)
    open_conversation (row->key);
}

static void
due_activate_cb (GntWidget *widget, SbGntWindow *win)
{
  open_conversation (gnt_tree_get_selection_data (GNT_TREE (widget)));
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
  for (int c = 0; c < N_COLS; c++)
    gnt_combo_box_add_data (GNT_COMBO_BOX (win->sort), GINT_TO_POINTER (c + 1), _(column_titles[c]));
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
  win->sort_column = COL_LAST;

  win->window = gnt_window_box_new (FALSE, TRUE);
  gnt_box_set_toplevel (GNT_BOX (win->window), TRUE);
  /* TRANSLATORS: window title */
  gnt_box_set_title (GNT_BOX (win->window), _("Who smiles back"));
  gnt_box_set_alignment (GNT_BOX (win->window), GNT_ALIGN_LEFT);
  /* Each list keeps the width of its columns. */
  gnt_box_set_fill (GNT_BOX (win->window), FALSE);
  gnt_widget_set_name (win->window, "smileback");

  gnt_box_add_widget (GNT_BOX (win->window), sort_box (win));

  win->table = gnt_tree_new_with_columns (N_COLS);
  table = GNT_TREE (win->table);
  /* The rows own themselves: the tree frees them when removed. */
  gnt_tree_set_hash_fns (table, g_direct_hash, g_direct_equal, row_free);
  gnt_tree_set_show_title (table, TRUE);
  for (int c = 0; c < N_COLS; c++)
    {
      gnt_tree_set_column_title (table, c, _(column_titles[c]));
      gnt_tree_set_column_is_right_aligned (table, c, c >= COL_EPISODES);
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
