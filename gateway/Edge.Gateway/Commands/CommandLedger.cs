using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Commands;

/// <summary>Which command ids the gateway has taken, so a command is applied once however often it arrives.</summary>
public interface ICommandLedger
{
    /// <summary>True the first time <paramref name="id"/> is taken; it is remembered until <paramref name="keepUntil"/>.</summary>
    bool TryTake(Guid id, DateTimeOffset keepUntil);
}

/// <summary>
/// The ledger in the outbox database (table <c>commands</c>), on a connection of its own, each id committed with
/// <c>synchronous=FULL</c> before the command is applied: a command captured from the wire and published again is
/// refused as replayed, also after a restart or a power cut. Ids are forgotten once their command has expired.
/// </summary>
public sealed class CommandLedger : ICommandLedger, IDisposable
{
    private readonly SqliteConnection _db;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private int _sincePurge;

    public CommandLedger(string outboxPath, TimeProvider time)
    {
        _time = time;
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = outboxPath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        _db.Open();
        using var setup = _db.CreateCommand();
        // The table is the outbox's own (its schema, made when the outbox is opened, before this).
        setup.CommandText = "PRAGMA busy_timeout=5000; PRAGMA synchronous=FULL;";
        setup.ExecuteNonQuery();
    }

    public bool TryTake(Guid id, DateTimeOffset keepUntil)
    {
        lock (_lock)
        {
            if (++_sincePurge >= 100)
            {
                _sincePurge = 0;
                using var purge = _db.CreateCommand();
                purge.CommandText = "DELETE FROM commands WHERE keep_until < $now";
                purge.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
                purge.ExecuteNonQuery();
            }

            using var take = _db.CreateCommand();
            take.CommandText = "INSERT OR IGNORE INTO commands(id, keep_until) VALUES ($id, $keep)";
            take.Parameters.AddWithValue("$id", id.ToString("D"));
            take.Parameters.AddWithValue("$keep", keepUntil.ToUnixTimeMilliseconds());
            return take.ExecuteNonQuery() == 1;
        }
    }

    public void Dispose() => _db.Dispose();
}
