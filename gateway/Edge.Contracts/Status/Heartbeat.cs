namespace Edge.Contracts.Status;

/// <summary>
/// Published on <c>edge/v1/{community}/{gateway}/heartbeat</c> every heartbeat interval (15 s by default) while connected.
/// Counters are totals since the outbox was created; they never go down.
/// </summary>
/// <param name="LastSeq">The seq of the newest event the gateway has taken in.</param>
/// <param name="Queue">Events waiting in the outbox, per priority lane.</param>
/// <param name="OldestPendingAgeS">Age in seconds of the oldest event waiting, 0 when none.</param>
/// <param name="Evictions">Events dropped because the outbox was full (never critical ones).</param>
/// <param name="DeadLetters">Events the broker refused (PUBACK with an error reason), kept in the dead-letter table.</param>
/// <param name="Expired">Events that went stale in the outbox before they could be sent (message expiry).</param>
/// <param name="Reconnects">Successful connects to the broker after the first one, since the process started.</param>
/// <param name="Snapshots">Snapshots for events, since the process started; absent on a gateway without cameras.</param>
/// <param name="AccessLog">Access controllers' event logs read, since the process started; absent on a gateway without them.</param>
/// <param name="ClientCertificate">The TLS client certificate the gateway presents to the broker; absent without one.</param>
/// <param name="ConnectFailures">Connect attempts that failed or were refused, since the process started.</param>
/// <param name="LastConnectError">The last of those: why and when; absent when every attempt has succeeded.</param>
/// <param name="SeqEpoch">When the outbox, and the numbering of <paramref name="LastSeq"/>, began. A new value means seq
/// started again at 1 (a new box, or an outbox started afresh after it was lost): not a gap.</param>
public sealed record Heartbeat(
    string Community,
    string Gateway,
    DateTimeOffset At,
    double UptimeS,
    long LastSeq,
    QueueDepth Queue,
    double OldestPendingAgeS,
    long Evictions,
    long DeadLetters,
    long Expired,
    long Reconnects,
    SnapshotCounters? Snapshots = null,
    AccessLogCounters? AccessLog = null,
    ClientCertificateStatus? ClientCertificate = null,
    DateTimeOffset? SeqEpoch = null,
    long ConnectFailures = 0,
    ConnectError? LastConnectError = null);

/// <summary>
/// A gateway's snapshots since the process started: published; dropped (too many waiting, too old); failed (the camera
/// gave no JPEG in time, or too large a one).
/// </summary>
public sealed record SnapshotCounters(long Published, long Dropped, long Failed);

/// <summary>
/// What a gateway read from its access controllers' event logs since the process started: events the alert streams did
/// not bring (<paramref name="Recovered"/>), events not read because too many were missed at once
/// (<paramref name="Skipped"/>), and searches that failed (<paramref name="SearchFailures"/>: refused, unanswered, or
/// not a result; a controller whose firmware has no event log fails every one).
/// </summary>
public sealed record AccessLogCounters(long Recovered, long Skipped, long SearchFailures);

/// <summary>
/// The client certificate a gateway presents to the broker: whom it names, when it ends, and the days left (negative
/// once it has ended). The gateway warns in its log from 30 days before the end; it picks up a renewed certificate
/// without a restart.
/// </summary>
public sealed record ClientCertificateStatus(string Subject, DateTimeOffset NotAfter, double DaysLeft);

/// <summary>A connect to the broker that failed: the reason as the gateway logged it (a timeout, a refusal with its
/// reason code, a TLS failure), and when.</summary>
public sealed record ConnectError(string Reason, DateTimeOffset At);
