using Edge.Contracts.Events;
using Edge.Gateway.Events;
using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Outbox;

// Over 300 lines: one write transaction (new events, deliveries, dead letters and their replay, evictions, counters) on the one write connection, whose prepared commands all its parts share.
/// <summary>
/// The outbox's write side, used only by the writer's loop: one transaction per call, with its prepared statements on
/// the write connection, the durability each commit needs, and the counters it changes (put back if it fails).
/// </summary>
internal sealed class OutboxCommit(SqliteConnection write, OutboxOptions options, OutboxCounters counters) : IDisposable
{
    private readonly SqliteConnection _write = write;
    private readonly OutboxOptions _options = options;
    private readonly OutboxCounters _counters = counters;
    private SqliteStatement? _insert;
    private SqliteStatement? _deleteRun;
    private readonly List<long> _delivered = [];
    private SqliteCommand? _oldestOfLane;
    private SqliteCommand? _toDeadLetter;
    private SqliteCommand? _setCounter;
    private OutboxDurability _sync = options.Durability;

    /// <summary>
    /// Commits, in one transaction: the outcomes of sent events, then the new events in order (each numbered, made
    /// into its payload, and stored, evicting lower-priority events when the store is full). Returns one result per
    /// intake item. On failure nothing is committed and the in-memory counters are left as they were.
    /// </summary>
    public IReadOnlyList<SubmitResult> Commit(IReadOnlyList<Outcome> outcomes, IReadOnlyList<Intake> intakes, EventFactory events)
    {
        PrepareCommands();
        UseSync(intakes.Count > 0 || outcomes.Any(c => c.Kind is OutcomeKind.DeadLetter or OutcomeKind.ReplayDeadLetters) ? _options.Durability : OutboxDurability.Normal);
        var before = _counters.Capture();
        var results = new SubmitResult[intakes.Count];
        using var tx = _write.BeginTransaction();
        try
        {
            SetTransaction(tx);
            DeleteDelivered(outcomes);
            foreach (var c in outcomes)
            {
                Apply(c);
            }

            for (var i = 0; i < intakes.Count; i++)
            {
                results[i] = Insert(intakes[i], events);
            }

            WriteCounters(before);
            tx.Commit();
            if (outcomes.Any(c => c.Kind == OutcomeKind.ReplayDeadLetters))
            {
                // Only now can the uplink read them: it starts its lanes again from the beginning.
                _counters.Rewound();
            }

            return results;
        }
        catch
        {
            _counters.Restore(before);
            throw;
        }
    }

    private void Apply(Outcome c)
    {
        switch (c.Kind)
        {
            case OutcomeKind.Delivered:
            case OutcomeKind.Barrier:
                break;
            case OutcomeKind.ReplayDeadLetters:
                ReplayDeadLetters(c.At);
                break;
            case OutcomeKind.Expired:
                if (Delete(c.Seq))
                {
                    _counters.ExpiredOne();
                }

                break;
            case OutcomeKind.DeadLetter:
                _toDeadLetter!.Parameters["$s"].Value = c.Seq;
                _toDeadLetter.Parameters["$code"].Value = c.ReasonCode;
                _toDeadLetter.Parameters["$reason"].Value = c.Reason ?? "";
                _toDeadLetter.Parameters["$at"].Value = c.At.ToUnixTimeMilliseconds();
                if (_toDeadLetter.ExecuteNonQuery() > 0 && Delete(c.Seq))
                {
                    _counters.DeadLettered();
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(c), c.Kind, "unknown outcome");
        }
    }

