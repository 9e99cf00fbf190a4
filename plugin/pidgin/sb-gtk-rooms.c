/* sb-gtk-rooms.c: the "Group chats" page of the "Who smiles back" window.
 *
 * One row per room with a line within the ledger's window, as the core
 * plugin lists them (smileback-foreach-room): the room's name (the account
 * too when rooms of several accounts are listed), how many of the user's
 * threads were answered ("3 of 4 answered": words, never a colour), the
 * typical (median) time to the first answer, who answered the user most and
 * whom the user answered most.  A member whose key is a buddy on the room's
 * account shows as that buddy's alias.  Without rooms the page says so.
 *
 * The window refills the page with the rest of its figures (sb-gtk-window.c):
 * when it opens and when the core plugin reports a change.  Each text column
 * sorts by the number beside it in the model.
 */
#include "sb-gtk-private.h"

#include <glib/gi18n-lib.h>

#include <debug.h>

#include <gtkutils.h>

enum
{
  ROOM_PROTOCOL,
  ROOM_ACCOUNT,
  ROOM_KEY,
  ROOM_NAME,
  ROOM_ANSWERED,       /* "3 of 4 answered" */
  ROOM_SHARE,          /* double 0..1, -1 without threads: sorts ROOM_ANSWERED */
  ROOM_MEDIAN,         /* "5 minutes" */
  ROOM_MEDIAN_S,       /* gint64, -1 none: sorts ROOM_MEDIAN */
  ROOM_ANSWERS_YOU,    /* "Carol (2 times)" */
  ROOM_ANSWERS_YOU_N,  /* guint: sorts ROOM_ANSWERS_YOU */
  ROOM_YOU_ANSWER,
  ROOM_YOU_ANSWER_N,
  N_ROOM_COLS
};

typedef struct
{
  const char *title;
  int text_column;
  int sort_column;
} RoomColumn;

static const RoomColumn room_columns[] = {
  /* TRANSLATORS: column: the group chat's name */
  { N_("Room"), ROOM_NAME, ROOM_NAME },
  { N_("Account"), ROOM_ACCOUNT, ROOM_ACCOUNT },
  /* TRANSLATORS: column: how many of the user's threads in the room someone answered */
  { N_("Your threads"), ROOM_ANSWERED, ROOM_SHARE },
  /* TRANSLATORS: column: the typical (median) time until someone answered the user */
  { N_("Answered in"), ROOM_MEDIAN, ROOM_MEDIAN_S },
  /* TRANSLATORS: column: the member who answered the user most often */
  { N_("Answers you most"), ROOM_ANSWERS_YOU, ROOM_ANSWERS_YOU_N },
  /* TRANSLATORS: column: the member the user answered most often */
  { N_("You answer most"), ROOM_YOU_ANSWER, ROOM_YOU_ANSWER_N },
};

struct _SbGtkRooms
{
  SbGtkContext *ctx;
  GtkWidget *page;
  GtkListStore *model;
  GtkWidget *scrolled;
  GtkWidget *empty;                  /* "No group chats recorded yet" */
  GtkTreeViewColumn *account_column; /* shown only with several accounts */
  GHashTable *accounts;              /* the accounts seen in the last fill */
};

/* The name a person knows @member of a room on @account by: the buddy's
 * alias when the member key is a buddy there, else the key.  Caller frees. */
static char *
member_display_name (PurpleAccount *account, const char *member)
{
  PurpleBuddy *buddy = account != NULL ? purple_find_buddy (account, member) : NULL;

  return g_strdup (buddy != NULL ? purple_buddy_get_contact_alias (buddy) : member);
}

/* "NAME (N times)", or "nobody yet" without a member. */
static char *
member_cell (PurpleAccount *account, const char *member, guint count)
{
  g_autofree char *name = NULL;

  if (member == NULL || count == 0)
    /* TRANSLATORS: in the "Answers you most" and "You answer most" columns */
    return g_strdup (_("nobody yet"));
  name = member_display_name (account, member);
  /* TRANSLATORS: a room member and how many times they answered the user
   * (or the user them); %s is the member's name, %u the count */
  return g_strdup_printf (ngettext ("%s (%u time)", "%s (%u times)", count), name, count);
}

/* "3 of 4 answered", or "none started" when the user started no thread. */
static char *
answered_cell (const SbRoomStats *stats)
{
  if (stats->your_threads == 0)
    /* TRANSLATORS: in the "Your threads" column: the user started no thread in the room */
    return g_strdup (_("none started"));
  /* TRANSLATORS: in the "Your threads" column; the first %u is how many of
   * the user's threads someone answered, the second how many the user started */
  return g_strdup_printf (ngettext ("%u of %u answered", "%u of %u answered", stats->your_threads),
                          stats->answered_threads, stats->your_threads);
}

/* The room's own name as the buddy list shows it (a chat's alias), else the key. */
static char *
room_display_name (PurpleAccount *account, const char *room)
{
  PurpleChat *chat = account != NULL ? purple_blist_find_chat (account, room) : NULL;

  return g_strdup (chat != NULL ? purple_chat_get_name (chat) : room);
}

