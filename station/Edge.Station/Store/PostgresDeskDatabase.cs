using System.Data.Common;
using Npgsql;

namespace Edge.Station.Store;

/// <summary>
/// A database several desks share (<c>Desk:PostgreSql</c>, an Npgsql connection string): an alarm taken at one desk is
/// taken at all of them. Every write transaction first takes one advisory lock (<see cref="TakeTurn"/>), so the desks'
/// writers take turns and a step or an escalation is recorded once; what a transaction changed goes to the other desks
/// by <c>NOTIFY edge_desk</c>, which PostgreSQL delivers only once it commits. The schema's version is in
/// <c>desk_schema</c>.
/// </summary>
public sealed class PostgresDeskDatabase : DeskDatabase
{
    /// <summary>The channel desks announce their changes on.</summary>
    public const string Channel = "edge_desk";

    /// <summary>The advisory lock every desk's writes take ("Edge").</summary>
    private const long TurnLock = 0x45646765;
    private const int SchemaVersion = 1;
    private static readonly TimeSpan ListenCheck = TimeSpan.FromSeconds(15);
    private readonly NpgsqlDataSource _source;

    public PostgresDeskDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Name = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
        // A desk that dies inside a write (power, network) must not hold the other desks' turn for the kernel's two
        // hours of TCP keepalive: the server ends a transaction idle for 10 s, a turn is waited for at most 10 s, and
        // a dead link is found within about 30 s.
        builder.Options = $"{builder.Options} -c idle_in_transaction_session_timeout=10000 -c lock_timeout=10000".Trim();
        if (builder.KeepAlive == 0)
        {
            builder.KeepAlive = 15;
        }

        _source = NpgsqlDataSource.Create(builder);
    }

    public override string Name { get; }

    public override bool Shared => true;

    public override DbConnection OpenRead() => _source.OpenConnection();

    public override DbConnection OpenWrite() => _source.OpenConnection();

    public override void Migrate()
    {
        using var c = _source.OpenConnection();
        using var tx = c.BeginTransaction();
        TakeTurn(tx);
        Execute(c, tx, "CREATE TABLE IF NOT EXISTS desk_schema(version integer NOT NULL)");
        using (var read = new NpgsqlCommand("SELECT max(version) FROM desk_schema", c, tx))
        {
            var version = read.ExecuteScalar() is int v ? v : 0;
            if (version > SchemaVersion)
            {
                throw new NewerSchemaException(Name, version, SchemaVersion);
            }

            if (version == SchemaVersion)
            {
                tx.Commit();
                return;
            }
        }

        Execute(c, tx, """
            CREATE TABLE events(id text PRIMARY KEY, community text NOT NULL, gateway text NOT NULL, seq bigint NOT NULL,
                type text NOT NULL, priority bigint NOT NULL, device text NOT NULL, state text, occurred_at bigint NOT NULL,
                observed_at bigint NOT NULL, received_at bigint NOT NULL, payload bytea NOT NULL);
            CREATE INDEX events_by_gateway ON events(community, gateway, seq);
            CREATE TABLE alarms(id text PRIMARY KEY, community text NOT NULL, gateway text NOT NULL, device text NOT NULL,
                device_json text NOT NULL, type text NOT NULL, priority text NOT NULL, state text NOT NULL,
                raised_at bigint NOT NULL, occurred_at bigint NOT NULL, received_at bigint NOT NULL, restored_at bigint);
            CREATE INDEX alarms_open ON alarms(state, raised_at);
            CREATE INDEX alarms_by_community ON alarms(community, raised_at);
            CREATE TABLE steps(alarm_id text NOT NULL, step text NOT NULL, at bigint NOT NULL, "by" text NOT NULL,
                command_id text, outcome text, reason text, PRIMARY KEY(alarm_id, step));
            CREATE UNIQUE INDEX steps_by_command ON steps(command_id) WHERE command_id IS NOT NULL;
            CREATE TABLE escalations(alarm_id text NOT NULL, step text NOT NULL, at bigint NOT NULL, PRIMARY KEY(alarm_id, step));
            CREATE TABLE gateways(community text NOT NULL, gateway text NOT NULL, online bigint NOT NULL DEFAULT 0, reason text,
                status_at bigint, heartbeat_at bigint, heartbeat text, min_seq bigint, max_seq bigint NOT NULL DEFAULT 0,
                seq_count bigint NOT NULL DEFAULT 0, PRIMARY KEY(community, gateway));
            CREATE TABLE devices_offline(community text NOT NULL, gateway text NOT NULL, device text NOT NULL, since bigint NOT NULL,
                PRIMARY KEY(community, gateway, device));
            CREATE TABLE pictures(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id text NOT NULL, community text NOT NULL,
                gateway text NOT NULL, received_at bigint NOT NULL, size bigint NOT NULL, jpeg bytea NOT NULL);
            CREATE INDEX pictures_by_event ON pictures(event_id);
            CREATE TABLE audit(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at bigint NOT NULL, operator text NOT NULL,
                action text NOT NULL, target text, detail text);
            CREATE TABLE quarantine(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at bigint NOT NULL, topic text NOT NULL,
                reason text NOT NULL, size bigint NOT NULL, head bytea NOT NULL);
            CREATE TABLE counters(key text PRIMARY KEY, value bigint NOT NULL);
            INSERT INTO desk_schema(version) VALUES (1);
            """);
        tx.Commit();
    }

    public override void TakeTurn(DbTransaction tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        Execute(tx.Connection!, tx, $"SELECT pg_advisory_xact_lock({TurnLock})");
    }

    public override void Announce(DbTransaction tx, string news)
    {
        ArgumentNullException.ThrowIfNull(tx);
        using var cmd = new NpgsqlCommand("SELECT pg_notify(@channel, @news)", (NpgsqlConnection)tx.Connection!, (NpgsqlTransaction)tx);
        cmd.Parameters.AddWithValue("channel", Channel);
        cmd.Parameters.AddWithValue("news", news);
        cmd.ExecuteNonQuery();
    }

    public override async Task ListenAsync(Action<string> heard, Action<Exception> lost, Action<bool> listening, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(heard);
        ArgumentNullException.ThrowIfNull(lost);
        ArgumentNullException.ThrowIfNull(listening);
        var failures = 0;
        var listened = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var c = await _source.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using (c.ConfigureAwait(false))
                {
                    c.Notification += (_, e) => heard(e.Payload);
                    var listen = new NpgsqlCommand($"LISTEN {Channel}", c);
                    await using (listen.ConfigureAwait(false))
                    {
                        await listen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    }

                    listening(listened);
                    listened = true;
                    failures = 0;
                    while (true)
                    {
                        // A link that went quiet is asked once in a while, so a dead one is found and opened again.
                        if (!await c.WaitAsync(ListenCheck, ct).ConfigureAwait(false))
                        {
                            var check = new NpgsqlCommand("SELECT 1", c);
                            await using (check.ConfigureAwait(false))
                            {
                                await check.ExecuteScalarAsync(ct).ConfigureAwait(false);
                            }
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                lost(ex);
                failures++;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures, 8)))), ct).ConfigureAwait(false);
            }
        }
    }

    public override string JsonStrings(string parameter) => $"(SELECT json_array_elements_text(CAST({parameter} AS json)))";

    public override string JoinWithCommas(string column) => $"string_agg({column}, ',')";

    private static void Execute(DbConnection c, DbTransaction tx, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public override void Dispose()
    {
        _source.Dispose();
        base.Dispose();
    }
}
