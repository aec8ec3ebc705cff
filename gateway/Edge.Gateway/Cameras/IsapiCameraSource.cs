using Edge.Gateway.Isapi;

namespace Edge.Gateway.Cameras;

/// <summary>A Hikvision ISAPI camera: its alert stream, the events of its own channel, heartbeats as signs of life.</summary>
public sealed class IsapiCameraSource(CameraDeviceOptions options, IsapiClient client) : ICameraSource
{
    public TimeSpan SinceLastSign => client.SinceLastSign;

    /// <summary>The snapshot of the camera's main stream: <c>/ISAPI/Streaming/channels/{channel}01/picture</c>.</summary>
    public Task<byte[]> SnapshotAsync(int maxBytes, CancellationToken ct) =>
        SnapshotHttp.GetJpegAsync(client.Http, client.Resolve($"ISAPI/Streaming/channels/{options.Channel}01/picture"), maxBytes, ct);

    public Task RunAsync(Func<CameraSignal, CancellationToken, Task> onSignal, CancellationToken ct) =>
        client.RunAlertStreamAsync((alert, token) =>
        {
            if (alert.IsHeartbeat || (alert.Channel is { } channel && channel != options.Channel))
            {
                return Task.CompletedTask;
            }

            // Events that are not camera conditions (io inputs, access events of a camera with a reader) are not this adapter's.
            return CameraEvents.OfIsapi(alert.EventType) is { } type ? onSignal(new CameraSignal(type, alert.Active), token) : Task.CompletedTask;
        }, ct);

    public void Dispose() => client.Dispose();
}
