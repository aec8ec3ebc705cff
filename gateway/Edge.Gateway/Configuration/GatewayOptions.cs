namespace Edge.Gateway.Configuration;

/// <summary>Who this gateway is and where it keeps its state. Section <c>Edge:Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Edge:Gateway";

    /// <summary>The community id (a topic segment).</summary>
    public string Community { get; set; } = "";

    /// <summary>The gateway id, unique within the community (a topic segment).</summary>
    public string Id { get; set; } = "";

    /// <summary>Directory for the outbox database and logs; created when missing.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// The section as <paramref name="configuration"/> has it, before any check: for what the process needs before the
    /// settings are read and validated (where to log, which outbox <c>status</c> reads).
    /// </summary>
    public static GatewayOptions From(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new GatewayOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(configuration.GetSection(Section), options);
        return options;
    }
}