    /// <summary>Moves every dead letter back to the events table with its seq and priority; the lanes' counts follow.</summary>
    private void ReplayDeadLetters(DateTimeOffset at)
    {
        using var lanes = _write.CreateCommand();
        lanes.CommandText = "SELECT priority, count(*), coalesce(sum(length(payload)), 0), max(seq) FROM dead_letters GROUP BY priority";
        var moved = new List<(int Priority, long Count, long Bytes, long MaxSeq)>();
        using (var reader = lanes.ExecuteReader())
        {
            while (reader.Read())
            {
                moved.Add((reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
            }
        }

        using var move = _write.CreateCommand();
        move.CommandText = "INSERT OR IGNORE INTO events(seq, priority, topic, id, type, payload, enqueued_at, expires_at) " +
                           "SELECT seq, priority, topic, id, type, payload, $at, NULL FROM dead_letters; DELETE FROM dead_letters;";
        move.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        move.ExecuteNonQuery();
        foreach (var (priority, count, bytes, maxSeq) in moved)
        {
            _counters.Replayed(priority, count, bytes, maxSeq);
        }
    }

    private SubmitResult Insert(Intake intake, EventFactory events)
    {
        var d = intake.Draft;
        var seq = _counters.LastSeq + 1;
        var (e, payload, topic) = events.Make(d, seq, intake.ObservedAt);
        if (d.Cursor is { } cursor)
        {
            // Taken from the device, stored or not: a dropped event is not asked for again after a restart.
            _setCounter!.Parameters["$k"].Value = OutboxStore.CursorPrefix + cursor.Key;
            _setCounter.Parameters["$v"].Value = cursor.Position;
            _setCounter.ExecuteNonQuery();
            _setCounter.Parameters["$k"].Value = OutboxStore.CursorStatePrefix + cursor.Key;
            _setCounter.Parameters["$v"].Value = (object?)cursor.State ?? DBNull.Value;
            _setCounter.ExecuteNonQuery();
        }

        if (!MakeRoom(d.Priority, payload.Length))
        {
            _counters.Evicted();
            return new SubmitResult(null);
        }

        DateTimeOffset? expires = d.Priority != Priority.Critical && d.ExpireAfter is { } after ? intake.ObservedAt + after : null;
        var insert = _insert!;
        try
        {
            insert.Bind(1, seq);
            insert.Bind(2, (int)d.Priority);
            insert.BindText(3, topic);
            Span<byte> id = stackalloc byte[36];
            e.Id.TryFormat(id, out var idLength);
            insert.BindText(4, id[..idLength]);
            insert.BindText(5, d.Type);
            insert.BindBlob(6, payload.Span);
            insert.Bind(7, e.ObservedAt.ToUnixTimeMilliseconds());
            insert.Bind(8, expires?.ToUnixTimeMilliseconds());
            insert.Step();
        }
        finally
        {
            insert.Reset();
        }

        _counters.Added(d.Priority, seq, payload.Length);

        return new SubmitResult(e);
    }

    /// <summary>
    /// Frees room for an event of <paramref name="size"/> bytes: the lowest-priority, oldest non-critical events go
    /// first. False when the incoming event is itself the lowest (it is then not stored). Critical events are always
    /// stored, beyond the bound if everything stored is critical.
    /// </summary>
    private bool MakeRoom(Priority incoming, int size)
    {
        while (_counters.Bytes + size > _options.MaxBytes)
        {
            var victim = _counters.LowestNonCriticalWaiting();
            if (victim is null)
            {
                return incoming == Priority.Critical;
            }

            if (incoming != Priority.Critical && incoming > victim.Value)
            {
                return false;
            }

            _oldestOfLane!.Parameters["$p"].Value = (int)victim.Value;
            var seq = (long)_oldestOfLane.ExecuteScalar()!;
            Delete(seq);
            _counters.Evicted();
        }

        return true;
    }

    /// <summary>
    /// Removes the delivered events of the batch, one statement per run of consecutive seqs (in a flood, one lane's
    /// events are numbered one after another, so a batch is a run or a few). Each row removed is counted from what it
    /// held, so an event already gone (expired, evicted) changes nothing.
    /// </summary>
    private void DeleteDelivered(IReadOnlyList<Outcome> outcomes)
    {
        _delivered.Clear();
        foreach (var c in outcomes)
        {
            if (c.Kind == OutcomeKind.Delivered)
            {
                _delivered.Add(c.Seq);
            }
        }

        _delivered.Sort();
        var first = 0;
        for (var i = 1; i <= _delivered.Count; i++)
        {
            if (i < _delivered.Count && _delivered[i] <= _delivered[i - 1] + 1)
            {
                continue;
            }

            DeleteRun(_delivered[first], _delivered[i - 1]);
            first = i;
        }
    }

    /// <summary>Removes the events with seqs <paramref name="from"/> to <paramref name="to"/>, counting each; returns how many there were.</summary>
    private int DeleteRun(long from, long to)
    {
        var delete = _deleteRun!;
        var removed = 0;
        try
        {
            delete.Bind(1, from);
            delete.Bind(2, to);
            while (delete.Step())
            {
                _counters.Removed(delete.Int32(0), delete.Int64(1));
                removed++;
            }
        }
        finally
        {
            delete.Reset();
        }

        return removed;
    }

    private bool Delete(long seq) => DeleteRun(seq, seq) > 0;

    /// <summary>
    /// New events need the configured durability (FULL: fsync per commit). Removing delivered events does not: if the
    /// removal is lost to a power cut the event is sent again and the station drops the duplicate by id. WAL frames are
    /// written in order, so the next FULL commit makes the earlier ones durable too.
    /// </summary>
    private void UseSync(OutboxDurability durability)
    {
        if (durability == _sync)
        {
            return;
        }

        using var cmd = _write.CreateCommand();
        cmd.CommandText = durability == OutboxDurability.Full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
        cmd.ExecuteNonQuery();
        _sync = durability;
    }

    private void PrepareCommands()
    {
        if (_insert is not null)
        {
            return;
        }

        _insert = new SqliteStatement(_write, "INSERT INTO events(seq, priority, topic, id, type, payload, enqueued_at, expires_at) " +
                                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        _deleteRun = new SqliteStatement(_write, "DELETE FROM events WHERE seq BETWEEN ?1 AND ?2 RETURNING priority, length(payload)");
        _oldestOfLane = Command("SELECT seq FROM events WHERE priority = $p ORDER BY seq LIMIT 1", "$p");
        _toDeadLetter = Command("INSERT OR IGNORE INTO dead_letters(seq, priority, topic, id, type, payload, reason_code, reason, dead_at) " +
                                "SELECT seq, priority, topic, id, type, payload, $code, $reason, $at FROM events WHERE seq = $s",
            "$s", "$code", "$reason", "$at");
        _setCounter = Command("INSERT INTO meta(key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            "$k", "$v");
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var cmd = _write.CreateCommand();
        cmd.CommandText = sql;
        foreach (var name in parameters)
        {
            cmd.Parameters.Add(new SqliteParameter(name, null));
        }

        return cmd;
    }

    private void SetTransaction(SqliteTransaction tx)
    {
        _oldestOfLane!.Transaction = tx;
        _toDeadLetter!.Transaction = tx;
        _setCounter!.Transaction = tx;
    }

    private void WriteCounters(OutboxCounters.Copy before)
    {
        SetCounter("last_seq", _counters.LastSeq, before.LastSeq);
        SetCounter("evictions", _counters.Evictions, before.Evictions);
        SetCounter("dead_letters", _counters.DeadLetters, before.DeadLetters);
        SetCounter("expired", _counters.Expired, before.Expired);
    }

    private void SetCounter(string key, long value, long before)
    {
        if (value == before)
        {
            return;
        }

        _setCounter!.Parameters["$k"].Value = key;
        _setCounter.Parameters["$v"].Value = value;
        _setCounter.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _insert?.Dispose();
        _deleteRun?.Dispose();
        _oldestOfLane?.Dispose();
        _toDeadLetter?.Dispose();
        _setCounter?.Dispose();
    }
}
