using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Simulator.Network;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;

namespace Edge.Simulator.Gateways;

/// <summary>What every gateway of a run is configured with beyond its community's devices.</summary>
public sealed record FleetSettings(Uri Broker, DeviceEndpoints Devices, string DataRoot, TimeSpan HeartbeatInterval, double TestEventRate,
    IReadOnlyList<StationKey>? StationKeys = null, string? GatewayProgram = null);

/// <summary>A station key the gateways verify commands with: its id and the public key, PEM.</summary>
public sealed record StationKey(string Id, string PublicKeyPem);

/// <summary>
/// The gateways of a run, one per community, each behind its own <see cref="UplinkWire"/> to the station broker.
/// A fleet starts them, kills and restarts them on a scenario's order, cuts their uplinks, and supervises them: a
/// gateway that dies by itself is restarted and counted, and never takes the simulator down.
/// </summary>
public abstract class GatewayFleet : IAsyncDisposable
{
    public const string GatewayId = "gw1";
    private static readonly TimeSpan SupervisionPeriod = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RestartAfterCrash = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, UplinkWire> _wires = [];
    private readonly HashSet<string> _down = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _supervisor;
    private int _crashes;
    private int _restarts;

    protected GatewayFleet(IReadOnlyList<CommunityPlan> communities, FleetSettings settings, Supervision supervision, TextWriter journal)
    {
        Communities = communities;
        Settings = settings;
        Supervision = supervision;
        Journal = journal;
    }

    public IReadOnlyList<CommunityPlan> Communities { get; }

    public FleetSettings Settings { get; }

    protected Supervision Supervision { get; }

    protected TextWriter Journal { get; }

    /// <summary>How the gateways run: in-process, processes.</summary>
    public abstract string Mode { get; }

    /// <summary>Gateways that died by themselves (a loop faulted, a process exited) and were restarted.</summary>
    public int Crashes => Volatile.Read(ref _crashes);

    /// <summary>Restarts, after kills and after crashes.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>Starts every gateway, then the supervision.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var c in Communities)
        {
            _wires[c.Id] = UplinkWire.Start(Settings.Broker);
        }

        await StartAllAsync(ct).ConfigureAwait(false);
        _supervisor = Task.Run(() => SuperviseAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>
    /// Kills a community's gateway: its uplink drops at once (the broker publishes its last will) and it stops
    /// without a goodbye. It stays down until <see cref="RestartAsync"/>.
    /// </summary>
    public async Task KillAsync(string community)
    {
        lock (_lock)
        {
            _down.Add(community);
        }

        Supervision.Killed($"{community}/{GatewayId}", DateTimeOffset.UtcNow);
        await KillCoreAsync(community, _wires[community]).ConfigureAwait(false);
    }

    /// <summary>Starts a killed gateway again on its outbox.</summary>
    public async Task RestartAsync(string community, CancellationToken ct)
    {
        _wires[community].Restore();
        await StartOneAsync(community, ct).ConfigureAwait(false);
        Interlocked.Increment(ref _restarts);
        lock (_lock)
        {
            _down.Remove(community);
        }
    }

    /// <summary>Cuts a community's uplink (its gateway keeps running and queues).</summary>
    public void CutUplink(string community) => _wires[community].Cut();

    public void RestoreUplink(string community) => _wires[community].Restore();

    /// <summary>Cuts every uplink: the station is unreachable for every community.</summary>
    public void CutAllUplinks()
    {
        foreach (var w in _wires.Values)
        {
            w.Cut();
        }
    }

    public void RestoreAllUplinks()
    {
        foreach (var w in _wires.Values)
        {
            w.Restore();
        }
    }

    /// <summary>The last seq a gateway committed, as far as the fleet can tell while it runs (null: unknown).</summary>
    public abstract long? Committed(string community);

    /// <summary>CPU time the gateways have used so far, when they run as processes of their own; null in-process.</summary>
    public virtual TimeSpan? GatewayCpu() => null;

    /// <summary>The largest peak resident memory (VmHWM) of a gateway process so far, in MB; null for gateways that are not processes of their own.</summary>
    public virtual double? GatewayPeakMemoryMb() => null;

    /// <summary>Stops every gateway cleanly; then <see cref="Committed"/> is exact.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_supervisor is not null)
        {
            await _supervisor.ConfigureAwait(false);
        }

        await StopAllAsync().ConfigureAwait(false);
    }

    /// <summary>The gateway configuration of one community, as the gateway process reads it from a file.</summary>
    protected JsonObject Config(CommunityPlan community)
    {
        ArgumentNullException.ThrowIfNull(community);
        var config = GatewayConfigWriter.Config(community, _wires[community.Id].Uri, Settings.Devices, GatewayDataDirectory(community.Id));
        var edge = config["Edge"]!.AsObject();
        edge["Uplink"]!["HeartbeatInterval"] = Settings.HeartbeatInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        edge["Uplink"]!["ReconnectMaxDelay"] = "00:00:05";
        edge["TestEvents"] = new JsonObject { ["Rate"] = Settings.TestEventRate };
        if (Settings.StationKeys is { Count: > 0 } keys)
        {
            edge["Commands"] = new JsonObject
            {
                ["StationKeys"] = new JsonArray([.. keys.Select(k => (JsonNode)new JsonObject { ["Id"] = k.Id, ["PublicKey"] = k.PublicKeyPem })]),
            };
        }

        return config;
    }

    protected static string Json(JsonObject config) => (config ?? throw new ArgumentNullException(nameof(config))).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>A community's directory: its configuration file and its gateway's data directory.</summary>
    protected string DataDirectory(string community) => Path.Combine(Settings.DataRoot, community);

    /// <summary>The gateway's own data directory (outbox, logs).</summary>
    protected string GatewayDataDirectory(string community) => Path.Combine(DataDirectory(community), "data");

    protected abstract Task StartAllAsync(CancellationToken ct);

    protected abstract Task StartOneAsync(string community, CancellationToken ct);

    protected abstract Task KillCoreAsync(string community, UplinkWire wire);

    protected abstract Task StopAllAsync();

    /// <summary>True when the community's gateway is running and healthy.</summary>
    protected abstract bool IsAlive(string community);

    private async Task SuperviseAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(SupervisionPeriod, ct).ConfigureAwait(false);
                foreach (var c in Communities)
                {
                    bool down;
                    lock (_lock)
                    {
                        down = _down.Contains(c.Id);
                    }

                    if (down || IsAlive(c.Id))
                    {
                        continue;
                    }

                    Interlocked.Increment(ref _crashes);
                    Journal.WriteLine($"gateway {c.Id}/{GatewayId} died by itself: restarting it");
                    await KillCoreAsync(c.Id, _wires[c.Id]).ConfigureAwait(false);
                    await Task.Delay(RestartAfterCrash, ct).ConfigureAwait(false);
                    await RestartAsync(c.Id, ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A restart that fails is tried again on the next round; the simulator goes on.
                Journal.WriteLine($"gateway supervision: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_supervisor is not null)
        {
            await _supervisor.ConfigureAwait(false);
        }

        await DisposeCoreAsync().ConfigureAwait(false);
        foreach (var w in _wires.Values)
        {
            await w.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    protected abstract ValueTask DisposeCoreAsync();
}
