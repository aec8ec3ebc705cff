using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Gateway.Events;
using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Outbox;

/// <summary>The write side: one group transaction per call, used only by the writer loop.</summary>
public sealed partial class OutboxStore
{
    private SqliteCommand? _insert;
    private SqliteCommand? _delete;
    private SqliteCommand? _oldestOfLane;
    private SqliteCommand? _toDeadLetter;
    private SqliteCommand? _setCounter;

    /// <summary>
    /// Commits, in one transaction: the outcomes of sent events, then the new events in order (each numbered, made
    /// into its payload, and stored, evicting lower-priority events when the store is full). Returns one result per
    /// intake item. On failure nothing is committed and the in-memory counters are left as they were.
    /// </summary>
    internal IReadOnlyList<SubmitResult> Commit(
        IReadOnlyList<Completion> completions, IReadOnlyList<Intake> intakes, string community, string gateway)
    {
        PrepareCommands();
        var before = CaptureCounters();
        var results = new SubmitResult[intakes.Count];
        using var tx = _write.BeginTransaction();
        try
        {
            SetTransaction(tx);
            foreach (var c in completions)
            {
                Apply(c);
            }

            for (var i = 0; i < intakes.Count; i++)
            {
                results[i] = Insert(intakes[i], community, gateway);
            }

            WriteCounters(before);
            tx.Commit();
            return results;
        }
        catch
        {
            RestoreCounters(before);
            throw;
        }
    }

    private void Apply(Completion c)
    {
        switch (c.Kind)
        {
            case CompletionKind.Delivered:
                Delete(c.Seq);
                break;
            case CompletionKind.Expired:
                if (Delete(c.Seq))
                {
                    _expired++;
                }

                break;
            case CompletionKind.DeadLetter:
                _toDeadLetter!.Parameters["$s"].Value = c.Seq;
                _toDeadLetter.Parameters["$code"].Value = c.ReasonCode;
                _toDeadLetter.Parameters["$reason"].Value = c.Reason ?? "";
                _toDeadLetter.Parameters["$at"].Value = c.At.ToUnixTimeMilliseconds();
                if (_toDeadLetter.ExecuteNonQuery() > 0 && Delete(c.Seq))
                {
                    _deadLetters++;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(c), c.Kind, "unknown completion");
        }
    }

    private SubmitResult Insert(Intake intake, string community, string gateway)
    {
        var d = intake.Draft;
        var seq = _lastSeq + 1;
        // Timestamps are kept to the millisecond the contract carries, so the event returned equals the one published.
        var observedAt = ToMilliseconds(intake.ObservedAt);
        var e = new EdgeEvent(Guid.CreateVersion7(observedAt), seq, d.Type, d.Priority, community, gateway, d.Device,
            d.State, ToMilliseconds(d.OccurredAt), observedAt, d.Data);
        var payload = Payloads.Encode(e);
        if (!MakeRoom(d.Priority, payload.Length))
        {
            _evictions++;
            return new SubmitResult(null);
        }

        DateTimeOffset? expires = d.Priority != Priority.Critical && d.ExpireAfter is { } after ? intake.ObservedAt + after : null;
        var p = _insert!.Parameters;
        p["$seq"].Value = seq;
        p["$p"].Value = (int)d.Priority;
        p["$topic"].Value = Topic.Event(e);
        p["$id"].Value = e.Id.ToString();
        p["$type"].Value = d.Type;
        p["$payload"].Value = payload;
        p["$at"].Value = intake.ObservedAt.ToUnixTimeMilliseconds();
        p["$exp"].Value = expires is { } x ? x.ToUnixTimeMilliseconds() : DBNull.Value;
        _insert.ExecuteNonQuery();
        _lastSeq = seq;
        lock (_statsLock)
        {
            _laneCount[(int)d.Priority]++;
            _pendingBytes += payload.Length;
        }

        return new SubmitResult(e);
    }

    /// <summary>
    /// Frees room for an event of <paramref name="size"/> bytes: the lowest-priority, oldest non-critical events go
    /// first. False when the incoming event is itself the lowest (it is then not stored). Critical events are always
    /// stored, beyond the bound if everything stored is critical.
    /// </summary>
    private bool MakeRoom(Priority incoming, int size)
    {
        while (_pendingBytes + size > _options.MaxBytes)
        {
            var victimLane = LowestNonEmptyNonCriticalLane();
            if (victimLane is null)
            {
                return incoming == Priority.Critical;
            }

            if (incoming != Priority.Critical && incoming > victimLane.Value)
            {
                return false;
            }

            _oldestOfLane!.Parameters["$p"].Value = (int)victimLane.Value;
            var seq = (long)_oldestOfLane.ExecuteScalar()!;
            Delete(seq);
            _evictions++;
        }

        return true;
    }

    private Priority? LowestNonEmptyNonCriticalLane()
    {
        lock (_statsLock)
        {
            for (var lane = Priority.Low; lane > Priority.Critical; lane--)
            {
                if (_laneCount[(int)lane] > 0)
                {
                    return lane;
                }
            }
        }

        return null;
    }

    private static DateTimeOffset ToMilliseconds(DateTimeOffset t) =>
        DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());

    private bool Delete(long seq)
    {
        _delete!.Parameters["$s"].Value = seq;
        using var r = _delete.ExecuteReader();
        if (!r.Read())
        {
            return false;
        }

        var lane = r.GetInt32(0);
        var bytes = r.GetInt64(1);
        lock (_statsLock)
        {
            _laneCount[lane]--;
            _pendingBytes -= bytes;
        }

        return true;
    }

    private void PrepareCommands()
    {
        if (_insert is not null)
        {
            return;
        }

        _insert = Command("INSERT INTO events(seq, priority, topic, id, type, payload, enqueued_at, expires_at) " +
                          "VALUES ($seq, $p, $topic, $id, $type, $payload, $at, $exp)",
            "$seq", "$p", "$topic", "$id", "$type", "$payload", "$at", "$exp");
        _delete = Command("DELETE FROM events WHERE seq = $s RETURNING priority, length(payload)", "$s");
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
        _insert!.Transaction = tx;
        _delete!.Transaction = tx;
        _oldestOfLane!.Transaction = tx;
        _toDeadLetter!.Transaction = tx;
        _setCounter!.Transaction = tx;
    }

    private Counters CaptureCounters()
    {
        lock (_statsLock)
        {
            return new Counters(_lastSeq, _evictions, _deadLetters, _expired, _pendingBytes, (long[])_laneCount.Clone());
        }
    }

    private void RestoreCounters(Counters c)
    {
        lock (_statsLock)
        {
            _lastSeq = c.LastSeq;
            _evictions = c.Evictions;
            _deadLetters = c.DeadLetters;
            _expired = c.Expired;
            _pendingBytes = c.PendingBytes;
            c.Lanes.CopyTo(_laneCount, 0);
        }
    }

    private void WriteCounters(Counters before)
    {
        SetCounter("last_seq", _lastSeq, before.LastSeq);
        SetCounter("evictions", _evictions, before.Evictions);
        SetCounter("dead_letters", _deadLetters, before.DeadLetters);
        SetCounter("expired", _expired, before.Expired);
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

    private sealed record Counters(long LastSeq, long Evictions, long DeadLetters, long Expired, long PendingBytes, long[] Lanes);
}
