using System.Diagnostics;

namespace Edge.Tests.Support;

/// <summary>
/// A station in a network namespace of its own, as a police station is across a city network: the gateway reaches it
/// over one veth pair, which <see cref="Cut"/> cuts silently (packets are dropped, nothing answers, no reset: a TCP
/// connect sits in SYN-SENT on the kernel's backoff, as across a broken fibre), and the station's own subscriber over
/// another, which stays up. Needs root (CAP_NET_ADMIN) and iproute2, as CI has.
/// </summary>
public sealed class NetworkPartition : IDisposable
{
    public const string Ip = "/usr/sbin/ip";
    private readonly string _ns;
    private readonly string _gatewaySide;
    private readonly string _stationSide;
    private readonly string _probeSide;

    private NetworkPartition(int id)
    {
        _ns = $"edge-part-{id}";
        _gatewaySide = $"egw{id}";
        _stationSide = $"est{id}";
        _probeSide = $"epr{id}";
        var a = 100 + (id % 100);
        GatewaySubnet = $"10.{a}.1";
        ProbeSubnet = $"10.{a}.2";
    }

    /// <summary>Why the partition cannot be made here, or null when it can (tried once: a namespace made and removed).</summary>
    public static string? Unavailable => Probe.Value;

    private static readonly Lazy<string?> Probe = new(() =>
    {
        if (!File.Exists(Ip))
        {
            return "iproute2 is not installed (.ci/run installs it)";
        }

        var name = $"edge-probe-{Environment.ProcessId}";
        try
        {
            Run($"netns add {name}");
            Run($"netns delete {name}");
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return $"network namespaces cannot be made here (they need root): {ex.Message}";
        }
    });

    private string GatewaySubnet { get; }

    private string ProbeSubnet { get; }

    /// <summary>The network namespace the station runs in.</summary>
    public string Namespace => _ns;

    /// <summary>The station's address as the gateway reaches it (across the link that is cut).</summary>
    public string StationForGateway => $"{GatewaySubnet}.2";

    /// <summary>The station's address as its own subscriber reaches it (never cut).</summary>
    public string StationForProbe => $"{ProbeSubnet}.2";

    public static NetworkPartition Create()
    {
        var why = Unavailable;
        Assert.SkipWhen(why is not null, why ?? "");
        var partition = new NetworkPartition(Random.Shared.Next(1, 10_000));
        partition.Build();
        return partition;
    }

    private void Build()
    {
        Run($"netns add {_ns}");
        Run($"netns exec {_ns} ip link set lo up");
        Link(_gatewaySide, _stationSide, GatewaySubnet);
        Link(_probeSide, $"{_stationSide}p", ProbeSubnet);

        // A fixed neighbour entry, so that with the far end down packets are dropped rather than refused for want of
        // an ARP answer: the silence of a broken link, not a quick "no route to host".
        var mac = Output($"netns exec {_ns} cat /sys/class/net/{_stationSide}/address").Trim();
        Run($"neigh replace {StationForGateway} lladdr {mac} dev {_gatewaySide} nud permanent");
    }

    private void Link(string hostSide, string stationSide, string subnet)
    {
        Run($"link add {hostSide} type veth peer name {stationSide}");
        Run($"link set {stationSide} netns {_ns}");
        Run($"addr add {subnet}.1/24 dev {hostSide}");
        Run($"link set {hostSide} up");
        Run($"netns exec {_ns} ip addr add {subnet}.2/24 dev {stationSide}");
        Run($"netns exec {_ns} ip link set {stationSide} up");
    }

    /// <summary>Cuts the gateway's link: from now on its packets are dropped without a word.</summary>
    public void Cut() => Run($"netns exec {_ns} ip link set {_stationSide} down");

    /// <summary>Mends the gateway's link.</summary>
    public void Heal() => Run($"netns exec {_ns} ip link set {_stationSide} up");

    private static void Run(string arguments) => Output(arguments);

    private static string Output(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(Ip, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })
                            ?? throw new InvalidOperationException($"ip {arguments} did not start");
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"ip {arguments}: {error.Trim()}");
    }

    public void Dispose()
    {
        // Deleting the namespace deletes the veths' far ends, and with them the pairs.
        try
        {
            Run($"netns delete {_ns}");
        }
        catch (InvalidOperationException)
        {
        }
    }
}
