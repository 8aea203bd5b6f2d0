#include "quitsignals.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QSocketNotifier>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace SilentAuth {

#ifdef Q_OS_UNIX
namespace {

int signalPipe[2] = {-1, -1};
volatile std::sig_atomic_t signalsSeen = 0;

// Async-signal-safe: one byte into the pipe, read by the event loop.
void onTerminationSignal(int number)
{
    if (signalsSeen++ > 0) {
        std::signal(number, SIG_DFL);
        std::raise(number);
        return;
    }
    const char byte = char(number);
    [[maybe_unused]] const ssize_t written = ::write(signalPipe[0], &byte, 1);
}

} // namespace

void quitOnTerminationSignals()
{
    if (signalPipe[0] >= 0 || ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, signalPipe) != 0)
        return;
    auto *notifier
        = new QSocketNotifier(signalPipe[1], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, notifier, [] {
        char byte = 0;
        // exit(), not quit(): a QGuiApplication's quit() first closes every window,
        // and a window may ask a question (an unsaved post) that nobody is there to
        // answer. The windows close after exec() returns, keeping what they hold.
        if (::read(signalPipe[1], &byte, 1) == 1)
            QCoreApplication::exit(0);
    });
    struct sigaction action = {};
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (const int number : {SIGTERM, SIGINT, SIGHUP})
        ::sigaction(number, &action, nullptr);
}
#else
void quitOnTerminationSignals() { }
#endif

} // namespace SilentAuth
