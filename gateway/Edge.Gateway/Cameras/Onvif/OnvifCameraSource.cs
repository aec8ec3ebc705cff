using System.Xml;
using System.Xml.Linq;
using Edge.Gateway.Common;
using Microsoft.Extensions.Logging;
using static Edge.Gateway.Cameras.Onvif.OnvifSoap;

namespace Edge.Gateway.Cameras.Onvif;

/// <summary>
/// An ONVIF camera's events through a PullPoint subscription: the camera's clock first (GetSystemDateAndTime, before
/// authentication: every token is dated on the camera's clock, see <see cref="OnvifClock"/>), the event service's
/// address from the device service (GetServices, or GetCapabilities on a camera without it),
/// CreatePullPointSubscription with a topic filter, then PullMessages in a loop (each waits up to
/// <see cref="MaxPullTimeout"/> for news), Renew before the subscription ends, and a new subscription after any fault, a
/// response that does not parse, or a pull unanswered for twice its timeout (hung). A new subscription's first messages
/// (<c>Initialized</c>) are the state of each property, taken like any change. The calls themselves, the clock and the
/// services' addresses are the camera's <see cref="OnvifSession"/>.
/// </summary>
public sealed class OnvifCameraSource : ICameraSource
{
    /// <summary>The longest a pull waits for news; never more than a third of the silence timeout, so a live camera is never silent.</summary>
    public static readonly TimeSpan MaxPullTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a subscription lives; it is renewed when less than a third (or two pulls) is left.</summary>
    public static readonly TimeSpan DefaultLife = TimeSpan.FromSeconds(60);

    private const int MessageLimit = 64;
    private readonly OnvifSession _session;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pullTimeout;
    private readonly TimeSpan _life;
    private long _faults;
    private long _subscriptions;

    /// <param name="life">How long each subscription is asked to live (<see cref="DefaultLife"/>; shorter in tests of the renewal).</param>
    public OnvifCameraSource(CameraDeviceOptions options, TimeProvider time, ILogger log, HttpMessageHandler? handler = null, TimeSpan? life = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _life = life ?? DefaultLife;
        _session = new OnvifSession(options, time, log, handler);
        _time = time;
        _pullTimeout = options.SilenceTimeout / 3 < MaxPullTimeout ? options.SilenceTimeout / 3 : MaxPullTimeout;
    }

    public TimeSpan SinceLastSign => _session.SinceLastSign;

    /// <summary>SOAP faults the camera answered with.</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>Answers that were not SOAP, or not the answer asked for.</summary>
    public long BadResponses => _session.BadResponses;

    /// <summary>Pulls that got no answer within their timeout and the grace after it.</summary>
    public long HungPulls => _session.HungPulls;

    /// <summary>How far the camera's clock is ahead of the gateway's, as last read.</summary>
    public TimeSpan ClockOffset => _session.ClockOffset;

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
                await _session.ReadClockAsync(ct).ConfigureAwait(false);
                var events = await _session.ServiceAsync("Events", ct).ConfigureAwait(false);
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
                _session.Problem(ex.Message);
            }
            catch (Exception ex) when (ex is XmlException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
            {
                _session.Problem(ex.Message);
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

    private async Task<(Uri Address, DateTimeOffset Ends)> SubscribeAsync(Uri events, CancellationToken ct)
    {
        var response = await _session.CallAsync(events, "http://www.onvif.org/ver10/events/wsdl/EventPortType/CreatePullPointSubscriptionRequest",
            new XElement(Tev + "CreatePullPointSubscription",
                new XElement(Tev + "Filter", new XElement(Wsnt + "TopicExpression", new XAttribute("Dialect", OnvifEvents.TopicDialect),
                    new XAttribute(XNamespace.Xmlns + "tns1", Tns1), OnvifEvents.TopicFilter)),
                new XElement(Tev + "InitialTerminationTime", Duration(_life))),
            Tev + "CreatePullPointSubscriptionResponse", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        var uri = _session.OnCamera(response.Element(Tev + "SubscriptionReference")?.Element(Wsa + "Address")?.Value, "subscription address in CreatePullPointSubscriptionResponse");

        Interlocked.Increment(ref _subscriptions);
        return (uri, _time.GetUtcNow() + _life);
    }

    private async Task<DateTimeOffset> RenewAsync(Uri subscription, CancellationToken ct)
    {
        await _session.CallAsync(subscription, "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest",
            new XElement(Wsnt + "Renew", new XElement(Wsnt + "TerminationTime", Duration(_life))), Wsnt + "RenewResponse", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        Interlocked.Increment(ref _renewals);
        return _time.GetUtcNow() + _life;
    }

    /// <summary>Ends a subscription, best effort: a camera that does not answer in 2 s keeps it until it runs out.</summary>
    private async Task UnsubscribeAsync(Uri subscription)
    {
        try
        {
            await _session.CallAsync(subscription, "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeRequest",
                new XElement(Wsnt + "Unsubscribe"), Wsnt + "UnsubscribeResponse", TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OnvifFaultException or XmlException or HttpRequestException or IOException or TimeoutException or ObjectDisposedException)
        {
        }
    }

    private async Task<OnvifPull> PullAsync(Uri subscription, CancellationToken ct)
    {
        var response = await _session.CallAsync(subscription, "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/PullMessagesRequest",
            new XElement(Tev + "PullMessages", new XElement(Tev + "Timeout", Duration(_pullTimeout)), new XElement(Tev + "MessageLimit", MessageLimit)),
            Tev + "PullMessagesResponse", _pullTimeout * 2, ct, hung: true).ConfigureAwait(false);
        return OnvifEvents.ReadPull(response);
    }

    /// <summary>The URI of the camera's snapshot (Media: GetProfiles, then GetSnapshotUri of the first profile).</summary>
    public async Task<Uri> SnapshotUriAsync(CancellationToken ct)
    {
        if (!_session.ClockRead)
        {
            await _session.ReadClockAsync(ct).ConfigureAwait(false);
        }

        var media = await _session.ServiceAsync("Media", ct).ConfigureAwait(false);
        var profiles = await _session.CallAsync(media, "http://www.onvif.org/ver10/media/wsdl/GetProfiles", new XElement(Trt + "GetProfiles"),
            Trt + "GetProfilesResponse", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        var token = profiles.Elements(Trt + "Profiles").FirstOrDefault()?.Attribute("token")?.Value
            ?? throw new XmlException("no media profile");
        var snapshot = await _session.CallAsync(media, "http://www.onvif.org/ver10/media/wsdl/GetSnapshotUri",
            new XElement(Trt + "GetSnapshotUri", new XElement(Trt + "ProfileToken", token)), Trt + "GetSnapshotUriResponse", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        return _session.OnCamera(snapshot.Element(Trt + "MediaUri")?.Element(Tt + "Uri")?.Value, "snapshot URI");
    }

    /// <summary>The camera's HTTP client (digest credentials), for its snapshots.</summary>
    public HttpClient Http => _session.Http;

    private Uri? _snapshotUri;

    /// <summary>A snapshot from the URI the media service gives (asked once, again after a failure).</summary>
    public async Task<byte[]> SnapshotAsync(int maxBytes, CancellationToken ct)
    {
        try
        {
            _snapshotUri ??= await SnapshotUriAsync(ct).ConfigureAwait(false);
            return await SnapshotHttp.GetJpegAsync(_session.Http, _snapshotUri, maxBytes, ct).ConfigureAwait(false);
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

    public void Dispose() => _session.Dispose();
}
