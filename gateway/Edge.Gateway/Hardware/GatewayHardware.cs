using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Device.Spi;
using Edge.Gateway.Hardware.Bridge;
using Iot.Device.Adc;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Hardware;

/// <summary>
/// The gateway's own hardware as <c>Edge:Hardware</c> configures it: GPIO (libgpiod, sysfs or the simulator's bridge)
/// and the zone ADC (an MCP3008 on SPI, or its twin over the bridge). Only here is hardware constructed. Each part is
/// opened when a feature first asks for it, so a gateway without alarm devices or GPIO doors opens nothing. It makes no
/// device adapters: the features do (<c>AlarmsFeature</c>, <c>AccessFeature</c>).
/// </summary>
/// <param name="community">The community the bridge serves this gateway as (simulated hardware only).</param>
public sealed class GatewayHardware(HardwareOptions options, string community, TimeProvider time, ILoggerFactory loggers) : IAsyncDisposable
{
    /// <summary>The MCP3008's full scale: it reads 10 bits.</summary>
    public const int AdcFullScale = 1023;

    private readonly HardwareOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly ILoggerFactory _loggers = loggers ?? throw new ArgumentNullException(nameof(loggers));
    private readonly List<IDisposable> _owned = [];
    private GpioController? _gpio;
    private Func<int, int>? _adc;

    /// <summary>The bridge connection, once GPIO or the ADC is opened on simulated hardware.</summary>
    public BridgeClient? Bridge { get; private set; }

    /// <summary>
    /// Whether the inputs are there to be read: the bridge's connection on simulated hardware; null for wired hardware,
    /// which is always there. Adapters take back state kept over a restart only once they can read.
    /// </summary>
    public Func<bool>? InputsPresent => _options.Gpio == GpioDriverKind.Bridge ? () => Bridge?.Connected == true : null;

    /// <summary>
    /// When the inputs changed, and up to when they are known: from the bridge on simulated hardware, which carries
    /// the time of each change; the clock's time for GPIO on the board.
    /// </summary>
    public InputClock Inputs => _inputs ??= new InputClock(time,
        _options.Gpio == GpioDriverKind.Bridge ? () => Bridge?.InputsKnownUntil() ?? time.GetUtcNow() : null);

    private InputClock? _inputs;

    /// <summary>The GPIO controller every GPIO device shares, opened on first use.</summary>
    public GpioController OpenGpio()
    {
        if (_gpio is null)
        {
            GpioDriver driver = _options.Gpio switch
            {
                GpioDriverKind.Bridge => new VirtualGpioDriver(OpenBridge()),
                GpioDriverKind.Libgpiod => new LibGpiodDriver(_options.GpioChip),
                GpioDriverKind.Sysfs => new SysFsDriver(),
                _ => throw new InvalidOperationException($"{HardwareOptions.Section}:Gpio is {_options.Gpio}: no GPIO to open"),
            };
            _gpio = new GpioController(driver);
            _owned.Add(_gpio);
        }

        return _gpio;
    }

    /// <summary>The zone ADC (channels 0-7, 0-<see cref="AdcFullScale"/>), read through Iot.Device.Adc's <see cref="Mcp3008"/>; opened on first use.</summary>
    public Func<int, int> OpenAdc()
    {
        if (_adc is null)
        {
            var settings = new SpiConnectionSettings(_options.SpiBus, _options.SpiChipSelect);
            SpiDevice spi = _options.Gpio == GpioDriverKind.Bridge
                ? new VirtualMcp3008(OpenBridge(), settings)
                : SpiDevice.Create(new SpiConnectionSettings(_options.SpiBus, _options.SpiChipSelect) { ClockFrequency = 1_000_000 });
            var adc = new Mcp3008(spi);
            _owned.Add(adc);
            _adc = channel => adc.Read(channel);
        }

        return _adc;
    }

    private BridgeClient OpenBridge() =>
        Bridge ??= new BridgeClient(new Uri(_options.Bridge!), community, time, _loggers.CreateLogger<BridgeClient>());

    /// <summary>Connects the bridge (if any); called before the features' sources start.</summary>
    public void Start() => Bridge?.Start();

    /// <summary>Closes what was opened; the adapters are the gateway's to dispose.</summary>
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
