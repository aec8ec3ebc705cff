using Edge.Gateway.Configuration;

namespace Edge.Gateway.Metrics;

/// <summary>The gateway process's Prometheus endpoint. Section <c>Edge:Metrics</c>.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Edge:Metrics";

    /// <summary>
    /// Where the endpoint listens, as an HTTP prefix: <c>http://127.0.0.1:9464/</c> (the box itself) unless told; the
    /// metrics are at <c>metrics</c> under it. Empty turns the endpoint off (<c>dotnet-counters</c> still reads them).
    /// </summary>
    public string Listen { get; set; } = "http://127.0.0.1:9464/";

    /// <summary>The prefix as a URI, or null when the endpoint is off.</summary>
    public Uri? ListenUri => string.IsNullOrEmpty(Listen) ? null : new Uri(Listen);
}

/// <summary>Validates <c>Edge:Metrics</c>.</summary>
public static class MetricsOptionsValidator
{
    public static void Validate(MetricsOptions options, ConfigCheck check)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(check);
        if (string.IsNullOrEmpty(options.Listen))
        {
            return;
        }

        check.That(Uri.TryCreate(options.Listen, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath.EndsWith('/')
            && uri.Port > 0 && string.IsNullOrEmpty(uri.Query), nameof(options.Listen),
            $"'{options.Listen}' must be http://host:port/ (a prefix ending in /), or empty to turn the endpoint off");
    }
}
