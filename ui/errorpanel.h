#pragma once

#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
class QPushButton;
QT_END_NAMESPACE

namespace SilentAuth::Ui {

// An error as a user meets it: the headline in words, and on request (Details) the
// technical detail (HTTP status, the server's message) with Copy, for a report.
//
// The headline label is announced; the detail is also its tool tip and accessible
// description. Names: the headline is \a name, the rest \a name + "DetailsButton",
// "Details", "Copy".
class ErrorPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ErrorPanel(const QString &name, QWidget *parent = nullptr);

    //! Shows \a headline (empty hides the panel) and keeps \a detail for Details (empty:
    //! no Details button). The details start folded.
    void showError(const QString &headline, const QString &detail = {});
    //! Hidden, and nothing kept.
    void clear();

    //! The access keys of Details and Copy, for a window that shows two panels at once:
    //! translated texts with '&', e.g. tr("D&etails"), tr("Cop&y details").
    void setButtonTexts(const QString &details, const QString &copy);

    QString headline() const;
    QString detail() const;
    QLabel *headlineLabel() const;
    //! What Copy puts on the clipboard: the headline and the detail.
    QString report() const;

Q_SIGNALS:
    void copied();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void setExpanded(bool expanded);

    QLabel *m_headline;
    QPushButton *m_detailsButton;
    QLabel *m_details;
    QPushButton *m_copy;
    QString m_detailsText;
    QString m_copyText;
};

} // namespace SilentAuth::Ui
