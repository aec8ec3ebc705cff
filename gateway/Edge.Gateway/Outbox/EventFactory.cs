using System.Buffers;
using System.Text.Json;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Gateway.Events;

namespace Edge.Gateway.Outbox;

/// <summary>
/// Makes the contract's event of a draft as the outbox commits it: its id (UUIDv7 of the time it was observed), its
/// seq, the community and gateway, its payload and its topic. Timestamps are kept to the millisecond the contract
/// carries, so the event returned to the adapter equals the one published. Used only by the writer's loop, so one
/// JSON writer and buffer serve every event, and a payload is copied only by SQLite as it stores it.
/// </summary>
internal sealed class EventFactory : IDisposable
{
    /// <summary>Topics made once per device and category: a gateway has a fixed set of devices, bounded in case it has not.</summary>
    private const int MaxCachedTopics = 100_000;
    private readonly string _community;
    private readonly string _gateway;
    private readonly Dictionary<(string Category, string Device), string> _topics = [];
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;
    private readonly EventIds _ids = new();

    public EventFactory(string community, string gateway)
    {
        _community = community;
        _gateway = gateway;
        _json = new Utf8JsonWriter(_buffer);
    }

    public MadeEvent Make(EventDraft draft, long seq, DateTimeOffset observedAt)
    {
        var observed = ToMilliseconds(observedAt);
        var e = new EdgeEvent(_ids.Next(observed), seq, draft.Type, draft.Priority, _community, _gateway, draft.Device,
            draft.State, ToMilliseconds(draft.OccurredAt), observed, draft.Data);
        return new MadeEvent(e, Encode(e), TopicOf(e));
    }

    /// <summary>The event's JSON in the factory's own buffer: valid until the next event is made (the insert copies it).</summary>
    private ReadOnlyMemory<byte> Encode(EdgeEvent e)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        Payloads.Encode(e, _json);
        _json.Flush();
        return _buffer.WrittenMemory;
    }

    private string TopicOf(EdgeEvent e)
    {
        var key = (e.Category, e.Device.Id);
        if (!_topics.TryGetValue(key, out var topic))
        {
            topic = Topic.Event(e);
            if (_topics.Count < MaxCachedTopics)
            {
                _topics[key] = topic;
            }
        }

        return topic;
    }

    public void Dispose()
    {
        _json.Dispose();
        _ids.Dispose();
    }

    private static DateTimeOffset ToMilliseconds(DateTimeOffset t) =>
        DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());
}

/// <summary>An event as the outbox stores and the uplink publishes it; its payload lasts until the factory makes the next one.</summary>
internal readonly record struct MadeEvent(EdgeEvent Event, ReadOnlyMemory<byte> Payload, string Topic);
