/* sb-store-file-private.h: a database path looked at before SQLite opens it.
 *
 * Shared by the store (sb-store.c) and the read-only view of a file
 * (sb-dbfile.c): what a path is when it cannot be a history (missing, a
 * folder, a FIFO or device, unreadable, not an SQLite file), a -wal left
 * without its database, and a read-only SQLite connection that creates,
 * renames and writes nothing.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* TRUE when @path is a regular file this process may read that starts with
 * SQLite's header.  Else FALSE with @error in SB_STORE_ERROR, the message
 * naming what was found: SB_STORE_ERROR_NOT_FOUND (no such file, a folder,
 * not a regular file), SB_STORE_ERROR_PERMISSION, SB_STORE_ERROR_CORRUPT
 * (empty, or not an SQLite database).  Opens with O_NONBLOCK, so a FIFO never
 * blocks; never creates or changes anything. */
G_GNUC_INTERNAL gboolean sb_store_file_inspect (const char *path, GError **error);

/* TRUE when "@path-wal" exists and is not empty while @path is missing or
 * empty: SQLite would delete such a log (and the changes in it) on open. */
G_GNUC_INTERNAL gboolean sb_store_file_has_orphan_wal (const char *path);

/* Opens @path (already inspected) read-only.  Without a -wal beside it the
 * file is opened as immutable, so not even the -wal and -shm files a reader
 * of a WAL database makes appear; with one (Pidgin has the file open, or a
 * crash left it), as an ordinary reader that sees the committed changes in
 * it.  NULL with @error in SB_STORE_ERROR. */
G_GNUC_INTERNAL sqlite3 *sb_store_file_open_read_only (const char *path, GError **error);

/* Sets @error to SB_STORE_ERROR_TOO_NEW for @path, of schema @version. */
G_GNUC_INTERNAL void sb_store_file_set_too_new (const char *path, gint64 version,
                                                GError **error);

/* Checks that the open file @db is a Smile Back history this build reads:
 * SB_STORE_ERROR_CORRUPT when it is another program's database (or none),
 * SB_STORE_ERROR_TOO_NEW when a newer Smile Back wrote it and, with
 * @current, SB_STORE_ERROR_TOO_OLD when it needs a migration first.  Sets
 * *@version to its PRAGMA user_version. */
G_GNUC_INTERNAL gboolean sb_store_file_check_schema (sqlite3 *db, const char *path,
                                                     gboolean current, int *version,
                                                     GError **error);

G_END_DECLS
