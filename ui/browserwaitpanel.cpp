#include "browserwaitpanel.h"

#include <QtCore/QEvent>
#include <QtCore/QUrl>
#include <QtGui/QClipboard>
#include <QtGui/QGuiApplication>
#include <QtGui/QKeySequence>
#include <QtGui/QShortcut>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QProgressBar>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QVBoxLayout>

namespace SilentAuth::Ui {

BrowserWaitPanel::BrowserWaitPanel(QWidget *parent)
    : QWidget(parent)
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_linkLabel(new QLabel(this))
    , m_link(new QLineEdit(this))
    , m_copy(new QPushButton(this))
    , m_note(new QLabel(this))
    , m_cancel(new QPushButton(this))
    , m_escape(new QShortcut(QKeySequence(Qt::Key_Escape), this))
{
    setObjectName(QStringLiteral("browserWait"));
    m_status->setObjectName(QStringLiteral("browserStatus"));
    m_status->setWordWrap(true);
    m_progress->setRange(0, 0);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(6);
    m_linkLabel->setWordWrap(true);
    m_linkLabel->setBuddy(m_link);
    m_link->setObjectName(QStringLiteral("authorizationUrl"));
    m_link->setReadOnly(true);
    m_copy->setObjectName(QStringLiteral("copyLink"));
    m_note->setObjectName(QStringLiteral("browserNote"));
    m_note->setWordWrap(true);
    m_note->hide();
    m_cancel->setObjectName(QStringLiteral("cancelBrowserSignIn"));
    m_escape->setEnabled(false);

    auto *linkRow = new QHBoxLayout;
    linkRow->addWidget(m_link, 1);
    linkRow->addWidget(m_copy);
    auto *cancelRow = new QHBoxLayout;
    cancelRow->addStretch();
    cancelRow->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_status);
    layout->addWidget(m_progress);
    layout->addWidget(m_linkLabel);
    layout->addLayout(linkRow);
    layout->addWidget(m_note);
    layout->addLayout(cancelRow);

    setTabOrder(m_link, m_copy);
    setTabOrder(m_copy, m_cancel);

    connect(m_copy, &QPushButton::clicked, this, &BrowserWaitPanel::copyLink);
    connect(m_cancel, &QPushButton::clicked, this, &BrowserWaitPanel::canceled);
    connect(m_escape, &QShortcut::activated, m_cancel, &QPushButton::click);
    hide();
    retranslate();
}

void BrowserWaitPanel::retranslate()
{
    m_status->setText(m_finishing ? tr("Finishing sign-in…")
                                  : tr("Waiting for you to finish in the browser…"));
    m_linkLabel->setText(m_browserFailed
                             ? tr("No browser could be opened. Open this &link in your browser:")
                             : tr("If your browser did not open, open this &link:"));
    m_copy->setText(tr("&Copy link"));
    m_cancel->setText(tr("Cancel"));
    m_link->setAccessibleName(tr("Sign-in link"));
    m_copy->setAccessibleName(tr("Copy link"));
    m_cancel->setAccessibleName(tr("Cancel sign-in"));
    m_cancel->setToolTip(tr("Stop waiting for the browser (Esc)"));
    m_progress->setAccessibleName(tr("Waiting for the browser"));
    if (m_copied)
        m_note->setText(tr("Link copied. Paste it into your browser's address bar."));
}

void BrowserWaitPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void BrowserWaitPanel::showWaiting(const QUrl &url)
{
    m_finishing = false;
    m_browserFailed = false;
    m_copied = false;
    m_link->setText(url.toString(QUrl::FullyEncoded));
    m_link->setCursorPosition(0);
    for (QWidget *w : {static_cast<QWidget *>(m_linkLabel), static_cast<QWidget *>(m_link),
                       static_cast<QWidget *>(m_copy), static_cast<QWidget *>(m_cancel)})
        w->setVisible(true);
    m_cancel->setEnabled(true);
    m_note->hide();
    m_escape->setEnabled(true);
    retranslate();
    show();
    m_copy->setFocus();
}

void BrowserWaitPanel::showBrowserFailed()
{
    m_browserFailed = true;
    retranslate();
    m_link->setFocus();
    m_link->selectAll();
}

void BrowserWaitPanel::showFinishing()
{
    m_finishing = true;
    for (QWidget *w : {static_cast<QWidget *>(m_linkLabel), static_cast<QWidget *>(m_link),
                       static_cast<QWidget *>(m_copy), static_cast<QWidget *>(m_note)})
        w->setVisible(false);
    m_cancel->setEnabled(false);
    m_escape->setEnabled(false);
    retranslate();
}

void BrowserWaitPanel::stop()
{
    m_escape->setEnabled(false);
    hide();
}

QWidget *BrowserWaitPanel::focusTarget() const
{
    return m_copy;
}

void BrowserWaitPanel::copyLink()
{
    QGuiApplication::clipboard()->setText(m_link->text());
    m_copied = true;
    m_note->show();
    retranslate();
}

} // namespace SilentAuth::Ui
