#include "command.h"

#include "placeholders.h"
#include "yamlsupport.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace cairn {

static const QRegularExpression &pythonWord()
{
    static const QRegularExpression re(
        u"(^|\\n|&&|\\|\\||;|\\||\\()([ \\t]*)(python3?)(?=\\s|$)"_s);
    return re;
}

bool commandUsesPython(const QString &command)
{
    return pythonWord().match(command).hasMatch();
}

static QString substitutePython(const QString &command, const QString &interpreter)
{
    if (interpreter.isEmpty())
        return command;
    const QRegularExpression &re = pythonWord();
    QString out;
    qsizetype pos = 0;
    auto it = re.globalMatch(command);
    while (it.hasNext()) {
        const auto m = it.next();
        out += command.mid(pos, m.capturedStart(3) - pos);
        out += shellQuote(interpreter);
        pos = m.capturedEnd(3);
    }
    out += command.mid(pos);
    return out;
}

static std::optional<EntryPoint> scriptEntryPoint(const Project &project, const QString &name)
{
    const QFileInfo script(QDir(project.rootDir).filePath(name));
    if (!script.isFile() || !script.canonicalFilePath().startsWith(project.rootDir + u'/'))
        return std::nullopt;
    EntryPoint ep;
    ep.name = name;
    const QString quoted = shellQuote(name);
    if (name.endsWith(u".py"_s))
        ep.command = u"python "_s + quoted;
    else if (name.endsWith(u".sh"_s))
        ep.command = u"\"${SHELL:-bash}\" "_s + quoted;
    else
        return std::nullopt;
    ep.command.replace(u'{', u"{{"_s).replace(u'}', u"}}"_s);
    return ep;
}

