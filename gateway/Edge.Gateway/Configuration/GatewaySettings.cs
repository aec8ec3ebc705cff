using Edge.Contracts.Events;
using Edge.Gateway.Access;
using Edge.Gateway.Alarms;
using Edge.Gateway.Cameras;
using Edge.Gateway.Commands;
using Edge.Gateway.Hardware;
using Edge.Gateway.Metrics;
using Edge.Gateway.Outbox;
using Edge.Gateway.TestEvents;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Configuration;

/// <summary>Everything one gateway instance is configured with; the simulator builds many of these in one process.</summary>
public sealed record GatewaySettings(
    GatewayOptions Gateway,
    OutboxOptions Outbox,
    UplinkOptions Uplink,
    TestEventOptions TestEvents,
    HardwareOptions? Hardware = null,
    AlarmOptions? Alarms = null,
    AccessOptions? Access = null,
    CameraOptions? Cameras = null,
    CommandOptions? Commands = null,
    MetricsOptions? Metrics = null)
{
    /// <summary>The Prometheus endpoint's settings, the defaults when none were given.</summary>
    public MetricsOptions MetricsOrDefault => Metrics ?? new MetricsOptions();

    /// <summary>The station's command keys, none (commands off) when none were given.</summary>
    public CommandOptions CommandsOrDefault => Commands ?? new CommandOptions();

    /// <summary>The cameras, none when none were given.</summary>
    public CameraOptions CamerasOrDefault => Cameras ?? new CameraOptions();

    /// <summary>The access devices, none when none were given.</summary>
    public AccessOptions AccessOrDefault => Access ?? new AccessOptions();

    /// <summary>The hardware settings, defaults when none were given.</summary>
    public HardwareOptions HardwareOrDefault => Hardware ?? new HardwareOptions();

    /// <summary>The alarm devices, none when none were given.</summary>
    public AlarmOptions AlarmsOrDefault => Alarms ?? new AlarmOptions();

    /// <summary>The cameras that cover each device, by device id: alarm buttons, zones and doors (snapshots follow their alarms).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> CameraLinks()
    {
        var alarms = AlarmsOrDefault;
        var access = AccessOrDefault;
        return alarms.Buttons.Select(b => (b.Id, b.Cameras))
            .Concat(alarms.Zones.Select(z => (z.Id, z.Cameras)))
            .Concat(access.Doors.Select(d => (d.Id, d.Cameras)))
            .Concat(access.Controllers.SelectMany(c => c.Doors).Select(d => (d.Id, d.Cameras)))
            .Concat(access.OsdpReaders.Where(r => r.Door is not null && r.DoorContactInput is not null).Select(r => (r.Door!, r.Cameras)))
            .GroupBy(l => l.Item1, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.SelectMany(l => l.Item2).ToList(), StringComparer.Ordinal);
    }

    /// <summary>The devices read on the gateway's own GPIO and ADC: offline together when the simulator's bridge is lost.</summary>
    public IReadOnlyList<DeviceRef> WiredDevices()
    {
        var alarms = AlarmsOrDefault;
        var access = AccessOrDefault;
        return alarms.Buttons.Select(b => b.Device).Concat(alarms.Zones.Select(z => z.Device))
            .Concat(access.WiegandReaders.Select(r => r.Device)).Concat(access.Doors.Select(d => d.Device)).ToList();
    }

    /// <summary>Every problem with the settings, each naming its key; empty when they are valid. Each section is checked once, here.</summary>
    public IReadOnlyList<string> Validate()
    {
        var check = new ConfigCheck(GatewayOptions.Section);
        GatewayOptionsValidator.Validate(Gateway, check);
        OutboxOptionsValidator.Validate(Outbox, check.Section(OutboxOptions.Section));
        UplinkOptionsValidator.Validate(Uplink, check.Section(UplinkOptions.Section));
        TestEventOptionsValidator.Validate(TestEvents, check.Section(TestEventOptions.Section));
        HardwareOptionsValidator.Validate(HardwareOrDefault, check.Section(HardwareOptions.Section));

        // Devices of every kind share one registry of ids and GPIO lines, so a clash between kinds is named.
        var keys = new DeviceKeys();
        AlarmOptionsValidator.Validate(AlarmsOrDefault, HardwareOrDefault, check.Section(AlarmOptions.Section), keys);
        AccessOptionsValidator.Validate(AccessOrDefault, check.Section(AccessOptions.Section), keys, HardwareOrDefault.Gpio);
        CameraOptionsValidator.Validate(CamerasOrDefault, check.Section(CameraOptions.Section), keys);
        CommandOptionsValidator.Validate(CommandsOrDefault, check.Section(CommandOptions.Section));
        MetricsOptionsValidator.Validate(MetricsOrDefault, check.Section(MetricsOptions.Section));
        return check.Errors;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException("Edge", typeof(GatewaySettings), errors);
        }
    }
}
