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
    };

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

    public void Dispose() => _dir.Dispose();
}
