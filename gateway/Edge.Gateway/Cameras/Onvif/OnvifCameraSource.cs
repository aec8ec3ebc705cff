using System.Net;
using System.Net.Http.Headers;
using System.Xml;
using System.Xml.Linq;
using Edge.Gateway.Common;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Logging;
using static Edge.Gateway.Cameras.Onvif.OnvifSoap;

namespace Edge.Gateway.Cameras.Onvif;

// Over 300 lines: one subscription's life (create, pull, renew, hand back) and the snapshot URI share the camera's SOAP session.
/// <summary>
/// An ONVIF camera's events through a PullPoint subscription: the event service's address from the device service
/// (GetCapabilities), CreatePullPointSubscription with a topic filter, then PullMessages in a loop (each waits up to
/// <see cref="MaxPullTimeout"/> for news), Renew before the subscription ends, and a new subscription after any fault, a
/// response that does not parse, or a pull unanswered for twice its timeout (hung). Every request carries a WS-Security
/// UsernameToken with a password digest. Every answer is a sign of life.
/// </summary>
public sealed partial class OnvifCameraSource : ICameraSource
{
    /// <summary>The longest a pull waits for news; never more than a third of the silence timeout, so a live camera is never silent.</summary>
    public static readonly TimeSpan MaxPullTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a subscription lives; it is renewed when less than a third (or two pulls) is left.</summary>
    public static readonly TimeSpan DefaultLife = TimeSpan.FromSeconds(60);

    private const int MessageLimit = 64;
    private readonly CameraDeviceOptions _options;
    private readonly Uri _device;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly LogLimiter _limiter;
    private readonly TimeSpan _pullTimeout;
    private readonly TimeSpan _life;
    private long _lastSign;
    private long _faults;
    private long _badResponses;
    private long _hungPulls;
    private long _subscriptions;

