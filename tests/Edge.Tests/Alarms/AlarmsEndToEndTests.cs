using System.Buffers;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Gateway.Alarms;
using Edge.Gateway.Hardware;
using Edge.Simulator.Broker;
using Edge.Simulator.Hardware;
using Edge.Tests.Support;

namespace Edge.Tests.Alarms;

/// <summary>
/// A gateway configured with a button and a zone on the simulator's hardware bridge: a press in the simulator reaches
/// an independent subscriber at the station broker as an alarm.
/// </summary>
public sealed class AlarmsEndToEndTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private StationBroker _broker = null!;
    private BridgeServer _hardware = null!;

    public async ValueTask InitializeAsync()
    {
        _broker = await StationBroker.StartAsync();
        _hardware = BridgeServer.Start();
        _hardware.SetLevel("c001", 17, true);
        _hardware.SetAdc("c001", 0, new LoopDivider().Counts(4_700));
    }

    private Edge.Gateway.Hosting.GatewayInstance Gateway(string? broker = null)
    {
        var settings = TestGateway.Settings(broker ?? _broker.Uri, _dir.Combine("gw")) with
        {
            Hardware = new HardwareOptions { Gpio = GpioDriverKind.Bridge, Bridge = _hardware.Endpoint.ToString() },
            Alarms = new AlarmOptions
            {
                Buttons = [new AlarmButtonOptions { Id = "btn-guardroom", Name = "Guard room", Pin = 17, LedPin = 27 }],
                Zones = [new ZoneOptions { Id = "zone-fence", Name = "East fence", Channel = 0 }],
            },
        };
        return TestGateway.Create(settings);
    }

    [Fact]
    public async Task A_press_in_the_simulator_arrives_at_the_station_as_a_critical_alarm()
    {
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllAlarms);
        using var gw = Gateway();
        await gw.StartAsync(default);
        await Eventually.True(() => gw.GatewayHardware.Bridge!.Connected && gw.UplinkService.State.Connected, "bridge and uplink up");

        _hardware.SetLevel("c001", 17, false);
        _hardware.SetAdc("c001", 0, new LoopDivider().Counts(9_400));

        await Eventually.True(() => station.Messages.Count >= 2, "button and zone alarms at the station");
        var events = station.Messages.Select(m => Payloads.DecodeEvent(m.Payload.ToArray())).ToList();
        Assert.Contains(events, e => e is { Type: EventTypes.AlarmPanic, State: EventState.Active, Priority: Priority.Critical } && e.Device.Id == "btn-guardroom");
        Assert.Contains(events, e => e is { Type: EventTypes.AlarmZone, State: EventState.Active } && e.Device.Id == "zone-fence");
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task A_press_reaches_a_station_subscriber_through_mosquitto_and_the_column_turns_steady()
    {
        using var mosquitto = await Mosquitto.StartAsync(_dir.Path);
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(mosquitto.Uri), Topic.AllAlarms);
        using var gw = Gateway(mosquitto.Uri);
        await gw.StartAsync(default);
        await Eventually.True(() => gw.GatewayHardware.Bridge!.Connected && gw.UplinkService.State.Connected, "bridge and uplink up");

        _hardware.SetLevel("c001", 17, false);

        await Eventually.True(() => station.On("/events/alarm/btn-guardroom").Any(), "the alarm at the station through Mosquitto");
        var alarm = Payloads.DecodeEvent(station.On("/events/alarm/btn-guardroom").First().Payload.ToArray());
        Assert.Equal((EventTypes.AlarmPanic, EventState.Active), (alarm.Type, alarm.State!.Value));
        await Eventually.True(() => gw.AlarmsFeature.Columns!.StateOf("btn-guardroom") == ColumnState.Delivered, "column steady after the PUBACK");
        await Eventually.True(() => _hardware.Output("c001", 27) == true, "LED on");
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task Losing_the_bridge_reports_the_devices_offline_and_online_again_without_phantom_alarms()
    {
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        using var gw = Gateway();
        await gw.StartAsync(default);
        await Eventually.True(() => gw.GatewayHardware.Bridge!.Connected && _hardware.IsConnected("c001") && gw.UplinkService.State.Connected, "bridge and uplink up");

        _hardware.Disconnect("c001");
        await Eventually.True(() => station.On("/events/device/btn-guardroom").Count() >= 2, "offline, then online again");

        var types = station.Messages.Select(m => Payloads.DecodeEvent(m.Payload.ToArray())).Select(e => (e.Device.Id, e.Type)).ToList();
        Assert.Contains(("btn-guardroom", EventTypes.DeviceOffline), types);
        Assert.Contains(("zone-fence", EventTypes.DeviceOffline), types);
        Assert.Contains(("btn-guardroom", EventTypes.DeviceOnline), types);
        Assert.DoesNotContain(types, t => t.Type.StartsWith("alarm.", StringComparison.Ordinal));
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task The_column_led_blinks_while_the_alarm_cannot_go_out_and_turns_steady_once_the_broker_accepts_it()
    {
        var refuse = true;
        _broker.Server.ValidatingConnectionAsync += e =>
        {
            if (refuse && e.ClientId.StartsWith("edge-", StringComparison.Ordinal))
            {
                e.ReasonCode = MQTTnet.Protocol.MqttConnectReasonCode.ServerUnavailable;
            }

            return Task.CompletedTask;
        };
        var toggles = 0;
        _hardware.OutputWritten += (community, pin, _) => { if (community == "c001" && pin == 27) { Interlocked.Increment(ref toggles); } };
        using var gw = Gateway();
        await gw.StartAsync(default);
        await Eventually.True(() => gw.GatewayHardware.Bridge!.Connected, "bridge up");

        _hardware.SetLevel("c001", 17, false);
        await Eventually.True(() => gw.AlarmsFeature.Columns!.StateOf("btn-guardroom") == Edge.Gateway.Alarms.ColumnState.Sending, "blinking");
        var before = Volatile.Read(ref toggles);
        await Eventually.True(() => Volatile.Read(ref toggles) >= before + 3, "the LED toggles while the alarm waits");

        refuse = false;
        await Eventually.True(() => gw.AlarmsFeature.Columns!.StateOf("btn-guardroom") == Edge.Gateway.Alarms.ColumnState.Delivered, "steady after PUBACK");
        await Eventually.True(() => _hardware.Output("c001", 27) == true, "LED on");
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task A_garbage_adc_reading_from_the_simulator_is_a_fault_not_an_alarm_and_ends_when_it_reads_again()
    {
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        using var gw = Gateway();
        await gw.StartAsync(default);
        await Eventually.True(() => gw.GatewayHardware.Bridge!.Connected && gw.UplinkService.State.Connected, "up");

        _hardware.SetAdc("c001", 0, 50_000);

        await Eventually.True(() => station.On("/events/device/zone-fence").Any(), "a fault for the zone");
        _hardware.SetAdc("c001", 0, new LoopDivider().Counts(4_700));
        await Eventually.True(() => station.On("/events/device/zone-fence").Count() == 2, "the fault ended");
        var faults = station.On("/events/device/zone-fence").Select(m => Payloads.DecodeEvent(m.Payload.ToArray())).ToList();
        Assert.Equal([(EventTypes.DeviceFault, EventState.Active), (EventTypes.DeviceFault, EventState.Restored)], faults.Select(f => (f.Type, f.State!.Value)));
        Assert.Empty(station.On("/events/alarm/zone-fence"));
        await gw.StopAsync(default);
    }

    [Fact]
    public void Conflicting_devices_are_refused_with_the_keys_named()
    {
        var settings = TestGateway.Settings(_broker.Uri, _dir.Combine("gw")) with
        {
            Hardware = new HardwareOptions { Gpio = GpioDriverKind.Bridge, Bridge = "http://nope" },
            Alarms = new AlarmOptions
            {
                Buttons = [new AlarmButtonOptions { Id = "a", Pin = 5 }, new AlarmButtonOptions { Id = "a", Pin = 5 }],
                Zones = [new ZoneOptions { Id = "z", Channel = 1, AlarmFromOhms = 500, Cameras = ["cam 1"] }],
            },
        };

        var errors = settings.Validate();

        Assert.Contains(errors, e => e.StartsWith("Edge:Alarms:Buttons:1:Id 'a' is already used by Edge:Alarms:Buttons:0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Edge:Alarms:Buttons:1:Pin 5 is already used by Edge:Alarms:Buttons:0:Pin", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Edge:Alarms:Zones:0: bands overlap", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Edge:Hardware:Bridge", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Edge:Alarms:Zones:0:Cameras:0 'cam 1'", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        await _hardware.DisposeAsync();
        await _broker.DisposeAsync();
        _dir.Dispose();
    }
}
