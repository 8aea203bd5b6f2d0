#pragma once

#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QShortcut;
class QUrl;
QT_END_NAMESPACE

namespace SilentAuth::Ui {

// While the user signs in in the browser: that the program waits, the
// address to open by hand (read-only, with a button that copies it), and
// Cancel (also Esc anywhere in the window).
class BrowserWaitPanel : public QWidget
{
    Q_OBJECT

public:
    explicit BrowserWaitPanel(QWidget *parent = nullptr);

    //! Waiting for the user to finish in the browser at \a url.
    void showWaiting(const QUrl &url);
    //! No browser could be opened: the link is the way in.
    void showBrowserFailed();
    //! The browser came back; the sign-in finishes and can no longer be canceled.
    void showFinishing();
    //! Hidden, and Esc no longer cancels.
    void stop();

    //! Where the keyboard goes while waiting.
    QWidget *focusTarget() const;

Q_SIGNALS:
    void canceled();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void copyLink();

    QProgressBar *m_progress;
    QLabel *m_status;
    QLabel *m_linkLabel;
    QLineEdit *m_link;
    QPushButton *m_copy;
    QLabel *m_note;
    QPushButton *m_cancel;
    QShortcut *m_escape;
    bool m_finishing = false;
    bool m_browserFailed = false;
    bool m_copied = false;
};

} // namespace SilentAuth::Ui
