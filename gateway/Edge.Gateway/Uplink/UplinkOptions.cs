using MQTTnet.Formatter;

namespace Edge.Gateway.Uplink;

/// <summary>The connection to the station broker. Section <c>Edge:Uplink</c>.</summary>
public sealed class UplinkOptions
{
    public const string Section = "Edge:Uplink";

    /// <summary>The broker when there is one: the default of <see cref="Broker"/>.</summary>
    public const string DefaultBroker = "mqtt://127.0.0.1:1883";

    /// <summary><c>mqtt://host:port</c>, or <c>mqtts://host:port</c> for TLS (then never plaintext). Port defaults to 1883 / 8883.</summary>
    public string Broker { get; set; } = DefaultBroker;

    /// <summary>
    /// The nodes of a clustered station broker, instead of <see cref="Broker"/>: tried in turn, the next one after a
    /// failed connect or a lost connection (each attempt after the backoff). All <c>mqtt://</c> or all <c>mqtts://</c>.
    /// </summary>
    public List<string> Brokers { get; set; } = [];

    /// <summary><c>5</c> (default) or <c>3.1.1</c>.</summary>
    public string ProtocolVersion { get; set; } = "5";

    /// <summary>MQTT client id; defaults to <c>edge-{community}-{gateway}</c>.</summary>
    public string? ClientId { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary><see cref="Password"/> read from a file instead (see <c>SecretFiles</c>): an absolute path, or <c>cred:NAME</c> for a systemd credential. Not both.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>PEM file of the CA that signed the broker's certificate (mqtts only; system trust when empty).</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate for mutual TLS (mqtts only); needs <see cref="KeyFile"/>.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>QoS 1 publishes awaiting PUBACK at once.</summary>
    public int MaxInFlight { get; set; } = 256;

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; doubles per failed attempt up to <see cref="ReconnectMaxDelay"/>, with jitter.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest reconnect delay while alarms (critical events) wait in the outbox: a station that comes back must
    /// not wait out a long backoff before it hears of them.
    /// </summary>
    public TimeSpan AlarmReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    internal MqttProtocolVersion MqttVersion => ProtocolVersion == "3.1.1" ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500;

    /// <summary>Where the gateway connects, in the order it tries: <see cref="Brokers"/>, or <see cref="Broker"/> alone.</summary>
    internal IReadOnlyList<Uri> Endpoints => Brokers.Count > 0 ? [.. Brokers.Select(b => new Uri(b))] : [new Uri(Broker)];

    internal bool UseTls => Endpoints[0].Scheme == "mqtts";

    /// <summary>The port of <paramref name="endpoint"/>, 1883 or 8883 when it names none.</summary>
    internal static int Port(Uri endpoint) => endpoint.IsDefaultPort || endpoint.Port <= 0 ? (endpoint.Scheme == "mqtts" ? 8883 : 1883) : endpoint.Port;
}
