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
    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
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
                errors.AddRange(UnknownKeys.In(section, type, key));
            }
            else
            {
                errors.Add($"{key} is not a section (known: {string.Join(", ", Sections.Keys.Select(k => k["Edge:".Length..]))})");
            }
        }

        var settings = new GatewaySettings(
            Read<GatewayOptions>(configuration, GatewayOptions.Section, errors),
            Read<OutboxOptions>(configuration, OutboxOptions.Section, errors),
            Read<UplinkOptions>(configuration, UplinkOptions.Section, errors),
            Read<TestEventOptions>(configuration, TestEventOptions.Section, errors),
            Read<HardwareOptions>(configuration, HardwareOptions.Section, errors),
            Read<AlarmOptions>(configuration, AlarmOptions.Section, errors),
            Read<AccessOptions>(configuration, AccessOptions.Section, errors),
            Read<CameraOptions>(configuration, CameraOptions.Section, errors),
            Read<CommandOptions>(configuration, CommandOptions.Section, errors),
            Read<Metrics.MetricsOptions>(configuration, Metrics.MetricsOptions.Section, errors));

        // The binder quietly leaves out a list element it cannot read (an enum it does not know, a number that is not
        // one): a device would be missing without a word. Each element is read again on its own to name the key.
        Elements<AlarmButtonOptions>(configuration, AlarmOptions.Section + ":Buttons", errors);
        Elements<ZoneOptions>(configuration, AlarmOptions.Section + ":Zones", errors);
        Elements<AccessControllerOptions>(configuration, AccessOptions.Section + ":Controllers", errors);
        Elements<WiegandReaderOptions>(configuration, AccessOptions.Section + ":WiegandReaders", errors);
        Elements<GpioDoorOptions>(configuration, AccessOptions.Section + ":Doors", errors);
        Elements<OsdpReaderOptions>(configuration, AccessOptions.Section + ":OsdpReaders", errors);
        Elements<CameraDeviceOptions>(configuration, CameraOptions.Section + ":Devices", errors);
        Elements<StationKeyOptions>(configuration, CommandOptions.Section + ":StationKeys", errors);
        SecretFiles.Load(settings, credentialsDirectory, errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException("Edge", typeof(GatewaySettings), errors.Concat(settings.Validate()));
        }

        return settings;
    }

    /// <summary>The section's values over the defaults; the defaults alone (and the problem named) when a value is not of its type.</summary>
    private static T Read<T>(IConfiguration configuration, string section, List<string> errors)
        where T : class, new()
    {
        var options = new T();
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // "Failed to convert configuration value at 'Edge:Outbox:MaxBytes' to type 'System.Int64'." names the key.
            errors.Add(ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message);
        }

        return options;
    }

    private static void Elements<T>(IConfiguration configuration, string list, List<string> errors)
        where T : class
    {
        foreach (var element in configuration.GetSection(list).GetChildren())
        {
            try
            {
                _ = element.Get<T>();
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message);
            }
        }
    }
}
