using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Edge.Gateway.Common;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Isapi;

/// <summary>
/// A Hikvision ISAPI device over HTTP with digest authentication (.NET's handler does the digest exchange): the
/// long-lived alert stream, read part by part and reconnected with backoff, and the remote door open. Garbage parts,
/// refused credentials and broken connections are counted and logged at a limited rate; the stream is always resumed.
/// </summary>
public sealed partial class IsapiClient : IDisposable
{
    public const string AlertStreamPath = "ISAPI/Event/notification/alertStream";
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly TimeSpan _silence;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly LogLimiter _limiter;
    private long _lastSign;

    public IsapiClient(Uri baseUri, string user, string password, TimeSpan silence, TimeProvider time, ILogger log, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        ArgumentNullException.ThrowIfNull(time);
        _base = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        _silence = silence;
        _time = time;
        _log = log;
        _limiter = new LogLimiter(time, TimeSpan.FromSeconds(30));
        handler ??= new SocketsHttpHandler
        {
            Credentials = new CredentialCache { { _base, "Digest", new NetworkCredential(user, password) } },
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _lastSign = time.GetTimestamp();
    }

    /// <summary>Parts that were not alerts (unparseable, wrong shape) and parts the reader had to drop.</summary>
    public long BadParts { get; private set; }

    /// <summary>Connections refused for wrong credentials.</summary>
    public long AuthFailures { get; private set; }

    /// <summary>Times the alert stream was opened again after it broke or went silent.</summary>
    public long Reconnects { get; private set; }

    /// <summary>The device's HTTP client (digest credentials), for its other resources (a camera's snapshot).</summary>
    public HttpClient Http => _http;

    /// <summary>The address of one of the device's resources, e.g. <c>ISAPI/Streaming/channels/101/picture</c>.</summary>
    public Uri Resolve(string path) => new(_base, path);

    /// <summary>Time since the device last gave a sign of life (a part, an accepted connection, an event log page).</summary>
    public TimeSpan SinceLastSign => _time.GetElapsedTime(Interlocked.Read(ref _lastSign));

    /// <summary>Event log searches that failed: refused, unanswered, or answered with something that is not a result.</summary>
    public long LogSearchFailures => Interlocked.Read(ref _logSearchFailures);

    private long _logSearchFailures;

    /// <summary>
    /// Reads the alert stream until cancelled, handing each alert (heartbeats included) to <paramref name="onAlert"/>.
    /// <paramref name="onConnected"/> runs each time the stream is open, before its first part is read: what it
    /// learns from the device comes before anything the stream says.
    /// </summary>
    public async Task RunAlertStreamAsync(Func<IsapiAlert, CancellationToken, Task> onAlert, CancellationToken ct, Func<CancellationToken, Task>? onConnected = null)
    {
        ArgumentNullException.ThrowIfNull(onAlert);
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), new Random());
        var first = true;
        while (!ct.IsCancellationRequested)
        {
            if (!first)
            {
                Reconnects++;
            }

            first = false;
            try
            {
                if (await ReadStreamAsync(onAlert, onConnected, ct).ConfigureAwait(false))
                {
                    backoff.Reset();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Problem($"no answer to the alert stream request within {ConnectTimeout.TotalSeconds:0} s");
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException)
            {
                Problem("alert stream broke: " + ex.Message);
            }

            try
            {
                await Task.Delay(backoff.Next(), _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One connection's worth of the stream; true when it delivered anything.</summary>
    private async Task<bool> ReadStreamAsync(Func<IsapiAlert, CancellationToken, Task> onAlert, Func<CancellationToken, Task>? onConnected, CancellationToken ct)
    {
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
        connect.CancelAfter(ConnectTimeout);
        using var response = await _http.GetAsync(Resolve(AlertStreamPath), HttpCompletionOption.ResponseHeadersRead, connect.Token).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            AuthFailures++;
            Problem("the controller refused the credentials (HTTP 401)");
            return false;
        }

        if (!response.IsSuccessStatusCode || MultipartStreamReader.Boundary(response.Content.Headers.ContentType?.ToString()) is not { } boundary)
        {
            Problem($"alert stream answered HTTP {(int)response.StatusCode} {response.Content.Headers.ContentType}");
            return false;
        }

        Sign();
        var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var bodyDisposal = body.ConfigureAwait(false);
        if (onConnected is not null)
        {
            await onConnected(ct).ConfigureAwait(false);
        }

        var reader = new MultipartStreamReader(body, boundary);
        var delivered = false;
        while (true)
        {
            // Silence ends the connection: a device that sends nothing, not even heartbeats, is not to be trusted.
            using var silent = CancellationTokenSource.CreateLinkedTokenSource(ct);
            silent.CancelAfter(_silence);
            MultipartPart? part;
            try
            {
                part = await reader.ReadPartAsync(silent.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Problem($"alert stream silent for {_silence.TotalSeconds:0} s");
                return delivered;
            }

            BadParts += reader.BadParts;
            if (part is null)
            {
                Problem("alert stream closed by the controller");
                return delivered;
            }

            if (!IsapiAlert.TryParse(part.Body, part.ContentType, out var alert, out var error))
            {
                // Snapshots come in the same stream; they are not alerts but not garbage either.
                if (part.ContentType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) != true)
                {
                    BadParts++;
                    Problem("part that is not an alert: " + error);
                }

                continue;
            }

            Sign();
            delivered = true;
            await onAlert(alert!, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One search of the controller's event log (<see cref="IsapiAccessLog"/>); null when it failed, which is counted
    /// and logged at a limited rate.
    /// </summary>
    public async Task<IsapiLogPage?> SearchLogAsync(string condition, CancellationToken ct)
    {
        using var content = new StringContent(condition, Encoding.UTF8, "application/json");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            using var response = await _http.PostAsync(Resolve(IsapiAccessLog.Path), content, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                AuthFailures++;
            }

            if (!response.IsSuccessStatusCode)
            {
                return LogSearchFailed($"event log search answered HTTP {(int)response.StatusCode}");
            }

            if (await BoundedContent.ReadAsync(response.Content, MaxLogPageBytes, timeout.Token).ConfigureAwait(false) is not { } body)
            {
                return LogSearchFailed($"event log page over {MaxLogPageBytes} bytes");
            }

            if (!IsapiAccessLog.TryParse(body, out var page, out var error))
            {
                return LogSearchFailed("event log page that is not a result: " + error);
            }

            // An answer is a sign of life: a long catch-up keeps the controller online.
            Sign();
            return page;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return LogSearchFailed($"no answer to an event log search within {ConnectTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return LogSearchFailed("event log search failed: " + ex.Message);
        }
    }

    /// <summary>A page of 30 events is a few kilobytes; snapshots are never asked for.</summary>
    private const int MaxLogPageBytes = 1 << 20;

    private IsapiLogPage? LogSearchFailed(string what)
    {
        Interlocked.Increment(ref _logSearchFailures);
        Problem(what);
        return null;
    }

    /// <summary>Opens a door remotely (<c>PUT /ISAPI/AccessControl/RemoteControl/door/{n}</c>); true when the controller accepted it.</summary>
    public async Task<bool> OpenDoorAsync(int door, CancellationToken ct)
    {
        using var content = new StringContent("<RemoteControlDoor><cmd>open</cmd></RemoteControlDoor>", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        try
        {
            using var response = await _http.PutAsync(Resolve($"ISAPI/AccessControl/RemoteControl/door/{door}"), content, ct).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                AuthFailures++;
            }

            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            Problem("remote door open failed: " + ex.Message);
            return false;
        }
    }

    private void Sign() => Interlocked.Exchange(ref _lastSign, _time.GetTimestamp());

    private void Problem(string what)
    {
        if (_limiter.TryEnter(out var suppressed))
        {
            LogProblem(_base, what, suppressed);
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "ISAPI device {Device}: {Problem} ({Suppressed} similar lines held back)")]
    private partial void LogProblem(Uri device, string problem, long suppressed);
}
