/* sb-purple-save.c: what the user did is kept when the history cannot be
 * written (docs/design.md, "Reliability").
 *
 * The UI thread never waits on SQLite: the ledger is nonblocking, the store's
 * writer thread commits by itself, and a timer every SB_PURPLE_FLUSH_S only
 * places held events, asks for a commit and tells the user, once per kind of
 * trouble (sb_purple_notice_once()), when the file is locked, the disk full
 * or too much waits.  When the database is locked while the plugin loads, a
 * thread retries opening it every SB_PURPLE_OPEN_RETRY_MS while capture keeps
 * the events (with their texts, in memory only, until the secret that
 * digests them is known); the plugin starts fully once it is open.  On
 * unload, what is pending is committed within SB_PURPLE_UNLOAD_WAIT_MS or
 * kept in the journal beside the database, replayed at the next load.
 *
 * The opener hands its result to the UI thread through an idle source of
 * GLib's default main context, the one Pidgin, Finch and the headless
 * clients run.
 */
#include "sb-purple-private.h"

#include <glib/gi18n-lib.h>

/* The background open of a database that was locked at load. */
struct _SbPurpleOpener
{
  GThread *thread;
  char *path;
  SbParams params;
  gint64 clock_offset; /* SB_PREF_CLOCK_OFFSET_S, read on the UI thread */
  GMutex lock;
  gboolean cancel;
  SbLedger *ledger; /* the result, once open */
  GError *error;    /* or why it will never open */
  guint idle_id;    /* the hand-over to the UI thread, while pending */
};

/* An event recorded before the ledger opened. */
typedef struct
{
  SbBuddyKey *key;
  SbEvent event;
  char *text; /* to digest once the secret is known; NULL when none */
} Waiting;

static void
waiting_clear (gpointer data)
{
  Waiting *waiting = data;
  sb_buddy_key_free (waiting->key);
  g_free (waiting->text);
}

/* ---- telling the user --------------------------------------------------- */

static void
tell_locked (SbPurple *ctx)
{
  sb_purple_notice_once (
    ctx, "locked", _("Smile Back cannot save its history right now"),
    _("Another program is using smileback.db (for example the smileback command).  Nothing is "
      "lost: your messages are kept in memory and saved as soon as the file is free.  If this "
      "lasts, close that program."));
}

static void
tell_full (SbPurple *ctx)
{
  g_autofree char *path = sb_purple_history_path ();
  g_autofree char *secondary = g_strdup_printf (
    /* TRANSLATORS: %u is a number of changes, %s the database file */
    _("Nothing is lost yet: up to %u changes are kept in memory and saved as soon as there is "
      "space again; past that, new messages are not recorded.  Free some space on the disk "
      "that holds %s."),
    SB_STORE_QUEUE_MAX, path);
  sb_purple_notice_once (ctx, "full", _("Smile Back cannot save its history: the disk is full"),
                         secondary);
}

static void
tell_overflow (SbPurple *ctx)
{
  sb_purple_notice_once (
    ctx, "overflow", _("Smile Back stopped recording new messages"),
    _("Too many changes wait to be saved while the history cannot be written (the file is "
      "locked or the disk is full).  What was recorded is kept in memory and saved when it can "
      "be; new messages are recorded again once it was."));
}

static void
tell_failed (SbPurple *ctx, const GError *error)
{
  g_autofree char *secondary = g_strdup_printf (
    /* TRANSLATORS: %s is the reason, from SQLite or the system */
    _("%s.  Nothing is lost while the client runs: the changes are kept in memory and saving "
      "is tried again."),
    error->message);
  sb_purple_notice_once (ctx, "failed", _("Smile Back cannot save its history"), secondary);
}

void
sb_purple_save_report (SbPurple *ctx, const GError *error, gboolean refused)
{
  g_return_if_fail (ctx != NULL && error != NULL);

  if (refused && g_error_matches (error, SB_STORE_ERROR, SB_STORE_ERROR_FULL))
    tell_overflow (ctx);
  else if (g_error_matches (error, SB_STORE_ERROR, SB_STORE_ERROR_BUSY))
    tell_locked (ctx);
  else if (g_error_matches (error, SB_STORE_ERROR, SB_STORE_ERROR_FULL))
    tell_full (ctx);
  else if (!g_error_matches (error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_UNTRACKED))
    tell_failed (ctx, error);
}

/* ---- the timer ---------------------------------------------------------- */

static gboolean
flush_cb (gpointer data)
{
  SbPurple *ctx = data;
  g_autoptr (GError) error = NULL;

  if (!sb_ledger_flush_in_background (ctx->ledger, &error))
    sb_purple_save_report (ctx, error, FALSE);
  return G_SOURCE_CONTINUE;
}

