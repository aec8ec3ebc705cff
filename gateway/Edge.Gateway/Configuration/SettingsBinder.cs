using Edge.Gateway.Access;
using Edge.Gateway.Alarms;
using Edge.Gateway.Cameras;
using Edge.Gateway.Commands;
using Edge.Gateway.Hardware;
using Edge.Gateway.Outbox;
using Edge.Gateway.TestEvents;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Configuration;

/// <summary>
/// Reads the <c>Edge</c> section of a configuration into <see cref="GatewaySettings"/>, as the gateway process and the
/// simulator's in-process gateways both do. Nothing is papered over with a default: a key no setting binds (a misspelt
/// one, at any depth), an unknown section (under <c>Edge</c>, or at the top of a JSON file), a value that is not of its type and a list element that cannot be read are
/// each refused with their full key. When reading fails, the values' own problems are reported with it, so an operator
/// sees every problem at once; when it succeeds, the values are validated once, by <see cref="GatewaySettings.Validate"/>
/// when the gateway is made.
/// </summary>
public static class SettingsBinder
{
    /// <summary>The sections under <c>Edge</c> and the type each binds to.</summary>
    internal static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [GatewayOptions.Section] = typeof(GatewayOptions),
        [OutboxOptions.Section] = typeof(OutboxOptions),
        [UplinkOptions.Section] = typeof(UplinkOptions),
        [TestEventOptions.Section] = typeof(TestEventOptions),
        [HardwareOptions.Section] = typeof(HardwareOptions),
        [AlarmOptions.Section] = typeof(AlarmOptions),
        [AccessOptions.Section] = typeof(AccessOptions),
        [CameraOptions.Section] = typeof(CameraOptions),
        [CommandOptions.Section] = typeof(CommandOptions),
        [Metrics.MetricsOptions.Section] = typeof(Metrics.MetricsOptions),
    };

    /// <summary>
    /// Every type a setting binds to that holds settings of its own: the sections, their list elements and the
    /// locations. Named here, not found by walking the properties, so the published gateway (Native AOT, trimmed)
    /// keeps what <see cref="UnknownKeys"/> reads of them.
    /// </summary>
    internal static readonly SettingShapes Shapes = new SettingShapes()
        .Add<GatewayOptions>().Add<OutboxOptions>().Add<UplinkOptions>().Add<TestEventOptions>().Add<HardwareOptions>()
        .Add<AlarmOptions>().Add<AlarmButtonOptions>().Add<ZoneOptions>()
        .Add<AccessOptions>().Add<AccessControllerOptions>().Add<AccessDoorOptions>().Add<WiegandReaderOptions>()
        .Add<GpioDoorOptions>().Add<OsdpReaderOptions>()
        .Add<CameraOptions>().Add<CameraDeviceOptions>()
        .Add<CommandOptions>().Add<StationKeyOptions>()
        .Add<Metrics.MetricsOptions>()
        .Add<Edge.Contracts.Events.Location>();

    /// <summary>
    /// Reads the settings, secrets from their files included (<see cref="SecretFiles"/>, systemd credentials from
    /// <c>$CREDENTIALS_DIRECTORY</c>); throws <see cref="OptionsValidationException"/> naming every key that cannot be read.
    /// </summary>
    public static GatewaySettings Bind(IConfiguration configuration) =>
        Bind(configuration, Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"));

    /// <summary>As <see cref="Bind(IConfiguration)"/>, with systemd's credentials directory given.</summary>
    public static GatewaySettings Bind(IConfiguration configuration, string? credentialsDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        if (configuration is IConfigurationRoot root)
        {
            errors.AddRange(ConfigurationFiles.UnknownSections(root));
        }

        foreach (var section in configuration.GetSection("Edge").GetChildren())
        {
            var key = $"Edge:{section.Key}";
            if (Sections.TryGetValue(key, out var type))
            {
                errors.AddRange(UnknownKeys.In(section, type, key, Shapes));
            }
            else
            {
                errors.Add($"{key} is not a section (known: {string.Join(", ", Sections.Keys.Select(k => k["Edge:".Length..]))})");
            }
        }

        var settings = new GatewaySettings(
            Read(configuration, GatewayOptions.Section, errors, static (c, o) => c.Bind(o), new GatewayOptions()),
            Read(configuration, OutboxOptions.Section, errors, static (c, o) => c.Bind(o), new OutboxOptions()),
            Read(configuration, UplinkOptions.Section, errors, static (c, o) => c.Bind(o), new UplinkOptions()),
            Read(configuration, TestEventOptions.Section, errors, static (c, o) => c.Bind(o), new TestEventOptions()),
            Read(configuration, HardwareOptions.Section, errors, static (c, o) => c.Bind(o), new HardwareOptions()),
            Read(configuration, AlarmOptions.Section, errors, static (c, o) => c.Bind(o), new AlarmOptions()),
            Read(configuration, AccessOptions.Section, errors, static (c, o) => c.Bind(o), new AccessOptions()),
            Read(configuration, CameraOptions.Section, errors, static (c, o) => c.Bind(o), new CameraOptions()),
            Read(configuration, CommandOptions.Section, errors, static (c, o) => c.Bind(o), new CommandOptions()),
            Read(configuration, Metrics.MetricsOptions.Section, errors, static (c, o) => c.Bind(o), new Metrics.MetricsOptions()));

        // The binder quietly leaves out a list element it cannot read (an enum it does not know, a number that is not
        // one): a device would be missing without a word. Each element is read again on its own to name the key.
        Elements(configuration, AlarmOptions.Section + ":Buttons", errors, static e => e.Get<AlarmButtonOptions>());
        Elements(configuration, AlarmOptions.Section + ":Zones", errors, static e => e.Get<ZoneOptions>());
        Elements(configuration, AccessOptions.Section + ":Controllers", errors, static e => e.Get<AccessControllerOptions>());
        Elements(configuration, AccessOptions.Section + ":WiegandReaders", errors, static e => e.Get<WiegandReaderOptions>());
        Elements(configuration, AccessOptions.Section + ":Doors", errors, static e => e.Get<GpioDoorOptions>());
        Elements(configuration, AccessOptions.Section + ":OsdpReaders", errors, static e => e.Get<OsdpReaderOptions>());
        Elements(configuration, CameraOptions.Section + ":Devices", errors, static e => e.Get<CameraDeviceOptions>());
        Elements(configuration, CommandOptions.Section + ":StationKeys", errors, static e => e.Get<StationKeyOptions>());
        SecretFiles.Load(settings, credentialsDirectory, errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException("Edge", typeof(GatewaySettings), errors.Concat(settings.Validate()));
        }

        return settings;
    }

    /// <summary>
    /// The section's values over the defaults; the defaults alone (and the problem named) when a value is not of its
    /// type. <paramref name="bind"/> is the binder's call on the concrete type, which the configuration binding source
    /// generator turns into code (no reflection in the published gateway).
    /// </summary>
    private static T Read<T>(IConfiguration configuration, string section, List<string> errors, Action<IConfiguration, T> bind, T options)
        where T : class
    {
        try
        {
            bind(configuration.GetSection(section), options);
        }
        catch (InvalidOperationException ex)
        {
            // "Failed to convert configuration value at 'Edge:Outbox:MaxBytes' to type 'System.Int64'." names the key.
            errors.Add(Message(ex));
        }

        return options;
    }

    private static void Elements<T>(IConfiguration configuration, string list, List<string> errors, Func<IConfiguration, T?> read)
        where T : class
    {
        foreach (var element in configuration.GetSection(list).GetChildren())
        {
            try
            {
                _ = read(element);
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(Message(ex));
            }
        }
    }

    private static string Message(InvalidOperationException ex) =>
        ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message;
}
