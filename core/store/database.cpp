#include "database.h"

#include "common/logging.h"

#include <QDir>
#include <QFileInfo>
#include <QUrl>

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace cairn {

// ---- Statement ----

Statement::Statement(Statement &&other) noexcept
    : m_db(std::exchange(other.m_db, nullptr))
    , m_stmt(std::exchange(other.m_stmt, nullptr))
    , m_bindError(std::exchange(other.m_bindError, 0))
{}

Statement &Statement::operator=(Statement &&other) noexcept
{
    if (this != &other) {
        if (m_stmt)
            sqlite3_finalize(m_stmt);
        m_db = std::exchange(other.m_db, nullptr);
        m_stmt = std::exchange(other.m_stmt, nullptr);
        m_bindError = std::exchange(other.m_bindError, 0);
    }
    return *this;
}

Statement::~Statement()
{
    if (m_stmt)
        sqlite3_finalize(m_stmt);
}

static void remember(int rc, int &slot)
{
    if (rc != SQLITE_OK && slot == 0)
        slot = rc;
}

Statement &Statement::bind(int index, qint64 value)
{
    remember(sqlite3_bind_int64(m_stmt, index, value), m_bindError);
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    remember(sqlite3_bind_double(m_stmt, index, value), m_bindError);
    return *this;
}

Statement &Statement::bind(int index, const QString &value)
{
    return bind(index, QStringView(value));
}

Statement &Statement::bind(int index, QStringView value)
{
    const QByteArray utf8 = value.toUtf8();
    remember(sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT),
             m_bindError);
    return *this;
}

Statement &Statement::bind(int index, const QByteArray &blob)
{
    remember(sqlite3_bind_blob64(m_stmt, index, blob.constData(), sqlite3_uint64(blob.size()),
                                 SQLITE_TRANSIENT),
             m_bindError);
    return *this;
}

Statement &Statement::bindNull(int index)
{
    remember(sqlite3_bind_null(m_stmt, index), m_bindError);
    return *this;
}

Error Statement::bindError(int rc) const
{
    return Error(u"internal error binding a value: %1"_s.arg(QString::fromUtf8(sqlite3_errstr(rc))),
                 m_db ? m_db->path() : QString());
}

Result<bool> Statement::step()
{
    if (m_bindError)
        return fail(bindError(m_bindError));
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    return fail(m_db->lastError(u"query failed"_s));
}

Result<void> Statement::exec()
{
    auto r = step();
    if (!r)
        return fail(r.error());
    reset();
    return ok();
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    m_bindError = 0;
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

qint64 Statement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

QString Statement::text(int column) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    return p ? QString::fromUtf8(p, sqlite3_column_bytes(m_stmt, column)) : QString();
}

QByteArray Statement::blob(int column) const
{
    const void *p = sqlite3_column_blob(m_stmt, column);
    return p ? QByteArray(static_cast<const char *>(p), sqlite3_column_bytes(m_stmt, column))
             : QByteArray();
}

QByteArrayView Statement::utf8(int column) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    return p ? QByteArrayView(p, sqlite3_column_bytes(m_stmt, column)) : QByteArrayView();
}

std::optional<qint64> Statement::optionalInt64(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return int64(column);
}

std::optional<double> Statement::optionalReal(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return real(column);
}

int Statement::columnCount() const
{
    return sqlite3_column_count(m_stmt);
}

// ---- Database ----

Database::~Database()
{
    if (m_db)
        sqlite3_close_v2(m_db);
}

Error Database::lastError(const QString &what) const
{
    const int code = sqlite3_extended_errcode(m_db);
    QString msg = u"%1: %2"_s.arg(what, QString::fromUtf8(sqlite3_errmsg(m_db)));
    QString hint;
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        hint = u"Another program holds the database; try again when it has finished"_s;
        break;
    case SQLITE_READONLY:
        hint = u"The database is read-only; check the folder's permissions"_s;
        break;
    case SQLITE_FULL:
        hint = u"The disk is full; free some space"_s;
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        hint = m_external ? u"The file is damaged or is not a SQLite database"_s
                          : u"The file is damaged or is not a Cairn database; move it away to "
                            u"start afresh"_s;
        break;
    default:
        break;
    }
    return Error(msg, m_path, 0, 0, hint);
}

