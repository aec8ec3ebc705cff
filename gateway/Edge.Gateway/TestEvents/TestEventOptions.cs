using Edge.Contracts.Events;

namespace Edge.Gateway.TestEvents;

/// <summary>
/// The test-event generator: <c>device.test</c> events that prove the path from this gateway to the station
/// (commissioning, load and fault tests). Off by default. Section <c>Edge:TestEvents</c>.
/// </summary>
public sealed class TestEventOptions
{
    public const string Section = "Edge:TestEvents";

    /// <summary>Events per second; 0 turns the generator off.</summary>
    public double Rate { get; set; }

    /// <summary>Stop after this many events; 0 means no limit.</summary>
    public long Count { get; set; }

    public Priority Priority { get; set; } = Priority.Low;
}
