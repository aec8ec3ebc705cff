using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Edge.Contracts.Events;
using Edge.Gateway.Metrics;
using Edge.Tests.Support;

namespace Edge.Tests.Uplink;

/// <summary>
/// The gateway's figures on the meter Edge.Gateway, read as a listener reads them (dotnet-counters, the exporter),
/// and on the real process's Prometheus endpoint, as <c>curl</c> would.
/// </summary>
public sealed class GatewayMetricsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task The_outbox_depth_and_the_events_per_category_are_what_the_outbox_holds()
    {
        using var gw = TestGateway.Create(TestGateway.Settings("mqtt://127.0.0.1:1", _dir.Combine("gw")));
        await gw.StartAsync(default);
        for (var i = 0; i < 5; i++)
        {
            await gw.SubmitAsync(TestGateway.Draft(n: i));
        }

        await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1"));
        await gw.SubmitAsync(TestGateway.Draft(EventTypes.DeviceOffline, Priority.High, "cam-1"));

        var seen = Read(gw.Metrics);
        Assert.Equal(1, seen[("edge.outbox.depth", "lane=critical")]);
        Assert.Equal(1, seen[("edge.outbox.depth", "lane=high")]);
        Assert.Equal(5, seen[("edge.outbox.depth", "lane=normal")]);
        Assert.Equal(0, seen[("edge.outbox.depth", "lane=low")]);
        Assert.Equal(7, seen[("edge.outbox.last_seq", "")]);
        Assert.Equal(1, seen[("edge.events.committed", "category=alarm")]);
        Assert.Equal(6, seen[("edge.events.committed", "category=device")]);
        Assert.Equal(0, seen[("edge.uplink.connected", "")]);
        Assert.True(seen[("edge.uplink.connect_failures", "")] >= 0);

        // The device the offline event named is counted against its kind ("test" in these drafts).
        Assert.Equal(1, seen[("edge.devices.offline", "kind=test")]);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task A_running_gateway_shows_its_outbox_depth_on_its_prometheus_endpoint_and_a_taken_port_does_not_stop_it()
    {
        var port = FreePort();
        using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Edge__Gateway__DataDirectory"] = _dir.Combine("gw"),
            ["Edge__Uplink__Broker"] = "mqtt://127.0.0.1:1",
            ["Edge__TestEvents__Rate"] = "200",
            ["Edge__TestEvents__Count"] = "50",
            ["Edge__Metrics__Listen"] = $"http://127.0.0.1:{port}/",
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var page = "";
        await Eventually.True(() =>
        {
            page = Scrape(http, port);
            return page.Contains("edge_outbox_depth{otel_scope_name=\"Edge.Gateway\",otel_scope_version=\"0.1.0\",lane=\"low\"} 50", StringComparison.Ordinal) || gateway.HasExited;
        }, "50 events waiting, on the metrics endpoint", TimeSpan.FromSeconds(60)); // a JIT-compiled process starting beside a RabbitMQ cluster took longer than 20 s
        Assert.False(gateway.HasExited, gateway.Output);
        Assert.Contains("edge_uplink_connected{", page, StringComparison.Ordinal);
        Assert.Contains("edge_events_committed_total{", page, StringComparison.Ordinal);

        // A second gateway on the same port runs all the same, and says why it has no endpoint.
        using var second = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Edge__Gateway__DataDirectory"] = _dir.Combine("gw2"),
            ["Edge__Uplink__Broker"] = "mqtt://127.0.0.1:1",
            ["Edge__Metrics__Listen"] = $"http://127.0.0.1:{port}/",
        });
        await Eventually.True(() => second.Output.Contains("cannot start", StringComparison.Ordinal) || second.HasExited, "the second endpoint refused");
        Assert.False(second.HasExited, second.Output);
        Assert.Contains($"Metrics endpoint http://127.0.0.1:{port}/metrics cannot start", second.Output, StringComparison.Ordinal);
        Assert.Equal(0, await second.StopAsync());
        Assert.Equal(0, await gateway.StopAsync());
    }

    private static string Scrape(HttpClient http, int port)
    {
        try
        {
            return http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return "";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Every measurement of the gateway's meter, observed once, by instrument name and tags.</summary>
    private static Dictionary<(string Name, string Tags), double> Read(GatewayMetrics metrics)
    {
        var seen = new Dictionary<(string, string), double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // This gateway's instruments only: other tests run gateways in this process at the same time.
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}"));
            seen[(instrument.Name, key)] = value;
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    public void Dispose() => _dir.Dispose();
}
