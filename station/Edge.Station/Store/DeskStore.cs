using System.Text;
using System.Text.Json;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Status;
using Edge.Station.Alarms;
using Edge.Station.Ingest;
using System.Data.Common;

namespace Edge.Station.Store;

// Over 300 lines: the desk's one store: the ingest's batch writes, the alarms' steps and escalations, and the queries the page and API read, once for both databases.
/// <summary>
/// The desk's store: every event as received (deduplicated by id), the alarms and their steps, escalations, gateways
/// with their status, heartbeat and seq, the devices offline, pictures (bounded), the audit log and the quarantine. It
/// keeps them in a <see cref="DeskDatabase"/>: SQLite (<c>desk.db</c> in the data directory), or PostgreSQL shared by
/// several desks. Every write is one transaction that takes its turn (<see cref="DeskDatabase.TakeTurn"/>) and, on a
/// shared database, announces what it changed to the other desks; reads open their own connections.
/// </summary>
public sealed class DeskStore : IDisposable
{
    private readonly DeskDatabase _db;
    private readonly long _picturesKeepBytes;
    private readonly Lock _lock = new();

    /// <summary>A desk's own SQLite store in <paramref name="directory"/>.</summary>
    public DeskStore(string directory, long picturesKeepBytes)
        : this(new SqliteDeskDatabase(directory), picturesKeepBytes)
    {
    }

    /// <summary>A store in <paramref name="database"/>, which it migrates now and disposes of with itself.</summary>
    public DeskStore(DeskDatabase database, long picturesKeepBytes)
    {
        ArgumentNullException.ThrowIfNull(database);
        _db = database;
        _picturesKeepBytes = picturesKeepBytes;
        try
        {
            _db.Migrate();
        }
        catch
        {
            _db.Dispose();
            throw;
        }
    }

    public DeskDatabase Database => _db;

    /// <summary>This store's own mark on the news it announces, so it does not hear its own.</summary>
    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction that takes its turn among every desk's writers, then
    /// announces what it changed to the other desks (on a shared database) and commits.
    /// </summary>
    private T Write<T>(Func<DbTransaction, StoreChanges, T> work)
    {
        lock (_lock)
        {
            using var c = _db.OpenWrite();
            using var tx = c.BeginTransaction();
            _db.TakeTurn(tx);
            var changes = new StoreChanges();
            var result = work(tx, changes);
            if (_db.Shared)
            {
                foreach (var news in changes.ToNews(Id))
                {
                    _db.Announce(tx, news);
                }
            }

            tx.Commit();
            return result;
        }
    }

