#include "windowfit.h"

#include <QtCore/QEvent>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtGui/QScreen>
#include <QtWidgets/QLayout>
#include <QtWidgets/QWidget>

namespace SilentAuth::Ui {

namespace {

// A window manager frames a window after it is shown, so the frame (title bar,
// borders) is unknown when the window is first placed; and it may change when the
// window moves to another screen. Each time the frame's size changes, the window
// is placed again.
class FrameWatch : public QObject
{
public:
    explicit FrameWatch(QWidget *window)
        : QObject(window)
    {
        setObjectName(QStringLiteral("frameWatch"));
        window->installEventFilter(this);
    }

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        switch (event->type()) {
        case QEvent::Show:
        case QEvent::Move:
        case QEvent::Resize:
        case QEvent::ScreenChangeInternal:
            break;
        default:
            return false;
        }
        auto *window = static_cast<QWidget *>(watched);
        if (!window->isVisible())
            return false;
        const QSize decoration = window->frameGeometry().size() - window->geometry().size();
        if (decoration == m_decoration && event->type() != QEvent::ScreenChangeInternal)
            return false;
        m_decoration = decoration;
        // After the event: the window's geometry is the new one then.
        QTimer::singleShot(0, window, [w = QPointer<QWidget>(window)] {
            if (w)
                keepOnScreen(w);
        });
        return false;
    }

private:
    QSize m_decoration {-1, -1};
};

// A window whose content changes (fields shown for another way to sign in, a
// panel while the browser is away) is fitted again after each change of its
// layout: the minimum height growToFit() set is for the content of then.
class FitWatch : public QObject
{
public:
    explicit FitWatch(QWidget *window)
        : QObject(window)
    {
        setObjectName(QStringLiteral("fitWatch"));
        window->installEventFilter(this);
    }

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::LayoutRequest || m_pending)
            return false;
        m_pending = true;
        QTimer::singleShot(0, this, [this, w = QPointer<QWidget>(static_cast<QWidget *>(watched))] {
            m_pending = false;
            if (w && w->isVisible())
                growToFit(w);
        });
        return false;
    }

private:
    bool m_pending = false;
};

} // namespace

void growToFit(QWidget *window)
{
    QLayout *layout = window ? window->layout() : nullptr;
    if (!layout)
        return;
    if (!window->findChild<QObject *>(QStringLiteral("fitWatch"), Qt::FindDirectChildrenOnly))
        new FitWatch(window);
    layout->activate();
    const int width = qMax(window->width(), layout->totalMinimumSize().width());
    const int height = layout->hasHeightForWidth() ? layout->totalHeightForWidth(width)
                                                   : layout->totalSizeHint().height();
    window->setMinimumHeight(qMin(height, layout->totalMaximumSize().height()));
    if (window->height() < height || window->width() < width)
        window->resize(width, qMax(window->height(), height));
    keepOnScreen(window);
}

void keepOnScreen(QWidget *window)
{
    QScreen *screen = window ? window->screen() : nullptr;
    if (!screen)
        return;
    // By name: FrameWatch has no meta-object of its own for findChild() to tell it by.
    if (!window->findChild<QObject *>(QStringLiteral("frameWatch"), Qt::FindDirectChildrenOnly))
        new FrameWatch(window);
    const QRect area = screen->availableGeometry();
    if (area.isEmpty())
        return;
    // The frame (title bar) is outside geometry(); leave room for it.
    const QRect frame = window->frameGeometry();
    const QSize decoration = frame.size() - window->geometry().size();
    const QSize room = area.size() - decoration;
    if (window->minimumWidth() > room.width() || window->minimumHeight() > room.height())
        window->setMinimumSize(window->minimumSize().boundedTo(room));
    if (window->width() > room.width() || window->height() > room.height())
        window->resize(window->size().boundedTo(room));
    QRect placed = window->frameGeometry();
    if (!area.contains(placed)) {
        placed.moveRight(qMin(placed.right(), area.right()));
        placed.moveBottom(qMin(placed.bottom(), area.bottom()));
        placed.moveLeft(qMax(placed.left(), area.left()));
        placed.moveTop(qMax(placed.top(), area.top()));
        window->move(placed.topLeft());
    }
}

} // namespace SilentAuth::Ui
