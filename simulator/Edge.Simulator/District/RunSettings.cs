namespace Edge.Simulator.District;

/// <summary>What <c>edge-sim run</c> was asked to do.</summary>
public sealed record RunSettings(
    int Communities,
    TimeSpan Duration,
    Uri? Broker,
    double TestEventRate,
    TimeSpan HeartbeatInterval,
    string? DataDirectory,
    bool Quiet,
    TimeSpan AlarmEvery = default);