Result<std::unique_ptr<Database>> Database::open(const QString &path, Mode mode,
                                                 const QList<Migration> &migrations)
{
    if (mode == Mode::ReadWrite) {
        const QString dir = QFileInfo(path).absolutePath();
        if (!QDir().mkpath(dir))
            return fail(Error(u"cannot create the folder for the database"_s, dir)
                            .withHint(u"Check that you may write to it"_s));
    }
    sqlite3 *handle = nullptr;
    const int flags = (mode == Mode::ReadWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                               : SQLITE_OPEN_READONLY) |
                      SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &handle, flags, nullptr);
    std::unique_ptr<Database> db(new Database(handle, path));
    if (rc != SQLITE_OK) {
        if (!handle)
            return fail(Error(u"cannot open the database: out of memory"_s, path));
        return fail(db->lastError(u"cannot open the database"_s));
    }
    sqlite3_extended_result_codes(handle, 1);
    sqlite3_busy_timeout(handle, 10000);

    // Readers and one writer at a time: the run supervisor writes while the GUI reads.
    if (mode == Mode::ReadWrite) {
        auto s = db->prepare(u"PRAGMA journal_mode=WAL");
        if (!s)
            return fail(s.error());
        if (auto r = s->step(); !r)
            return fail(r.error());
        if (s->text(0).compare(u"wal"_s, Qt::CaseInsensitive) != 0)
            qCWarning(lcStore) << "WAL mode unavailable for" << path << "- using" << s->text(0);
    }
    if (auto r = db->execScript(u"PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"); !r)
        return fail(r.error());
    if (mode == Mode::ReadWrite) {
        if (auto r = db->migrate(migrations); !r)
            return fail(r.error());
    } else if (!migrations.isEmpty()) {
        const int have = db->userVersion();
        const int want = migrations.last().version;
        if (have > want)
            return fail(Error(u"the database has schema version %1, newer than this Cairn "
                              "understands (%2)"_s.arg(have)
                                  .arg(want),
                              path, 0, 0, u"Update Cairn"_s));
    }
    return db;
}

Result<std::unique_ptr<Database>> Database::openExternal(const QString &path, bool immutable)
{
    // A URI, so that the flags travel with the name; QUrl escapes '?', '#' and '%' in the path.
    QByteArray uri = QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath()).toEncoded();
    uri += immutable ? "?mode=ro&immutable=1" : "?mode=ro";
    sqlite3 *handle = nullptr;
    const int rc =
        sqlite3_open_v2(uri.constData(), &handle,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
    std::unique_ptr<Database> db(new Database(handle, path));
    db->m_external = true;
    if (rc != SQLITE_OK) {
        if (!handle)
            return fail(Error(u"cannot open the database: out of memory"_s, path));
        return fail(db->lastError(u"cannot open the database"_s));
    }
    sqlite3_extended_result_codes(handle, 1);
    sqlite3_busy_timeout(handle, 10000);
    return db;
}

Result<Statement> Database::prepare(QStringView sql)
{
    const QByteArray utf8 = sql.toUtf8();
    sqlite3_stmt *stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, utf8.constData(), int(utf8.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK)
        return fail(lastError(u"cannot prepare \"%1\""_s.arg(sql.left(80).toString())));
    return Statement(this, stmt);
}

Result<void> Database::execScript(QStringView sql)
{
    const QByteArray utf8 = sql.toUtf8();
    const char *tail = utf8.constData();
    const char *end = tail + utf8.size();
    while (tail < end) {
        sqlite3_stmt *stmt = nullptr;
        const char *next = nullptr;
        if (sqlite3_prepare_v2(m_db, tail, int(end - tail), &stmt, &next) != SQLITE_OK)
            return fail(lastError(u"schema statement failed"_s));
        tail = next;
        if (!stmt)
            continue; // whitespace or a comment
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE)
            return fail(lastError(u"schema statement failed"_s));
    }
    return ok();
}

Result<void> Database::begin(bool immediate)
{
    return execScript(immediate ? u"BEGIN IMMEDIATE" : u"BEGIN");
}

Result<void> Database::commit()
{
    return execScript(u"COMMIT");
}

void Database::rollback()
{
    if (!sqlite3_get_autocommit(m_db))
        (void)execScript(u"ROLLBACK");
}

int Database::userVersion()
{
    auto s = prepare(u"PRAGMA user_version");
    if (!s)
        return -1;
    auto r = s->step();
    return r && *r ? int(s->int64(0)) : -1;
}

qint64 Database::lastInsertId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const
{
    return sqlite3_changes(m_db);
}

Result<void> Database::migrate(const QList<Migration> &migrations)
{
    if (migrations.isEmpty())
        return ok();
    Transaction tx(*this);
    if (auto r = tx.begin(); !r)
        return r;
    const int have = userVersion();
    const int want = migrations.last().version;
    if (have > want)
        return fail(Error(u"the database has schema version %1, newer than this Cairn understands "
                          "(%2)"_s.arg(have)
                              .arg(want),
                          m_path, 0, 0,
                          u"Update Cairn, or open the project with the Cairn that wrote it"_s));
    for (const Migration &m : migrations) {
        if (m.version <= have)
            continue;
        qCDebug(lcStore) << "migrating" << m_path << "to schema" << m.version;
        if (auto r = execScript(QString::fromUtf8(m.sql)); !r) {
            Error e = r.error();
            e.message =
                u"upgrading the database to schema %1 failed: "_s.arg(m.version) + e.message;
            return fail(e);
        }
        // PRAGMA takes no bound parameters; the version is our own integer constant.
        if (auto r = execScript(u"PRAGMA user_version=%1"_s.arg(m.version)); !r)
            return r;
    }
    return tx.commit();
}

} // namespace cairn
