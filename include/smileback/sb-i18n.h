/* sb-i18n.h: where the "smileback" text domain finds its translations.
 *
 * Both plugins and the command bind the domain before their first _(), each on
 * its own: Pidgin may load either plugin first, and they share no code at run
 * time (docs/design.md, "Layers").
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The environment variable that points the text domain at another locale
 * folder (LANG/LC_MESSAGES/smileback.mo below it), such as the build tree's
 * po/ folder: the tests run the built command and plugins in German with it,
 * and a translator can try a catalogue without installing it. */
#define SB_I18N_LOCALEDIR_ENV "SMILEBACK_LOCALEDIR"

/* Binds GETTEXT_PACKAGE to $SMILEBACK_LOCALEDIR when it is set and not empty,
 * else to LOCALEDIR (the build's prefix/localedir, where `meson install` puts
 * the catalogues), with UTF-8 output.  Does not call setlocale() or
 * textdomain(): that is the program's business.  Never fails. */
void sb_i18n_bind (void);

G_END_DECLS
