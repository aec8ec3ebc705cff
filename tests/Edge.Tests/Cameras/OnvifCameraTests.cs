using System.Text;
using System.Xml.Linq;
using Edge.Contracts.Events;
using Edge.Gateway.Cameras;
using Edge.Gateway.Cameras.Onvif;
using Edge.Simulator.Devices;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Cameras;

/// <summary>ONVIF cameras: the WS-Security digest, real-world event messages, and a gateway pulling a simulated camera's events.</summary>
public sealed class OnvifCameraTests : IAsyncLifetime
{
    private HttpDeviceServer _devices = null!;

    public async ValueTask InitializeAsync() => _devices = await HttpDeviceServer.StartAsync();

    public async ValueTask DisposeAsync() => await _devices.DisposeAsync();

    [Fact]
    public void The_password_digest_is_base64_sha1_of_nonce_created_and_password()
    {
        // Computed independently (Python hashlib) for nonce 00..0f, the creation time and the password below.
        var token = OnvifSoap.UsernameToken("admin", "Edge-cam-1", new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero), Enumerable.Range(0, 16).Select(i => (byte)i).ToArray());

        Assert.Equal("fsY5o0yzts807/p/WYg7vPKkSgI=", token.Descendants(OnvifSoap.Wsse + "Password").Single().Value);
        Assert.Equal("AAECAwQFBgcICQoLDA0ODw==", token.Descendants(OnvifSoap.Wsse + "Nonce").Single().Value);
        Assert.Equal("2026-11-28T08:00:00.000Z", token.Descendants(OnvifSoap.Wsu + "Created").Single().Value);
    }

    // A PullMessagesResponse as cameras send it (ONVIF Core Specification's example layout, with a second vendor
    // prefix for the topic namespace and an Initialized property).
    private const string Pull =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" " +
        "xmlns:tt=\"http://www.onvif.org/ver10/schema\" xmlns:wsnt=\"http://docs.oasis-open.org/wsn/b-2\" xmlns:tev=\"http://www.onvif.org/ver10/events/wsdl\" " +
        "xmlns:tns1=\"http://www.onvif.org/ver10/topics\" xmlns:ns5=\"http://www.onvif.org/ver10/topics\"><SOAP-ENV:Body><tev:PullMessagesResponse>" +
        "<tev:CurrentTime>2026-11-28T08:00:10Z</tev:CurrentTime><tev:TerminationTime>2026-11-28T08:01:10Z</tev:TerminationTime>" +
        "<wsnt:NotificationMessage><wsnt:Topic Dialect=\"http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet\">tns1:RuleEngine/CellMotionDetector/Motion</wsnt:Topic>" +
        "<wsnt:Message><tt:Message UtcTime=\"2026-11-28T08:00:09Z\" PropertyOperation=\"Changed\"><tt:Source>" +
        "<tt:SimpleItem Name=\"VideoSourceConfigurationToken\" Value=\"VideoSourceToken\"/><tt:SimpleItem Name=\"VideoAnalyticsConfigurationToken\" Value=\"VideoAnalyticsToken\"/>" +
        "<tt:SimpleItem Name=\"Rule\" Value=\"MyMotionDetectorRule\"/></tt:Source><tt:Data><tt:SimpleItem Name=\"IsMotion\" Value=\"true\"/></tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>" +
        "<wsnt:NotificationMessage><wsnt:Topic Dialect=\"http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet\">ns5:VideoSource/GlobalSceneChange/ImagingService</wsnt:Topic>" +
        "<wsnt:Message><tt:Message UtcTime=\"2026-11-28T08:00:09Z\" PropertyOperation=\"Initialized\"><tt:Source><tt:SimpleItem Name=\"Source\" Value=\"VideoSource_1\"/></tt:Source>" +
        "<tt:Data><tt:SimpleItem Name=\"State\" Value=\"false\"/></tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>" +
        "<wsnt:NotificationMessage><wsnt:Topic Dialect=\"http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet\">tns1:VideoSource/MotionAlarm</wsnt:Topic>" +
        "<wsnt:Message><tt:Message UtcTime=\"2026-11-28T08:00:09Z\" PropertyOperation=\"Changed\"><tt:Source><tt:SimpleItem Name=\"Source\" Value=\"VideoSource_1\"/></tt:Source>" +
        "<tt:Data><tt:SimpleItem Name=\"State\" Value=\"maybe\"/></tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>" +
        "<wsnt:NotificationMessage><wsnt:Topic Dialect=\"http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet\">tns1:Device/Trigger/DigitalInput</wsnt:Topic>" +
        "<wsnt:Message><tt:Message UtcTime=\"2026-11-28T08:00:09Z\"><tt:Data><tt:SimpleItem Name=\"LogicalState\" Value=\"true\"/></tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>" +
        "</tev:PullMessagesResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>";

    [Fact]
    public void A_pull_response_is_read_and_its_topics_mapped_whatever_their_prefix()
    {
        var pull = OnvifEvents.ReadPull(OnvifSoap.Body(Encoding.UTF8.GetBytes(Pull)));

        Assert.Equal(TimeSpan.FromMinutes(1), pull.TerminationTime - pull.CurrentTime);
        Assert.Equal(["RuleEngine/CellMotionDetector/Motion", "VideoSource/GlobalSceneChange/ImagingService", "VideoSource/MotionAlarm", "Device/Trigger/DigitalInput"],
            pull.Notifications.Select(n => n.Topic));
        Assert.Equal(new CameraSignal(EventTypes.CameraMotion, true), OnvifEvents.Signal(pull.Notifications[0]));
        Assert.Equal(new CameraSignal(EventTypes.CameraTamper, false), OnvifEvents.Signal(pull.Notifications[1]));
        Assert.Null(OnvifEvents.Signal(pull.Notifications[2]));
        Assert.Null(OnvifEvents.Signal(pull.Notifications[3]));
    }

    [Fact]
    public void A_soap_fault_is_an_exception_with_its_subcode()
    {
        var fault = "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:ter=\"http://www.onvif.org/ver10/error\"><s:Body><s:Fault>" +
                    "<s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value></s:Subcode></s:Code>" +
                    "<s:Reason><s:Text xml:lang=\"en\">Sender not Authorized</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>";

        var ex = Assert.Throws<OnvifFaultException>(() => OnvifSoap.Body(Encoding.UTF8.GetBytes(fault)));

        Assert.Equal(("ter:NotAuthorized", "Sender not Authorized"), (ex.Code, ex.Reason));
        Assert.Throws<System.Xml.XmlException>(() => OnvifSoap.Body("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>"u8));
    }

    /// <param name="life">The subscriptions' life, when shorter than the default (to see renewals).</param>
    private (CameraAdapter Adapter, RecordingSink Sink, OnvifCameraSource Source) Adapter(string camera, string password, TimeSpan? life = null, int silenceSeconds = 3)
    {
        var sink = new RecordingSink();
        var options = new CameraOptions
        {
            Devices = [new CameraDeviceOptions { Id = camera, Protocol = CameraProtocol.Onvif, Url = _devices.Url("c001", camera).ToString(), User = "admin", Password = password, SilenceTimeout = TimeSpan.FromSeconds(silenceSeconds) }],
        };
        OnvifCameraSource? source = null;
        var sources = new CameraSources(options,
            c => source = life is { } l ? new OnvifCameraSource(c, TimeProvider.System, NullLogger.Instance, life: l) : new OnvifCameraSource(c, TimeProvider.System, NullLogger.Instance));
        var adapter = new CameraAdapter(options, sources, sink, TimeProvider.System);
        return (adapter, sink, source!);
    }

    [Fact]
    public async Task Events_are_pulled_and_a_fault_garbage_or_a_hung_pull_gives_a_new_subscription_without_losing_what_follows()
    {
        var camera = _devices.AddOnvifCamera("c001", "cam-010", "admin", "pw-10");
        var (adapter, sink, source) = Adapter("cam-010", "pw-10");
        using var _ = adapter;
        using var __ = source;
        await adapter.StartAsync(CancellationToken.None);
        await Eventually.True(() => camera.Subscriptions == 1, "subscribed");

        camera.Send(EventTypes.CameraTamper, active: true);
        camera.Send(EventTypes.CameraTamper, active: false);
        await Eventually.True(() => sink.Drafts.Count == 2, "tamper and its restore");

        camera.FaultNextPull = true;
        await Eventually.True(() => camera.Subscriptions == 2, "a new subscription after the fault");
        camera.GarbageNextPull = true;
        await Eventually.True(() => camera.Subscriptions == 3, "a new subscription after garbage", TimeSpan.FromSeconds(20));
        camera.Send(EventTypes.CameraVideoLoss, active: true);
        await Eventually.True(() => sink.Drafts.Count == 3, "video loss after both");

        camera.Silent = true;
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.DeviceOffline), "offline when pulls hang", TimeSpan.FromSeconds(20));
        camera.Silent = false;
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.DeviceOnline), "online again", TimeSpan.FromSeconds(60));

        Assert.Equal([(EventTypes.CameraTamper, EventState.Active), (EventTypes.CameraTamper, EventState.Restored), (EventTypes.CameraVideoLoss, EventState.Active)],
            sink.Drafts.Take(3).Select(d => (d.Type, d.State!.Value)));
        Assert.True(source.Faults >= 1 && source.BadResponses >= 1 && source.HungPulls >= 1, $"faults {source.Faults}, bad {source.BadResponses}, hung {source.HungPulls}");
        await adapter.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_subscription_is_renewed_before_it_ends_and_events_keep_coming_on_it()
    {
        var camera = _devices.AddOnvifCamera("c001", "cam-013", "admin", "pw-13");
        var (adapter, sink, source) = Adapter("cam-013", "pw-13", life: TimeSpan.FromSeconds(3));
        using var _ = adapter;
        using var __ = source;
        await adapter.StartAsync(CancellationToken.None);

        await Eventually.True(() => camera.Renewals >= 3, "renewed three times", TimeSpan.FromSeconds(20));
        camera.Send(EventTypes.CameraVideoLoss, active: true);
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.CameraVideoLoss), "an event on the renewed subscription");

        Assert.Equal(1, camera.Subscriptions);
        Assert.Equal(camera.Renewals, source.Renewals);
        Assert.DoesNotContain(sink.Drafts, d => d.Type == EventTypes.DeviceOffline);
        await adapter.StopAsync(CancellationToken.None);

        // Stopping hands the pull point back.
        Assert.Equal(1, camera.Unsubscribes);
    }

    [Fact]
    public async Task A_refused_renewal_leads_to_a_new_subscription_and_events_keep_coming()
    {
        var camera = _devices.AddOnvifCamera("c001", "cam-014", "admin", "pw-14");
        camera.RefuseNextRenew = true;
        var (adapter, sink, source) = Adapter("cam-014", "pw-14", life: TimeSpan.FromSeconds(3), silenceSeconds: 10);
        using var _ = adapter;
        using var __ = source;
        await adapter.StartAsync(CancellationToken.None);

        await Eventually.True(() => camera.Subscriptions == 2 && source.Faults == 1, "subscribed again after the refused renewal", TimeSpan.FromSeconds(20));
        camera.Send(EventTypes.CameraTamper, active: true);
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.CameraTamper), "an event on the new subscription");

        // The refused subscription was handed back, and the camera was never taken for offline.
        Assert.True(camera.Unsubscribes >= 1, $"unsubscribes {camera.Unsubscribes}");
        Assert.DoesNotContain(sink.Drafts, d => d.Type == EventTypes.DeviceOffline);
        await adapter.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Wrong_credentials_are_refused_nothing_is_believed_and_the_camera_is_offline()
    {
        var camera = _devices.AddOnvifCamera("c001", "cam-011", "admin", "pw-11");
        var (adapter, sink, source) = Adapter("cam-011", "not-the-password");
        using var _ = adapter;
        using var __ = source;
        await adapter.StartAsync(CancellationToken.None);
        camera.Send(EventTypes.CameraMotion, active: true);

        await Eventually.True(() => camera.Refused >= 1 && source.Faults >= 1, "refused");
        Assert.Equal(0, camera.Subscriptions);
        Assert.DoesNotContain(sink.Drafts, d => d.Type == EventTypes.CameraMotion);
        await adapter.StopAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(-10)]
    public async Task A_camera_whose_clock_is_minutes_off_is_subscribed_with_tokens_dated_on_its_clock(int minutes)
    {
        var camera = _devices.AddOnvifCamera("c001", "cam-015", "admin", "pw-15");
        camera.ClockOffset = TimeSpan.FromMinutes(minutes);
        var (adapter, sink, source) = Adapter("cam-015", "pw-15");
        using var _ = adapter;
        using var __ = source;
        await adapter.StartAsync(CancellationToken.None);

        await Eventually.True(() => camera.Subscriptions == 1, "subscribed");
        camera.Send(EventTypes.CameraTamper, active: true);
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.CameraTamper), "the tamper");

        // Dated on the gateway's clock, every token would be minutes outside the camera's 30 s window.
        Assert.Equal(0, camera.StaleTokens);
        Assert.InRange(source.ClockOffset, TimeSpan.FromMinutes(minutes) - OnvifClock.Tolerance, TimeSpan.FromMinutes(minutes) + OnvifClock.Tolerance);
        await adapter.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_camera_without_GetServices_is_found_with_GetCapabilities()
    {
        var camera = _devices.AddOnvifCamera("c001", "cam-016", "admin", "pw-16");
        camera.LacksGetServices = true;
        var (adapter, sink, source) = Adapter("cam-016", "pw-16");
        using var _ = adapter;
        using var __ = source;
        await adapter.StartAsync(CancellationToken.None);

        await Eventually.True(() => camera.Subscriptions == 1, "subscribed");
        camera.Send(EventTypes.CameraVideoLoss, active: true);
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.CameraVideoLoss), "video loss");
        var uri = await source.SnapshotUriAsync(TestContext.Current.CancellationToken);
        Assert.EndsWith("/onvif/snapshot.jpg", uri.AbsolutePath, StringComparison.Ordinal);
        await adapter.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_condition_the_camera_holds_at_subscription_comes_from_Initialized_once_and_older_changes_never_arrive()
    {
        var camera = _devices.AddOnvifCamera("c001", "cam-017", "admin", "pw-17");
        camera.Send(EventTypes.CameraMotion, active: true);
        camera.Send(EventTypes.CameraMotion, active: false);
        camera.Send(EventTypes.CameraTamper, active: true);
        var (adapter, sink, source) = Adapter("cam-017", "pw-17", silenceSeconds: 10);
        using var _ = adapter;
        using var __ = source;
        await adapter.StartAsync(CancellationToken.None);
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.CameraTamper), "the tamper held at subscription");

        // A new subscription says the tamper again (Initialized): it is not raised twice.
        camera.FaultNextPull = true;
        await Eventually.True(() => camera.Subscriptions == 2, "subscribed again");
        camera.Send(EventTypes.CameraTamper, active: false);
        await Eventually.True(() => sink.Drafts.Count(d => d.Type == EventTypes.CameraTamper) == 2, "the tamper restored");

        Assert.Equal([(EventTypes.CameraTamper, EventState.Active), (EventTypes.CameraTamper, EventState.Restored)], sink.Drafts.Select(d => (d.Type, d.State!.Value)));
        await adapter.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void The_cameras_clock_is_read_from_GetSystemDateAndTime_and_small_offsets_are_none()
    {
        static XElement Response(int hour, int minute, int second) => XElement.Parse(
            "<tds:GetSystemDateAndTimeResponse xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\" xmlns:tt=\"http://www.onvif.org/ver10/schema\"><tds:SystemDateAndTime>" +
            "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:UTCDateTime>" +
            $"<tt:Time><tt:Hour>{hour}</tt:Hour><tt:Minute>{minute}</tt:Minute><tt:Second>{second}</tt:Second></tt:Time>" +
            "<tt:Date><tt:Year>2026</tt:Year><tt:Month>12</tt:Month><tt:Day>1</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var clock = new OnvifClock(time);
        var sent = time.GetUtcNow();

        Assert.True(clock.Update(Response(8, 7, 30), sent, sent + TimeSpan.FromMilliseconds(20)));
        Assert.Equal(TimeSpan.FromSeconds(7 * 60 + 30.49), clock.Offset);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 7, 30, 490, TimeSpan.Zero), clock.Now);
        Assert.True(clock.Update(Response(8, 0, 1), sent, sent));
        Assert.Equal(TimeSpan.Zero, clock.Offset);
        Assert.False(clock.Update(Response(25, 0, 0), sent, sent));
        Assert.False(clock.Update(XElement.Parse("<x/>"), sent, sent));
        Assert.Equal(TimeSpan.Zero, clock.Offset);
    }

    [Fact]
    public async Task The_snapshot_uri_comes_from_the_media_service_and_serves_a_jpeg_with_digest_authentication()
    {
        _devices.AddOnvifCamera("c001", "cam-012", "admin", "pw-12");
        using var source = new OnvifCameraSource(new CameraDeviceOptions { Id = "cam-012", Protocol = CameraProtocol.Onvif, Url = _devices.Url("c001", "cam-012").ToString(), User = "admin", Password = "pw-12" },
            TimeProvider.System, NullLogger.Instance);

        var uri = await source.SnapshotUriAsync(TestContext.Current.CancellationToken);
        var jpeg = await source.Http.GetByteArrayAsync(uri, TestContext.Current.CancellationToken);

        Assert.EndsWith("/c001/cam-012/onvif/snapshot.jpg", uri.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal([0xFF, 0xD8, 0xFF], jpeg[..3]);
    }

    [Fact]
    public async Task A_camera_that_names_another_machine_in_its_addresses_is_refused_and_nothing_is_sent_there()
    {
        // Something listening on the other machine's port, counting what reaches it.
        using var elsewhere = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        elsewhere.Start();
        var port = ((System.Net.IPEndPoint)elsewhere.LocalEndpoint).Port;
        var camera = _devices.AddOnvifCamera("c001", "cam-013", "admin", "pw-13");
        camera.AdvertisedAuthority = $"127.0.0.1:{port}";
        using var source = new OnvifCameraSource(new CameraDeviceOptions { Id = "cam-013", Protocol = CameraProtocol.Onvif, Url = _devices.Url("c001", "cam-013").ToString(), User = "admin", Password = "pw-13" },
            TimeProvider.System, NullLogger.Instance);

        var refused = await Assert.ThrowsAsync<System.Xml.XmlException>(() => source.SnapshotUriAsync(TestContext.Current.CancellationToken));

        Assert.Contains($"127.0.0.1:{port}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("is not on the camera", refused.Message, StringComparison.Ordinal);
        Assert.False(elsewhere.Pending(), "nothing may connect to the machine the camera named");
    }
}