    /// <summary>
    /// Stores one batch from the broker in one transaction (the broker is told only after it): events once each by id,
    /// alarms from critical events that begin, restorations, statuses, heartbeats, pictures, results, quarantine.
    /// </summary>
    public StoreChanges Ingest(IReadOnlyList<Inbound> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Write((tx, changes) =>
        {
            // Counters and seq ranges are added up over the batch and written once: a round trip per event fewer.
            var tally = new Tally();
            foreach (var item in batch)
            {
                switch (item)
                {
                    case InboundEvent e:
                        StoreEvent(tx, e, changes, tally);
                        break;
                    case InboundStatus s:
                        Run(tx, "INSERT INTO gateways(community, gateway, online, reason, status_at) VALUES (@c, @g, @o, @r, @at) " +
                                "ON CONFLICT (community, gateway) DO UPDATE SET online = excluded.online, reason = excluded.reason, status_at = excluded.status_at " +
                                "WHERE coalesce(gateways.status_at, 0) <= excluded.status_at",
                            ("@c", s.Community), ("@g", s.Gateway), ("@o", s.Status.State == GatewayState.Online ? 1 : 0),
                            ("@r", s.Status.Reason), ("@at", s.Status.At.ToUnixTimeMilliseconds()));
                        changes.Gateways.Add((s.Community, s.Gateway));
                        break;
                    case InboundHeartbeat h:
                        Run(tx, "INSERT INTO gateways(community, gateway, heartbeat_at, heartbeat) VALUES (@c, @g, @at, @h) " +
                                "ON CONFLICT (community, gateway) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, heartbeat = excluded.heartbeat " +
                                "WHERE coalesce(gateways.heartbeat_at, 0) <= excluded.heartbeat_at",
                            ("@c", h.Community), ("@g", h.Gateway), ("@at", h.Heartbeat.At.ToUnixTimeMilliseconds()),
                            ("@h", Encoding.UTF8.GetString(Payloads.Encode(h.Heartbeat))));
                        changes.Gateways.Add((h.Community, h.Gateway));
                        break;
                    case InboundPicture p:
                        StorePicture(tx, p, changes, tally);
                        break;
                    case InboundResult r when r.Result.CommandId is { } id:
                        var alarm = Scalar(tx, "UPDATE steps SET outcome = @o, reason = @r WHERE command_id = @id RETURNING alarm_id",
                            ("@o", r.Result.Outcome), ("@r", r.Result.Reason), ("@id", id.ToString()));
                        tally.Count("results");
                        if (alarm is string a)
                        {
                            changes.Alarms.Add(Guid.Parse(a));
                        }

                        break;
                    case InboundResult:
                        tally.Count("results");
                        break;
                    case Quarantined q:
                        Run(tx, "INSERT INTO quarantine(at, topic, reason, size, head) VALUES (@at, @t, @r, @n, @h)",
                            ("@at", q.ReceivedAt.ToUnixTimeMilliseconds()), ("@t", q.Topic), ("@r", q.Reason), ("@n", q.Payload.Length),
                            ("@h", q.Payload.AsSpan(0, Math.Min(q.Payload.Length, 512)).ToArray()));
                        tally.Count("quarantined");
                        break;
                }
            }

            tally.Write(tx);
            return changes;
        });
    }

    /// <summary>What a batch adds to the counters and to each gateway's seq range, written once at its end.</summary>
    private sealed class Tally
    {
        private readonly Dictionary<string, long> _counts = [];
        private readonly Dictionary<(string Community, string Gateway), (long Min, long Max, long Count)> _seqs = [];

        public void Count(string key) => _counts[key] = _counts.GetValueOrDefault(key) + 1;

        public void Seq(string community, string gateway, long seq) =>
            _seqs[(community, gateway)] = _seqs.TryGetValue((community, gateway), out var r) ? (Math.Min(r.Min, seq), Math.Max(r.Max, seq), r.Count + 1) : (seq, seq, 1);

        public void Write(DbTransaction tx)
        {
            foreach (var ((community, gateway), (min, max, count)) in _seqs)
            {
                Run(tx, "INSERT INTO gateways(community, gateway, min_seq, max_seq, seq_count) VALUES (@c, @g, @min, @max, @n) " +
                        "ON CONFLICT (community, gateway) DO UPDATE SET " +
                        "min_seq = CASE WHEN gateways.min_seq IS NULL OR excluded.min_seq < gateways.min_seq THEN excluded.min_seq ELSE gateways.min_seq END, " +
                        "max_seq = CASE WHEN excluded.max_seq > gateways.max_seq THEN excluded.max_seq ELSE gateways.max_seq END, " +
                        "seq_count = gateways.seq_count + excluded.seq_count",
                    ("@c", community), ("@g", gateway), ("@min", min), ("@max", max), ("@n", count));
            }

            foreach (var (key, n) in _counts)
            {
                DeskStore.Count(tx, key, n);
            }
        }
    }

