namespace Edge.Contracts.Status;

/// <summary>
/// Retained on <c>edge/v1/{community}/{gateway}/status</c>. The gateway publishes <c>online</c> after each connect
/// and <c>offline</c> when it stops; the broker publishes the last will (<c>offline</c>, <c>reason: connection-lost</c>)
/// when the gateway vanishes.
/// </summary>
public sealed record GatewayStatus(
    GatewayState State,
    string Community,
    string Gateway,
    string Version,
    DateTimeOffset StartedAt,
    DateTimeOffset At,
    string? Reason = null);
