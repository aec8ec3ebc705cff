using Edge.Contracts.Events;
using Edge.Contracts.Status;
using Edge.Gateway.Configuration;
using Edge.Gateway.Events;
using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Outbox;

// Over 300 lines: the store is one SQLite file with two connections; opening and checking it, its reads, and the state it loads share them.
/// <summary>
/// The durable on-disk queue: SQLite in WAL mode. One writer connection, used only by <see cref="OutboxWriter"/>'s
/// loop, commits events, acknowledgements and evictions in group transactions; one reader connection serves the
/// uplink. The seq counter lives in the same transaction as the events it numbers.
/// </summary>
public sealed class OutboxStore : IDisposable, ISourceCursors, IOutboxPressure
{
    private const int SchemaVersion = 1;
    internal const string CursorPrefix = "cursor:";
    internal const string CursorStatePrefix = "cursor-state:";
    /// <summary>How long a statement waits for a database another process holds locked (a backup, the sqlite3 tool).</summary>
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(5);

    // SQLite result codes that mean the file itself is bad. Anything else (permissions, I/O, a lock held by a backup)
    // is not corruption: it fails the start as an ordinary error, and systemd tries again.
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
    private readonly SqliteConnection _write;
    private readonly SqliteConnection _read;
    private readonly Lock _readLock = new();
    private readonly OutboxCounters _counters = new();
    private readonly OutboxCommit _commit;
    /// <summary>The uplink's read of a lane, prepared once on the read connection (under <see cref="_readLock"/>).</summary>
    private SqliteStatement? _readPending;

    /// <summary>The topics and types the uplink's reads return, one string each (under <see cref="_readLock"/>).</summary>
    private readonly RepeatedStrings _readStrings = new(MaxRepeatedStrings);

    /// <summary>Distinct topics and types kept: a gateway's devices times the categories they send, with room to spare.</summary>
    private const int MaxRepeatedStrings = 20_000;

    private OutboxStore(string path, SqliteConnection write, SqliteConnection read, OutboxOptions options)
    {
        Path = path;
        _write = write;
        _read = read;
        _commit = new OutboxCommit(write, options, _counters);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The seq of the newest committed event (0 before the first).</summary>
    public long LastSeq => _counters.LastSeq;

    /// <summary>
    /// When this outbox, and the numbering of its seq, began: a new value means seq started again at 1 (a new box, or
    /// an outbox started afresh), so the station can tell a restart from a gap. In the heartbeat as <c>seqEpoch</c>.
    /// </summary>
    public DateTimeOffset SeqEpoch { get; private set; }

    /// <summary>Why and where the unusable outbox was set aside when this one was started afresh; null otherwise.</summary>
    public OutboxRestart? Restarted { get; private set; }

    /// <summary>
    /// Opens (or creates) the outbox of <paramref name="identity"/> (community/gateway) at <paramref name="path"/>.
    /// Throws <see cref="OutboxCorruptException"/> when the file is empty, damaged, not an outbox, or another
    /// gateway's, unless <see cref="OutboxOptions.StartAfresh"/> says to set it aside and begin a new one.
    /// </summary>
    public static OutboxStore Open(string path, string identity, OutboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return OpenFile(path, identity, options);
        }
        catch (OutboxCorruptException ex) when (options.StartAfresh)
        {
            var aside = SetAside(path);
            var store = OpenFile(path, identity, options);
            store.Restarted = new OutboxRestart(ex.Detail, aside);
            return store;
        }
    }

