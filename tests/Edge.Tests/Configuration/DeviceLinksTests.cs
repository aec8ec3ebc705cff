using Edge.Gateway.Configuration;
using Edge.Gateway.Hosting;
using Edge.Gateway.Service;
using Edge.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace Edge.Tests.Configuration;

/// <summary>In Production, device links that protect nothing are refused unless the device allows them, and then warned about.</summary>
public sealed class DeviceLinksTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static readonly Dictionary<string, string?> Devices = new()
    {
        ["Edge:Gateway:Community"] = "c001", ["Edge:Gateway:Id"] = "gw1", ["Edge:Gateway:DataDirectory"] = "/tmp/edge-links-test",
        ["Edge:Uplink:Broker"] = "mqtt://127.0.0.1:1883",
        ["Edge:Access:CardSecret"] = "q0E9m3cR1xV7sT2bN8wK4yH6jL5pA0dF",
        ["Edge:Access:Controllers:0:Id"] = "ctl-1", ["Edge:Access:Controllers:0:Url"] = "http://10.20.0.15/",
        ["Edge:Access:Controllers:0:User"] = "edge", ["Edge:Access:Controllers:0:Password"] = "p",
        ["Edge:Access:OsdpReaders:0:Id"] = "rdr-1", ["Edge:Access:OsdpReaders:0:Endpoint"] = "tcp://10.20.0.30:4001", ["Edge:Access:OsdpReaders:0:Address"] = "1",
        ["Edge:Access:OsdpReaders:1:Id"] = "rdr-2", ["Edge:Access:OsdpReaders:1:Endpoint"] = "tcp://10.20.0.30:4001", ["Edge:Access:OsdpReaders:1:Address"] = "2",
        ["Edge:Access:OsdpReaders:1:Scbk"] = "00112233445566778899AABBCCDDEEFF",
        ["Edge:Cameras:Devices:0:Id"] = "cam-1", ["Edge:Cameras:Devices:0:Url"] = "http://10.20.1.21/", ["Edge:Cameras:Devices:0:User"] = "edge",
        ["Edge:Cameras:Devices:1:Id"] = "cam-2", ["Edge:Cameras:Devices:1:Url"] = "https://10.20.1.22/", ["Edge:Cameras:Devices:1:User"] = "edge",
    };

    private static GatewaySettings Settings(params (string Key, string Value)[] extra)
    {
        var values = new Dictionary<string, string?>(Devices);
        foreach (var (k, v) in extra)
        {
            values[k] = v;
        }

        return SettingsBinder.Bind(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), null);
    }

    [Fact]
    public void In_production_plain_http_and_osdp_without_a_key_are_refused_naming_each_device()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => StartupSecurity.Check(Settings(), production: true, new FakeLogger()));

        Assert.Equal(3, ex.Failures.Count());
        Assert.Contains(ex.Failures, f => f.StartsWith("Edge:Access:Controllers:0 (ctl-1) is plain HTTP (http://10.20.0.15/)", StringComparison.Ordinal) &&
                                          f.EndsWith("set Edge:Access:Controllers:0:AllowInsecure", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Edge:Access:OsdpReaders:0 (rdr-1) is OSDP without a secure channel key", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Edge:Cameras:Devices:0 (cam-1) is plain HTTP", StringComparison.Ordinal));
    }

    [Fact]
    public void A_device_that_allows_its_insecure_link_starts_and_is_warned_about_every_time()
    {
        var settings = Settings(("Edge:Access:Controllers:0:AllowInsecure", "true"), ("Edge:Access:OsdpReaders:0:AllowInsecure", "true"),
            ("Edge:Cameras:Devices:0:AllowInsecure", "true"));
        var log = new FakeLogger();

        StartupSecurity.Check(settings, production: true, log);

        var warnings = log.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).ToList();
        Assert.Contains(warnings, m => m.StartsWith("Edge:Access:Controllers:0 (ctl-1) is reached over plain HTTP", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.StartsWith("Edge:Access:OsdpReaders:0 (rdr-1) is reached over OSDP without a secure channel key", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.StartsWith("Edge:Cameras:Devices:0 (cam-1) is reached over plain HTTP", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.StartsWith("Edge:Access:CardSecret is written in the configuration", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, m => m.Contains("rdr-2", StringComparison.Ordinal) || m.Contains("cam-2", StringComparison.Ordinal));
    }

    [Fact]
    public void The_install_key_alone_is_no_secure_channel()
    {
        var links = DeviceLinks.Insecure(Settings(("Edge:Access:OsdpReaders:0:UseInstallKey", "true")));

        Assert.Contains(links, l => l.Device == "rdr-1" && l.What.Contains("install key", StringComparison.Ordinal) && !l.Allowed);
    }

    [Fact]
    public void Outside_production_insecure_links_are_only_warned_about()
    {
        var log = new FakeLogger();

        StartupSecurity.Check(Settings(), production: false, log);

        Assert.Equal(3, log.Collector.GetSnapshot().Count(r => r.Message.Contains("is reached over", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_gateway_process_in_production_refuses_a_camera_over_plain_http()
    {
        using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Edge__Gateway__DataDirectory"] = _dir.Combine("gw"),
            ["Edge__Cameras__Devices__0__Id"] = "cam-1",
            ["Edge__Cameras__Devices__0__Url"] = "http://10.20.1.21/",
            ["Edge__Cameras__Devices__0__User"] = "edge",
            ["Edge__Cameras__Devices__0__Password"] = "p",
        });

        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(GatewayProgram.ConfigurationError, gateway.ExitCode);
        Assert.Contains("configuration error: Edge:Cameras:Devices:0 (cam-1) is plain HTTP (http://10.20.1.21/)", gateway.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine("gw/outbox.db")), "nothing may be half-started");
    }

    public void Dispose() => _dir.Dispose();
}