    private static void StoreEvent(DbTransaction tx, InboundEvent item, StoreChanges changes, Tally tally)
    {
        var e = item.Event;
        var inserted = Run(tx, "INSERT INTO events(id, community, gateway, seq, type, priority, device, state, occurred_at, observed_at, received_at, payload) " +
                               "VALUES (@id, @c, @g, @seq, @t, @p, @d, @s, @occ, @obs, @rcv, @payload) ON CONFLICT DO NOTHING",
            ("@id", e.Id.ToString()), ("@c", e.Community), ("@g", e.Gateway), ("@seq", e.Seq), ("@t", e.Type), ("@p", (int)e.Priority),
            ("@d", e.Device.Id), ("@s", State(e.State)), ("@occ", e.OccurredAt.ToUnixTimeMilliseconds()),
            ("@obs", e.ObservedAt.ToUnixTimeMilliseconds()), ("@rcv", item.ReceivedAt.ToUnixTimeMilliseconds()), ("@payload", item.Payload));
        if (inserted == 0)
        {
            tally.Count("duplicates");
            return;
        }

        tally.Count("events");
        tally.Seq(e.Community, e.Gateway, e.Seq);
        changes.Gateways.Add((e.Community, e.Gateway));

        if (e.Type == EventTypes.DeviceOffline)
        {
            Run(tx, "INSERT INTO devices_offline(community, gateway, device, since) VALUES (@c, @g, @d, @at) ON CONFLICT DO NOTHING",
                ("@c", e.Community), ("@g", e.Gateway), ("@d", e.Device.Id), ("@at", e.OccurredAt.ToUnixTimeMilliseconds()));
        }
        else if (e.Type == EventTypes.DeviceOnline)
        {
            Run(tx, "DELETE FROM devices_offline WHERE community = @c AND gateway = @g AND device = @d",
                ("@c", e.Community), ("@g", e.Gateway), ("@d", e.Device.Id));
        }

        if (e.Priority != Priority.Critical)
        {
            return;
        }

        if (e.State == EventState.Restored)
        {
            // The device is back to normal: the alarm stays until the police resolve it, but the page says so.
            var restored = Scalar(tx, "UPDATE alarms SET restored_at = @at WHERE id = (SELECT id FROM alarms WHERE community = @c AND gateway = @g " +
                                      "AND device = @d AND type = @t AND restored_at IS NULL AND occurred_at <= @at ORDER BY raised_at DESC LIMIT 1) RETURNING id",
                ("@at", e.OccurredAt.ToUnixTimeMilliseconds()), ("@c", e.Community), ("@g", e.Gateway), ("@d", e.Device.Id), ("@t", e.Type));
            if (restored is string id)
            {
                changes.Alarms.Add(Guid.Parse(id));
            }

            return;
        }

        Run(tx, "INSERT INTO alarms(id, community, gateway, device, device_json, type, priority, state, raised_at, occurred_at, received_at) " +
                "VALUES (@id, @c, @g, @d, @dj, @t, @p, 'open', @raised, @occ, @rcv)",
            ("@id", e.Id.ToString()), ("@c", e.Community), ("@g", e.Gateway), ("@d", e.Device.Id),
            ("@dj", JsonSerializer.Serialize(e.Device, EdgeJsonContext.Default.DeviceRef)), ("@t", e.Type), ("@p", "critical"),
            ("@raised", RaisedAt(e).ToUnixTimeMilliseconds()), ("@occ", e.OccurredAt.ToUnixTimeMilliseconds()),
            ("@rcv", item.ReceivedAt.ToUnixTimeMilliseconds()));
        tally.Count("alarms");
        changes.Alarms.Add(e.Id);

        // Desks that compete for the messages may store the device's return before its alarm: the alarm then takes
        // the earliest return after it that no other alarm of the device has taken.
        Run(tx, "UPDATE alarms SET restored_at = (SELECT min(r.occurred_at) FROM events r WHERE r.community = @c AND r.gateway = @g AND r.device = @d " +
                "AND r.type = @t AND r.state = 'restored' AND r.occurred_at >= @occ AND NOT EXISTS (SELECT 1 FROM alarms o WHERE o.community = @c " +
                "AND o.gateway = @g AND o.device = @d AND o.type = @t AND o.restored_at = r.occurred_at)) WHERE id = @id",
            ("@c", e.Community), ("@g", e.Gateway), ("@d", e.Device.Id), ("@t", e.Type), ("@occ", e.OccurredAt.ToUnixTimeMilliseconds()), ("@id", e.Id.ToString()));
    }

    /// <summary>
    /// When the alarm happened, for its 1-3-5 clocks: the device's time, but never after the gateway took it in, and
    /// never more than a day before (a device clock gone wrong must not make an alarm overdue at once, or never).
    /// </summary>
    public static DateTimeOffset RaisedAt(EdgeEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var earliest = e.ObservedAt - TimeSpan.FromDays(1);
        return e.OccurredAt > e.ObservedAt ? e.ObservedAt : e.OccurredAt < earliest ? e.ObservedAt : e.OccurredAt;
    }

