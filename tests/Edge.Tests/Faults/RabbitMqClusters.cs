using System.Globalization;
using Edge.Tests.Support;

namespace Edge.Tests.Faults;

/// <summary>
/// The tests that start a 3-node RabbitMQ cluster, one at a time: six nodes starting at once on a 2-core machine take
/// longer than the tests' patience, and each cluster has its own ports (<see cref="Base"/>).
/// </summary>
[CollectionDefinition(Name)]
public sealed class RabbitMqClusters
{
    public const string Name = "rabbitmq clusters";

    /// <summary>
    /// A cluster's port base (its port mapper; nodes at base + 11-53): below the kernel's ephemeral range
    /// (32768-60999), where no outgoing connection can be holding a node's port, and apart for each test.
    /// </summary>
    public static int Base(int test) => 20_000 + (System.Environment.ProcessId % 40 * 300) + (test * 100);

    /// <summary>
    /// What deploy/rabbitmq's scripts need for the loopback cluster in <paramref name="directory"/>: its port base, the
    /// certificates of a TLS cluster (<paramref name="tls"/>), and rabbitmqctl on its node 1 for edge-users.sh.
    /// </summary>
    public static Dictionary<string, string> Environment(string directory, int portBase, string? tls = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["EDGE_RMQ_BASE"] = portBase.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQCTL"] = $"bash {RepoFiles.Path("deploy/rabbitmq/loopback-cluster.sh")} {directory} ctl",
        };
        if (tls is not null)
        {
            environment["EDGE_RMQ_TLS"] = tls;
        }

        return environment;
    }

    /// <summary>Runs loopback-cluster.sh on the cluster in <paramref name="directory"/> (start, stop, kill N, ...); fails the test if it fails.</summary>
    public static async Task RunAsync(string directory, Dictionary<string, string> environment, params string[] args) =>
        (await ProgramRun.RunAsync("bash", [RepoFiles.Path("deploy/rabbitmq/loopback-cluster.sh"), directory, .. args], environment))
        .Checked($"loopback-cluster.sh {string.Join(' ', args)}");
}
