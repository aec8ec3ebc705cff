using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

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
    private const string Boundary = "MIME_boundary";
    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<string, SimHttpDevice> _devices = new();
    private readonly ConcurrentDictionary<string, byte> _nonces = new();
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

                if (!Authorized(http, sim))
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
                    await AlertStreamAsync(http, isapi, ct).ConfigureAwait(false);
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
                    controller.RemoteOpens.Enqueue(door);
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

    private static async Task AlertStreamAsync(HttpListenerContext http, SimIsapiDevice sim, CancellationToken ct)
    {
        http.Response.ContentType = $"multipart/mixed; boundary={Boundary}";
        http.Response.SendChunked = true;
        var body = http.Response.OutputStream;
        // HttpListener sends the headers with the first bytes of the body: a preamble (which multipart readers skip)
        // answers the request at once, as a device does, instead of at the first event.
        var stream = sim.StreamOpened();
        try
        {
            await body.WriteAsync("\r\n"u8.ToArray(), ct).ConfigureAwait(false);
            await body.FlushAsync(ct).ConfigureAwait(false);
            await StreamPartsAsync(body, sim, stream, ct).ConfigureAwait(false);
        }
        finally
        {
            sim.StreamClosed();
        }
    }

    /// <summary>
    /// Writes the device's parts to stream number <paramref name="stream"/> until a newer stream opens (the gateway that
    /// held this one is gone: its parts go to the new one) or the connection breaks.
    /// </summary>
    private static async Task StreamPartsAsync(Stream body, SimIsapiDevice sim, int stream, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && sim.IsNewest(stream))
        {
            using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(ct);
            heartbeat.CancelAfter(sim.HeartbeatEvery);
            byte[] part;
            try
            {
                part = await sim.Reader.ReadAsync(heartbeat.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (sim.Silent)
                {
                    continue;
                }

                part = Part("application/json", Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"eventType\":\"heartBeat\",\"eventState\":\"active\",\"dateTime\":\"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssK}\",\"activePostCount\":0}}")));
            }

            if (!sim.IsNewest(stream))
            {
                // Taken just as a newer stream opened: it is that stream's (later than parts queued behind it).
                sim.Requeue(part);
                return;
            }

            await body.WriteAsync(part, ct).ConfigureAwait(false);
            await body.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>HTTP digest (RFC 7616, MD5, qop=auth), as the devices do it; a 401 with a fresh challenge otherwise.</summary>
    private bool Authorized(HttpListenerContext http, SimHttpDevice sim)
    {
        var header = http.Request.Headers["Authorization"] ?? "";
        if (header.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase))
        {
            var p = DigestParameters(header[7..]);
            if (p.TryGetValue("username", out var user) && user == sim.User
                && p.TryGetValue("nonce", out var nonce) && _nonces.ContainsKey(nonce)
                && p.TryGetValue("uri", out var uri) && p.TryGetValue("response", out var response)
                && p.TryGetValue("nc", out var nc) && p.TryGetValue("cnonce", out var cnonce))
            {
                var ha1 = Md5($"{sim.User}:{Realm}:{sim.Password}");
                var ha2 = Md5($"{http.Request.HttpMethod}:{uri}");
                if (string.Equals(response, Md5($"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"), StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        var fresh = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        if (_nonces.Count > 100_000)
        {
            // A client that keeps failing must not grow the server without bound: old challenges simply expire.
            _nonces.Clear();
        }

        _nonces[fresh] = 0;
        http.Response.StatusCode = 401;
        http.Response.AddHeader("WWW-Authenticate", $"Digest realm=\"{Realm}\", qop=\"auth\", nonce=\"{fresh}\", algorithm=MD5");
        return false;
    }

    private static Dictionary<string, string> DigestParameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result[item[..eq].Trim()] = item[(eq + 1)..].Trim().Trim('"');
            }
        }

        return result;
    }

#pragma warning disable CA5351 // HTTP digest is defined over MD5; the simulated devices speak it as the real ones do.
    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351

    internal static byte[] Part(string contentType, byte[] body) =>
        [.. Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n\r\n"), .. body, .. "\r\n"u8];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        _listener.Close();
        await _accept.ConfigureAwait(false);
        _stop.Dispose();
    }
}

/// <summary>A simulated device behind the <see cref="HttpDeviceServer"/>: its credentials, and whether it has fallen silent.</summary>
public abstract class SimHttpDevice(string user, string password)
{
    public string User { get; } = user;

    public string Password { get; } = password;

    /// <summary>A silent device answers nothing at all, not even heartbeats (a hung or unplugged device).</summary>
    public bool Silent { get; set; }
}

/// <summary>A simulated ISAPI device: what it sends on its alert stream (heartbeats while nothing else happens), and garbage.</summary>
public abstract class SimIsapiDevice(string user, string password) : SimHttpDevice(user, password)
{
    private readonly Channel<byte[]> _queue = Channel.CreateUnbounded<byte[]>();