std::expected<LaunchCommand, Errors> buildLaunchCommand(const Project &project,
                                                        const QString &entryPoint,
                                                        const ParamValues &values,
                                                        const CommandOptions &options)
{
    const bool mlflow = project.format == ProjectFormat::MLproject;
    std::optional<EntryPoint> synthesized;
    const EntryPoint *ep = project.entryPoint(entryPoint);
    if (!ep) {
        synthesized = scriptEntryPoint(project, entryPoint);
        if (synthesized)
            ep = &*synthesized;
    }
    if (!ep) {
        QStringList names;
        for (const EntryPoint &e : project.entryPoints)
            names.append(e.name);
        const QString guess = closestMatch(entryPoint, names);
        Error e(u"project \"%1\" has no entry point \"%2\"%3"_s.arg(
                    project.name, entryPoint,
                    guess.isEmpty() ? QString() : u" (did you mean \"%1\"?)"_s.arg(guess)),
                project.projectFile);
        e.hint = names.isEmpty() ? u"Declare entry points in the project file"_s
                                 : u"Entry points: %1"_s.arg(names.join(u", "_s));
        return std::unexpected(Errors{e});
    }

    Errors errors;
    LaunchCommand out;
    out.entryPoint = ep->name;
    QHash<QString, QString> given;
    for (const auto &[k, v] : values) {
        if (given.contains(k))
            errors.append(Error(u"parameter \"%1\" is given twice"_s.arg(k)));
        given.insert(k, v);
    }

    QHash<QString, QString> quoted;
    QStringList missing;
    for (const Parameter &p : ep->parameters) {
        QString value;
        if (given.contains(p.name))
            value = given.value(p.name);
        else if (p.defaultValue)
            value = *p.defaultValue;
        else {
            missing.append(p.name);
            continue;
        }
        auto checked = checkParameterValue(p, value);
        if (!checked) {
            errors.append(checked.error());
            continue;
        }
        value = *checked;
        if (mlflow && p.type == ParamType::Path) {
            const QFileInfo fi(QDir(project.rootDir).filePath(value));
            if (!fi.exists()) {
                errors.append(
                    Error(u"parameter \"%1\" is the path \"%2\", which does not exist"_s.arg(p.name,
                                                                                             value))
                        .withHint(u"MLflow requires path parameters to exist; give an "
                                  "existing file or folder"_s));
                continue;
            }
            value = fi.absoluteFilePath();
        }
        out.parameters.append({p.name, value});
        quoted.insert(p.name, shellQuote(value));
    }
    if (!missing.isEmpty()) {
        QStringList q;
        for (const QString &m : missing)
            q.append(u'"' + m + u'"');
        errors.append(
            Error(u"no value given for %1 of entry point \"%2\", which %3 no default"_s.arg(
                      (missing.size() == 1 ? u"parameter "_s : u"parameters "_s) + q.join(u", "_s),
                      ep->name, missing.size() == 1 ? u"has"_s : u"have"_s))
                .withHint(u"Give a value, for example -P %1=..."_s.arg(missing.first())));
    }

    QStringList extras;
    static const QRegularExpression extraName(u"^[A-Za-z_][A-Za-z0-9_.\\-]*$"_s);
    for (const auto &[k, v] : values) {
        if (ep->parameter(k))
            continue;
        if (!extraName.match(k).hasMatch()) {
            // It would be written into the command as --name: keep it a plain word.
            errors.append(Error(u"\"%1\" is not a valid parameter name"_s.arg(k))
                              .withHint(u"Use letters, digits, '_', '-' and '.', starting with a "
                                        "letter"_s));
            continue;
        }
        if (mlflow || synthesized) {
            extras.append(u"--"_s + k + u' ' + shellQuote(v));
            out.parameters.append({k, v});
        } else {
            QStringList names;
            for (const Parameter &p : ep->parameters)
                names.append(p.name);
            const QString guess = closestMatch(k, names);
            errors.append(
                Error(u"entry point \"%1\" has no parameter \"%2\"%3"_s.arg(
                          ep->name, k,
                          guess.isEmpty() ? QString() : u" (did you mean \"%1\"?)"_s.arg(guess)))
                    .withHint(names.isEmpty() ? u"This entry point takes no parameters"_s
                                              : u"Its parameters: %1"_s.arg(names.join(u", "_s))));
        }
    }

    const auto placeholders = findPlaceholders(ep->command);
    if (!placeholders) {
        errors.append(Error(u"the command of entry point \"%1\" has %2"_s.arg(
                                ep->name, placeholders.error().message),
                            project.projectFile, ep->location.line, ep->location.column));
    } else {
        for (const Placeholder &ph : *placeholders) {
            if (!ep->parameter(ph.name))
                errors.append(Error(u"the command of entry point \"%1\" uses {%2}, which is not a "
                                    "declared parameter"_s.arg(ep->name, ph.name),
                                    project.projectFile, ep->location.line, ep->location.column)
                                  .withHint(u"Declare the parameter in the project file"_s));
        }
    }
    if (!errors.isEmpty())
        return std::unexpected(errors);

    // The interpreter goes into the template, before the values: a value that happens to read
    // "python" stays what the user typed. Its braces are escaped for the template.
    QString interpreter = options.pythonInterpreter;
    interpreter.replace(u'{', u"{{"_s).replace(u'}', u"}}"_s);
    const QString templ = substitutePython(ep->command, interpreter);
    const auto finalPlaceholders = findPlaceholders(templ);
    QString command =
        substitutePlaceholders(templ, finalPlaceholders.value_or(*placeholders),
                               [&](const QString &name) { return quoted.value(name); });
    if (!extras.isEmpty())
        command += u' ' + extras.join(u' ');
    out.shellCommand = command;
    out.workingDirectory =
        ep->workingDirectory.isEmpty()
            ? project.rootDir
            : QDir::cleanPath(QDir(project.rootDir).filePath(ep->workingDirectory));
    return out;
}

std::expected<ParamValues, Error> parseParamAssignments(const QStringList &assignments)
{
    ParamValues out;
    for (const QString &a : assignments) {
        const qsizetype eq = a.indexOf(u'=');
        if (eq <= 0)
            return std::unexpected(Error(u"\"%1\" is not a parameter assignment"_s.arg(a))
                                       .withHint(u"Write name=value, for example -P lr=0.01"_s));
        out.append({a.left(eq).trimmed(), a.mid(eq + 1)});
    }
    return out;
}

} // namespace cairn
