/* sb-headless.h: libpurple without a UI toolkit, on loopback.
 *
 * For the programs that run libpurple headless: the demo's buddies
 * (plugin/demo) and the tests' headless libpurple (tests/common).
 *
 * sb_headless_loop_ops(): libpurple's event loop on GLib's default main
 * context (timeouts are GLib timeouts, inputs GIOChannel watches, as in
 * libpurple's nullclient example).  Set it before purple_core_init(), then
 * run a GMainLoop or iterate the default context.
 *
 * sb_headless_xmpp_account_new(): an XMPP account on a local Prosody (see
 * tests/common/sb-test-prosody.h and plugin/demo/demo.sh): 127.0.0.1 without
 * TLS, plain authentication in clear.
 */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

/* The ops; static, never freed. */
PurpleEventLoopUiOps *sb_headless_loop_ops (void);

/* A new account @name ("user@domain/resource") on prpl-jabber connecting to
 * 127.0.0.1:@port without TLS, plain auth in clear, no file-transfer proxies,
 * @password remembered, status available, enabled for @ui_id and connecting.
 * Does not wait for the connection.  Owned by libpurple's account list. */
PurpleAccount *sb_headless_xmpp_account_new (const char *name, guint16 port, const char *password,
                                             const char *ui_id);

G_END_DECLS