    private static OutboxStore OpenFile(string path, string identity, OutboxOptions options)
    {
        var busy = (int)BusyTimeout.TotalMilliseconds;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var existed = File.Exists(path);
        ThrowIfEmpty(path);

        var cs = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
        SqliteConnection? write = null;
        SqliteConnection? read = null;
        try
        {
            write = new SqliteConnection(cs);
            write.Open();
            var sync = options.Durability == OutboxDurability.Full ? "FULL" : "NORMAL";
            Execute(write, $"PRAGMA busy_timeout={busy}; PRAGMA journal_mode=WAL; PRAGMA synchronous={sync}; PRAGMA temp_store=MEMORY;");
            var check = Scalar(write, "PRAGMA quick_check;") as string;
            if (check != "ok")
            {
                throw new OutboxCorruptException(path, $"integrity check failed: {check}");
            }

            if (existed)
            {
                ThrowIfNotAnOutbox(write, path);
            }

            Execute(write, Schema.Create);
            var epoch = CheckIdentity(write, path, identity, existed);
            read = new SqliteConnection(cs);
            read.Open();
            Execute(read, $"PRAGMA busy_timeout={busy};");
            var store = new OutboxStore(path, write, read, options) { SeqEpoch = epoch };
            store.LoadState();
            return store;
        }
        catch (SqliteException ex) when (IsDamage(ex))
        {
            write?.Dispose();
            read?.Dispose();
            throw new OutboxCorruptException(path, ex.Message, ex);
        }
        catch
        {
            write?.Dispose();
            read?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Refuses an outbox file that exists but holds nothing (no WAL either): SQLite would take it for a new database,
    /// and seq would restart at 1 without a word.
    /// </summary>
    internal static void ThrowIfEmpty(string path)
    {
        if (new FileInfo(path) is { Exists: true, Length: 0 } && new FileInfo(path + "-wal") is not { Exists: true, Length: > 0 })
        {
            throw new OutboxCorruptException(path, "it exists but is empty (0 bytes): the events it held and its seq are gone");
        }
    }

    /// <summary>Refuses a SQLite database without the outbox's meta table.</summary>
    internal static void ThrowIfNotAnOutbox(SqliteConnection db, string path)
    {
        if (Scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'") is not > 0L)
        {
            throw new OutboxCorruptException(path, "it is a SQLite database but not an outbox (it has no meta table)");
        }
    }

    /// <summary>True when SQLite says the file itself is bad (not a lock, permissions or I/O).</summary>
    internal static bool IsDamage(SqliteException ex) => ex.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase;

    /// <summary>Moves the outbox file and its WAL files aside, under a name with the time; returns the new name.</summary>
    private static string SetAside(string path)
    {
        // The connections of the failed open are closed: pooling is off.
        var aside = $"{path}.set-aside-{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            if (File.Exists(path + suffix))
            {
                File.Move(path + suffix, aside + suffix, overwrite: false);
            }
        }

        return aside;
    }

    /// <summary>Checks the schema and the owner, or marks a new outbox as this gateway's; returns the seq epoch.</summary>
    private static DateTimeOffset CheckIdentity(SqliteConnection db, string path, string identity, bool existed)
    {
        var version = Scalar(db, "SELECT value FROM meta WHERE key = 'schema'");
        var owner = Scalar(db, "SELECT value FROM meta WHERE key = 'identity'") as string;
        if (version is null)
        {
            if (existed)
            {
                throw new OutboxCorruptException(path, "it is a SQLite database but not an outbox (its meta table has no schema version)");
            }

            var epoch = Now();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "INSERT INTO meta(key, value) VALUES ('schema', $v), ('identity', $i), ('epoch', $e)";
            cmd.Parameters.AddWithValue("$v", SchemaVersion);
            cmd.Parameters.AddWithValue("$i", identity);
            cmd.Parameters.AddWithValue("$e", epoch.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            cmd.ExecuteNonQuery();
            return epoch;
        }

        if (Convert.ToInt64(version, System.Globalization.CultureInfo.InvariantCulture) != SchemaVersion)
        {
            throw new OutboxCorruptException(path, $"schema version {version} is not {SchemaVersion}");
        }

        if (owner != identity)
        {
            throw new OutboxCorruptException(path, $"it belongs to gateway '{owner}', not '{identity}'");
        }

        if (Scalar(db, "SELECT value FROM meta WHERE key = 'epoch'") is string text
            && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var known))
        {
            return known;
        }

        // An outbox from before epochs: its seq goes on, and from now on it has an epoch.
        var since = Now();
        using var add = db.CreateCommand();
        add.CommandText = "INSERT OR REPLACE INTO meta(key, value) VALUES ('epoch', $e)";
        add.Parameters.AddWithValue("$e", since.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        add.ExecuteNonQuery();
        return since;

        static DateTimeOffset Now()
        {
            var now = DateTimeOffset.UtcNow;
            return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        }
    }

    private void LoadState()
    {
        _counters.LoadTotals(Counter("last_seq"), Counter("evictions"), Counter("dead_letters"), Counter("expired"));
        using var cmd = _write.CreateCommand();
        cmd.CommandText = "SELECT priority, count(*), coalesce(sum(length(payload)), 0), max(seq) FROM events GROUP BY priority";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var priority = r.GetInt32(0);
            if (priority is < 0 or > 3)
            {
                throw new OutboxCorruptException(Path, $"an event has priority {priority}");
            }

            _counters.LoadLane((Priority)priority, r.GetInt64(1), r.GetInt64(2), r.GetInt64(3));
        }

        var maxSeq = Scalar(_write, "SELECT max(seq) FROM (SELECT max(seq) AS seq FROM events UNION ALL SELECT max(seq) FROM dead_letters)");
        if (maxSeq is long m && m > _counters.LastSeq)
        {
            throw new OutboxCorruptException(Path, $"an event has seq {m} beyond the counter {_counters.LastSeq}");
        }
    }

    private long Counter(string key) => Scalar(_write, $"SELECT value FROM meta WHERE key = '{key}'") is long v ? v : 0;

    /// <summary>A consistent snapshot of counters and lane depths; the oldest event is read from disk.</summary>
    public OutboxStats Stats()
    {
        var (queue, bytes) = _counters.Depth();
        DateTimeOffset? oldest = null;
        lock (_readLock)
        {
            if (Scalar(_read, "SELECT enqueued_at FROM events ORDER BY seq LIMIT 1") is long ms)
            {
                oldest = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            }
        }

        return new OutboxStats(LastSeq, queue, bytes, oldest, _counters.Evictions, _counters.DeadLetters, _counters.Expired);
    }

    /// <summary>The events waiting per lane, from the counters: no read of the file (<see cref="Stats"/> reads the oldest).</summary>
    public QueueDepth Queue => _counters.Depth().Queue;

    /// <summary>
    /// The events lost since the outbox was created, from the counters: evicted from a full outbox, refused by the
    /// broker (dead letters), gone stale before they could be sent.
    /// </summary>
    public (long Evictions, long DeadLetters, long Expired) Losses => (_counters.Evictions, _counters.DeadLetters, _counters.Expired);

    /// <summary>Events waiting in a lane, from the store's own count (no query).</summary>
    public long Pending(Priority priority) => _counters.Pending(priority);

    /// <summary>The highest seq ever committed to a lane (0 when none since the outbox was opened or loaded).</summary>
    public long LaneLastSeq(Priority priority) => _counters.LaneLastSeq(priority);

    /// <summary>How many times events were put back below the lanes' read positions (dead letters replayed).</summary>
    public long Rewinds => _counters.Rewinds;

    /// <summary>Commits the outcomes and new events of one batch in one transaction (<see cref="OutboxCommit.Commit"/>); the writer's loop only.</summary>
    internal IReadOnlyList<SubmitResult> Commit(IReadOnlyList<Outcome> outcomes, IReadOnlyList<Intake> intakes, EventFactory events) =>
        _commit.Commit(outcomes, intakes, events);

    /// <summary>
    /// Up to <paramref name="limit"/> waiting events of one lane with seq above <paramref name="afterSeq"/>, oldest
    /// first. Safe to call while the writer commits (WAL readers see the last committed state).
    /// </summary>
    public IReadOnlyList<OutboxRecord> ReadPending(Priority priority, long afterSeq, int limit)
    {
        if (_counters.Pending(priority) == 0)
        {
            return [];
        }

        var list = new List<OutboxRecord>(Math.Min(limit, 256));
        lock (_readLock)
        {
            var read = _readPending ??= new SqliteStatement(_read, "SELECT seq, topic, id, type, payload, enqueued_at, expires_at FROM events " +
                                                                   "WHERE priority = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
            try
            {
                read.Bind(1, (int)priority);
                read.Bind(2, afterSeq);
                read.Bind(3, limit);
                while (read.Step())
                {
                    list.Add(new OutboxRecord(
                        read.Int64(0), priority, read.Text(1, _readStrings), read.Uuid(2), read.Text(3, _readStrings), read.Blob(4),
                        DateTimeOffset.FromUnixTimeMilliseconds(read.Int64(5)),
                        read.IsNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(read.Int64(6))));
                }
            }
            finally
            {
                read.Reset();
            }
        }

        return list;
    }

    /// <inheritdoc />
    public SourceCursor? Cursor(string key)
    {
        lock (_readLock)
        {
            using var cmd = _read.CreateCommand();
            cmd.CommandText = "SELECT key, value FROM meta WHERE key IN ($p, $s)";
            cmd.Parameters.AddWithValue("$p", CursorPrefix + key);
            cmd.Parameters.AddWithValue("$s", CursorStatePrefix + key);
            long? position = null;
            string? state = null;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (r.GetString(0).StartsWith(CursorPrefix, StringComparison.Ordinal) && r.GetValue(1) is long p)
                {
                    position = p;
                }
                else if (r.GetValue(1) is string text)
                {
                    state = text;
                }
            }

            return position is { } at ? new SourceCursor(key, at, state) : null;
        }
    }

    /// <summary>How many events are dead-lettered now.</summary>
    public int DeadLetterCount()
    {
        lock (_readLock)
        {
            return (int)(long)Scalar(_read, "SELECT count(*) FROM dead_letters")!;
        }
    }

    /// <summary>Dead-lettered events, newest first, for operators and tests.</summary>
    public IReadOnlyList<(long Seq, string Type, int ReasonCode, string Reason)> DeadLetters(int limit = 100)
    {
        var list = new List<(long, string, int, string)>();
        lock (_readLock)
        {
            using var cmd = _read.CreateCommand();
            cmd.CommandText = "SELECT seq, type, reason_code, reason FROM dead_letters ORDER BY seq DESC LIMIT $limit";
            cmd.Parameters.AddWithValue("$limit", limit);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add((r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetString(3)));
            }
        }

        return list;
    }

    public void Dispose()
    {
        _commit.Dispose();
        lock (_readLock)
        {
            _readPending?.Dispose();
        }

        _read.Dispose();
        _write.Dispose();
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    private static class Schema
    {
        public const string Create = """
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS events(
                seq INTEGER PRIMARY KEY, priority INTEGER NOT NULL, topic TEXT NOT NULL, id TEXT NOT NULL,
                type TEXT NOT NULL, payload BLOB NOT NULL, enqueued_at INTEGER NOT NULL, expires_at INTEGER);
            CREATE INDEX IF NOT EXISTS events_lane ON events(priority, seq);
            CREATE TABLE IF NOT EXISTS dead_letters(
                seq INTEGER PRIMARY KEY, priority INTEGER NOT NULL, topic TEXT NOT NULL, id TEXT NOT NULL,
                type TEXT NOT NULL, payload BLOB NOT NULL, reason_code INTEGER NOT NULL, reason TEXT NOT NULL,
                dead_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS commands(id TEXT PRIMARY KEY, keep_until INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS held_results(key INTEGER PRIMARY KEY AUTOINCREMENT, result BLOB NOT NULL, correlation BLOB);
            """;
    }
}
