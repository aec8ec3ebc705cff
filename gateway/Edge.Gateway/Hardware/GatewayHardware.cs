using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Device.Spi;
using Edge.Gateway.Alarms;
using Edge.Gateway.Events;
using Edge.Gateway.Hardware.Bridge;
using Iot.Device.Adc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Hardware;

/// <summary>
/// Opens a gateway's hardware as configured (libgpiod, sysfs or the simulator's bridge; an MCP3008 for zones) and
/// makes the device adapters that read it. Only here is hardware constructed; adapters get a GpioController and an
/// ADC reader.
/// </summary>
public sealed class GatewayHardware : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];

    private GatewayHardware()
    {
    }

    /// <summary>The bridge connection, when the hardware is simulated.</summary>
    public BridgeClient? Bridge { get; private set; }

    /// <summary>The alarm columns' LEDs, when any button has one.</summary>
    public ColumnFeedbackService? Columns { get; private set; }

    /// <summary>The adapters and supervisors to run as the gateway's event sources.</summary>
    public List<BackgroundService> Sources { get; } = [];

    public static GatewayHardware Create(
        HardwareOptions hardware, AlarmOptions alarms, string community, IEventSink sink, Uplink.UplinkState uplink, TimeProvider time, ILoggerFactory loggers,
        Access.AccessOptions? access = null, Access.CardPrivacy? privacy = null, ISourceCursors? cursors = null)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        ArgumentNullException.ThrowIfNull(alarms);
        ArgumentNullException.ThrowIfNull(loggers);
        access ??= new Access.AccessOptions();
        var result = new GatewayHardware();
        if (!alarms.Any && !access.UsesGpio)
        {
            return result;
        }

        GpioDriver driver;
        Func<int, int> readAdc;
        if (hardware.Gpio == GpioDriverKind.Bridge)
        {
            result.Bridge = new BridgeClient(new Uri(hardware.Bridge!), community, time, loggers.CreateLogger<BridgeClient>());
            driver = new VirtualGpioDriver(result.Bridge);
            readAdc = ReadVia(result, new VirtualMcp3008(result.Bridge, new SpiConnectionSettings(hardware.SpiBus, hardware.SpiChipSelect)));
            var devices = alarms.Buttons.Select(b => b.Device).Concat(alarms.Zones.Select(z => z.Device))
                .Concat(access.WiegandReaders.Select(r => r.Device)).Concat(access.Doors.Select(d => d.Device)).ToList();
            result.Sources.Add(new BridgeSupervisor(result.Bridge, devices, sink, time));
        }
        else
        {
            driver = hardware.Gpio == GpioDriverKind.Libgpiod ? new LibGpiodDriver(hardware.GpioChip) : new SysFsDriver();
            readAdc = alarms.Zones.Count == 0
                ? _ => 0
                : ReadVia(result, SpiDevice.Create(new SpiConnectionSettings(hardware.SpiBus, hardware.SpiChipSelect) { ClockFrequency = 1_000_000 }));
        }

        var gpio = new GpioController(driver);
        result._owned.Add(gpio);
        if (alarms.Buttons.Count > 0)
        {
            var buttons = new AlarmButtonAdapter(alarms.Buttons, gpio, sink, time, loggers.CreateLogger<AlarmButtonAdapter>());
            result.Sources.Add(buttons);
            if (alarms.Buttons.Any(b => b.LedPin is not null))
            {
                result.Columns = new ColumnFeedbackService(alarms.Buttons, gpio, buttons, uplink, alarms.ShowDelivered, time);
                result.Sources.Add(result.Columns);
            }
        }

        var bridge = result.Bridge;
        if (access.UsesGpio)
        {
            ArgumentNullException.ThrowIfNull(privacy);
            result.Sources.AddRange(access.WiegandReaders.Select(r => new Access.WiegandReaderAdapter(r, gpio, sink, privacy, time)));
            result.Sources.AddRange(access.Doors.Select(d => new Access.GpioDoorAdapter(d, gpio, sink, time, bridge is null ? null : () => bridge.Connected, cursors)));
        }

        if (alarms.Zones.Count > 0)
        {
            result.Sources.Add(new ZoneAdapter(alarms.Zones, readAdc, 1023, sink, time, loggers.CreateLogger<ZoneAdapter>(),
                bridge is null ? null : () => bridge.Connected, cursors));
        }

        return result;
    }

    /// <summary>An MCP3008 on the SPI device (channels 0-7), read through Iot.Device.Adc.</summary>
    private static Func<int, int> ReadVia(GatewayHardware owner, SpiDevice spi)
    {
        var adc = new Mcp3008(spi);
        owner._owned.Add(adc);
        return channel => adc.Read(channel);
    }

    /// <summary>Connects the bridge (if any); called before the sources start.</summary>
    public void Start() => Bridge?.Start();

    /// <summary>Closes the hardware; the sources are the gateway's to dispose.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        if (Bridge is not null)
        {
            await Bridge.DisposeAsync().ConfigureAwait(false);
        }
    }
}
