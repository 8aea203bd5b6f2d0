#pragma once

#include <QtCore/QObject>

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace SilentAuth::Ui {

// Every announcement made with announce(), for whoever else should know (a desktop
// notification while the window is hidden, a test without an accessibility bridge).
class Announcer : public QObject
{
    Q_OBJECT

public:
    static Announcer *instance();

Q_SIGNALS:
    void announced(QWidget *source, const QString &message);

private:
    using QObject::QObject;
};

// What a screen reader needs beyond the widgets' own accessibility.

//! Tells assistive technology that \a label now says \a message (an error, the offline
//! banner): its accessible name becomes the message and an Alert event is sent, so the
//! message is spoken without the user moving there; Announcer::announced() follows.
void announce(QWidget *label, const QString &message);

//! Makes \a label one that announce() speaks through: an alert to assistive technology.
//! Call it when the label is made, before anything asks for its accessible interface.
void makeLiveRegion(QWidget *label);

//! Top-level plain widgets (the sign-in window) are exposed as windows, not as fillers.
//! Idempotent; called by the windows that need it.
void installAccessibleWindowFactory();

} // namespace SilentAuth::Ui
