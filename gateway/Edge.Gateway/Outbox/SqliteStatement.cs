using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Edge.Gateway.Outbox;

/// <summary>
/// One of the outbox's hot statements (the INSERT of a new event, the DELETE of delivered ones), prepared once on its
/// connection and bound by position through SQLite's own API (SQLitePCLRaw, the layer under Microsoft.Data.Sqlite). A
/// <see cref="SqliteCommand"/> looks each parameter up by name and converts it on every execution, which in a flood
/// cost more than the statement itself. It runs inside whatever transaction the connection has open. Errors are raised
/// as the <see cref="SqliteException"/> a command would raise; <see cref="Reset"/> makes it ready for the next use.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private const int StackText = 512;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _stmt));
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_stmt, index, value));

    public void Bind(int index, long? value) => Check(value is { } v ? raw.sqlite3_bind_int64(_stmt, index, v) : raw.sqlite3_bind_null(_stmt, index));

    public void BindBlob(int index, ReadOnlySpan<byte> value) => Check(raw.sqlite3_bind_blob(_stmt, index, value));

    /// <summary>Binds text already in UTF-8.</summary>
    public void BindText(int index, ReadOnlySpan<byte> utf8) => Check(raw.sqlite3_bind_text(_stmt, index, utf8));

    /// <summary>Binds a string as UTF-8, without allocating for the usual lengths (topics, types).</summary>
    public void BindText(int index, string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = max <= StackText ? stackalloc byte[StackText] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            BindText(index, buffer[..Encoding.UTF8.GetBytes(text, buffer)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Runs the statement to its next row: true with a row to read, false when it is done.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_stmt);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }

        return false;
    }

    public int Int32(int column) => raw.sqlite3_column_int(_stmt, column);

    public long Int64(int column) => raw.sqlite3_column_int64(_stmt, column);

    public bool IsNull(int column) => raw.sqlite3_column_type(_stmt, column) == raw.SQLITE_NULL;

    public string Text(int column) => raw.sqlite3_column_text(_stmt, column).utf8_to_string();

    /// <summary>A column of text as a string of <paramref name="repeated"/>: one string for every row that holds the same text.</summary>
    public string Text(int column, RepeatedStrings repeated) => repeated.Of(raw.sqlite3_column_blob(_stmt, column));

    /// <summary>A column of text holding a UUID, parsed from its UTF-8 without a string in between.</summary>
    public Guid Uuid(int column) => Guid.Parse(raw.sqlite3_column_blob(_stmt, column), provider: null);

    public byte[] Blob(int column) => raw.sqlite3_column_blob(_stmt, column).ToArray();

    /// <summary>Ends this use: the statement forgets its bindings and may run again.</summary>
    public void Reset()
    {
        raw.sqlite3_reset(_stmt);
        raw.sqlite3_clear_bindings(_stmt);
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
