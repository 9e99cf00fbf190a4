/* sb-headless.c: libpurple without a UI toolkit, on loopback (see the header). */
#include "sb-headless.h"

typedef struct
{
  PurpleInputFunction function;
  gpointer data;
} IoClosure;

static gboolean
io_invoke (GIOChannel *source, GIOCondition condition, gpointer data)
{
  IoClosure *closure = data;
  PurpleInputCondition purple_cond = 0;

  if (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR))
    purple_cond |= PURPLE_INPUT_READ;
  if (condition & (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL))
    purple_cond |= PURPLE_INPUT_WRITE;
  closure->function (closure->data, g_io_channel_unix_get_fd (source), purple_cond);
  return TRUE;
}

static guint
io_add (gint fd, PurpleInputCondition condition, PurpleInputFunction function, gpointer data)
{
  IoClosure *closure = g_new0 (IoClosure, 1);
  GIOChannel *channel = g_io_channel_unix_new (fd);
  GIOCondition cond = 0;
  guint id;

  closure->function = function;
  closure->data = data;
  if (condition & PURPLE_INPUT_READ)
    cond |= G_IO_IN | G_IO_HUP | G_IO_ERR;
  if (condition & PURPLE_INPUT_WRITE)
    cond |= G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL;
  id = g_io_add_watch_full (channel, G_PRIORITY_DEFAULT, cond, io_invoke, closure, g_free);
  g_io_channel_unref (channel);
  return id;
}

static PurpleEventLoopUiOps eventloop_ops = {
  .timeout_add = g_timeout_add,
  .timeout_remove = g_source_remove,
  .input_add = io_add,
  .input_remove = g_source_remove,
  .timeout_add_seconds = g_timeout_add_seconds,
};

PurpleEventLoopUiOps *
sb_headless_loop_ops (void)
{
  return &eventloop_ops;
}

PurpleAccount *
sb_headless_xmpp_account_new (const char *name, guint16 port, const char *password,
                              const char *ui_id)
{
  PurpleAccount *account = purple_account_new (name, "prpl-jabber");

  purple_account_set_password (account, password);
  purple_account_set_remember_password (account, TRUE);
  purple_account_set_string (account, "connect_server", "127.0.0.1");
  purple_account_set_int (account, "port", port);
  purple_account_set_string (account, "connection_security", "none");
  purple_account_set_bool (account, "auth_plain_in_clear", TRUE);
  purple_account_set_string (account, "ft_proxies", "");
  purple_accounts_add (account);
  purple_account_set_status (account, "available", TRUE, NULL);
  purple_account_set_enabled (account, ui_id, TRUE);
  if (!purple_account_is_connected (account) && !purple_account_is_connecting (account))
    purple_account_connect (account);
  return account;
}
