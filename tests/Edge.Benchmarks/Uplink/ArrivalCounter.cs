using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using HdrHistogram;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks.Uplink;

/// <summary>
/// An independent subscriber that counts distinct arrivals by the <c>seq</c> of their JSON payload and records the
/// latency from the moment the producer handed the message over (a timestamp per seq) to its arrival. It speaks MQTT
/// 3.1.1: as an MQTT 5 subscriber (flow-controlled by its Receive Maximum), Mosquitto 2.0.11 stopped sending it queued
/// messages part-way through a 100,000-message flood while it stayed connected (20 of 100 kept in flight, then a
/// trickle of 55 a second, nothing logged on either side), which made the benchmark print meaningless ratios; a 3.1.1
/// subscriber on the same broker received every message. The gateway's publishing was never at fault.
/// </summary>
internal sealed class ArrivalCounter : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly long[] _sentAt;
    private readonly bool[] _seen;
    private readonly LongHistogram _latency = new(TimeStamp.Minutes(1), 3);
    private readonly Lock _lock = new();
    private int _unique;
    private int _duplicates;
    private long _lastArrival;

    public ArrivalCounter(int events)
    {
        _sentAt = new long[events + 1];
        _seen = new bool[events + 1];
    }

    public int Unique => Volatile.Read(ref _unique);

    public int Duplicates => Volatile.Read(ref _duplicates);

    public long LastArrival => Interlocked.Read(ref _lastArrival);

    public LongHistogram Latency => _latency;

    /// <summary>Marks when the producer handed over message <paramref name="seq"/>.</summary>
    public void Sent(long seq) => _sentAt[seq] = Stopwatch.GetTimestamp();

    public async Task ConnectAsync(Uri broker, string filter)
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Arrived(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId($"bench-counter-{Environment.ProcessId}-{Guid.NewGuid():N}")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).Build();
        // MQTTnet's 8 KiB socket buffers keep the TCP window at a few KiB: through Mosquitto the counter then fell minutes behind.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = Edge.Station.Ingest.DeskIngest.SocketBufferSize;
        await _client.ConnectAsync(options).ConfigureAwait(false);
        // QoS 1: a broker drops QoS 0 messages for a subscriber that falls behind in a flood (Mosquitto did, 78 of 100
        // thousand), which then counts as lost what the gateway delivered.
        await _client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce).ConfigureAwait(false);
    }

    private void Arrived(MqttApplicationMessage message)
    {
        var now = Stopwatch.GetTimestamp();
        if (Seq(message.Payload) is not { } seq || seq <= 0 || seq >= _seen.Length)
        {
            return;
        }

        lock (_lock)
        {
            if (_seen[seq])
            {
                _duplicates++;
                return;
            }

            _seen[seq] = true;
            _unique++;
            _lastArrival = now;
            _latency.RecordValue(Math.Max(0, now - _sentAt[seq]) * 1_000_000 / Stopwatch.Frequency);
        }
    }

    /// <summary>The top-level <c>seq</c> of a JSON payload: an event's, or the raw benchmark's.</summary>
    private static long? Seq(ReadOnlySequence<byte> payload)
    {
        var reader = new System.Text.Json.Utf8JsonReader(payload);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == System.Text.Json.JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("seq"u8))
                {
                    return reader.Read() && reader.TryGetInt64(out var seq) ? seq : null;
                }

                if (reader.TokenType is System.Text.Json.JsonTokenType.StartObject or System.Text.Json.JsonTokenType.StartArray && reader.CurrentDepth >= 1)
                {
                    reader.Skip();
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync().ConfigureAwait(false);
        }

        _client.Dispose();
    }
}
