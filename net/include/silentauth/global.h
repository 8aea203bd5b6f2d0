#pragma once

#include <QtCore/QtGlobal>

#if defined(SILENTAUTH_NET_STATIC)
#define SILENTAUTH_NET_EXPORT
#elif defined(SILENTAUTH_NET_BUILDING)
#define SILENTAUTH_NET_EXPORT Q_DECL_EXPORT
#else
#define SILENTAUTH_NET_EXPORT Q_DECL_IMPORT
#endif
