namespace Edge.Gateway.Cameras;

/// <summary>Where a camera's signals come from: its ISAPI alert stream or its ONVIF pull point.</summary>
public interface ICameraSource : IDisposable
{
    /// <summary>How long since the camera last said anything (an event, a heartbeat, an answer to a pull).</summary>
    TimeSpan SinceLastSign { get; }

    /// <summary>Reads the camera until <paramref name="ct"/>, reconnecting as needed.</summary>
    Task RunAsync(Func<CameraSignal, CancellationToken, Task> onSignal, CancellationToken ct);

    /// <summary>Takes a snapshot: a JPEG of at most <paramref name="maxBytes"/>, or a <see cref="SnapshotException"/>.</summary>
    Task<byte[]> SnapshotAsync(int maxBytes, CancellationToken ct);
}
