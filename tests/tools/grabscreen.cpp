// Saves what an X display shows as a PNG: grabscreen OUT.png (uses $DISPLAY).
// The picture is cropped to what differs from the bare root window (the
// colour of its bottom-right corner), so it shows the program's windows only;
// prints the size of what it saved.
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
    if (used.isEmpty()) {
        std::fprintf(stderr, "grabscreen: no window on the screen\n");
        return 1;
    }
    const QImage shot = screen.copy(used);
    if (!shot.save(app.arguments().at(1))) {
        std::fprintf(stderr, "grabscreen: could not save %s\n", argv[1]);
        return 1;
    }
    std::printf("%dx%d\n", shot.width(), shot.height()); // what was captured, for the caller
    return 0;
}
