/* sb-gtk-window.c: the "Who smiles back" window.
 *
 * Above, a sortable table of every buddy with history (smileback-foreach-
 * buddy), the buddy-list ones and the others.  Below, for the selected buddy,
 * the chart of conversations per month (sb-gtk-chart.c), and the "Due to
 * reach out" list: the planner's due prompts in its order (smileback-list-
 * due): reach-outs, reply nudges, follow-ups and calls, each with its
 * reason.  Beneath, "How reminders worked out": how many
 * reminders were shown, acted on and answered, introductions that led to a
 * meeting and invitations that were taken (smileback-get-outcomes), when the
 * core plugin offers them.  Double-clicking a buddy opens a conversation
 * window for the user to type in; nothing is sent.  All of this is the
 * "Buddies" page; the "Group chats" page beside it lists the rooms
 * (sb-gtk-rooms.c).
 *
 * The window re-reads the figures (in an idle callback, at most once per
 * burst) when the core plugin reports a change.
 */
#include "sb-gtk-private.h"

#include <glib/gi18n-lib.h>

#include <conversation.h>
#include <debug.h>

#include <gtkutils.h>

/* How many months the chart shows. */
#define SB_GTK_CHART_MONTHS 12

enum
{
  COL_PROTOCOL,
  COL_ACCOUNT,
  COL_BUDDY,
  COL_NAME,
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
};

enum
{
  DUE_PROTOCOL,
  DUE_ACCOUNT,
  DUE_BUDDY,
  DUE_NAME,
  DUE_WHY,
  DUE_LAST,
  DUE_OVERDUE,
  DUE_RANK, /* ascending: the planner's order */
  N_DUE_COLS
};

/* How a numeric model column reads in a cell. */
typedef enum
{
  CELL_TEXT,
  CELL_COUNT,    /* guint */
  CELL_PERCENT,  /* double 0..1, -1 unknown */
  CELL_DURATION, /* gint64 seconds, -1 unknown */
  CELL_AGO,      /* gint64 UTC seconds, 0 never */
  CELL_DECIMAL,  /* double */
} SbGtkCellKind;

typedef struct
{
  const char *title;   /* untranslated; NULL: the table's own, sb_table_title (@table) */
  SbTableColumn table;
  int column;
  SbGtkCellKind kind;
} SbGtkColumn;

/* The columns of sb-table.h, in its order. */
static const SbGtkColumn table_columns[] = {
  { NULL, SB_TABLE_BUDDY, COL_NAME, CELL_TEXT },
  { NULL, SB_TABLE_ACCOUNT, COL_ACCOUNT, CELL_TEXT },
  { NULL, SB_TABLE_HINT, COL_HINT, CELL_TEXT },
  { NULL, SB_TABLE_EPISODES, COL_EPISODES, CELL_COUNT },
  { NULL, SB_TABLE_BY_YOU, COL_BY_YOU, CELL_COUNT },
  { NULL, SB_TABLE_BY_THEM, COL_BY_THEM, CELL_COUNT },
  { NULL, SB_TABLE_SMILE_BACK, COL_SMILE_BACK, CELL_PERCENT },
  { NULL, SB_TABLE_REPLIED, COL_REPLIED, CELL_PERCENT },
  { NULL, SB_TABLE_LATENCY_THEM, COL_LATENCY_THEM, CELL_DURATION },
  { NULL, SB_TABLE_LATENCY_YOU, COL_LATENCY_YOU, CELL_DURATION },
  { NULL, SB_TABLE_LAST, COL_LAST, CELL_AGO },
  { NULL, SB_TABLE_RHYTHM, COL_RHYTHM, CELL_DURATION },
  { NULL, SB_TABLE_CLOSENESS, COL_CLOSENESS, CELL_DECIMAL },
};