void
sb_purple_save_init (SbPurple *ctx)
{
  sb_ledger_set_nonblocking (ctx->ledger, TRUE);
  ctx->flush_id = purple_timeout_add_seconds (SB_PURPLE_FLUSH_S, flush_cb, ctx);
}

void
sb_purple_save_shutdown (SbPurple *ctx)
{
  if (ctx->flush_id != 0)
    purple_timeout_remove (ctx->flush_id);
  ctx->flush_id = 0;
}

gboolean
sb_purple_save_replay (SbPurple *ctx)
{
  g_autoptr (GError) error = NULL;
  guint n = 0;

  if (!sb_ledger_replay_journal (ctx->ledger, sb_purple_now (), &n, &error))
    {
      purple_debug_warning ("smileback", "the unsaved changes wait for the next start: %s\n",
                            error->message);
      return FALSE;
    }
  if (n > 0)
    purple_debug_info ("smileback", "%u events kept at the last close were saved\n", n);
  return TRUE;
}

void
sb_purple_save_close (SbPurple *ctx)
{
  g_autoptr (GError) error = NULL;
  guint kept = 0;

  if (ctx->ledger == NULL)
    return;
  if (!sb_ledger_save (ctx->ledger, SB_PURPLE_UNLOAD_WAIT_MS, &kept, &error))
    purple_debug_error ("smileback", "unsaved history lost on unload: %s\n", error->message);
  else if (kept > 0)
    purple_debug_warning ("smileback", "%u events kept in smileback.db.unsaved for the next start\n",
                          kept);
}

/* ---- events before the ledger is open ----------------------------------- */

void
sb_purple_save_wait (SbPurple *ctx, const SbBuddyKey *key, const SbEvent *event,
                     const char *text)
{
  g_return_if_fail (ctx != NULL && key != NULL && event != NULL);

  if (ctx->opener == NULL)
    return; /* the database will not open this session */
  if (ctx->waiting == NULL)
    {
      ctx->waiting = g_array_new (FALSE, FALSE, sizeof (Waiting));
      g_array_set_clear_func (ctx->waiting, waiting_clear);
    }
  if (ctx->waiting->len >= SB_STORE_QUEUE_MAX)
    {
      tell_overflow (ctx);
      return;
    }
  Waiting waiting = { sb_buddy_key_copy (key), *event, g_strdup (text) };
  g_array_append_val (ctx->waiting, waiting);
}

/* Gives the waiting events their digests with @secret. */
static void
digest_waiting (GArray *list, const guint8 *secret, gsize secret_len)
{
  for (guint i = 0; i < list->len; i++)
    {
      Waiting *waiting = &g_array_index (list, Waiting, i);
      if (waiting->text != NULL)
        waiting->event.digest = sb_text_digest (secret, secret_len, waiting->text);
      g_clear_pointer (&waiting->text, g_free);
    }
}

/* Records the waiting events in the ledger, now open. */
static void
record_waiting (SbPurple *ctx)
{
  g_autoptr (GArray) list = g_steal_pointer (&ctx->waiting);
  gsize secret_len = 0;
  const guint8 *secret = NULL;
  gint64 now = sb_purple_now ();

  if (list == NULL)
    return;
  secret = sb_ledger_get_secret (ctx->ledger, &secret_len);
  digest_waiting (list, secret, secret_len);
  for (guint i = 0; i < list->len; i++)
    {
      Waiting *waiting = &g_array_index (list, Waiting, i);
      g_autoptr (GError) error = NULL;

      if (!sb_ledger_add_event (ctx->ledger, waiting->key, &waiting->event, now, NULL, &error))
        sb_purple_save_report (ctx, error, TRUE);
    }
}

/* Unloading before the database ever opened: the waiting events go to the
 * journal, digested with the secret read from the file (which works while
 * another process holds the write lock).  Without a secret they are lost. */
static void
keep_waiting (SbPurple *ctx)
{
  g_autoptr (GArray) list = g_steal_pointer (&ctx->waiting);
  g_autofree char *path = sb_purple_history_path ();
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  g_autoptr (GError) error = NULL;
  guint8 secret[32];

  if (list == NULL)
    return;
  if (!sb_ledger_read_secret (path, secret, sizeof secret, &error))
    {
      purple_debug_error ("smileback", "%u events lost: %s\n", list->len, error->message);
      return;
    }
  digest_waiting (list, secret, sizeof secret);
  for (guint i = 0; i < list->len; i++)
    {
      g_ptr_array_add (keys, g_array_index (list, Waiting, i).key);
      g_array_append_val (events, g_array_index (list, Waiting, i).event);
    }
  if (!sb_ledger_journal_append (path, (const SbBuddyKey *const *) keys->pdata,
                                 (const SbEvent *) events->data, events->len, &error))
    purple_debug_error ("smileback", "%u events lost: %s\n", list->len, error->message);
}

