#include "errorpanel.h"
#include "windowfit.h"

#include "accessibility.h"

#include <QtCore/QEvent>
#include <QtGui/QClipboard>
#include <QtGui/QGuiApplication>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QVBoxLayout>

namespace SilentAuth::Ui {

ErrorPanel::ErrorPanel(const QString &name, QWidget *parent)
    : QWidget(parent)
    , m_headline(new QLabel(this))
    , m_detailsButton(new QPushButton(this))
    , m_details(new QLabel(this))
    , m_copy(new QPushButton(this))
{
    setObjectName(name + QStringLiteral("Panel"));
    m_headline->setObjectName(name);
    m_headline->setWordWrap(true);
    makeLiveRegion(m_headline);
    m_detailsButton->setObjectName(name + QStringLiteral("DetailsButton"));
    m_detailsButton->setCheckable(true);
    m_details->setObjectName(name + QStringLiteral("Details"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_copy->setObjectName(name + QStringLiteral("Copy"));
    connect(m_detailsButton, &QPushButton::toggled, this, &ErrorPanel::setExpanded);
    connect(m_copy, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(report());
        Q_EMIT copied();
    });

    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_headline, 1);
    row->addWidget(m_detailsButton, 0, Qt::AlignTop);
    auto *detailsRow = new QHBoxLayout;
    detailsRow->setContentsMargins(0, 0, 0, 0);
    detailsRow->addWidget(m_details, 1);
    detailsRow->addWidget(m_copy, 0, Qt::AlignTop);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addLayout(detailsRow);
    setTabOrder(m_detailsButton, m_copy);
    // Return presses them when they have the keyboard, in a dialog and in a window.
    m_detailsButton->setAutoDefault(true);
    m_copy->setAutoDefault(true);
    retranslate();
    clear();
}

void ErrorPanel::setButtonTexts(const QString &details, const QString &copy)
{
    m_detailsText = details;
    m_copyText = copy;
    retranslate();
}

void ErrorPanel::retranslate()
{
    m_detailsButton->setText(m_detailsText.isEmpty() ? tr("Deta&ils") : m_detailsText);
    m_copy->setText(m_copyText.isEmpty() ? tr("&Copy details") : m_copyText);
    m_detailsButton->setAccessibleName(tr("Details"));
    m_detailsButton->setToolTip(tr("Shows what went wrong in technical terms"));
    m_copy->setAccessibleName(tr("Copy details"));
    m_copy->setToolTip(tr("Copies the message and its details, for a report"));
}

void ErrorPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void ErrorPanel::showError(const QString &headline, const QString &detail)
{
    if (headline.isEmpty()) {
        clear();
        return;
    }
    m_headline->setText(headline);
    const QString described = detail.isEmpty() ? QString() : tr("Details: %1").arg(detail);
    m_headline->setToolTip(described);
    m_headline->setAccessibleDescription(described);
    m_details->setText(detail);
    m_details->setAccessibleName(detail);
    m_detailsButton->setVisible(!detail.isEmpty());
    m_detailsButton->setChecked(false);
    setExpanded(false);
    show();
    announce(m_headline, headline);
}

void ErrorPanel::clear()
{
    m_headline->clear();
    m_headline->setToolTip({});
    m_headline->setAccessibleDescription({});
    m_details->clear();
    m_detailsButton->setChecked(false);
    setExpanded(false);
    hide();
}

void ErrorPanel::setExpanded(bool expanded)
{
    m_details->setVisible(expanded);
    m_copy->setVisible(expanded);
    if (window() && window()->isVisible()) {
        updateGeometry();
        // The window grows for the details rather than squeezing its fields.
        if (expanded)
            growToFit(window());
    }
}

QString ErrorPanel::headline() const
{
    return m_headline->text();
}

QString ErrorPanel::detail() const
{
    return m_details->text();
}

QLabel *ErrorPanel::headlineLabel() const
{
    return m_headline;
}

QString ErrorPanel::report() const
{
    return m_details->text().isEmpty() ? m_headline->text()
                                       : m_headline->text() + QLatin1Char('\n') + m_details->text();
}

} // namespace SilentAuth::Ui
