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

/// <summary>What <c>edge-sim run</c> (or <c>hardware</c>) was asked to do.</summary>
public sealed record RunSettings
{
    public int Communities { get; init; } = Topology.DistrictFigures.Communities;

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
