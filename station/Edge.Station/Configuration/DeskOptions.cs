using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Edge.Station.Configuration;

// Over 300 lines: the one reader of section Desk: each key's parse and check, every error collected and named by its key.
/// <summary>An operator who may log in to the desk: a name and a PBKDF2 hash of the password (see <see cref="Web.PasswordHash"/>).</summary>
public sealed record Operator(string Name, string PasswordHash);

/// <summary>
/// The desk's configuration, section <c>Desk</c> (see docs/station.md). Read once at start by <see cref="Read"/>, which
/// collects every error, each naming its key, and refuses keys that name nothing.
/// </summary>
public sealed record DeskOptions
{
    public const string Section = "Desk";

    /// <summary>
    /// The station broker: <c>mqtt://host:port</c> or <c>mqtts://host:port</c> (MQTT 5, Mosquitto), or
    /// <c>amqp://user:password@host:port</c> or <c>amqps://host:port</c> (AMQP 0-9-1 from a quorum queue, RabbitMQ).
    /// </summary>
    public required Uri Broker { get; init; }

    /// <summary>The nodes of a clustered station broker, instead of <see cref="Broker"/> (not both), all of one scheme.</summary>
    public IReadOnlyList<Uri> Brokers { get; init; } = [];

    /// <summary>
    /// Where the desk connects: <see cref="Brokers"/>, or <see cref="Broker"/> alone. MQTT tries them in turn; AMQP lets
    /// RabbitMQ.Client pick among those it can reach.
    /// </summary>
    public IReadOnlyList<Uri> Endpoints => Brokers.Count > 0 ? Brokers : [Broker];

    /// <summary>True when the desk takes in over AMQP (<c>amqp://</c>, <c>amqps://</c>).</summary>
    public bool Amqp => Endpoints[0].Scheme is "amqp" or "amqps";

    /// <summary>True when the desk's link is over TLS (<c>mqtts://</c>, <c>amqps://</c>).</summary>
    public bool Tls => Endpoints[0].Scheme is "mqtts" or "amqps";

    /// <summary>The desk's MQTT client id; its persistent session on the broker is kept under it.</summary>
    public string ClientId { get; init; } = "station-desk";

    /// <summary>How long the broker keeps the desk's session (and queues its messages) while the desk is away.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// When set, several desks split the district's messages between them: <c>$share/{SharedGroup}/edge/v1/#</c> on
    /// MQTT, one quorum queue <c>edge-desk-{SharedGroup}</c> on AMQP. Without it each desk takes in everything.
    /// </summary>
    public string? SharedGroup { get; init; }

    /// <summary>TLS files for <c>mqtts://</c>: the station CA, and the desk's certificate and key (PEM).</summary>
    public string? CaFile { get; init; }

    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>Where the desk keeps its database (<c>desk.db</c>, unless <see cref="PostgreSql"/>) and its cookie keys.</summary>
    public string DataDirectory { get; init; } = "data";

    /// <summary>
    /// When set, an Npgsql connection string (<c>Host=..;Database=..;Username=..</c>): the desk keeps its store in that
    /// PostgreSQL database, which other desks may share, instead of its own <c>desk.db</c>.
    /// </summary>
    public string? PostgreSql { get; init; }

    /// <summary>The desk's command signing key (PEM, EC P-256 private key), and the id gateways know its public half by.</summary>
    public required string CommandKeyFile { get; init; }

    public required string CommandKeyId { get; init; }

    /// <summary>Who may log in.</summary>
    public required IReadOnlyList<Operator> Operators { get; init; }

    /// <summary>The district's gateways (<c>community/gateway</c>); when given, messages of any other are quarantined.</summary>
    public IReadOnlySet<string>? Gateways { get; init; }

