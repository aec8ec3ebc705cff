using Edge.Gateway.Cameras;
using Edge.Simulator.Devices;
using Edge.Simulator.Hardware;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;

namespace Edge.Simulator.District;

/// <summary>
/// The simulated hardware of the whole district, served where gateways reach it: the bridge (buttons, zones, Wiegand
/// readers and GPIO doors), the HTTP device server (ISAPI controllers and cameras, ONVIF cameras) and the OSDP lines;
/// and each community's devices on them, at rest.
/// </summary>
internal sealed class DistrictDevices(BridgeServer bridge, HttpDeviceServer http, OsdpLines osdp, IReadOnlyList<SimCommunity> communities) : IAsyncDisposable
{
    public BridgeServer Bridge { get; } = bridge;

    public HttpDeviceServer Http { get; } = http;

    public OsdpLines Osdp { get; } = osdp;

    public IReadOnlyList<SimCommunity> Communities { get; } = communities;

    /// <summary>Where the gateways find the devices.</summary>
    public DeviceEndpoints Endpoints => new(Bridge.Endpoint, new Uri($"http://127.0.0.1:{Http.Port}/"), new Uri("tcp://127.0.0.1:0")) { OsdpLines = Osdp.Endpoints };

    /// <summary>Serves every community's devices on the given ports (0: free ones); throws <see cref="RunStartException"/> naming the port that was taken.</summary>
    public static async Task<DistrictDevices> StartAsync(RunSettings settings, IReadOnlyList<CommunityPlan> district, GroundTruth truth, SimClock clock)
    {
        ArgumentNullException.ThrowIfNull(settings);
        BridgeServer? bridge = null;
        HttpDeviceServer? http = null;
        try
        {
            bridge = Start(() => BridgeServer.Start(settings.BridgePort), $"cannot serve the hardware bridge on port {settings.BridgePort}");
            http = await StartAsync(() => HttpDeviceServer.StartAsync(settings.HttpPort),
                $"cannot serve the network devices (ISAPI, ONVIF) on port {settings.HttpPort}").ConfigureAwait(false);
            var osdp = Start(() => OsdpLines.Start(district, settings.OsdpPortBase), $"cannot serve the OSDP lines from port {settings.OsdpPortBase}");
            var communities = district.Select(plan => new SimCommunity(plan, bridge, truth, clock, http, osdp.Line(plan.Id))).ToList();
            foreach (var c in communities)
            {
                c.Rest();
            }

            return new DistrictDevices(bridge, http, osdp, communities);
        }
        catch
        {
            if (http is not null)
            {
                await http.DisposeAsync().ConfigureAwait(false);
            }

            if (bridge is not null)
            {
                await bridge.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private static T Start<T>(Func<T> start, string failure)
    {
        try
        {
            return start();
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException)
        {
            throw new RunStartException($"{failure}: {ex.Message}", ex);
        }
    }

    private static async Task<T> StartAsync<T>(Func<Task<T>> start, string failure)
    {
        try
        {
            return await start().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException)
        {
            throw new RunStartException($"{failure}: {ex.Message}", ex);
        }
    }

    /// <summary>Says where each kind of device is served and how many there are.</summary>
    public void Describe(TextWriter o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var c = Communities;
        o.WriteLine($"Hardware bridge  {Bridge.Endpoint} ({c.Count} communities: {c.Sum(x => x.Wiring.Buttons.Count)} alarm buttons, {c.Sum(x => x.Wiring.Zones.Count)} zones wired)");
        o.WriteLine($"Network devices  http://127.0.0.1:{Http.Port}/ ({c.Sum(x => x.Wiring.Controllers.Count())} unit door access controllers (ISAPI); " +
                    $"{c.Sum(x => x.Wiring.Cameras.Count)} cameras: {c.Sum(x => x.Wiring.Cameras.Count(w => w.Protocol == CameraProtocol.Isapi))} ISAPI, " +
                    $"{c.Sum(x => x.Wiring.Cameras.Count(w => w.Protocol == CameraProtocol.Onvif))} ONVIF)");
        o.WriteLine($"Door readers     {c.Sum(x => x.Wiring.Doors.Sum(d => d.Readers.Count))} access controls at {c.Sum(x => x.Wiring.Doors.Count)} unit doors: " +
                    $"{Osdp.Readers} OSDP readers on {Osdp.Endpoints.Count} lines, {c.Sum(x => x.Wiring.WiegandDoors.Sum(d => d.WiegandReaders.Count))} Wiegand readers on the bridge, the rest behind the controllers");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in Communities)
        {
            c.Dispose();
        }

        await Osdp.DisposeAsync().ConfigureAwait(false);
        await Http.DisposeAsync().ConfigureAwait(false);
        await Bridge.DisposeAsync().ConfigureAwait(false);
    }
}
