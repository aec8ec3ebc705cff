using System.Security.Cryptography;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Uplink;

/// <summary>Validates <c>Edge:Uplink</c>; every message names the key.</summary>
public sealed class UplinkOptionsValidator : IValidateOptions<UplinkOptions>
{
    public ValidateOptionsResult Validate(string? name, UplinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string s = UplinkOptions.Section;
        var tls = false;
        if (!Uri.TryCreate(options.Broker, UriKind.Absolute, out var uri) || uri.Scheme is not ("mqtt" or "mqtts")
            || string.IsNullOrEmpty(uri.Host) || uri.AbsolutePath is not ("" or "/"))
        {
            errors.Add($"{s}:Broker '{options.Broker}' must be mqtt://host[:port] or mqtts://host[:port]");
        }
        else
        {
            tls = uri.Scheme == "mqtts";
        }

        if (options.ProtocolVersion is not ("5" or "3.1.1"))
        {
            errors.Add($"{s}:ProtocolVersion '{options.ProtocolVersion}' must be 5 or 3.1.1");
        }

        if (options.ClientId is { Length: 0 or > 128 })
        {
            errors.Add($"{s}:ClientId must be 1-128 characters when set");
        }

        if (!tls && (options.CaFile ?? options.CertificateFile ?? options.KeyFile) is not null)
        {
            errors.Add($"{s}:Broker must use mqtts:// when CaFile, CertificateFile or KeyFile is set (no plaintext fallback)");
        }

        RequireFile(errors, $"{s}:CaFile", options.CaFile);
        RequireFile(errors, $"{s}:CertificateFile", options.CertificateFile);
        RequireFile(errors, $"{s}:KeyFile", options.KeyFile);
        if ((options.CertificateFile is null) != (options.KeyFile is null))
        {
            errors.Add($"{s}:CertificateFile and {s}:KeyFile must be set together");
        }

        if (errors.Count == 0)
        {
            CheckTlsFiles(errors, options);
        }

        if (options.Password is not null && options.Username is null)
        {
            errors.Add($"{s}:Username must be set when {s}:Password is");
        }

        if (options.MaxInFlight is < 1 or > 65_535)
        {
            errors.Add($"{s}:MaxInFlight {options.MaxInFlight} must be 1-65535");
        }

        RequireRange(errors, $"{s}:KeepAlive", options.KeepAlive, TimeSpan.FromSeconds(1), TimeSpan.FromHours(18));
        RequireRange(errors, $"{s}:ConnectTimeout", options.ConnectTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        RequireRange(errors, $"{s}:ReconnectMinDelay", options.ReconnectMinDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        RequireRange(errors, $"{s}:ReconnectMaxDelay", options.ReconnectMaxDelay, options.ReconnectMinDelay, TimeSpan.FromHours(1));
        RequireRange(errors, $"{s}:AlarmReconnectMaxDelay", options.AlarmReconnectMaxDelay, options.ReconnectMinDelay, TimeSpan.FromMinutes(10));
        RequireRange(errors, $"{s}:HeartbeatInterval", options.HeartbeatInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Loads the PEM files now, so a wrong or mismatched file stops the start instead of every connect.</summary>
    private static void CheckTlsFiles(List<string> errors, UplinkOptions options)
    {
        const string s = UplinkOptions.Section;
        if (options.CaFile is { } ca)
        {
            try
            {
                TlsFiles.LoadCa(ca).DisposeAll();
            }
            catch (CryptographicException ex)
            {
                errors.Add($"{s}:CaFile '{ca}' is not a PEM certificate bundle: {ex.Message}");
            }
        }

        if (options.CertificateFile is { } cert && options.KeyFile is { } key)
        {
            try
            {
                TlsFiles.LoadClient(cert, key).Dispose();
            }
            catch (CryptographicException ex)
            {
                errors.Add($"{s}:CertificateFile '{cert}' and {s}:KeyFile '{key}' are not a PEM certificate with its private key: {ex.Message}");
            }
        }
    }

    private static void RequireFile(List<string> errors, string key, string? path)
    {
        if (path is not null && !File.Exists(path))
        {
            errors.Add($"{key} '{path}' does not exist");
        }
    }

    private static void RequireRange(List<string> errors, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key} {value} must be between {min} and {max}");
        }
    }
}