/* ---- opening in the background ------------------------------------------ */

/* TRUE when opening failed only for now: the file locked, the disk full. */
gboolean
sb_purple_save_may_retry (const GError *error)
{
  return g_error_matches (error, SB_STORE_ERROR, SB_STORE_ERROR_BUSY)
         || g_error_matches (error, SB_STORE_ERROR, SB_STORE_ERROR_FULL);
}

static gboolean
opened_cb (gpointer data)
{
  SbPurple *ctx = data;
  SbPurpleOpener *opener = ctx->opener;

  g_mutex_lock (&opener->lock);
  opener->idle_id = 0;
  ctx->ledger = g_steal_pointer (&opener->ledger);
  g_autoptr (GError) error = g_steal_pointer (&opener->error);
  g_mutex_unlock (&opener->lock);
  g_clear_pointer (&ctx->opener, sb_purple_save_opener_free);

  if (ctx->ledger == NULL)
    {
      sb_purple_history_tell_cannot_open (ctx, error);
      g_clear_pointer (&ctx->waiting, g_array_unref);
      return G_SOURCE_REMOVE;
    }
  sb_purple_history_opened (ctx, ctx->ledger);
  sb_purple_plugin_ready (ctx);
  record_waiting (ctx);
  return G_SOURCE_REMOVE;
}

/* Sleeps @ms unless cancelled first; TRUE when cancelled. */
static gboolean
opener_sleep (SbPurpleOpener *opener, guint ms)
{
  for (guint slept = 0; slept < ms; slept += 50)
    {
      g_mutex_lock (&opener->lock);
      gboolean cancel = opener->cancel;
      g_mutex_unlock (&opener->lock);
      if (cancel)
        return TRUE;
      g_usleep (50 * 1000);
    }
  return FALSE;
}

static gpointer
opener_main (gpointer data)
{
  SbPurple *ctx = data;
  SbPurpleOpener *opener = ctx->opener;
  SbLedger *ledger = NULL;
  GError *error = NULL;

  while (!opener_sleep (opener, SB_PURPLE_OPEN_RETRY_MS))
    {
      g_clear_error (&error);
      gint64 now = g_get_real_time () / G_USEC_PER_SEC + opener->clock_offset;
      ledger = sb_ledger_open (opener->path, &opener->params, now, &error);
      if (ledger != NULL || !sb_purple_save_may_retry (error))
        break;
    }
  g_mutex_lock (&opener->lock);
  opener->ledger = ledger;
  opener->error = ledger == NULL ? error : NULL;
  if (ledger != NULL)
    g_clear_error (&error);
  if (!opener->cancel && (ledger != NULL || opener->error != NULL))
    opener->idle_id = g_idle_add (opened_cb, ctx);
  g_mutex_unlock (&opener->lock);
  return NULL;
}

void
sb_purple_save_open_later (SbPurple *ctx, const char *path, const SbParams *params)
{
  SbPurpleOpener *opener = g_new0 (SbPurpleOpener, 1);

  opener->path = g_strdup (path);
  opener->params = *params;
  opener->clock_offset = sb_purple_now () - g_get_real_time () / G_USEC_PER_SEC;
  g_mutex_init (&opener->lock);
  ctx->opener = opener;
  tell_locked (ctx);
  opener->thread = g_thread_new ("smileback-open", opener_main, ctx);
}

void
sb_purple_save_opener_free (SbPurpleOpener *opener)
{
  if (opener->thread != NULL)
    g_thread_join (opener->thread);
  g_clear_pointer (&opener->ledger, sb_ledger_free);
  g_clear_error (&opener->error);
  g_mutex_clear (&opener->lock);
  g_free (opener->path);
  g_free (opener);
}

void
sb_purple_save_stop_opener (SbPurple *ctx)
{
  SbPurpleOpener *opener = ctx->opener;

  if (opener == NULL)
    return;
  g_mutex_lock (&opener->lock);
  opener->cancel = TRUE;
  g_mutex_unlock (&opener->lock);
  g_thread_join (g_steal_pointer (&opener->thread));
  if (opener->idle_id != 0)
    g_source_remove (opener->idle_id);
  opener->idle_id = 0;
  /* opened just now: the waiting events go into it, and it is saved */
  ctx->ledger = g_steal_pointer (&opener->ledger);
  g_clear_pointer (&ctx->opener, sb_purple_save_opener_free);
  if (ctx->ledger != NULL)
    {
      sb_ledger_set_nonblocking (ctx->ledger, TRUE);
      record_waiting (ctx);
    }
  else
    keep_waiting (ctx);
}
