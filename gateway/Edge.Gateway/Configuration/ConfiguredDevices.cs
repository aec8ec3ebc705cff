using System.Globalization;

namespace Edge.Gateway.Configuration;

/// <summary>One configured device and what it is wired to, as a technician checks it against the cabinet.</summary>
public sealed record ConfiguredDevice(string Kind, string Id, string? Name, string WiredTo);

/// <summary>The devices a configuration names (<c>edge-gateway devices</c>), in the order a technician walks them.</summary>
public static class ConfiguredDevices
{
    public static IReadOnlyList<ConfiguredDevice> Of(GatewaySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var hardware = settings.HardwareOrDefault;
        var gpio = hardware.Gpio switch
        {
            Hardware.GpioDriverKind.Bridge => $"bridge {hardware.Bridge}",
            Hardware.GpioDriverKind.Libgpiod => $"gpiochip{hardware.GpioChip}",
            var other => other.ToString().ToLowerInvariant(),
        };
        var devices = new List<ConfiguredDevice>();
        foreach (var b in settings.AlarmsOrDefault.Buttons)
        {
            devices.Add(new("button", b.Id, b.Name, Invariant($"{gpio} pin {b.Pin} ({b.Contact})") + (b.LedPin is { } led ? Invariant($", LED pin {led}") : "")));
        }

        foreach (var z in settings.AlarmsOrDefault.Zones)
        {
            devices.Add(new("zone", z.Id, z.Name, Invariant($"ADC (SPI {hardware.SpiBus}.{hardware.SpiChipSelect}) channel {z.Channel}")));
        }

        var access = settings.AccessOrDefault;
        foreach (var c in access.Controllers)
        {
            devices.Add(new("controller", c.Id, c.Name, $"{c.Url} (ISAPI{(c.AllowInsecure ? ", insecure allowed" : "")})"));
            foreach (var d in c.Doors)
            {
                devices.Add(new("door", d.Id, d.Name, Invariant($"controller {c.Id} door {d.Number}")));
            }
        }

        foreach (var r in access.WiegandReaders)
        {
            devices.Add(new("reader", r.Id, r.Name, Invariant($"{gpio} D0 pin {r.D0}, D1 pin {r.D1} (Wiegand)") + (r.Door is { } door ? $", door {door}" : "")));
        }

        foreach (var d in access.Doors)
        {
            var pins = Invariant($"{gpio} contact pin {d.ContactPin}")
                + (d.RequestToExitPin is { } rex ? Invariant($", exit button pin {rex}") : "")
                + (d.LockPin is { } lockPin ? Invariant($", lock pin {lockPin}") : "")
                + (d.ReleasePin is { } release ? Invariant($", release pin {release}") : "");
            devices.Add(new("door", d.Id, d.Name, pins));
        }

        foreach (var o in access.OsdpReaders)
        {
            var security = o.Scbk is not null || o.ScbkFile is not null ? "secure channel" : o.UseInstallKey ? "install key" : "no secure channel";
            devices.Add(new("reader", o.Id, o.Name, Invariant($"{o.Endpoint} address {o.Address} (OSDP, {security})") + (o.Door is { } door ? $", door {door}" : "")));
        }

        foreach (var c in settings.CamerasOrDefault.Devices)
        {
            devices.Add(new("camera", c.Id, c.Name, Invariant($"{c.Url} channel {c.Channel} ({c.Protocol})")));
        }

        return devices;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