    /// <summary>The largest picture kept; a larger one is quarantined.</summary>
    public int PictureMaxBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>All pictures together are kept under this size; the oldest go first.</summary>
    public long PicturesKeepBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>An event whose gateway time is further than this ahead of the desk's clock is quarantined (a clock gone wrong).</summary>
    public TimeSpan MaxClockAhead { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>An event older than this (gateway time) is quarantined: no outbox keeps an event that long.</summary>
    public TimeSpan MaxEventAge { get; init; } = TimeSpan.FromDays(30);

    private static readonly string[] Keys =
    [
        nameof(Broker), nameof(Brokers), nameof(ClientId), nameof(SessionExpiry), nameof(SharedGroup), nameof(CaFile),
        nameof(CertFile), nameof(KeyFile), nameof(DataDirectory), nameof(PostgreSql), nameof(CommandKeyFile), nameof(CommandKeyId), nameof(Operators),
        nameof(Gateways), nameof(PictureMaxBytes), nameof(PicturesKeepBytes), nameof(MaxClockAhead), nameof(MaxEventAge),
    ];

    /// <summary>Reads section <c>Desk</c>; throws <see cref="DeskConfigException"/> listing every problem, each with its key.</summary>
    public static DeskOptions Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var s = configuration.GetSection(Section);
        var errors = new List<string>();
        foreach (var child in s.GetChildren())
        {
            if (!Keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{Section}:{child.Key}: unknown key (known: {string.Join(", ", Keys)})");
            }
        }

        var brokers = ReadBrokers(s.GetSection(nameof(Brokers)), errors);
        Uri? broker;
        if (s[nameof(Broker)] is { } single && brokers.Count > 0)
        {
            errors.Add($"{Section}:{nameof(Brokers)}: give {Section}:{nameof(Broker)} or {Section}:{nameof(Brokers)}, not both");
            broker = ParseBroker(single, nameof(Broker), errors);
        }
        else
        {
            broker = brokers.Count > 0 ? brokers[0] : Required(s, nameof(Broker), errors) is { } b ? ParseBroker(b, nameof(Broker), errors) : null;
        }
        var operators = ReadOperators(s.GetSection(nameof(Operators)), errors);
        var keyFile = Required(s, nameof(CommandKeyFile), errors);
        if (keyFile is not null && !File.Exists(keyFile))
        {
            errors.Add($"{Section}:{nameof(CommandKeyFile)}: no file at '{Path.GetFullPath(keyFile)}'");
        }

        var options = new DeskOptions
        {
            Broker = broker ?? new Uri("mqtt://invalid"),
            Brokers = brokers,
            ClientId = s[nameof(ClientId)] ?? "station-desk",
            SessionExpiry = Duration(s, nameof(SessionExpiry), TimeSpan.FromDays(1), errors),
            SharedGroup = s[nameof(SharedGroup)],
            CaFile = s[nameof(CaFile)],
            CertFile = s[nameof(CertFile)],
            KeyFile = s[nameof(KeyFile)],
            DataDirectory = s[nameof(DataDirectory)] ?? "data",
            PostgreSql = ReadPostgreSql(s[nameof(PostgreSql)], errors),
            CommandKeyFile = keyFile ?? "",
            CommandKeyId = Required(s, nameof(CommandKeyId), errors) ?? "",
            Operators = operators,
            Gateways = ReadGateways(s.GetSection(nameof(Gateways)), errors),
            PictureMaxBytes = Number(s, nameof(PictureMaxBytes), 2 * 1024 * 1024, 1024, 64 * 1024 * 1024, errors),
            PicturesKeepBytes = Number(s, nameof(PicturesKeepBytes), 1024L * 1024 * 1024, 1024 * 1024, long.MaxValue, errors),
            MaxClockAhead = Duration(s, nameof(MaxClockAhead), TimeSpan.FromMinutes(5), errors),
            MaxEventAge = Duration(s, nameof(MaxEventAge), TimeSpan.FromDays(30), errors),
        };
        if (options.SharedGroup is { } g && !Edge.Contracts.Topics.TopicSegment.IsValid(g))
        {
            errors.Add($"{Section}:{nameof(SharedGroup)}: '{g}' must be letters, digits, '-' or '_'");
        }

        if (options.SharedGroup is not null && options.PostgreSql is null)
        {
            // Desks that split the messages on databases of their own would each show the police half the alarms.
            errors.Add($"{Section}:{nameof(SharedGroup)}: desks that share the messages need one database ({Section}:{nameof(PostgreSql)})");
        }

        if (broker is not null && options.Tls && (options.CaFile is null || options.CertFile is null || options.KeyFile is null))
        {
            errors.Add($"{Section}:{nameof(CaFile)}: {broker.Scheme}:// needs {Section}:{nameof(CaFile)}, {Section}:{nameof(CertFile)} and {Section}:{nameof(KeyFile)}");
        }

        if (broker is not null && options.Endpoints.Any(e => e.Scheme != broker.Scheme))
        {
            errors.Add($"{Section}:{nameof(Brokers)}: every node must be of one scheme ({broker.Scheme}://)");
        }

        foreach (var (key, file) in new[] { (nameof(CaFile), options.CaFile), (nameof(CertFile), options.CertFile), (nameof(KeyFile), options.KeyFile) })
        {
            if (file is not null && !File.Exists(file))
            {
                errors.Add($"{Section}:{key}: no file at '{Path.GetFullPath(file)}'");
            }
        }

        if (errors.Count > 0)
        {
            throw new DeskConfigException(errors);
        }

        return options;
    }

    private static string? Required(IConfigurationSection s, string key, List<string> errors)
    {
        var value = s[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{Section}:{key}: required");
            return null;
        }

        return value;
    }