static const SbGtkColumn due_columns[] = {
  { N_("Buddy"), 0, DUE_NAME, CELL_TEXT },
  /* TRANSLATORS: column: why a buddy is in the due list ("reach out", "reply") */
  { N_("Why"), 0, DUE_WHY, CELL_TEXT },
  { N_("Last conversation"), 0, DUE_LAST, CELL_AGO },
  /* TRANSLATORS: column: how long ago a reminder became due */
  { N_("Overdue by"), 0, DUE_OVERDUE, CELL_DURATION },
};

/* The notebook's pages: the buddies first, then the group chats. */
#define ROOMS_PAGE 1

struct _SbGtkWindow
{
  SbGtkContext *ctx;
  GtkWidget *window;
  GtkListStore *table;
  GtkWidget *table_view;
  GtkTreeViewColumn *account_column; /* shown only with several accounts */
  GHashTable *accounts;              /* the accounts seen in the last fill */
  GtkListStore *due;
  GtkWidget *due_view;
  GtkWidget *chart;
  GtkWidget *chart_title;
  GtkWidget *outcomes;       /* the "How reminders worked out" box, hidden without the IPC */
  GtkWidget *outcomes_label;
  GtkWidget *notebook; /* the "Buddies" page, then ROOMS_PAGE */
  SbGtkRooms *rooms; /* the "Group chats" page */
  GArray *months;    /* SbMonthCounts of the selected buddy, NULL when none */
  SbBuddyKey *selected; /* the selected buddy, NULL when none */
  gint64 now;        /* the time of the last fill */
  guint refresh_id;
};

static void
cell_data_func (GtkTreeViewColumn *column, GtkCellRenderer *cell, GtkTreeModel *model,
                GtkTreeIter *iter, gpointer data)
{
  const SbGtkColumn *spec = data;
  g_autofree char *text = NULL;

  switch (spec->kind)
    {
    case CELL_TEXT:
      gtk_tree_model_get (model, iter, spec->column, &text, -1);
      break;
    case CELL_COUNT:
      {
        guint value;

        gtk_tree_model_get (model, iter, spec->column, &value, -1);
        text = g_strdup_printf ("%u", value);
        break;
      }
    case CELL_PERCENT:
      {
        double value;

        gtk_tree_model_get (model, iter, spec->column, &value, -1);
        text = sb_table_format_percent (value);
        break;
      }
    case CELL_DURATION:
      {
        gint64 value;

        gtk_tree_model_get (model, iter, spec->column, &value, -1);
        text = sb_table_format_duration (value);
        break;
      }
    case CELL_AGO:
      {
        gint64 value;

        gtk_tree_model_get (model, iter, spec->column, &value, -1);
        text = sb_table_format_ago (value, sb_purple_now ());
        break;
      }
    case CELL_DECIMAL:
      {
        double value;

        gtk_tree_model_get (model, iter, spec->column, &value, -1);
        text = g_strdup_printf ("%.1f", value);
        break;
      }
    }
  g_object_set (cell, "text", text, NULL);
}

/* A tree view over @model with @n @columns, each sortable by its model column. */
static GtkWidget *
make_view (GtkListStore *model, const SbGtkColumn *columns, gsize n)
{
  GtkWidget *view = gtk_tree_view_new_with_model (GTK_TREE_MODEL (model));

  gtk_tree_view_set_rules_hint (GTK_TREE_VIEW (view), TRUE);
  for (gsize i = 0; i < n; i++)
    {
      GtkCellRenderer *cell = gtk_cell_renderer_text_new ();
      GtkTreeViewColumn *column = gtk_tree_view_column_new ();

      if (columns[i].kind != CELL_TEXT)
        g_object_set (cell, "xalign", 1.0, NULL);
      gtk_tree_view_column_set_title (column, columns[i].title != NULL
                                                ? _(columns[i].title)
                                                : sb_table_title (columns[i].table));
      gtk_tree_view_column_pack_start (column, cell, TRUE);
      gtk_tree_view_column_set_cell_data_func (column, cell, cell_data_func,
                                               (gpointer) &columns[i], NULL);
      gtk_tree_view_column_set_sort_column_id (column, columns[i].column);
      gtk_tree_view_column_set_resizable (column, TRUE);
      gtk_tree_view_append_column (GTK_TREE_VIEW (view), column);
    }
  return view;
}

