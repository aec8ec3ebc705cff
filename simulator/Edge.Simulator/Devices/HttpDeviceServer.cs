using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace Edge.Simulator.Devices;

/// <summary>
/// The simulated network devices of the district, many behind one HTTP listener on loopback, each at
/// <c>http://127.0.0.1:PORT/{community}/{device}/</c>: Hikvision ISAPI access controllers and cameras (HTTP digest
/// authentication, the long-lived <c>ISAPI/Event/notification/alertStream</c> with multipart/mixed parts and
/// heartbeats, the remote door open, the camera's snapshot) and ONVIF cameras (SOAP with WS-Security, PullPoint
/// subscriptions, snapshots; see <see cref="OnvifEndpoints"/>). Scenarios make them send events, garbage or fall silent. (.NET's
/// HttpListener, not Kestrel: the simulator shares its output directory with the gateway program, which must not
/// need the ASP.NET runtime.)
/// </summary>
public sealed class HttpDeviceServer : IAsyncDisposable
{
    public const string Realm = "EdgeSim";
    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<string, SimHttpDevice> _devices = new();
    private readonly HttpDigest _digest = new(Realm);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    private HttpDeviceServer(HttpListener listener, int port)
    {
        _listener = listener;
        Port = port;
        _accept = Task.Run(() => AcceptAsync(_stop.Token));
    }

    public int Port { get; }

    /// <summary>The base address of one controller, as the gateway is configured with it.</summary>
    public Uri Url(string community, string controller) => new($"http://127.0.0.1:{Port}/{community}/{controller}/");

    /// <summary>Starts listening on <paramref name="port"/>, or on a free loopback port when it is 0.</summary>
    public static Task<HttpDeviceServer> StartAsync(int port = 0)
    {
        port = port == 0 ? Broker.StationBroker.FreePort() : port;
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        try
        {
            listener.Start();
        }
        catch (HttpListenerException ex)
        {
            listener.Close();
            throw new IOException(ex.Message, ex);
        }

        return Task.FromResult(new HttpDeviceServer(listener, port));
    }

    /// <summary>Adds a controller; its events queue until a gateway reads its alert stream.</summary>
    public SimController Add(string community, string controller, string user, string password) =>
        (SimController)(_devices[$"{community}/{controller}"] = new SimController(user, password));

    public SimController Controller(string community, string controller) => (SimController)_devices[$"{community}/{controller}"];

    /// <summary>Adds a camera (channel 1); its events queue until a gateway reads its alert stream.</summary>
    public SimIsapiCamera AddCamera(string community, string camera, string user, string password) =>
        (SimIsapiCamera)(_devices[$"{community}/{camera}"] = new SimIsapiCamera(camera, user, password));

    public SimIsapiCamera Camera(string community, string camera) => (SimIsapiCamera)_devices[$"{community}/{camera}"];

    /// <summary>Adds an ONVIF camera: its device service is at <c>{Url}onvif/device_service</c>.</summary>
    public SimOnvifCamera AddOnvifCamera(string community, string camera, string user, string password) =>
        (SimOnvifCamera)(_devices[$"{community}/{camera}"] = new SimOnvifCamera(camera, user, password));

    public SimOnvifCamera OnvifCamera(string community, string camera) => (SimOnvifCamera)_devices[$"{community}/{camera}"];

    private async Task AcceptAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            HttpListenerContext http;
            try
            {
                http = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(http, ct), CancellationToken.None);
        }
    }

    private async Task ServeAsync(HttpListenerContext http, CancellationToken ct)
    {
        try
        {
            // /{community}/{device}/ISAPI/...
            var path = http.Request.Url!.AbsolutePath.Trim('/').Split('/');
            if (path.Length >= 3 && _devices.TryGetValue($"{path[0]}/{path[1]}", out var sim))
            {
                var rest = string.Join('/', path[2..]);
                if (sim.Silent)
                {
                    // An unplugged or hung device: the request is never answered (until it comes back or the run ends).
                    while (sim.Silent && !ct.IsCancellationRequested)
                    {
                        await Task.Delay(200, ct).ConfigureAwait(false);
                    }

                    return;
                }

                if (sim is SimOnvifCamera onvif && http.Request.HttpMethod == "POST" && rest.StartsWith("onvif/", StringComparison.Ordinal))
                {
                    // SOAP requests authenticate with their WS-Security token, not HTTP.
                    await OnvifEndpoints.ServeAsync(http, onvif, Url(path[0], path[1]), rest, ct).ConfigureAwait(false);
                    return;
                }

                if (!_digest.Authorized(http, sim))
                {
                    return;
                }

                if (sim is SimOnvifCamera snapshotter && http.Request.HttpMethod == "GET" && rest == OnvifEndpoints.SnapshotPath)
                {
                    await WriteSnapshotAsync(http, snapshotter.Snapshot(), ct).ConfigureAwait(false);
                    return;
                }

                if (sim is SimIsapiDevice isapi && http.Request.HttpMethod == "GET" && rest == "ISAPI/Event/notification/alertStream")
                {
                    await IsapiAlertStream.ServeAsync(http, isapi, ct).ConfigureAwait(false);
                    return;
                }

                if (sim is SimIsapiCamera camera && http.Request.HttpMethod == "GET" && rest == "ISAPI/Streaming/channels/101/picture")
                {
                    await WriteSnapshotAsync(http, camera.Snapshot(), ct).ConfigureAwait(false);
                    return;
                }

                if (sim is SimController logged && http.Request.HttpMethod == "POST" && rest == "ISAPI/AccessControl/AcsEvent")
                {
                    using var request = new MemoryStream();
                    await http.Request.InputStream.CopyToAsync(request, ct).ConfigureAwait(false);
                    if (logged.Search(request.ToArray()) is not { } answer)
                    {
                        http.Response.StatusCode = 400;
                        return;
                    }

                    http.Response.ContentType = "application/json";
                    http.Response.ContentLength64 = answer.Length;
                    await http.Response.OutputStream.WriteAsync(answer, ct).ConfigureAwait(false);
                    return;
                }

                if (sim is SimController controller && http.Request.HttpMethod == "PUT" && rest.StartsWith("ISAPI/AccessControl/RemoteControl/door/", StringComparison.Ordinal)
                    && int.TryParse(rest[(rest.LastIndexOf('/') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var door))
                {
                    controller.RemoteOpen(door);
                    http.Response.ContentType = "application/xml";
                    await http.Response.OutputStream.WriteAsync("<ResponseStatus><statusCode>1</statusCode><statusString>OK</statusString></ResponseStatus>"u8.ToArray(), ct).ConfigureAwait(false);
                    return;
                }
            }

            http.Response.StatusCode = 404;
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The gateway went away.
        }
        finally
        {
            try
            {
                http.Response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    private static async Task WriteSnapshotAsync(HttpListenerContext http, (byte[] Bytes, string ContentType) snapshot, CancellationToken ct)
    {
        http.Response.ContentType = snapshot.ContentType;
        http.Response.ContentLength64 = snapshot.Bytes.Length;
        await http.Response.OutputStream.WriteAsync(snapshot.Bytes, ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        // Close alone: on Linux, Close after Stop looks its endpoint up again, and binds the port anew when Stop has
        // already released it (another test's listener may hold it by then: "Address already in use").
        try
        {
            _listener.Close();
        }
        catch (HttpListenerException)
        {
        }

        await _accept.ConfigureAwait(false);
        _stop.Dispose();
    }
}
