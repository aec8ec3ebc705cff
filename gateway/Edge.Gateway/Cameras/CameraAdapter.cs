using Edge.Gateway.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Cameras;

/// <summary>
/// The gateway's cameras: each camera's signals go through its <see cref="CameraConditions"/> (one active and one
/// restore per condition, motion coalesced and capped) to the outbox as camera events. Once a second, held-back
/// restores that are due go out, and each camera is checked for silence: <c>device.offline</c> after
/// <see cref="CameraDeviceOptions.SilenceTimeout"/> without a sign of life, <c>device.online</c> when it returns.
/// </summary>
public sealed class CameraAdapter : BackgroundService
{
    private static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);
    private readonly CameraOptions _options;
    private readonly IEventSink _sink;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<Camera> _cameras;

    /// <param name="sources">The cameras to read (the snapshot service asks the same ones for snapshots).</param>
    /// <param name="sink">Where camera events go (the snapshot service, since a camera's tamper gets its own snapshot).</param>
    public CameraAdapter(CameraOptions options, CameraSources sources, IEventSink sink, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sources);
        _options = options;
        _sink = sink;
        _time = time;
        _cameras = sources.Cameras.Select(c =>
            new Camera(c.Options, c.Source, new CameraConditions(options), new SilenceWatch(c.Options.Device, c.Options.SilenceTimeout, () => c.Source.SinceLastSign, sink, time)))
            .ToList();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_cameras.Select(c => c.Source.RunAsync((signal, ct) => OnSignalAsync(c, signal, ct), stoppingToken)).Append(TickAsync(stoppingToken)));

    private async Task OnSignalAsync(Camera c, CameraSignal signal, CancellationToken ct)
    {
        await c.Lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await SubmitAsync(c, c.Conditions.Signal(signal.Type, signal.Active, _time.GetUtcNow()), ct).ConfigureAwait(false);
        }
        finally
        {
            c.Lock.Release();
        }
    }

    private async Task TickAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TickPeriod, _time, ct).ConfigureAwait(false);
                foreach (var c in _cameras)
                {
                    await c.Lock.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        await SubmitAsync(c, c.Conditions.Tick(_time.GetUtcNow()), ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        c.Lock.Release();
                    }

                    await c.Watch.CheckAsync(ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task SubmitAsync(Camera c, IReadOnlyList<CameraChange> changes, CancellationToken ct)
    {
        foreach (var change in changes)
        {
            await _sink.SubmitAsync(CameraEvents.Draft(change, c.Options.Device, c.Via, _options), ct).ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        // The sources are CameraSources' to dispose.
        foreach (var c in _cameras)
        {
            c.Lock.Dispose();
        }

        base.Dispose();
    }

    private sealed record Camera(CameraDeviceOptions Options, ICameraSource Source, CameraConditions Conditions, SilenceWatch Watch)
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public string Via => Options.Protocol == CameraProtocol.Onvif ? "onvif" : "isapi";
    }
}