    private void StorePicture(DbTransaction tx, InboundPicture p, StoreChanges changes, Tally tally)
    {
        // The same picture again (a redelivery, or the other desk's copy): kept once.
        if (Scalar(tx, "SELECT 1 FROM pictures WHERE event_id = @e AND size = @n AND jpeg = @j",
                ("@e", p.EventId.ToString()), ("@n", p.Jpeg.Length), ("@j", p.Jpeg)) is not null)
        {
            tally.Count("duplicates");
            return;
        }

        var id = Scalar(tx, "INSERT INTO pictures(event_id, community, gateway, received_at, size, jpeg) VALUES (@e, @c, @g, @at, @n, @j) RETURNING id",
            ("@e", p.EventId.ToString()), ("@c", p.Community), ("@g", p.Gateway), ("@at", p.ReceivedAt.ToUnixTimeMilliseconds()),
            ("@n", p.Jpeg.Length), ("@j", p.Jpeg));
        tally.Count("pictures");
        changes.Pictures.Add((p.EventId, Convert.ToString(id, System.Globalization.CultureInfo.InvariantCulture)!));
        if (Scalar(tx, "SELECT 1 FROM alarms WHERE id = @e", ("@e", p.EventId.ToString())) is not null)
        {
            changes.Alarms.Add(p.EventId);
        }

        // Bounded: the oldest pictures go once all of them pass the configured size.
        Run(tx, "DELETE FROM pictures WHERE id IN (SELECT id FROM (SELECT id, sum(size) OVER (ORDER BY id DESC) AS total FROM pictures) AS kept WHERE total > @keep)",
            ("@keep", _picturesKeepBytes));
    }

    /// <summary>
    /// Records a step on an open alarm by an operator, with the command that carries it (if any), and audits it. Null,
    /// with the reason, when the step is not one the alarm may take now.
    /// </summary>
    public (AlarmView? Alarm, string? Problem) TakeStep(Guid alarmId, string step, string by, Guid? commandId, DateTimeOffset now)
    {
        // Checked in the write's turn: two desks taking the same step at once record it once, and the later one is told.
        var problem = Write((tx, changes) =>
        {
            var alarm = Alarms(tx.Connection!, tx, "WHERE a.id = @id", now, ("@id", alarmId.ToString())).FirstOrDefault();
            if (alarm is null)
            {
                return "no such alarm";
            }

            if (!alarm.Next.Contains(step))
            {
                var last = alarm.Steps.Count > 0 ? alarm.Steps[^1] : null;
                var taken = last is null ? "" : $"; {last.Step} was taken by {last.By} at {last.At:HH:mm:ss}";
                return $"'{step}' is not a step this alarm can take now (next: {string.Join(", ", alarm.Next)}){taken}";
            }

            Run(tx, "INSERT INTO steps(alarm_id, step, at, \"by\", command_id) VALUES (@a, @s, @at, @by, @cmd)",
                ("@a", alarmId.ToString()), ("@s", step), ("@at", now.ToUnixTimeMilliseconds()), ("@by", by), ("@cmd", commandId?.ToString()));
            if (step == AlarmSteps.Resolve)
            {
                Run(tx, "UPDATE alarms SET state = 'resolved' WHERE id = @a", ("@a", alarmId.ToString()));
            }

            AuditIn(tx, now, by, step, alarmId.ToString(), commandId is { } c ? $"command {c}" : null);
            changes.Alarms.Add(alarmId);
            return null;
        });
        return problem is null ? (Alarm(alarmId, now), null) : (null, problem);
    }

    /// <summary>Sets what became of a step's command when no answer will come from the gateway (it was never sent).</summary>
    public void CommandOutcome(Guid commandId, string outcome, string reason) =>
        Write((tx, changes) =>
        {
            if (Scalar(tx, "UPDATE steps SET outcome = @o, reason = @r WHERE command_id = @id RETURNING alarm_id",
                    ("@o", outcome), ("@r", reason), ("@id", commandId.ToString())) is string alarm)
            {
                changes.Alarms.Add(Guid.Parse(alarm));
            }

            return 0;
        });

