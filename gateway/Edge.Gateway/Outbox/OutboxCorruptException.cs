using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Outbox;

/// <summary>The outbox file cannot be trusted; the gateway refuses to start rather than silently start empty.</summary>
public sealed class OutboxCorruptException : Exception
{
    public OutboxCorruptException(string path, string detail, Exception? inner = null)
        : base($"outbox '{path}' cannot be used: {detail?.TrimEnd('.')}. Its events would be lost if the gateway started empty: " +
               "restore the file, or start once with --Edge:Outbox:StartAfresh=true to set it aside and begin a new outbox (seq restarts at 1).", inner)
    {
        Path = path;
        Detail = detail ?? "";
    }

    public OutboxCorruptException()
    {
        Path = "";
    }

    public OutboxCorruptException(string message)
        : base(message)
    {
        Path = "";
    }

    public OutboxCorruptException(string message, Exception inner)
        : base(message, inner)
    {
        Path = "";
    }

    /// <summary>The outbox file.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it, in a few words.</summary>
    public string Detail { get; } = "";
}

/// <summary>An outbox started afresh: why the old file could not be used, and the name it was set aside under.</summary>
public sealed record OutboxRestart(string Reason, string SetAsideAs);

/// <summary>The log line of an outbox started afresh: an operator and the station's log reader must see it.</summary>
public static partial class OutboxRestartLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox {Path} could not be used ({Reason}) and was set aside as {SetAsideAs}; a new outbox began: seq restarts at 1, seqEpoch {SeqEpoch:O}")]
    public static partial void StartedAfresh(ILogger log, string path, string reason, string setAsideAs, DateTimeOffset seqEpoch);
}
