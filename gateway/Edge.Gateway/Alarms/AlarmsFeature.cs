using Edge.Gateway.Events;
using Edge.Gateway.Hardware;
using Edge.Gateway.Hosting;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Alarms;

/// <summary>
/// The alarm devices wired to the gateway (<c>Edge:Alarms</c>): buttons on GPIO, their columns' LEDs, and supervised
/// zones on the ADC. Opens only the hardware they need.
/// </summary>
public sealed class AlarmsFeature : IGatewayFeature
{
    private AlarmsFeature(AlarmButtonAdapter? buttons, ColumnFeedbackService? columns, ZoneAdapter? zones)
    {
        Buttons = buttons;
        Columns = columns;
        Zones = zones;
        Sources = new BackgroundService?[] { buttons, columns, zones }.OfType<BackgroundService>().ToList();
    }

    /// <summary>The alarm buttons' adapter, when any button is configured.</summary>
    public AlarmButtonAdapter? Buttons { get; }

    /// <summary>The alarm columns' LEDs, when any button has one.</summary>
    public ColumnFeedbackService? Columns { get; }

    /// <summary>The supervised zones' adapter, when any zone is configured.</summary>
    public ZoneAdapter? Zones { get; }

    public IReadOnlyList<BackgroundService> Sources { get; }

    /// <param name="events">Where the alarm events go (the snapshot service or the outbox writer).</param>
    /// <param name="uplink">Deliveries the columns' LEDs follow.</param>
    /// <param name="cursors">Where each zone's state was kept when the gateway last stopped (the outbox).</param>
    public static AlarmsFeature Create(AlarmOptions options, GatewayHardware hardware, IEventSink events, UplinkState uplink, ISourceCursors cursors,
        TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hardware);
        ArgumentNullException.ThrowIfNull(loggers);
        AlarmButtonAdapter? buttons = null;
        ColumnFeedbackService? columns = null;
        if (options.Buttons.Count > 0)
        {
            var gpio = hardware.OpenGpio();
            buttons = new AlarmButtonAdapter(options.Buttons, gpio, events, time, loggers.CreateLogger<AlarmButtonAdapter>(), hardware.Inputs);
            if (options.Buttons.Any(b => b.LedPin is not null))
            {
                columns = new ColumnFeedbackService(options.Buttons, gpio, buttons, uplink, options.ShowDelivered, time);
            }
        }

        var zones = options.Zones.Count == 0 ? null
            : new ZoneAdapter(options.Zones, hardware.OpenAdc(), GatewayHardware.AdcFullScale, events, time, loggers.CreateLogger<ZoneAdapter>(),
                hardware.InputsPresent, cursors, hardware.Inputs);
        return new AlarmsFeature(buttons, columns, zones);
    }

    public void Dispose()
    {
        // The sources are the gateway's to dispose; the hardware is GatewayHardware's.
    }
}
