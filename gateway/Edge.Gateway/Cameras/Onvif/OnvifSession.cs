using System.Net;
using System.Net.Http.Headers;
using System.Xml;
using System.Xml.Linq;
using Edge.Gateway.Common;
using Microsoft.Extensions.Logging;
using static Edge.Gateway.Cameras.Onvif.OnvifSoap;

namespace Edge.Gateway.Cameras.Onvif;

/// <summary>
/// The gateway's SOAP session with one ONVIF camera: its HTTP client (digest credentials for snapshots), the camera's
/// clock (<see cref="OnvifClock"/>: every token is dated on it), its services' addresses (GetServices, or
/// GetCapabilities on a camera without it), and each call, bounded in time and size, its answer checked. Problems are
/// logged at most once per 30 s.
/// </summary>
internal sealed partial class OnvifSession : IDisposable
{
    private readonly CameraDeviceOptions _options;
    private readonly Uri _device;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly LogLimiter _limiter;
    private readonly OnvifClock _clock;
    /// <summary>The camera answered GetServices with a fault: older firmware, asked with GetCapabilities from then on.</summary>
    private bool _withoutGetServices;
    private readonly Uri _root;
    private TimeSpan _loggedOffset;
    private bool _clockRead;
    private long _lastSign;
    private long _badResponses;
    private long _hungPulls;

    public OnvifSession(CameraDeviceOptions options, TimeProvider time, ILogger log, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        var root = new Uri(options.Url.EndsWith('/') ? options.Url : options.Url + "/");
        _root = root;
        _device = new Uri(root, "onvif/device_service");
        _time = time;
        _log = log;
        _limiter = new LogLimiter(time, TimeSpan.FromSeconds(30));
        _clock = new OnvifClock(time);
        handler ??= new SocketsHttpHandler
        {
            // Snapshot URIs are plain HTTP with digest authentication; SOAP requests carry their own token.
            Credentials = new CredentialCache { { root, "Digest", new NetworkCredential(options.User, options.Password) } },
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        };
        Http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _lastSign = time.GetTimestamp();
    }

    /// <summary>The camera's HTTP client (digest credentials), for its snapshots.</summary>
    public HttpClient Http { get; }

    public TimeSpan SinceLastSign => _time.GetElapsedTime(Interlocked.Read(ref _lastSign));

    /// <summary>Answers that were not SOAP, or not the answer asked for.</summary>
    public long BadResponses => Interlocked.Read(ref _badResponses);

    /// <summary>Pulls that got no answer within their timeout and the grace after it.</summary>
    public long HungPulls => Interlocked.Read(ref _hungPulls);

    /// <summary>How far the camera's clock is ahead of the gateway's, as last read (zero within <see cref="OnvifClock.Tolerance"/>).</summary>
    public TimeSpan ClockOffset => _clock.Offset;

    /// <summary>True once the camera's clock has been asked for.</summary>
    public bool ClockRead => _clockRead;

    /// <summary>
    /// Reads the camera's clock (GetSystemDateAndTime, no token) and dates tokens on it from then on. A camera that
    /// refuses or garbles it keeps the offset it had: the calls after it say whether the camera is there.
    /// </summary>
    public async Task ReadClockAsync(CancellationToken ct)
    {
        var sent = _time.GetUtcNow();
        try
        {
            var response = await CallAsync(_device, "http://www.onvif.org/ver10/device/wsdl/GetSystemDateAndTime", new XElement(Tds + "GetSystemDateAndTime"),
                Tds + "GetSystemDateAndTimeResponse", TimeSpan.FromSeconds(10), ct, authenticate: false).ConfigureAwait(false);
            if (!_clock.Update(response, sent, _time.GetUtcNow()))
            {
                Problem("GetSystemDateAndTime has no UTC time: tokens are dated on the gateway's clock");
            }
        }
        catch (Exception ex) when (ex is OnvifFaultException or XmlException)
        {
            Problem($"the camera's clock cannot be read ({ex.Message}): tokens are dated on the gateway's clock");
        }

        if ((_clock.Offset - _loggedOffset).Duration() >= OnvifClock.Tolerance)
        {
            _loggedOffset = _clock.Offset;
            if (_clock.Offset == TimeSpan.Zero)
            {
                LogClockAgrees(_options.Id);
            }
            else
            {
                LogClock(_options.Id, _clock.Offset.TotalSeconds);
            }
        }

        _clockRead = true;
    }

