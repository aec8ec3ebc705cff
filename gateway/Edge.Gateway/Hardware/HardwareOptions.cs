namespace Edge.Gateway.Hardware;

/// <summary>Which GPIO driver the gateway opens its inputs and outputs with.</summary>
public enum GpioDriverKind
{
    /// <summary>No GPIO (a gateway without buttons or zones).</summary>
    None,

    /// <summary>The Linux GPIO character device through libgpiod (real boards).</summary>
    Libgpiod,

    /// <summary>The legacy sysfs interface (older kernels).</summary>
    Sysfs,

    /// <summary>The simulator's virtual hardware bridge (docs/hardware-bridge.md).</summary>
    Bridge,
}

/// <summary>How the gateway reaches its hardware. Section <c>Edge:Hardware</c>.</summary>
public sealed class HardwareOptions
{
    public const string Section = "Edge:Hardware";

    public GpioDriverKind Gpio { get; set; } = GpioDriverKind.None;

    /// <summary>GPIO chip number for libgpiod.</summary>
    public int GpioChip { get; set; }

    /// <summary>The bridge endpoint (<c>tcp://127.0.0.1:PORT</c> or <c>unix:///path</c>) when <see cref="Gpio"/> is Bridge.</summary>
    public string? Bridge { get; set; }

    /// <summary>SPI bus of the MCP3008 ADC that reads the zones (real hardware).</summary>
    public int SpiBus { get; set; }

    /// <summary>SPI chip select of the MCP3008.</summary>
    public int SpiChipSelect { get; set; }
}
