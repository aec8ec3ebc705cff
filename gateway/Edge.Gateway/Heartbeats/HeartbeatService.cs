using Edge.Contracts.Status;
using Edge.Gateway.Configuration;
using Edge.Gateway.Outbox;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Hosting;

namespace Edge.Gateway.Heartbeats;

/// <summary>
/// Publishes the heartbeat every interval while connected: queue depth per lane, age of the oldest waiting event,
/// evictions, dead letters, expired events, reconnects and the client certificate's days left, so the station sees a gateway's backlog and losses.
/// </summary>
/// <param name="snapshots">The snapshot counters, when the gateway has cameras.</param>
/// <param name="accessLog">The access controllers' event log counters, when the gateway has controllers.</param>
public sealed class HeartbeatService(
    GatewayOptions gateway, UplinkOptions options, OutboxStore store, UplinkService uplink, TimeProvider time, Func<SnapshotCounters?>? snapshots = null,
    Func<AccessLogCounters?>? accessLog = null) : BackgroundService
{
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    /// <summary>Heartbeats that could not be made (the outbox could not be read).</summary>
    public long Failures { get; private set; }

    /// <summary>The heartbeat as it would be published now.</summary>
    public Heartbeat Current()
    {
        var stats = store.Stats();
        var now = time.GetUtcNow();
        var oldest = stats.OldestEnqueuedAt is { } o ? Math.Max(0, (now - o).TotalSeconds) : 0;
        return new Heartbeat(gateway.Community, gateway.Id, now, Math.Round((now - _startedAt).TotalSeconds, 3), stats.LastSeq,
            stats.Queue, Math.Round(oldest, 3), stats.Evictions, stats.DeadLetters, stats.Expired, uplink.State.Reconnects,
            snapshots?.Invoke(), accessLog?.Invoke(), uplink.ClientCertificate?.Status(), store.SeqEpoch,
            uplink.State.FailedAttempts, uplink.State.LastConnectError);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await uplink.PublishHeartbeatAsync(Current(), stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                {
                    // A failed read of the outbox's figures skips one heartbeat, not all the later ones.
                    Failures++;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
