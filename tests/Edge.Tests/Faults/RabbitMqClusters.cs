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
    public static int Base(int test) => 20_000 + (Environment.ProcessId % 50 * 200) + (test * 100);
}
