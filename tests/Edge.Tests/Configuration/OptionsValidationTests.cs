using Edge.Gateway.Configuration;
using Edge.Gateway.Hosting;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Edge.Tests.Configuration;

public sealed class OptionsValidationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private GatewaySettings Valid() => TestGateway.Settings("mqtt://127.0.0.1:1883", _dir.Combine("gw"));

    [Fact]
    public void Valid_settings_have_no_errors() => Assert.Empty(Valid().Validate());

    [Theory]
    [InlineData("Edge:Gateway:Community", "")]
    [InlineData("Edge:Gateway:Community", "c/1")]
    [InlineData("Edge:Gateway:Id", "gw#")]
    [InlineData("Edge:Gateway:DataDirectory", " ")]
    [InlineData("Edge:Outbox:MaxBytes", "1000")]
    [InlineData("Edge:Outbox:BatchSize", "0")]
    [InlineData("Edge:Outbox:IntakeCapacity", "0")]
    [InlineData("Edge:Uplink:Broker", "http://broker")]
    [InlineData("Edge:Uplink:Broker", "broker:1883")]
    [InlineData("Edge:Uplink:Broker", "mqtt://broker/path")]
    [InlineData("Edge:Uplink:ProtocolVersion", "4")]
    [InlineData("Edge:Uplink:MaxInFlight", "0")]
    [InlineData("Edge:Uplink:KeepAlive", "0")]
    [InlineData("Edge:Uplink:HeartbeatInterval", "0")]
    [InlineData("Edge:Uplink:ReconnectMaxDelay", "0.001")]
    [InlineData("Edge:Uplink:CaFile", "/nonexistent/ca.pem")]
    [InlineData("Edge:Uplink:Username", "")]
    [InlineData("Edge:TestEvents:Rate", "-1")]
    [InlineData("Edge:TestEvents:Count", "-5")]
    public void A_bad_value_is_reported_with_its_key(string key, string value)
    {
        var settings = Valid();
        Set(settings, key, value);

        var errors = settings.Validate();

        Assert.Contains(errors, e => e.StartsWith(key, StringComparison.Ordinal));
        var ex = Assert.Throws<OptionsValidationException>(() => GatewayInstance.Create(settings, NullLoggerFactory.Instance, TimeProvider.System));
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(settings.Gateway.DataDirectory, "outbox.db")), "nothing may be half-started");
    }

    [Fact]
    public void Tls_files_with_a_plaintext_broker_are_refused_rather_than_ignored()
    {
        var settings = Valid();
        var ca = _dir.Combine("ca.pem");
        File.WriteAllText(ca, "x");
        settings.Uplink.CaFile = ca;

        Assert.Contains(settings.Validate(), e => e.Contains("mqtts://", StringComparison.Ordinal) && e.StartsWith("Edge:Uplink:Broker", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var settings = Valid();
        settings.Gateway.Community = "";
        settings.Uplink.Broker = "nope";
        settings.Outbox.BatchSize = -1;

        Assert.Equal(3, settings.Validate().Count);
    }

    private static void Set(GatewaySettings s, string key, string value)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        switch (key)
        {
            case "Edge:Gateway:Community": s.Gateway.Community = value; break;
            case "Edge:Gateway:Id": s.Gateway.Id = value; break;
            case "Edge:Gateway:DataDirectory": s.Gateway.DataDirectory = value; break;
            case "Edge:Outbox:MaxBytes": s.Outbox.MaxBytes = long.Parse(value, inv); break;
            case "Edge:Outbox:BatchSize": s.Outbox.BatchSize = int.Parse(value, inv); break;
            case "Edge:Outbox:IntakeCapacity": s.Outbox.IntakeCapacity = int.Parse(value, inv); break;
            case "Edge:Uplink:Broker": s.Uplink.Broker = value; break;
            case "Edge:Uplink:ProtocolVersion": s.Uplink.ProtocolVersion = value; break;
            case "Edge:Uplink:MaxInFlight": s.Uplink.MaxInFlight = int.Parse(value, inv); break;
            case "Edge:Uplink:KeepAlive": s.Uplink.KeepAlive = TimeSpan.FromSeconds(double.Parse(value, inv)); break;
            case "Edge:Uplink:HeartbeatInterval": s.Uplink.HeartbeatInterval = TimeSpan.FromSeconds(double.Parse(value, inv)); break;
            case "Edge:Uplink:ReconnectMaxDelay": s.Uplink.ReconnectMaxDelay = TimeSpan.FromSeconds(double.Parse(value, inv)); break;
            case "Edge:Uplink:CaFile": s.Uplink.Broker = "mqtts://broker"; s.Uplink.CaFile = value; break;
            case "Edge:Uplink:Username": s.Uplink.Password = "secret"; s.Uplink.Username = null; break;
            case "Edge:TestEvents:Rate": s.TestEvents.Rate = double.Parse(value, inv); break;
            case "Edge:TestEvents:Count": s.TestEvents.Count = long.Parse(value, inv); break;
            default: throw new ArgumentException(key);
        }
    }

    public void Dispose() => _dir.Dispose();
}