    /// <summary>
    /// An address the camera gave (a service, a subscription, its snapshot), which must be on the configured host and
    /// port: requests to it carry the camera's credentials (a WS-Security token, digest authentication), and a camera
    /// that names another machine would have them sent there. Otherwise an <see cref="XmlException"/> saying so.
    /// </summary>
    public Uri OnCamera(string? text, string what)
    {
        var uri = HttpAddress(text, what);
        if (!string.Equals(uri.Host, _root.Host, StringComparison.OrdinalIgnoreCase) || uri.Port != _root.Port)
        {
            throw new XmlException($"{what} {uri} is not on the camera at {_root.Host}:{_root.Port}; refused, so its credentials go nowhere else");
        }

        return uri;
    }

    /// <summary>The address of one of the camera's services (Events, Media): from GetServices, or GetCapabilities on older cameras.</summary>
    public async Task<Uri> ServiceAsync(string category, CancellationToken ct)
    {
        if (!_withoutGetServices)
        {
            try
            {
                var services = await CallAsync(_device, "http://www.onvif.org/ver10/device/wsdl/GetServices",
                    new XElement(Tds + "GetServices", new XElement(Tds + "IncludeCapability", "false")), Tds + "GetServicesResponse", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
                var ns = category == "Events" ? Tev : Trt;
                return OnCamera(services.Elements(Tds + "Service").FirstOrDefault(e => e.Element(Tds + "Namespace")?.Value.Trim() == ns.NamespaceName)
                    ?.Element(Tds + "XAddr")?.Value, $"{category} service address in GetServices");
            }
            catch (OnvifFaultException ex) when (!ex.Code.EndsWith("NotAuthorized", StringComparison.Ordinal))
            {
                // GetServices came with ONVIF 2.0; an older camera refuses it and still has GetCapabilities.
                _withoutGetServices = true;
                Problem($"GetServices refused ({ex.Code}): the camera is asked with GetCapabilities");
            }
        }

        var response = await CallAsync(_device, "http://www.onvif.org/ver10/device/wsdl/GetCapabilities",
            new XElement(Tds + "GetCapabilities", new XElement(Tds + "Category", category)), Tds + "GetCapabilitiesResponse", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        return OnCamera(response.Descendants(Tt + category).Elements(Tt + "XAddr").FirstOrDefault()?.Value, $"{category} service address in GetCapabilities");
    }

    /// <param name="authenticate">False for the one call a camera answers before authentication (its clock).</param>
    /// <summary>
    /// One SOAP call: the body's first element when it is <paramref name="expected"/>; an <see cref="OnvifFaultException"/>
    /// for a fault, an <see cref="XmlException"/> for anything else, a <see cref="TimeoutException"/> after
    /// <paramref name="timeout"/>. Every answer is a sign of life.
    /// </summary>
    /// <param name="hung">A pull: no answer in time is counted as a hung pull.</param>
    public async Task<XElement> CallAsync(Uri to, string action, XElement body, XName expected, TimeSpan timeout, CancellationToken ct, bool hung = false, bool authenticate = true)
    {
        var envelope = authenticate ? Envelope(action, to, body, _options.User, _options.Password, _clock.Now) : Envelope(action, to, body, security: null);
        using var content = new StringContent(envelope.ToString(SaveOptions.DisableFormatting), System.Text.Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(ContentType) { CharSet = "utf-8" };
        content.Headers.ContentType.Parameters.Add(new NameValueHeaderValue("action", $"\"{action}\""));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        byte[] bytes;
        try
        {
            using var response = await Http.PostAsync(to, content, deadline.Token).ConfigureAwait(false);
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

    public void Problem(string what)
    {
        if (_limiter.TryEnter(out var held))
        {
            LogProblem(_options.Id, what, held);
        }
    }

    public void Dispose() => Http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "ONVIF camera {Camera}: its clock is {Seconds:0} s off the gateway's (negative: behind); WS-Security tokens are dated on its clock. Set the camera's NTP server")]
    private partial void LogClock(string camera, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "ONVIF camera {Camera}: its clock agrees with the gateway's again")]
    private partial void LogClockAgrees(string camera);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ONVIF camera {Camera}: {Problem} ({Held} similar lines held back)")]
    private partial void LogProblem(string camera, string problem, long held);
}