    /// <summary>Records the escalation of an overdue step, once per step (whichever desk is first): true the first time.</summary>
    public bool Escalate(Guid alarmId, string step, DateTimeOffset now) =>
        Write((tx, changes) =>
        {
            // Looked at again in the write's turn: another desk may have taken the step since this desk read the alarm.
            var alarm = Alarms(tx.Connection!, tx, "WHERE a.id = @id", now, ("@id", alarmId.ToString())).FirstOrDefault();
            if (alarm is null || alarm.State != "open" || !alarm.Overdue.Contains(step))
            {
                return false;
            }

            var added = Run(tx, "INSERT INTO escalations(alarm_id, step, at) VALUES (@a, @s, @at) ON CONFLICT DO NOTHING",
                ("@a", alarmId.ToString()), ("@s", step), ("@at", now.ToUnixTimeMilliseconds())) > 0;
            if (added)
            {
                AuditIn(tx, now, "desk", "escalate", alarmId.ToString(), $"{step} overdue");
                changes.Escalations.Add((alarmId, step, now));
                changes.Alarms.Add(alarmId);
            }

            return added;
        });

    /// <summary>Adds a line to the audit log (logins, refused logins, steps).</summary>
    public void Audit(DateTimeOffset at, string who, string action, string? target, string? detail) =>
        Write((tx, _) =>
        {
            AuditIn(tx, at, who, action, target, detail);
            return 0;
        });

    private static void AuditIn(DbTransaction tx, DateTimeOffset at, string who, string action, string? target, string? detail) =>
        Run(tx, "INSERT INTO audit(at, operator, action, target, detail) VALUES (@at, @w, @a, @t, @d)",
            ("@at", at.ToUnixTimeMilliseconds()), ("@w", who), ("@a", action), ("@t", target), ("@d", detail));

    public AlarmView? Alarm(Guid id, DateTimeOffset now) =>
        Read(c => Alarms(c, null, "WHERE a.id = @id", now, ("@id", id.ToString())).FirstOrDefault());

    /// <summary>Open alarms, oldest first.</summary>
    public IReadOnlyList<AlarmView> OpenAlarms(DateTimeOffset now) => Read(c => Alarms(c, null, "WHERE a.state = 'open' ORDER BY a.raised_at", now));

    /// <summary>The history: alarms of a community, a type, a time span (each optional), newest first.</summary>
    public IReadOnlyList<AlarmView> SearchAlarms(string? community, string? type, DateTimeOffset? from, DateTimeOffset? to, int limit, DateTimeOffset now) =>
        Read(c => Alarms(c, null, "WHERE (CAST(@c AS TEXT) IS NULL OR a.community = @c) AND (CAST(@t AS TEXT) IS NULL OR a.type = @t) " +
                                  "AND (CAST(@from AS BIGINT) IS NULL OR a.raised_at >= @from) AND (CAST(@to AS BIGINT) IS NULL OR a.raised_at <= @to) " +
                                  "ORDER BY a.raised_at DESC LIMIT @limit", now,
            ("@c", community), ("@t", type), ("@from", from?.ToUnixTimeMilliseconds()), ("@to", to?.ToUnixTimeMilliseconds()), ("@limit", limit)));

