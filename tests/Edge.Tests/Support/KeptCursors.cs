using Edge.Gateway.Events;

namespace Edge.Tests.Support;

/// <summary>The cursors a gateway would find in its outbox after a restart, without an outbox.</summary>
public sealed class KeptCursors(params SourceCursor[] kept) : ISourceCursors
{
    public SourceCursor? Cursor(string key)
    {
        foreach (var cursor in kept)
        {
            if (cursor.Key == key)
            {
                return cursor;
            }
        }

        return null;
    }
}
