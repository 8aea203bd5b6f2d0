#include "stats.h"

namespace SilentAuth::Mock {

namespace {

QJsonObject toObject(const QMap<QString, int> &map)
{
    QJsonObject object;
    for (auto it = map.begin(); it != map.end(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

} // namespace

QJsonObject Stats::toJson() const
{
    int unauthorizedTotal = 0;
    for (int count : unauthorized)
        unauthorizedTotal += count;
    return {
        {QStringLiteral("logins"),
         QJsonObject {{QStringLiteral("ok"), loginsOk},
                      {QStringLiteral("failed"), loginsFailed},
                      {QStringLiteral("throttled"), loginsThrottled}}},
        {QStringLiteral("refreshes"),
         QJsonObject {{QStringLiteral("ok"), refreshesOk},
                      {QStringLiteral("failed"), refreshesFailed},
                      {QStringLiteral("reuseDetected"), reuseDetected},
                      {QStringLiteral("graceReplays"), graceReplays}}},
        {QStringLiteral("authorizations"),
         QJsonObject {{QStringLiteral("issued"), authorizationsIssued},
                      {QStringLiteral("exchanged"), authorizationsExchanged},
                      {QStringLiteral("denied"), authorizationsDenied},
                      {QStringLiteral("failed"), authorizationsFailed},
                      {QStringLiteral("pkceFailed"), authorizationsPkceFailed},
                      {QStringLiteral("codeReuse"), authorizationsCodeReuse}}},
        {QStringLiteral("deviceAuthorizations"),
         QJsonObject {{QStringLiteral("issued"), devicesIssued},
                      {QStringLiteral("approved"), devicesApproved},
                      {QStringLiteral("denied"), devicesDenied},
                      {QStringLiteral("exchanged"), devicesExchanged},
                      {QStringLiteral("polls"), devicePolls},
                      {QStringLiteral("slowDowns"), deviceSlowDowns},
                      {QStringLiteral("tooFast"), devicePollsTooFast},
                      {QStringLiteral("expired"), devicesExpired}}},
        {QStringLiteral("tlsExpiredServed"), tlsExpiredServed},
        {QStringLiteral("logouts"), logouts},
        {QStringLiteral("revocations"), revocations},
        {QStringLiteral("accessRevocations"), accessRevocations},
        {QStringLiteral("blacklistPurged"), blacklistPurged},
        {QStringLiteral("unauthorized"), toObject(unauthorized)},
        {QStringLiteral("unauthorizedTotal"), unauthorizedTotal},
        {QStringLiteral("routes"), toObject(routes)},
    };
}

} // namespace SilentAuth::Mock
