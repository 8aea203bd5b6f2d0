#pragma once

#include <QtCore/qglobal.h>

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace SilentAuth::Ui {

// Top-level windows whose content changes (an error appears, a language with longer
// words): Qt does not grow a window for word-wrapped labels (height for width), so
// the layout squashes the fields instead.

//! Grows \a window (never shrinks it) until its layout has the height it needs at its
//! width; then keepOnScreen().
void growToFit(QWidget *window);

//! No larger than the available area of its screen, and inside it (a large scale factor
//! on a small screen must not put buttons out of reach), frame included: placed again
//! whenever the window manager gives it a frame of another size.
void keepOnScreen(QWidget *window);

} // namespace SilentAuth::Ui
