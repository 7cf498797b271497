using Microsoft.Data.Sqlite;

namespace Cetus.Storage.Sqlite;

/// <summary>The tables of the SQLite datastore.</summary>
/// <remarks>
/// <c>log</c> holds one row per write; <c>rev</c> is the revision (AUTOINCREMENT, so revisions are never reused even
/// after compaction removes the newest row). A row's value is stored once: <c>kv</c> points at the current row of each
/// live key, and <c>prev_rev</c> at the row a write replaced. Keys are BLOBs so that they sort by bytes, as in etcd.
/// </remarks>
internal static class SqliteSchema
{
    public const string CompactRevisionName = "compact_rev";

    public static void Ensure(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS log (
                rev        INTEGER PRIMARY KEY AUTOINCREMENT,
                key        BLOB    NOT NULL,
                deleted    INTEGER NOT NULL,
                create_rev INTEGER NOT NULL,
                prev_rev   INTEGER NOT NULL,
                value      BLOB
            );
            CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);
            CREATE TABLE IF NOT EXISTS kv (
                key        BLOB    PRIMARY KEY,
                create_rev INTEGER NOT NULL,
                mod_rev    INTEGER NOT NULL,
                expires_at INTEGER
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS kv_expires ON kv (expires_at) WHERE expires_at IS NOT NULL;
            CREATE TABLE IF NOT EXISTS meta (
                name  TEXT    PRIMARY KEY,
                value INTEGER NOT NULL
            ) WITHOUT ROWID;
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>The newest revision written and the compaction point.</summary>
    public static (long Current, long Compact) ReadRevisions(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'log'),
                   (SELECT value FROM meta WHERE name = 'compact_rev');
            """;
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.IsDBNull(0) ? 0 : reader.GetInt64(0), reader.IsDBNull(1) ? 0 : reader.GetInt64(1));
    }
}
