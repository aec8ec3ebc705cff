using System.Globalization;
using Edge.Contracts.Events;
using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Outbox;

/// <summary>
/// What an outbox holds, read without changing it (<c>edge-gateway status</c>): whose it is, the seq epoch and last
/// seq, the events waiting per lane and the oldest of them, the dead letters, and the devices' catch-up cursors. Safe
/// while the gateway runs: SQLite's WAL lets a reader see the last commit beside the writer.
/// </summary>
public sealed record OutboxStatus(
    string Path,
    string? Identity,
    DateTimeOffset? SeqEpoch,
    long LastSeq,
    IReadOnlyDictionary<Priority, long> Waiting,
    DateTimeOffset? OldestWaiting,
    long DeadLetters,
    long Evictions,
    long Expired,
    IReadOnlyDictionary<string, string> Cursors)
{
    /// <summary>Reads the outbox at <paramref name="path"/>; throws <see cref="OutboxCorruptException"/> when it is not one.</summary>
    public static OutboxStatus Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no outbox at '{path}'", path);
        }

        OutboxStore.ThrowIfEmpty(path);

        var cs = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        try
        {
            using var db = new SqliteConnection(cs);
            db.Open();
            OutboxStore.ThrowIfNotAnOutbox(db, path);

            var meta = new Dictionary<string, object?>(StringComparer.Ordinal);
            using (var cmd = db.CreateCommand())
            {
                cmd.CommandText = "SELECT key, value FROM meta";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    meta[r.GetString(0)] = r.IsDBNull(1) ? null : r.GetValue(1);
                }
            }

            var waiting = PriorityNames.All.ToDictionary(p => p, _ => 0L);
            using (var cmd = db.CreateCommand())
            {
                cmd.CommandText = "SELECT priority, count(*) FROM events GROUP BY priority";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    waiting[(Priority)r.GetInt32(0)] = r.GetInt64(1);
                }
            }

            var oldest = Scalar(db, "SELECT min(enqueued_at) FROM events") is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
            var cursors = meta.Where(m => m.Key.StartsWith(OutboxStore.CursorPrefix, StringComparison.Ordinal))
                .ToDictionary(m => m.Key[OutboxStore.CursorPrefix.Length..], m => Convert.ToString(m.Value, CultureInfo.InvariantCulture) ?? "", StringComparer.Ordinal);
            return new OutboxStatus(
                path,
                meta.GetValueOrDefault("identity") as string,
                meta.GetValueOrDefault("epoch") is string e && DateTimeOffset.TryParse(e, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var epoch) ? epoch : null,
                Number(meta, "last_seq"),
                waiting,
                oldest,
                Scalar(db, "SELECT count(*) FROM dead_letters") is long dead ? dead : 0,
                Number(meta, "evictions"),
                Number(meta, "expired"),
                cursors);
        }
        catch (SqliteException ex) when (OutboxStore.IsDamage(ex))
        {
            throw new OutboxCorruptException(path, ex.Message, ex);
        }
    }

    private static long Number(Dictionary<string, object?> meta, string key) => meta.GetValueOrDefault(key) is long n ? n : 0;

    private static object? Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
