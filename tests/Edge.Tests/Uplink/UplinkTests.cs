using System.Buffers;
using System.Text;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Status;
using Edge.Contracts.Topics;
using Edge.Gateway.Hosting;
using Edge.Simulator.Broker;
using Edge.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Tests.Uplink;

// Over 300 lines: the uplink's behaviours against one in-process broker, a test each.
/// <summary>The uplink against MQTTnet's in-process broker.</summary>
public sealed class UplinkTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private StationBroker _broker = null!;
    private volatile bool _refuseGateway;
    private int _refusals;

    public async ValueTask InitializeAsync()
    {
        _broker = await StationBroker.StartAsync();
        _broker.Server.ValidatingConnectionAsync += e =>
        {
            if (_refuseGateway && e.ClientId.StartsWith("edge-", StringComparison.Ordinal))
            {
                e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
                Interlocked.Increment(ref _refusals);
            }

            return Task.CompletedTask;
        };
    }

    private GatewayInstance Gateway(Action<Edge.Gateway.Configuration.GatewaySettings>? configure = null)
    {
        var settings = TestGateway.Settings(_broker.Uri, _dir.Combine("gw"));
        configure?.Invoke(settings);
        return TestGateway.Create(settings);
    }

    [Fact]
    public async Task Events_reach_an_independent_subscriber_with_topic_payload_and_user_properties()
    {
        await using var sub = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        using var gw = Gateway();
        await gw.StartAsync(default);

        var alarm = await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1"));
        var motion = await gw.SubmitAsync(TestGateway.Draft(EventTypes.CameraMotion, Priority.Low, "cam-1", expireAfter: TimeSpan.FromMinutes(5)));
        await Eventually.True(() => sub.Messages.Count == 2, "both events at the subscriber");
        await gw.StopAsync(default);

        var a = sub.Messages.Single(m => m.Topic == "edge/v1/c001/gw1/events/alarm/btn-1");
        Assert.Equal(alarm, Payloads.DecodeEvent(a.Payload.ToArray()) with { Data = alarm.Data });
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, a.QualityOfServiceLevel);
        Assert.Equal("application/json", a.ContentType);
        Assert.Equal(alarm.Id.ToString(), RecordingSubscriber.Property(a, UserProperties.Id));
        Assert.Equal("alarm.panic", RecordingSubscriber.Property(a, UserProperties.Type));
        Assert.Equal("critical", RecordingSubscriber.Property(a, UserProperties.Priority));
        Assert.Equal(alarm.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), RecordingSubscriber.Property(a, UserProperties.Seq));
        Assert.Equal(0u, a.MessageExpiryInterval);
        Schemas.AssertValid(Schemas.Event, a.Payload.ToArray());

        var m = sub.Messages.Single(x => x.Topic == "edge/v1/c001/gw1/events/camera/cam-1");
        Assert.Equal(motion.Id.ToString(), RecordingSubscriber.Property(m, UserProperties.Id));
        Assert.InRange(m.MessageExpiryInterval, 290u, 300u);
    }

    [Fact]
    public async Task A_gateway_whose_start_token_is_cancelled_under_it_still_stops_and_keeps_what_it_sent()
    {
        // BackgroundService links the start token into every loop's lifetime: cancelling it stops the writer and the
        // uplink at once, out of order. The uplink's wait for the writer must not turn that into a hang.
        using var gw = Gateway();
        using var start = new CancellationTokenSource();
        await gw.StartAsync(start.Token);
        await Eventually.True(() => gw.UplinkService.State.Connected, "connected");
        await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1"));
        await Eventually.True(() => gw.Store.Stats().Queue.Total == 0, "delivered");

        await start.CancelAsync();
        var stopping = gw.StopAsync(default);

        Assert.Same(stopping, await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken)));
        Assert.Equal(1, gw.Store.LastSeq);
    }

    [Fact]
    public async Task An_alarm_during_a_long_reconnect_backoff_is_sent_as_soon_as_the_station_accepts_again()
    {
        await using var sub = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllAlarms);
        _refuseGateway = true;
        var settings = TestGateway.Settings(_broker.Uri, _dir.Combine("gw"));
        settings.Uplink.ReconnectMinDelay = TimeSpan.FromMilliseconds(100);
        settings.Uplink.ReconnectMaxDelay = TimeSpan.FromMinutes(1);
        settings.Uplink.AlarmReconnectMaxDelay = TimeSpan.FromMilliseconds(300);
        using var gw = TestGateway.Create(settings);
        await gw.StartAsync(default);

        // Refused for a while: the backoff grows to seconds.
        await Eventually.True(() => Volatile.Read(ref _refusals) >= 6, "six refused connects");
        await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1"));
        _refuseGateway = false;

        // How soon is proven on a fake clock (ReconnectWaitTests); here, that it arrives once the station accepts again.
        await Eventually.True(() => !sub.Messages.IsEmpty, "the alarm at the station");
        Assert.Equal(EventTypes.AlarmPanic, Payloads.DecodeEvent(sub.Messages.First().Payload.ToArray()).Type);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task Status_is_retained_online_while_running_and_offline_after_a_clean_stop()
    {
        using var gw = Gateway();
        await gw.StartAsync(default);
        await Eventually.True(
            () => _broker.Server.GetRetainedMessagesAsync().GetAwaiter().GetResult().Any(m => m.Topic == Topic.Status("c001", "gw1")),
            "status retained at the broker");

        await using (var late = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllStatus))
        {
            await Eventually.True(() => late.Messages.Count >= 1, "retained status for a late subscriber");
            var status = Payloads.DecodeStatus(late.Messages.First().Payload.ToArray());
            Assert.Equal(GatewayState.Online, status.State);
            Assert.True(late.Messages.First().Retain);
            Schemas.AssertValid(Schemas.Status, late.Messages.First().Payload.ToArray());
        }

        await gw.StopAsync(default);

        await using var after = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllStatus);
        await Eventually.True(() => after.Messages.Count >= 1, "retained status after stop");
        var offline = Payloads.DecodeStatus(after.Messages.First().Payload.ToArray());
        Assert.Equal(GatewayState.Offline, offline.State);
        Assert.Equal("shutdown", offline.Reason);
    }

    [Fact]
    public async Task A_refused_connection_keeps_events_and_delivers_them_once_the_broker_accepts()
    {
        await using var sub = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        _refuseGateway = true;
        using var gw = Gateway();
        await gw.StartAsync(default);
        for (var i = 0; i < 5; i++)
        {
            await gw.SubmitAsync(TestGateway.Draft(n: i));
        }

        await Eventually.True(() => Volatile.Read(ref _refusals) >= 3, "the broker refused the gateway several times");
        Assert.False(gw.UplinkService.State.Connected);
        Assert.Equal(5, gw.Store.Stats().Queue.Total);
        Assert.Empty(sub.Messages);

        _refuseGateway = false;
        await Eventually.True(() => sub.Messages.Count == 5, "all five events after the broker accepted");
        await Eventually.True(() => gw.Store.Stats().Queue.Total == 0, "outbox empty after PUBACKs");
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task An_event_the_broker_refuses_is_dead_lettered_and_the_others_flow()
    {
        _broker.Server.InterceptingPublishAsync += e =>
        {
            if (e.ApplicationMessage.Topic.EndsWith("/forbidden", StringComparison.Ordinal))
            {
                e.ProcessPublish = false;
                e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            }

            return Task.CompletedTask;
        };
        await using var sub = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        using var gw = Gateway();
        await gw.StartAsync(default);

        for (var i = 0; i < 10; i++)
        {
            await gw.SubmitAsync(TestGateway.Draft(device: i == 4 ? "forbidden" : "dev1", n: i));
        }

        await Eventually.True(() => sub.Messages.Count == 9 && gw.Store.Stats().Queue.Total == 0, "nine delivered, one refused");
        var dead = Assert.Single(gw.Store.DeadLetters());
        Assert.Equal(5, dead.Seq);
        Assert.Equal(0x87, dead.ReasonCode);
        Assert.Contains("NotAuthorized", dead.Reason, StringComparison.Ordinal);
        Assert.Equal(1, gw.HeartbeatService.Current().DeadLetters);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task Critical_events_go_before_a_backlog_of_lower_ones()
    {
        await using var sub = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        _refuseGateway = true;
        using var gw = Gateway(s => s.Uplink.MaxInFlight = 1);
        await gw.StartAsync(default);
        for (var i = 0; i < 20; i++)
        {
            await gw.SubmitAsync(TestGateway.Draft(priority: i % 2 == 0 ? Priority.Low : Priority.Normal, n: i));
        }

        await gw.SubmitAsync(TestGateway.Draft(EventTypes.DeviceOffline, Priority.High, "reader-1"));
        await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1"));

        _refuseGateway = false;
        await Eventually.True(() => sub.Messages.Count == 22, "all events delivered");
        var order = sub.Messages.Select(m => Payloads.DecodeEvent(m.Payload.ToArray())).ToList();
        Assert.Equal(Priority.Critical, order[0].Priority);
        Assert.Equal(Priority.High, order[1].Priority);
        Assert.All(order.Skip(2).Take(10), e => Assert.Equal(Priority.Normal, e.Priority));
        Assert.All(order.Skip(12), e => Assert.Equal(Priority.Low, e.Priority));
        Assert.Equal(order.Skip(12).Select(e => e.Seq).Order(), order.Skip(12).Select(e => e.Seq));
        await gw.StopAsync(default);
    }

    /// <summary>
    /// The lower lanes fill their share of the window, the rest is kept for alarms. Once the broker acknowledges again,
    /// the room made wakes the loop: at each PUBACK in a small window, after an eighth of the share in a large one.
    /// </summary>
    [Theory]
    [InlineData(16, 12)]
    [InlineData(96, 80)]
    public async Task An_alarm_goes_out_while_the_window_is_full_of_unacknowledged_lower_events(int window, int share)
    {
        await using var sub = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        await using var wire = Edge.Simulator.Network.UplinkWire.Start(new Uri(_broker.Uri));
        var settings = TestGateway.Settings(wire.Uri.ToString(), _dir.Combine($"gw-window-{window}"));
        settings.Uplink.MaxInFlight = window;
        using var gw = TestGateway.Create(settings);
        await gw.StartAsync(default);
        // Once one event has gone through, the session is sending (the online status and its PUBACK are behind it).
        await gw.SubmitAsync(TestGateway.Draft(n: -1));
        await Eventually.True(() => sub.Messages.Count == 1 && gw.Store.Pending(Priority.Normal) == 0, "the first event through the wire and acknowledged");

        // The link stays up but nothing is acknowledged: the lower lanes fill their part of the window and stop there.
        wire.HoldAcknowledgements();
        const int Events = 300;
        for (var i = 0; i < Events; i++)
        {
            await gw.SubmitAsync(TestGateway.Draft(n: i));
        }

        await Eventually.True(() => sub.Messages.Count >= 1 + share, $"the lower lanes' {share} of the {window} slots sent");
        var alarm = await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1"));
        await Eventually.True(() => sub.Messages.Any(m => m.Topic.EndsWith("/alarm/btn-1", StringComparison.Ordinal)), "the alarm, in a slot kept for alarms");
        Assert.Equal(2 + share, sub.Messages.Count);

        wire.ReleaseAcknowledgements();
        await Eventually.True(() => sub.Messages.Count == Events + 2, "everything once acknowledged again");
        Assert.Equal(alarm.Id, Payloads.DecodeEvent(sub.Messages.Single(m => m.Topic.EndsWith("/alarm/btn-1", StringComparison.Ordinal)).Payload.ToArray()).Id);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task Events_that_go_stale_while_the_uplink_is_down_are_discarded_and_counted()
    {
        await using var sub = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        _refuseGateway = true;
        using var gw = Gateway();
        await gw.StartAsync(default);
        await gw.SubmitAsync(TestGateway.Draft(EventTypes.CameraMotion, Priority.Low, "cam-1", expireAfter: TimeSpan.FromMilliseconds(1)));
        await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1", expireAfter: TimeSpan.FromMilliseconds(1)));
        await Eventually.True(() => Volatile.Read(ref _refusals) >= 2, "refused while the motion went stale");

        _refuseGateway = false;

        await Eventually.True(() => gw.Store.Stats().Queue.Total == 0, "outbox empty");
        await Eventually.True(() => !sub.Messages.IsEmpty, "the alarm arrived");
        var only = Assert.Single(sub.Messages);
        Assert.EndsWith("/alarm/btn-1", only.Topic, StringComparison.Ordinal);
        Assert.Equal(1, gw.Store.Stats().Expired);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task Heartbeats_report_the_outbox_and_the_reconnects()
    {
        await using var sub = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllHeartbeats);
        using var gw = Gateway();
        await gw.StartAsync(default);
        await Eventually.True(() => gw.UplinkService.State.Connected, "connected");
        _refuseGateway = true;
        await _broker.Server.DisconnectClientAsync("edge-c001-gw1", new MQTTnet.Server.MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.AdministrativeAction });
        await Eventually.True(() => !gw.UplinkService.State.Connected, "disconnected");
        await gw.SubmitAsync(TestGateway.Draft(priority: Priority.High));
        _refuseGateway = false;
        sub.Messages.Clear();

        await Eventually.True(() => sub.Messages.Any(m => Payloads.DecodeHeartbeat(m.Payload.ToArray()).Reconnects == 1), "a heartbeat after the reconnect");
        var hb = sub.Messages.Select(m => m.Payload.ToArray()).Last();
        Schemas.AssertValid(Schemas.Heartbeat, hb);
        var heartbeat = Payloads.DecodeHeartbeat(hb);
        Assert.Equal(1, heartbeat.LastSeq);
        Assert.Equal("c001", heartbeat.Community);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task A_session_that_breaks_shows_the_gateway_offline_until_it_is_back()
    {
        var refusedOnce = 0;
        _broker.Server.InterceptingPublishAsync += e =>
        {
            if (e.ApplicationMessage.Topic.EndsWith("/busy", StringComparison.Ordinal) && Interlocked.Exchange(ref refusedOnce, 1) == 0)
            {
                e.ProcessPublish = false;
                e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
            }

            return Task.CompletedTask;
        };
        await using var sub = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllStatus);
        using var gw = Gateway();
        await gw.StartAsync(default);
        await Eventually.True(() => gw.UplinkService.State.Connected, "connected");

        await gw.SubmitAsync(TestGateway.Draft(device: "busy"));

        await Eventually.True(() => gw.UplinkService.State.Reconnects == 1 && gw.Store.Stats().Queue.Total == 0, "reconnected and delivered");
        var states = sub.Messages.Select(m => Payloads.DecodeStatus(m.Payload.ToArray())).Select(x => (x.State, x.Reason)).ToList();
        Assert.Contains((GatewayState.Offline, "connection-lost"), states);
        Assert.Equal((GatewayState.Online, null), states[^1]);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task Mqtt_3_1_1_is_used_when_configured()
    {
        MqttProtocolVersion? seen = null;
        _broker.Server.ValidatingConnectionAsync += e =>
        {
            if (e.ClientId == "edge-c001-gw1")
            {
                seen = e.ProtocolVersion;
            }

            return Task.CompletedTask;
        };
        await using var sub = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        using var gw = Gateway(s => s.Uplink.ProtocolVersion = "3.1.1");
        await gw.StartAsync(default);

        await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1"));

        await Eventually.True(() => sub.Messages.Count == 1, "event delivered over 3.1.1");
        Assert.Equal(MqttProtocolVersion.V311, seen);
        await gw.StopAsync(default);
    }

    public async ValueTask DisposeAsync()
    {
        await _broker.DisposeAsync();
        _dir.Dispose();
    }
}