static gboolean
key_is (GtkTreeModel *model, GtkTreeIter *iter, int protocol_col, const SbBuddyKey *key)
{
  g_autofree char *protocol = NULL;
  g_autofree char *account = NULL;
  g_autofree char *buddy = NULL;

  gtk_tree_model_get (model, iter, protocol_col, &protocol, protocol_col + 1, &account,
                      protocol_col + 2, &buddy, -1);
  return g_strcmp0 (protocol, key->protocol) == 0 && g_strcmp0 (account, key->account) == 0
         && g_strcmp0 (buddy, key->buddy) == 0;
}

/* The key of the row at @iter (columns @protocol_col and the two after).
 * Caller frees. */
static SbBuddyKey *
key_from_row (GtkTreeModel *model, GtkTreeIter *iter, int protocol_col)
{
  g_autofree char *protocol = NULL;
  g_autofree char *account = NULL;
  g_autofree char *buddy = NULL;

  gtk_tree_model_get (model, iter, protocol_col, &protocol, protocol_col + 1, &account,
                      protocol_col + 2, &buddy, -1);
  return sb_buddy_key_new (protocol, account, buddy);
}

static void
update_chart (SbGtkWindow *win)
{
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  gboolean ok = FALSE;

  g_clear_pointer (&win->months, g_array_unref);
  if (win->selected == NULL)
    {
      gtk_label_set_text (GTK_LABEL (win->chart_title), _("Conversations per month"));
      gtk_widget_queue_draw (win->chart);
      return;
    }

  win->months = purple_plugin_ipc_call (win->ctx->core, SB_IPC_GET_MONTHLY, &ok,
                                        win->selected->protocol, win->selected->account,
                                        win->selected->buddy, (int) SB_GTK_CHART_MONTHS);
  if (!ok)
    win->months = NULL;

  name = sb_purple_key_display_name (win->selected);
  /* TRANSLATORS: title above the chart, %s is the buddy's name */
  title = g_strdup_printf (_("Conversations per month with %s"), name);
  gtk_label_set_text (GTK_LABEL (win->chart_title), title);
  gtk_widget_queue_draw (win->chart);
}

static void
table_selection_changed_cb (GtkTreeSelection *selection, SbGtkWindow *win)
{
  GtkTreeModel *model;
  GtkTreeIter iter;

  if (!gtk_tree_selection_get_selected (selection, &model, &iter))
    return; /* keep the chart while the table is refilled */
  g_clear_pointer (&win->selected, sb_buddy_key_free);
  win->selected = key_from_row (model, &iter, COL_PROTOCOL);
  update_chart (win);
}

/* Selects the row of win->selected in the table, if there is one. */
static void
select_key (SbGtkWindow *win)
{
  GtkTreeModel *model = GTK_TREE_MODEL (win->table);
  GtkTreeIter iter;

  if (win->selected == NULL)
    return;
  for (gboolean valid = gtk_tree_model_get_iter_first (model, &iter); valid;
       valid = gtk_tree_model_iter_next (model, &iter))
    {
      if (key_is (model, &iter, COL_PROTOCOL, win->selected))
        {
          GtkTreePath *path = gtk_tree_model_get_path (model, &iter);

          gtk_tree_selection_select_iter (
            gtk_tree_view_get_selection (GTK_TREE_VIEW (win->table_view)), &iter);
          gtk_tree_view_scroll_to_cell (GTK_TREE_VIEW (win->table_view), path, NULL, FALSE, 0,
                                        0);
          gtk_tree_path_free (path);
          return;
        }
    }
}

