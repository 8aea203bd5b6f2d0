#include "passwordaids.h"

#include "accessibility.h"

#include <QtGui/QAction>
#include <QtGui/QIcon>
#include <QtGui/QKeyEvent>
#include <QtGui/QKeySequence>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>

namespace SilentAuth::Ui {

PasswordAids::PasswordAids(QLineEdit *field, QLabel *capsWarning)
    : QObject(field)
    , m_field(field)
    , m_capsWarning(capsWarning)
    , m_show(new QAction(QIcon(QStringLiteral(":/silentauth/icons/show-password.svg")), QString(),
                         field))
{
    m_show->setObjectName(QStringLiteral("showPassword"));
    m_show->setCheckable(true);
    // The button in the field takes no focus: the keyboard reaches it
    // through this shortcut, said in the field's description.
    m_show->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H));
    m_show->setShortcutContext(Qt::WidgetShortcut);
    connect(m_show, &QAction::toggled, this, &PasswordAids::setShown);
    m_field->addAction(m_show, QLineEdit::TrailingPosition);
    m_capsWarning->setObjectName(m_field->objectName() + QStringLiteral("CapsLock"));
    m_capsWarning->setWordWrap(true);
    makeLiveRegion(m_capsWarning);
    m_capsWarning->hide();
    m_field->installEventFilter(this);
    retranslate();
}

void PasswordAids::retranslate()
{
    m_show->setText(m_show->isChecked() ? tr("Hide password") : tr("Show password"));
    const QString keys = m_show->shortcut().toString(QKeySequence::NativeText);
    m_show->setToolTip(tr("%1 (%2)").arg(m_show->text(), keys));
    m_field->setAccessibleDescription(m_show->isChecked() ? tr("%1 hides the password.").arg(keys)
                                                          : tr("%1 shows the password.").arg(keys));
    m_capsWarning->setText(tr("Caps Lock is on."));
}

void PasswordAids::setShown(bool shown)
{
    m_field->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
    retranslate();
}

bool PasswordAids::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_field && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        const QString text = key->text();
        if (text.size() == 1 && text.at(0).isLetter()
            && text.at(0).isUpper() != text.at(0).isLower()) {
            const bool shift = key->modifiers().testFlag(Qt::ShiftModifier);
            const bool caps = text.at(0).isUpper() != shift;
            if (caps != m_capsWarning->isVisible()) {
                m_capsWarning->setVisible(caps);
                if (caps)
                    announce(m_capsWarning, m_capsWarning->text());
            }
        }
    } else if (watched == m_field && event->type() == QEvent::FocusOut) {
        m_capsWarning->hide();
    }
    return QObject::eventFilter(watched, event);
}

} // namespace SilentAuth::Ui