    /// <summary>How often it sends a heartbeat while nothing else happens.</summary>
    public TimeSpan HeartbeatEvery { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Sends bytes that are not a valid part (a broken device).</summary>
    public void SendGarbage(byte[] bytes) => Enqueue(bytes);

    private int _streams;

    /// <summary>What the device has to send; one gateway reads it at a time.</summary>
    internal ChannelReader<byte[]> Reader => _queue.Reader;

    /// <summary>True while a gateway reads the alert stream.</summary>
    public bool Streaming => Volatile.Read(ref _streams) > 0;

    private int _newest;

    /// <summary>A stream opens; its number (the newest gets the parts).</summary>
    internal int StreamOpened()
    {
        Interlocked.Increment(ref _streams);
        return Interlocked.Increment(ref _newest);
    }

    internal bool IsNewest(int stream) => Volatile.Read(ref _newest) == stream;

    internal void Requeue(byte[] part) => _queue.Writer.TryWrite(part);

    internal void StreamClosed() => Interlocked.Decrement(ref _streams);

    protected void Enqueue(byte[] part) => _queue.Writer.TryWrite(part);
}

/// <summary>
/// One simulated ISAPI access controller: what it sends on its alert stream, its event log (searched by serial number
/// at <c>ISAPI/AccessControl/AcsEvent</c>), and the remote opens it received. Every event is logged first; the stream
/// gets it when a gateway is reading, or later when the controller holds events for the next reader.
/// </summary>
public sealed class SimController(string user, string password) : SimIsapiDevice(user, password)
{
    /// <summary>Events the log keeps; older ones are overwritten, as on a controller.</summary>
    public const int LogCapacity = 100_000;

    private readonly Lock _lock = new();
    private readonly List<Logged> _log = [];
    private long _serial;
    private int _searches;

    public ConcurrentQueue<int> RemoteOpens { get; } = new();

    /// <summary>
    /// True: events that happen while no gateway reads the alert stream are only logged (what most controllers do).
    /// False (the default): they wait for the next reader, as on firmware that retransmits.
    /// </summary>
    public bool LiveOnly { get; set; }

    /// <summary>Firmware that ignores <c>timeReverseOrder</c>: searches always answer oldest first.</summary>
    public bool IgnoresReverseOrder { get; set; }

    /// <summary>When set, log searches are answered with these bytes instead (a broken controller).</summary>
    public byte[]? BrokenLog { get; set; }

    /// <summary>Log searches answered.</summary>
    public int LogSearches => Volatile.Read(ref _searches);

    /// <summary>Sends an access controller event (Hikvision major/minor code) about a door and, for card events, a card.</summary>
    public long Send(int major, int minor, int door, string? cardNo = null) => Happen(major, minor, door, cardNo, push: true);

    /// <summary>An event the controller logs without sending it on the stream (firmware pushes only some kinds).</summary>
    public long LogOnly(int major, int minor, int door, string? cardNo = null) => Happen(major, minor, door, cardNo, push: false);

    private long Happen(int major, int minor, int door, string? cardNo, bool push)
    {
        lock (_lock)
        {
            var e = new Logged(++_serial, major, minor, door, cardNo, DateTimeOffset.UtcNow);
            _log.Add(e);
            if (_log.Count > LogCapacity + LogCapacity / 10)
            {
                _log.RemoveRange(0, _log.Count - LogCapacity);
            }

            if (push && (!LiveOnly || Streaming))
            {
                Enqueue(Alert(e, current: true));
            }

            return e.Serial;
        }
    }

    /// <summary>
    /// Sends the last <paramref name="count"/> logged events again: marked as history (<c>currentEvent</c> false), as
    /// some firmware does on connect, or not marked at all, as a plain resend.
    /// </summary>
    public void ReplayHistory(int count, bool markedAsHistory = true)
    {
        lock (_lock)
        {
            foreach (var e in _log.TakeLast(count))
            {
                Enqueue(Alert(e, current: !markedAsHistory));
            }
        }
    }