    /// <param name="life">How long each subscription is asked to live (<see cref="DefaultLife"/>; shorter in tests of the renewal).</param>
    public OnvifCameraSource(CameraDeviceOptions options, TimeProvider time, ILogger log, HttpMessageHandler? handler = null, TimeSpan? life = null)
    {
        _life = life ?? DefaultLife;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        var root = new Uri(options.Url.EndsWith('/') ? options.Url : options.Url + "/");
        _device = new Uri(root, "onvif/device_service");
        _time = time;
        _log = log;
        _limiter = new LogLimiter(time, TimeSpan.FromSeconds(30));
        _pullTimeout = options.SilenceTimeout / 3 < MaxPullTimeout ? options.SilenceTimeout / 3 : MaxPullTimeout;
        handler ??= new SocketsHttpHandler
        {
            // Snapshot URIs are plain HTTP with digest authentication; SOAP requests carry their own token.
            Credentials = new CredentialCache { { root, "Digest", new NetworkCredential(options.User, options.Password) } },
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _lastSign = time.GetTimestamp();
    }

    public TimeSpan SinceLastSign => _time.GetElapsedTime(Interlocked.Read(ref _lastSign));

    /// <summary>SOAP faults the camera answered with.</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>Answers that were not SOAP, or not the answer asked for.</summary>
    public long BadResponses => Interlocked.Read(ref _badResponses);

    /// <summary>Pulls that got no answer within their timeout and the grace after it.</summary>
    public long HungPulls => Interlocked.Read(ref _hungPulls);

    /// <summary>Subscriptions renewed before they ended.</summary>
    public long Renewals => Interlocked.Read(ref _renewals);

    private long _renewals;

    /// <summary>Subscriptions created (the first, and one after every failure).</summary>
    public long Subscriptions => Interlocked.Read(ref _subscriptions);

    public async Task RunAsync(Func<CameraSignal, CancellationToken, Task> onSignal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(onSignal);
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random());
        while (!ct.IsCancellationRequested)
        {
            Uri? subscription = null;
            try
            {
                var events = await ServiceAsync("Events", ct).ConfigureAwait(false);
                (subscription, var ends) = await SubscribeAsync(events, ct).ConfigureAwait(false);
                while (!ct.IsCancellationRequested)
                {
                    // Renewed while a third of its life or two pulls are left, whichever is more: a pull may take one.
                    if (ends - _time.GetUtcNow() < (_life / 3 > _pullTimeout * 2 ? _life / 3 : _pullTimeout * 2))
                    {
                        ends = await RenewAsync(subscription, ct).ConfigureAwait(false);
                    }

                    var pull = await PullAsync(subscription, ct).ConfigureAwait(false);
                    backoff.Reset();
                    ends = pull.TerminationTime is { } t && pull.CurrentTime is { } now ? _time.GetUtcNow() + (t - now) : ends;
                    foreach (var n in pull.Notifications)
                    {
                        if (OnvifEvents.Signal(n) is { } signal)
                        {
                            await onSignal(signal, ct).ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (OnvifFaultException ex)
            {
                Interlocked.Increment(ref _faults);
                Problem(ex.Message);
            }
            catch (Exception ex) when (ex is XmlException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
            {
                Problem(ex.Message);
            }
            finally
            {
                // A camera has few pull points: the one given up is handed back rather than left to run out.
                if (subscription is not null)
                {
                    await UnsubscribeAsync(subscription).ConfigureAwait(false);
                }
            }

            try
            {
                await Task.Delay(backoff.Next(), _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>The address of one of the camera's services (Events, Media), from GetCapabilities.</summary>
    private async Task<Uri> ServiceAsync(string category, CancellationToken ct)
    {
        var response = await CallAsync(_device, "http://www.onvif.org/ver10/device/wsdl/GetCapabilities",
            new XElement(Tds + "GetCapabilities", new XElement(Tds + "Category", category)), Tds + "GetCapabilitiesResponse", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        var address = response.Descendants(Tt + category).Elements(Tt + "XAddr").FirstOrDefault()?.Value.Trim();
        return Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new XmlException($"no {category} service address in GetCapabilities");
    }

    private async Task<(Uri Address, DateTimeOffset Ends)> SubscribeAsync(Uri events, CancellationToken ct)
    {
        var response = await CallAsync(events, "http://www.onvif.org/ver10/events/wsdl/EventPortType/CreatePullPointSubscriptionRequest",
            new XElement(Tev + "CreatePullPointSubscription",
                new XElement(Tev + "Filter", new XElement(Wsnt + "TopicExpression", new XAttribute("Dialect", OnvifEvents.TopicDialect),
                    new XAttribute(XNamespace.Xmlns + "tns1", Tns1), OnvifEvents.TopicFilter)),
                new XElement(Tev + "InitialTerminationTime", Duration(_life))),
            Tev + "CreatePullPointSubscriptionResponse", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        var address = response.Element(Tev + "SubscriptionReference")?.Element(Wsa + "Address")?.Value.Trim();
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new XmlException("no subscription address in CreatePullPointSubscriptionResponse");
        }

        Interlocked.Increment(ref _subscriptions);
        return (uri, _time.GetUtcNow() + _life);
    }

    private async Task<DateTimeOffset> RenewAsync(Uri subscription, CancellationToken ct)
    {
        await CallAsync(subscription, "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest",
            new XElement(Wsnt + "Renew", new XElement(Wsnt + "TerminationTime", Duration(_life))), Wsnt + "RenewResponse", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        Interlocked.Increment(ref _renewals);
        return _time.GetUtcNow() + _life;
    }

    /// <summary>Ends a subscription, best effort: a camera that does not answer in 2 s keeps it until it runs out.</summary>
    private async Task UnsubscribeAsync(Uri subscription)
    {
        try
        {
            await CallAsync(subscription, "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeRequest",
                new XElement(Wsnt + "Unsubscribe"), Wsnt + "UnsubscribeResponse", TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OnvifFaultException or XmlException or HttpRequestException or IOException or TimeoutException or ObjectDisposedException)
        {
        }
    }

    private async Task<OnvifPull> PullAsync(Uri subscription, CancellationToken ct)
    {
        var response = await CallAsync(subscription, "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/PullMessagesRequest",
            new XElement(Tev + "PullMessages", new XElement(Tev + "Timeout", Duration(_pullTimeout)), new XElement(Tev + "MessageLimit", MessageLimit)),
            Tev + "PullMessagesResponse", _pullTimeout * 2, ct, hung: true).ConfigureAwait(false);
        return OnvifEvents.ReadPull(response);
    }

    /// <summary>The URI of the camera's snapshot (Media: GetProfiles, then GetSnapshotUri of the first profile).</summary>
    public async Task<Uri> SnapshotUriAsync(CancellationToken ct)
    {
        var media = await ServiceAsync("Media", ct).ConfigureAwait(false);
        var profiles = await CallAsync(media, "http://www.onvif.org/ver10/media/wsdl/GetProfiles", new XElement(Trt + "GetProfiles"),
            Trt + "GetProfilesResponse", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        var token = profiles.Elements(Trt + "Profiles").FirstOrDefault()?.Attribute("token")?.Value
            ?? throw new XmlException("no media profile");
        var snapshot = await CallAsync(media, "http://www.onvif.org/ver10/media/wsdl/GetSnapshotUri",
            new XElement(Trt + "GetSnapshotUri", new XElement(Trt + "ProfileToken", token)), Trt + "GetSnapshotUriResponse", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        var uri = snapshot.Element(Trt + "MediaUri")?.Element(Tt + "Uri")?.Value.Trim();
        return Uri.TryCreate(uri, UriKind.Absolute, out var result) && result.Scheme is "http" or "https"
            ? result
            : throw new XmlException("no snapshot URI");
    }

    /// <summary>The camera's HTTP client (digest credentials), for its snapshots.</summary>
    public HttpClient Http => _http;

    private Uri? _snapshotUri;

    /// <summary>A snapshot from the URI the media service gives (asked once, again after a failure).</summary>
    public async Task<byte[]> SnapshotAsync(int maxBytes, CancellationToken ct)
    {
        try
        {
            _snapshotUri ??= await SnapshotUriAsync(ct).ConfigureAwait(false);
            return await SnapshotHttp.GetJpegAsync(_http, _snapshotUri, maxBytes, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OnvifFaultException or XmlException or TimeoutException)
        {
            _snapshotUri = null;
            throw new SnapshotException("no-snapshot-uri", ex.Message);
        }
        catch (SnapshotException)
        {
            _snapshotUri = null;
            throw;
        }
    }

    private async Task<XElement> CallAsync(Uri to, string action, XElement body, XName expected, TimeSpan timeout, CancellationToken ct, bool hung = false)
    {
        var envelope = Envelope(action, to, body, _options.User, _options.Password, _time.GetUtcNow());
        using var content = new StringContent(envelope.ToString(SaveOptions.DisableFormatting), System.Text.Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(ContentType) { CharSet = "utf-8" };
        content.Headers.ContentType.Parameters.Add(new NameValueHeaderValue("action", $"\"{action}\""));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        byte[] bytes;
        try
        {
            using var response = await _http.PostAsync(to, content, deadline.Token).ConfigureAwait(false);
            bytes = await ReadLimitedAsync(response.Content, deadline.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized && bytes.Length == 0)
            {
                throw new OnvifFaultException("NotAuthorized", "HTTP 401");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            if (hung)
            {
                Interlocked.Increment(ref _hungPulls);
            }

            throw new TimeoutException($"no answer to {body.Name.LocalName} within {timeout.TotalSeconds:0} s");
        }

        Interlocked.Exchange(ref _lastSign, _time.GetTimestamp());
        XElement result;
        try
        {
            result = Body(bytes);
        }
        catch (XmlException)
        {
            Interlocked.Increment(ref _badResponses);
            throw;
        }

        if (result.Name != expected)
        {
            Interlocked.Increment(ref _badResponses);
            throw new XmlException($"expected {expected.LocalName}, got {result.Name.LocalName}");
        }

        return result;
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken ct) =>
        await Isapi.BoundedContent.ReadAsync(content, MaxResponseBytes, ct).ConfigureAwait(false)
        ?? throw new XmlException($"answer over the limit of {MaxResponseBytes} bytes");

    private void Problem(string what)
    {
        if (_limiter.TryEnter(out var held))
        {
            LogProblem(_options.Id, what, held);
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "ONVIF camera {Camera}: {Problem} ({Held} similar lines held back)")]
    private partial void LogProblem(string camera, string problem, long held);
}
