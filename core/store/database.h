#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QVariant>

#include <memory>
#include <optional>

struct sqlite3;
struct sqlite3_stmt;

namespace cairn {

class Database;

// A prepared statement. Values are always bound, never spliced into SQL text.
class Statement
{
public:
    Statement() = default;
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&other) noexcept;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    ~Statement();

    // Parameters are 1-based, as in SQLite.
    Statement &bind(int index, qint64 value);
    Statement &bind(int index, int value) { return bind(index, qint64(value)); }
    Statement &bind(int index, double value);
    Statement &bind(int index, const QString &value);
    Statement &bind(int index, QStringView value);
    Statement &bind(int index, const char16_t *value) { return bind(index, QStringView(value)); }
    Statement &bind(int index, const QByteArray &blob);
    Statement &bind(int index, bool value) { return bind(index, qint64(value ? 1 : 0)); }
    Statement &bindNull(int index);
    template<typename T>
    Statement &bind(int index, const std::optional<T> &value)
    {
        return value ? bind(index, *value) : bindNull(index);
    }

    // Advances to the next row: true when a row is available, false when done.
    Result<bool> step();
    // Runs a statement that returns no rows.
    Result<void> exec();
    void reset();

    bool isNull(int column) const;
    qint64 int64(int column) const;
    double real(int column) const;
    QString text(int column) const;
    QByteArray blob(int column) const;
    // The text of a column as UTF-8 bytes, without a copy: valid until the next step() or reset().
    QByteArrayView utf8(int column) const;
    std::optional<qint64> optionalInt64(int column) const;
    std::optional<double> optionalReal(int column) const;
    int columnCount() const;

    bool isValid() const { return m_stmt != nullptr; }

private:
    friend class Database;
    Statement(Database *db, sqlite3_stmt *stmt)
        : m_db(db)
        , m_stmt(stmt)
    {}
    Error bindError(int rc) const;

    Database *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    int m_bindError = 0;
};

// One schema step: the SQL that moves the database from `version - 1` to `version`.
struct Migration
{
    int version;
    const char *sql;
};

// A connection to one SQLite file, in WAL mode with foreign keys on.
class Database
{
public:
    enum class Mode
    {
        ReadWrite,
        ReadOnly
    };

    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // Opens (creating when ReadWrite) the database at `path` and brings its schema to the newest
    // of `migrations`. A database written by a newer Cairn is an error, never modified.
    static Result<std::unique_ptr<Database>> open(const QString &path, Mode mode,
                                                  const QList<Migration> &migrations);

    // Opens a SQLite file another program owns (MLflow's mlflow.db, …) read-only through a
    // `file:…?mode=ro` URI: no schema check, no pragmas, nothing is ever written. `immutable`
    // promises that nothing writes the file while it is open: SQLite then takes no locks and
    // creates no -shm or -wal file.
    static Result<std::unique_ptr<Database>> openExternal(const QString &path,
                                                          bool immutable = false);

    Result<Statement> prepare(QStringView sql);
    Result<Statement> prepare(const QString &sql) { return prepare(QStringView(sql)); }
    // Runs every statement in `sql` (schema text, no values), each prepared in turn.
    Result<void> execScript(QStringView sql);

    Result<void> begin(bool immediate = true);
    Result<void> commit();
    void rollback();

    int userVersion();
    qint64 lastInsertId() const;
    int changes() const;

    const QString &path() const { return m_path; }
    sqlite3 *handle() const { return m_db; }

    // The current SQLite error as an Error that names the database file.
    Error lastError(const QString &what) const;

private:
    Database(sqlite3 *db, QString path)
        : m_db(db)
        , m_path(std::move(path))
    {}
    Result<void> migrate(const QList<Migration> &migrations);

    sqlite3 *m_db = nullptr;
    QString m_path;
    bool m_external = false; // opened by openExternal(): not a Cairn database
};

// Commits on commit(), rolls back when it goes out of scope without one.
class Transaction
{
public:
    explicit Transaction(Database &db)
        : m_db(db)
    {}
    Result<void> begin(bool immediate = true)
    {
        auto r = m_db.begin(immediate);
        m_active = r.has_value();
        return r;
    }
    Result<void> commit()
    {
        auto r = m_db.commit();
        if (r)
            m_active = false;
        return r;
    }
    ~Transaction()
    {
        if (m_active)
            m_db.rollback();
    }
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

private:
    Database &m_db;
    bool m_active = false;
};

} // namespace cairn
