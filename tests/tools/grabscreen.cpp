// Saves what an X display shows as a PNG: grabscreen OUT.png (uses $DISPLAY).
#include <QtGui/QGuiApplication>
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
    const QPixmap shot = QGuiApplication::primaryScreen()->grabWindow(0);
    if (shot.isNull() || !shot.save(app.arguments().at(1))) {
        std::fprintf(stderr, "grabscreen: could not grab or save the screen\n");
        return 1;
    }
    return 0;
}
