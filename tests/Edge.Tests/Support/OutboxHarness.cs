using Edge.Contracts.Events;
using Edge.Gateway.Configuration;
using Edge.Gateway.Events;
using Edge.Gateway.Outbox;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Support;

/// <summary>An outbox store and its writer on a temporary file, without an uplink.</summary>
public sealed class OutboxHarness : IAsyncDisposable
{
    private OutboxHarness(string path, OutboxStore store, OutboxWriter writer)
    {
        Path = path;
        Store = store;
        Writer = writer;
    }

    public string Path { get; }

    public OutboxStore Store { get; }

    public OutboxWriter Writer { get; }

    public static async Task<OutboxHarness> StartAsync(string path, long maxBytes = 256L * 1024 * 1024, TimeProvider? time = null, string identity = "c001/gw1")
    {
        var options = new OutboxOptions { MaxBytes = maxBytes, Durability = OutboxDurability.Normal };
        var store = OutboxStore.Open(path, identity, options);
        var parts = identity.Split('/');
        var writer = new OutboxWriter(store, new GatewayOptions { Community = parts[0], Id = parts[1] }, options, time ?? TimeProvider.System,
            NullLogger<OutboxWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        return new OutboxHarness(path, store, writer);
    }

    public Task<SubmitResult> SubmitAsync(Priority priority, int n = 0, int padding = 0, TimeSpan? expireAfter = null)
    {
        var draft = TestGateway.Draft(priority: priority, n: n, expireAfter: expireAfter);
        if (padding > 0)
        {
            draft.Data!["pad"] = new string('x', padding);
        }

        return Writer.SubmitAsync(draft);
    }

    /// <summary>Every waiting record of a lane, oldest first.</summary>
    public IReadOnlyList<OutboxRecord> Lane(Priority priority) => Store.ReadPending(priority, 0, int.MaxValue);

    internal Task ReportAsync(OutcomeKind kind, long seq, int code = 0, string? reason = null) =>
        Writer.ReportAsync(new Outcome(kind, seq, DateTimeOffset.UtcNow, code, reason));

    public async ValueTask DisposeAsync()
    {
        await Writer.StopAsync(CancellationToken.None);
        Writer.Dispose();
        Store.Dispose();
    }
}
