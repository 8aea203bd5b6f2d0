#pragma once

#include <QtCore/QObject>

QT_BEGIN_NAMESPACE
class QAction;
class QLabel;
class QLineEdit;
QT_END_NAMESPACE

namespace SilentAuth::Ui {

// What a password field needs beyond dots: a button in the field that shows
// the password (showPassword), and a warning while Caps Lock seems to be on.
// Qt cannot ask the keyboard for Caps Lock, so it is read from the letters
// typed: a capital without Shift, or a small letter with it.
class PasswordAids : public QObject
{
    Q_OBJECT

public:
    //! Aids for \a field; \a capsWarning is shown and hidden here (hidden at first).
    PasswordAids(QLineEdit *field, QLabel *capsWarning);

    //! Texts again after a language change.
    void retranslate();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void setShown(bool shown);

    QLineEdit *m_field;
    QLabel *m_capsWarning;
    QAction *m_show;
};

} // namespace SilentAuth::Ui
