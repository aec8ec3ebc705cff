namespace Edge.Gateway.Outbox;

/// <summary>The outbox file cannot be trusted; the gateway refuses to start rather than silently start empty.</summary>
public sealed class OutboxCorruptException : Exception
{
    public OutboxCorruptException(string path, string detail, Exception? inner = null)
        : base($"outbox '{path}' cannot be used: {detail?.TrimEnd('.')}. Its events would be lost if the gateway started empty: " +
               "restore the file, or move it aside to start with an empty outbox.", inner)
    {
        Path = path;
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
}