    private List<AlarmView> Alarms(DbConnection read, DbTransaction? tx, string where, DateTimeOffset now, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(read, tx, "SELECT a.id, a.community, a.gateway, a.device_json, a.type, a.priority, a.state, a.raised_at, a.occurred_at, " +
                                            "a.received_at, a.restored_at FROM alarms a " + where, parameters);
        var rows = new List<(Guid Id, string C, string G, DeviceRef D, string T, string P, string S, long Raised, long Occ, long Rcv, long? Restored)>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                rows.Add((Guid.Parse(r.GetString(0)), r.GetString(1), r.GetString(2),
                    JsonSerializer.Deserialize(r.GetString(3), EdgeJsonContext.Default.DeviceRef)!, r.GetString(4), r.GetString(5), r.GetString(6),
                    r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), r.IsDBNull(10) ? null : r.GetInt64(10)));
            }
        }

        // Steps and pictures of all the alarms at once: the escalation clock reads every open alarm each second.
        var ids = "[" + string.Join(",", rows.Select(a => $"\"{a.Id:D}\"")) + "]";
        var steps = Steps(read, tx, ids);
        var pictures = PictureIds(read, tx, ids);
        var views = new List<AlarmView>(rows.Count);
        foreach (var a in rows)
        {
            var taken = steps.TryGetValue(a.Id, out var list) ? list : [];
            var done = taken.Select(s => s.Step).ToList();
            var raised = Ms(a.Raised);
            views.Add(new AlarmView(a.Id, a.C, a.G, a.D, a.T, a.P, a.S, raised, Ms(a.Rcv), a.Rcv - a.Occ, a.Restored is { } x ? Ms(x) : null,
                taken, AlarmSteps.Due(raised, done), AlarmSteps.Overdue(raised, done, now), AlarmSteps.Next(done),
                pictures.TryGetValue(a.Id, out var shown) ? shown : []));
        }

        return views;
    }

    /// <summary>The steps of the alarms whose ids <paramref name="ids"/> (a JSON array) lists, each alarm's in order.</summary>
    private Dictionary<Guid, List<StepView>> Steps(DbConnection read, DbTransaction? tx, string ids)
    {
        using var cmd = Command(read, tx, "SELECT alarm_id, step, at, \"by\", command_id, outcome, reason FROM steps " +
                                          $"WHERE alarm_id IN {_db.JsonStrings("@ids")} ORDER BY at", ("@ids", ids));
        using var r = cmd.ExecuteReader();
        var steps = new Dictionary<Guid, List<StepView>>();
        while (r.Read())
        {
            var alarm = Guid.Parse(r.GetString(0));
            (steps.TryGetValue(alarm, out var list) ? list : steps[alarm] = []).Add(new StepView(r.GetString(1), Ms(r.GetInt64(2)), r.GetString(3),
                r.IsDBNull(4) ? null : Guid.Parse(r.GetString(4)), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6)));
        }

        return steps;
    }

    /// <summary>The pictures kept for the alarms whose ids <paramref name="ids"/> (a JSON array) lists, oldest first.</summary>
    private Dictionary<Guid, List<string>> PictureIds(DbConnection read, DbTransaction? tx, string ids)
    {
        using var cmd = Command(read, tx, $"SELECT event_id, id FROM pictures WHERE event_id IN {_db.JsonStrings("@ids")} ORDER BY id", ("@ids", ids));
        using var r = cmd.ExecuteReader();
        var pictures = new Dictionary<Guid, List<string>>();
        while (r.Read())
        {
            var alarm = Guid.Parse(r.GetString(0));
            (pictures.TryGetValue(alarm, out var list) ? list : pictures[alarm] = []).Add(r.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return pictures;
    }

    /// <summary>A picture's JPEG, or null when there is none (or it went by retention).</summary>
    public byte[]? Picture(long id)
    {
        using var read = _db.OpenRead();
        using var cmd = Command(read, null, "SELECT jpeg FROM pictures WHERE id = @id", ("@id", id));
        return cmd.ExecuteScalar() as byte[];
    }

    /// <summary>Every gateway the desk has heard of, or one.</summary>
    public IReadOnlyList<GatewayView> Gateways(string? community = null, string? gateway = null)
    {
        using var read = _db.OpenRead();
        using var cmd = Command(read, null, "SELECT g.community, g.gateway, g.online, g.reason, g.status_at, g.heartbeat_at, g.heartbeat, g.min_seq, g.max_seq, g.seq_count, " +
                                            $"(SELECT {_db.JoinWithCommas("device")} FROM devices_offline d WHERE d.community = g.community AND d.gateway = g.gateway) " +
                                            "FROM gateways g WHERE (CAST(@c AS TEXT) IS NULL OR g.community = @c) AND (CAST(@g AS TEXT) IS NULL OR g.gateway = @g) " +
                                            "ORDER BY g.community, g.gateway",
            ("@c", community), ("@g", gateway));
        using var r = cmd.ExecuteReader();
        var list = new List<GatewayView>();
        while (r.Read())
        {
            var heartbeat = r.IsDBNull(6) ? null : Payloads.DecodeHeartbeat(Encoding.UTF8.GetBytes(r.GetString(6)));
            var maxSeq = r.GetInt64(8);
            var missing = r.IsDBNull(7) ? 0 : maxSeq - r.GetInt64(7) + 1 - r.GetInt64(9);
            list.Add(new GatewayView(r.GetString(0), r.GetString(1), r.GetInt64(2) == 1, r.IsDBNull(3) ? null : r.GetString(3),
                r.IsDBNull(4) ? null : Ms(r.GetInt64(4)), r.IsDBNull(5) ? null : Ms(r.GetInt64(5)), heartbeat?.Queue, heartbeat?.OldestPendingAgeS,
                Math.Max(maxSeq, heartbeat?.LastSeq ?? 0), missing, r.IsDBNull(10) ? [] : r.GetString(10).Split(',')));
        }

        return list;
    }

    public IngestCounts Counts()
    {
        using var read = _db.OpenRead();
        using var cmd = Command(read, null, "SELECT key, value FROM counters");
        using var r = cmd.ExecuteReader();
        var c = new Dictionary<string, long>();
        while (r.Read())
        {
            c[r.GetString(0)] = r.GetInt64(1);
        }

        return new IngestCounts(c.GetValueOrDefault("events"), c.GetValueOrDefault("duplicates"), c.GetValueOrDefault("alarms"),
            c.GetValueOrDefault("pictures"), c.GetValueOrDefault("quarantined"), c.GetValueOrDefault("results"));
    }

    /// <summary>The newest quarantined messages.</summary>
    public IReadOnlyList<QuarantineView> Quarantine(int limit)
    {
        using var read = _db.OpenRead();
        using var cmd = Command(read, null, "SELECT at, topic, reason, size FROM quarantine ORDER BY id DESC LIMIT @n", ("@n", limit));
        using var r = cmd.ExecuteReader();
        var list = new List<QuarantineView>();
        while (r.Read())
        {
            list.Add(new QuarantineView(Ms(r.GetInt64(0)), r.GetString(1), r.GetString(2), (int)r.GetInt64(3)));
        }

        return list;
    }

    /// <summary>The audit log, newest first: (at, operator, action, target, detail).</summary>
    public IReadOnlyList<(DateTimeOffset At, string Operator, string Action, string? Target, string? Detail)> AuditLog(int limit)
    {
        using var read = _db.OpenRead();
        using var cmd = Command(read, null, "SELECT at, operator, action, target, detail FROM audit ORDER BY id DESC LIMIT @n", ("@n", limit));
        using var r = cmd.ExecuteReader();
        var list = new List<(DateTimeOffset, string, string, string?, string?)>();
        while (r.Read())
        {
            list.Add((Ms(r.GetInt64(0)), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));
        }

        return list;
    }

    /// <summary>Event ids stored, per gateway: what a test or probe checks arrived once.</summary>
    public long EventCount(string? type = null)
    {
        using var read = _db.OpenRead();
        using var cmd = Command(read, null, "SELECT count(*) FROM events WHERE CAST(@t AS TEXT) IS NULL OR type = @t", ("@t", type));
        return (long)cmd.ExecuteScalar()!;
    }

    private T Read<T>(Func<DbConnection, T> read)
    {
        using var c = _db.OpenRead();
        return read(c);
    }

    private static string? State(EventState? s) => s switch
    {
        EventState.Active => "active",
        EventState.Restored => "restored",
        _ => null,
    };

    private static DateTimeOffset Ms(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static void Count(DbTransaction tx, string key, long n) =>
        Run(tx, "INSERT INTO counters(key, value) VALUES (@k, @n) ON CONFLICT (key) DO UPDATE SET value = counters.value + excluded.value",
            ("@k", key), ("@n", n));

    private static int Run(DbTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(tx.Connection!, tx, sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    private static object? Scalar(DbTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(tx.Connection!, tx, sql, parameters);
        return cmd.ExecuteScalar();
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            // PostgreSQL's text cannot hold NUL, which a gateway's reason or a quarantined topic may carry: one such
            // message would otherwise fail its whole batch, again and again. SQLite keeps the same text.
            p.Value = value is string s && s.Contains('\0', StringComparison.Ordinal) ? s.Replace('\0', '\uFFFD') : value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }

        return cmd;
    }

    public void Dispose() => _db.Dispose();
}
