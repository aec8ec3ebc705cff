using Edge.Gateway.Isapi;
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

    public CameraAdapter(CameraOptions options, IEventSink sink, TimeProvider time, ILoggerFactory loggers, Func<CameraDeviceOptions, HttpMessageHandler?>? handlers = null)
        : this(options, sink, time, c => c.Protocol switch
        {
            CameraProtocol.Onvif => new Onvif.OnvifCameraSource(c, time, loggers.CreateLogger<Onvif.OnvifCameraSource>(), handlers?.Invoke(c)),
            _ => new IsapiCameraSource(c, new IsapiClient(new Uri(c.Url), c.User, c.Password, c.SilenceTimeout, time,
                loggers.CreateLogger<IsapiClient>(), handlers?.Invoke(c))),
        })
    {
    }

    /// <summary>With the sources given (tests, other protocols).</summary>
    public CameraAdapter(CameraOptions options, IEventSink sink, TimeProvider time, Func<CameraDeviceOptions, ICameraSource> sources)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sources);
        _options = options;
        _sink = sink;
        _time = time;
        _cameras = options.Devices.Select(c =>
        {
            var source = sources(c);
            return new Camera(c, source, new CameraConditions(options), new SilenceWatch(c.Device, c.SilenceTimeout, () => source.SinceLastSign, sink, time));
        }).ToList();
    }

    /// <summary>True when the gateway has the camera <paramref name="camera"/>.</summary>
    public bool Has(string camera) => _cameras.Any(c => c.Options.Id == camera);

    /// <summary>Takes a picture with the camera <paramref name="camera"/>; null when the gateway has no such camera.</summary>
    public Task<byte[]>? SnapshotAsync(string camera, int maxBytes, CancellationToken ct) =>
        _cameras.FirstOrDefault(c => c.Options.Id == camera)?.Source.SnapshotAsync(maxBytes, ct);

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
        foreach (var c in _cameras)
        {
            c.Source.Dispose();
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
