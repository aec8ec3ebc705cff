using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Edge.Station.Store;

/// <summary>
/// One desk's own database: <c>desk.db</c> in its data directory (WAL, synchronous FULL). The schema's version is
/// <c>PRAGMA user_version</c>.
/// </summary>
public sealed class SqliteDeskDatabase : DeskDatabase
{
    private const int SchemaVersion = 1;
    private readonly string _connectionString;

    public SqliteDeskDatabase(string directory)
    {
        Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory, "desk.db");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true }.ToString();
    }

    public string Path { get; }

    public override string Name => Path;

    public override bool Shared => false;

    public override DbConnection OpenRead()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        return c;
    }

    public override DbConnection OpenWrite()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        // Per connection: a pooled one may be new.
        Execute(c, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;");
        return c;
    }

    public override void Migrate()
    {
        using var c = OpenWrite();
        Execute(c, "PRAGMA journal_mode=WAL;");
        using var read = c.CreateCommand();
        read.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(read.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            throw new NewerSchemaException(Path, version, SchemaVersion);
        }

        if (version < 1)
        {
            Execute(c, """
                BEGIN;
                CREATE TABLE events(id TEXT PRIMARY KEY, community TEXT NOT NULL, gateway TEXT NOT NULL, seq INTEGER NOT NULL,
                    type TEXT NOT NULL, priority INTEGER NOT NULL, device TEXT NOT NULL, state TEXT, occurred_at INTEGER NOT NULL,
                    observed_at INTEGER NOT NULL, received_at INTEGER NOT NULL, payload BLOB NOT NULL);
                CREATE INDEX events_by_gateway ON events(community, gateway, seq);
                CREATE TABLE alarms(id TEXT PRIMARY KEY, community TEXT NOT NULL, gateway TEXT NOT NULL, device TEXT NOT NULL,
                    device_json TEXT NOT NULL, type TEXT NOT NULL, priority TEXT NOT NULL, state TEXT NOT NULL,
                    raised_at INTEGER NOT NULL, occurred_at INTEGER NOT NULL, received_at INTEGER NOT NULL, restored_at INTEGER);
                CREATE INDEX alarms_open ON alarms(state, raised_at);
                CREATE INDEX alarms_by_community ON alarms(community, raised_at);
                CREATE TABLE steps(alarm_id TEXT NOT NULL, step TEXT NOT NULL, at INTEGER NOT NULL, by TEXT NOT NULL,
                    command_id TEXT, outcome TEXT, reason TEXT, PRIMARY KEY(alarm_id, step));
                CREATE UNIQUE INDEX steps_by_command ON steps(command_id) WHERE command_id IS NOT NULL;
                CREATE TABLE escalations(alarm_id TEXT NOT NULL, step TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(alarm_id, step));
                CREATE TABLE gateways(community TEXT NOT NULL, gateway TEXT NOT NULL, online INTEGER NOT NULL DEFAULT 0, reason TEXT,
                    status_at INTEGER, heartbeat_at INTEGER, heartbeat TEXT, min_seq INTEGER, max_seq INTEGER NOT NULL DEFAULT 0,
                    seq_count INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(community, gateway));
                CREATE TABLE devices_offline(community TEXT NOT NULL, gateway TEXT NOT NULL, device TEXT NOT NULL, since INTEGER NOT NULL,
                    PRIMARY KEY(community, gateway, device));
                CREATE TABLE pictures(id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, community TEXT NOT NULL,
                    gateway TEXT NOT NULL, received_at INTEGER NOT NULL, size INTEGER NOT NULL, jpeg BLOB NOT NULL);
                CREATE INDEX pictures_by_event ON pictures(event_id);
                CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, operator TEXT NOT NULL, action TEXT NOT NULL,
                    target TEXT, detail TEXT);
                CREATE TABLE quarantine(id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, topic TEXT NOT NULL, reason TEXT NOT NULL,
                    size INTEGER NOT NULL, head BLOB NOT NULL);
                CREATE TABLE counters(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                PRAGMA user_version = 1;
                COMMIT;
                """);
        }
    }

    public override string JsonStrings(string parameter) => $"(SELECT value FROM json_each({parameter}))";

    public override string JoinWithCommas(string column) => $"group_concat({column}, ',')";

    private static void Execute(DbConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
