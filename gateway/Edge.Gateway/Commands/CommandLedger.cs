using Edge.Contracts.Commands;
using Edge.Contracts.Serialization;
using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Commands;

/// <summary>Which command ids the gateway has taken, so a command is applied once however often it arrives.</summary>
public interface ICommandLedger
{
    /// <summary>True the first time <paramref name="id"/> is taken; it is remembered until <paramref name="keepUntil"/>.</summary>
    bool TryTake(Guid id, DateTimeOffset keepUntil);
}

/// <summary>
/// Results that found no connection, kept until the uplink can send them, oldest first, within a bound.
/// </summary>
public interface IHeldResults
{
    /// <summary>Keeps a result; returns how many of the oldest were given up to stay within <paramref name="bound"/>.</summary>
    int Hold(CommandResult result, byte[]? correlation, int bound);

    /// <summary>The oldest result held, or null when none is.</summary>
    HeldResult? Oldest();

    /// <summary>Forgets a result once it is sent (nothing when it was given up meanwhile).</summary>
    void Release(long key);

    /// <summary>How many results are held.</summary>
    int Count { get; }
}

/// <summary>A held result, with the key it is released by and the correlation data of its command.</summary>
public sealed record HeldResult(long Key, CommandResult Result, byte[]? Correlation);

/// <summary>
/// The ledger in the outbox database (table <c>commands</c>), on a connection of its own, each id committed with
/// <c>synchronous=FULL</c> before the command is applied: a command captured from the wire and published again is
/// refused as replayed, also after a restart or a power cut. Ids are forgotten once their command has expired.
/// Results that find the link down are held in the same database (table <c>held_results</c>), so a result of a
/// command applied just before the link dropped reaches the station after a restart too.
/// </summary>
public sealed class CommandLedger : ICommandLedger, IHeldResults, IDisposable
{
    private readonly SqliteConnection _db;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private int _sincePurge;

    /// <summary>Rows in <c>held_results</c>, counted at open and kept since: every answer asks, so no query per answer.</summary>
    private int _held;

    public CommandLedger(string outboxPath, TimeProvider time)
    {
        _time = time;
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = outboxPath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        _db.Open();
        using var setup = _db.CreateCommand();
        // The table is the outbox's own (its schema, made when the outbox is opened, before this).
        setup.CommandText = "PRAGMA busy_timeout=5000; PRAGMA synchronous=FULL;";
        setup.ExecuteNonQuery();
        using var count = _db.CreateCommand();
        count.CommandText = "SELECT count(*) FROM held_results";
        _held = Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
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

    public int Hold(CommandResult result, byte[]? correlation, int bound)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_lock)
        {
            using var hold = _db.CreateCommand();
            hold.CommandText = "INSERT INTO held_results(result, correlation) VALUES ($r, $c); " +
                               "DELETE FROM held_results WHERE key NOT IN (SELECT key FROM held_results ORDER BY key DESC LIMIT $bound)";
            hold.Parameters.AddWithValue("$r", Payloads.Encode(result));
            hold.Parameters.AddWithValue("$c", (object?)correlation ?? DBNull.Value);
            hold.Parameters.AddWithValue("$bound", bound);
            // Both statements' changes: the insert's one row, then the oldest given up.
            var dropped = hold.ExecuteNonQuery() - 1;
            _held += 1 - dropped;
            return dropped;
        }
    }

    public HeldResult? Oldest()
    {
        lock (_lock)
        {
            while (true)
            {
                using var oldest = _db.CreateCommand();
                oldest.CommandText = "SELECT key, result, correlation FROM held_results ORDER BY key LIMIT 1";
                using var r = oldest.ExecuteReader();
                if (!r.Read())
                {
                    return null;
                }

                var key = r.GetInt64(0);
                var correlation = r.IsDBNull(2) ? null : (byte[])r[2];
                try
                {
                    return new HeldResult(key, Payloads.DecodeResult((byte[])r[1]), correlation);
                }
                catch (System.Text.Json.JsonException)
                {
                    // A row that does not read is no result to send: dropped, and the next one taken.
                    r.Close();
                    Release(key);
                }
            }
        }
    }

    public void Release(long key)
    {
        lock (_lock)
        {
            using var release = _db.CreateCommand();
            release.CommandText = "DELETE FROM held_results WHERE key = $key";
            release.Parameters.AddWithValue("$key", key);
            _held -= release.ExecuteNonQuery();
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    public void Dispose() => _db.Dispose();
}
