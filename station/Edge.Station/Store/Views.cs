using Edge.Contracts.Events;
using Edge.Contracts.Status;

namespace Edge.Station.Store;

/// <summary>One step taken on an alarm: who and when, and, for a step that is a command, what the gateway answered.</summary>
public sealed record StepView(string Step, DateTimeOffset At, string By, Guid? CommandId, string? Outcome, string? Reason);

/// <summary>
/// An alarm as the desk shows it (and the JSON API returns it). <see cref="RaisedAt"/> is when the alarm happened, which
/// every 1-3-5 clock runs from; <see cref="DelayMs"/> is how long it took from the device to the desk.
/// </summary>
public sealed record AlarmView(
    Guid Id,
    string Community,
    string Gateway,
    DeviceRef Device,
    string Type,
    string Priority,
    string State,
    DateTimeOffset RaisedAt,
    DateTimeOffset ReceivedAt,
    double DelayMs,
    DateTimeOffset? RestoredAt,
    IReadOnlyList<StepView> Steps,
    IReadOnlyDictionary<string, DateTimeOffset> Due,
    IReadOnlyList<string> Overdue,
    IReadOnlyList<string> Next,
    IReadOnlyList<string> Pictures);

/// <summary>A gateway of the district as the desk last heard of it.</summary>
public sealed record GatewayView(
    string Community,
    string Gateway,
    bool Online,
    string? Reason,
    DateTimeOffset? StatusAt,
    DateTimeOffset? LastHeartbeatAt,
    QueueDepth? Queue,
    double? OldestPendingAgeS,
    long LastSeq,
    long MissingSeq,
    IReadOnlyList<string> DevicesOffline);

/// <summary>What the desk has taken in since its database was made.</summary>
public sealed record IngestCounts(long Events, long Duplicates, long Alarms, long Pictures, long Quarantined, long Results);

/// <summary>A message kept aside, with the reason.</summary>
public sealed record QuarantineView(DateTimeOffset At, string Topic, string Reason, int Size);
