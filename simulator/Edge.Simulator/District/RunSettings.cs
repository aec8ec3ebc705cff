namespace Edge.Simulator.District;

/// <summary>Where the gateways of a run live.</summary>
public enum GatewayMode
{
    /// <summary>One <c>GatewayInstance</c> per community in the simulator's process.</summary>
    InProcess,

    /// <summary>One real <c>edge-gateway</c> process per community.</summary>
    Processes,

    /// <summary>Gateways run elsewhere (<c>edge-sim hardware</c>): the simulator serves their hardware and watches the station.</summary>
    External,
}

/// <summary>How much a run prints while it runs.</summary>
public enum Verbosity
{
    /// <summary>The summary only.</summary>
    Quiet,

    /// <summary>A status line a second, incidents and every alarm.</summary>
    Normal,

    /// <summary>Every message the station receives too.</summary>
    Verbose,
}

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> (1-based): the sites whose position in the district, counted from
/// 0, is <c>Index - 1</c> modulo <see cref="Count"/>. Dealt in turn, so every shard gets its share of large and small
/// sites, of campuses and of hospitals.
/// </summary>
public sealed record Shard(int Index, int Count)
{
    public bool Holds(int position) => position % Count == Index - 1;

    /// <summary>Reads <c>i/n</c>; null with the reason when it is not one.</summary>
    public static Shard? Parse(string text, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i)
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 && i >= 1 && i <= n)
        {
            problem = null;
            return new Shard(i, n);
        }

        problem = $"--shard must be i/n with 1 <= i <= n (e.g. 1/4), not '{text}'";
        return null;
    }

    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>What <c>edge-sim run</c> (or <c>hardware</c>) was asked to do.</summary>
public sealed record RunSettings
{
    /// <summary>The first N sites of the district (the retrofitted 312 by default; up to 1,903).</summary>
    public int Communities { get; init; } = Topology.DistrictFigures.Communities;

    /// <summary>The part of those sites this process runs, beside other processes or machines on one broker; null runs them all.</summary>
    public Shard? Shard { get; init; }

    /// <summary>Real time the scenario runs; zero runs until Ctrl+C.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>An external station broker; null starts one in-process.</summary>
    public Uri? Broker { get; init; }

    /// <summary>The port of the in-process broker; 0 picks a free one.</summary>
    public int BrokerPort { get; init; }

    /// <summary>The port of the hardware bridge; 0 picks a free one.</summary>
    public int BridgePort { get; init; }

    /// <summary>The port of the simulated network devices (ISAPI controllers and cameras, ONVIF cameras); 0 picks a free one.</summary>
    public int HttpPort { get; init; }

    /// <summary>The base port of the communities' OSDP lines (community cNNN at base + NNN); 0 picks free ones.</summary>
    public int OsdpPortBase { get; init; }

    public string Scenario { get; init; } = "normal";

    /// <summary>Time acceleration; null takes the scenario's own.</summary>
    public double? Speed { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>Where to write the JSON report (the HTML goes beside it); null writes none.</summary>
    public string? ReportPath { get; init; }

    public GatewayMode Gateways { get; init; } = GatewayMode.InProcess;

    /// <summary>
    /// The program each gateway process runs (a packaged, native <c>edge-gateway</c>); null runs the
    /// <c>edge-gateway.dll</c> built beside the simulator with <c>dotnet</c>.
    /// </summary>
    public string? GatewayProgram { get; init; }

    /// <summary>Background load, device.test events per gateway per second; null takes the scenario's own.</summary>
    public double? TestEventRate { get; init; }

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where the gateways keep their outboxes; null uses a temporary directory, removed after a clean run.</summary>
    public string? DataDirectory { get; init; }

    public Verbosity Verbosity { get; init; } = Verbosity.Normal;

    /// <summary>The port of the police alarm desk hosted in the run (0: a free one); null runs none.</summary>
    public int? DeskPort { get; init; }

    /// <summary>Watches the desk through the run (a browser, in <c>edge-bench desk-page</c>); null: none.</summary>
    public Station.IDeskWatcher? DeskWatcher { get; init; }
}