static void
add_room_cb (const SbIpcRoom *room, gpointer data)
{
  SbGtkRooms *rooms = data;
  PurpleAccount *account = sb_purple_key_find_account (room->protocol_id, room->account);
  const SbRoomStats *stats = room->stats;
  g_autofree char *name = room_display_name (account, room->room);
  g_autofree char *answered = answered_cell (stats);
  g_autofree char *median = stats->median_answer_s < 0
                              ? g_strdup ("\342\200\224")
                              : sb_hint_format_duration (stats->median_answer_s);
  g_autofree char *them = member_cell (account, room->answers_you_most,
                                       room->answers_you_most_count);
  g_autofree char *you = member_cell (account, room->you_answer_most,
                                      room->you_answer_most_count);

  g_hash_table_add (rooms->accounts, g_strdup_printf ("%s/%s", room->protocol_id, room->account));
  gtk_list_store_insert_with_values (
    rooms->model, NULL, -1, ROOM_PROTOCOL, room->protocol_id, ROOM_ACCOUNT, room->account,
    ROOM_KEY, room->room, ROOM_NAME, name, ROOM_ANSWERED, answered, ROOM_SHARE,
    room->answered_share, ROOM_MEDIAN, median, ROOM_MEDIAN_S, stats->median_answer_s,
    ROOM_ANSWERS_YOU, them, ROOM_ANSWERS_YOU_N, room->answers_you_most_count, ROOM_YOU_ANSWER,
    you, ROOM_YOU_ANSWER_N, room->you_answer_most_count, -1);
}

/* Shows the table, or the empty state when there is no room. */
static void
show_table_or_empty (SbGtkRooms *rooms)
{
  gboolean any = gtk_tree_model_iter_n_children (GTK_TREE_MODEL (rooms->model), NULL) > 0;

  gtk_widget_set_visible (rooms->scrolled, any);
  gtk_widget_set_visible (rooms->empty, !any);
  gtk_tree_view_column_set_visible (rooms->account_column,
                                    g_hash_table_size (rooms->accounts) > 1);
}

void
sb_gtk_rooms_fill (SbGtkRooms *rooms)
{
  GtkTreeSortable *sortable = GTK_TREE_SORTABLE (rooms->model);
  int sort_column;
  GtkSortType order;
  gboolean sorted;
  gboolean ok = FALSE;

  /* One sort after the fill rather than one insertion sort per row. */
  sorted = gtk_tree_sortable_get_sort_column_id (sortable, &sort_column, &order);
  gtk_tree_sortable_set_sort_column_id (sortable, GTK_TREE_SORTABLE_UNSORTED_SORT_COLUMN_ID,
                                        GTK_SORT_ASCENDING);
  gtk_list_store_clear (rooms->model);
  g_hash_table_remove_all (rooms->accounts);
  purple_plugin_ipc_call (rooms->ctx->core, SB_IPC_FOREACH_ROOM, &ok, (SbIpcRoomFunc) add_room_cb,
                          rooms);
  if (!ok)
    purple_debug_warning (SB_GTK_PLUGIN_ID, "the core plugin did not list rooms\n");
  if (sorted)
    gtk_tree_sortable_set_sort_column_id (sortable, sort_column, order);
  show_table_or_empty (rooms);
}

static GtkWidget *
make_rooms_view (SbGtkRooms *rooms)
{
  GtkWidget *view = gtk_tree_view_new_with_model (GTK_TREE_MODEL (rooms->model));

  gtk_tree_view_set_rules_hint (GTK_TREE_VIEW (view), TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS (room_columns); i++)
    {
      GtkTreeViewColumn *column = gtk_tree_view_column_new_with_attributes (
        _(room_columns[i].title), gtk_cell_renderer_text_new (), "text",
        room_columns[i].text_column, NULL);

      gtk_tree_view_column_set_sort_column_id (column, room_columns[i].sort_column);
      gtk_tree_view_column_set_resizable (column, TRUE);
      gtk_tree_view_append_column (GTK_TREE_VIEW (view), column);
      if (room_columns[i].text_column == ROOM_ACCOUNT)
        rooms->account_column = column;
    }
  return view;
}

static GtkListStore *
make_rooms_model (void)
{
  GtkListStore *model = gtk_list_store_new (
    N_ROOM_COLS, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
    G_TYPE_DOUBLE, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_STRING,
    G_TYPE_UINT);

  gtk_tree_sortable_set_sort_column_id (GTK_TREE_SORTABLE (model), ROOM_SHARE,
                                        GTK_SORT_DESCENDING);
  return model;
}

SbGtkRooms *
sb_gtk_rooms_new (SbGtkContext *ctx)
{
  SbGtkRooms *rooms = g_new0 (SbGtkRooms, 1);
  GtkWidget *intro;

  rooms->ctx = ctx;
  rooms->accounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  rooms->model = make_rooms_model ();
  rooms->page = gtk_vbox_new (FALSE, 8);
  gtk_container_set_border_width (GTK_CONTAINER (rooms->page), 8);

  /* TRANSLATORS: above the table of group chats */
  intro = gtk_label_new (_("Who answers you in each group chat, and whom you answer."));
  gtk_misc_set_alignment (GTK_MISC (intro), 0.0, 0.5);
  gtk_box_pack_start (GTK_BOX (rooms->page), intro, FALSE, FALSE, 0);

  rooms->scrolled = pidgin_make_scrollable (make_rooms_view (rooms), GTK_POLICY_AUTOMATIC,
                                            GTK_POLICY_AUTOMATIC, GTK_SHADOW_IN, -1, -1);
  gtk_box_pack_start (GTK_BOX (rooms->page), rooms->scrolled, TRUE, TRUE, 0);

  /* TRANSLATORS: the group chats page when no room line was recorded */
  rooms->empty = gtk_label_new (_("No group chats recorded yet"));
  gtk_box_pack_start (GTK_BOX (rooms->page), rooms->empty, TRUE, TRUE, 0);
  return rooms;
}

GtkWidget *
sb_gtk_rooms_widget (SbGtkRooms *rooms)
{
  return rooms->page;
}

void
sb_gtk_rooms_free (SbGtkRooms *rooms)
{
  if (rooms == NULL)
    return;
  g_clear_object (&rooms->model);
  g_clear_pointer (&rooms->accounts, g_hash_table_destroy);
  g_free (rooms);
}