    /// <summary>A factory reset: the log is empty and events are numbered from 1 again.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _log.Clear();
            _serial = 0;
        }
    }

    private static byte[] Alert(Logged e, bool current)
    {
        var access = new JsonObject
        {
            ["majorEventType"] = e.Major, ["subEventType"] = e.Minor, ["doorNo"] = e.Door, ["serialNo"] = e.Serial, ["currentEvent"] = current,
        };
        if (e.CardNo is not null)
        {
            access["cardNo"] = e.CardNo;
            access["cardType"] = 1;
        }

        var alert = new JsonObject
        {
            ["ipAddress"] = "10.20.0.15", ["portNo"] = 80, ["protocol"] = "HTTP", ["channelID"] = 1,
            ["dateTime"] = e.At.ToString("yyyy-MM-ddTHH:mm:ss.fffK", CultureInfo.InvariantCulture), ["activePostCount"] = 1,
            ["eventType"] = "AccessControllerEvent", ["eventState"] = "active", ["eventDescription"] = "Access Controller Event",
            ["AccessControllerEvent"] = access,
        };
        return HttpDeviceServer.Part("application/json", Encoding.UTF8.GetBytes(alert.ToJsonString()));
    }

    /// <summary>
    /// Answers an <c>AcsEventCond</c> search: events between <c>beginSerialNo</c> and <c>endSerialNo</c>, oldest first
    /// (newest first with <c>timeReverseOrder</c>), from <c>searchResultPosition</c>, at most 30; "MORE" when more
    /// remain, "NO MATCH" when none. Null when the request is not a search.
    /// </summary>
    internal byte[]? Search(byte[] request)
    {
        try
        {
            return Answer(request);
        }
        finally
        {
            // Counted once answered: a test that waits for a search knows the log was read.
            Interlocked.Increment(ref _searches);
        }
    }

    private byte[]? Answer(byte[] request)
    {
        if (BrokenLog is { } broken)
        {
            return broken;
        }

        JsonNode? cond;
        try
        {
            cond = JsonNode.Parse(request)?["AcsEventCond"];
        }
        catch (JsonException)
        {
            return null;
        }

        if (cond is not JsonObject)
        {
            return null;
        }

        long? Number(string name) => cond[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;
        var from = Number("beginSerialNo") ?? long.MinValue;
        var to = Number("endSerialNo") ?? long.MaxValue;
        var position = (int)Math.Clamp(Number("searchResultPosition") ?? 0, 0, int.MaxValue);
        var max = (int)Math.Clamp(Number("maxResults") ?? 30, 1, 30);
        var reverse = !IgnoresReverseOrder && cond["timeReverseOrder"] is JsonValue r && r.TryGetValue<bool>(out var b) && b;
        List<Logged> matches;
        lock (_lock)
        {
            matches = _log.Where(e => e.Serial >= from && e.Serial <= to).ToList();
        }

        if (reverse)
        {
            matches.Reverse();
        }

        var page = matches.Skip(position).Take(max).ToList();
        var list = new JsonArray();
        foreach (var e in page)
        {
            var item = new JsonObject
            {
                ["major"] = e.Major, ["minor"] = e.Minor, ["time"] = e.At.ToString("yyyy-MM-ddTHH:mm:ss.fffK", CultureInfo.InvariantCulture),
                ["doorNo"] = e.Door, ["serialNo"] = e.Serial, ["currentVerifyMode"] = "cardOrFaceOrFp",
            };
            if (e.CardNo is not null)
            {
                item["cardNo"] = e.CardNo;
                item["cardType"] = 1;
            }

            list.Add(item);
        }

        var status = page.Count == 0 ? "NO MATCH" : position + page.Count < matches.Count ? "MORE" : "OK";
        var answer = new JsonObject
        {
            ["AcsEvent"] = new JsonObject
            {
                ["searchID"] = cond["searchID"]?.DeepClone(), ["totalMatches"] = matches.Count, ["responseStatusStrg"] = status,
                ["numOfMatches"] = page.Count, ["InfoList"] = list,
            },
        };
        return Encoding.UTF8.GetBytes(answer.ToJsonString());
    }

    private sealed record Logged(long Serial, int Major, int Minor, int Door, string? CardNo, DateTimeOffset At);
}

/// <summary>
/// One simulated ISAPI camera (channel 1): its events as the XML <c>EventNotificationAlert</c> parts Hikvision cameras
/// send, and its snapshot (<c>/ISAPI/Streaming/channels/101/picture</c>), a real JPEG drawn with its id and the time.
/// </summary>
public sealed class SimIsapiCamera(string id, string user, string password) : SimIsapiDevice(user, password)
{
    private int _count;

    public string Id { get; } = id;

    /// <summary>What the snapshot endpoint answers instead of a picture (a broken camera), when set.</summary>
    public byte[]? BrokenSnapshot { get; set; }

    /// <summary>Snapshots served.</summary>
    public int Snapshots => Volatile.Read(ref _count);

    /// <summary>Sends an event: <paramref name="eventType"/> as ISAPI names it (vmd, linedetection, fielddetection, tamperdetection, shelteralarm, videoloss).</summary>
    public void Send(string eventType, bool active)
    {
        var xml = string.Create(CultureInfo.InvariantCulture,
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">\r\n" +
            $"<ipAddress>10.20.1.21</ipAddress>\r\n<portNo>80</portNo>\r\n<protocol>HTTP</protocol>\r\n<macAddress>44:19:b6:6d:24:85</macAddress>\r\n" +
            $"<channelID>1</channelID>\r\n<dateTime>{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:sszzz}</dateTime>\r\n<activePostCount>1</activePostCount>\r\n" +
            $"<eventType>{eventType}</eventType>\r\n<eventState>{(active ? "active" : "inactive")}</eventState>\r\n<eventDescription>{eventType} alarm</eventDescription>\r\n" +
            $"</EventNotificationAlert>\r\n");
        Enqueue(HttpDeviceServer.Part("application/xml; charset=\"UTF-8\"", Encoding.UTF8.GetBytes(xml)));
    }

    /// <summary>The picture the camera takes now, and its content type.</summary>
    public (byte[] Bytes, string ContentType) Snapshot()
    {
        Interlocked.Increment(ref _count);
        return BrokenSnapshot is { } broken ? (broken, "application/octet-stream") : (SnapshotPainter.Draw(Id, DateTimeOffset.UtcNow), "image/jpeg");
    }
}
