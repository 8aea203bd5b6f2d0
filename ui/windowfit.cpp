#include "windowfit.h"

#include <QtGui/QScreen>
#include <QtWidgets/QLayout>
#include <QtWidgets/QWidget>

namespace SilentAuth::Ui {

void growToFit(QWidget *window)
{
    QLayout *layout = window ? window->layout() : nullptr;
    if (!layout)
        return;
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
