using System.Threading.Channels;

namespace Edge.Station.Live;

/// <summary>One change for the pages: an SSE event name and its JSON.</summary>
public readonly record struct LiveMessage(string Event, string Json);

/// <summary>
/// Hands every change (alarms, gateways, escalations, pictures) to each open page. A page that cannot keep up is cut
/// off rather than silently skipped: its browser reconnects and reloads everything.
/// </summary>
public sealed class LiveFeed
{
    private const int PerPage = 4096;
    private readonly Lock _lock = new();
    private readonly List<Channel<LiveMessage>> _pages = [];

    public int Pages
    {
        get
        {
            lock (_lock)
            {
                return _pages.Count;
            }
        }
    }

    /// <summary>A page's own stream of changes, from now on; dispose of it when the page goes.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<LiveMessage>(new BoundedChannelOptions(PerPage) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        lock (_lock)
        {
            _pages.Add(channel);
        }

        return new Subscription(this, channel);
    }

    public void Publish(string name, string json)
    {
        lock (_lock)
        {
            foreach (var page in _pages)
            {
                if (!page.Writer.TryWrite(new LiveMessage(name, json)))
                {
                    page.Writer.TryComplete(new InvalidOperationException("the page fell behind"));
                }
            }
        }
    }

    /// <summary>Cuts every page off, with the reason: their browsers reconnect and read everything again.</summary>
    public void Reset(string reason)
    {
        lock (_lock)
        {
            foreach (var page in _pages)
            {
                page.Writer.TryComplete(new InvalidOperationException(reason));
            }
        }
    }

    private void Remove(Channel<LiveMessage> channel)
    {
        lock (_lock)
        {
            _pages.Remove(channel);
        }
    }

    public sealed class Subscription(LiveFeed feed, Channel<LiveMessage> channel) : IDisposable
    {
        public ChannelReader<LiveMessage> Reader => channel.Reader;

        public void Dispose() => feed.Remove(channel);
    }
}
