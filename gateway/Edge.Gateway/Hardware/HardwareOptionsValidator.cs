using Edge.Gateway.Configuration;

namespace Edge.Gateway.Hardware;

/// <summary>Validates <c>Edge:Hardware</c>; whether a driver is needed at all is the devices' validators' to say.</summary>
public static class HardwareOptionsValidator
{
    public static void Validate(HardwareOptions hardware, ConfigCheck check)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        ArgumentNullException.ThrowIfNull(check);
        check.Defined(nameof(hardware.Gpio), hardware.Gpio);
        check.That(hardware.Gpio != GpioDriverKind.Bridge || (Uri.TryCreate(hardware.Bridge, UriKind.Absolute, out var uri) && uri.Scheme is "tcp" or "unix"),
            nameof(hardware.Bridge), $"'{hardware.Bridge}' must be tcp://host:port or unix:///path when {check.Key}:Gpio is Bridge");
        check.AtLeast(nameof(hardware.GpioChip), hardware.GpioChip, 0);
        check.AtLeast(nameof(hardware.SpiBus), hardware.SpiBus, 0);
        check.AtLeast(nameof(hardware.SpiChipSelect), hardware.SpiChipSelect, 0);
    }
}
