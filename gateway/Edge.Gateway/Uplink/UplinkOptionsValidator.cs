using System.Security.Cryptography;
using Edge.Contracts.Tls;
using Edge.Gateway.Configuration;

namespace Edge.Gateway.Uplink;

/// <summary>Validates <c>Edge:Uplink</c>, loading the TLS files it names so a wrong one stops the start, not every connect.</summary>
public static class UplinkOptionsValidator
{
    private static bool Endpoint(string value, string key, ConfigCheck check, out string? scheme)
    {
        var valid = Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "mqtt" or "mqtts" && !string.IsNullOrEmpty(uri.Host)
            && uri.AbsolutePath is "" or "/";
        scheme = valid ? uri!.Scheme : null;
        return check.That(valid, key, $"'{value}' must be mqtt://host[:port] or mqtts://host[:port]");
    }

    public static void Validate(UplinkOptions options, ConfigCheck check)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(check);
        var before = check.Errors.Count;
        var broker = true;
        string? scheme = null;
        if (options.Brokers.Count == 0)
        {
            broker = Endpoint(options.Broker, nameof(options.Broker), check, out scheme);
        }
        else
        {
            check.That(options.Broker == UplinkOptions.DefaultBroker, nameof(options.Broker), $"and {check.Key}:{nameof(options.Brokers)} are both set: name the nodes in {nameof(options.Brokers)} only");
            for (var i = 0; i < options.Brokers.Count; i++)
            {
                var key = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{nameof(options.Brokers)}:{i}");
                if (Endpoint(options.Brokers[i], key, check, out var s))
                {
                    // A node reached in the clear beside TLS ones would be a way around TLS.
                    broker &= check.That(scheme is null || s == scheme, key, $"is {s}:// while {check.Key}:{nameof(options.Brokers)}:0 is {scheme}://: all nodes use the same scheme");
                    scheme ??= s;
                }
                else
                {
                    broker = false;
                }
            }
        }

        var tls = broker && scheme == "mqtts";
        check.OneOf(nameof(options.ProtocolVersion), options.ProtocolVersion, "5", "3.1.1");
        check.That(options.ClientId is not { Length: 0 or > 128 }, nameof(options.ClientId), "must be 1-128 characters when set");
        check.That(tls || (options.CaFile ?? options.CertificateFile ?? options.KeyFile) is null, nameof(options.Broker),
            "must use mqtts:// when CaFile, CertificateFile or KeyFile is set (no plaintext fallback)");
        check.FileExists(nameof(options.CaFile), options.CaFile);
        check.FileExists(nameof(options.CertificateFile), options.CertificateFile);
        check.FileExists(nameof(options.KeyFile), options.KeyFile);
        check.That((options.CertificateFile is null) == (options.KeyFile is null), nameof(options.CertificateFile),
            $"and {check.Key}:{nameof(options.KeyFile)} must be set together");
        if (check.Errors.Count == before)
        {
            CheckTlsFiles(options, check);
        }

        check.That(options.Password is null || options.Username is not null, nameof(options.Username), $"must be set when {check.Key}:{nameof(options.Password)} is");
        check.Range(nameof(options.MaxInFlight), options.MaxInFlight, 1, 65_535);
        check.Range(nameof(options.KeepAlive), options.KeepAlive, TimeSpan.FromSeconds(1), TimeSpan.FromHours(18));
        check.Range(nameof(options.ConnectTimeout), options.ConnectTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        check.Range(nameof(options.ReconnectMinDelay), options.ReconnectMinDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        check.Range(nameof(options.ReconnectMaxDelay), options.ReconnectMaxDelay, options.ReconnectMinDelay, TimeSpan.FromHours(1));
        check.Range(nameof(options.AlarmReconnectMaxDelay), options.AlarmReconnectMaxDelay, options.ReconnectMinDelay, TimeSpan.FromMinutes(10));
        check.Range(nameof(options.HeartbeatInterval), options.HeartbeatInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
    }

    /// <summary>Loads the PEM files now, so a wrong or mismatched file stops the start instead of every connect.</summary>
    private static void CheckTlsFiles(UplinkOptions options, ConfigCheck check)
    {
        if (options.CaFile is { } ca)
        {
            try
            {
                TlsFiles.LoadCa(ca).DisposeAll();
            }
            catch (CryptographicException ex)
            {
                check.Fail(nameof(options.CaFile), $"'{ca}' is not a PEM certificate bundle: {ex.Message}");
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
                check.Fail(nameof(options.CertificateFile), $"'{cert}' and {check.Key}:{nameof(options.KeyFile)} '{key}' are not a PEM certificate with its private key: {ex.Message}");
            }
        }
    }
}
