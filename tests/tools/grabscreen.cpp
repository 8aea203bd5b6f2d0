// Saves what an X display shows as a PNG: grabscreen OUT.png (uses $DISPLAY).
// The picture is cropped to what differs from the bare root window (the
// colour of its bottom-right corner), so it shows the program's windows only.
#include <QtGui/QGuiApplication>
#include <QtGui/QImage>
#include <QtGui/QPixmap>
#include <QtGui/QScreen>

#include <cstdio>

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    if (app.arguments().size() != 2) {
        std::fprintf(stderr, "usage: grabscreen OUT.png\n");
        return 2;
    }
    const QImage screen = QGuiApplication::primaryScreen()->grabWindow(0).toImage();
    if (screen.isNull()) {
        std::fprintf(stderr, "grabscreen: could not grab the screen\n");
        return 1;
    }
    const QRgb root = screen.pixel(screen.width() - 1, screen.height() - 1);
    QRect used;
    for (int y = 0; y < screen.height(); ++y) {
        for (int x = 0; x < screen.width(); ++x) {
            if (screen.pixel(x, y) != root)
                used |= QRect(x, y, 1, 1);
        }
    }
    const QImage shot = used.isEmpty() ? screen : screen.copy(used);
    if (!shot.save(app.arguments().at(1))) {
        std::fprintf(stderr, "grabscreen: could not grab or save the screen\n");
        return 1;
    }
    return 0;
}
