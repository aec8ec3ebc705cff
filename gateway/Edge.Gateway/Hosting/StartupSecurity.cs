using Edge.Gateway.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Hosting;

/// <summary>
/// What the gateway process checks about its own safety before it starts: in Production, device links that protect
/// nothing are refused unless their device allows them (<see cref="DeviceLinks"/>); the allowed ones, and secrets
/// written into the configuration instead of a file (<see cref="SecretFiles"/>), are warned about at every start.
/// </summary>
public static partial class StartupSecurity
{
    /// <summary>Throws <see cref="OptionsValidationException"/> for refused links in Production; logs the warnings.</summary>
    public static void Check(GatewaySettings settings, bool production, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        if (production && DeviceLinks.Refusals(settings) is { Count: > 0 } refused)
        {
            throw new OptionsValidationException("Edge", typeof(GatewaySettings), refused);
        }

        foreach (var link in DeviceLinks.Insecure(settings))
        {
            LogInsecureLink(log, link.Key, link.Device, link.What);
        }

        foreach (var key in SecretFiles.Inline(settings))
        {
            LogInlineSecret(log, key);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Key} ({Device}) is reached over {What}: what crosses that link can be read and changed by anyone on it")]
    private static partial void LogInsecureLink(ILogger log, string key, string device, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Key} is written in the configuration: keep it in a file or a systemd credential ({Key}File)")]
    private static partial void LogInlineSecret(ILogger log, string key);
}
