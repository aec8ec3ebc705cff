namespace Edge.Gateway.Cameras;

/// <summary>A snapshot that could not be had: why (<see cref="Reason"/>: not-jpeg, too-large, http-NNN, unreachable, no-snapshot-uri) and the detail.</summary>
public sealed class SnapshotException : Exception
{
    public SnapshotException(string reason, string detail)
        : base($"{reason}: {detail}") => Reason = reason;

    public SnapshotException()
        : this("unknown", "")
    {
    }

    public SnapshotException(string message, Exception inner)
        : base(message, inner) => Reason = "unknown";

    public string Reason { get; }
}
