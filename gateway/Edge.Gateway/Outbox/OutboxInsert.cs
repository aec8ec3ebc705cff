using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Edge.Gateway.Outbox;

/// <summary>
/// The outbox's one hot statement, the INSERT of a new event, prepared once on the write connection and bound by
/// position through SQLite's own API (SQLitePCLRaw, the layer under Microsoft.Data.Sqlite). A
/// <see cref="SqliteCommand"/> looks each parameter up by name and converts it on every execution, which cost more than
/// the insert itself in a flood. It runs inside whatever transaction the connection has open; errors are raised as the
/// same <see cref="SqliteException"/> a command would raise.
/// </summary>
internal sealed class OutboxInsert : IDisposable
{
    private const int StackText = 512;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;

    public OutboxInsert(SqliteConnection write)
    {
        _db = write.Handle ?? throw new InvalidOperationException("the outbox's write connection is not open");
        var rc = raw.sqlite3_prepare_v2(_db,
            "INSERT INTO events(seq, priority, topic, id, type, payload, enqueued_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            out _stmt);
        Check(rc);
    }

    /// <summary>Stores one event; throws <see cref="SqliteException"/> when SQLite refuses it (the transaction then rolls back).</summary>
    public void Run(long seq, int priority, string topic, Guid id, string type, ReadOnlySpan<byte> payload, long enqueuedAt, long? expiresAt)
    {
        try
        {
            Check(raw.sqlite3_bind_int64(_stmt, 1, seq));
            Check(raw.sqlite3_bind_int(_stmt, 2, priority));
            BindText(3, topic);
            Span<byte> idText = stackalloc byte[36];
            id.TryFormat(idText, out var idLength);
            Check(raw.sqlite3_bind_text(_stmt, 4, idText[..idLength]));
            BindText(5, type);
            Check(raw.sqlite3_bind_blob(_stmt, 6, payload));
            Check(raw.sqlite3_bind_int64(_stmt, 7, enqueuedAt));
            Check(expiresAt is { } x ? raw.sqlite3_bind_int64(_stmt, 8, x) : raw.sqlite3_bind_null(_stmt, 8));
            var rc = raw.sqlite3_step(_stmt);
            if (rc != raw.SQLITE_DONE)
            {
                Check(rc);
            }
        }
        finally
        {
            raw.sqlite3_reset(_stmt);
            raw.sqlite3_clear_bindings(_stmt);
        }
    }

    /// <summary>Binds a string as UTF-8 without allocating for the usual lengths (topics and types are short).</summary>
    private void BindText(int index, string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = max <= StackText ? stackalloc byte[StackText] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, buffer);
            Check(raw.sqlite3_bind_text(_stmt, index, buffer[..length]));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    public void Dispose() => _stmt.Dispose();
}
