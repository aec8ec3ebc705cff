using System.Diagnostics;
using Edge.Simulator.Broker;
using Npgsql;

namespace Edge.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster from Debian's <c>postgresql</c> package (<c>initdb</c> and <c>pg_ctl</c> in a temp
/// folder, on a free loopback port, trust logins for its one user <c>edge</c>), for the tests of a class
/// (<c>IClassFixture</c>). As root it runs as the <c>postgres</c> user, since PostgreSQL refuses to run as root. Each
/// test takes a database of its own (<see cref="CreateDatabaseAsync"/>). Where PostgreSQL is not installed the tests
/// are skipped with the reason; .ci/run installs it, so CI runs them.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edge-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private int _databases;

    /// <summary>Why there is no PostgreSQL here, or null.</summary>
    public static string? Missing { get; } = Find("initdb") is null ? "PostgreSQL is not installed (apt-get install postgresql; .ci/run installs it)" : null;

    public int Port { get; } = StationBroker.FreePort();

    private string Data => System.IO.Path.Combine(_dir, "data");

    /// <summary>A connection string for <paramref name="database"/> on this cluster.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "edge", Database = database, Pooling = true }.ToString();

    /// <summary>A new empty database, and its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        Assert.SkipWhen(Missing is not null, Missing ?? "");
        var name = $"desk{Interlocked.Increment(ref _databases)}";
        // Not pooled: a restart (RestartAsync) leaves pooled connections dead.
        await using var c = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await c.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", c);
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Stops the server at once (as a crash would) and starts it again on the same port and data.</summary>
    public async Task RestartAsync()
    {
        await PgCtlAsync("stop", "-m", "immediate");
        await StartAsync();
    }

    public async ValueTask InitializeAsync()
    {
        if (Missing is not null)
        {
            return;
        }

        Directory.CreateDirectory(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead |
                                        UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        if (Environment.UserName == "root")
        {
            (await ProgramRun.RunAsync("chown", ["postgres", _dir])).Checked("chown postgres");
        }

        (await RunAsync("initdb", "-D", Data, "-A", "trust", "-U", "edge", "-E", "UTF8", "--no-sync")).Checked("initdb");
        await StartAsync();
    }

    private Task StartAsync() =>
        PgCtlAsync("start", "-w", "-l", System.IO.Path.Combine(_dir, "log"),
            "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200");

    private async Task PgCtlAsync(params string[] args)
    {
        var run = await RunAsync("pg_ctl", ["-D", Data, .. args]);
        var log = System.IO.Path.Combine(_dir, "log");
        Assert.True(run.Code == 0, $"pg_ctl {args[0]} exited {run.Code}: {run.Output}{run.Error}\n{(File.Exists(log) ? File.ReadAllText(log) : "")}");
    }

    private static Task<ProgramRun> RunAsync(string tool, params string[] args)
    {
        var path = Tool(tool);
        return Environment.UserName == "root"
            ? ProgramRun.RunAsync("runuser", ["-u", "postgres", "--", path, .. args])
            : ProgramRun.RunAsync(path, args);
    }

    /// <summary>A PostgreSQL server program: Debian keeps them in /usr/lib/postgresql/VERSION/bin, off the PATH.</summary>
    private static string Tool(string name) => Find(name) ?? throw new InvalidOperationException($"no {name}: {Missing}");

    private static string? Find(string name) =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => System.IO.Path.Combine(d, "bin", name)).Where(File.Exists)
                .OrderByDescending(p => int.TryParse(p.Split('/')[4], out var v) ? v : 0).FirstOrDefault()
            : null;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(Data))
        {
            var stop = await RunAsync("pg_ctl", "-D", Data, "stop", "-m", "immediate");
            Debug.Assert(stop.Code == 0 || !File.Exists(System.IO.Path.Combine(Data, "postmaster.pid")));
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
