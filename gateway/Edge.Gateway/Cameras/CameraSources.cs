using Edge.Gateway.Isapi;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Cameras;

/// <summary>
/// The gateway's cameras, each behind its <see cref="ICameraSource"/> (ISAPI or ONVIF). Made before the snapshot
/// service and the camera adapter, which both use them: the adapter reads their signals, the snapshot service asks
/// them for snapshots. Owns and disposes the sources.
/// </summary>
public sealed class CameraSources : IDisposable
{
    private readonly Dictionary<string, ICameraSource> _byId;

    /// <summary>With the sources given (tests, other protocols).</summary>
    public CameraSources(CameraOptions options, Func<CameraDeviceOptions, ICameraSource> make)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(make);
        Cameras = options.Devices.Select(c => (c, make(c))).ToList();
        _byId = Cameras.ToDictionary(c => c.Options.Id, c => c.Source, StringComparer.Ordinal);
    }

    /// <summary>Each configured camera and its source, in configuration order.</summary>
    public IReadOnlyList<(CameraDeviceOptions Options, ICameraSource Source)> Cameras { get; }

    /// <summary>
    /// Each camera through its protocol: an <see cref="IsapiCameraSource"/> on its own <see cref="IsapiClient"/>, or an
    /// <see cref="Onvif.OnvifCameraSource"/>.
    /// </summary>
    /// <param name="handlers">The HTTP handler for a camera (tests); null for .NET's own with digest authentication.</param>
    public static CameraSources Connect(CameraOptions options, TimeProvider time, ILoggerFactory loggers, Func<CameraDeviceOptions, HttpMessageHandler?>? handlers = null)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        return new CameraSources(options, c => c.Protocol switch
        {
            CameraProtocol.Onvif => new Onvif.OnvifCameraSource(c, time, loggers.CreateLogger<Onvif.OnvifCameraSource>(), handlers?.Invoke(c)),
            _ => new IsapiCameraSource(c, new IsapiClient(new Uri(c.Url), c.User, c.Password, c.SilenceTimeout, time,
                loggers.CreateLogger<IsapiClient>(), handlers?.Invoke(c))),
        });
    }

    /// <summary>True when the gateway has the camera <paramref name="camera"/>.</summary>
    public bool Has(string camera) => _byId.ContainsKey(camera);

    /// <summary>Takes a snapshot with the camera <paramref name="camera"/>; null when the gateway has no such camera.</summary>
    public Task<byte[]>? SnapshotAsync(string camera, int maxBytes, CancellationToken ct) =>
        _byId.TryGetValue(camera, out var source) ? source.SnapshotAsync(maxBytes, ct) : null;

    public void Dispose()
    {
        foreach (var (_, source) in Cameras)
        {
            source.Dispose();
        }
    }
}
