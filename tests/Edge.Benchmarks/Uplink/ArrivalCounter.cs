using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using HdrHistogram;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks.Uplink;

/// <summary>
/// An independent subscriber that counts distinct arrivals by their <c>seq</c> user property and records the latency
/// from the moment the producer handed the message over (a timestamp per seq) to its arrival.
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
        var options = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId("bench-counter-" + Environment.ProcessId).Build();
        await _client.ConnectAsync(options).ConfigureAwait(false);
        await _client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce).ConfigureAwait(false);
    }

    private void Arrived(MqttApplicationMessage message)
    {
        var now = Stopwatch.GetTimestamp();
        var property = message.UserProperties?.FirstOrDefault(p => p.Name == "seq");
        if (property is null || !long.TryParse(Encoding.UTF8.GetString(property.ValueBuffer.Span), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            || seq <= 0 || seq >= _seen.Length)
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

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync().ConfigureAwait(false);
        }

        _client.Dispose();
    }
}