    private static Uri? ParseBroker(string value, string key, List<string> errors)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "mqtt" or "mqtts" or "amqp" or "amqps" && uri.Port > 0
            && !string.IsNullOrEmpty(uri.Host) && uri.AbsolutePath is "" or "/")
        {
            return uri;
        }

        // A password in the value is not repeated.
        var shown = Uri.TryCreate(value, UriKind.Absolute, out var parsed) && parsed.UserInfo.Length > 0 ? value.Replace(parsed.UserInfo + "@", "***@", StringComparison.Ordinal) : value;
        errors.Add($"{Section}:{key}: '{shown}' is not mqtt://host:port, mqtts://host:port, amqp://[user:password@]host:port or amqps://host:port");
        return null;
    }

    private static List<Uri> ReadBrokers(IConfigurationSection section, List<string> errors)
    {
        var list = new List<Uri>();
        foreach (var c in section.GetChildren())
        {
            if (ParseBroker(c.Value ?? "", $"{nameof(Brokers)}:{c.Key}", errors) is { } uri)
            {
                list.Add(uri);
            }
        }

        return list;
    }

    private static TimeSpan Duration(IConfigurationSection s, string key, TimeSpan fallback, List<string> errors)
    {
        var value = s[key];
        if (value is null)
        {
            return fallback;
        }

        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var d) && d > TimeSpan.Zero)
        {
            return d;
        }

        errors.Add($"{Section}:{key}: '{value}' is not a positive duration (hh:mm:ss or d.hh:mm:ss)");
        return fallback;
    }

    private static long Number(IConfigurationSection s, string key, long fallback, long min, long max, List<string> errors)
    {
        var value = s[key];
        if (value is null)
        {
            return fallback;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return n;
        }

        errors.Add($"{Section}:{key}: '{value}' is not a whole number from {min} to {max}");
        return fallback;
    }

    private static int Number(IConfigurationSection s, string key, int fallback, int min, int max, List<string> errors) =>
        (int)Number(s, key, (long)fallback, min, max, errors);

    private static string? ReadPostgreSql(string? value, List<string> errors)
    {
        if (value is null)
        {
            return null;
        }

        const string key = $"{Section}:{nameof(PostgreSql)}";
        try
        {
            var b = new Npgsql.NpgsqlConnectionStringBuilder(value);
            if (string.IsNullOrWhiteSpace(b.Host) || string.IsNullOrWhiteSpace(b.Database))
            {
                errors.Add($"{key}: names no Host and Database (an Npgsql connection string: Host=..;Database=..;Username=..)");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            errors.Add($"{key}: not an Npgsql connection string ({ex.Message})");
        }

        return value;
    }

    private static List<Operator> ReadOperators(IConfigurationSection section, List<string> errors)
    {
        var list = new List<Operator>();
        foreach (var o in section.GetChildren())
        {
            var key = $"{Section}:{nameof(Operators)}:{o.Key}";
            foreach (var child in o.GetChildren())
            {
                if (child.Key is not ("Name" or "PasswordHash"))
                {
                    errors.Add($"{key}:{child.Key}: unknown key (known: Name, PasswordHash)");
                }
            }

            var name = o["Name"];
            var hash = o["PasswordHash"];
            if (string.IsNullOrWhiteSpace(name))
            {
                errors.Add($"{key}:Name: required");
            }
            else if (list.Any(x => x.Name == name))
            {
                errors.Add($"{key}:Name: '{name}' is listed twice");
            }

            if (hash is null || !Web.PasswordHash.IsWellFormed(hash))
            {
                errors.Add($"{key}:PasswordHash: not a hash made by 'edge-station hash-password'");
            }

            list.Add(new Operator(name ?? "", hash ?? ""));
        }

        if (list.Count == 0)
        {
            errors.Add($"{Section}:{nameof(Operators)}: at least one operator is needed to use the desk");
        }

        return list;
    }

    private static HashSet<string>? ReadGateways(IConfigurationSection section, List<string> errors)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return null;
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in children)
        {
            var parts = c.Value?.Split('/');
            if (parts is not { Length: 2 } || !Edge.Contracts.Topics.TopicSegment.IsValid(parts[0]) || !Edge.Contracts.Topics.TopicSegment.IsValid(parts[1]))
            {
                errors.Add($"{Section}:{nameof(Gateways)}:{c.Key}: '{c.Value}' is not community/gateway");
                continue;
            }

            set.Add(c.Value!);
        }

        return set;
    }
}

/// <summary>Something the configuration names cannot be used now (the shared database is down): the start stops, and may be tried again.</summary>
public sealed class DeskUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>The desk's configuration is wrong: every problem, each naming its key.</summary>
public sealed class DeskConfigException(IReadOnlyList<string> errors)
    : Exception("The desk's configuration is wrong:\n  " + string.Join("\n  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
