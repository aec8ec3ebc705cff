using Edge.Simulator.District;
using System.Collections.Concurrent;
using System.Text;
using Edge.Gateway.Hosting;
using Edge.Simulator.Network;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Edge.Simulator.Gateways;

/// <summary>
/// Every community's gateway as a <see cref="GatewayInstance"/> in this process: the real gateway code, configured from
/// the same JSON a gateway process reads, each with its own outbox and MQTT connection. A kill cuts the gateway's
/// uplink (the broker sees the connection reset and publishes its last will) and then stops it; its outbox stays, and
/// the restart continues from it.
/// </summary>
public sealed class InProcessFleet(
    IReadOnlyList<CommunityPlan> communities, FleetSettings settings, Supervision supervision, TextWriter journal,
    ILoggerFactory loggers, TimeProvider time) : GatewayFleet(communities, settings, supervision, journal)
{
    private readonly ConcurrentDictionary<string, GatewayInstance> _instances = new();
    private readonly ConcurrentDictionary<string, long> _lastSeq = new();
    private readonly Dictionary<string, CommunityPlan> _plans = communities.ToDictionary(c => c.Id);

    public override string Mode => "in-process";

    /// <summary>Called for each instance made, before it starts (tests add failing sources here).</summary>
    internal Action<GatewayInstance>? Created { get; init; }

    public override long? Committed(string community) =>
        _instances.TryGetValue(community, out var g) ? g.Store.LastSeq : _lastSeq.GetValueOrDefault(community);

    protected override async Task StartAllAsync(CancellationToken ct)
    {
        foreach (var c in Communities)
        {
            try
            {
                await StartOneAsync(c.Id, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Most often the process's limit of open files: every camera's event stream is a socket at both ends.
                throw new RunStartException($"the gateway of {c.Id} did not start: {ex.Message} ({OpenFiles.Describe()}; " +
                                            "split a district this large across processes with --shard i/n)", ex);
            }
        }
    }

    protected override async Task StartOneAsync(string community, CancellationToken ct)
    {
        var json = Encoding.UTF8.GetBytes(Json(Config(_plans[community])));
        using var stream = new MemoryStream(json);
        var configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        // The simulated devices and the station's side share this process and stand for other machines: the gateways'
        // alarm threads keep the normal priority beside them (a gateway process of its own raises them).
        Edge.Gateway.Common.OwnThread.AskUrgent = false;
        var gateway = GatewayInstance.Create(GatewayHostingExtensions.BindSettings(configuration), loggers, time);
        Created?.Invoke(gateway);
        _instances[community] = gateway;
        // Not the caller's token: a BackgroundService links the start token into its lifetime, and a gateway's loops
        // must end through StopAsync, in order, not all at once when the run is interrupted.
        await gateway.StartAsync(CancellationToken.None).ConfigureAwait(false);
    }

    protected override async Task KillCoreAsync(string community, UplinkWire wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        wire.Cut();
        if (_instances.TryRemove(community, out var gateway))
        {
            await StopAndDisposeAsync(community, gateway).ConfigureAwait(false);
        }
    }

    protected override bool IsAlive(string community) => _instances.TryGetValue(community, out var g) && g.IsHealthy;

    protected override async Task StopAllAsync()
    {
        foreach (var community in _instances.Keys.ToList())
        {
            if (_instances.TryRemove(community, out var gateway))
            {
                await StopAndDisposeAsync(community, gateway).ConfigureAwait(false);
            }
        }
    }

    private async Task StopAndDisposeAsync(string community, GatewayInstance gateway)
    {
        try
        {
            await gateway.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Journal.WriteLine($"gateway {community}/{GatewayId} did not stop cleanly: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            _lastSeq[community] = gateway.Store.LastSeq;
            gateway.Dispose();
        }
    }

    protected override async ValueTask DisposeCoreAsync() => await StopAllAsync().ConfigureAwait(false);
}
