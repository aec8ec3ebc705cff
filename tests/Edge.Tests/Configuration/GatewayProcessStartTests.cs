using Edge.Gateway.Service;
using Edge.Tests.Support;

namespace Edge.Tests.Configuration;

/// <summary>The real gateway executable refuses bad configuration and a bad outbox with one line and an exit code.</summary>
public sealed class GatewayProcessStartTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<string, string, string> BadConfiguration => new()
    {
        { "Edge__Uplink__Broker", "http://station", "Edge:Uplink:Broker" },
        { "Edge__Outbox__MaxBytes", "lots", "Edge:Outbox:MaxBytes" },
        { "Edge__Outbox__MaxByte", "1000000", "Edge:Outbox:MaxByte" },
        { "Edge__Gateway__Community", "c 1", "Edge:Gateway:Community" },
        { "Edge__Uplink__KeepAlive", "soon", "Edge:Uplink:KeepAlive" },
        { "Edge__Uplnk__Broker", "mqtt://station", "Edge:Uplnk is not a section" },
        { "Edge__TestEvent__Enabled", "true", "Edge:TestEvent is not a section" },
        { "EDGE_GATEWAY_CONFIG", "/nonexistent/edge/appsettings.json", "EDGE_GATEWAY_CONFIG names '/nonexistent/edge/appsettings.json', which does not exist" },
    };

    /// <summary>Machine configuration files an installer could get wrong, and what the refusal must name.</summary>
    public static TheoryData<string, string> BadFiles => new()
    {
        // No identity: the bundled configuration has none, so the gateway cannot start as anyone.
        { "{ \"Edge\": { \"Uplink\": { \"Broker\": \"mqtt://127.0.0.1:1\" } } }", "Edge:Gateway:Community '' must be" },
        { "{ \"Edge\": { \"Gateway\": { \"Community\": \"c001\" } } }", "Edge:Gateway:Id '' must be" },
        { "{ \"Egde\": { \"Gateway\": { \"Community\": \"c001\", \"Id\": \"gw1\" } } }", "'Egde' in {file} is not a section (known: Edge, Serilog)" },
        { "{ \"Edge\": { \"Gateway\": { \"Community\": \"c001\", \"Id\": \"gw1\" } }", "{file} cannot be read" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_bad_machine_configuration_file_stops_the_start_naming_what_is_wrong(string json, string expected)
    {
        var file = _dir.Combine("appsettings.json");
        await File.WriteAllTextAsync(file, json);
        using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["EDGE_GATEWAY_CONFIG"] = file,
            ["Edge__Gateway__DataDirectory"] = _dir.Combine("gw"),
        });

        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(GatewayProgram.ConfigurationError, gateway.ExitCode);
        Assert.Contains("configuration error: ", gateway.Output, StringComparison.Ordinal);
        Assert.Contains(expected.Replace("{file}", file, StringComparison.Ordinal), gateway.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine("gw/outbox.db")), "nothing may be half-started");
    }

    [Theory]
    [MemberData(nameof(BadConfiguration))]
    public async Task Bad_configuration_stops_the_start_naming_the_key(string variable, string value, string key)
    {
        using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Edge__Gateway__DataDirectory"] = _dir.Combine("gw"),
            [variable] = value,
        });

        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(GatewayProgram.ConfigurationError, gateway.ExitCode);
        Assert.Contains("configuration error", gateway.Output, StringComparison.Ordinal);
        Assert.Contains(key, gateway.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine("gw/outbox.db")), "nothing may be half-started");
    }

    [Fact]
    public async Task A_corrupt_outbox_stops_the_start_instead_of_starting_empty()
    {
        Directory.CreateDirectory(_dir.Combine("gw"));
        var outbox = _dir.Combine("gw/outbox.db");
        await File.WriteAllTextAsync(outbox, "not a database");
        using var gateway = GatewayProcess.Start(new Dictionary<string, string> { ["Edge__Gateway__DataDirectory"] = _dir.Combine("gw") });

        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(GatewayProgram.OutboxError, gateway.ExitCode);
        Assert.Contains(outbox, gateway.Output, StringComparison.Ordinal);
        Assert.Equal("not a database", await File.ReadAllTextAsync(outbox));
    }

    [Fact]
    public async Task An_empty_outbox_stops_the_start_and_a_start_afresh_says_so_in_the_log()
    {
        var data = _dir.Combine("gw");
        Directory.CreateDirectory(data);
        await File.WriteAllBytesAsync(Path.Combine(data, "outbox.db"), []);
        using (var refused = GatewayProcess.Start(new Dictionary<string, string> { ["Edge__Gateway__DataDirectory"] = data }))
        {
            await refused.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(GatewayProgram.OutboxError, refused.ExitCode);
            Assert.Contains("exists but is empty (0 bytes)", refused.Output, StringComparison.Ordinal);
        }

        using var afresh = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Edge__Gateway__DataDirectory"] = data,
            ["Edge__Uplink__Broker"] = "mqtt://127.0.0.1:1",
        }, "--Edge:Outbox:StartAfresh=true");

        await Eventually.True(() => afresh.Output.Contains("Application started", StringComparison.Ordinal) || afresh.HasExited, "the gateway running");
        Assert.False(afresh.HasExited, afresh.Output);
        Assert.Contains("a new outbox began: seq restarts at 1, seqEpoch", afresh.Output, StringComparison.Ordinal);
        var aside = Assert.Single(Directory.GetFiles(data, "outbox.db.set-aside-*"));
        Assert.Equal(0, new FileInfo(aside).Length);
        Assert.Equal(0, await afresh.StopAsync());
    }

    [Fact]
    public async Task A_gateway_with_gpio_devices_stops_cleanly_with_exit_code_0()
    {
        // A whole community's configuration as the simulator writes it (buttons, Wiegand readers, doors on GPIO;
        // controllers and cameras), with every device and the broker unreachable.
        var district = Edge.Simulator.Topology.DistrictTopology.Generate(1, communities: 1);
        var file = Assert.Single(Edge.Simulator.Topology.GatewayConfigWriter.Write(district, _dir.Path, new Uri("mqtt://127.0.0.1:1"),
            new Edge.Simulator.Topology.DeviceEndpoints(new Uri("tcp://127.0.0.1:1"), new Uri("http://127.0.0.1:1/"), new Uri("tcp://127.0.0.1:1"))));
        using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["EDGE_GATEWAY_CONFIG"] = file,
            ["Edge__Gateway__DataDirectory"] = _dir.Combine("gw"),
        });
        await Eventually.True(() => gateway.Output.Contains("Application started", StringComparison.Ordinal) || gateway.HasExited, "the gateway running");

        Assert.Equal(0, await gateway.StopAsync());
        Assert.DoesNotContain("fatal", gateway.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ObjectDisposedException", gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broker_that_accepts_and_never_answers_is_reported_within_the_connect_timeout()
    {
        // A TCP listener that accepts and says nothing: no CONNACK ever comes.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new System.Collections.Concurrent.ConcurrentBag<System.Net.Sockets.TcpClient>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                accepted.Add(await silent.AcceptTcpClientAsync());
            }
        });
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Edge__Gateway__DataDirectory"] = _dir.Combine("gw"),
            ["Edge__Uplink__Broker"] = $"mqtt://127.0.0.1:{port}",
            ["Edge__Uplink__ConnectTimeout"] = "00:00:02",
        });

        await Eventually.True(() => gateway.Output.Contains("Cannot connect to", StringComparison.Ordinal) || gateway.HasExited, "the silent broker reported");
        Assert.Contains($"Cannot connect to mqtt://127.0.0.1:{port}: no answer within 2 s (ConnectTimeout)", gateway.Output, StringComparison.Ordinal);
        Assert.NotEmpty(accepted);
        Assert.Equal(0, await gateway.StopAsync());
        foreach (var c in accepted)
        {
            c.Dispose();
        }
    }

    public void Dispose() => _dir.Dispose();
}