static void
add_due_row (SbGtkWindow *win, const char *protocol, const char *account, const char *buddy,
             SbPromptKind kind, gint64 last_contact, gint64 overdue_s, double rank)
{
  g_autofree char *name = sb_purple_buddy_display_name (protocol, account, buddy);

  gtk_list_store_insert_with_values (win->due, NULL, -1, DUE_PROTOCOL, protocol, DUE_ACCOUNT,
                                     account, DUE_BUDDY, buddy, DUE_NAME, name, DUE_WHY,
                                     sb_prompt_due_reason (kind), DUE_LAST, last_contact,
                                     DUE_OVERDUE, overdue_s, DUE_RANK, rank, -1);
}

/* The planner's own "Who should I reach out to?" list, in its order. */
static void
fill_due (SbGtkWindow *win)
{
  gboolean ok = FALSE;
  GPtrArray *prompts = purple_plugin_ipc_call (win->ctx->core, SB_IPC_LIST_DUE, &ok);

  if (!ok || prompts == NULL)
    return;
  for (guint i = 0; i < prompts->len; i++)
    {
      const SbPrompt *prompt = prompts->pdata[i];

      if (prompt->key == NULL || sb_prompt_due_reason (prompt->kind) == NULL)
        continue;
      add_due_row (win, prompt->key->protocol, prompt->key->account, prompt->key->buddy,
                   prompt->kind, prompt->since, sb_prompt_overdue_s (prompt, win->now), i);
    }
  g_ptr_array_unref (prompts);
}

static void
add_buddy_cb (const char *protocol, const char *account, const char *buddy,
              const SbStats *stats, gpointer data)
{
  SbGtkWindow *win = data;
  g_autofree char *name = sb_purple_buddy_display_name (protocol, account, buddy);
  const char *hint = sb_hint_label (sb_hint_classify (stats, win->now));

  g_hash_table_add (win->accounts, g_strdup_printf ("%s/%s", protocol, account));
  gtk_list_store_insert_with_values (
    win->table, NULL, -1, COL_PROTOCOL, protocol, COL_ACCOUNT, account, COL_BUDDY, buddy,
    COL_NAME, name, COL_HINT, hint != NULL ? hint : "", COL_EPISODES, stats->all.episodes,
    COL_BY_YOU, stats->all.started_by_you, COL_BY_THEM, stats->all.started_by_them,
    COL_SMILE_BACK, sb_stats_smile_back_rate (&stats->all), COL_REPLIED,
    sb_stats_reply_rate (&stats->all), COL_LATENCY_THEM, stats->median_latency_them_s,
    COL_LATENCY_YOU, stats->median_latency_you_s, COL_LAST, sb_hint_last_contact (stats),
    COL_RHYTHM, stats->cadence_s, COL_CLOSENESS, stats->closeness, -1);
}

/* "How reminders worked out" from the core plugin; hidden when it does not
 * offer the figures. */
