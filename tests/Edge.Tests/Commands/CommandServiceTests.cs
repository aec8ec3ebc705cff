using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Edge.Contracts.Commands;
using Edge.Gateway.Commands;
using Edge.Gateway.Outbox;
using Edge.Gateway.Uplink;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Commands;

/// <summary>The command service between the uplink and the features: every command answered, even across a lost link.</summary>
public sealed class CommandServiceTests : IDisposable
{
    private readonly ECDsa _station = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>An uplink that is up or down: results published while up, refused while down.</summary>
    private sealed class Link : IResultPublisher
    {
        public volatile bool Up;

        public ConcurrentQueue<CommandResult> Published { get; } = new();

        public ConcurrentQueue<byte[]?> Correlations { get; } = new();

        public Task<bool> PublishResultAsync(CommandResult result, byte[]? correlation, CancellationToken ct)
        {
            if (Up)
            {
                Published.Enqueue(result);
                Correlations.Enqueue(correlation);
            }

            return Task.FromResult(Up);
        }
    }

    private sealed class Applier : ICommandHandler
    {
        public IReadOnlyCollection<string> Types { get; } = [CommandTypes.AlarmAcknowledge];

        public int Applied;

        public Task<CommandEffect> ApplyAsync(StationCommand command, CancellationToken ct)
        {
            Interlocked.Increment(ref Applied);
            return Task.FromResult(new CommandEffect(true));
        }
    }

    private byte[] Acknowledge(out Guid id)
    {
        var now = DateTimeOffset.UtcNow;
        var command = new StationCommand(Guid.CreateVersion7(), CommandTypes.AlarmAcknowledge, "c001", "gw1", "desk", now, now.AddSeconds(30),
            new System.Text.Json.Nodes.JsonObject { ["alarm"] = Guid.CreateVersion7().ToString() });
        id = command.Id;
        return Encoding.ASCII.GetBytes(CommandJws.Sign(command, "k", _station));
    }

    private CommandService Service(Link link, UplinkState uplink, Applier applier, CommandLedger ledger, ECDsa key) =>
        new("c001", "gw1", new CommandVerifier("c001", "gw1", new Dictionary<string, ECDsa> { ["k"] = key }, ledger, TimeProvider.System), [applier], link,
            ledger, uplink, TimeProvider.System, NullLogger<CommandService>.Instance);

    [Fact]
    public async Task Results_that_find_the_link_down_are_held_in_the_outbox_and_go_out_in_order_once_it_is_back_also_after_a_restart()
    {
        using var dir = new TempDirectory();
        var outbox = Path.Combine(dir.Path, "outbox.db");
        OutboxStore.Open(outbox, "c001/gw1", new OutboxOptions()).Dispose();
        using var key = ECDsa.Create(_station.ExportParameters(false));
        var applier = new Applier();
        var ids = new List<Guid>();
        using (var ledger = new CommandLedger(outbox, TimeProvider.System))
        using (var service = Service(new Link(), new UplinkState(), applier, ledger, key))
        {
            await service.StartAsync(CancellationToken.None);

            // Applied, then the link drops before the answers go out; then the gateway stops.
            for (var i = 0; i < 3; i++)
            {
                service.Offer(CommandTypes.AlarmAcknowledge, Acknowledge(out var id), i == 0 ? [1, 2, 3] : null);
                ids.Add(id);
            }

            service.Offer(CommandTypes.AlarmAcknowledge, "garbage"u8.ToArray(), null);
            await Eventually.True(() => service.Held == 4, "four results held");
            await service.StopAsync(CancellationToken.None);
        }

        Assert.Equal(3, applier.Applied);
        var link = new Link { Up = true };
        using (var ledger = new CommandLedger(outbox, TimeProvider.System))
        using (var restarted = Service(link, new UplinkState(), applier, ledger, key))
        {
            await restarted.StartAsync(CancellationToken.None);
            await Eventually.True(() => restarted.Held == 0, "all sent once there is a link");

            Assert.Equal([.. ids.Cast<Guid?>(), null], link.Published.Select(r => r.CommandId));
            Assert.Equal([CommandOutcomes.Applied, CommandOutcomes.Applied, CommandOutcomes.Applied, CommandOutcomes.Refused], link.Published.Select(r => r.Outcome));
            Assert.Equal([1, 2, 3], link.Correlations.First());
            Assert.Equal(0, restarted.Unanswered);
            await restarted.StopAsync(CancellationToken.None);
        }

        Assert.Equal(3, applier.Applied);
    }

    [Fact]
    public void Held_results_stay_within_their_bound_giving_up_the_oldest()
    {
        using var dir = new TempDirectory();
        var outbox = Path.Combine(dir.Path, "outbox.db");
        OutboxStore.Open(outbox, "c001/gw1", new OutboxOptions()).Dispose();
        using var ledger = new CommandLedger(outbox, TimeProvider.System);
        var results = Enumerable.Range(0, 5).Select(i => new CommandResult(Guid.CreateVersion7(), CommandTypes.AlarmAcknowledge, CommandOutcomes.Applied, null, "c001", "gw1",
            DateTimeOffset.UnixEpoch.AddSeconds(i))).ToList();

        Assert.Equal([0, 0, 0, 1, 1], results.Select(r => ledger.Hold(r, null, bound: 3)));

        Assert.Equal(3, ledger.Count);
        var oldest = ledger.Oldest()!;
        Assert.Equal(results[2], oldest.Result);
        ledger.Release(oldest.Key);
        ledger.Release(oldest.Key);
        Assert.Equal(results[3], ledger.Oldest()!.Result);
        Assert.Equal(2, ledger.Count);
    }

    public void Dispose() => _station.Dispose();
}
