#include "supervisorprocess.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace cairn {

QString supervisorExecutable()
{
    const QString fromEnv = qEnvironmentVariable("CAIRN_CLI");
    if (!fromEnv.isEmpty() && QFileInfo(fromEnv).isExecutable())
        return fromEnv;
    const QString sibling = QDir(QCoreApplication::applicationDirPath()).filePath(u"cairn-cli"_s);
    if (QFileInfo(sibling).isExecutable())
        return sibling;
    return QStandardPaths::findExecutable(u"cairn-cli"_s);
}

Result<qint64> startSupervisor(const QString &projectRoot, qint64 runId)
{
    const QString exe = supervisorExecutable();
    if (exe.isEmpty())
        return fail(
            Error(u"cannot find cairn-cli, which supervises runs"_s)
                .withHint(u"Install cairn-cli next to cairn, or set CAIRN_CLI to its path"_s));
    QProcess process;
    process.setProgram(exe);
    process.setArguments(
        {u"supervise"_s, u"--project"_s, projectRoot, u"--run"_s, QString::number(runId)});
    process.setWorkingDirectory(projectRoot);
    process.setStandardInputFile(QProcess::nullDevice());
    process.setStandardOutputFile(QProcess::nullDevice());
    process.setStandardErrorFile(
        QDir(projectRoot).filePath(u".cairn/runs/%1/supervisor.log"_s.arg(runId)));
    qint64 pid = 0;
    if (!process.startDetached(&pid))
        return fail(
            Error(u"cannot start the run supervisor: %1"_s.arg(process.errorString()), exe));
    return pid;
}

} // namespace cairn