static void
fill_outcomes (SbGtkWindow *win)
{
  SbIpcOutcomes out = { 0 };
  gboolean ok = FALSE;
  gboolean got = GPOINTER_TO_INT (
    purple_plugin_ipc_call (win->ctx->core, SB_IPC_GET_OUTCOMES, &ok, &out));
  g_autofree char *reach = NULL;
  g_autofree char *nudge = NULL;
  g_autofree char *intro = NULL;
  g_autofree char *invite = NULL;
  g_autofree char *text = NULL;

  if (!ok || !got)
    {
      gtk_widget_hide (win->outcomes);
      return;
    }
  /* TRANSLATORS: the counts of "reach out" reminders: shown, followed by a
   * message from the user within an hour, and answered by the buddy */
  reach = g_strdup_printf (ngettext ("Reach out: %u reminder, you wrote after %u, %u smiled back",
                                     "Reach out: %u reminders, you wrote after %u, %u smiled back",
                                     out.reach_out.shown),
                           out.reach_out.shown, out.reach_out.acted, out.reach_out.smiled_back);
  /* TRANSLATORS: the counts of reply nudges: shown, then answered by the user within an hour */
  nudge = g_strdup_printf (ngettext ("Replies: %u nudge, you replied after %u",
                                     "Replies: %u nudges, you replied after %u",
                                     out.reply_nudge.shown),
                           out.reply_nudge.shown, out.reply_nudge.acted);
  /* TRANSLATORS: introductions made, and of those, pairs later seen together in a group chat */
  intro = g_strdup_printf (ngettext ("Introductions: %u made, %u met since",
                                     "Introductions: %u made, %u met since", out.introduced),
                           out.introduced, out.introduced_met);
  /* TRANSLATORS: group chat invitations sent, and of those, how many friends joined */
  invite = g_strdup_printf (ngettext ("Invitations: %u sent, %u joined",
                                      "Invitations: %u sent, %u joined", out.invited),
                            out.invited, out.invited_joined);
  text = g_strjoin ("\n", reach, nudge, intro, invite, NULL);
  gtk_label_set_text (GTK_LABEL (win->outcomes_label), text);
  gtk_widget_show (win->outcomes);
}

/* Refills both lists from the core plugin, keeping the sort and selection. */
static void
fill (SbGtkWindow *win)
{
  GtkTreeSortable *sortable = GTK_TREE_SORTABLE (win->table);
  int sort_column;
  GtkSortType order;
  gboolean sorted;
  gboolean ok = FALSE;

  win->now = sb_purple_now ();
  /* One sort after the fill rather than one insertion sort per row. */
  sorted = gtk_tree_sortable_get_sort_column_id (sortable, &sort_column, &order);
  gtk_tree_sortable_set_sort_column_id (sortable, GTK_TREE_SORTABLE_UNSORTED_SORT_COLUMN_ID,
                                        GTK_SORT_ASCENDING);
  gtk_list_store_clear (win->table);
  gtk_list_store_clear (win->due);
  g_hash_table_remove_all (win->accounts);

  fill_due (win);
  purple_plugin_ipc_call (win->ctx->core, SB_IPC_FOREACH_BUDDY, &ok, (SbIpcBuddyFunc) add_buddy_cb,
                          win);
  if (!ok)
    purple_debug_warning (SB_GTK_PLUGIN_ID, "the core plugin did not list buddies\n");

  if (sorted)
    gtk_tree_sortable_set_sort_column_id (sortable, sort_column, order);
  gtk_tree_view_column_set_visible (win->account_column,
                                    g_hash_table_size (win->accounts) > 1);
  select_key (win);
  update_chart (win);
  fill_outcomes (win);
}

static void
switch_page_cb (GtkNotebook *notebook, gpointer page, guint page_num, SbGtkWindow *win)
{
  if (page_num == ROOMS_PAGE)
    sb_gtk_rooms_fill (win->rooms);
}

static gboolean
refresh_cb (gpointer data)
{
  SbGtkWindow *win = data;

  win->refresh_id = 0;
  fill (win);
  /* The rooms' figures are read from the database, not from memory: on a
   * buddy change, only while the user looks at them (and when the window
   * opens or the page is shown). */
  if (gtk_notebook_get_current_page (GTK_NOTEBOOK (win->notebook)) == ROOMS_PAGE)
    sb_gtk_rooms_fill (win->rooms);
  return G_SOURCE_REMOVE;
}

void
sb_gtk_window_queue_refresh (SbGtkContext *ctx)
{
  SbGtkWindow *win = ctx->window;

  if (win != NULL && win->refresh_id == 0)
    win->refresh_id = g_idle_add (refresh_cb, win);
}

