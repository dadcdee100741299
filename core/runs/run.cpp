#include "run.h"

using namespace Qt::StringLiterals;

namespace cairn {

static constexpr std::pair<RunStatus, QStringView> statusNames[] = {
    {RunStatus::Queued, u"queued"},       {RunStatus::Running, u"running"},
    {RunStatus::Finished, u"finished"},   {RunStatus::Failed, u"failed"},
    {RunStatus::Cancelled, u"cancelled"}, {RunStatus::Lost, u"lost"},
};

QString runStatusName(RunStatus status)
{
    for (const auto &[s, n] : statusNames) {
        if (s == status)
            return n.toString();
    }
    return {};
}

std::optional<RunStatus> runStatusFromName(QStringView name)
{
    for (const auto &[s, n] : statusNames) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return s;
    }
    return std::nullopt;
}

bool isTerminal(RunStatus status)
{
    return status != RunStatus::Queued && status != RunStatus::Running;
}

qint64 RunRecord::durationMs(const QDateTime &now) const
{
    if (!started.isValid())
        return 0;
    return started.msecsTo(ended.isValid() ? ended : now);
}

} // namespace cairn
