using System.Collections.Concurrent;
using Edge.Contracts.Topics;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Tests.Support;

/// <summary>An independent MQTT client that records every message it receives, as a station would see it.</summary>
public sealed class RecordingSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public ConcurrentQueue<MqttApplicationMessage> Messages { get; } = new();

    public static async Task<RecordingSubscriber> ConnectAsync(Uri broker, string filter = Topic.All, Action<MqttClientOptionsBuilder>? configure = null)
    {
        var s = new RecordingSubscriber();
        s._client.ApplicationMessageReceivedAsync += e =>
        {
            s.Messages.Enqueue(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        var builder = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId("rec-" + Guid.NewGuid().ToString("N")[..8]);
        configure?.Invoke(builder);
        var options = builder.Build();
        var result = await s._client.ConnectAsync(options);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        await s._client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        return s;
    }

    /// <summary>A user property of a message as text, or null when it has none of that name.</summary>
    public static string? Property(MqttApplicationMessage m, string name) =>
        m?.UserProperties?.FirstOrDefault(p => p.Name == name) is { } p ? System.Text.Encoding.UTF8.GetString(p.ValueBuffer.Span) : null;

    public IEnumerable<MqttApplicationMessage> On(string topicSuffix) => Messages.Where(m => m.Topic.EndsWith(topicSuffix, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