/* Opens (or raises) a conversation with the buddy of the activated row. */
static void
row_activated_cb (GtkTreeView *view, GtkTreePath *path, GtkTreeViewColumn *column,
                  gpointer data)
{
  GtkTreeModel *model = gtk_tree_view_get_model (view);
  GtkTreeIter iter;
  g_autoptr (SbBuddyKey) key = NULL;

  if (!gtk_tree_model_get_iter (model, &iter, path))
    return;
  /* Both models keep the key in their first three columns. */
  G_STATIC_ASSERT (COL_PROTOCOL == 0 && DUE_PROTOCOL == 0);
  key = key_from_row (model, &iter, 0);
  if (key != NULL)
    sb_purple_key_open_conversation (key);
}

static gboolean
chart_expose_cb (GtkWidget *widget, GdkEventExpose *event, SbGtkWindow *win)
{
  cairo_t *cr = gdk_cairo_create (gtk_widget_get_window (widget));

  gdk_cairo_region (cr, event->region);
  cairo_clip (cr);
  sb_gtk_chart_draw (widget, cr, win->months);
  cairo_destroy (cr);
  return TRUE;
}

static void
window_destroy_cb (GtkWidget *widget, SbGtkWindow *win)
{
  if (win->refresh_id != 0)
    g_source_remove (win->refresh_id);
  g_clear_pointer (&win->months, g_array_unref);
  g_clear_pointer (&win->selected, sb_buddy_key_free);
  g_clear_object (&win->table);
  g_clear_object (&win->due);
  g_clear_pointer (&win->accounts, g_hash_table_destroy);
  g_clear_pointer (&win->rooms, sb_gtk_rooms_free);
  if (win->ctx->window == win)
    win->ctx->window = NULL;
  g_free (win);
}

static GtkWidget *
titled (const char *markup, GtkWidget **label_out, GtkWidget *child)
{
  GtkWidget *box = gtk_vbox_new (FALSE, 4);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_markup (GTK_LABEL (label), markup);
  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.5);
  gtk_box_pack_start (GTK_BOX (box), label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), child, TRUE, TRUE, 0);
  if (label_out != NULL)
    *label_out = label;
  return box;
}

static SbGtkWindow *
window_new (SbGtkContext *ctx)
{
  SbGtkWindow *win = g_new0 (SbGtkWindow, 1);
  GtkWidget *notebook, *paned, *bottom, *scrolled, *right;
  g_autofree char *due_title = NULL;
  g_autofree char *outcomes_title = NULL;

  win->ctx = ctx;
  win->accounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  win->table = gtk_list_store_new (N_COLS, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                                   G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT,
                                   G_TYPE_UINT, G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_INT64,
                                   G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_DOUBLE);
  win->due = gtk_list_store_new (N_DUE_COLS, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                                 G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64,
                                 G_TYPE_DOUBLE);
  gtk_tree_sortable_set_sort_column_id (GTK_TREE_SORTABLE (win->due), DUE_RANK,
                                        GTK_SORT_ASCENDING);
  gtk_tree_sortable_set_sort_column_id (GTK_TREE_SORTABLE (win->table), COL_LAST,
                                        GTK_SORT_DESCENDING);

  /* TRANSLATORS: window title */
  win->window = pidgin_create_window (_("Who smiles back"), 12, "smileback", TRUE);
  gtk_window_set_default_size (GTK_WINDOW (win->window), 960, 620);
  g_signal_connect (win->window, "destroy", G_CALLBACK (window_destroy_cb), win);

  notebook = win->notebook = gtk_notebook_new ();
  gtk_container_add (GTK_CONTAINER (win->window), notebook);
  paned = gtk_vpaned_new ();
  gtk_container_set_border_width (GTK_CONTAINER (paned), 8);
  /* TRANSLATORS: the window's tab of one-to-one figures, per buddy */
  gtk_notebook_append_page (GTK_NOTEBOOK (notebook), paned, gtk_label_new (_("Buddies")));
  win->rooms = sb_gtk_rooms_new (ctx);
  /* TRANSLATORS: the window's tab of figures per group chat */
  gtk_notebook_append_page (GTK_NOTEBOOK (notebook), sb_gtk_rooms_widget (win->rooms),
                            gtk_label_new (_("Group chats")));
  g_signal_connect (notebook, "switch-page", G_CALLBACK (switch_page_cb), win);

  win->table_view = make_view (win->table, table_columns, G_N_ELEMENTS (table_columns));
  for (gsize i = 0; i < G_N_ELEMENTS (table_columns); i++)
    if (table_columns[i].column == COL_ACCOUNT)
      win->account_column = gtk_tree_view_get_column (GTK_TREE_VIEW (win->table_view), i);
  g_signal_connect (gtk_tree_view_get_selection (GTK_TREE_VIEW (win->table_view)), "changed",
                    G_CALLBACK (table_selection_changed_cb), win);
  g_signal_connect (win->table_view, "row-activated", G_CALLBACK (row_activated_cb), win);
  scrolled = pidgin_make_scrollable (win->table_view, GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC,
                                     GTK_SHADOW_IN, -1, 260);
  gtk_paned_pack1 (GTK_PANED (paned), scrolled, TRUE, FALSE);

  bottom = gtk_hbox_new (FALSE, 12);
  gtk_paned_pack2 (GTK_PANED (paned), bottom, TRUE, FALSE);

  win->chart = gtk_drawing_area_new ();
  gtk_widget_set_size_request (win->chart, 480, 240);
  g_signal_connect (win->chart, "expose-event", G_CALLBACK (chart_expose_cb), win);
  gtk_box_pack_start (GTK_BOX (bottom), titled ("", &win->chart_title, win->chart), TRUE, TRUE,
                      0);

  win->due_view = make_view (win->due, due_columns, G_N_ELEMENTS (due_columns));
  g_signal_connect (win->due_view, "row-activated", G_CALLBACK (row_activated_cb), win);
  scrolled = pidgin_make_scrollable (win->due_view, GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC,
                                     GTK_SHADOW_IN, 400, -1);
  /* TRANSLATORS: heading of the list of buddies a reminder is due for */
  due_title = g_markup_printf_escaped ("<b>%s</b>", _("Due to reach out"));
  right = gtk_vbox_new (FALSE, 8);
  gtk_box_pack_start (GTK_BOX (bottom), right, FALSE, TRUE, 0);
  gtk_box_pack_start (GTK_BOX (right), titled (due_title, NULL, scrolled), TRUE, TRUE, 0);

  win->outcomes_label = gtk_label_new (NULL);
  gtk_misc_set_alignment (GTK_MISC (win->outcomes_label), 0.0, 0.0);
  gtk_label_set_line_wrap (GTK_LABEL (win->outcomes_label), TRUE);
  /* TRANSLATORS: heading of the figures on how reminders and prompts turned out */
  outcomes_title = g_markup_printf_escaped ("<b>%s</b>", _("How reminders worked out"));
  win->outcomes = titled (outcomes_title, NULL, win->outcomes_label);
  gtk_box_pack_start (GTK_BOX (right), win->outcomes, FALSE, FALSE, 0);

  gtk_widget_show_all (win->window);
  /* A notebook makes its first shown page current: the buddies, now. */
  gtk_notebook_set_current_page (GTK_NOTEBOOK (notebook), 0);
  return win;
}

void
sb_gtk_window_show (SbGtkContext *ctx, PurpleBuddy *buddy)
{
  if (ctx->window == NULL)
    ctx->window = window_new (ctx);
  if (buddy != NULL)
    {
      g_clear_pointer (&ctx->window->selected, sb_buddy_key_free);
      ctx->window->selected = sb_purple_key_for_buddy (buddy);
    }
  fill (ctx->window);
  sb_gtk_rooms_fill (ctx->window->rooms);
  gtk_window_present (GTK_WINDOW (ctx->window->window));
}

void
sb_gtk_window_shutdown (SbGtkContext *ctx)
{
  if (ctx->window != NULL)
    gtk_widget_destroy (ctx->window->window);
  g_assert (ctx->window == NULL);
}
